//! Engine behaviour beyond single rules: taint paths, suppressions, bad files, determinism.
#![allow(clippy::unwrap_used)]

use tarsier_engine::{Engine, EngineOptions, SuppressionMode};
use tarsier_model::{NotificationLevel, Severity, SuppressionKind};

fn engine(options: EngineOptions) -> Engine {
    Engine::new(&tarsier_rules::embedded().unwrap(), options).unwrap()
}

#[test]
fn taint_flow_goes_from_source_through_assignments_to_sink() {
    let src = "app.get('/a', (req, res) => {\n  const { next } = req.query;\n  const url = '/x/' + next.trim();\n  res.redirect(url);\n});\n";
    let report = engine(EngineOptions::default()).scan_source("a.js", src.as_bytes());
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule_id == "express/open-redirect")
        .unwrap();
    let lines: Vec<usize> = finding.flow.iter().map(|s| s.span.start_line).collect();
    assert_eq!(lines, vec![2, 2, 3, 4]);
    assert!(
        finding.flow[0].message.contains("query"),
        "{:?}",
        finding.flow
    );
    assert_eq!(finding.span.start_line, 4);
    assert_eq!(finding.span.start_column, 3);
    assert!(finding.snippet.contains("res.redirect(url)"));
}

#[test]
fn untainted_input_lowers_severity() {
    let src = "eval(code);\napp.post('/', (req, res) => eval(req.body.x));\n";
    let report = engine(EngineOptions::default()).scan_source("a.js", src.as_bytes());
    let sev: Vec<(usize, Severity)> = report
        .findings
        .iter()
        .map(|f| (f.span.start_line, f.severity))
        .collect();
    assert_eq!(sev, vec![(1, Severity::Warning), (2, Severity::Error)]);
    assert!(report.findings[0].flow.is_empty());
    assert!(!report.findings[1].flow.is_empty());
}

#[test]
fn suppressions_are_honoured_in_lint_and_reported_in_scan() {
    let src = "// tarsier-ignore-next-line node/dynamic-code -- fixed input from config\neval(code);\neval(other);\n";
    let lint = engine(EngineOptions::default()).scan_source("a.js", src.as_bytes());
    assert_eq!(lint.findings.len(), 2);
    let s = lint.findings[0].suppression.as_ref().unwrap();
    assert_eq!(s.kind, SuppressionKind::InSource);
    assert_eq!(s.justification.as_deref(), Some("fixed input from config"));
    assert!(lint.findings[1].suppression.is_none());

    let scan = engine(EngineOptions {
        suppressions: SuppressionMode::Report,
        ..EngineOptions::default()
    })
    .scan_source("a.js", src.as_bytes());
    assert!(scan.findings.iter().all(|f| f.suppression.is_none()));
    assert_eq!(scan.notifications.len(), 1);
    assert_eq!(scan.notifications[0].code, "suppression-not-honoured");
    assert_eq!(scan.notifications[0].level, NotificationLevel::Note);
}

#[test]
fn bad_files_become_notifications() {
    let e = engine(EngineOptions {
        max_file_bytes: 64,
        ..EngineOptions::default()
    });
    let big = e.scan_source("big.js", "a;".repeat(100).as_bytes());
    assert_eq!(big.notifications[0].code, "file-too-large");
    assert_eq!(big.files_scanned, 0);
    let bin = e.scan_source("bin.js", b"\x7fELF\0\0\0");
    assert_eq!(bin.notifications[0].code, "file-not-text");
    let latin1 = e.scan_source("l.js", b"var s = '\xe9';");
    assert_eq!(latin1.notifications[0].code, "file-not-text");
    let garbage = engine(EngineOptions::default())
        .scan_source("g.js", b")))) ((( }}} {{{ ]]] [[[ ;;; :: ?? eval(x)");
    assert!(
        garbage
            .notifications
            .iter()
            .any(|n| n.code == "mostly-unparsable")
    );
}

#[test]
fn deep_nesting_and_long_lines_are_fine() {
    let e = engine(EngineOptions::default());
    let deep = format!("x = {}eval(a){};", "(".repeat(20_000), ")".repeat(20_000));
    let report = e.scan_source("deep.js", deep.as_bytes());
    assert_eq!(report.findings.len(), 1);
    let long = format!(
        "{}eval(req.body.x);{}",
        "var a=1;".repeat(50_000),
        "var b=2;".repeat(50_000)
    );
    let report = e.scan_source("min.js", long.as_bytes());
    assert_eq!(report.findings.len(), 1);
    assert!(
        report.findings[0].snippet.len() <= 242,
        "{}",
        report.findings[0].snippet.len()
    );
    assert!(report.findings[0].snippet.contains("eval("));
}

#[test]
fn parallel_scan_is_deterministic() {
    let e = engine(EngineOptions::default());
    let files: Vec<(String, Vec<u8>)> = (0..200)
        .map(|i| {
            (
                format!("f{:03}.js", (i * 37) % 200),
                format!("// {i}\neval(x{i});\nnew Buffer(n);\n").into_bytes(),
            )
        })
        .collect();
    let a = e.scan_files(&files);
    let b = e.scan_files(&files);
    assert_eq!(a, b);
    assert_eq!(a.findings.len(), 400);
    assert_eq!(a.files_scanned, 200);
    assert!(a.findings.windows(2).all(|w| w[0].path <= w[1].path));
}

/// Regression (found by fuzzing): re-checking every inner member of `req.a.a.a...` made taint
/// quadratic; the chain's source answer is now computed once.
#[test]
fn fuzz_long_member_chain_is_scanned() {
    let src = format!(
        "module.exports = function (req, res) {{ res.redirect(req.query{}); }};\n",
        ".a".repeat(5_000)
    );
    let report = engine(EngineOptions::default()).scan_source("chain.js", src.as_bytes());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "express/open-redirect"),
        "{:?}",
        report.notifications
    );
}

/// Regression (found by fuzzing): a 20k-term `+` chain left one pending match per level in
/// tree-sitter's query cursor (quadratic, then a crash). tarsier's own matcher tries patterns
/// only at the node they start at, so the chain is matched in full, with no step limit reached,
/// and the request data at its head still reaches the sink.
#[test]
fn fuzz_long_operator_chain_is_matched_in_full() {
    let src = format!(
        "module.exports = function (req, res) {{ res.send('<p>' + req.query.x{}); }};\n",
        "+a".repeat(20_000)
    );
    let report = engine(EngineOptions::default()).scan_source("chain.js", src.as_bytes());
    assert!(
        report.notifications.is_empty(),
        "{:?}",
        report.notifications
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "express/reflected-xss"),
        "{:?}",
        report.findings
    );
}
