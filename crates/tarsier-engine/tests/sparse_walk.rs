//! The sparse walk (only the nodes around a rule's text anchors, see `tarsier_engine::anchor`)
//! finds exactly what a walk of every node finds: on every rule case, every corpus file, and
//! hand-written queries whose anchors are easy to get wrong.
#![allow(clippy::unwrap_used)]

mod common;

use common::{corpus_dir, javascript_files, rule_cases};
use tarsier_engine::{Engine, EngineOptions, ScanReport};
use tarsier_rules::RuleSet;

fn engines(rules: &RuleSet) -> (Engine, Engine) {
    let sparse = Engine::new(rules, EngineOptions::default()).unwrap();
    let full = Engine::new(
        rules,
        EngineOptions {
            sparse_walk: false,
            ..EngineOptions::default()
        },
    )
    .unwrap();
    (sparse, full)
}

/// Scans `code` both ways, asserts the reports are equal and returns one.
fn same_both_ways(engines: &(Engine, Engine), path: &str, code: &str) -> ScanReport {
    let sparse = engines.0.scan_source(path, code.as_bytes());
    let full = engines.1.scan_source(path, code.as_bytes());
    assert_eq!(sparse, full, "{path}: the sparse walk differs\n{code}");
    sparse
}

#[test]
fn same_findings_on_every_rule_case_and_corpus_file() {
    let rules = tarsier_rules::embedded().unwrap();
    let engines = engines(&rules);
    let mut findings = 0;
    let mut inputs = 0;
    for rule in &rules.rules {
        for code in rule_cases(rule) {
            findings += same_both_ways(&engines, "case.js", code).findings.len();
            inputs += 1;
        }
    }
    let files = javascript_files(&corpus_dir());
    assert!(files.len() >= 10, "{} corpus files", files.len());
    for file in &files {
        let code = std::fs::read_to_string(file).unwrap();
        findings += same_both_ways(&engines, &file.to_string_lossy(), &code)
            .findings
            .len();
        inputs += 1;
    }
    assert!(
        inputs > 150 && findings > 100,
        "{inputs} inputs, {findings} findings"
    );
}

/// A rule set of one query rule (the metadata of a shipped rule, no pre-filter words).
fn query_rule(query: &str) -> RuleSet {
    let mut rules = tarsier_rules::embedded().unwrap();
    let mut rule = rules
        .rules
        .iter()
        .find(|r| r.query.is_some())
        .cloned()
        .unwrap();
    rule.query = Some(query.to_string());
    rule.requires.clear();
    rule.sanitizers.clear();
    rule.untainted_severity = None;
    rules.rules = vec![rule];
    rules
}

#[test]
fn anchors_that_are_easy_to_get_wrong() {
    // (query, code, findings expected): each must find the same both ways, and find them.
    let cases: &[(&str, &str, usize)] = &[
        // A string fragment after an escape touches an identifier character: `\nsend`.
        (
            r#"((string_fragment) @finding (#eq? @finding "send"))"#,
            "x('\\nsend'); y('\\x41send');",
            2,
        ),
        // An optional child's predicate does not make its text necessary.
        (
            r#"((call_expression function: (identifier) @f arguments: (arguments (identifier)? @a)) @finding (#eq? @a "zed"))"#,
            "f(); g(1);",
            2,
        ),
        // Alternatives: each brings its own anchor.
        (
            r#"([(true) (null)] @finding)"#,
            "a = true; b = null; c = false;",
            2,
        ),
        // Anonymous keyword tokens.
        (
            r#"((unary_expression operator: "typeof" argument: (_)) @finding)"#,
            "if (typeof(x) === 'y' || typeof z) {}",
            2,
        ),
        // Case-insensitive regexes, including Unicode case folding (`ſ` is an `s`).
        (
            r#"((identifier) @finding (#match? @finding "(?i)secret"))"#,
            "let SECRET = 1, mySecretKey = 2, ſecret = 3, other = 4;",
            3,
        ),
        // Subscript assignments, with a comment before the `=`.
        (
            r#"((assignment_expression left: (subscript_expression) right: (_)) @finding)"#,
            "a[k] = 1; b[k] /* c */ = 2; c[k]\n= 3; d[k] == 4; e[k] += 5;",
            3,
        ),
        // A callee's name is followed by its arguments, however they are spelled.
        (
            r#"((call_expression function: (member_expression property: (property_identifier) @m)) @finding (#eq? @m "send"))"#,
            "a.send(1); b.send?.(2); c.send`t`; d.send /* c */ (3); e.send\n(4); f.send\u{b}(5);\n\
             g.send; h['send'](6); i.sender(7);",
            6,
        ),
        // `new` without arguments has no `(` after the name; with them required it has.
        (
            r#"((new_expression constructor: (identifier) @c) @finding (#eq? @c "Foo"))"#,
            "new Foo; new Foo(1); new Foo\n(2);",
            3,
        ),
        (
            r#"((new_expression constructor: (identifier) @c arguments: (arguments)) @finding (#eq? @c "Foo"))"#,
            "new Foo; new Foo(1); new Foo\n(2);",
            2,
        ),
        // A pattern without any anchor falls back to the full walk.
        ("((identifier) @finding)", "a; b; c;", 3),
    ];
    for (query, code, expected) in cases {
        let engines = engines(&query_rule(query));
        let report = same_both_ways(&engines, "q.js", code);
        assert_eq!(report.findings.len(), *expected, "{query}\n{code}");
    }
}

#[test]
fn regular_expressions_are_found_wherever_they_start() {
    let rules = tarsier_rules::embedded().unwrap();
    let mut only_redos = rules.clone();
    only_redos.rules.retain(|r| r.meta.id.starts_with("redos/"));
    assert!(!only_redos.rules.is_empty());
    let engines = engines(&only_redos);
    let code = "a = b / c / d; x = /(a+)+$/; y = [/(b+)+$/, 1 / 2];\n\
                /* note *//(c+)+$/.test(s);\n\
                if (ok) /(d+)+$/.test(s);\n\
                s.replace(/\\//g, '');\n\
                z = `${/(e+)+$/.source}`;\n\
                q = x // comment /(f+)+$/\n\
                w = /[/](g+)+$/;\n";
    let report = same_both_ways(&engines, "re.js", code);
    let lines: std::collections::BTreeSet<usize> =
        report.findings.iter().map(|f| f.span.start_line).collect();
    assert_eq!(
        lines.into_iter().collect::<Vec<_>>(),
        vec![1, 2, 3, 5, 7],
        "{:#?}",
        report.findings
    );
}
