//! Snapshot of a small, complete SARIF log: a lint finding in a local file, a package finding with
//! a data flow and a suppression, and two notifications. The same JSON is checked by hand with
//! Microsoft's SARIF validator (see the crate's report); keep it valid when updating it.
#![allow(clippy::unwrap_used)]

use tarsier_model::{
    Finding, FlowStep, Notification, NotificationLevel, PackageOrigin, Precision, RuleMeta,
    Severity, Span, Suppression, SuppressionKind,
};
use tarsier_sarif::{OutputMode, RunInput, build_log, from_reader, to_writer};

fn span(line: usize, start: usize, end: usize) -> Span {
    Span {
        start_line: line,
        start_column: start,
        end_line: line,
        end_column: end,
        start_byte: line * 40 + start,
        end_byte: line * 40 + end,
    }
}

fn rules() -> Vec<RuleMeta> {
    vec![
        RuleMeta {
            id: "express/open-redirect".into(),
            name: "Redirect to a request-controlled URL".into(),
            severity: Severity::Error,
            security_severity: 6.1,
            precision: Precision::High,
            cwe: vec!["CWE-601".into()],
            summary: "Redirects to a URL taken from the request".into(),
            help_markdown: "## What it does\nFinds redirects to a URL taken from the request.\n\n\
                            ## Why is this bad?\nAn attacker can send users to a site of their \
                            choice.\n"
                .into(),
            pack: "express".into(),
        },
        RuleMeta {
            id: "supply-chain/dynamic-require".into(),
            name: "Module loaded from a computed path".into(),
            severity: Severity::Warning,
            security_severity: 5.0,
            precision: Precision::Medium,
            cwe: vec!["CWE-829".into()],
            summary: "Loads a module whose path is computed at run time.".into(),
            help_markdown: "## What it does\nFinds `require` calls with a computed path.\n".into(),
            pack: "supply-chain".into(),
        },
    ]
}

fn findings() -> Vec<Finding> {
    let lint = Finding {
        rule_id: "express/open-redirect".into(),
        severity: Severity::Error,
        message: "`res.redirect` redirects to a URL taken from the request".into(),
        path: "src/routes/login.js".into(),
        span: span(12, 5, 31),
        snippet: "    res.redirect(req.query.to)".into(),
        matched_text: "res.redirect(req.query.to)".into(),
        package: None,
        flow: Vec::new(),
        suppression: None,
    };
    let in_package = Finding {
        rule_id: "supply-chain/dynamic-require".into(),
        severity: Severity::Warning,
        message: "`require` loads a path computed from `process.env`".into(),
        path: "lib/load.js".into(),
        span: span(7, 10, 27),
        snippet: "  const m = require(target)".into(),
        matched_text: "require(target)".into(),
        package: Some(PackageOrigin {
            name: "@example/loader".into(),
            version: "1.4.2".into(),
            tarball: Some("http://127.0.0.1:4873/@example/loader/-/loader-1.4.2.tgz".into()),
            integrity: Some("sha512-3q2+7w==".into()),
        }),
        flow: vec![
            FlowStep {
                path: None,
                span: span(5, 18, 38),
                message: "source: process.env.PLUGIN".into(),
            },
            FlowStep {
                path: None,
                span: span(5, 9, 15),
                message: "assigned to target".into(),
            },
            FlowStep {
                path: None,
                span: span(7, 10, 27),
                message: "sink: require".into(),
            },
        ],
        suppression: Some(Suppression {
            kind: SuppressionKind::External,
            justification: Some("plugin names come from our own config".into()),
        }),
    };
    vec![in_package, lint]
}

fn notifications() -> Vec<Notification> {
    vec![
        Notification::for_file(
            NotificationLevel::Warning,
            "file-too-large",
            "dist/bundle.min.js",
            "dist/bundle.min.js is larger than 4 MiB and was not scanned",
        ),
        Notification {
            level: NotificationLevel::Error,
            code: "integrity-mismatch".into(),
            message: "@example/broken@0.1.0: the tarball does not match its integrity".into(),
            package: Some(PackageOrigin {
                name: "@example/broken".into(),
                version: "0.1.0".into(),
                tarball: None,
                integrity: Some("sha512-AAAA".into()),
            }),
            path: None,
        },
    ]
}

fn input<'a>(
    rules: &'a [RuleMeta],
    findings: &'a [Finding],
    notifications: &'a [Notification],
    mode: OutputMode,
) -> RunInput<'a> {
    RunInput {
        tool_version: "0.0.0-test",
        information_uri: "https://github.com/tarsier-scan/tarsier",
        rules,
        findings,
        notifications,
        automation_id: "tarsier/scan/".into(),
        execution_successful: true,
        command_line: None,
        mode,
        srcroot_uri: None,
        rule_help_uri: Some(
            "https://github.com/tarsier-scan/tarsier/blob/main/docs/rules/{id}.md".into(),
        ),
        start_time_utc: None,
        end_time_utc: None,
    }
}

#[test]
fn full_log_snapshot() {
    let (rules, findings, notifications) = (rules(), findings(), notifications());
    let log = build_log(&input(&rules, &findings, &notifications, OutputMode::Full));
    insta::assert_json_snapshot!("full_log", log);

    // What is written is what is read back.
    let mut bytes = Vec::new();
    to_writer(&log, &mut bytes).unwrap();
    assert_eq!(from_reader(&bytes[..]).unwrap(), log);
    assert!(tarsier_sarif::check_github_limits(&log).is_empty());
}

#[test]
fn upload_log_leaves_the_suppressed_package_finding_out() {
    let (rules, findings, notifications) = (rules(), findings(), notifications());
    let log = build_log(&input(
        &rules,
        &findings,
        &notifications,
        OutputMode::Upload,
    ));
    let run = &log.runs[0];
    assert_eq!(run.results.len(), 1);
    assert_eq!(
        run.results[0].rule_id.as_deref(),
        Some("express/open-redirect")
    );
    // The rules are all still described, and the notifications kept.
    assert_eq!(run.tool.driver.rules.len(), 2);
    assert_eq!(run.invocations[0].tool_execution_notifications.len(), 2);
}
