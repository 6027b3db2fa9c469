//! Request-data taint: the `#request-derived?` query predicate.
//!
//! Beyond one function: a local function's parameters receive what its call sites in the file
//! pass (a plain function's `name(...)`, a method's `this.name(...)`; `MAX_CALL_DEPTH` (3) levels),
//! promise and array callbacks their receiver's data, and the models of `rules/models/`
//! ([`crate::models`]) name further sources (a package's own modelled exports' parameters,
//! modelled callbacks, listeners and return values), summaries, and sanitizers by sink kind
//! (a rule's [`taint_key`] carries its kinds). For the rules that opt in, the parameters of the
//! exported functions of a package's entry points are library inputs ([`Origin::LibraryInput`]).
//!
//! Sources, request names and sanitizers come from the rule pack's `taint.toml` (see
//! [`tarsier_rules::TaintSpec`]). Sources are `req.<property>`, `req.<method>(...)`, the same on
//! `this.req` (middleware objects that keep the request in a field), and calls that are given the
//! whole request (`parseurl(req)`). Scopes are computed per rule sanitizer set, so
//! `const safe = escapeHtml(x)` is clean for the rule that trusts `escapeHtml` and tainted for the
//! others. Arithmetic, comparisons, `.length` and content negotiation among literal choices
//! (`accepts(req).type(['html', 'json'])`) yield values that are not request text. Within each function, local variables assigned (or destructured)
//! from request data are tainted, to a fixpoint; closures see their outer functions' taint. An
//! expression is request-derived when any part of it that flows into its value reads a source or
//! a tainted variable, except under a sanitizer call or in the guarded branch of an allow-list
//! check (`allowed.has(x) ? x : fallback`). Statement-level guards stop it too, from the end of
//! the guard on: `if (!allowed.has(x)) return;` (an allow-list, safe for every rule),
//! `if (!isValid(x)) return;` (a sanitizer call written as a check) and
//! `if (!p.startsWith(root)) return;` (a containment check, also spelled `p.indexOf(root) !== 0`
//! or `(p + sep).substr(0, n) !== root`, which counts only when `p` holds the result of a path
//! normaliser such as `path.resolve`). `replace` with a pattern that deletes
//! everything outside a character class (`/[^a-z0-9]/g`) is an allow-list too; other string
//! methods, array literals and `join` propagate. Every walk is iterative, so hostile nesting
//! cannot overflow the stack.

use crate::crossfile::PassedIn;
use crate::exports::Exported;
use crate::literal::node_text;
use crate::models::{Imports, ModelIndex};
use std::cell::RefCell;
use std::rc::Rc;
use tarsier_model::{FlowStep, FnvHashMap, FnvHashSet};
use tarsier_parse::NodeExt;
use tarsier_rules::TaintSpec;
use tarsier_rules::models::AccessStep;
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
    /// A step in another file of the package (a caller that passed the data to this file's
    /// exported function): `start` and `end` are then where it enters this file.
    pub elsewhere: Option<Rc<FlowStep>>,
}

/// The taint model compiled for fast lookups.
#[derive(Debug, Clone)]
pub struct TaintModel {
    request_names: FnvHashSet<String>,
    response_names: FnvHashSet<String>,
    properties: FnvHashSet<String>,
    methods: FnvHashSet<String>,
    sanitizers: FnvHashSet<String>,
    normalizers: FnvHashSet<String>,
    containment: FnvHashSet<String>,
    negotiators: FnvHashSet<String>,
    models: ModelIndex,
}

/// Where the data of a taint path comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Data from the network: the request, or what a model says carries request data.
    Request,
    /// A parameter of a package's exported function that no model names: input from the
    /// calling application, which the Express threat model trusts (a lower-precision source).
    LibraryInput,
}

/// The key under which a rule asks about taint: its extra sanitizers, the sink kinds it guards
/// (`\0sink:html-text`, so that model sanitizers apply to it by kind) and whether library
/// inputs count (`\0library`). Pass it where the `extra_sanitizers` of
/// [`FileTaint::request_derived`] go: the markers never equal a callee name.
pub fn taint_key(
    sanitizers: &[String],
    sink_kinds: &[String],
    library_inputs: bool,
) -> Vec<String> {
    let mut key = sanitizers.to_vec();
    key.extend(sink_kinds.iter().map(|k| format!("{SINK_MARK}{k}")));
    if library_inputs {
        key.push(LIBRARY_MARK.to_string());
    }
    key
}

const SINK_MARK: &str = "\0sink:";
const LIBRARY_MARK: &str = "\0library";

/// The sorted offsets (from `base`, where `text` starts) of every `=` that may assign and of
/// the words `if` and `for` in `text`: each assignment, declarator with a value, guard and
/// `for ... in` contains one (the text search is much cheaper than a walk of every node). The
/// `=` of `==`, `===`, `!=`, `!==`, `<=`, `>=` and `=>` assigns nothing.
fn fact_offsets(text: &str, base: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let at = |i: Option<usize>| i.and_then(|i| bytes.get(i)).copied();
    let assigns = |i: usize| {
        let before = at(i.checked_sub(1));
        let compares = match before {
            Some(b'=' | b'!') => true,
            // `<=` and `>=` compare; `<<=`, `>>=` and `>>>=` assign.
            Some(b'<' | b'>') => !matches!(at(i.checked_sub(2)), Some(b'<' | b'>')),
            _ => false,
        };
        !compares && !matches!(at(Some(i + 1)), Some(b'=' | b'>'))
    };
    let mut hot: Vec<usize> = memchr::memchr_iter(b'=', bytes)
        .filter(|&i| assigns(i))
        .chain(crate::anchor::word_starts(bytes, b"if"))
        .chain(crate::anchor::word_starts(bytes, b"for"))
        .map(|i| base + i)
        .collect();
    hot.sort_unstable();
    hot
}

/// Whether `expr` contains an identifier (a name a scope may know).
fn mentions_identifier(expr: Node<'_>) -> bool {
    let mut cursor = expr.walk();
    loop {
        if matches!(
            cursor.node().kind_name(),
            "identifier" | "shorthand_property_identifier"
        ) {
            return true;
        }
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                return false;
            }
            if cursor.node().id() == expr.id() {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// The key with the same sources as `key` and no sanitizer: `[LIBRARY_MARK]` for a key that
/// wants library inputs, the empty key otherwise.
fn widest_key(key: &[String]) -> &'static [String] {
    static LIBRARY: std::sync::LazyLock<[String; 1]> =
        std::sync::LazyLock::new(|| [LIBRARY_MARK.to_string()]);
    if wants_library(key) { &*LIBRARY } else { &[] }
}

fn wants_library(key: &[String]) -> bool {
    key.iter().any(|k| k == LIBRARY_MARK)
}

fn sink_kinds(key: &[String]) -> impl Iterator<Item = &str> {
    key.iter().filter_map(|k| k.strip_prefix(SINK_MARK))
}

/// The package a file belongs to, for the models of its own API and its library inputs.
#[derive(Debug, Clone, Copy)]
pub struct PackageFile<'a> {
    /// The package's name (from its `package.json`).
    pub name: &'a str,
    /// The file's path inside the package.
    pub path: &'a str,
    /// Whether the file is an entry point (`main`, `index.js`): its exports are the package's.
    pub entry: bool,
}

impl TaintModel {
    /// Compiles a [`TaintSpec`].
    pub fn new(spec: &TaintSpec) -> Self {
        let set = |v: &Vec<String>| v.iter().cloned().collect::<FnvHashSet<_>>();
        TaintModel {
            request_names: set(&spec.request_names),
            response_names: set(&spec.response_names),
            properties: set(&spec.request_properties),
            methods: set(&spec.request_methods),
            sanitizers: set(&spec.sanitizers),
            normalizers: set(&spec.path_normalizers),
            containment: set(&spec.containment_methods),
            negotiators: set(&spec.negotiators),
            models: ModelIndex::new(&spec.models),
        }
    }
}

/// What one function scope knows: which names are request objects and which hold request data.
#[derive(Debug, Default)]
struct Scope<'a> {
    /// Names (spelled in the source or the model) of request objects.
    requests: FnvHashSet<&'a str>,
    /// Names holding request data, with the path that brought it (shared with the scopes of
    /// nested functions, which start from a copy of this one).
    tainted: FnvHashMap<&'a str, Rc<Vec<Step>>>,
    /// Statement-level checks that end the function (or loop iteration) when they fail.
    guards: Vec<Guard>,
    /// Variables assigned from a path normaliser (`path.resolve(...)`).
    normalized: FnvHashSet<&'a str>,
    /// Tainted names whose data is a library input ([`Origin::LibraryInput`]), not request data.
    library: FnvHashSet<&'a str>,
}

/// `if (!check(name)) return;`: from `after` on, `name` passed the check.
#[derive(Debug, Clone)]
struct Guard {
    name: String,
    after: usize,
    /// The checking call's name (`startsWith`, `isValidPath`); `None` for an allow-list
    /// membership test, which is safe for every rule.
    method: Option<String>,
}

/// Per-file taint state; scopes are computed lazily and cached, so files in which no rule asks
/// about taint pay nothing.
pub struct FileTaint<'a> {
    model: &'a TaintModel,
    root: Node<'a>,
    source: &'a str,
    /// Keyed by the rule's extra sanitizers and function node id: a variable assigned
    /// `escapeHtml(x)` is clean for the rule that trusts `escapeHtml` and tainted for the others.
    scopes: RefCell<ScopeCache<'a>>,
    /// A node known to be an ancestor-or-self of the next nodes asked about, with its function
    /// ancestors (outermost first, the root excluded): see [`FileTaint::set_anchor`].
    anchor: RefCell<Option<(Node<'a>, Vec<Node<'a>>)>>,
    /// Per function node id: what [`FileTaint::facts`] collected.
    facts: RefCell<FnvHashMap<usize, Rc<FunctionFacts<'a>>>>,
    /// Whether the file names a request or response object at all (decided on the first
    /// question): without one nothing in it can be request data, and no scope is computed.
    names_requests: std::cell::OnceCell<bool>,
    /// The package the file belongs to, when known.
    package: Option<PackageFile<'a>>,
    /// Names bound to modelled packages (`const { parse } = require('cookie')`), found on the
    /// first question that needs them.
    imports: std::cell::OnceCell<Imports>,
    /// The file's exported functions, found on the first question that needs them.
    exports: std::cell::OnceCell<Exported>,
    /// Whether the file mentions a modelled package or exports functions that models name.
    model_sources: std::cell::OnceCell<bool>,
    /// Whether the file exports anything (for library inputs).
    exports_something: std::cell::OnceCell<bool>,
    /// Where each name is followed by `(` (a call, or a declaration), found in one pass over
    /// the text on the first call-site question.
    call_index: std::cell::OnceCell<CallIndex<'a>>,
    /// What other files of the package pass to this file's exported functions.
    incoming: &'a [PassedIn],
    /// Names bound to other files of the package (`const read = require('./read')`), found on
    /// the first question that needs them.
    relative: std::cell::OnceCell<Imports>,
    /// Functions whose scope is being computed (a call-site question may ask about another
    /// function's scope, never about one already in progress); also bounds the depth.
    in_progress: RefCell<Vec<usize>>,
}

/// How the step where a call site passes data to a local function's parameter begins.
const CALL_SITE_STEP: &str = "passed to `";

/// Whether `step` is where a call site passes data to a local function's parameter (the
/// step's span is the argument).
pub fn is_call_site_step(step: &Step) -> bool {
    step.message.starts_with(CALL_SITE_STEP)
}

/// Deepest chain of call sites followed to find what a parameter receives.
const MAX_CALL_DEPTH: usize = 3;
/// Most call sites of one function examined.
const MAX_CALL_SITES: usize = 24;

/// Function scopes by the index of the rule's key (its extra sanitizers, see
/// [`ScopeCache::key`]) and the function's node id.
#[derive(Default)]
struct ScopeCache<'a> {
    /// The keys asked with so far (a handful per file): looked up once per question, not
    /// hashed once per function of the chain, and never cloned for a new scope.
    keys: Vec<Vec<String>>,
    scopes: FnvHashMap<(usize, usize), Rc<Scope<'a>>>,
}

impl ScopeCache<'_> {
    /// The index of `key`, added if new.
    fn key(&mut self, key: &[String]) -> usize {
        match self.keys.iter().position(|k| k.as_slice() == key) {
            Some(i) => i,
            None => {
                self.keys.push(key.to_vec());
                self.keys.len() - 1
            }
        }
    }
}

/// What a function's body says whatever the rule: its (target, value, statement) assignments
/// in source order, the variables it assigns from a path normaliser, and its guards.
#[derive(Default)]
struct FunctionFacts<'a> {
    pairs: Vec<(Node<'a>, Node<'a>, Node<'a>)>,
    /// For each pair, the names its value reads (see [`ValueNames`]).
    reads: Vec<ValueNames<'a>>,
    normalized: Vec<&'a str>,
    guards: Vec<Guard>,
}

/// The names an assigned value may read, and whether it may read `this`, read from its text: a
/// superset of what [`FileTaint::derived_origin`] looks at (words in strings, comments and
/// nested functions count too; property names after a single `.` do not). A value none of
/// whose names a scope knows (as tainted, a request object or an import of a modelled
/// package), and that does not read `this`, cannot be tainted in that scope: the fixpoint
/// skips it. A function value reads nothing (its body is a scope of its own).
#[derive(Default)]
struct ValueNames<'a> {
    names: Vec<&'a str>,
    this: bool,
}

/// Values longer than this are not read for names: the fixpoint binds them every round.
const MAX_VALUE_NAMES_TEXT: usize = 4096;

impl<'a> ValueNames<'a> {
    fn of(value: Node<'_>, source: &'a str) -> Self {
        let mut reads = ValueNames::default();
        if FUNCTION_KINDS.contains(&value.kind_name()) {
            return reads;
        }
        let text = node_text(value, source);
        if text.len() > MAX_VALUE_NAMES_TEXT {
            reads.this = true;
            return reads;
        }
        let bytes = text.as_bytes();
        // A non-ASCII byte may be part of a Unicode name.
        let is_part = |b: u8| crate::anchor::is_ident_byte(b) || b >= 0x80;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if !is_part(b) {
                i += 1;
                continue;
            }
            let start = i;
            while bytes.get(i).is_some_and(|&b| is_part(b)) {
                i += 1;
            }
            // A number (`1e5`, `0xff`) names nothing; `a.b` and `a?.b` read `a`, not `b`; a
            // spread `...b` reads `b`.
            let dots = bytes[..start]
                .iter()
                .rev()
                .take_while(|&&b| b == b'.')
                .count();
            if b.is_ascii_digit() || dots == 1 {
                continue;
            }
            let Some(word) = text.get(start..i) else {
                continue;
            };
            if word == "this" {
                reads.this = true;
            } else if !reads.names.contains(&word) {
                reads.names.push(word);
            }
        }
        reads
    }

    /// Whether the value may be tainted in `scope` (with `imports` bound in the file).
    fn may_read(&self, scope: &Scope<'a>, imports: &Imports) -> bool {
        self.this
            || self.names.iter().any(|n| {
                scope.tainted.contains_key(*n)
                    || scope.requests.contains(*n)
                    || imports.binds_name(n)
            })
    }
}

/// Node kinds that start a new function scope.
pub const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
];

fn is_function(node: Node<'_>) -> bool {
    FUNCTION_KINDS.contains(&node.kind_name())
}

impl<'a> FileTaint<'a> {
    /// Starts taint analysis of one file.
    pub fn new(model: &'a TaintModel, source: &'a str, root: Node<'a>) -> Self {
        FileTaint {
            model,
            root,
            source,
            scopes: RefCell::new(ScopeCache::default()),
            facts: RefCell::new(FnvHashMap::default()),
            anchor: RefCell::new(None),
            names_requests: std::cell::OnceCell::new(),
            package: None,
            imports: std::cell::OnceCell::new(),
            exports: std::cell::OnceCell::new(),
            model_sources: std::cell::OnceCell::new(),
            exports_something: std::cell::OnceCell::new(),
            in_progress: RefCell::new(Vec::new()),
            call_index: std::cell::OnceCell::new(),
            incoming: &[],
            relative: std::cell::OnceCell::new(),
        }
    }

    /// Tells the analysis what other files of the package pass to this file's exported
    /// functions: their parameters receive it (see [`crate::crossfile`]).
    pub fn with_incoming(mut self, incoming: &'a [PassedIn]) -> Self {
        self.incoming = incoming;
        self
    }

    /// Tells the analysis which package the file belongs to: parameters of the package's
    /// exported functions that a model names become request data, and (for the rules that opt
    /// in) the other exported functions' parameters library inputs.
    pub fn with_package(mut self, package: PackageFile<'a>) -> Self {
        self.package = Some(package);
        self
    }

    /// Like [`FileTaint::request_derived`], with where the data comes from; `key` is a
    /// [`taint_key`].
    pub fn derived_with_origin(
        &self,
        expr: Node<'a>,
        key: &[String],
    ) -> Option<(Vec<Step>, Origin)> {
        if !self.may_have_sources(key) {
            return None;
        }
        // Only a name can hold what the scope knows: an expression without one (a string, a
        // `this.req.url`) is decided without computing the scope.
        if !mentions_identifier(expr) {
            return self.derived_origin(expr, &Scope::default(), key);
        }
        // Sanitizers and sink kinds only take taint away: what the widest key with the same
        // sources does not see as tainted, no key does. Most questions end there, in scopes
        // that every rule shares, instead of in a scope computed for each rule's key.
        let widest = widest_key(key);
        if widest.len() != key.len() {
            let scope = self.scope_at(expr, widest);
            self.derived_origin(expr, &scope, widest)?;
        }
        let scope = self.scope_at(expr, key);
        self.derived_origin(expr, &scope, key)
    }

    /// Whether anything in the file can be a source for a rule asking with `key`.
    fn may_have_sources(&self, key: &[String]) -> bool {
        // Every request source reads a request object, and every request object is named in
        // the text: `req` (a request name), `this.req`, a handler's first parameter (next to a
        // response name), or a variable assigned from one of those.
        let names_requests = *self.names_requests.get_or_init(|| {
            let model = self.model;
            model
                .request_names
                .iter()
                .chain(&model.response_names)
                .any(|name| crate::anchor::contains_word(self.source, name))
        });
        if names_requests {
            return true;
        }
        if self
            .incoming
            .iter()
            .any(|p| p.origin == Origin::Request || wants_library(key))
        {
            return true;
        }
        let model_sources = *self.model_sources.get_or_init(|| {
            self.model.models.mentioned_in(self.source)
                || self.package.is_some_and(|p| {
                    self.model
                        .models
                        .sources_in_package(p.name)
                        .next()
                        .is_some()
                })
        });
        if model_sources {
            return true;
        }
        wants_library(key)
            && self.is_entry()
            && *self
                .exports_something
                .get_or_init(|| self.source.contains("exports") || self.source.contains("export "))
    }

    fn is_entry(&self) -> bool {
        self.package.is_none_or(|p| p.entry)
    }

    fn imports(&self) -> &Imports {
        self.imports.get_or_init(|| {
            if !self.model.models.any_mentioned_in(self.source) {
                return Imports::default();
            }
            let models = &self.model.models;
            Imports::collect(self.root, self.source, &|p| models.models_package(p))
        })
    }

    /// Whether `expr` is bound to what a model says is a sink of `kind` (see
    /// [`ModelIndex::is_sink`]).
    pub fn is_modelled_sink(&self, expr: Node<'a>, kind: &str) -> bool {
        self.binding_of(expr)
            .is_some_and(|b| self.model.models.is_sink(kind, &b.package, &b.path))
    }

    /// What `expr` is bound to through the file's `require`s and `import`s of modelled
    /// packages (`const shell = require('child_process')`, `_fs2.default`), if anything.
    pub fn binding_of(&self, expr: Node<'a>) -> Option<crate::models::Binding> {
        let imports = self.imports();
        if imports.is_empty() {
            return None;
        }
        if let Some(binding) = imports.resolve(expr, self.source) {
            return Some(binding);
        }
        // A local alias, in the function around `expr` or one around it:
        // `const run = util.promisify(cp.exec)`, `const shell = require('child_process')`.
        if expr.kind_name() != "identifier" {
            return None;
        }
        let name = self.text(expr);
        let chain = self.function_chain(expr);
        chain.iter().rev().find_map(|&func| {
            self.facts(func)
                .pairs
                .iter()
                .filter(|(target, _, _)| {
                    target.kind_name() == "identifier" && self.text(*target) == name
                })
                .find_map(|(_, value, _)| imports.resolve(*value, self.source))
        })
    }

    fn exports(&self) -> &Exported {
        self.exports
            .get_or_init(|| crate::exports::exported_functions(self.root, self.source))
    }

    /// If `expr` carries request data, the path from the source to `expr`.
    pub fn request_derived(
        &self,
        expr: Node<'a>,
        extra_sanitizers: &[String],
    ) -> Option<Vec<Step>> {
        self.derived_with_origin(expr, extra_sanitizers)
            .map(|(steps, _)| steps)
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        node_text(node, self.source)
    }

    /// Tells the analysis that the next nodes it is asked about lie in `anchor` (or are it),
    /// whose ancestors are `ancestors` (the root first). Finding a node's function scope then
    /// starts from `anchor` rather than from the root, which costs a descent through every
    /// level of the tree for each question. A node outside `anchor` is found from the root.
    pub fn set_anchor(&self, anchor: Node<'a>, ancestors: &[Node<'a>]) {
        let mut slot = self.anchor.borrow_mut();
        if slot.as_ref().is_some_and(|(a, _)| a.id() == anchor.id()) {
            return;
        }
        let functions = ancestors
            .iter()
            .skip(1)
            .copied()
            .filter(|n| is_function(*n))
            .collect();
        *slot = Some((anchor, functions));
    }

    /// Forgets the node given to [`FileTaint::set_anchor`].
    pub fn clear_anchor(&self) {
        *self.anchor.borrow_mut() = None;
    }

    /// The root, then the function nodes strictly between the root and `node`, outermost first.
    fn function_chain(&self, node: Node<'a>) -> Vec<Node<'a>> {
        let root = self.root;
        let mut chain = vec![root];
        let mut current = root;
        if let Some((anchor, functions)) = self.anchor.borrow().as_ref()
            && anchor.id() != root.id()
            && (anchor.id() == node.id() || anchor.child_with_descendant(node).is_some())
        {
            chain.extend(functions.iter().copied());
            if anchor.id() == node.id() {
                return chain;
            }
            if is_function(*anchor) {
                chain.push(*anchor);
            }
            current = *anchor;
        }
        // Walking down is linear in the depth; `Node::parent` is not (it walks down from the
        // root itself).
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
        chain
    }

    /// The scope of the innermost function around `node` (or of the program).
    fn scope_at(&self, node: Node<'a>, extra: &[String]) -> Rc<Scope<'a>> {
        let chain = self.function_chain(node);
        // Compute from the outermost inwards, reusing cached scopes.
        let mut outer: Option<Rc<Scope<'a>>> = None;
        let mut around = self.root;
        let key = self.scopes.borrow_mut().key(extra);
        for func in chain {
            let cached = self.scopes.borrow().scopes.get(&(key, func.id())).cloned();
            let scope = match cached {
                Some(s) => s,
                None => {
                    let s = Rc::new(self.compute_scope(func, around, outer.as_deref(), extra));
                    self.scopes
                        .borrow_mut()
                        .scopes
                        .insert((key, func.id()), Rc::clone(&s));
                    s
                }
            };
            outer = Some(scope);
            around = func;
        }
        outer.unwrap_or_default()
    }

    /// The scope of `func`, whose nearest enclosing function (or the program) is `around`,
    /// with the scope of `around` as `outer`.
    fn compute_scope(
        &self,
        func: Node<'a>,
        around: Node<'a>,
        outer: Option<&Scope<'a>>,
        extra: &[String],
    ) -> Scope<'a> {
        let mut scope = Scope::default();
        if let Some(outer) = outer {
            scope.requests.extend(outer.requests.iter().copied());
            scope
                .tainted
                .extend(outer.tainted.iter().map(|(k, v)| (*k, Rc::clone(v))));
            scope.guards.extend(outer.guards.iter().cloned());
            scope.normalized.extend(outer.normalized.iter().copied());
            scope.library.extend(outer.library.iter().copied());
        }
        scope
            .requests
            .extend(self.model.request_names.iter().map(String::as_str));
        self.bind_handler_params(func, &mut scope);
        if is_function(func) {
            self.bind_modelled_params(func, around, outer, extra, &mut scope);
        }

        // The function's assignments, normalised variables and guards do not depend on the
        // rule's sanitizers: collected once per function, whatever the number of rules asking.
        let facts = self.facts(func);
        scope.normalized.extend(facts.normalized.iter().copied());
        scope.guards.extend(facts.guards.iter().cloned());
        let imports = self.imports();
        for _round in 0..8 {
            let before = (scope.requests.len(), scope.tainted.len());
            for (&(target, value, at), reads) in facts.pairs.iter().zip(&facts.reads) {
                if reads.may_read(&scope, imports) {
                    self.bind(target, value, at, extra, &mut scope);
                }
            }
            if (scope.requests.len(), scope.tainted.len()) == before {
                break;
            }
        }
        scope
    }

    /// The sanitizer-independent facts of one function (or of the program), cached.
    fn facts(&self, func: Node<'a>) -> Rc<FunctionFacts<'a>> {
        if let Some(hit) = self.facts.borrow().get(&func.id()) {
            return Rc::clone(hit);
        }
        let mut facts = FunctionFacts::default();
        let mut scratch = Scope::default();
        let body = if is_function(func) {
            func.field("body")
        } else {
            Some(func)
        };
        if let Some(body) = body {
            // Every fact spells `=`, `if` or `for`: a sparse walk of the body around those
            // offsets, not into nested functions, meets each of them.
            let hot = fact_offsets(self.text(body), body.start_byte());
            crate::anchor::walk_sparse_pruned(body, &hot, is_function, &mut |n, _| match n
                .kind_name()
            {
                "variable_declarator" => {
                    if let (Some(t), Some(v)) = (n.field("name"), n.field("value")) {
                        self.note_normalized(t, v, &mut scratch);
                        facts.pairs.push((t, v, n));
                    }
                }
                "assignment_expression" | "augmented_assignment_expression" => {
                    if let (Some(t), Some(v)) = (n.field("left"), n.field("right")) {
                        if n.kind_name() == "assignment_expression" {
                            self.note_normalized(t, v, &mut scratch);
                        }
                        facts.pairs.push((t, v, n));
                    }
                }
                "if_statement" => self.collect_guards(n, &mut facts.guards),
                "for_in_statement" => {
                    if let (Some(t), Some(v)) = (n.field("left"), n.field("right")) {
                        facts.pairs.push((t, v, n));
                    }
                }
                _ => {}
            });
        }
        // Source order, so paths read naturally.
        facts.pairs.sort_by_key(|(_, _, n)| n.start_byte());
        facts.reads = facts
            .pairs
            .iter()
            .map(|&(_, value, _)| ValueNames::of(value, self.source))
            .collect();
        facts.normalized = scratch.normalized.into_iter().collect();
        let facts = Rc::new(facts);
        self.facts.borrow_mut().insert(func.id(), Rc::clone(&facts));
        facts
    }

    /// `p = path.resolve(...)`: remembers that `p` holds a normalised path.
    fn note_normalized(&self, target: Node<'_>, value: Node<'_>, scope: &mut Scope<'a>) {
        let value = unparenthesize(value);
        if target.kind_name() != "identifier" || value.kind_name() != "call_expression" {
            return;
        }
        let normalizes = value
            .field("function")
            .is_some_and(|f| self.model.normalizers.contains(last_name(f, self.source)));
        if normalizes {
            scope.normalized.insert(self.text(target));
        }
    }

    /// Guards of `if (<failed check>) return|throw|continue|break;`.
    fn collect_guards(&self, if_statement: Node<'_>, guards: &mut Vec<Guard>) {
        let (Some(condition), Some(consequence)) = (
            if_statement.field("condition"),
            if_statement.field("consequence"),
        ) else {
            return;
        };
        if !exits(consequence) {
            return;
        }
        let after = if_statement.end_byte();
        // `a || b` fails when either fails: each operand is a guard of its own.
        let mut stack = vec![unparenthesize(condition)];
        let mut budget = 64;
        while let Some(c) = stack.pop() {
            budget -= 1;
            if budget == 0 {
                break;
            }
            let c = unparenthesize(c);
            match c.kind_name() {
                "unary_expression" => {
                    let negated = c.field("operator").is_some_and(|o| o.kind_name() == "!");
                    let argument = c.field("argument").map(unparenthesize);
                    if let Some(call) =
                        argument.filter(|a| negated && a.kind_name() == "call_expression")
                    {
                        self.guard_from_call(call, after, guards);
                    }
                }
                "binary_expression" => {
                    let op = c.field("operator").map(|o| o.kind_name()).unwrap_or("");
                    let (Some(left), Some(right)) = (c.field("left"), c.field("right")) else {
                        continue;
                    };
                    if op == "||" {
                        stack.push(left);
                        stack.push(right);
                        continue;
                    }
                    self.guard_from_index_of(op, unparenthesize(left), right, after, guards);
                }
                _ => {}
            }
        }
    }

    /// `allowed.has(x)`, `p.startsWith(root)`, `isValid(x)` as a failed check.
    fn guard_from_call(&self, call: Node<'_>, after: usize, guards: &mut Vec<Guard>) {
        let (Some(callee), Some(args)) = (call.field("function"), call.field("arguments")) else {
            return;
        };
        let name = last_name(callee, self.source);
        let mut cursor = args.walk();
        let arg_names: Vec<&str> = args
            .named_children(&mut cursor)
            .map(unparenthesize)
            .filter(|a| a.kind_name() == "identifier")
            .map(|a| self.text(a))
            .collect();
        if callee.kind_name() == "member_expression" {
            if matches!(name, "has" | "includes" | "test") {
                for arg in arg_names {
                    guards.push(Guard {
                        name: arg.to_string(),
                        after,
                        method: None,
                    });
                }
            } else if let Some(object) = callee
                .field("object")
                .map(unparenthesize)
                .filter(|o| o.kind_name() == "identifier")
            {
                guards.push(Guard {
                    name: self.text(object).to_string(),
                    after,
                    method: Some(name.to_string()),
                });
            }
        } else {
            for arg in arg_names {
                guards.push(Guard {
                    name: arg.to_string(),
                    after,
                    method: Some(name.to_string()),
                });
            }
        }
    }

    /// `p.indexOf(root) !== 0` (a prefix check) and `list.indexOf(x) === -1` (an allow-list).
    fn guard_from_index_of(
        &self,
        op: &str,
        left: Node<'_>,
        right: Node<'_>,
        after: usize,
        guards: &mut Vec<Guard>,
    ) {
        if left.kind_name() != "call_expression" {
            return;
        }
        let Some(callee) = left
            .field("function")
            .filter(|f| f.kind_name() == "member_expression")
        else {
            return;
        };
        let method = last_name(callee, self.source);
        // `(p + sep).substr(0, root.length) !== root`: a prefix check spelled by hand.
        if matches!(method, "substr" | "substring" | "slice") && matches!(op, "!==" | "!=") {
            let from_zero = left
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .is_some_and(|a| self.text(a) == "0");
            let mut object = callee.field("object").map(unparenthesize);
            // `(p + sep)` -> `p`
            if let Some(o) = object.filter(|o| o.kind_name() == "binary_expression") {
                object = o.field("left").map(unparenthesize);
            }
            if let Some(o) = object.filter(|o| from_zero && o.kind_name() == "identifier") {
                guards.push(Guard {
                    name: self.text(o).to_string(),
                    after,
                    method: Some("startsWith".to_string()),
                });
            }
            return;
        }
        if method != "indexOf" {
            return;
        }
        let right = self.text(right).replace(' ', "");
        if matches!(op, "!==" | "!=") && right == "0" {
            if let Some(object) = callee
                .field("object")
                .filter(|o| o.kind_name() == "identifier")
            {
                guards.push(Guard {
                    name: self.text(object).to_string(),
                    after,
                    method: Some("startsWith".to_string()),
                });
            }
        } else if matches!(op, "===" | "==" | "<") && (right == "-1" || right == "0" && op == "<") {
            let args = left.field("arguments");
            if let Some(arg) = args
                .and_then(|a| a.named_child(0))
                .filter(|a| a.kind_name() == "identifier")
            {
                guards.push(Guard {
                    name: self.text(arg).to_string(),
                    after,
                    method: None,
                });
            }
        }
    }

    /// Whether a guard before `at` has checked `name` in a way this rule accepts.
    fn guarded(&self, name: &str, at: usize, scope: &Scope<'a>, extra: &[String]) -> bool {
        scope.guards.iter().any(|g| {
            g.name == name
                && g.after <= at
                && match &g.method {
                    None => true,
                    Some(m) => {
                        (self.model.sanitizers.contains(m) || extra.iter().any(|s| s == m))
                            && (!self.model.containment.contains(m)
                                || scope.normalized.contains(name))
                    }
                }
        })
    }

    /// Parameters that carry data because of where the function sits: a model names them
    /// (the package's own exported API, a callback or listener of a modelled package), a
    /// promise or array chain hands them tainted data, a local call site passes tainted data
    /// to them, or (for the rules that opt in) they are library inputs.
    fn bind_modelled_params(
        &self,
        func: Node<'a>,
        around: Node<'a>,
        outer: Option<&Scope<'a>>,
        extra: &[String],
        scope: &mut Scope<'a>,
    ) {
        let params = parameters(func);
        if params.is_empty() {
            return;
        }
        // `Node::parent` searches down from the root each time; the enclosing function
        // (`around`, an ancestor of `func` by the way the chain is made) is much nearer, and
        // every question below is about the few nodes above `func`.
        let parents = crate::structure::ancestors(around, func);
        let fname = function_name(func, &parents, self.source);
        // The package's own API: `parse(str, options)` of `cookie`, whose model says its first
        // parameter is a Cookie header.
        if let Some(package) = self.package
            && let Some(path) = self.exports().get(&func.id())
        {
            let stem = file_stem(package.path);
            for (model_path, row) in self.model.models.sources_in_package(package.name) {
                let same = model_path == path
                    || (path.is_empty() && model_path == stem)
                    || (package.entry && path.is_empty() && model_path.is_empty());
                if let (true, [AccessStep::Argument(i)]) = (same, row.access.as_slice())
                    && let Some(&param) = params.get(*i)
                {
                    let what = if model_path.is_empty() {
                        format!("`{}`", package.name)
                    } else {
                        format!("`{}.{model_path}`", package.name)
                    };
                    self.taint_param(
                        param,
                        scope,
                        Origin::Request,
                        &format!(
                            "request data ({}): a parameter of {what}, by its model",
                            row.kind
                        ),
                    );
                }
            }
        }
        // What other files of the package pass to it.
        if !self.incoming.is_empty()
            && let Some(path) = self.exports().get(&func.id())
        {
            self.bind_incoming(path, &params, extra, scope);
        }
        // Where the function is an argument of a call.
        if let Some((call, position, member)) = self.enclosing_call(func, &parents) {
            self.bind_callback_params(func, &params, call, position, member, outer, extra, scope);
        }
        // Library inputs: the exported function's other parameters.
        if wants_library(extra) && self.is_entry() && self.exports().contains_key(&func.id()) {
            for &param in &params {
                self.taint_param(
                    param,
                    scope,
                    Origin::LibraryInput,
                    &format!(
                        "library input: a parameter of the exported function `{}`",
                        fname.map_or("(anonymous)", |(n, _)| n)
                    ),
                );
            }
        }
        // What local call sites pass in.
        if let Some((name, method)) = fname {
            self.bind_from_call_sites(func, name, method, &params, extra, scope);
        }
    }

    /// The parameters of the function exported as `path` that other files of the package pass
    /// data to; the path starts in those files.
    fn bind_incoming(
        &self,
        path: &str,
        params: &[Node<'a>],
        extra: &[String],
        scope: &mut Scope<'a>,
    ) {
        let applies = |p: &&PassedIn| p.export == path || (p.export == "*" && p.argument.is_none());
        for passed in self.incoming.iter().filter(applies) {
            if passed.origin == Origin::LibraryInput && !wants_library(extra) {
                continue;
            }
            let Some(argument) = passed.argument else {
                // Re-exported by an entry point: every parameter is a library input.
                for &param in params {
                    let mut steps = self.foreign_steps(passed, param);
                    steps.push(Step {
                        start: param.start_byte(),
                        end: param.end_byte(),
                        message: format!(
                            "library input: a parameter of `{}`, which an entry point re-exports",
                            if path.is_empty() { "this module" } else { path }
                        ),
                        elsewhere: None,
                    });
                    self.taint_param_with(param, scope, passed.origin, &steps);
                }
                continue;
            };
            let Some(&param) = params.get(argument) else {
                continue;
            };
            let mut steps = self.foreign_steps(passed, param);
            let what = if path.is_empty() {
                "this module".to_string()
            } else {
                format!("`{path}`")
            };
            steps.push(Step {
                start: param.start_byte(),
                end: param.end_byte(),
                message: format!(
                    "received as parameter {} of {what}, from another file of the package",
                    argument + 1
                ),
                elsewhere: None,
            });
            self.taint_param_with(param, scope, passed.origin, &steps);
        }
    }

    /// The steps of `passed` in other files, placed where the data enters this file.
    fn foreign_steps(&self, passed: &PassedIn, param: Node<'_>) -> Vec<Step> {
        passed
            .steps
            .iter()
            .map(|step| Step {
                start: param.start_byte(),
                end: param.start_byte(),
                message: step.message.clone(),
                elsewhere: Some(Rc::new(step.clone())),
            })
            .collect()
    }

    /// The calls this file makes to exported functions of other files of its package (through
    /// relative `require`s and `import`s) with request data, or a library input, as an
    /// argument: the argument, the module as written, the export path called, the argument's
    /// position, where the data comes from and its path here.
    pub fn passed_out(&self) -> Vec<PassedOutHere<'a>> {
        let mut out = Vec::new();
        if !crate::crossfile::loads_relative_modules(self.source) {
            return out;
        }
        let key = [LIBRARY_MARK.to_string()];
        let relative = self
            .relative
            .get_or_init(|| Imports::collect(self.root, self.source, &|p| p.starts_with('.')));
        if !self.may_have_sources(&key) {
            return out;
        }
        for (&word, positions) in self.call_index() {
            for &at in positions {
                // A cheap look at the text first: a bound name, `require('.`, or a member
                // of one (`lib.parse(`, `require('./x').parse(`).
                let direct = relative.binds_name(word);
                let member = self
                    .source
                    .get(..at)
                    .and_then(|before| before.strip_suffix('.'))
                    .is_some_and(|object| {
                        relative.binds_name(last_identifier(object))
                            || ends_with_relative_require(object)
                    });
                let require = word == "require"
                    && self.source.get(at + word.len()..).is_some_and(|rest| {
                        let rest = rest.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
                        rest.starts_with("'.") || rest.starts_with("\".")
                    });
                if !(direct || member || require) {
                    continue;
                }
                let end = at + word.len();
                let found = match self.call_at(at, end) {
                    Some((inner, callee)) if require && callee.kind_name() == "identifier" => self
                        .call_of_call(inner)
                        .and_then(|call| Some((call, call.field("function")?))),
                    found => found,
                };
                let Some((call, callee)) = found else {
                    continue;
                };
                let Some(binding) = relative.resolve(callee, self.source) else {
                    continue;
                };
                let Some(args) = call.field("arguments") else {
                    continue;
                };
                let mut cursor = args.walk();
                for (j, arg) in args.named_children(&mut cursor).enumerate() {
                    if arg.kind_name() == "spread_element" || arg.kind_name() == "comment" {
                        continue;
                    }
                    if let Some((steps, origin)) = self.derived_with_origin(arg, &key) {
                        out.push(PassedOutHere {
                            at: arg,
                            specifier: binding.package.clone(),
                            export: binding.path.clone(),
                            argument: j,
                            origin,
                            steps,
                        });
                    }
                }
            }
        }
        // The index is a hash map: put the calls in the order of the text.
        out.sort_by_key(|o| (o.at.start_byte(), o.argument));
        out
    }

    /// `f(..., function (a, b) {...})`: the call, the function's argument position and, for a
    /// function that is a member of an object argument (`{ filename(req, file, cb) {} }`), the
    /// member's name.
    /// `parents` are the nodes above `func`, its parent last (see [`crate::structure::ancestors`]).
    fn enclosing_call(
        &self,
        func: Node<'a>,
        parents: &[Node<'a>],
    ) -> Option<(Node<'a>, usize, Option<&'a str>)> {
        // The `k`th node above `func` (its parent is the first).
        let above = |k: usize| parents.iter().rev().nth(k.checked_sub(1)?).copied();
        let parent = above(1)?;
        // The argument that holds `func`, the member's name, and how far above `func` the
        // call's `arguments` are.
        let (holder, member, arguments_above) = match parent.kind_name() {
            "arguments" => (func, None, 1),
            "pair" => {
                let key = parent
                    .field("key")
                    .map(|k| self.text(k).trim_matches(['\'', '"']));
                (
                    above(2).filter(|o| o.kind_name() == "object")?,
                    Some(key?),
                    3,
                )
            }
            "object" if func.kind_name() == "method_definition" => {
                (parent, Some(func.field("name").map(|k| self.text(k))?), 2)
            }
            _ => return None,
        };
        let arguments = above(arguments_above).filter(|a| a.kind_name() == "arguments")?;
        let call = above(arguments_above + 1)
            .filter(|c| matches!(c.kind_name(), "call_expression" | "new_expression"))?;
        let mut cursor = arguments.walk();
        let position = arguments
            .named_children(&mut cursor)
            .position(|a| a.id() == holder.id())?;
        Some((call, position, member))
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_callback_params(
        &self,
        func: Node<'a>,
        params: &[Node<'a>],
        call: Node<'a>,
        position: usize,
        member: Option<&str>,
        outer: Option<&Scope<'a>>,
        extra: &[String],
        scope: &mut Scope<'a>,
    ) {
        let Some(callee) = call.field("function").or_else(|| call.field("constructor")) else {
            return;
        };
        let imports = self.imports();
        if !imports.is_empty()
            && let Some(binding) = imports.resolve(callee, self.source)
        {
            for row in self
                .model
                .models
                .sources_of(&binding.package, &binding.path)
            {
                let param = match (row.access.as_slice(), member) {
                    ([AccessStep::Argument(i), AccessStep::Parameter(j)], None)
                        if *i == position =>
                    {
                        Some(*j)
                    }
                    (
                        [
                            AccessStep::Argument(i),
                            AccessStep::Member(m),
                            AccessStep::Parameter(j),
                        ],
                        Some(k),
                    ) if *i == position && m == k => Some(*j),
                    _ => None,
                };
                if let Some(&p) = param.and_then(|j| params.get(j)) {
                    self.taint_param(
                        p,
                        scope,
                        Origin::Request,
                        &format!(
                            "request data ({}): a parameter of the callback given to `{}`, by its model",
                            row.kind,
                            short(self.text(callee))
                        ),
                    );
                }
            }
        }
        if member.is_some() || callee.kind_name() != "member_expression" {
            return;
        }
        let method = last_name(callee, self.source);
        let args = call.field("arguments");
        // `x.on('field', (name, value) => ...)` in a file that uses a modelled package.
        if matches!(method, "on" | "once" | "addListener" | "prependListener")
            && position == 1
            && !imports.is_empty()
            && let Some(event) = args
                .and_then(|a| a.named_child(0))
                .filter(|e| e.kind_name() == "string")
                .map(|e| self.text(e).trim_matches(['\'', '"', '`']))
        {
            for package in self.model.models.event_packages() {
                if !imports.binds_package(package) {
                    continue;
                }
                for (name, j, kind) in self.model.models.events_of(package) {
                    if name == event
                        && let Some(&p) = params.get(*j)
                    {
                        self.taint_param(
                            p,
                            scope,
                            Origin::Request,
                            &format!("request data ({kind}): `{event}` event of `{package}`, by its model"),
                        );
                    }
                }
            }
        }
        // `tainted.then(v => ...)`, `tainted.forEach(v => ...)`: the callback gets the data.
        if position == 0
            && matches!(
                method,
                "then" | "map" | "forEach" | "filter" | "find" | "some" | "every" | "flatMap"
            )
            && let Some(outer) = outer
            && let Some(object) = callee.field("object")
            && let Some((path, origin)) = self.derived_origin(object, outer, extra)
            && let Some(&p) = params.first()
        {
            let mut steps = path;
            steps.push(Step {
                start: func.start_byte(),
                end: func.start_byte(),
                message: format!("passed to the `{method}` callback"),
                elsewhere: None,
            });
            self.taint_param_with(p, scope, origin, &steps);
        }
    }

    /// The data local calls of `name` pass to `func`'s parameters (one level of call sites
    /// per question, [`MAX_CALL_DEPTH`] deep, [`MAX_CALL_SITES`] sites).
    fn bind_from_call_sites(
        &self,
        func: Node<'a>,
        name: &str,
        method: bool,
        params: &[Node<'a>],
        extra: &[String],
        scope: &mut Scope<'a>,
    ) {
        // Minified names match everywhere; a call site is looked for by its text.
        if name.len() < 3 {
            return;
        }
        {
            let progress = self.in_progress.borrow();
            if progress.len() >= MAX_CALL_DEPTH || progress.contains(&func.id()) {
                return;
            }
        }
        self.in_progress.borrow_mut().push(func.id());
        let calls = self.call_sites(name, method, func);
        for call in calls {
            let Some(args) = call.field("arguments") else {
                continue;
            };
            let mut cursor = args.walk();
            let list: Vec<Node<'a>> = args.named_children(&mut cursor).collect();
            for (j, &param) in params.iter().enumerate() {
                let Some(&arg) = list.get(j) else { break };
                if arg.kind_name() == "spread_element"
                    || pattern_names(param, self.source)
                        .iter()
                        .all(|n| scope.tainted.contains_key(*n))
                {
                    continue;
                }
                let at = self.scope_at(arg, extra);
                if let Some((mut steps, origin)) = self.derived_origin(arg, &at, extra) {
                    steps.push(Step {
                        start: arg.start_byte(),
                        end: arg.end_byte(),
                        message: format!("{CALL_SITE_STEP}{name}` as argument {}", j + 1),
                        elsewhere: None,
                    });
                    self.taint_param_with(param, scope, origin, &steps);
                }
            }
        }
        self.in_progress.borrow_mut().pop();
    }

    /// Where each name of the file is followed by `(` (a call, or a declaration), found in one
    /// pass over the text the first time it is needed.
    pub fn call_index(&self) -> &CallIndex<'a> {
        self.call_index.get_or_init(|| call_index(self.source))
    }

    /// Calls of `name` in the file outside `func`'s own body: `name(...)` for a plain function,
    /// `this.name(...)` (or `self.`, `that.`, `_this.`) for a method; a method of another
    /// object (`res.setHeader(...)` for a `setHeader` method of one's own) is not one of them.
    fn call_sites(&self, name: &str, method: bool, func: Node<'a>) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        let index = self.call_index();
        // A common method name (`get(`) occurs everywhere: a bounded number are looked at.
        let positions = index.get(name).map_or(&[][..], Vec::as_slice);
        for &at in positions.iter().take(4 * MAX_CALL_SITES) {
            if out.len() >= MAX_CALL_SITES {
                break;
            }
            let end = at + name.len();
            if at >= func.start_byte() && end <= func.end_byte() {
                continue;
            }
            let Some((call, callee)) = self.call_at(at, end) else {
                continue;
            };
            let called_so = match callee.kind_name() {
                "identifier" => !method,
                _ => {
                    method
                        && callee.field("object").is_some_and(|o| {
                            o.kind_name() == "this"
                                || matches!(self.text(o), "self" | "that" | "_this")
                        })
                }
            };
            if called_so {
                out.push(call);
            }
        }
        out
    }

    /// The call whose callee is the name at `at..end`, a name the call index found before a
    /// `(`: `f(...)` whose callee is that identifier, or `x.f(...)` whose callee is a member
    /// ending in that property; with its callee. The smallest node around the name and the
    /// `(` is the call, so one search down from the root finds it, where finding the name
    /// and then its parent searches down twice.
    fn call_at(&self, at: usize, end: usize) -> Option<(Node<'a>, Node<'a>)> {
        let rest = self.source.as_bytes().get(end..)?;
        let paren = end + rest.iter().position(|b| !b.is_ascii_whitespace())?;
        if self.source.as_bytes().get(paren) != Some(&b'(') {
            return None;
        }
        let call = self.root.descendant_for_byte_range(at, paren + 1)?;
        if call.kind_name() != "call_expression" {
            return None;
        }
        let callee = call.field("function")?;
        let is_name = |n: Node<'_>| n.start_byte() == at && n.end_byte() == end;
        let named = match callee.kind_name() {
            "identifier" => is_name(callee),
            "member_expression" => callee
                .field("property")
                .is_some_and(|p| p.kind_name() == "property_identifier" && is_name(p)),
            _ => false,
        };
        named.then_some((call, callee))
    }

    /// `require('./x')(...)`: the call of what the call `inner` returns.
    fn call_of_call(&self, inner: Node<'a>) -> Option<Node<'a>> {
        let bytes = self.source.as_bytes();
        let end = inner.end_byte();
        let next = bytes
            .get(end..)?
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|i| end + i)?;
        let outer = match bytes.get(next) {
            // The node around `inner` and the `(` after it is the outer call.
            Some(b'(') => self
                .root
                .descendant_for_byte_range(inner.start_byte(), next + 1),
            // A comment or `?.(` between them: ask the tree.
            Some(b'/' | b'?') => inner.parent(),
            _ => None,
        }?;
        (outer.kind_name() == "call_expression"
            && outer
                .field("function")
                .is_some_and(|f| f.id() == inner.id()))
        .then_some(outer)
    }

    fn taint_param(&self, param: Node<'_>, scope: &mut Scope<'a>, origin: Origin, message: &str) {
        let steps = vec![Step {
            start: param.start_byte(),
            end: param.end_byte(),
            message: message.to_string(),
            elsewhere: None,
        }];
        self.taint_param_with(param, scope, origin, &steps);
    }

    fn taint_param_with(
        &self,
        param: Node<'_>,
        scope: &mut Scope<'a>,
        origin: Origin,
        steps: &[Step],
    ) {
        for name in pattern_names(param, self.source) {
            let known = scope.tainted.contains_key(name);
            if known && !(origin == Origin::Request && scope.library.contains(name)) {
                continue;
            }
            let mut path = steps.to_vec();
            if path.last().is_none_or(|s| s.start != param.start_byte()) {
                path.push(Step {
                    start: param.start_byte(),
                    end: param.end_byte(),
                    message: format!("received as parameter `{name}`"),
                    elsewhere: None,
                });
            }
            scope.tainted.insert(name, Rc::new(path));
            match origin {
                Origin::LibraryInput => scope.library.insert(name),
                Origin::Request => scope.library.remove(name),
            };
        }
    }

    /// What a call of a modelled API means for taint.
    fn modelled_call<'t>(
        &self,
        call: Node<'t>,
        callee: Node<'_>,
        extra: &[String],
    ) -> ModelledCall<'t> {
        let imports = self.imports();
        if imports.is_empty() {
            return ModelledCall::Unknown;
        }
        let Some(binding) = imports.resolve(callee, self.source) else {
            return ModelledCall::Unknown;
        };
        let models = &self.model.models;
        if let Some(row) = models
            .sources_of(&binding.package, &binding.path)
            .iter()
            .find(|r| matches!(r.access.as_slice(), [AccessStep::ReturnValue]))
        {
            return ModelledCall::Source(Step {
                start: call.start_byte(),
                end: call.end_byte(),
                message: format!(
                    "request data ({}) returned by `{}`, by its model",
                    row.kind,
                    short(node_text(callee, self.source))
                ),
                elsewhere: None,
            });
        }
        let safe_for = models.sanitizer_kinds(&binding.package, &binding.path);
        if sink_kinds(extra).any(|k| safe_for.iter().any(|s| s == k)) {
            return ModelledCall::Safe;
        }
        if let Some(inputs) = models.summary_inputs(&binding.package, &binding.path) {
            let mut args = Vec::new();
            if let Some(list) = call.field("arguments") {
                let mut cursor = list.walk();
                for (i, arg) in list.named_children(&mut cursor).enumerate() {
                    if inputs.contains(&i) {
                        args.push(arg);
                    }
                }
            }
            return ModelledCall::Passes(args);
        }
        ModelledCall::Unknown
    }

    /// `(req, res) => ...`: the first parameter of a function whose second is a response.
    fn bind_handler_params(&self, func: Node<'_>, scope: &mut Scope<'a>) {
        if !is_function(func) {
            return;
        }
        let Some(params) = func.field("parameters") else {
            return;
        };
        let mut cursor = params.walk();
        let list: Vec<Node<'_>> = params
            .named_children(&mut cursor)
            .map(parameter_pattern)
            .collect();
        let (Some(&first), Some(&second)) = (list.first(), list.get(1)) else {
            return;
        };
        let second_name = match second.kind_name() {
            "identifier" => self.text(second),
            "assignment_pattern" => second.field("left").map(|l| self.text(l)).unwrap_or(""),
            _ => "",
        };
        if !self.model.response_names.contains(second_name) {
            return;
        }
        match first.kind_name() {
            "identifier" => {
                scope.requests.insert(self.text(first));
            }
            "object_pattern" => self.destructure_request(first, first, scope),
            _ => {}
        }
    }

    /// Binds `target = value` if `value` is request data or a request object.
    fn bind(
        &self,
        target: Node<'_>,
        value: Node<'_>,
        at: Node<'_>,
        extra: &[String],
        scope: &mut Scope<'a>,
    ) {
        let value = unparenthesize(value);
        if value.kind_name() == "identifier" && scope.requests.contains(self.text(value)) {
            match target.kind_name() {
                "identifier" => {
                    scope.requests.insert(self.text(target));
                }
                "object_pattern" => self.destructure_request(target, at, scope),
                _ => {}
            }
            return;
        }
        let Some((mut path, origin)) = self.derived_origin(value, scope, extra) else {
            return;
        };
        for name in pattern_names(target, self.source) {
            if scope.tainted.contains_key(name) {
                continue;
            }
            if origin == Origin::LibraryInput {
                scope.library.insert(name);
            }
            let mut steps = path.clone();
            steps.push(Step {
                start: at.start_byte(),
                end: at.end_byte(),
                message: format!("request data assigned to `{name}`"),
                elsewhere: None,
            });
            scope.tainted.insert(name, Rc::new(steps));
        }
        path.clear();
    }

    /// `const { query, body: { url } } = req`: names bound from request properties are tainted.
    fn destructure_request(&self, pattern: Node<'_>, at: Node<'_>, scope: &mut Scope<'a>) {
        let mut cursor = pattern.walk();
        for prop in pattern.named_children(&mut cursor) {
            let (key, value) = match prop.kind_name() {
                "shorthand_property_identifier_pattern" => (self.text(prop), Some(prop)),
                "pair_pattern" => (
                    prop.field("key").map(|k| self.text(k)).unwrap_or(""),
                    prop.field("value"),
                ),
                "object_assignment_pattern" => (
                    prop.field("left").map(|k| self.text(k)).unwrap_or(""),
                    prop.field("left"),
                ),
                _ => continue,
            };
            if !self.model.properties.contains(key) {
                continue;
            }
            let Some(value) = value else { continue };
            for name in pattern_names(value, self.source) {
                scope.tainted.insert(
                    name,
                    Rc::new(vec![Step {
                        start: at.start_byte(),
                        end: at.end_byte(),
                        message: format!("request `{key}` destructured into `{name}`"),
                        elsewhere: None,
                    }]),
                );
            }
        }
    }

    /// The taint path of `expr` and its origin; request data is preferred over a library input
    /// when both flow in.
    fn derived_origin(
        &self,
        expr: Node<'_>,
        scope: &Scope<'a>,
        extra: &[String],
    ) -> Option<(Vec<Step>, Origin)> {
        let mut library: Option<Vec<Step>> = None;
        let mut stack = vec![expr];
        while let Some(n) = stack.pop() {
            match n.kind_name() {
                "identifier" | "shorthand_property_identifier" => {
                    let name = self.text(n);
                    if let Some(path) = scope.tainted.get(name)
                        && !self.guarded(name, n.start_byte(), scope, extra)
                    {
                        if !scope.library.contains(name) {
                            return Some((path.to_vec(), Origin::Request));
                        }
                        if library.is_none() {
                            library = Some(path.to_vec());
                        }
                    }
                    continue;
                }
                // `x.length` is a number, whatever `x` holds.
                "member_expression"
                    if n.field("property")
                        .is_some_and(|p| self.text(p) == "length") =>
                {
                    continue;
                }
                "member_expression" | "subscript_expression"
                    if self.is_request_source(n, scope) =>
                {
                    return Some(self.read_of_request(n));
                }
                "call_expression" => {
                    if let Some(callee) = n.field("function") {
                        let name = last_name(callee, self.source);
                        if self.model.sanitizers.contains(name) || extra.iter().any(|s| s == name) {
                            continue;
                        }
                        match self.modelled_call(n, callee, extra) {
                            ModelledCall::Source(step) => {
                                return Some((vec![step], Origin::Request));
                            }
                            ModelledCall::Safe => continue,
                            ModelledCall::Passes(args) => {
                                stack.extend(args);
                                continue;
                            }
                            ModelledCall::Unknown => {}
                        }
                        if callee.kind_name() == "member_expression"
                            && self.model.negotiators.contains(name)
                            && has_literal_choice(n)
                        {
                            continue;
                        }
                        if callee.kind_name() == "member_expression"
                            && matches!(name, "replace" | "replaceAll")
                            && is_allow_list_replace(n, self.source)
                        {
                            continue;
                        }
                        // `parseurl(req)`, `getBody(this.req)`: a function of the whole request
                        // returns request data.
                        let request_arg = n.field("arguments").and_then(|args| {
                            let mut cursor = args.walk();
                            args.named_children(&mut cursor)
                                .find(|a| self.is_request_object(*a, scope))
                        });
                        if let Some(arg) = request_arg {
                            return Some((
                                vec![Step {
                                    start: n.start_byte(),
                                    end: n.end_byte(),
                                    message: format!(
                                        "request data: `{}` passed to `{}`",
                                        short(self.text(arg)),
                                        short(self.text(callee))
                                    ),
                                    elsewhere: None,
                                }],
                                Origin::Request,
                            ));
                        }
                        if callee.kind_name() == "member_expression"
                            && self.model.methods.contains(name)
                        {
                            let object = callee.field("object");
                            if object.is_some_and(|o| {
                                o.kind_name() == "identifier"
                                    && scope.requests.contains(self.text(o))
                            }) {
                                return Some(self.read_of_request(n));
                            }
                        }
                    }
                }
                "ternary_expression" => {
                    // The condition's value does not flow into the result; the consequence is
                    // safe when the condition is an allow-list check.
                    let guarded = n
                        .field("condition")
                        .is_some_and(|c| is_allow_list_check(c, self.source));
                    if let Some(c) = n.field("consequence").filter(|_| !guarded) {
                        stack.push(c);
                    }
                    if let Some(a) = n.field("alternative") {
                        stack.push(a);
                    }
                    continue;
                }
                "binary_expression" => {
                    let op = n.field("operator").map(|o| o.kind_name()).unwrap_or("");
                    // Comparisons yield booleans and arithmetic yields numbers, not the
                    // request's text.
                    if matches!(
                        op,
                        "==" | "===" | "!=" | "!==" | "<" | ">" | "<=" | ">=" | "instanceof" | "in"
                    ) || matches!(
                        op,
                        "-" | "*" | "/" | "%" | "**" | "&" | "|" | "^" | "<<" | ">>" | ">>>"
                    ) {
                        continue;
                    }
                }
                "unary_expression" => {
                    let op = n.field("operator").map(|o| o.kind_name()).unwrap_or("");
                    if matches!(op, "!" | "typeof" | "void" | "delete" | "+" | "-" | "~") {
                        continue;
                    }
                }
                k if FUNCTION_KINDS.contains(&k) => continue,
                "member_expression" | "subscript_expression" => {
                    // Not a source: neither is any inner member of the same chain (the answer
                    // depends only on the chain's root and first property), so go straight to
                    // the root, keeping computed keys. Re-checking every inner member made long
                    // chains (`a.b.c...`, found by fuzzing) quadratic.
                    let mut current = n;
                    loop {
                        if let Some(index) = current.field("index") {
                            stack.push(index);
                        }
                        match current.field("object") {
                            Some(object)
                                if matches!(
                                    object.kind_name(),
                                    "member_expression" | "subscript_expression"
                                ) =>
                            {
                                current = object
                            }
                            Some(object) => {
                                stack.push(object);
                                break;
                            }
                            None => break,
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let mut cursor = n.walk();
            for child in n.named_children(&mut cursor) {
                // A member's property name is not a variable reference.
                if child.kind_name() == "property_identifier" {
                    continue;
                }
                stack.push(child);
            }
        }
        library.map(|steps| (steps, Origin::LibraryInput))
    }

    /// The one-step path of an expression that reads the request.
    fn read_of_request(&self, n: Node<'_>) -> (Vec<Step>, Origin) {
        let step = Step {
            start: n.start_byte(),
            end: n.end_byte(),
            message: format!("request data `{}`", short(self.text(n))),
            elsewhere: None,
        };
        (vec![step], Origin::Request)
    }

    /// `req.query...`, `req.headers['x']`, `req['body']`: a member chain whose root is a request
    /// object and whose first property is a request source.
    fn is_request_source(&self, node: Node<'_>, scope: &Scope<'a>) -> bool {
        let mut current = node;
        let mut inner_property = "";
        loop {
            let Some(object) = current.field("object") else {
                return false;
            };
            let object = unparenthesize(object);
            let property = self.property_name(current);
            match object.kind_name() {
                "identifier" => {
                    return scope.requests.contains(self.text(object))
                        && self.model.properties.contains(property);
                }
                // `this.req.url`: middleware objects keep the request in a field.
                "this" => {
                    return self.model.request_names.contains(property)
                        && self.model.properties.contains(inner_property);
                }
                "member_expression" | "subscript_expression" => {}
                _ => return false,
            }
            inner_property = property;
            current = object;
        }
    }

    /// `a.b` -> `b`; `a['b']` -> `b`.
    fn property_name(&self, member: Node<'_>) -> &'a str {
        match member.kind_name() {
            "member_expression" => member.field("property").map(|p| self.text(p)).unwrap_or(""),
            _ => member
                .field("index")
                .map(|i| {
                    self.text(i)
                        .trim_matches(|c| c == '\'' || c == '"' || c == '`')
                })
                .unwrap_or(""),
        }
    }

    /// `req` or `this.req` itself (the request object, not one of its properties).
    fn is_request_object(&self, node: Node<'_>, scope: &Scope<'a>) -> bool {
        let node = unparenthesize(node);
        match node.kind_name() {
            "identifier" => scope.requests.contains(self.text(node)),
            "member_expression" => {
                node.field("object")
                    .is_some_and(|o| o.kind_name() == "this")
                    && self.model.request_names.contains(self.property_name(node))
            }
            _ => false,
        }
    }
}

/// A parameter's binding: TypeScript wraps each parameter (`req: Request`, `opts?: O`) in a
/// `required_parameter` / `optional_parameter` whose `pattern` is what JavaScript has bare.
pub(crate) fn parameter_pattern(param: Node<'_>) -> Node<'_> {
    match param.kind_name() {
        "required_parameter" | "optional_parameter" => param.field("pattern").unwrap_or(param),
        _ => param,
    }
}

/// What [`FileTaint::modelled_call`] found.
enum ModelledCall<'t> {
    /// The call returns request data.
    Source(Step),
    /// A sanitizer for one of the rule's sink kinds.
    Safe,
    /// A summary: only these arguments reach the result.
    Passes(Vec<Node<'t>>),
    /// No model says anything.
    Unknown,
}

/// Every identifier-like word followed (after spaces) by `(`, with its offsets: one pass.
fn call_index(source: &str) -> CallIndex<'_> {
    let bytes = source.as_bytes();
    let ident = crate::anchor::is_ident_byte;
    let mut index = CallIndex::default();
    // From each `(` back over blanks to the name before it: far fewer steps than reading
    // every word of the text.
    for paren in memchr::memchr_iter(b'(', bytes) {
        let mut end = paren;
        while end > 0 && bytes.get(end - 1).is_some_and(|b| b.is_ascii_whitespace()) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && bytes.get(start - 1).copied().is_some_and(ident) {
            start -= 1;
        }
        if start < end
            && let Some(word) = source.get(start..end)
        {
            index.entry(word).or_default().push(start);
        }
    }
    index
}

/// Where each name is followed by `(`: the name's start offsets, in text order.
pub type CallIndex<'a> = FnvHashMap<&'a str, Vec<usize>>;

/// A call out of a file to another file of its package, as [`FileTaint::passed_out`] finds it.
pub struct PassedOutHere<'a> {
    /// The argument.
    pub at: Node<'a>,
    /// The module as written (`./lib/read`).
    pub specifier: String,
    /// The export path called (`""` for the module itself).
    pub export: String,
    /// The argument's position, from 0.
    pub argument: usize,
    /// Where the data comes from.
    pub origin: Origin,
    /// The path from the source to the argument.
    pub steps: Vec<Step>,
}

/// The identifier `text` ends with (`lib` of `x = lib`), or `""`.
fn last_identifier(text: &str) -> &str {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let start = text
        .char_indices()
        .rev()
        .take_while(|&(_, c)| ident(c))
        .last()
        .map_or(text.len(), |(i, _)| i);
    text.get(start..).unwrap_or("")
}

/// Whether `text` ends with a `require` of a relative module (`require('./lib/x')`), so that a
/// member of what it returns follows.
fn ends_with_relative_require(text: &str) -> bool {
    let Some(rest) = text.trim_end().strip_suffix(')') else {
        return false;
    };
    let rest = rest.trim_end();
    let Some(quote) = rest.chars().last().filter(|c| *c == '\'' || *c == '"') else {
        return false;
    };
    let Some(inner) = rest.strip_suffix(quote) else {
        return false;
    };
    let Some(open) = inner.rfind(quote) else {
        return false;
    };
    inner.get(open + 1..).is_some_and(|m| m.starts_with('.'))
        && inner.get(..open).is_some_and(|b| {
            b.trim_end()
                .strip_suffix('(')
                .is_some_and(|b| b.trim_end().ends_with("require"))
        })
}

/// A function's parameters, in order (an arrow function's single bare parameter too).
fn parameters(func: Node<'_>) -> Vec<Node<'_>> {
    if let Some(params) = func.field("parameters") {
        let mut cursor = params.walk();
        return params
            .named_children(&mut cursor)
            .filter(|p| p.kind_name() != "comment")
            .map(parameter_pattern)
            .collect();
    }
    func.field("parameter").into_iter().collect()
}

/// The name a function is called by, and whether it is a method (called as `this.name(...)`)
/// rather than by a plain name: its declaration's, or the variable, property or method it is
/// assigned to. A named function expression's own name is visible only inside it.
fn function_name<'s>(
    func: Node<'_>,
    parents: &[Node<'_>],
    source: &'s str,
) -> Option<(&'s str, bool)> {
    let named = |n: Node<'_>| n.field("name").map(|x| node_text(x, source));
    match func.kind_name() {
        "method_definition" => return named(func).map(|n| (n, true)),
        "function_declaration" | "generator_function_declaration" => {
            return named(func).map(|n| (n, false));
        }
        _ => {}
    }
    let parent = *parents.last()?;
    match parent.kind_name() {
        "variable_declarator" => parent
            .field("name")
            .filter(|n| n.kind_name() == "identifier")
            .map(|n| (node_text(n, source), false)),
        "assignment_expression" => {
            let left = parent.field("left")?;
            match left.kind_name() {
                "identifier" => Some((node_text(left, source), false)),
                "member_expression" => left.field("property").map(|p| (node_text(p, source), true)),
                _ => None,
            }
        }
        "pair" => parent
            .field("key")
            .filter(|k| k.kind_name() == "property_identifier")
            .map(|k| (node_text(k, source), true)),
        _ => None,
    }
}

/// `lib/parse.js` -> `parse`.
fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

fn unparenthesize(mut node: Node<'_>) -> Node<'_> {
    while node.kind_name() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// `a.b.c(...)` -> `c`; `f(...)` -> `f`.
fn last_name<'s>(callee: Node<'_>, source: &'s str) -> &'s str {
    match callee.kind_name() {
        "member_expression" => callee
            .field("property")
            .map(|p| node_text(p, source))
            .unwrap_or(""),
        _ => node_text(callee, source),
    }
}

/// `allowed.has(x)`, `list.includes(x)`, `x === 'a'`, `/^[a-z]+$/.test(x)`: conditions that only
/// let known values through.
fn is_allow_list_check(condition: Node<'_>, source: &str) -> bool {
    let condition = unparenthesize(condition);
    match condition.kind_name() {
        "call_expression" => condition.field("function").is_some_and(|f| {
            f.kind_name() == "member_expression"
                && matches!(last_name(f, source), "has" | "includes" | "test")
        }),
        "binary_expression" => condition
            .field("operator")
            .is_some_and(|o| matches!(o.kind_name(), "===" | "==")),
        _ => false,
    }
}

/// `accept.encoding(['gzip', 'identity'])`, `req.accepts('html', 'json')`: a literal list of
/// choices among the arguments (the result is one of them, or false).
fn has_literal_choice(call: Node<'_>) -> bool {
    let Some(args) = call.field("arguments") else {
        return false;
    };
    let mut cursor = args.walk();
    let mut any = false;
    for arg in args.named_children(&mut cursor) {
        let literal = match arg.kind_name() {
            "string" => true,
            "array" => {
                let mut inner = arg.walk();
                let all = arg
                    .named_children(&mut inner)
                    .all(|e| e.kind_name() == "string");
                all && arg.named_child_count() > 0
            }
            _ => false,
        };
        if !literal {
            return false;
        }
        any = true;
    }
    any
}

/// Does this statement leave the function, loop iteration or loop?
fn exits(statement: Node<'_>) -> bool {
    let last = if statement.kind_name() == "statement_block" {
        let mut cursor = statement.walk();
        let last = statement
            .named_children(&mut cursor)
            .filter(|c| c.kind_name() != "comment")
            .last();
        match last {
            Some(l) => l,
            None => return false,
        }
    } else {
        statement
    };
    matches!(
        last.kind_name(),
        "return_statement" | "throw_statement" | "continue_statement" | "break_statement"
    )
}

/// `x.replace(/[^a-z0-9_-]/g, '')`: deletes every character outside a class, which leaves only
/// allow-listed characters (the replacement is a literal).
fn is_allow_list_replace(call: Node<'_>, source: &str) -> bool {
    let Some(args) = call.field("arguments") else {
        return false;
    };
    let (Some(pattern), Some(replacement)) = (args.named_child(0), args.named_child(1)) else {
        return false;
    };
    if pattern.kind_name() != "regex" || !crate::literal::is_literal(replacement, source) {
        return false;
    }
    let body = pattern
        .field("pattern")
        .map(|p| node_text(p, source))
        .unwrap_or("");
    let flags = pattern
        .field("flags")
        .map(|f| node_text(f, source))
        .unwrap_or("");
    let class = body.trim_end_matches(['+', '*']);
    let Some(inner) = class.strip_prefix("[^").and_then(|c| c.strip_suffix(']')) else {
        return false;
    };
    // One class only: no unescaped `]` inside.
    let mut escaped = false;
    for ch in inner.chars() {
        match ch {
            '\\' if !escaped => escaped = true,
            ']' if !escaped => return false,
            _ => escaped = false,
        }
    }
    flags.contains('g')
}

/// The identifiers a binding pattern introduces (`a`, `{ a, b: c }`, `[a, ...rest]`).
fn pattern_names<'s>(pattern: Node<'_>, source: &'s str) -> Vec<&'s str> {
    let mut names = Vec::new();
    let mut stack = vec![pattern];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                names.push(node_text(n, source))
            }
            "pair_pattern" => {
                if let Some(v) = n.field("value") {
                    stack.push(v);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(l) = n.field("left") {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_index_finds_every_name_before_a_parenthesis() {
        let code = "a(1); b.c (2); if(x) { d\n(e) } (f)(g); $h_1(); 'i('; ...j()";
        let index = call_index(code);
        let at = |name: &str| index.get(name).cloned().unwrap_or_default();
        assert_eq!(at("a"), vec![0]);
        assert_eq!(at("c"), vec![code.find("c (").unwrap_or(usize::MAX)]);
        assert_eq!(at("if"), vec![code.find("if").unwrap_or(usize::MAX)]);
        assert_eq!(at("d"), vec![code.find("d\n").unwrap_or(usize::MAX)]);
        assert_eq!(at("$h_1"), vec![code.find("$h_1").unwrap_or(usize::MAX)]);
        // Text in strings counts too (a superset is what the callers need).
        assert_eq!(at("i"), vec![code.find("i(").unwrap_or(usize::MAX)]);
        assert_eq!(at("j"), vec![code.find("j(").unwrap_or(usize::MAX)]);
        assert!(!index.contains_key("b") && !index.contains_key("f") && !index.contains_key("g"));
        assert_eq!(index.len(), 7);
    }

    #[test]
    fn the_names_a_value_reads_leave_out_properties_and_numbers() {
        let code = "x = a.b + c?.d + [...e] + 1e5 + this.f + g['h'] + function () { i };";
        let tree = tarsier_parse::parse(code).expect("parses");
        let mut value = None;
        crate::pattern::walk(tree.root_node(), &mut |n, _| {
            if n.kind() == "assignment_expression" {
                value = n.child_by_field_name("right");
            }
        });
        let reads = ValueNames::of(value.expect("a value"), code);
        assert!(reads.this);
        // `h` is in a string: a superset of the names read is what the fixpoint needs.
        assert_eq!(reads.names, vec!["a", "c", "e", "g", "h", "function", "i"]);
    }

    #[test]
    fn a_call_is_found_from_the_name_before_its_parenthesis() {
        let code = "f(1); this.g (2); function h(a) {} new k(3); x.y.m\n(4); (n)(5); o.p.q;";
        let tree = tarsier_parse::parse(code).expect("parses");
        let model = TaintModel::new(&TaintSpec::default());
        let taint = FileTaint::new(&model, code, tree.root_node());
        // The name `name`, found as the start of `context`.
        let call = |context: &str, name: &str| {
            let at = code.find(context).unwrap_or(usize::MAX);
            taint
                .call_at(at, at + name.len())
                .map(|(call, callee)| (node_text(call, code), node_text(callee, code)))
        };
        assert_eq!(call("f(1)", "f"), Some(("f(1)", "f")));
        assert_eq!(call("g (2)", "g"), Some(("this.g (2)", "this.g")));
        assert_eq!(
            call("g (2)", "g "),
            None,
            "the name ends where the callee does"
        );
        assert_eq!(call("m\n(4)", "m"), Some(("x.y.m\n(4)", "x.y.m")));
        // A declaration, a constructor, a parenthesized callee and a name without a call.
        assert_eq!(call("h(a)", "h"), None);
        assert_eq!(call("k(3)", "k"), None);
        assert_eq!(call("n)(5)", "n"), None);
        assert_eq!(call("q;", "q"), None);
    }
}
