//! Structural query predicates: where a node sits in its file (inside a `try` block, inside a
//! recursive function, in a loop over an object's keys) and what the function around it
//! contains. They back `#not-in-try?`, `#function-has?`, `#function-lacks?`, `#writes-by-key?`,
//! `#iterated-key?`, `#in-recursive-function?`, `#html-flow?`, `#constant-string?` and
//! `#caller-request-derived?`.
//!
//! Every walk here is iterative and bounded: the ancestors of a node are found by walking down
//! from the root (linear in the depth, where repeated `Node::parent` calls are quadratic), and
//! subtree walks stop after [`MAX_VISITED`] nodes.

use crate::literal::node_text;
use crate::taint::{FUNCTION_KINDS, Step};
use tarsier_parse::NodeExt;
use tree_sitter::Node;

/// Most nodes a subtree walk visits before giving up (a bound on time for huge functions).
pub const MAX_VISITED: usize = 200_000;

/// The ancestors of `node`, from `root` down to its parent.
pub fn ancestors<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let mut chain = Vec::new();
    descend(root, node, &mut chain);
    chain
}

/// Pushes `from` and the nodes between it and its descendant `node` onto `chain`.
fn descend<'t>(from: Node<'t>, node: Node<'t>, chain: &mut Vec<Node<'t>>) {
    let mut current = from;
    while current.id() != node.id() {
        chain.push(current);
        match current.child_with_descendant(node) {
            Some(child) if child.id() != current.id() => current = child,
            _ => break,
        }
    }
}

/// Where the predicates are asked: the tree's root, and a node the walk stands on with its
/// ancestors. The ancestors of a node inside that one are found from there; walking down from
/// the root costs a search among the children of every level, which in a bundle's top level
/// are thousands.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a, 't> {
    /// The tree's root.
    pub root: Node<'t>,
    /// The node the walk stands on (a match's root).
    pub node: Node<'t>,
    /// Its ancestors, the root first.
    pub ancestors: &'a [Node<'t>],
}

impl<'t> Located<'_, 't> {
    /// The ancestors of `node`, from the root down to its parent.
    pub fn ancestors_of(&self, node: Node<'t>) -> Vec<Node<'t>> {
        if self.node.id() == self.root.id() {
            return ancestors(self.root, node);
        }
        if self.node.id() == node.id() {
            return self.ancestors.to_vec();
        }
        if self.node.child_with_descendant(node).is_none() {
            return ancestors(self.root, node);
        }
        let mut chain = Vec::with_capacity(self.ancestors.len() + 8);
        chain.extend_from_slice(self.ancestors);
        descend(self.node, node, &mut chain);
        chain
    }
}

fn is_function(node: Node<'_>) -> bool {
    FUNCTION_KINDS.contains(&node.kind_name())
}

/// True unless `node` is inside the `try` block of a `try` statement of its own function (a
/// `try` around a callback's definition does not catch what the callback throws later).
pub fn not_in_try(at: &Located<'_, '_>, node: Node<'_>) -> bool {
    let chain = at.ancestors_of(node);
    for (i, a) in chain.iter().enumerate().rev() {
        if is_function(*a) {
            return true;
        }
        if a.kind_name() == "try_statement" {
            let inner = chain.get(i + 1).copied().unwrap_or(node);
            let in_body = a.field("body").is_some_and(|b| b.id() == inner.id());
            if in_body {
                return false;
            }
        }
    }
    true
}

/// The innermost function around `node`, or the program.
pub fn enclosing_function<'t>(at: &Located<'_, 't>, node: Node<'t>) -> Node<'t> {
    at.ancestors_of(node)
        .into_iter()
        .rev()
        .find(|a| is_function(*a))
        .unwrap_or(at.root)
}

/// Whether the text of the function around `node` contains one of `words`.
pub fn function_has(at: &Located<'_, '_>, node: Node<'_>, source: &str, words: &[String]) -> bool {
    let text = node_text(enclosing_function(at, node), source);
    words.iter().any(|w| text.contains(w.as_str()))
}

/// Whether the function around the identifier `node` assigns to `node[k]` with a computed key
/// `k` (`obj[key] = {}`, `obj[parts[i]] = value`): the walk `obj = obj[k]` then belongs to a
/// setter, not to a getter.
pub fn writes_by_key(at: &Located<'_, '_>, node: Node<'_>, source: &str) -> bool {
    let name = node_text(node, source);
    any_node(enclosing_function(at, node), |n| {
        matches!(
            n.kind_name(),
            "assignment_expression" | "augmented_assignment_expression"
        ) && n.field("left").is_some_and(|left| {
            left.kind_name() == "subscript_expression"
                && left
                    .field("object")
                    .is_some_and(|o| node_text(o, source) == name)
                && left
                    .field("index")
                    .is_some_and(|i| !crate::literal::is_literal(i, source))
        })
    })
}

/// Whether the identifier `node` was last given its value, before `node` and in the function
/// around it, by an assignment or declaration (`x = ...`, `const x = ...`) whose right-hand
/// side calls one of `names` (`"normalize"` for `path.normalize(p)` or `normalize(p)`).
pub fn assigned_from(at: &Located<'_, '_>, node: Node<'_>, source: &str, names: &[String]) -> bool {
    let name = node_text(node, source);
    let mut last: Option<Node<'_>> = None;
    let mut seen = 0;
    any_node(enclosing_function(at, node), |n| {
        seen += 1;
        let value = match n.kind_name() {
            "assignment_expression" => n
                .field("left")
                .filter(|l| node_text(*l, source) == name)
                .and_then(|_| n.field("right")),
            "variable_declarator" => n
                .field("name")
                .filter(|l| node_text(*l, source) == name)
                .and_then(|_| n.field("value")),
            _ => None,
        };
        if let Some(value) = value
            && value.end_byte() <= node.start_byte()
            && last.is_none_or(|l| value.start_byte() > l.start_byte())
        {
            last = Some(value);
        }
        false
    });
    if seen >= MAX_VISITED {
        return false;
    }
    last.is_some_and(|value| {
        let text = node_text(value, source);
        names.iter().any(|callee| {
            text.match_indices(callee.as_str()).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + callee.len()..].trim_start().starts_with('(');
                after && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
            })
        })
    })
}

/// Calls that enumerate an object's keys; a loop over their result iterates keys.
const KEY_LISTS: &[&str] = &["keys(", "entries(", "getOwnPropertyNames(", "ownKeys("];

fn lists_keys(text: &str) -> bool {
    KEY_LISTS.iter().any(|k| text.contains(k))
}

/// Whether the identifier `node` is a key taken from enumerating an object: the variable of a
/// `for...in`, of a `for...of` over `Object.keys/entries(...)`, a parameter of a callback given
/// to `Object.keys(o).forEach(...)` and friends, or `const key = keys[i]` in a function that
/// lists keys.
pub fn iterated_key(at: &Located<'_, '_>, node: Node<'_>, source: &str) -> bool {
    if node.kind_name() != "identifier" {
        return false;
    }
    let name = node_text(node, source);
    let chain = at.ancestors_of(node);
    for (i, a) in chain.iter().enumerate().rev() {
        match a.kind_name() {
            "for_in_statement" => {
                let binds = a.field("left").is_some_and(|l| binds_name(l, name, source));
                if !binds {
                    continue;
                }
                let is_in = a.field("operator").is_some_and(|o| o.kind_name() == "in");
                let over_keys = a
                    .field("right")
                    .is_some_and(|r| lists_keys(node_text(r, source)));
                return is_in || over_keys;
            }
            kind if FUNCTION_KINDS.contains(&kind) => {
                let is_param = a
                    .field("parameters")
                    .or_else(|| a.field("parameter"))
                    .is_some_and(|p| binds_name(p, name, source));
                if is_param {
                    // function -> arguments -> call_expression
                    let call = i.checked_sub(2).and_then(|j| chain.get(j));
                    return call.is_some_and(|c| {
                        c.kind_name() == "call_expression"
                            && c.field("function").is_some_and(|f| {
                                f.kind_name() == "member_expression"
                                    && lists_keys(node_text(f, source))
                            })
                    });
                }
                // `var key = keys[i]` inside this function.
                return lists_keys(node_text(*a, source))
                    && declares_from_subscript(*a, name, source);
            }
            _ => {}
        }
    }
    false
}

/// Whether a binding pattern (a parameter list, `const [k, v]`, `k`) introduces `name`.
fn binds_name(pattern: Node<'_>, name: &str, source: &str) -> bool {
    let mut stack = vec![pattern];
    let mut visited = 0;
    while let Some(n) = stack.pop() {
        visited += 1;
        if visited > MAX_VISITED {
            return false;
        }
        match n.kind_name() {
            "identifier" | "shorthand_property_identifier_pattern"
                if node_text(n, source) == name =>
            {
                return true;
            }
            "formal_parameters"
            | "required_parameter"
            | "optional_parameter"
            | "array_pattern"
            | "object_pattern"
            | "rest_pattern"
            | "pair_pattern"
            | "assignment_pattern"
            | "object_assignment_pattern"
            | "lexical_declaration"
            | "variable_declaration"
            | "variable_declarator" => {
                let mut cursor = n.walk();
                for child in n.named_children(&mut cursor) {
                    stack.push(child);
                }
            }
            _ => {}
        }
    }
    false
}

/// `var name = list[i]` somewhere in `func` (not in nested functions).
fn declares_from_subscript(func: Node<'_>, name: &str, source: &str) -> bool {
    // The declarator or assignment spells its target: only the nodes around the name's
    // occurrences are walked, not into nested functions.
    let hot = occurrences(func, name, source);
    let mut found = false;
    crate::anchor::walk_sparse_pruned(func, &hot, is_function, &mut |n, _| {
        if found {
            return;
        }
        let (target, value) = match n.kind_name() {
            "variable_declarator" => (n.field("name"), n.field("value")),
            "assignment_expression" => (n.field("left"), n.field("right")),
            _ => return,
        };
        found = matches!((target, value), (Some(t), Some(v))
            if node_text(t, source) == name && v.kind_name() == "subscript_expression");
    });
    found
}

/// Whether the innermost named function around `node` calls itself with an argument that
/// indexes by `node`'s text (`merge(target[key] || {}, source[key])`), or with a local copy of
/// such a value (`src = target[key]; ... merge(src, val)`, the jQuery `extend` shape): a merge
/// that descends into the value under an enumerated key, as opposed to a shallow copy in a
/// function that happens to recurse for another reason. A function assigned in a chain
/// (`var extend = module.exports = function () {}`) goes by each of the names.
pub fn in_recursive_function(at: &Located<'_, '_>, node: Node<'_>, source: &str) -> bool {
    let chain = at.ancestors_of(node);
    // Anonymous callbacks (`Object.keys(o).forEach((k) => ...)`) belong to the named function
    // around them.
    let named = chain
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, a)| is_function(**a))
        .find_map(|(index, func)| {
            let names = function_names(&chain, index, *func, source);
            (!names.is_empty()).then_some((*func, names))
        });
    let Some((func, mut names)) = named else {
        return false;
    };
    // A call of itself names itself in its body: a text search rules most functions out
    // before any walk.
    let body = func.field("body").map_or("", |b| node_text(b, source));
    names.retain(|name| body.contains(name));
    if names.is_empty() {
        return false;
    }
    let key = node_text(node, source);
    let copies = local_copies(func, key, source);
    let index = format!("[{key}]");
    names
        .iter()
        .any(|name| calls_itself(func, name, &index, &copies, source))
}

/// The names `func` goes by: [`function_name`], and for a chain of assignments
/// (`var a = exports.b = function () {}`) the outer targets too.
fn function_names<'s>(
    chain: &[Node<'_>],
    index: usize,
    func: Node<'_>,
    source: &'s str,
) -> Vec<&'s str> {
    let mut names: Vec<&'s str> = function_name(chain, index, func, source)
        .into_iter()
        .collect();
    let mut up = index;
    while let Some(parent) = up.checked_sub(1).and_then(|j| chain.get(j)) {
        if parent.kind_name() != "assignment_expression" {
            break;
        }
        let Some(outer) = up.checked_sub(2).and_then(|j| chain.get(j)) else {
            break;
        };
        if let Some(t) = binding_target(*outer) {
            names.push(node_text(t, source));
        }
        up -= 1;
    }
    names.retain(|n| !n.is_empty());
    names
}

/// Names assigned a value indexed by `key` in `func` (`src = target[key]`, `var copy =
/// options[ key ]`).
fn local_copies<'s>(func: Node<'_>, key: &str, source: &'s str) -> Vec<&'s str> {
    let mut out = Vec::new();
    // A copy's subscript spells the key: only the nodes around its occurrences are walked.
    let hot = occurrences(func, key, source);
    crate::anchor::walk_sparse(func, &hot, &mut |n, _| {
        let (target, value) = match n.kind_name() {
            "variable_declarator" => (n.field("name"), n.field("value")),
            "assignment_expression" => (n.field("left"), n.field("right")),
            _ => (None, None),
        };
        if let (Some(t), Some(v)) = (target, value)
            && t.kind_name() == "identifier"
            && v.kind_name() == "subscript_expression"
            && v.field("index")
                .is_some_and(|i| node_text(i, source) == key)
        {
            out.push(node_text(t, source));
        }
    });
    out
}

/// The offsets in the source of every occurrence of `text` inside `node`.
fn occurrences(node: Node<'_>, text: &str, source: &str) -> Vec<usize> {
    if text.is_empty() {
        return Vec::new();
    }
    let start = node.start_byte();
    memchr::memmem::find_iter(node_text(node, source).as_bytes(), text.as_bytes())
        .map(|at| start + at)
        .collect()
}

/// The name a function goes by: its own, or the variable, property or member it is assigned to.
fn function_name<'s>(
    chain: &[Node<'_>],
    index: usize,
    func: Node<'_>,
    source: &'s str,
) -> Option<&'s str> {
    let own_name = func.field("name").map(|n| node_text(n, source));
    let name = own_name.or_else(|| {
        // `const merge = function (...) {}`, `merge: (...) => {}`, `exports.merge = ...`
        let parent = index.checked_sub(1).and_then(|j| chain.get(j))?;
        Some(node_text(binding_target(*parent)?, source))
    });
    name.filter(|n| !n.is_empty())
}

/// What a declarator, pair or assignment binds its value to: the variable, the key, or the
/// assigned member's property (`exports.merge = ...` -> `merge`).
fn binding_target(parent: Node<'_>) -> Option<Node<'_>> {
    match parent.kind_name() {
        "variable_declarator" => parent.field("name"),
        "pair" => parent.field("key"),
        "assignment_expression" => parent.field("left").map(|l| {
            if l.kind_name() == "member_expression" {
                l.field("property").unwrap_or(l)
            } else {
                l
            }
        }),
        _ => None,
    }
}

/// The name a call expression calls: `f(...)` -> `f`, `a.b.f(...)` -> `f`; `None` for other
/// nodes.
fn called_name<'s>(call: Node<'_>, source: &'s str) -> Option<&'s str> {
    if call.kind_name() != "call_expression" {
        return None;
    }
    let callee = call.field("function")?;
    Some(match callee.kind_name() {
        "member_expression" => callee
            .field("property")
            .map(|p| node_text(p, source))
            .unwrap_or(""),
        _ => node_text(callee, source),
    })
}

/// Whether `func`'s body calls `name` (directly or as a method) with `index` in its arguments,
/// or with one of `copies` as an argument.
fn calls_itself(func: Node<'_>, name: &str, index: &str, copies: &[&str], source: &str) -> bool {
    let Some(body) = func.field("body") else {
        return false;
    };
    // A call of `name` spells it: only the nodes around its occurrences are walked.
    let hot = occurrences(body, name, source);
    let mut found = false;
    crate::anchor::walk_sparse(body, &hot, &mut |n, _| {
        if found {
            return;
        }
        if let Some(called) = called_name(n, source) {
            let descends = n.field("arguments").is_some_and(|a| {
                let mut cursor = a.walk();
                node_text(a, source).contains(index)
                    || a.named_children(&mut cursor)
                        .any(|arg| copies.contains(&node_text(arg, source)))
            });
            found = called == name && descends;
        }
    });
    found
}

/// Visits the named nodes under `start` depth first (at most [`MAX_VISITED`]); `visit` returns
/// `true` to stop.
pub(crate) fn any_node<'t>(start: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) -> bool {
    let mut stack = vec![start];
    let mut visited = 0;
    while let Some(n) = stack.pop() {
        visited += 1;
        if visited > MAX_VISITED {
            return false;
        }
        if visit(n) {
            return true;
        }
        let mut cursor = n.walk();
        for child in n.named_children(&mut cursor) {
            stack.push(child);
        }
    }
    false
}

/// A string literal, a template without substitutions, or a `+` of those.
fn is_string_constant(node: Node<'_>, source: &str) -> bool {
    matches!(
        node.kind_name(),
        "string" | "template_string" | "binary_expression"
    ) && crate::literal::is_literal(node, source)
}

/// Whether `node` holds a string written in the source: a string literal, or a name bound in
/// the file to one (`const SECRET = '...'` then `SECRET` or `{ secret }` with `const secret =
/// '...'`), or a property of an object literal bound to a name (`const config = { secret:
/// '...' }` then `config.secret`). A name assigned again anywhere in the file is not constant.
pub fn constant_string(at: &Located<'_, '_>, node: Node<'_>, source: &str) -> bool {
    match node.kind_name() {
        "string" | "template_string" | "binary_expression" => is_string_constant(node, source),
        "identifier" | "shorthand_property_identifier" => {
            let name = node_text(node, source);
            let mut bound = false;
            let reassigned = any_node(at.root, |n| match n.kind_name() {
                "variable_declarator" => {
                    if n.field("name")
                        .is_some_and(|t| node_text(t, source) == name)
                    {
                        bound = n
                            .field("value")
                            .is_some_and(|v| is_string_constant(v, source));
                        return !bound;
                    }
                    false
                }
                "assignment_expression" | "augmented_assignment_expression" => n
                    .field("left")
                    .is_some_and(|l| node_text(l, source) == name),
                _ => false,
            });
            bound && !reassigned
        }
        "member_expression" => {
            let (Some(object), Some(property)) = (node.field("object"), node.field("property"))
            else {
                return false;
            };
            if object.kind_name() != "identifier" {
                return false;
            }
            let (object, property) = (node_text(object, source), node_text(property, source));
            any_node(at.root, |n| {
                n.kind_name() == "variable_declarator"
                    && n.field("name")
                        .is_some_and(|t| node_text(t, source) == object)
                    && n.field("value").is_some_and(|v| {
                        let mut cursor = v.walk();
                        v.kind_name() == "object"
                            && v.named_children(&mut cursor).any(|pair| {
                                pair.kind_name() == "pair"
                                    && pair.field("key").is_some_and(|k| {
                                        node_text(k, source).trim_matches(['\'', '"']) == property
                                    })
                                    && pair
                                        .field("value")
                                        .is_some_and(|v| is_string_constant(v, source))
                            })
                    })
            })
        }
        _ => false,
    }
}

/// The arguments that callers in the file pass for the parameter that `node` (an expression
/// inside a named function) mentions: for `function readIt(p) { fs.readFileSync(p) }` and
/// `readIt(path.join(root, name))`, the `path.join(...)` call. A helper one call away from
/// where the request is read; empty when `node` mentions no parameter of its function. `calls`
/// is the file's index of names followed by `(` ([`crate::taint::FileTaint::call_index`]).
pub fn caller_arguments<'t>(
    at: &Located<'_, 't>,
    node: Node<'t>,
    source: &str,
    calls: &crate::taint::CallIndex<'_>,
) -> Vec<Node<'t>> {
    let chain = at.ancestors_of(node);
    let Some((index, func)) = chain
        .iter()
        .enumerate()
        .rev()
        .find(|(_, a)| is_function(**a))
    else {
        return Vec::new();
    };
    let names = function_names(&chain, index, *func, source);
    let Some(params) = func.field("parameters") else {
        return Vec::new();
    };
    let text = node_text(node, source);
    let mut cursor = params.walk();
    let position = params.named_children(&mut cursor).position(|p| {
        let p = crate::taint::parameter_pattern(p);
        p.kind_name() == "identifier" && crate::anchor::contains_word(text, node_text(p, source))
    });
    let Some(position) = position else {
        return Vec::new();
    };
    // The calls are found from the file's index of names followed by `(`, not by walking it.
    let mut out = Vec::new();
    for name in names.iter().filter(|n| !n.is_empty()) {
        for &start in calls.get(name).map_or(&[][..], Vec::as_slice) {
            let end = start + name.len();
            let Some(call) = at
                .root
                .descendant_for_byte_range(start, end)
                .and_then(|n| n.parent())
                .and_then(|p| {
                    if p.kind_name() == "call_expression" {
                        Some(p)
                    } else {
                        p.parent().filter(|c| c.kind_name() == "call_expression")
                    }
                })
            else {
                continue;
            };
            if called_name(call, source).is_some_and(|c| c == *name)
                && call.field("function").is_some_and(|f| f.end_byte() == end)
                && let Some(arg) = call
                    .field("arguments")
                    .and_then(|a| a.named_child(position))
            {
                out.push(arg);
            }
        }
    }
    out.sort_by_key(|n| n.start_byte());
    out.dedup_by_key(|n| n.id());
    out
}

/// Whether a string or template literal in `node`, or in a step of its taint path, contains
/// HTML markup (`<` followed by a letter, `/` or `!`).
pub fn html_in_flow(at: &Located<'_, '_>, node: Node<'_>, flow: &[Step], source: &str) -> bool {
    let mut starts = vec![node];
    for step in flow {
        if let Some(n) = at.root.descendant_for_byte_range(step.start, step.end) {
            starts.push(n);
        }
    }
    let mut visited = 0;
    for start in starts {
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            visited += 1;
            if visited > MAX_VISITED {
                return false;
            }
            if n.kind_name() == "string_fragment" && has_markup(node_text(n, source)) {
                return true;
            }
            if n.kind_name() == "template_string" && has_markup(node_text(n, source)) {
                // The raw template text; substitutions hold code, but `<tag` in code is rare.
                return true;
            }
            let mut cursor = n.walk();
            for child in n.named_children(&mut cursor) {
                stack.push(child);
            }
        }
    }
    false
}

fn has_markup(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(2).any(|w| {
        w.first() == Some(&b'<')
            && w.get(1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/' || *c == b'!')
    })
}
