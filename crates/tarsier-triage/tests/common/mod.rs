//! Builders of realistic SARIF logs for the tests, through `tarsier_sarif::build_log`.
#![allow(dead_code, clippy::unwrap_used)]

use tarsier_model::{Finding, PackageOrigin, Precision, RuleMeta, Severity, Span};
use tarsier_sarif::model::SarifLog;
use tarsier_sarif::{RunInput, build_log};

pub fn rule(id: &str) -> RuleMeta {
    RuleMeta {
        id: id.to_string(),
        name: format!("Rule {id}"),
        severity: Severity::Error,
        security_severity: 6.0,
        precision: Precision::High,
        cwe: vec!["CWE-601".to_string()],
        summary: format!("Summary of {id}"),
        help_markdown: format!("## What it does\nExplains {id}."),
        pack: "express".to_string(),
    }
}

pub fn finding(rule: &str, path: &str, line: usize, text: &str) -> Finding {
    Finding {
        rule_id: rule.to_string(),
        severity: Severity::Error,
        message: format!("`{text}` is dangerous"),
        path: path.to_string(),
        span: Span {
            start_line: line,
            start_column: 5,
            end_line: line,
            end_column: 5 + text.len(),
            start_byte: line * 80 + 4,
            end_byte: line * 80 + 4 + text.len(),
        },
        snippet: format!("    {text}"),
        matched_text: text.to_string(),
        package: None,
        flow: Vec::new(),
        suppression: None,
    }
}

pub fn in_package(mut f: Finding, name: &str, version: &str) -> Finding {
    f.package = Some(PackageOrigin {
        name: name.to_string(),
        version: version.to_string(),
        tarball: None,
        integrity: Some("sha512-AAAA".to_string()),
    });
    f
}

pub fn log_with(
    version: &str,
    automation: &str,
    rules: &[RuleMeta],
    findings: &[Finding],
) -> SarifLog {
    build_log(&RunInput {
        tool_version: version,
        rules,
        findings,
        automation_id: automation.to_string(),
        execution_successful: true,
        ..RunInput::default()
    })
}

pub fn log(rules: &[RuleMeta], findings: &[Finding]) -> SarifLog {
    log_with("0.1.0", "tarsier/registry/", rules, findings)
}
