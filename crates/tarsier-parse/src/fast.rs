//! Node kind names and field lookups without tree-sitter's per-call string work.
//!
//! `Node::kind` reads a C string (a `strlen` and a UTF-8 check per call) and
//! `Node::child_by_field_name` compares the name with every field name of the grammar. The
//! engine asks both for most nodes of every file, so [`NodeExt`] answers from tables built once.

use crate::Dialect;
use std::sync::OnceLock;
use tree_sitter::Node;

struct Tables {
    /// The grammar (compared by address: a node's tree names it).
    language: tree_sitter::Language,
    /// Kind name by kind id.
    kinds: Vec<&'static str>,
    /// (field name, field id), sorted by name.
    fields: Vec<(&'static str, u16)>,
    /// (field name as a [`packed_name`], field id), sorted by the packed name (which sorts as
    /// the name does), for the names that fit in one.
    packed: Vec<(u128, u16)>,
    /// Field names that some node kind can have more than once (from the grammar's
    /// `node-types.json`).
    multiple: Vec<String>,
}

/// Field names marked `"multiple": true` for some node kind in `node-types.json`.
fn multiple_fields(node_types: &str) -> Vec<String> {
    let Ok(types) = serde_json::from_str::<serde_json::Value>(node_types) else {
        return Vec::new();
    };
    let mut out: Vec<String> = types
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("fields")?.as_object())
        .flat_map(|fields| fields.iter())
        .filter(|(_, f)| f.get("multiple").and_then(serde_json::Value::as_bool) == Some(true))
        .map(|(name, _)| name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A field name of at most 16 bytes as one number: its bytes from the most significant one,
/// zero-padded. Names hold no zero byte, so two names are equal exactly when their numbers are,
/// and the numbers sort as the names do. `None` for longer names.
fn packed_name(name: &str) -> Option<u128> {
    let bytes = name.as_bytes();
    let mut buf = [0u8; 16];
    buf.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(u128::from_be_bytes(buf))
}

impl Tables {
    /// The id of field `name`.
    fn field_id(&self, name: &str) -> Option<u16> {
        match packed_name(name) {
            Some(key) => self
                .packed
                .binary_search_by_key(&key, |&(k, _)| k)
                .ok()
                .and_then(|i| self.packed.get(i))
                .map(|&(_, id)| id),
            None => self
                .fields
                .binary_search_by(|(n, _)| (*n).cmp(name))
                .ok()
                .and_then(|i| self.fields.get(i))
                .map(|&(_, id)| id),
        }
    }
}

fn build_tables(dialect: Dialect) -> Tables {
    let language = dialect.language();
    let kinds = (0..language.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| language.node_kind_for_id(id))
                .unwrap_or("")
        })
        .collect();
    let mut fields: Vec<(&'static str, u16)> = (1..=language.field_count())
        .filter_map(|id| {
            let id = u16::try_from(id).ok()?;
            Some((language.field_name_for_id(id)?, id))
        })
        .collect();
    fields.sort_unstable();
    let mut packed: Vec<(u128, u16)> = fields
        .iter()
        .filter_map(|&(name, id)| Some((packed_name(name)?, id)))
        .collect();
    packed.sort_unstable();
    Tables {
        language,
        kinds,
        fields,
        packed,
        multiple: multiple_fields(dialect.node_types()),
    }
}

fn tables_of(dialect: Dialect) -> &'static Tables {
    static JAVASCRIPT: OnceLock<Tables> = OnceLock::new();
    static TYPESCRIPT: OnceLock<Tables> = OnceLock::new();
    match dialect {
        Dialect::JavaScript => JAVASCRIPT.get_or_init(|| build_tables(Dialect::JavaScript)),
        Dialect::TypeScript => TYPESCRIPT.get_or_init(|| build_tables(Dialect::TypeScript)),
    }
}

fn tables() -> &'static Tables {
    tables_of(Dialect::JavaScript)
}

/// The dialect whose grammar has `count` node kinds (JavaScript unless it is TypeScript's).
pub(crate) fn dialect_of_kind_count(count: usize) -> Dialect {
    if count == tables().kinds.len() {
        Dialect::JavaScript
    } else if count == tables_of(Dialect::TypeScript).kinds.len() {
        Dialect::TypeScript
    } else {
        Dialect::JavaScript
    }
}

/// The id of field `name` of the JavaScript grammar.
pub fn field_id(name: &str) -> Option<u16> {
    field_id_in(Dialect::JavaScript, name)
}

/// The id of field `name` of `dialect`'s grammar.
pub fn field_id_in(dialect: Dialect, name: &str) -> Option<u16> {
    tables_of(dialect).field_id(name)
}

/// Whether no node kind of the JavaScript grammar has field `id` more than once, so
/// [`Node::child_by_field_id`] finds every child in it. False for unknown ids (and if the
/// grammar's node types cannot be read).
pub fn field_is_single(id: u16) -> bool {
    field_is_single_in(Dialect::JavaScript, id)
}

/// [`field_is_single`] for `dialect`'s grammar.
pub fn field_is_single_in(dialect: Dialect, id: u16) -> bool {
    let t = tables_of(dialect);
    !t.multiple.is_empty()
        && t.fields
            .iter()
            .find(|&&(_, f)| f == id)
            .is_some_and(|(name, _)| !t.multiple.iter().any(|m| m == name))
}

/// Table-backed versions of [`Node::kind`] and [`Node::child_by_field_name`] for trees of the
/// JavaScript grammar.
pub trait NodeExt<'t> {
    /// The node's kind name (as [`Node::kind`]).
    fn kind_name(&self) -> &'static str;
    /// The child in field `name` (as [`Node::child_by_field_name`]).
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

/// The tables of the grammar `node` belongs to: JavaScript's when the node's tree names that
/// grammar (one cheap call into tree-sitter and a comparison of addresses), else by its number
/// of node kinds.
fn tables_for(node: &Node<'_>) -> &'static Tables {
    let js = tables();
    let language = node.language();
    if *language == js.language {
        js
    } else {
        tables_of(dialect_of_kind_count(language.node_kind_count()))
    }
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn kind_name(&self) -> &'static str {
        match tables_for(self).kinds.get(usize::from(self.kind_id())) {
            Some(name) => name,
            None => self.kind(),
        }
    }

    fn field(&self, name: &str) -> Option<Node<'t>> {
        self.child_by_field_id(tables_for(self).field_id(name)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_agree_with_tree_sitter() {
        let js = "const a = f(x, y); class C { m() { return /re/g.test(a) ? `t${a}` : -a; } }";
        let ts = "const a: number = f<string>(x as any, y!); class C { m(p: Req): void { return /re/g.test(a) ? `t${a}` : -a; } }";
        for (dialect, src) in [(Dialect::JavaScript, js), (Dialect::TypeScript, ts)] {
            let tree = crate::parse_as(src, dialect).expect("parses");
            assert!(!tree.root_node().has_error());
            assert_eq!(Dialect::of_node(tree.root_node()), dialect);
            let mut seen = 0;
            crate::walk(tree.root_node(), &mut |node, _| {
                assert_eq!(node.kind_name(), node.kind());
                for name in [
                    "function",
                    "arguments",
                    "left",
                    "right",
                    "body",
                    "name",
                    "value",
                    "type",
                    "nope",
                ] {
                    assert_eq!(node.field(name), node.child_by_field_name(name), "{name}");
                }
                seen += 1;
            });
            assert!(seen > 30);
        }
    }

    #[test]
    fn every_field_name_is_found_by_its_packed_form_or_by_its_text() {
        for dialect in Dialect::ALL {
            let t = tables_of(dialect);
            assert!(t.packed.len() + 4 > t.fields.len(), "most names fit");
            for &(name, id) in &t.fields {
                assert_eq!(t.field_id(name), Some(id), "{name}");
                assert_eq!(t.field_id(&format!("{name}_")), None);
                let shorter = &name[..name.len() - 1];
                if !t.fields.iter().any(|&(n, _)| n == shorter) {
                    assert_eq!(t.field_id(shorter), None, "{name}");
                }
            }
            assert_eq!(t.field_id(""), None);
            assert_eq!(t.field_id("a_name_longer_than_sixteen_bytes"), None);
        }
    }

    #[test]
    fn single_and_multiple_fields() {
        for single in ["function", "arguments", "property", "object", "key", "left"] {
            assert!(field_is_single(field_id(single).expect(single)), "{single}");
        }
        for multiple in ["decorator", "body", "member"] {
            assert!(
                !field_is_single(field_id(multiple).expect(multiple)),
                "{multiple}"
            );
        }
    }
}
