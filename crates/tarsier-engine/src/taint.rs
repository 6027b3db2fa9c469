//! Intra-procedural request-data taint: the `#request-derived?` query predicate.
//!
//! Sources, request names and sanitizers come from the rule pack's `taint.toml` (see
//! [`tarsier_rules::TaintSpec`]). Within each function, local variables assigned (or destructured)
//! from request data are tainted, to a fixpoint; closures see their outer functions' taint. An
//! expression is request-derived when any part of it that flows into its value reads a source or
//! a tainted variable, except under a sanitizer call or in the guarded branch of an allow-list
//! check (`allowed.has(x) ? x : fallback`). Every walk is iterative, so hostile nesting cannot
//! overflow the stack.

use crate::literal::node_text;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use tarsier_rules::TaintSpec;
use tree_sitter::Node;

/// One step of a taint path, as byte offsets into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Start byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// What happens at this step.
    pub message: String,
}

/// The taint model compiled for fast lookups.
#[derive(Debug, Clone)]
pub struct TaintModel {
    request_names: HashSet<String>,
    response_names: HashSet<String>,
    properties: HashSet<String>,
    methods: HashSet<String>,
    sanitizers: HashSet<String>,
}

impl TaintModel {
    /// Compiles a [`TaintSpec`].
    pub fn new(spec: &TaintSpec) -> Self {
        let set = |v: &Vec<String>| v.iter().cloned().collect::<HashSet<_>>();
        TaintModel {
            request_names: set(&spec.request_names),
            response_names: set(&spec.response_names),
            properties: set(&spec.request_properties),
            methods: set(&spec.request_methods),
            sanitizers: set(&spec.sanitizers),
        }
    }
}

/// What one function scope knows: which names are request objects and which hold request data.
#[derive(Debug, Default)]
struct Scope {
    requests: HashSet<String>,
    tainted: HashMap<String, Vec<Step>>,
}

/// Per-file taint state; scopes are computed lazily and cached, so files in which no rule asks
/// about taint pay nothing.
pub struct FileTaint<'a> {
    model: &'a TaintModel,
    root: Node<'a>,
    source: &'a str,
    scopes: RefCell<HashMap<usize, Rc<Scope>>>,
}

const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
];

fn is_function(node: Node<'_>) -> bool {
    FUNCTION_KINDS.contains(&node.kind())
}

impl<'a> FileTaint<'a> {
    /// Starts taint analysis of one file.
    pub fn new(model: &'a TaintModel, source: &'a str, root: Node<'a>) -> Self {
        FileTaint {
            model,
            root,
            source,
            scopes: RefCell::new(HashMap::new()),
        }
    }

    /// If `expr` carries request data, the path from the source to `expr`.
    pub fn request_derived(
        &self,
        expr: Node<'_>,
        extra_sanitizers: &[String],
    ) -> Option<Vec<Step>> {
        let scope = self.scope_at(expr);
        self.derived(expr, &scope, extra_sanitizers)
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        node_text(node, self.source)
    }

    /// The scope of the innermost function around `node` (or of the program).
    fn scope_at(&self, node: Node<'_>) -> Rc<Scope> {
        // The root, then function ancestors, outermost first. Walking down from the root is
        // linear in the depth; `Node::parent` is not (it walks down from the root itself).
        let root = self.root;
        let mut chain = vec![root];
        let mut current = root;
        while current.id() != node.id() {
            let Some(child) = current.child_with_descendant(node) else {
                break;
            };
            if child.id() == node.id() {
                break;
            }
            if is_function(child) {
                chain.push(child);
            }
            current = child;
        }
        // Compute from the outermost inwards, reusing cached scopes.
        let mut outer: Option<Rc<Scope>> = None;
        for func in chain {
            let cached = self.scopes.borrow().get(&func.id()).cloned();
            let scope = match cached {
                Some(s) => s,
                None => {
                    let s = Rc::new(self.compute_scope(func, outer.as_deref()));
                    self.scopes.borrow_mut().insert(func.id(), Rc::clone(&s));
                    s
                }
            };
            outer = Some(scope);
        }
        outer.unwrap_or_default()
    }

    fn compute_scope(&self, func: Node<'_>, outer: Option<&Scope>) -> Scope {
        let mut scope = Scope::default();
        if let Some(outer) = outer {
            scope.requests.extend(outer.requests.iter().cloned());
            scope
                .tainted
                .extend(outer.tainted.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        scope
            .requests
            .extend(self.model.request_names.iter().cloned());
        self.bind_handler_params(func, &mut scope);

        // Collect (target, value) pairs in this function, not in nested ones.
        let mut pairs: Vec<(Node<'_>, Node<'_>, Node<'_>)> = Vec::new();
        let body = if is_function(func) {
            func.child_by_field_name("body")
        } else {
            Some(func)
        };
        if let Some(body) = body {
            let mut stack = vec![body];
            while let Some(n) = stack.pop() {
                match n.kind() {
                    "variable_declarator" => {
                        if let (Some(t), Some(v)) = (
                            n.child_by_field_name("name"),
                            n.child_by_field_name("value"),
                        ) {
                            pairs.push((t, v, n));
                        }
                    }
                    "assignment_expression" | "augmented_assignment_expression" => {
                        if let (Some(t), Some(v)) = (
                            n.child_by_field_name("left"),
                            n.child_by_field_name("right"),
                        ) {
                            pairs.push((t, v, n));
                        }
                    }
                    "for_in_statement" => {
                        if let (Some(t), Some(v)) = (
                            n.child_by_field_name("left"),
                            n.child_by_field_name("right"),
                        ) {
                            pairs.push((t, v, n));
                        }
                    }
                    _ => {}
                }
                let mut cursor = n.walk();
                for child in n.named_children(&mut cursor) {
                    if !is_function(child) {
                        stack.push(child);
                    }
                }
            }
        }
        // Source order, so paths read naturally; then iterate to a fixpoint.
        pairs.sort_by_key(|(_, _, n)| n.start_byte());
        for _round in 0..8 {
            let before = (scope.requests.len(), scope.tainted.len());
            for &(target, value, at) in &pairs {
                self.bind(target, value, at, &mut scope);
            }
            if (scope.requests.len(), scope.tainted.len()) == before {
                break;
            }
        }
        scope
    }

    /// `(req, res) => ...`: the first parameter of a function whose second is a response.
    fn bind_handler_params(&self, func: Node<'_>, scope: &mut Scope) {
        if !is_function(func) {
            return;
        }
        let Some(params) = func.child_by_field_name("parameters") else {
            return;
        };
        let mut cursor = params.walk();
        let list: Vec<Node<'_>> = params.named_children(&mut cursor).collect();
        let (Some(&first), Some(&second)) = (list.first(), list.get(1)) else {
            return;
        };
        let second_name = match second.kind() {
            "identifier" => self.text(second),
            "assignment_pattern" => second
                .child_by_field_name("left")
                .map(|l| self.text(l))
                .unwrap_or(""),
            _ => "",
        };
        if !self.model.response_names.contains(second_name) {
            return;
        }
        match first.kind() {
            "identifier" => {
                scope.requests.insert(self.text(first).to_string());
            }
            "object_pattern" => self.destructure_request(first, first, scope),
            _ => {}
        }
    }

    /// Binds `target = value` if `value` is request data or a request object.
    fn bind(&self, target: Node<'_>, value: Node<'_>, at: Node<'_>, scope: &mut Scope) {
        let value = unparenthesize(value);
        if value.kind() == "identifier" && scope.requests.contains(self.text(value)) {
            match target.kind() {
                "identifier" => {
                    scope.requests.insert(self.text(target).to_string());
                }
                "object_pattern" => self.destructure_request(target, at, scope),
                _ => {}
            }
            return;
        }
        let Some(mut path) = self.derived(value, scope, &[]) else {
            return;
        };
        for name in pattern_names(target, self.source) {
            if scope.tainted.contains_key(name) {
                continue;
            }
            let mut steps = path.clone();
            steps.push(Step {
                start: at.start_byte(),
                end: at.end_byte(),
                message: format!("request data assigned to `{name}`"),
            });
            scope.tainted.insert(name.to_string(), steps);
        }
        path.clear();
    }

    /// `const { query, body: { url } } = req`: names bound from request properties are tainted.
    fn destructure_request(&self, pattern: Node<'_>, at: Node<'_>, scope: &mut Scope) {
        let mut cursor = pattern.walk();
        for prop in pattern.named_children(&mut cursor) {
            let (key, value) = match prop.kind() {
                "shorthand_property_identifier_pattern" => (self.text(prop), Some(prop)),
                "pair_pattern" => (
                    prop.child_by_field_name("key")
                        .map(|k| self.text(k))
                        .unwrap_or(""),
                    prop.child_by_field_name("value"),
                ),
                "object_assignment_pattern" => (
                    prop.child_by_field_name("left")
                        .map(|k| self.text(k))
                        .unwrap_or(""),
                    prop.child_by_field_name("left"),
                ),
                _ => continue,
            };
            if !self.model.properties.contains(key) {
                continue;
            }
            let Some(value) = value else { continue };
            for name in pattern_names(value, self.source) {
                scope.tainted.insert(
                    name.to_string(),
                    vec![Step {
                        start: at.start_byte(),
                        end: at.end_byte(),
                        message: format!("request `{key}` destructured into `{name}`"),
                    }],
                );
            }
        }
    }

    /// The taint path of `expr`, if any part of its value is request data.
    fn derived(&self, expr: Node<'_>, scope: &Scope, extra: &[String]) -> Option<Vec<Step>> {
        let mut stack = vec![expr];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "identifier" | "shorthand_property_identifier" => {
                    if let Some(path) = scope.tainted.get(self.text(n)) {
                        return Some(path.clone());
                    }
                    continue;
                }
                "member_expression" | "subscript_expression"
                    if self.is_request_source(n, scope) =>
                {
                    return Some(vec![Step {
                        start: n.start_byte(),
                        end: n.end_byte(),
                        message: format!("request data `{}`", short(self.text(n))),
                    }]);
                }
                "call_expression" => {
                    if let Some(callee) = n.child_by_field_name("function") {
                        let name = last_name(callee, self.source);
                        if self.model.sanitizers.contains(name) || extra.iter().any(|s| s == name) {
                            continue;
                        }
                        if callee.kind() == "member_expression" && self.model.methods.contains(name)
                        {
                            let object = callee.child_by_field_name("object");
                            if object.is_some_and(|o| {
                                o.kind() == "identifier" && scope.requests.contains(self.text(o))
                            }) {
                                return Some(vec![Step {
                                    start: n.start_byte(),
                                    end: n.end_byte(),
                                    message: format!("request data `{}`", short(self.text(n))),
                                }]);
                            }
                        }
                    }
                }
                "ternary_expression" => {
                    // The condition's value does not flow into the result; the consequence is
                    // safe when the condition is an allow-list check.
                    let guarded = n
                        .child_by_field_name("condition")
                        .is_some_and(|c| is_allow_list_check(c, self.source));
                    if let Some(c) = n.child_by_field_name("consequence").filter(|_| !guarded) {
                        stack.push(c);
                    }
                    if let Some(a) = n.child_by_field_name("alternative") {
                        stack.push(a);
                    }
                    continue;
                }
                "binary_expression" => {
                    let op = n
                        .child_by_field_name("operator")
                        .map(|o| o.kind())
                        .unwrap_or("");
                    // Comparisons yield booleans, not the request's text.
                    if matches!(
                        op,
                        "==" | "===" | "!=" | "!==" | "<" | ">" | "<=" | ">=" | "instanceof" | "in"
                    ) {
                        continue;
                    }
                }
                "unary_expression" => {
                    let op = n
                        .child_by_field_name("operator")
                        .map(|o| o.kind())
                        .unwrap_or("");
                    if matches!(op, "!" | "typeof" | "void" | "delete" | "+" | "-" | "~") {
                        continue;
                    }
                }
                k if FUNCTION_KINDS.contains(&k) => continue,
                _ => {}
            }
            let mut cursor = n.walk();
            for child in n.named_children(&mut cursor) {
                // A member's property name is not a variable reference.
                if child.kind() == "property_identifier" {
                    continue;
                }
                stack.push(child);
            }
        }
        None
    }

    /// `req.query...`, `req.headers['x']`, `req['body']`: a member chain whose root is a request
    /// object and whose first property is a request source.
    fn is_request_source(&self, node: Node<'_>, scope: &Scope) -> bool {
        let mut current = node;
        loop {
            let Some(object) = current.child_by_field_name("object") else {
                return false;
            };
            let object = unparenthesize(object);
            if object.kind() == "identifier" {
                if !scope.requests.contains(self.text(object)) {
                    return false;
                }
                let property = match current.kind() {
                    "member_expression" => current
                        .child_by_field_name("property")
                        .map(|p| self.text(p))
                        .unwrap_or(""),
                    _ => current
                        .child_by_field_name("index")
                        .map(|i| {
                            self.text(i)
                                .trim_matches(|c| c == '\'' || c == '"' || c == '`')
                        })
                        .unwrap_or(""),
                };
                return self.model.properties.contains(property);
            }
            if !matches!(object.kind(), "member_expression" | "subscript_expression") {
                return false;
            }
            current = object;
        }
    }
}

fn unparenthesize(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// `a.b.c(...)` -> `c`; `f(...)` -> `f`.
fn last_name<'s>(callee: Node<'_>, source: &'s str) -> &'s str {
    match callee.kind() {
        "member_expression" => callee
            .child_by_field_name("property")
            .map(|p| node_text(p, source))
            .unwrap_or(""),
        _ => node_text(callee, source),
    }
}

/// `allowed.has(x)`, `list.includes(x)`, `x === 'a'`, `/^[a-z]+$/.test(x)`: conditions that only
/// let known values through.
fn is_allow_list_check(condition: Node<'_>, source: &str) -> bool {
    let condition = unparenthesize(condition);
    match condition.kind() {
        "call_expression" => condition.child_by_field_name("function").is_some_and(|f| {
            f.kind() == "member_expression"
                && matches!(last_name(f, source), "has" | "includes" | "test")
        }),
        "binary_expression" => condition
            .child_by_field_name("operator")
            .is_some_and(|o| matches!(o.kind(), "===" | "==")),
        _ => false,
    }
}

/// The identifiers a binding pattern introduces (`a`, `{ a, b: c }`, `[a, ...rest]`).
fn pattern_names<'s>(pattern: Node<'_>, source: &'s str) -> Vec<&'s str> {
    let mut names = Vec::new();
    let mut stack = vec![pattern];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                names.push(node_text(n, source))
            }
            "pair_pattern" => {
                if let Some(v) = n.child_by_field_name("value") {
                    stack.push(v);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(l) = n.child_by_field_name("left") {
                    stack.push(l);
                }
            }
            "object_pattern" | "array_pattern" | "rest_pattern" => {
                let mut cursor = n.walk();
                for child in n.named_children(&mut cursor) {
                    stack.push(child);
                }
            }
            _ => {}
        }
    }
    names
}

fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}
