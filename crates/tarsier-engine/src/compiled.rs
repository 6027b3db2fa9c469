//! Rules compiled for matching: the tree-sitter query built once, custom predicates resolved to
//! capture indexes, message templates split into literal text and capture references.

use crate::EngineError;
use tarsier_model::{RuleMeta, Severity};
use tarsier_rules::Rule;
use tree_sitter::{Query, QueryPredicateArg};

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
    /// `#file-has? @c "word" ...`: the file contains one of the words (`@c` only anchors it).
    FileHas(u32, Vec<String>),
    /// `#iterated-key? @c`: `@c` is a key from enumerating an object (`for...in`,
    /// `Object.keys(o).forEach(...)`).
    IteratedKey(u32),
    /// `#in-recursive-function? @c`: the named function around `@c` calls itself on a value
    /// indexed by `@c` (`merge(a[c], b[c])`).
    InRecursiveFunction(u32),
    /// `#html-flow? @c`: `@c` is request-derived and HTML markup in a string literal is on its
    /// way (in `@c` itself or in an assignment of its taint path).
    HtmlFlow(u32),
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
    /// The compiled query.
    pub query: Query,
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
    /// Rule-specific sanitizers.
    pub sanitizers: Vec<String>,
    /// Severity when `@arg` is not request-derived.
    pub untainted_severity: Option<Severity>,
}

impl CompiledRule {
    /// Compiles a query rule. Returns `Ok(None)` for analyzer rules.
    pub fn compile(rule: &Rule) -> Result<Option<CompiledRule>, EngineError> {
        let Some(source) = &rule.query else {
            return Ok(None);
        };
        let query = tarsier_parse::compile_query(source).map_err(|e| EngineError::Query {
            rule: rule.meta.id.clone(),
            file: rule.source.clone(),
            reason: e.to_string(),
        })?;
        let index_of = |name: &str| query.capture_index_for_name(name);
        let finding = index_of("finding").ok_or_else(|| EngineError::Query {
            rule: rule.meta.id.clone(),
            file: rule.source.clone(),
            reason: "no @finding capture".to_string(),
        })?;
        let mut predicates = Vec::with_capacity(query.pattern_count());
        for pattern in 0..query.pattern_count() {
            let mut list = Vec::new();
            for predicate in query.general_predicates(pattern) {
                let capture = predicate.args.iter().find_map(|a| match a {
                    QueryPredicateArg::Capture(c) => Some(*c),
                    QueryPredicateArg::String(_) => None,
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
                        QueryPredicateArg::String(s) => Some(s.to_string()),
                        QueryPredicateArg::Capture(_) => None,
                    })
                    .collect();
                let p = match predicate.operator.as_ref() {
                    "not-in-try?" => Predicate::NotInTry(capture),
                    "function-has?" | "function-lacks?" | "file-has?" if words.is_empty() => {
                        return Err(EngineError::Query {
                            rule: rule.meta.id.clone(),
                            file: rule.source.clone(),
                            reason: format!("#{} needs at least one word", predicate.operator),
                        });
                    }
                    "function-has?" => Predicate::FunctionHas(capture, words),
                    "function-lacks?" => Predicate::FunctionLacks(capture, words),
                    "file-has?" => Predicate::FileHas(capture, words),
                    "iterated-key?" => Predicate::IteratedKey(capture),
                    "in-recursive-function?" => Predicate::InRecursiveFunction(capture),
                    "html-flow?" => Predicate::HtmlFlow(capture),
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
            predicates.push(list);
        }
        let message = parse_template(&rule.message, |name| index_of(name));
        Ok(Some(CompiledRule {
            meta: rule.meta.clone(),
            arg: index_of("arg"),
            query,
            predicates,
            finding,
            message,
            requires: rule.requires.clone(),
            sanitizers: rule.sanitizers.clone(),
            untainted_severity: rule.untainted_severity,
        }))
    }

    /// Whether the pre-filter lets this rule run on `source`.
    pub fn may_match(&self, source: &str) -> bool {
        self.requires.is_empty() || self.requires.iter().any(|w| source.contains(w.as_str()))
    }
}

/// Every query rule's patterns in ONE tree-sitter query, so a file is traversed once for all
/// rules rather than once per rule (the traversal, not the parse, dominated the scan time).
/// Rules keep their own compiled query for validation; matching uses this one.
#[derive(Debug)]
pub struct CombinedQuery {
    /// The combined query.
    pub query: Query,
    /// For each combined pattern: (rule index, the pattern's index in the rule's own query).
    pub owner: Vec<(usize, usize)>,
    /// Per rule: the rule's own capture index -> the combined query's capture index.
    pub capture_map: Vec<Vec<u32>>,
}

impl CombinedQuery {
    /// Concatenates the rules' query sources (`sources[i]` belongs to `rules[i]`) and maps
    /// patterns and captures back to each rule.
    pub fn build(rules: &[CompiledRule], sources: &[&str]) -> Result<CombinedQuery, EngineError> {
        let text = sources.join("\n");
        let query = tarsier_parse::compile_query(&text).map_err(|e| EngineError::Query {
            rule: "<combined>".to_string(),
            file: "<all rules>".to_string(),
            reason: e.to_string(),
        })?;
        let mut owner = Vec::with_capacity(query.pattern_count());
        for (index, rule) in rules.iter().enumerate() {
            owner.extend((0..rule.query.pattern_count()).map(|p| (index, p)));
        }
        if owner.len() != query.pattern_count() {
            return Err(EngineError::Query {
                rule: "<combined>".to_string(),
                file: "<all rules>".to_string(),
                reason: format!(
                    "{} patterns in the combined query, {} in the rules",
                    query.pattern_count(),
                    owner.len()
                ),
            });
        }
        let capture_map = rules
            .iter()
            .map(|rule| {
                rule.query
                    .capture_names()
                    .iter()
                    .map(|name| query.capture_index_for_name(name).unwrap_or(u32::MAX))
                    .collect()
            })
            .collect();
        Ok(CombinedQuery {
            query,
            owner,
            capture_map,
        })
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
