//! The ReDoS analyzer rules (`analyzer = "redos-exponential"` / `"redos-polynomial"`): finds the
//! regular expressions of a file, has [`tarsier_redos`] decide whether they backtrack
//! super-linearly, and notes what each is applied to, so a rule can escalate when the subject is
//! request data.
//!
//! Regular expressions are regex literals (`/(a+)+$/`) and `RegExp(...)` / `new RegExp(...)` with
//! a constant pattern (a string literal, a template without substitutions, a `const` of the file
//! holding one, or a `+` of those). Subjects are found syntactically: `re.test(x)` /
//! `re.exec(x)` and `x.match(re)` (also `matchAll`, `replace`, `replaceAll`, `split`,
//! `search`), with `re` the literal itself, a name it was assigned to anywhere in the file, or
//! an entry of a table of patterns (`const RE = { word: /.../ }` then `RE.word.test(x)` or
//! `RE['word']`). The walk is iterative.

use crate::literal::node_text;
use std::collections::HashMap;
use tarsier_parse::{Dialect, NodeExt, unescape_js_string};
use tree_sitter::Node;

/// The analyzer names this module implements.
pub const ANALYZERS: &[&str] = &["redos-exponential", "redos-polynomial"];

/// Most regular expressions analysed in one file (a bound on time for generated files).
pub const MAX_SITES_PER_FILE: usize = 2_000;

/// A regular expression found in a file.
#[derive(Debug)]
pub struct Site<'t> {
    /// The regex literal or the `RegExp` construction.
    pub node: Node<'t>,
    /// The pattern's source text (as JavaScript would see it, escapes of the string decoded).
    pub pattern: String,
    /// The flags.
    pub flags: String,
    /// Expressions the regular expression is applied to.
    pub subjects: Vec<Node<'t>>,
}

const STRING_METHODS: &[&str] = &[
    "match",
    "matchAll",
    "replace",
    "replaceAll",
    "split",
    "search",
];

/// The identifiers around which [`sites_among`] needs its candidates, besides regex literals:
/// `RegExp` and the methods that apply a regular expression, each as a callee (for the sparse
/// walk, see [`crate::anchor`]).
pub fn anchor_words() -> impl Iterator<Item = &'static str> {
    ["RegExp", "test", "exec"]
        .into_iter()
        .chain(STRING_METHODS.iter().copied())
}

/// A node that may be a regular expression or apply one, with its parent and grandparent.
pub type Candidate<'t> = (Node<'t>, Option<Node<'t>>, Option<Node<'t>>);

/// Kind and field ids the hot path compares (ids, not names: a name lookup scans a table of
/// strings, and the engine asks for every node of every file).
struct Ids {
    regex: u16,
    new_expression: u16,
    call_expression: u16,
    member_expression: u16,
    function: Option<std::num::NonZeroU16>,
    constructor: Option<std::num::NonZeroU16>,
    property: Option<std::num::NonZeroU16>,
    object: Option<std::num::NonZeroU16>,
    arguments: Option<std::num::NonZeroU16>,
}

fn ids_of(dialect: Dialect) -> &'static Ids {
    static JAVASCRIPT: std::sync::OnceLock<Ids> = std::sync::OnceLock::new();
    static TYPESCRIPT: std::sync::OnceLock<Ids> = std::sync::OnceLock::new();
    let cell = match dialect {
        Dialect::JavaScript => &JAVASCRIPT,
        Dialect::TypeScript => &TYPESCRIPT,
    };
    cell.get_or_init(|| {
        let language = dialect.language();
        let kind = |k: &str| language.id_for_node_kind(k, true);
        let field = |f: &str| language.field_id_for_name(f);
        Ids {
            regex: kind("regex"),
            new_expression: kind("new_expression"),
            call_expression: kind("call_expression"),
            member_expression: kind("member_expression"),
            function: field("function"),
            constructor: field("constructor"),
            property: field("property"),
            object: field("object"),
            arguments: field("arguments"),
        }
    })
}

fn child_by<'t>(node: Node<'t>, field: Option<std::num::NonZeroU16>) -> Option<Node<'t>> {
    node.child_by_field_id(field?.get())
}

/// `node` with its parent and grandparent, from its ancestors (root first).
pub fn candidate<'t>(node: Node<'t>, ancestors: &[Node<'t>]) -> Candidate<'t> {
    let n = ancestors.len();
    (
        node,
        ancestors.last().copied(),
        n.checked_sub(2).and_then(|i| ancestors.get(i)).copied(),
    )
}

/// Whether [`sites_among`] wants `node` (a regex literal, a `new` or a call).
pub fn is_candidate(node: Node<'_>) -> bool {
    is_candidate_kind_in(Dialect::of_node(node), node.kind_id())
}

/// Whether [`sites_among`] wants nodes of kind id `kind` (of the JavaScript grammar).
pub fn is_candidate_kind(kind: u16) -> bool {
    is_candidate_kind_in(Dialect::JavaScript, kind)
}

/// Whether [`sites_among`] wants nodes of kind id `kind` of `dialect`'s grammar.
pub fn is_candidate_kind_in(dialect: Dialect, kind: u16) -> bool {
    let ids = ids_of(dialect);
    kind == ids.call_expression || kind == ids.new_expression || kind == ids.regex
}

/// Every regular expression of the file with a constant pattern, and what it is applied to
/// (walks the tree itself; the engine collects candidates during its own walk instead).
pub fn sites<'t>(root: Node<'t>, source: &str) -> Vec<Site<'t>> {
    let mut candidates = Vec::new();
    crate::pattern::walk(root, &mut |node, ancestors| {
        if is_candidate(node) {
            candidates.push(candidate(node, ancestors));
        }
    });
    sites_among(&candidates, source)
}

/// The regular expressions among `candidates` (in document order; see [`is_candidate`]) with
/// a constant pattern, and what they are applied to.
pub fn sites_among<'t>(candidates: &[Candidate<'t>], source: &str) -> Vec<Site<'t>> {
    let mut found: Vec<(Site<'t>, Option<String>)> = Vec::new();
    // (name a regex is known by, subject) for `name.test(x)` and `x.match(name)`.
    let mut uses: Vec<(std::borrow::Cow<'_, str>, Node<'t>)> = Vec::new();
    let Some(&(first, _, _)) = candidates.first() else {
        return Vec::new();
    };
    let ids = ids_of(Dialect::of_node(first));
    // `new RegExp(NAME)`: the constants of the file, found once per name.
    let constants: std::cell::RefCell<HashMap<String, Option<String>>> = Default::default();
    let root = std::cell::OnceCell::new();
    let resolve = |name: &str| -> Option<String> {
        if let Some(known) = constants.borrow().get(name) {
            return known.clone();
        }
        let root = *root.get_or_init(|| {
            let mut root = first;
            while let Some(parent) = root.parent() {
                root = parent;
            }
            root
        });
        let value = file_constant(root, name, source);
        constants
            .borrow_mut()
            .insert(name.to_string(), value.clone());
        value
    };
    for &(n, parent, grand) in candidates {
        let kind = n.kind_id();
        let site = if kind == ids.regex {
            Some((
                n.field("pattern")
                    .map(|p| node_text(p, source).to_string())
                    .unwrap_or_default(),
                n.field("flags")
                    .map(|f| node_text(f, source).to_string())
                    .unwrap_or_default(),
            ))
        } else if kind == ids.new_expression || kind == ids.call_expression {
            regexp_construction(n, source, &resolve)
        } else {
            None
        };
        if let Some((pattern, flags)) = site
            && found.len() < MAX_SITES_PER_FILE
        {
            let mut subjects = Vec::new();
            if let Some(s) = direct_subject(n, parent, grand, source) {
                subjects.push(s);
            }
            let name = parent.and_then(|p| bound_name(p, n, source));
            found.push((
                Site {
                    node: n,
                    pattern,
                    flags,
                    subjects,
                },
                name,
            ));
        }
    }
    // Uses by name matter only for regexes bound to a name (`const RE = /.../`).
    let names: Vec<&str> = found.iter().filter_map(|(_, n)| n.as_deref()).collect();
    for &(n, _, _) in candidates.iter().filter(|_| !names.is_empty()) {
        let kind = n.kind_id();
        if kind == ids.call_expression
            && let Some(callee) =
                child_by(n, ids.function).filter(|f| f.kind_id() == ids.member_expression)
        {
            let method = child_by(callee, ids.property)
                .map(|p| node_text(p, source))
                .unwrap_or("");
            if method != "test" && method != "exec" && !STRING_METHODS.contains(&method) {
                continue;
            }
            let object = child_by(callee, ids.object);
            let first_arg = child_by(n, ids.arguments).and_then(|a| a.named_child(0));
            match method {
                "test" | "exec" => {
                    if let (Some(o), Some(a)) = (object, first_arg) {
                        uses.push((use_name(node_text(o, source)), a));
                    }
                }
                m if STRING_METHODS.contains(&m) => {
                    if let (Some(o), Some(a)) = (object, first_arg) {
                        uses.push((use_name(node_text(a, source)), o));
                    }
                }
                _ => {}
            }
        }
    }
    let mut by_name: HashMap<std::borrow::Cow<'_, str>, Vec<Node<'t>>> = HashMap::new();
    for (name, subject) in uses {
        by_name.entry(name).or_default().push(subject);
    }
    let mut out: Vec<Site<'t>> = found
        .into_iter()
        .map(|(mut site, name)| {
            if let Some(subjects) = name.as_deref().and_then(|n| by_name.get(n)) {
                site.subjects.extend(subjects.iter().copied());
            }
            site
        })
        .collect();
    out.sort_by_key(|s| s.node.start_byte());
    out
}

/// `RegExp('a+')`, `new RegExp('^' + 'b*$', 'i')`: the constant pattern and flags.
fn regexp_construction(
    n: Node<'_>,
    source: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, String)> {
    let ids = ids_of(Dialect::of_node(n));
    let callee = if n.kind_id() == ids.new_expression {
        child_by(n, ids.constructor)
    } else {
        child_by(n, ids.function)
    }?;
    if node_text(callee, source) != "RegExp" || callee.kind_name() != "identifier" {
        return None;
    }
    let args = n.field("arguments")?;
    let pattern = constant_string_with(args.named_child(0)?, source, resolve)?;
    let flags = match args.named_child(1) {
        Some(f) => constant_string_with(f, source, resolve)?,
        None => String::new(),
    };
    Some((pattern, flags))
}

/// The value of `const name = <constant string>` in the tree under `root`, when `name` is declared
/// so exactly once and never assigned again (`new RegExp(SOURCE)` with `const SOURCE = '...'`).
fn file_constant(root: Node<'_>, name: &str, source: &str) -> Option<String> {
    // Most names given to `RegExp` are parameters: without `name = '...'` (or a template,
    // or parentheses) in the text, there is no such declaration and the tree is not walked.
    if !assigned_a_literal(source, name) {
        return None;
    }
    let mut value = None;
    let mut declarations = 0;
    let mut reassigned = false;
    crate::structure::any_node(root, |n| {
        match n.kind_name() {
            "variable_declarator"
                if n.field("name")
                    .is_some_and(|t| node_text(t, source) == name) =>
            {
                declarations += 1;
                value = n.field("value").and_then(|v| constant_string(v, source));
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                reassigned |= n
                    .field("left")
                    .is_some_and(|l| node_text(l, source) == name);
            }
            _ => {}
        }
        false
    });
    value.filter(|_| declarations == 1 && !reassigned)
}

/// Whether `source` has `name` followed by `=` (not `==` or `=>`) and then a quote, a
/// backtick or a parenthesis: a necessary condition for [`file_constant`] to find a value.
fn assigned_a_literal(source: &str, name: &str) -> bool {
    let bytes = source.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    source.match_indices(name).any(|(at, _)| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        if before.is_some_and(ident) {
            return false;
        }
        let mut i = at + name.len();
        let skip = |i: &mut usize| {
            while bytes.get(*i).is_some_and(|b| b.is_ascii_whitespace()) {
                *i += 1;
            }
        };
        skip(&mut i);
        if bytes.get(i) != Some(&b'=') || matches!(bytes.get(i + 1), Some(b'=' | b'>')) {
            return false;
        }
        i += 1;
        skip(&mut i);
        matches!(bytes.get(i), Some(b'\'' | b'"' | b'`' | b'('))
    })
}

/// The value of a constant string expression: string literals, templates without
/// substitutions, parentheses and `+` of those.
pub fn constant_string(node: Node<'_>, source: &str) -> Option<String> {
    constant_string_with(node, source, &|_| None)
}

/// [`constant_string`], with identifiers given the value `resolve` finds for them.
fn constant_string_with(
    node: Node<'_>,
    source: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut out = String::new();
    // Left-to-right: push right first.
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "string" => {
                let text = node_text(n, source);
                let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
                out.push_str(&unescape_js_string(inner));
            }
            "template_string" => {
                let mut cursor = n.walk();
                if n.named_children(&mut cursor)
                    .any(|c| c.kind_name() == "template_substitution")
                {
                    return None;
                }
                let text = node_text(n, source);
                let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
                out.push_str(&unescape_js_string(inner));
            }
            "parenthesized_expression" => stack.push(n.named_child(0)?),
            "identifier" => out.push_str(&resolve(node_text(n, source))?),
            "binary_expression" => {
                let op = n.field("operator")?;
                if op.kind_name() != "+" {
                    return None;
                }
                stack.push(n.field("right")?);
                stack.push(n.field("left")?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// `/re/.test(x)` -> `x`; `x.match(/re/)` -> `x`.
fn direct_subject<'t>(
    n: Node<'t>,
    parent: Option<Node<'t>>,
    grand: Option<Node<'t>>,
    source: &str,
) -> Option<Node<'t>> {
    let (parent, grand) = (parent?, grand?);
    if grand.kind_name() != "call_expression" {
        return None;
    }
    match parent.kind_name() {
        "member_expression" => {
            let method = parent.field("property").map(|p| node_text(p, source))?;
            if !matches!(method, "test" | "exec") {
                return None;
            }
            grand.field("arguments").and_then(|a| a.named_child(0))
        }
        "arguments" => {
            let callee = grand
                .field("function")
                .filter(|f| f.kind_name() == "member_expression")?;
            let method = callee.field("property").map(|p| node_text(p, source))?;
            let first = parent.named_child(0)?;
            if !STRING_METHODS.contains(&method) || first.id() != n.id() {
                return None;
            }
            callee.field("object")
        }
        _ => None,
    }
}

/// `const RE = /x/` -> `RE`; `exports.RE = /x/` -> `exports.RE`; in a table, `const RE = {
/// word: /x/ }` -> `RE.word` (the key alone when the table is not bound to a name).
fn bound_name(parent: Node<'_>, n: Node<'_>, source: &str) -> Option<String> {
    let (target, value) = match parent.kind_name() {
        "variable_declarator" => (parent.field("name")?, parent.field("value")?),
        "assignment_expression" => (parent.field("left")?, parent.field("right")?),
        "pair" => (parent.field("key")?, parent.field("value")?),
        _ => return None,
    };
    if value.id() != n.id() {
        return None;
    }
    let name = node_text(target, source);
    if parent.kind_name() != "pair" {
        return Some(name.to_string());
    }
    let key = name.trim_matches(['\'', '"']);
    let table = parent
        .parent()
        .filter(|o| o.kind_name() == "object")
        .and_then(|o| Some((o, o.parent()?)))
        .and_then(|(o, holder)| bound_name(holder, o, source));
    Some(match table {
        Some(table) => format!("{table}.{key}"),
        None => key.to_string(),
    })
}

/// The name a use refers to, with computed string keys written as members: `RE['a']` ->
/// `RE.a`.
fn use_name(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('[') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            return std::borrow::Cow::Owned(out);
        };
        let key = &after[..close];
        let quoted = key.len() >= 2
            && (key.starts_with('\'') && key.ends_with('\'')
                || key.starts_with('"') && key.ends_with('"'));
        if quoted {
            out.push('.');
            out.push_str(&key[1..key.len() - 1]);
        } else {
            out.push('[');
            out.push_str(key);
            out.push(']');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Control characters and non-ASCII escaped, cut to `max` characters: attack strings go into
/// one-line messages.
pub fn display(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count >= max {
            out.push('…');
            break;
        }
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c => out.push_str(&c.escape_unicode().to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(src: &str) -> tree_sitter::Tree {
        tarsier_parse::parse(src).unwrap()
    }

    #[test]
    fn finds_literals_constructions_and_subjects() {
        let src = "const RE = /^(a+)+$/;\nfunction f(s) { return RE.test(s) || s.match(new RegExp('\\\\d+' + '$', 'g')); }\nRegExp(dynamic);\n";
        let tree = parse(src);
        let found = sites(tree.root_node(), src);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].pattern, "^(a+)+$");
        assert_eq!(found[0].subjects.len(), 1);
        assert_eq!(node_text(found[0].subjects[0], src), "s");
        assert_eq!(found[1].pattern, r"\d+$");
        assert_eq!(found[1].flags, "g");
        assert_eq!(node_text(found[1].subjects[0], src), "s");
    }

    #[test]
    fn regexes_from_tables_are_applied_where_the_table_is_used() {
        let src = "const RE = { word: /^(\\w+\\s?)*$/, num: /^\\d+$/ };\nfunction f(s) { return RE.word.test(s) || s.match(RE['num']); }\nother.word.test(t);\n";
        let tree = parse(src);
        let found = sites(tree.root_node(), src);
        assert_eq!(found.len(), 2);
        let subjects: Vec<Vec<&str>> = found
            .iter()
            .map(|f| f.subjects.iter().map(|s| node_text(*s, src)).collect())
            .collect();
        assert_eq!(subjects, vec![vec!["s"], vec!["s"]]);
    }

    #[test]
    fn regexp_of_a_file_constant_is_analysed() {
        let src = "const SOURCE = '^(a+)+';\nconst RE = new RegExp(SOURCE + '$');\nRE.test(x);\nlet changed = 'a';\nchanged = 'b*';\nnew RegExp(changed);\nnew RegExp(unknown);\n";
        let tree = parse(src);
        let found = sites(tree.root_node(), src);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pattern, "^(a+)+$");
        assert_eq!(node_text(found[0].subjects[0], src), "x");
    }

    #[test]
    fn use_names_write_quoted_keys_as_members() {
        assert_eq!(use_name("RE['a']"), "RE.a");
        assert_eq!(use_name("RE[\"a\"].b"), "RE.a.b");
        assert_eq!(use_name("RE[i]"), "RE[i]");
        assert_eq!(use_name("RE"), "RE");
    }

    #[test]
    fn display_escapes_and_truncates() {
        assert_eq!(display("ab\ncd\u{1}", 10), "ab\\ncd\\u{1}");
        assert_eq!(display("aaaaaa", 3), "aaa…");
    }
}
