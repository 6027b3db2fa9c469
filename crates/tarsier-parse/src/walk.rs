//! Walking a syntax tree in document order without recursion, so input nested to any depth
//! cannot overflow the stack.

use tree_sitter::Node;

/// What [`walk_where`] does at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Visit the node and go on with its first child.
    Visit,
    /// Visit the node and go on with its first child that contains the byte offset or starts
    /// after it (tree-sitter passes over the children before it without making nodes of them).
    VisitFrom(usize),
    /// Skip the node and everything below it.
    Skip,
    /// Skip the node, everything below it and its following siblings: go on after its parent.
    SkipSiblings,
}

/// Visits every node under `root` (itself included) in document order, with its ancestors
/// (`root` first, the parent last).
pub fn walk<'t>(root: Node<'t>, visit: &mut dyn FnMut(Node<'t>, &[Node<'t>])) {
    walk_where(root, |_, _| Entry::Visit, visit);
}

/// Walks the tree under `root` in document order, iteratively (one cursor, an explicit stack of
/// ancestors). `enter(node, ancestors)` decides what happens at each node (see [`Entry`]).
/// Visited nodes come with their ancestors, root first.
pub fn walk_where<'t>(
    root: Node<'t>,
    mut enter: impl FnMut(Node<'t>, &[Node<'t>]) -> Entry,
    visit: &mut dyn FnMut(Node<'t>, &[Node<'t>]),
) {
    let mut cursor = root.walk();
    let mut path: Vec<Node<'t>> = Vec::new();
    'walk: loop {
        let node = cursor.node();
        let entry = enter(node, &path);
        let descended = match entry {
            Entry::Visit => {
                visit(node, &path);
                cursor.goto_first_child()
            }
            Entry::VisitFrom(byte) => {
                visit(node, &path);
                cursor.goto_first_child_for_byte(byte).is_some()
            }
            Entry::Skip | Entry::SkipSiblings => false,
        };
        if descended {
            path.push(node);
            continue;
        }
        let mut skip_siblings = entry == Entry::SkipSiblings;
        loop {
            if !skip_siblings && cursor.goto_next_sibling() {
                continue 'walk;
            }
            skip_siblings = false;
            if !cursor.goto_parent() {
                break 'walk;
            }
            path.pop();
        }
    }
}
