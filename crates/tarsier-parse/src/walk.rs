//! Walking a syntax tree in document order without recursion, so input nested to any depth
//! cannot overflow the stack.

use tree_sitter::Node;

/// What [`walk_where`] does at a node.
pub type Entry = Option<Option<usize>>;

/// Visits every node under `root` (itself included) in document order, with its ancestors
/// (`root` first, the parent last).
pub fn walk<'t>(root: Node<'t>, visit: &mut dyn FnMut(Node<'t>, &[Node<'t>])) {
    walk_where(root, |_| Some(None), visit);
}

/// Walks the tree under `root` in document order, iteratively (one cursor, an explicit stack of
/// ancestors). `enter(node)` decides: `None` skips the node and everything below it;
/// `Some(None)` visits it and goes on with its first child; `Some(Some(byte))` visits it and
/// goes on with its first child that contains `byte` or starts after it (tree-sitter passes over
/// the children before it without making nodes of them). Visited nodes come with their
/// ancestors, root first.
pub fn walk_where<'t>(
    root: Node<'t>,
    mut enter: impl FnMut(Node<'t>) -> Entry,
    visit: &mut dyn FnMut(Node<'t>, &[Node<'t>]),
) {
    let mut cursor = root.walk();
    let mut path: Vec<Node<'t>> = Vec::new();
    'walk: loop {
        let node = cursor.node();
        if let Some(first_child) = enter(node) {
            visit(node, &path);
            let descended = match first_child {
                None => cursor.goto_first_child(),
                Some(byte) => cursor.goto_first_child_for_byte(byte).is_some(),
            };
            if descended {
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
