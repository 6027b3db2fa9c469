//! A file's exported functions: what `module.exports = fn`, `module.exports = { a: fn }`,
//! `exports.x = fn`, `X.prototype.m = fn` (of an exported `X`), exported classes' methods and
//! ESM `export` make callable from outside, by node id, with their export path (`""` for the
//! module itself, `parse`, `Router.prototype.route`). Their parameters are where a package's
//! caller hands it data: the model's named inputs, or the library inputs of the rules that
//! opt in.

use crate::literal::node_text;
use std::collections::HashMap;
use tarsier_parse::NodeExt;
use tree_sitter::Node;

/// Exported function node ids, with their export paths.
pub type Exported = HashMap<usize, String>;

/// Collects the exported functions of a file from its top-level statements.
pub fn exported_functions(root: Node<'_>, source: &str) -> Exported {
    let mut declared: HashMap<&str, Node<'_>> = HashMap::new();
    let mut statements = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        statements.push(statement);
        declare(statement, source, &mut declared);
        if statement.kind_name() == "export_statement"
            && let Some(decl) = statement.field("declaration")
        {
            declare(decl, source, &mut declared);
        }
    }
    let mut out = Exported::new();
    // Export paths of names (`exports.parse = parse` gives `parse` the path `parse`).
    let mut named: HashMap<String, String> = HashMap::new();
    for &statement in &statements {
        match statement.kind_name() {
            "expression_statement" => {
                let Some(expr) = statement.named_child(0) else {
                    continue;
                };
                let mut expr = expr;
                while expr.kind_name() == "assignment_expression" {
                    let (Some(left), Some(right)) = (expr.field("left"), expr.field("right"))
                    else {
                        break;
                    };
                    if let Some(path) = export_path(left, source, &named) {
                        export_value(right, &path, source, &declared, &mut out, &mut named);
                    }
                    // `module.exports = exports = fn`
                    expr = right;
                }
            }
            "export_statement" => {
                let default = node_text(statement, source)
                    .trim_start_matches("export")
                    .trim_start()
                    .starts_with("default");
                if let Some(decl) = statement.field("declaration") {
                    let mut names = Vec::new();
                    declare_names(decl, source, &mut names);
                    for name in names {
                        if let Some(&node) = declared.get(name) {
                            let path = if default { "" } else { name };
                            export_node(node, path, source, &mut out);
                            named.insert(name.to_string(), path.to_string());
                        }
                    }
                } else if let Some(value) = statement.field("value") {
                    export_value(value, "", source, &declared, &mut out, &mut named);
                } else {
                    // `export { a, b as c }`
                    let mut stack = vec![statement];
                    while let Some(n) = stack.pop() {
                        let mut cursor = n.walk();
                        for child in n.named_children(&mut cursor) {
                            match child.kind_name() {
                                "export_clause" => stack.push(child),
                                "export_specifier" => {
                                    let name = child.field("name").map(|x| node_text(x, source));
                                    let alias = child.field("alias").map(|x| node_text(x, source));
                                    if let Some(name) = name
                                        && let Some(&node) = declared.get(name)
                                    {
                                        let path = alias.unwrap_or(name);
                                        let path = if path == "default" { "" } else { path };
                                        export_node(node, path, source, &mut out);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `module.exports` -> `""`, `module.exports.x` / `exports.x` -> `x`, `X.prototype.m` (of an
/// exported `X`) -> `X's path.prototype.m`.
fn export_path(left: Node<'_>, source: &str, named: &HashMap<String, String>) -> Option<String> {
    let text = node_text(left, source);
    if text == "module.exports" || text == "exports" {
        return Some(String::new());
    }
    for prefix in ["module.exports.", "exports."] {
        if let Some(rest) = text.strip_prefix(prefix)
            && is_dotted_name(rest)
        {
            return Some(rest.to_string());
        }
    }
    // `Name.prototype.method = ...` or `Name.method = ...` of an exported `Name`.
    let (head, rest) = text.split_once('.')?;
    if !is_dotted_name(rest) {
        return None;
    }
    let base = named.get(head)?;
    Some(if base.is_empty() {
        rest.to_string()
    } else {
        format!("{base}.{rest}")
    })
}

fn is_dotted_name(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        })
}

fn export_value<'t>(
    value: Node<'t>,
    path: &str,
    source: &str,
    declared: &HashMap<&str, Node<'t>>,
    out: &mut Exported,
    named: &mut HashMap<String, String>,
) {
    match value.kind_name() {
        "identifier" => {
            let name = node_text(value, source);
            named.insert(name.to_string(), path.to_string());
            if let Some(&node) = declared.get(name) {
                export_node(node, path, source, out);
            }
        }
        "object" => {
            let mut cursor = value.walk();
            for prop in value.named_children(&mut cursor) {
                match prop.kind_name() {
                    "pair" => {
                        let (Some(key), Some(v)) = (prop.field("key"), prop.field("value")) else {
                            continue;
                        };
                        let key = node_text(key, source).trim_matches(['\'', '"']);
                        let sub = join(path, key);
                        export_value(v, &sub, source, declared, out, named);
                    }
                    "shorthand_property_identifier" => {
                        let name = node_text(prop, source);
                        let sub = join(path, name);
                        named.insert(name.to_string(), sub.clone());
                        if let Some(&node) = declared.get(name) {
                            export_node(node, &sub, source, out);
                        }
                    }
                    "method_definition" => {
                        let name = prop
                            .field("name")
                            .map(|n| node_text(n, source))
                            .unwrap_or("");
                        out.insert(prop.id(), join(path, name));
                    }
                    _ => {}
                }
            }
        }
        _ => export_node(value, path, source, out),
    }
}

/// A function is exported under `path`; a class's constructor and methods are too.
fn export_node(node: Node<'_>, path: &str, source: &str, out: &mut Exported) {
    match node.kind_name() {
        k if crate::taint::FUNCTION_KINDS.contains(&k) => {
            out.insert(node.id(), path.to_string());
        }
        "class" | "class_declaration" => {
            let Some(body) = node.field("body") else {
                return;
            };
            let mut cursor = body.walk();
            for member in body.named_children(&mut cursor) {
                if member.kind_name() == "method_definition" {
                    let name = member
                        .field("name")
                        .map(|n| node_text(n, source))
                        .unwrap_or("");
                    let sub = if name == "constructor" {
                        path.to_string()
                    } else {
                        join(path, &format!("prototype.{name}"))
                    };
                    out.insert(member.id(), sub);
                }
            }
        }
        _ => {}
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}

/// Top-level functions and classes by name: declarations and `const f = function/arrow/class`.
fn declare<'t>(statement: Node<'t>, source: &'t str, declared: &mut HashMap<&'t str, Node<'t>>) {
    match statement.kind_name() {
        "function_declaration" | "generator_function_declaration" | "class_declaration" => {
            if let Some(name) = statement.field("name") {
                declared.insert(node_text(name, source), statement);
            }
        }
        "lexical_declaration" | "variable_declaration" => {
            let mut cursor = statement.walk();
            for declarator in statement.named_children(&mut cursor) {
                if let (Some(name), Some(value)) =
                    (declarator.field("name"), declarator.field("value"))
                    && name.kind_name() == "identifier"
                    && (crate::taint::FUNCTION_KINDS.contains(&value.kind_name())
                        || value.kind_name() == "class")
                {
                    declared.insert(node_text(name, source), value);
                }
            }
        }
        _ => {}
    }
}

fn declare_names<'t>(decl: Node<'t>, source: &'t str, names: &mut Vec<&'t str>) {
    match decl.kind_name() {
        "function_declaration" | "generator_function_declaration" | "class_declaration" => {
            if let Some(name) = decl.field("name") {
                names.push(node_text(name, source));
            }
        }
        "lexical_declaration" | "variable_declaration" => {
            let mut cursor = decl.walk();
            for declarator in decl.named_children(&mut cursor) {
                if let Some(name) = declarator
                    .field("name")
                    .filter(|n| n.kind_name() == "identifier")
                {
                    names.push(node_text(name, source));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(src: &str) -> Vec<String> {
        let tree = tarsier_parse::parse(src).expect("parses");
        let mut v: Vec<String> = exported_functions(tree.root_node(), src)
            .into_values()
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commonjs_and_esm_exports_are_found() {
        assert_eq!(
            paths(
                "exports.parse = parse;\nfunction parse(str, options) {}\nfunction internal(x) {}"
            ),
            vec!["parse"]
        );
        assert_eq!(
            paths("module.exports = fresh;\nfunction fresh(a, b) {}"),
            vec![""]
        );
        assert_eq!(
            paths("module.exports = { a: function (x) {}, b, c(y) {} };\nconst b = (z) => z;"),
            vec!["a", "b", "c"]
        );
        assert_eq!(
            paths(
                "module.exports = Router;\nfunction Router(o) {}\nRouter.prototype.route = function (p) {};"
            ),
            vec!["", "prototype.route"]
        );
        assert_eq!(
            paths("export function f(a) {}\nexport default class K { constructor(x) {} m(y) {} }"),
            vec!["", "f", "prototype.m"]
        );
        assert_eq!(paths("function g(a) {}\nexport { g as h };"), vec!["h"]);
        assert!(paths("function helper(a) {}\nhelper(1);").is_empty());
    }
}
