//! The models of `rules/models/*.toml` ([`tarsier_rules::models`]) compiled for lookups by
//! (package, export path), and the resolution of a file's names to what they are bound to:
//! `const shell = require('child_process')`, `const { parse } = require('cookie')`,
//! `import busboy from 'busboy'`, Babel's `_interopRequireDefault(require('fs'))` and its
//! `_fs.default`, `(0, _cookie.parse)(...)`.

use crate::literal::node_text;
use std::collections::{HashMap, HashSet};
use tarsier_parse::NodeExt;
use tarsier_rules::models::{AccessStep, Models, parse_access};
use tree_sitter::Node;

/// A source row, compiled.
#[derive(Debug, Clone)]
pub struct SourceModel {
    /// The access path into a call of the export.
    pub access: Vec<AccessStep>,
    /// What the data is.
    pub kind: String,
}

/// Models by package and export path.
#[derive(Debug, Clone, Default)]
pub struct ModelIndex {
    sources: HashMap<(String, String), Vec<SourceModel>>,
    /// `Event[name].Parameter[n]` rows by package: (event, parameter, kind).
    events: HashMap<String, Vec<(String, usize, String)>>,
    sanitizers: HashMap<(String, String), Vec<String>>,
    /// Sink kinds by (package, export path): what the models say the call must not be given.
    sinks: HashMap<(String, String), Vec<String>>,
    /// Per modelled call: the argument indexes whose data reaches the return value.
    summaries: HashMap<(String, String), Vec<usize>>,
    /// Every package a model names, quoted as a `require`/`import` would quote it, in one
    /// automaton (one pass over a file's text), with whether that package's model gives sources.
    quoted: Option<aho_corasick::AhoCorasick>,
    quoted_sources: Vec<bool>,
    packages: HashSet<String>,
}

impl ModelIndex {
    /// Compiles the models (rows with an access path that does not parse were refused at load).
    pub fn new(models: &Models) -> Self {
        let mut index = ModelIndex::default();
        let key = |p: &str, path: &str| (p.to_string(), path.to_string());
        for row in models.sources() {
            let Ok(access) = parse_access(&row.access) else {
                continue;
            };
            index.packages.insert(row.package.clone());
            if let [AccessStep::Event(event), AccessStep::Parameter(n)] = access.as_slice() {
                index.events.entry(row.package.clone()).or_default().push((
                    event.clone(),
                    *n,
                    row.kind.clone(),
                ));
                continue;
            }
            index
                .sources
                .entry(key(&row.package, &row.path))
                .or_default()
                .push(SourceModel {
                    access,
                    kind: row.kind.clone(),
                });
        }
        for row in models.sanitizers() {
            index.packages.insert(row.package.clone());
            index
                .sanitizers
                .entry(key(&row.package, &row.path))
                .or_default()
                .extend(row.kinds.iter().cloned());
        }
        for row in models.summaries() {
            index.packages.insert(row.package.clone());
            let entry = index
                .summaries
                .entry(key(&row.package, &row.path))
                .or_default();
            if let (Ok([AccessStep::Argument(n)]), "ReturnValue") =
                (parse_access(&row.input).as_deref(), row.output.as_str())
            {
                entry.push(*n);
            }
        }
        for row in models.sinks() {
            index.packages.insert(row.package.clone());
            index
                .sinks
                .entry(key(&row.package, &row.path))
                .or_default()
                .push(row.kind.clone());
        }
        let with_sources: HashSet<&String> = index
            .sources
            .keys()
            .map(|(p, _)| p)
            .chain(index.events.keys())
            .collect();
        let mut packages: Vec<&String> = index.packages.iter().collect();
        packages.sort();
        let mut patterns = Vec::new();
        for p in packages {
            for quote in ['\'', '"', '`'] {
                patterns.push(format!("{quote}{p}"));
                index.quoted_sources.push(with_sources.contains(p));
            }
        }
        index.quoted = aho_corasick::AhoCorasick::new(&patterns).ok();
        index
    }

    /// Whether `source` may name a package whose model gives sources, in a `require` or
    /// `import` (a cheap text check before any binding is resolved).
    pub fn mentioned_in(&self, source: &str) -> bool {
        self.mentions(source, true)
    }

    /// Whether `source` may name any modelled package.
    pub fn any_mentioned_in(&self, source: &str) -> bool {
        self.mentions(source, false)
    }

    fn mentions(&self, source: &str, with_sources: bool) -> bool {
        let Some(automaton) = &self.quoted else {
            return false;
        };
        automaton.find_iter(source).any(|m| {
            !with_sources
                || self
                    .quoted_sources
                    .get(m.pattern().as_usize())
                    .copied()
                    .unwrap_or(false)
        })
    }

    /// Whether a model says that `path` of `package` is a sink of `kind` (`exec` of
    /// `child_process` is a `command` sink).
    pub fn is_sink(&self, kind: &str, package: &str, path: &str) -> bool {
        self.sinks
            .get(&(package.to_string(), path.to_string()))
            .is_some_and(|kinds| kinds.iter().any(|k| k == kind))
    }

    /// Whether any model names `package`.
    pub fn models_package(&self, package: &str) -> bool {
        self.packages.contains(package)
    }

    /// Source rows of calls of `package`'s `path`.
    pub fn sources_of(&self, package: &str, path: &str) -> &[SourceModel] {
        self.sources
            .get(&(package.to_string(), path.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Every source row of `package`, with its export path.
    pub fn sources_in_package<'m>(
        &'m self,
        package: &'m str,
    ) -> impl Iterator<Item = (&'m str, &'m SourceModel)> + 'm {
        self.sources
            .iter()
            .filter(move |((p, _), _)| p == package)
            .flat_map(|((_, path), rows)| rows.iter().map(move |r| (path.as_str(), r)))
    }

    /// The packages with `Event[...]` rows, sorted.
    pub fn event_packages(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.events.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// `Event[event].Parameter[n]` rows of `package`.
    pub fn events_of(&self, package: &str) -> &[(String, usize, String)] {
        self.events.get(package).map_or(&[], Vec::as_slice)
    }

    /// The sink kinds a call of `package`'s `path` makes its result safe for.
    pub fn sanitizer_kinds(&self, package: &str, path: &str) -> &[String] {
        self.sanitizers
            .get(&(package.to_string(), path.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The arguments whose data reaches the result of a call of `package`'s `path`, when a
    /// summary models it (`None`: not modelled, every argument may).
    pub fn summary_inputs(&self, package: &str, path: &str) -> Option<&[usize]> {
        self.summaries
            .get(&(package.to_string(), path.to_string()))
            .map(Vec::as_slice)
    }
}

/// What a name is bound to: a package and an export path inside it (`""` for the module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The package (or Node built-in, `node:` prefix removed).
    pub package: String,
    /// The export path (`parse`, `promises.readFile`).
    pub path: String,
}

/// A file's top-level bindings of names to modules.
#[derive(Debug, Default)]
pub struct Imports {
    names: HashMap<String, Binding>,
}

impl Imports {
    /// Collects the bindings made by the file's top-level statements (and those of a
    /// top-level function wrapper such as a UMD or Babel module body, one level down).
    pub fn collect(root: Node<'_>, source: &str, wanted: &dyn Fn(&str) -> bool) -> Imports {
        let mut imports = Imports::default();
        let mut statements: Vec<Node<'_>> = Vec::new();
        let mut cursor = root.walk();
        statements.extend(root.named_children(&mut cursor));
        // Two rounds: `var _fs = _interop(require('fs'))` then `var fs = _fs.default`. A
        // second round after a first that bound nothing would find nothing either.
        for _ in 0..2 {
            for &statement in &statements {
                imports.statement(statement, source, wanted);
            }
            if imports.names.is_empty() {
                break;
            }
        }
        imports
    }

    fn statement(&mut self, statement: Node<'_>, source: &str, wanted: &dyn Fn(&str) -> bool) {
        match statement.kind_name() {
            "lexical_declaration" | "variable_declaration" => {
                let mut cursor = statement.walk();
                for declarator in statement.named_children(&mut cursor) {
                    if declarator.kind_name() != "variable_declarator" {
                        continue;
                    }
                    // The value first: most bind nothing, and then the name is not needed.
                    let Some(binding) = declarator
                        .field("value")
                        .and_then(|value| self.resolve(value, source))
                    else {
                        continue;
                    };
                    if !wanted(&binding.package) {
                        continue;
                    }
                    let Some(name) = declarator.field("name") else {
                        continue;
                    };
                    self.bind_pattern(name, binding, source);
                }
            }
            "import_statement" => {
                let Some(module) = statement
                    .field("source")
                    .map(|s| unquote(node_text(s, source)))
                else {
                    return;
                };
                let package = package_of(module);
                if !wanted(&package) {
                    return;
                }
                let mut stack = vec![statement];
                while let Some(n) = stack.pop() {
                    match n.kind_name() {
                        "import_clause" | "named_imports" => {
                            let mut cursor = n.walk();
                            stack.extend(n.named_children(&mut cursor));
                        }
                        "import_statement" => {
                            let mut cursor = n.walk();
                            stack.extend(
                                n.named_children(&mut cursor)
                                    .filter(|c| c.kind_name() == "import_clause"),
                            );
                        }
                        // `import x from 'p'`
                        "identifier" => self.insert(node_text(n, source), &package, ""),
                        // `import * as x from 'p'`
                        "namespace_import" => {
                            let mut cursor = n.walk();
                            if let Some(id) = n
                                .named_children(&mut cursor)
                                .find(|c| c.kind_name() == "identifier")
                            {
                                self.insert(node_text(id, source), &package, "");
                            }
                        }
                        // `import { a as b } from 'p'`
                        "import_specifier" => {
                            let name = n.field("name").map(|x| node_text(x, source));
                            let alias = n.field("alias").map(|x| node_text(x, source));
                            if let Some(name) = name {
                                let local = alias.unwrap_or(name);
                                let path = if name == "default" { "" } else { name };
                                self.insert(local, &package, path);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "expression_statement" => {
                // A module wrapper: `(function () { ... })()` or `define(function (require) {...})`
                // is left alone; only plain assignments `x = require('p')` bind here.
                let Some(expr) = statement.named_child(0) else {
                    return;
                };
                if expr.kind_name() == "assignment_expression"
                    && let (Some(left), Some(right)) = (expr.field("left"), expr.field("right"))
                    && left.kind_name() == "identifier"
                    && let Some(binding) = self.resolve(right, source)
                    && wanted(&binding.package)
                {
                    self.names
                        .insert(node_text(left, source).to_string(), binding);
                }
            }
            _ => {}
        }
    }

    fn insert(&mut self, name: &str, package: &str, path: &str) {
        self.names.insert(
            name.to_string(),
            Binding {
                package: package.to_string(),
                path: path.to_string(),
            },
        );
    }

    fn bind_pattern(&mut self, pattern: Node<'_>, binding: Binding, source: &str) {
        match pattern.kind_name() {
            "identifier" => {
                self.names
                    .insert(node_text(pattern, source).to_string(), binding);
            }
            "object_pattern" => {
                let mut cursor = pattern.walk();
                for prop in pattern.named_children(&mut cursor) {
                    let (key, value) = match prop.kind_name() {
                        "shorthand_property_identifier_pattern" => {
                            (node_text(prop, source), Some(prop))
                        }
                        "pair_pattern" => (
                            prop.field("key")
                                .map(|k| node_text(k, source))
                                .unwrap_or(""),
                            prop.field("value"),
                        ),
                        "object_assignment_pattern" => {
                            let left = prop.field("left");
                            (left.map(|k| node_text(k, source)).unwrap_or(""), left)
                        }
                        _ => continue,
                    };
                    let Some(value) = value else { continue };
                    if value.kind_name() == "identifier"
                        || value.kind_name() == "shorthand_property_identifier_pattern"
                    {
                        self.names.insert(
                            node_text(value, source).to_string(),
                            Binding {
                                package: binding.package.clone(),
                                path: join(&binding.path, key),
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// What `expr` is bound to, if it names a module or an export of one.
    pub fn resolve(&self, expr: Node<'_>, source: &str) -> Option<Binding> {
        let mut expr = expr;
        // `(0, _cookie.parse)`, `(x)`: the value is the last expression.
        loop {
            match expr.kind_name() {
                "parenthesized_expression" => expr = expr.named_child(0)?,
                "sequence_expression" => {
                    let count = expr.named_child_count();
                    expr = expr.named_child(count.checked_sub(1)?)?;
                }
                _ => break,
            }
        }
        match expr.kind_name() {
            "identifier" => self.names.get(node_text(expr, source)).cloned(),
            "member_expression" => {
                let object = expr.field("object")?;
                let property = node_text(expr.field("property")?, source);
                let base = self.resolve(object, source)?;
                // Babel's interop: `_fs.default` is the module itself.
                if property == "default" && base.path.is_empty() {
                    return Some(base);
                }
                Some(Binding {
                    path: join(&base.path, property),
                    package: base.package,
                })
            }
            "call_expression" => {
                let callee = expr.field("function")?;
                let args = expr.field("arguments")?;
                let first = args.named_child(0);
                let callee_text = node_text(callee, source);
                if callee_text == "require" {
                    let arg = first.filter(|a| a.kind_name() == "string")?;
                    return Some(Binding {
                        package: package_of(unquote(node_text(arg, source))),
                        path: String::new(),
                    });
                }
                // `_interopRequireDefault(require('fs'))`, `__importDefault(...)`,
                // `promisify(exec)`, `util.promisify(fs.readFile)`: the same thing, wrapped.
                let last = callee_text.rsplit('.').next().unwrap_or(callee_text);
                if last.starts_with("_interopRequire")
                    || matches!(
                        last,
                        "__importDefault" | "__importStar" | "promisify" | "_interopDefault"
                    )
                {
                    return self.resolve(first?, source);
                }
                None
            }
            "await_expression" => self.resolve(expr.named_child(0)?, source),
            _ => None,
        }
    }

    /// Whether `name` is bound to anything.
    pub fn binds_name(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// Whether any name is bound to `package`.
    pub fn binds_package(&self, package: &str) -> bool {
        self.names.values().any(|b| b.package == package)
    }

    /// Whether nothing was bound.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

fn join(base: &str, property: &str) -> String {
    if base.is_empty() {
        property.to_string()
    } else {
        format!("{base}.{property}")
    }
}

fn unquote(text: &str) -> &str {
    text.trim_matches(|c| c == '\'' || c == '"' || c == '`')
}

/// `node:fs` -> `fs`; `fs/promises` -> `fs` with the path kept by the caller as written;
/// `@scope/name/sub` -> `@scope/name`; a relative module (`./lib/read`) is kept as written.
fn package_of(module: &str) -> String {
    if module.starts_with('.') {
        return module.to_string();
    }
    let module = module.strip_prefix("node:").unwrap_or(module);
    let mut parts = module.split('/');
    match parts.next() {
        Some(scope) if scope.starts_with('@') => match parts.next() {
            Some(name) => format!("{scope}/{name}"),
            None => scope.to_string(),
        },
        Some(name) => name.to_string(),
        None => String::new(),
    }
}
