//! Rules compiled for matching: the tree-sitter query built once, custom predicates resolved to
//! capture indexes, message templates split into literal text and capture references.

use crate::EngineError;
use crate::pattern::{self, KeyValues, PredicateArg, RuleQuery};
use std::num::NonZeroU16;
use tarsier_model::FnvHashMap;
use tarsier_model::{RuleMeta, Severity};
use tarsier_rules::Rule;
use tree_sitter::Language;
use tree_sitter::Node;

/// A custom predicate of one query pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// `#literal? @c`
    Literal(u32),
    /// `#not-literal? @c`
    NotLiteral(u32),
    /// `#request-derived? @c`
    RequestDerived(u32),
    /// `#not-request-derived? @c`
    NotRequestDerived(u32),
    /// `#not-in-try? @c`: not inside a `try` block of its own function.
    NotInTry(u32),
    /// `#function-has? @c "word" ...`: the function around `@c` contains one of the words.
    FunctionHas(u32, Vec<String>),
    /// `#function-lacks? @c "word" ...`: the function around `@c` contains none of the words.
    FunctionLacks(u32, Vec<String>),
    /// `#bound-to? @c "package" ...`: `@c` names (through the file's `require`s and `import`s
    /// of modelled packages) one of the packages, or one of their exports (`fs.promises`).
    BoundTo(u32, Vec<String>),
    /// `#file-has? @c "word" ...`: the file contains one of the words (`@c` only anchors it).
    FileHas(u32, Vec<String>),
    /// `#file-lacks? @c "word" ...`: the file contains none of the words (`@c` only anchors it).
    FileLacks(u32, Vec<String>),
    /// `#writes-by-key? @c`: the function around `@c` assigns to `@c[k]` with a computed `k`
    /// (a set-by-path walk, as opposed to a get-by-path one).
    WritesByKey(u32),
    /// `#assigned-from? @c "name" ...`: the identifier `@c` was last assigned, before it in its
    /// function, a value that calls one of the names (`p = path.normalize(u)` for
    /// `"normalize"`; see [`crate::structure::assigned_from`]).
    AssignedFrom(u32, Vec<String>),
    /// `#iterated-key? @c`: `@c` is a key from enumerating an object (`for...in`,
    /// `Object.keys(o).forEach(...)`).
    IteratedKey(u32),
    /// `#in-recursive-function? @c`: the named function around `@c` calls itself on a value
    /// indexed by `@c` (`merge(a[c], b[c])`).
    InRecursiveFunction(u32),
    /// `#class-admits? @c "chars" ...`: `@c` is a regex literal made of one anchored, repeated
    /// character class (`/^[...]+$/`) that admits one of the characters (see
    /// [`crate::charclass`]).
    ClassAdmits(u32, Vec<String>),
    /// `#constant-string? @c`: `@c` is a string literal or a name bound in the file to one (a
    /// `const`, or a property of a constant object literal; see
    /// [`crate::structure::constant_string`]).
    ConstantString(u32),
    /// `#caller-request-derived? @c`: `@c` mentions a parameter of its named function, and a
    /// call of that function in the file passes request data for it (a helper one call away
    /// from the handler; see [`crate::structure::caller_arguments`]).
    CallerRequestDerived(u32),
    /// `#html-flow? @c`: `@c` is request-derived and HTML markup in a string literal is on its
    /// way (in `@c` itself or in an assignment of its taint path).
    HtmlFlow(u32),
}

impl Predicate {
    /// How much asking costs, in classes: a look at the capture or the file's text, a walk of
    /// the function around it, then taint (scopes of every function around the capture).
    fn cost(&self) -> u8 {
        match self {
            Predicate::Literal(_)
            | Predicate::NotLiteral(_)
            | Predicate::FileHas(..)
            | Predicate::FileLacks(..)
            | Predicate::ClassAdmits(..) => 0,
            Predicate::NotInTry(_)
            | Predicate::FunctionHas(..)
            | Predicate::FunctionLacks(..)
            | Predicate::BoundTo(..)
            | Predicate::IteratedKey(_)
            | Predicate::WritesByKey(_)
            | Predicate::AssignedFrom(..)
            | Predicate::ConstantString(_) => 1,
            Predicate::InRecursiveFunction(_) => 2,
            Predicate::RequestDerived(_)
            | Predicate::NotRequestDerived(_)
            | Predicate::HtmlFlow(_)
            | Predicate::CallerRequestDerived(_) => 3,
        }
    }
}

/// A piece of a message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessagePart {
    /// Literal text.
    Text(String),
    /// The source text of a capture.
    Capture(u32),
}

/// A query rule ready to run.
#[derive(Debug)]
pub struct CompiledRule {
    /// Metadata.
    pub meta: RuleMeta,
    /// The parsed query (tarsier's matcher, [`crate::pattern`]).
    pub query: RuleQuery,
    /// Custom predicates, per pattern index.
    pub predicates: Vec<Vec<Predicate>>,
    /// Index of the `@finding` capture.
    pub finding: u32,
    /// Index of the `@arg` capture, if any (decides `untainted-severity`).
    pub arg: Option<u32>,
    /// Message template.
    pub message: Vec<MessagePart>,
    /// Pre-filter words.
    pub requires: Vec<String>,
    /// Rule-specific sanitizers, with the rule's sink kinds and library-input choice: the key
    /// under which it asks about taint ([`crate::taint::taint_key`]).
    pub sanitizers: Vec<String>,
    /// Whether parameters of exported functions are a (lower-precision) source for it.
    pub library_inputs: bool,
    /// Severity when `@arg` is not request-derived.
    pub untainted_severity: Option<Severity>,
}

impl CompiledRule {
    /// Compiles a query rule. Returns `Ok(None)` for analyzer rules.
    pub fn compile(rule: &Rule, language: &Language) -> Result<Option<CompiledRule>, EngineError> {
        let Some(source) = &rule.query else {
            return Ok(None);
        };
        let query = pattern::parse_query(source, language).map_err(|e| EngineError::Query {
            rule: rule.meta.id.clone(),
            file: rule.source.clone(),
            reason: e.to_string(),
        })?;
        let index_of = |name: &str| query.capture_index(name);
        let finding = index_of("finding").ok_or_else(|| EngineError::Query {
            rule: rule.meta.id.clone(),
            file: rule.source.clone(),
            reason: "no @finding capture".to_string(),
        })?;
        let mut predicates = Vec::with_capacity(query.patterns.len());
        for pattern in &query.patterns {
            let mut list = Vec::new();
            for predicate in &pattern.general {
                let capture = predicate.args.iter().find_map(|a| match a {
                    PredicateArg::Capture(c) => Some(*c),
                    PredicateArg::String(_) => None,
                });
                let Some(capture) = capture else {
                    return Err(EngineError::Query {
                        rule: rule.meta.id.clone(),
                        file: rule.source.clone(),
                        reason: format!("#{} needs a capture argument", predicate.operator),
                    });
                };
                let words: Vec<String> = predicate
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        PredicateArg::String(s) => Some(s.clone()),
                        PredicateArg::Capture(_) => None,
                    })
                    .collect();
                let p = match predicate.operator.as_ref() {
                    "not-in-try?" => Predicate::NotInTry(capture),
                    "function-has?" | "function-lacks?" | "file-has?" | "class-admits?"
                    | "bound-to?" | "assigned-from?"
                        if words.is_empty() =>
                    {
                        return Err(EngineError::Query {
                            rule: rule.meta.id.clone(),
                            file: rule.source.clone(),
                            reason: format!("#{} needs at least one word", predicate.operator),
                        });
                    }
                    "function-has?" => Predicate::FunctionHas(capture, words),
                    "function-lacks?" => Predicate::FunctionLacks(capture, words),
                    "file-has?" => Predicate::FileHas(capture, words),
                    "bound-to?" => Predicate::BoundTo(capture, words),
                    "file-lacks?" => Predicate::FileLacks(capture, words),
                    "writes-by-key?" => Predicate::WritesByKey(capture),
                    "assigned-from?" => Predicate::AssignedFrom(capture, words),
                    "iterated-key?" => Predicate::IteratedKey(capture),
                    "class-admits?" => Predicate::ClassAdmits(capture, words),
                    "in-recursive-function?" => Predicate::InRecursiveFunction(capture),
                    "html-flow?" => Predicate::HtmlFlow(capture),
                    "constant-string?" => Predicate::ConstantString(capture),
                    "caller-request-derived?" => Predicate::CallerRequestDerived(capture),
                    "literal?" => Predicate::Literal(capture),
                    "not-literal?" => Predicate::NotLiteral(capture),
                    "request-derived?" => Predicate::RequestDerived(capture),
                    "not-request-derived?" => Predicate::NotRequestDerived(capture),
                    other => {
                        return Err(EngineError::Query {
                            rule: rule.meta.id.clone(),
                            file: rule.source.clone(),
                            reason: format!("unknown predicate #{other}"),
                        });
                    }
                };
                list.push(p);
            }
            // All must hold: the cheap ones are asked first, so that a match they reject
            // computes no taint scope (taint predicates keep their order: the last one that
            // holds gives the finding its path).
            list.sort_by_key(Predicate::cost);
            predicates.push(list);
        }
        let message = parse_template(&rule.message, index_of);
        Ok(Some(CompiledRule {
            meta: rule.meta.clone(),
            arg: index_of("arg"),
            predicates,
            finding,
            message,
            requires: rule.requires.clone(),
            sanitizers: crate::taint::taint_key(
                &rule.sanitizers,
                &rule.sink_kinds,
                rule.library_inputs,
            ),
            library_inputs: rule.library_inputs,
            untainted_severity: rule.untainted_severity,
            query,
        }))
    }

    /// Whether the pre-filter lets this rule run on `source` (the engine decides it for all
    /// rules at once in [`crate::anchor::AnchorIndex::scan`]; a test keeps the two equal).
    pub fn may_match(&self, source: &str) -> bool {
        self.requires.is_empty() || self.requires.iter().any(|w| source.contains(w.as_str()))
    }
}

/// Which patterns can start at each node kind, so one walk of a file's tree dispatches every
/// node to the few patterns rooted at its kind (most nodes have none); patterns with
/// [dispatch keys](crate::pattern::Pattern::dispatch_keys) are further selected by the text or
/// kind their key paths lead to, so a call is tried only against the rules that name its
/// method. Key maps use FNV-1a: the keys are short names from the rules, not attacker input.
#[derive(Debug, Default)]
pub struct PatternIndex {
    /// By node kind id.
    by_kind: Vec<KindEntry>,
    /// Patterns whose root is `(_)` or `_`: tried at every node.
    anywhere: Vec<(usize, usize)>,
}

/// The patterns rooted at one node kind.
#[derive(Debug, Default)]
struct KindEntry {
    /// Tried at every node of the kind: (rule index, pattern index).
    always: Vec<(usize, usize)>,
    /// Tried when the node at a field path has one of the key's texts or kinds.
    keyed: Vec<KeyGroup>,
}

/// First fields of key paths remembered per node by [`PatternIndex::candidates`].
const FIRST_FIELDS: usize = 8;

/// Patterns sharing a key path, by the text or the kind they need there.
#[derive(Debug, Default)]
struct KeyGroup {
    path: Vec<NonZeroU16>,
    by_text: FnvHashMap<String, Vec<(usize, usize)>>,
    by_kind: FnvHashMap<u16, Vec<(usize, usize)>>,
}

impl PatternIndex {
    /// Indexes every pattern of `rules` by the kinds of node it can start at.
    pub fn build(rules: &[CompiledRule]) -> PatternIndex {
        let mut index = PatternIndex::default();
        for (r, rule) in rules.iter().enumerate() {
            for (p, pattern) in rule.query.patterns.iter().enumerate() {
                if pattern.starts_anywhere() {
                    index.anywhere.push((r, p));
                    continue;
                }
                let keys = pattern.dispatch_keys();
                for kind in pattern.root_kinds() {
                    let slot = usize::from(kind);
                    if index.by_kind.len() <= slot {
                        index.by_kind.resize_with(slot + 1, KindEntry::default);
                    }
                    let entry = &mut index.by_kind[slot];
                    let Some(keys) = &keys else {
                        entry.always.push((r, p));
                        continue;
                    };
                    for (path, values) in keys {
                        let group = match entry.keyed.iter().position(|g| &g.path == path) {
                            Some(i) => &mut entry.keyed[i],
                            None => {
                                entry.keyed.push(KeyGroup {
                                    path: path.clone(),
                                    ..KeyGroup::default()
                                });
                                let last = entry.keyed.len() - 1;
                                &mut entry.keyed[last]
                            }
                        };
                        let add = |list: &mut Vec<(usize, usize)>| {
                            if !list.contains(&(r, p)) {
                                list.push((r, p));
                            }
                        };
                        match values {
                            KeyValues::Texts(texts) => {
                                for t in texts {
                                    add(group.by_text.entry(t.clone()).or_default());
                                }
                            }
                            KeyValues::Kinds(kinds) => {
                                for k in kinds {
                                    add(group.by_kind.entry(*k).or_default());
                                }
                            }
                        }
                    }
                }
            }
        }
        index
    }

    /// Whether any pattern can start at a node of kind `kind`.
    pub fn has_kind(&self, kind: u16) -> bool {
        !self.anywhere.is_empty()
            || self
                .by_kind
                .get(usize::from(kind))
                .is_some_and(|e| !e.always.is_empty() || !e.keyed.is_empty())
    }

    /// Puts in `out` the (rule, pattern) pairs worth trying at `node` (of kind `kind`), in rule
    /// then pattern order.
    pub fn candidates(
        &self,
        node: Node<'_>,
        kind: u16,
        source: &str,
        out: &mut Vec<(usize, usize)>,
    ) {
        out.clear();
        if let Some(entry) = self.by_kind.get(usize::from(kind)) {
            out.extend_from_slice(&entry.always);
            // Groups share their first field (`function`, `function.property`,
            // `function.object`): each such child is looked up once.
            let mut firsts: [(u16, Option<Node<'_>>); FIRST_FIELDS] = [(0, None); FIRST_FIELDS];
            let mut known = 0;
            for group in &entry.keyed {
                let target = match group.path.split_first() {
                    None => Some(node),
                    Some((head, rest)) => {
                        let field = head.get();
                        let cached = firsts.get(..known).and_then(|f| {
                            f.iter()
                                .find(|(id, _)| *id == field)
                                .map(|&(_, child)| child)
                        });
                        let child = match cached {
                            Some(child) => child,
                            None => {
                                let child = node.child_by_field_id(field);
                                if let Some(slot) = firsts.get_mut(known) {
                                    *slot = (field, child);
                                    known += 1;
                                }
                                child
                            }
                        };
                        child.and_then(|c| pattern::node_at(c, rest))
                    }
                };
                let Some(target) = target else {
                    continue;
                };
                if !group.by_kind.is_empty()
                    && let Some(list) = group.by_kind.get(&target.kind_id())
                {
                    out.extend_from_slice(list);
                }
                if !group.by_text.is_empty()
                    && let Some(list) = source
                        .get(target.byte_range())
                        .and_then(|text| group.by_text.get(text))
                {
                    out.extend_from_slice(list);
                }
            }
        }
        out.extend_from_slice(&self.anywhere);
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
    }
}

fn parse_template(template: &str, index_of: impl Fn(&str) -> Option<u32>) -> Vec<MessagePart> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        if start > 0 {
            parts.push(MessagePart::Text(rest[..start].to_string()));
        }
        let name = after[..end].trim();
        match index_of(name) {
            Some(i) => parts.push(MessagePart::Capture(i)),
            None => parts.push(MessagePart::Text(format!("{{{{{name}}}}}"))),
        }
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        parts.push(MessagePart::Text(rest.to_string()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Most built-in patterns name their method or callee, so most nodes are tried against few
    /// patterns: the dispatch keys must exist.
    #[test]
    fn built_in_patterns_mostly_have_dispatch_keys() {
        let rules = tarsier_rules::embedded().expect("rules");
        let language = tarsier_parse::language();
        let (mut keyed, mut total) = (0, 0);
        for rule in &rules.rules {
            if let Ok(Some(c)) = CompiledRule::compile(rule, &language) {
                for p in &c.query.patterns {
                    total += 1;
                    if p.dispatch_keys().is_some() {
                        keyed += 1;
                    } else {
                        eprintln!("no key: {} {:?}", rule.meta.id, p.root_kinds());
                    }
                }
            }
        }
        assert!(keyed * 10 >= total * 7, "{keyed} of {total} patterns keyed");
    }
}

#[cfg(test)]
mod agreement {
    use super::*;

    /// tarsier's query parser reads every shipped rule as tree-sitter does: the same number of
    /// patterns and the same capture names in the same order (the indexes predicates and
    /// message templates use).
    #[test]
    fn parser_agrees_with_tree_sitter_on_shipped_rules() {
        let rules = tarsier_rules::embedded().expect("rules");
        let language = tarsier_parse::language();
        let mut checked = 0;
        for rule in &rules.rules {
            let Some(source) = &rule.query else {
                continue;
            };
            let ours = pattern::parse_query(source, &language).expect("our parser");
            let theirs = tarsier_parse::compile_query(source).expect("tree-sitter");
            assert_eq!(
                ours.patterns.len(),
                theirs.pattern_count(),
                "{}",
                rule.meta.id
            );
            assert_eq!(
                ours.capture_names,
                theirs.capture_names().to_vec(),
                "{}",
                rule.meta.id
            );
            checked += 1;
        }
        assert!(checked >= 16, "{checked} query rules");
    }
}
