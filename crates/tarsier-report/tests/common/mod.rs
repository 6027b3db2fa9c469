//! A SARIF log with hostile text, packages, a taint path, triage and baseline states.
#![allow(dead_code, clippy::unwrap_used)]

use tarsier_model::{
    Finding, FlowStep, PackageOrigin, Precision, RuleMeta, Severity, Span, Suppression,
    SuppressionKind,
};
use tarsier_sarif::model::{BaselineState, SarifLog};
use tarsier_sarif::{RunInput, build_log};

pub const HOSTILE_MESSAGE: &str = "calls eval(\"</script><script>alert(1)</script>\") & 'more'";
pub const HOSTILE_SNIPPET: &str =
    "  x = \"<img src=https://evil.invalid/x onerror=alert(2)>\"; eval(x)";

fn rule(id: &str, severity: Severity, help: &str) -> RuleMeta {
    RuleMeta {
        id: id.to_string(),
        name: format!("Rule {id}"),
        severity,
        security_severity: 7.5,
        precision: Precision::High,
        cwe: vec!["CWE-95".to_string()],
        summary: format!("Summary of {id}"),
        help_markdown: help.to_string(),
        pack: "express".to_string(),
    }
}

fn span(line: usize, col: usize, len: usize) -> Span {
    Span {
        start_line: line,
        start_column: col,
        end_line: line,
        end_column: col + len,
        start_byte: line * 100 + col,
        end_byte: line * 100 + col + len,
    }
}

fn finding(
    rule: &str,
    severity: Severity,
    path: &str,
    line: usize,
    msg: &str,
    snippet: &str,
    matched: &str,
) -> Finding {
    let col = snippet
        .find(matched)
        .map_or(1, |i| snippet[..i].chars().count() + 1);
    Finding {
        rule_id: rule.to_string(),
        severity,
        message: msg.to_string(),
        path: path.to_string(),
        span: span(line, col, matched.chars().count()),
        snippet: snippet.to_string(),
        matched_text: matched.to_string(),
        package: None,
        flow: Vec::new(),
        suppression: None,
    }
}

fn pkg(name: &str, version: &str) -> Option<PackageOrigin> {
    Some(PackageOrigin {
        name: name.to_string(),
        version: version.to_string(),
        tarball: None,
        integrity: Some("sha512-AAAA".to_string()),
    })
}

/// Five results: 3 error, 1 warning, 1 note; packages send@1.0.0 (2), cookie@0.7.0 (1),
/// local (2); one with a taint path, one suppressed in source, one triaged externally, baseline
/// states on all.
pub fn fixture() -> SarifLog {
    let rules = [
        rule(
            "js/eval",
            Severity::Error,
            "## What it does\nFinds `eval` of request data.\n\n## Why is this bad?\n<script>alert('help')</script> runs **code**.",
        ),
        rule(
            "express/open-redirect",
            Severity::Warning,
            "## What it does\nOpen redirects.",
        ),
        rule("js/note-<b>", Severity::Note, "plain"),
    ];
    let mut hostile = finding(
        "js/eval",
        Severity::Error,
        "lib/evil.js",
        12,
        HOSTILE_MESSAGE,
        HOSTILE_SNIPPET,
        "eval(x)",
    );
    hostile.package = pkg("send", "1.0.0");
    hostile.flow = vec![
        FlowStep {
            path: None,
            span: span(10, 3, 9),
            message: "source: req.query \"<u>\"".to_string(),
        },
        FlowStep {
            path: None,
            span: span(12, 58, 7),
            message: "sink: eval".to_string(),
        },
    ];
    let mut second = finding(
        "js/eval",
        Severity::Error,
        "index.js",
        3,
        "eval of a header",
        "eval(req.headers.x)",
        "eval(req.headers.x)",
    );
    second.package = pkg("send", "1.0.0");
    let mut cookie = finding(
        "express/open-redirect",
        Severity::Warning,
        "index.js",
        8,
        "redirect to request URL",
        "res.redirect(req.query.to)",
        "res.redirect(req.query.to)",
    );
    cookie.package = pkg("cookie", "0.7.0");
    let mut local = finding(
        "js/eval",
        Severity::Error,
        "src/app.js",
        5,
        "eval in app",
        "eval(body)",
        "eval(body)",
    );
    local.suppression = Some(Suppression {
        kind: SuppressionKind::InSource,
        justification: Some("reviewed \"ok\"".to_string()),
    });
    let note = finding(
        "js/note-<b>",
        Severity::Note,
        "src/<odd>.js",
        1,
        "a note",
        "// note",
        "note",
    );
    let findings = [hostile, second, cookie, local, note];
    let mut log = build_log(&RunInput {
        tool_version: "0.1.0",
        rules: &rules,
        findings: &findings,
        automation_id: "tarsier/registry/".to_string(),
        execution_successful: true,
        ..RunInput::default()
    });
    for r in &mut log.runs[0].results {
        r.baseline_state = Some(BaselineState::Unchanged);
        if r.message.text.starts_with("redirect") {
            r.baseline_state = Some(BaselineState::New);
            r.suppressions.push(tarsier_sarif::model::Suppression {
                kind: SuppressionKind::External,
                justification: Some("false-positive: <fixture> (alice, 2026-11-25)".to_string()),
                status: Some("accepted".to_string()),
            });
        }
    }
    log
}
