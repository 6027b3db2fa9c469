//! `--format github`: GitHub Actions workflow commands (`::error file=...,line=...::message`),
//! which the runner turns into annotations on the run and on the pull request's diff.
//!
//! Escaping follows the runner's own rules (`@actions/core`'s `command.ts`): in the message `%`,
//! CR and LF become `%25`, `%0D`, `%0A`; in a property value `:` and `,` become `%3A` and `%2C` as
//! well, since they delimit properties. Anything else passes through as it is.

use std::io::Write;
use tarsier_engine::ScanReport;
use tarsier_model::{Finding, NotificationLevel, Severity};

/// Whether the text format should become the `github` format: the runner sets
/// `GITHUB_ACTIONS=true` in every step.
pub fn running_in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Writes one workflow command per unsuppressed finding, then one per notification.
pub fn write_annotations(out: &mut Vec<u8>, report: &ScanReport) -> std::io::Result<()> {
    for f in report.findings.iter().filter(|f| f.suppression.is_none()) {
        writeln!(out, "{}", finding_command(f))?;
    }
    for n in &report.notifications {
        let command = match n.level {
            NotificationLevel::Error => "error",
            NotificationLevel::Warning => "warning",
            NotificationLevel::Note => "notice",
        };
        let mut properties = vec![("title", format!("tarsier: {}", n.code))];
        if let Some(path) = n.path.as_deref().filter(|_| n.package.is_none()) {
            properties.insert(0, ("file", path.to_string()));
        }
        writeln!(out, "{}", command_line(command, &properties, &n.message))?;
    }
    Ok(())
}

/// `::error file=lib/a.js,line=3,col=5,endLine=3,endColumn=20,title=express/open-redirect::...`.
///
/// A finding inside a registry package has no file in the checkout: the annotation then carries
/// no `file` (GitHub shows it on the run) and the message names `package@version/path:line`.
fn finding_command(f: &Finding) -> String {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut message = f.message.clone();
    let properties = match &f.package {
        None => vec![
            ("file", f.path.clone()),
            ("line", f.span.start_line.to_string()),
            ("col", f.span.start_column.to_string()),
            ("endLine", f.span.end_line.to_string()),
            ("endColumn", f.span.end_column.to_string()),
            ("title", f.rule_id.clone()),
        ],
        Some(p) => {
            message = format!(
                "{}/{}:{}:{}: {message}",
                p.spec(),
                f.path,
                f.span.start_line,
                f.span.start_column
            );
            vec![("title", format!("{} in {}", f.rule_id, p.spec()))]
        }
    };
    if !f.flow.is_empty() {
        message.push_str("\ntaint path:");
        for step in &f.flow {
            let file = step
                .path
                .as_deref()
                .map(|p| format!("{p} "))
                .unwrap_or_default();
            message.push_str(&format!(
                "\n  {file}line {}: {}",
                step.span.start_line, step.message
            ));
        }
    }
    command_line(command, &properties, &message)
}

fn command_line(command: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

/// Escapes a workflow command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tarsier_model::{FlowStep, PackageOrigin, Span, Suppression, SuppressionKind};

    fn finding() -> Finding {
        let span = Span {
            start_line: 3,
            start_column: 5,
            end_line: 3,
            end_column: 20,
            start_byte: 40,
            end_byte: 55,
        };
        Finding {
            rule_id: "express/open-redirect".into(),
            severity: Severity::Error,
            message: "`redirect` takes 100% of req.query, a URL".into(),
            path: "lib/a,b:c.js".into(),
            span,
            snippet: String::new(),
            matched_text: String::new(),
            package: None,
            flow: vec![FlowStep {
                path: None,
                span,
                message: "source: req.query".into(),
            }],
            suppression: None,
        }
    }

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    }

    #[test]
    fn a_local_finding_is_annotated_on_its_file() {
        assert_eq!(
            finding_command(&finding()),
            "::error file=lib/a%2Cb%3Ac.js,line=3,col=5,endLine=3,endColumn=20,\
             title=express/open-redirect::`redirect` takes 100%25 of req.query, a URL\
             %0Ataint path:%0A  line 3: source: req.query"
        );
    }

    #[test]
    fn a_package_finding_names_the_package_and_no_checkout_file() {
        let mut f = finding();
        f.severity = Severity::Note;
        f.flow.clear();
        f.package = Some(PackageOrigin {
            name: "send".into(),
            version: "0.18.0".into(),
            tarball: None,
            integrity: None,
        });
        let line = finding_command(&f);
        assert!(line.starts_with("::notice title=express/open-redirect in send@0.18.0::"));
        assert!(line.ends_with(
            "::send@0.18.0/lib/a,b:c.js:3:5: `redirect` takes 100%25 of req.query, a URL"
        ));
    }

    #[test]
    fn suppressed_findings_are_left_out() {
        let mut suppressed = finding();
        suppressed.suppression = Some(Suppression {
            kind: SuppressionKind::InSource,
            justification: Some("checked".into()),
        });
        let report = ScanReport {
            findings: vec![finding(), suppressed],
            ..ScanReport::default()
        };
        let mut out = Vec::new();
        write_annotations(&mut out, &report).unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
    }
}
