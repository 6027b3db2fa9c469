//! "Is this expression a literal?": the `#literal?` / `#not-literal?` query predicates.

use tarsier_parse::NodeExt;
use tree_sitter::Node;

/// True when `node` is a constant the author wrote: a string, number, boolean, `null`, regex
/// literal, template string without substitutions, or a `+` of such (iteratively, so a long
/// concatenation cannot overflow the stack).
pub fn is_literal(node: Node<'_>, source: &str) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "string" | "number" | "true" | "false" | "null" | "regex" => {}
            "undefined" => {}
            "identifier" if node_text(n, source) == "undefined" => {}
            "template_string" => {
                let mut cursor = n.walk();
                if n.named_children(&mut cursor)
                    .any(|c| c.kind_name() == "template_substitution")
                {
                    return false;
                }
            }
            "parenthesized_expression" => match n.named_child(0) {
                Some(inner) => stack.push(inner),
                None => return false,
            },
            "unary_expression" => match n.field("argument") {
                Some(arg) => stack.push(arg),
                None => return false,
            },
            "binary_expression" => {
                let op = n.field("operator").map(|o| o.kind_name()).unwrap_or("");
                if op != "+" {
                    return false;
                }
                match (n.field("left"), n.field("right")) {
                    (Some(l), Some(r)) => {
                        stack.push(l);
                        stack.push(r);
                    }
                    _ => return false,
                }
            }
            _ => return false,
        }
    }
    true
}

/// The source text of a node (empty if the range is somehow out of bounds).
pub fn node_text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}
