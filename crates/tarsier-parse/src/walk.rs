//! Walking a syntax tree in document order without recursion, so input nested to any depth
//! cannot overflow the stack.

use tree_sitter::Node;

/// What [`walk_where`] does at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Visit the node and go on with its first child.
    Visit,
    /// Skip the node and everything below it.
    Skip,
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
        if enter(node, &path) == Entry::Visit {
            visit(node, &path);
            if cursor.goto_first_child() {
                path.push(node);
                continue;
            }
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
            path.pop();
        }
    }
}

/// Visits, in document order, the nodes under `root` (itself included) that contain one of the
/// sorted byte offsets `offsets`, with their ancestors (`root` first); a node below `root` for
/// which `prune` holds is neither visited nor entered. Everything else is passed over without
/// being looked at: from a visited node the cursor goes straight to the child around the next
/// offset (tree-sitter passes over the children before it without making nodes of them), and
/// it leaves a parent as soon as no offset is left inside it, instead of stepping onto the
/// following siblings to find that out.
pub fn walk_around<'t>(
    root: Node<'t>,
    offsets: &[usize],
    mut prune: impl FnMut(Node<'t>) -> bool,
    visit: &mut dyn FnMut(Node<'t>, &[Node<'t>]),
) {
    let mut cursor = root.walk();
    let mut path: Vec<Node<'t>> = Vec::new();
    // The first offset not before the current node's start (nodes come in start order).
    let mut next = 0usize;
    'walk: loop {
        let node = cursor.node();
        let start = node.start_byte();
        while offsets.get(next).is_some_and(|&h| h < start) {
            next += 1;
        }
        let Some(&offset) = offsets.get(next) else {
            return;
        };
        if offset < node.end_byte() && (path.is_empty() || !prune(node)) {
            visit(node, &path);
            if cursor.goto_first_child_for_byte(offset).is_some() {
                path.push(node);
                continue;
            }
        }
        // On to the next sibling while the parent still holds the next offset.
        while let Some(parent) = path.last() {
            if offset < parent.end_byte() && cursor.goto_next_sibling() {
                continue 'walk;
            }
            cursor.goto_parent();
            path.pop();
        }
        return;
    }
}
