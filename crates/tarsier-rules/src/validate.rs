//! Rule validation: everything that can be checked without running the rule (its test cases are
//! run by the engine's self-test). Every problem is reported, not just the first.

use crate::RuleProblem;
use crate::schema::Rule;

/// Sections every rule's help must have, in the spirit of ruff's rule documentation.
pub const REQUIRED_HELP_SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
];

/// Built-in analyzers a rule may name instead of a query.
pub const KNOWN_ANALYZERS: &[&str] = &[
    // One name per line, so additions from different branches merge cleanly.
    "redos-exponential",
    "redos-polynomial",
    "supply-install-script",
    "supply-obfuscated-code",
    "supply-exfiltration",
    "supply-dynamic-require",
    "supply-native-binary",
    "supply-typosquat",
    "supply-release-install-script",
    "supply-release-new-dependency",
    "supply-release-new-file",
    "supply-release-entry-point",
    "supply-release-size-jump",
    "supply-registry-signature",
    "supply-provenance-dropped",
    "supply-new-publisher",
    "supply-maintainers-changed",
    "supply-worm-move",
    "supply-release-changed-code",
    "supply-verdict",
];

/// Custom query predicates the engine implements (besides tree-sitter's own `#eq?`, `#match?`,
/// `#any-of?` and their `#not-` forms).
pub const KNOWN_PREDICATES: &[&str] = &[
    // One name per line, so additions from different branches merge cleanly.
    "not-literal?",
    "literal?",
    "request-derived?",
    "not-request-derived?",
    "not-in-try?",
    "function-has?",
    "function-lacks?",
    "file-has?",
    "iterated-key?",
    "in-recursive-function?",
    "html-flow?",
    "class-admits?",
    "file-lacks?",
    "writes-by-key?",
    "constant-string?",
    "caller-request-derived?",
    "bound-to?",
    "assigned-from?",
];

/// Checks one rule; returns its problems (empty when valid).
pub fn validate_rule(rule: &Rule) -> Vec<RuleProblem> {
    check_rule(rule, true)
}

/// [`validate_rule`] without compiling the query with tree-sitter (for the shipped rules,
/// which the tests validate in full).
pub fn validate_rule_without_query(rule: &Rule) -> Vec<RuleProblem> {
    check_rule(rule, false)
}

fn check_rule(rule: &Rule, compile_query: bool) -> Vec<RuleProblem> {
    let mut problems = Vec::new();
    let mut problem = |message: String| {
        problems.push(RuleProblem {
            file: rule.source.clone(),
            rule_id: Some(rule.meta.id.clone()),
            message,
        })
    };
    let meta = &rule.meta;
    if !valid_id(&meta.id) {
        problem("the id must be `pack/name` in lowercase letters, digits and dashes".into());
    }
    if meta.name.trim().is_empty() {
        problem("`name` is empty".into());
    }
    if !(0.0..=10.0).contains(&meta.security_severity) {
        problem(format!(
            "`security-severity` must be between 0.0 and 10.0, not {}",
            meta.security_severity
        ));
    }
    if meta.cwe.is_empty() {
        problem("`cwe` must list at least one CWE id".into());
    }
    for cwe in &meta.cwe {
        let ok = cwe
            .strip_prefix("CWE-")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            problem(format!("`{cwe}` is not a CWE id like `CWE-79`"));
        }
    }
    if rule.message.trim().is_empty() {
        problem("`message` is empty".into());
    }
    for section in REQUIRED_HELP_SECTIONS {
        if !meta.help_markdown.contains(section) {
            problem(format!("`help` lacks the section `{section}`"));
        }
    }
    if !meta.help_markdown.contains("```") {
        problem("`help` has no code example (a fenced block)".into());
    }
    match (&rule.query, &rule.analyzer) {
        (Some(_), Some(_)) => problem("a rule has either `query` or `analyzer`, not both".into()),
        (None, None) => problem("a rule needs a `query` or an `analyzer`".into()),
        (None, Some(analyzer)) => {
            if !KNOWN_ANALYZERS.contains(&analyzer.as_str()) {
                problem(format!(
                    "unknown analyzer `{analyzer}` (known: {})",
                    KNOWN_ANALYZERS.join(", ")
                ));
            }
        }
        (Some(_), None) if !compile_query => {}
        (Some(query), None) => match tarsier_parse::compile_query(query) {
            Err(e) => problem(format!("`query` does not compile: {e}")),
            Ok(compiled) => {
                let names = compiled.capture_names();
                if !names.contains(&"finding") {
                    problem("`query` has no `@finding` capture to place results".into());
                }
                for placeholder in placeholders(&rule.message) {
                    if !names.contains(&placeholder) {
                        problem(format!(
                            "`message` uses `{{{{{placeholder}}}}}` but the query has no such capture"
                        ));
                    }
                }
                for pattern in 0..compiled.pattern_count() {
                    for predicate in compiled.general_predicates(pattern) {
                        if !KNOWN_PREDICATES.contains(&predicate.operator.as_ref()) {
                            problem(format!(
                                "unknown predicate `#{}` (known: {})",
                                predicate.operator,
                                KNOWN_PREDICATES.join(", ")
                            ));
                        }
                        // `#bound-to? @c "sink:KIND"` names the models' sinks of a kind.
                        if predicate.operator.as_ref() == "bound-to?" {
                            for arg in predicate.args.iter() {
                                if let tree_sitter::QueryPredicateArg::String(word) = arg
                                    && let Some(kind) = word.strip_prefix("sink:")
                                    && !crate::models::SINK_KINDS.contains(&kind)
                                {
                                    problem(format!(
                                        "`#bound-to?` names unknown sink kind `{kind}` (known: {})",
                                        crate::models::SINK_KINDS.join(", ")
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        },
    }
    for kind in &rule.sink_kinds {
        if !crate::models::SINK_KINDS.contains(&kind.as_str()) {
            problem(format!(
                "unknown sink kind `{kind}` (known: {})",
                crate::models::SINK_KINDS.join(", ")
            ));
        }
    }
    if rule.tests.invalid.is_empty() {
        problem("`tests.invalid` needs at least one case that must match".into());
    }
    if rule.tests.valid.is_empty() {
        problem("`tests.valid` needs at least one case that must not match".into());
    }
    for (i, case) in rule.tests.invalid.iter().enumerate() {
        if case.line.is_some() && case.lines.is_some() {
            problem(format!(
                "invalid case {}: give `line` or `lines`, not both",
                i + 1
            ));
        }
        if case.expected_lines().is_empty() {
            problem(format!(
                "invalid case {}: say where the finding is with `line` or `lines`",
                i + 1
            ));
        }
    }
    problems
}

fn valid_id(id: &str) -> bool {
    let mut parts = id.split('/');
    let ok = |s: Option<&str>| {
        s.is_some_and(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// The `{{name}}` placeholders of a message template.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_placeholders() {
        assert!(valid_id("express/open-redirect"));
        assert!(!valid_id("Express/open"));
        assert!(!valid_id("express"));
        assert!(!valid_id("a/b/c"));
        assert_eq!(placeholders("`{{sink}}` to {{ arg }}"), vec!["sink", "arg"]);
    }
}
