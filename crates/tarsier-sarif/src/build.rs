//! Builds a [`SarifLog`] from tarsier's findings, rules and notifications.
//!
//! Everything here is deterministic: rules are sorted by id, results by location then rule, and
//! notifications by level then code, so the same scan gives the same bytes whatever order the
//! engine produced its findings in.
//!
//! Two kinds of location are written:
//!
//! - a finding without a package is a local file: `uri` is its path relative to the scan root,
//!   `uriBaseId` is `SRCROOT`;
//! - a finding in an npm package: `uri` is `<name>@<version>/<path>`, `uriBaseId` is `NPM_PACKAGES`,
//!   and the result's `properties` carry `package`, `version`, `tarball`, `integrity` and `file`,
//!   so the exact tarball can be fetched again.
//!
//! [`OutputMode::Upload`] prepares a file for GitHub code scanning, which ignores `suppressions`:
//! suppressed results are left out, and if more than [`MAX_RESULTS_PER_RUN`] results remain the
//! most severe are kept and a `results-dropped` notification says how many were dropped.
//! [`OutputMode::Full`] keeps everything, marked, for triage, `diff` and `reproduce`.

use crate::fingerprint::{FINGERPRINT_KEY, fingerprints};
use crate::limits::MAX_RESULTS_PER_RUN;
use crate::model::{
    ArtifactContent, ArtifactLocation, CodeFlow, Invocation, Level, Location, Message,
    MultiformatMessage, Notification as SarifNotification, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference, ResultProperties,
    RuleProperties, Run, RunAutomationDetails, SARIF_SCHEMA, SARIF_VERSION, SarifLog, SarifResult,
    Suppression, ThreadFlow, ThreadFlowLocation, Tool, ToolComponent,
};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use tarsier_model::{Finding, Notification, PackageOrigin, RuleMeta, Severity, Span};

/// Name of the tool in `tool.driver.name`.
pub const TOOL_NAME: &str = "tarsier";

/// Base id of local files, relative to the scan root.
pub const SRCROOT: &str = "SRCROOT";

/// Base id of files inside npm packages, as `<name>@<version>/<path>`.
pub const NPM_PACKAGES: &str = "NPM_PACKAGES";

/// Descriptor id of the notification added when results are dropped to fit GitHub's limit.
pub const RESULTS_DROPPED: &str = "results-dropped";

/// What the SARIF file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// Every result, suppressed ones marked with `suppressions`: for triage, `diff`, `reproduce`.
    #[default]
    Full,
    /// For GitHub code scanning: suppressed results left out, at most 25,000 results.
    Upload,
}

/// Everything [`build_log`] needs.
///
/// `Default` gives empty inputs, so callers can name only what they have:
///
/// ```
/// use tarsier_sarif::{OutputMode, RunInput};
/// let input = RunInput { tool_version: "0.1.0", mode: OutputMode::Upload, ..RunInput::default() };
/// assert!(input.findings.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RunInput<'a> {
    /// Version of tarsier, `tool.driver.version`.
    pub tool_version: &'a str,
    /// Home page of tarsier, `tool.driver.informationUri`; left out when empty.
    pub information_uri: &'a str,
    /// The rules that were run (all of them, not only those that fired).
    pub rules: &'a [RuleMeta],
    /// The findings, in any order.
    pub findings: &'a [Finding],
    /// Problems with the scan itself, in any order.
    pub notifications: &'a [Notification],
    /// `runAutomationDetails.id`, e.g. `tarsier/registry/`; left out when empty.
    pub automation_id: String,
    /// Whether the scan ran to completion (findings do not make it unsuccessful).
    pub execution_successful: bool,
    /// The command line to record, if any (callers should leave out secrets).
    pub command_line: Option<String>,
    /// Full or upload output.
    pub mode: OutputMode,
    /// A `file:` URI of the scan root, declared as `SRCROOT`'s `uri`; left out when `None`, which
    /// GitHub prefers (it then resolves paths against the checkout).
    pub srcroot_uri: Option<String>,
    /// Template of each rule's `helpUri`, `{id}` replaced by the rule id; no `helpUri` when `None`.
    pub rule_help_uri: Option<String>,
    /// `invocation.startTimeUtc` (RFC 3339, UTC); left out when `None` to keep output reproducible.
    pub start_time_utc: Option<String>,
    /// `invocation.endTimeUtc` (RFC 3339, UTC).
    pub end_time_utc: Option<String>,
}

/// Builds the SARIF log of one run.
///
/// ```
/// use tarsier_sarif::{build_log, RunInput};
/// let log = build_log(&RunInput { tool_version: "0.1.0", ..RunInput::default() });
/// assert_eq!(log.version, "2.1.0");
/// assert_eq!(log.runs.len(), 1);
/// ```
pub fn build_log(input: &RunInput<'_>) -> SarifLog {
    let rules = sorted_rules(input.rules);
    let rule_index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    // Fingerprints over all findings, suppressed or not, before anything is dropped, so that what
    // is left out never changes what is kept.
    let fps = fingerprints(input.findings);

    let mut kept: Vec<usize> = (0..input.findings.len())
        .filter(|&i| {
            input.mode == OutputMode::Full
                || input
                    .findings
                    .get(i)
                    .is_some_and(|f| f.suppression.is_none())
        })
        .collect();

    let keys: Vec<SortKey<'_>> = input.findings.iter().map(SortKey::new).collect();
    let order = |&a: &usize, &b: &usize| {
        keys.get(a)
            .cmp(&keys.get(b))
            .then_with(|| input.findings.get(a).cmp(&input.findings.get(b)))
    };

    let mut dropped = 0;
    if input.mode == OutputMode::Upload && kept.len() > MAX_RESULTS_PER_RUN {
        // Most severe first, ties in the usual order; keep the head.
        kept.sort_by(|a, b| {
            let sa = input.findings.get(*a).map(|f| Reverse(f.severity));
            let sb = input.findings.get(*b).map(|f| Reverse(f.severity));
            sa.cmp(&sb).then_with(|| order(a, b))
        });
        dropped = kept.len() - MAX_RESULTS_PER_RUN;
        kept.truncate(MAX_RESULTS_PER_RUN);
    }
    kept.sort_by(order);

    let mut base_ids_used = BaseIds::default();
    let results: Vec<SarifResult> = kept
        .iter()
        .filter_map(|&i| {
            let finding = input.findings.get(i)?;
            let fp = fps.get(i).cloned().unwrap_or_default();
            Some(result(
                finding,
                fp,
                rule_index.get(finding.rule_id.as_str()).copied(),
                &mut base_ids_used,
            ))
        })
        .collect();

    let mut notifications: Vec<&Notification> = input.notifications.iter().collect();
    notifications.sort_by(|a, b| {
        (Reverse(a.level), &a.code, &a.package, &a.path, &a.message).cmp(&(
            Reverse(b.level),
            &b.code,
            &b.package,
            &b.path,
            &b.message,
        ))
    });
    let mut tool_notifications: Vec<SarifNotification> = notifications
        .into_iter()
        .map(|n| notification(n, &mut base_ids_used))
        .collect();
    if dropped > 0 {
        tool_notifications.push(SarifNotification {
            level: Some(Level::Warning),
            message: Message::new(format!(
                "{dropped} of {total} results were left out because GitHub code scanning accepts \
                 at most {MAX_RESULTS_PER_RUN} results per run; the least severe were dropped.",
                total = dropped + MAX_RESULTS_PER_RUN
            )),
            descriptor: Some(ReportingDescriptorReference {
                id: RESULTS_DROPPED.to_string(),
            }),
            locations: Vec::new(),
            properties: None,
        });
    }

    let run = Run {
        tool: Tool {
            driver: ToolComponent {
                name: TOOL_NAME.to_string(),
                version: non_empty(input.tool_version),
                information_uri: non_empty(input.information_uri),
                rules: rules
                    .iter()
                    .map(|r| descriptor(r, input.rule_help_uri.as_deref()))
                    .collect(),
                notifications: Vec::new(),
            },
        },
        invocations: vec![Invocation {
            command_line: input.command_line.clone(),
            start_time_utc: input.start_time_utc.clone(),
            end_time_utc: input.end_time_utc.clone(),
            execution_successful: input.execution_successful,
            tool_execution_notifications: tool_notifications,
        }],
        original_uri_base_ids: base_ids_used.declarations(input.srcroot_uri.as_deref()),
        automation_details: non_empty(&input.automation_id)
            .map(|id| RunAutomationDetails { id: Some(id) }),
        column_kind: Some("unicodeCodePoints".to_string()),
        artifacts: None,
        results,
        properties: BTreeMap::new(),
    };

    SarifLog {
        schema: Some(SARIF_SCHEMA.to_string()),
        version: SARIF_VERSION.to_string(),
        runs: vec![run],
    }
}

/// The order of results: location first, then rule.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct SortKey<'a> {
    package: Option<(&'a str, &'a str)>,
    path: &'a str,
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    rule: &'a str,
}

impl<'a> SortKey<'a> {
    fn new(f: &'a Finding) -> Self {
        SortKey {
            package: f
                .package
                .as_ref()
                .map(|p| (p.name.as_str(), p.version.as_str())),
            path: &f.path,
            start_line: f.span.start_line,
            start_column: f.span.start_column,
            end_line: f.span.end_line,
            end_column: f.span.end_column,
            rule: &f.rule_id,
        }
    }
}

/// Which base ids the log refers to.
#[derive(Default)]
struct BaseIds {
    srcroot: bool,
    npm_packages: bool,
}

impl BaseIds {
    fn declarations(&self, srcroot_uri: Option<&str>) -> BTreeMap<String, ArtifactLocation> {
        let mut out = BTreeMap::new();
        if self.srcroot {
            let uri = srcroot_uri.filter(|u| !u.is_empty()).map(|u| {
                if u.ends_with('/') {
                    u.to_string()
                } else {
                    format!("{u}/")
                }
            });
            out.insert(
                SRCROOT.to_string(),
                ArtifactLocation {
                    uri,
                    uri_base_id: None,
                    description: Some(Message::new("The root of the scanned directory.")),
                },
            );
        }
        if self.npm_packages {
            out.insert(
                NPM_PACKAGES.to_string(),
                ArtifactLocation {
                    uri: None,
                    uri_base_id: None,
                    description: Some(Message::new(
                        "Unpacked npm package tarballs; each path starts with `<name>@<version>/` \
                         and the result's properties name the tarball and its integrity.",
                    )),
                },
            );
        }
        out
    }
}

fn sorted_rules(rules: &[RuleMeta]) -> Vec<&RuleMeta> {
    let mut sorted: Vec<&RuleMeta> = rules.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    // Two rules with one id would make `ruleIndex` ambiguous; the first wins.
    sorted.dedup_by(|b, a| a.id == b.id);
    sorted
}

fn descriptor(rule: &RuleMeta, help_uri: Option<&str>) -> ReportingDescriptor {
    let mut tags = vec!["security".to_string()];
    tags.extend(rule.cwe.iter().filter_map(|c| cwe_tag(c)));
    if !rule.pack.is_empty() {
        tags.push(rule.pack.clone());
    }
    let mut seen = std::collections::HashSet::new();
    tags.retain(|t| seen.insert(t.clone()));

    let summary = sentence(&rule.summary);
    let help_text = if rule.help_markdown.trim().is_empty() {
        summary.clone()
    } else {
        rule.help_markdown.clone()
    };
    let title = if rule.name.trim().is_empty() {
        rule.id.clone()
    } else {
        rule.name.clone()
    };

    ReportingDescriptor {
        id: rule.id.clone(),
        name: Some(pascal_name(&rule.id)),
        short_description: Some(MultiformatMessage::text(title)),
        full_description: (!summary.is_empty()).then(|| MultiformatMessage::text(summary)),
        help: (!help_text.is_empty()).then(|| MultiformatMessage {
            text: help_text.clone(),
            markdown: Some(help_text),
        }),
        help_uri: help_uri.map(|t| t.replace("{id}", &rule.id)),
        default_configuration: Some(ReportingConfiguration {
            level: Some(rule.severity.into()),
        }),
        properties: Some(RuleProperties {
            tags,
            precision: Some(rule.precision.as_str().to_string()),
            security_severity: security_severity(rule.security_severity),
            problem_severity: Some(
                match rule.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "recommendation",
                }
                .to_string(),
            ),
            other: BTreeMap::new(),
        }),
    }
}

/// `CWE-601` (any case, or bare `601`) to `external/cwe/cwe-601`; anything else is skipped.
fn cwe_tag(cwe: &str) -> Option<String> {
    let lower = cwe.trim().to_ascii_lowercase();
    let number = lower
        .strip_prefix("cwe-")
        .or_else(|| lower.strip_prefix("cwe"))
        .unwrap_or(&lower);
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("external/cwe/cwe-{number}"))
}

/// GitHub wants a string holding a number from 0.0 to 10.0.
fn security_severity(score: f32) -> Option<String> {
    score
        .is_finite()
        .then(|| format!("{:.1}", score.clamp(0.0, 10.0)))
}

/// `express/open-redirect` to `OpenRedirect`: SARIF's convention for `name` is one PascalCase
/// identifier. The last component of the id is used, as packs are already in `tags`.
fn pascal_name(id: &str) -> String {
    let last = id.rsplit('/').next().unwrap_or(id);
    let name: String = last
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect();
    if name.is_empty() {
        id.to_string()
    } else {
        name
    }
}

/// SARIF messages are sentences: end them with a period unless they already end a sentence.
fn sentence(text: &str) -> String {
    let trimmed = text.trim_end();
    if trimmed.is_empty() || trimmed.ends_with(['.', '!', '?']) {
        trimmed.to_string()
    } else {
        format!("{trimmed}.")
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn result(
    finding: &Finding,
    fingerprint: String,
    rule_index: Option<usize>,
    base_ids: &mut BaseIds,
) -> SarifResult {
    let artifact = artifact_location(finding.package.as_ref(), &finding.path, base_ids);
    let mut region = region_of(&finding.span);
    if !finding.snippet.is_empty() {
        region.snippet = Some(ArtifactContent {
            text: finding.snippet.clone(),
        });
    }
    let code_flows = if finding.flow.is_empty() {
        Vec::new()
    } else {
        vec![CodeFlow {
            thread_flows: vec![ThreadFlow {
                locations: finding
                    .flow
                    .iter()
                    .map(|step| ThreadFlowLocation {
                        location: Some(Location {
                            physical_location: Some(PhysicalLocation {
                                artifact_location: match &step.path {
                                    Some(path) => {
                                        artifact_location(finding.package.as_ref(), path, base_ids)
                                    }
                                    None => artifact.clone(),
                                },
                                region: Some(region_of(&step.span)),
                            }),
                            message: Some(Message::new(sentence(&step.message))),
                        }),
                    })
                    .collect(),
            }],
        }]
    };
    SarifResult {
        rule_id: Some(finding.rule_id.clone()),
        rule_index,
        level: Some(finding.severity.into()),
        message: Message::new(sentence(&finding.message)),
        locations: vec![Location {
            physical_location: Some(PhysicalLocation {
                artifact_location: artifact,
                region: Some(region),
            }),
            message: None,
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY.to_string(), fingerprint)]),
        code_flows,
        suppressions: finding
            .suppression
            .iter()
            .map(|s| Suppression {
                kind: s.kind,
                justification: s.justification.clone(),
                // Triage decisions are explicit acceptances; an inline comment's status is
                // left out (SARIF reads that as accepted too).
                status: (s.kind == tarsier_model::SuppressionKind::External)
                    .then(|| "accepted".to_string()),
            })
            .collect(),
        baseline_state: None,
        properties: finding.package.as_ref().map(|p| {
            let mut properties = package_properties(p, Some(&finding.path));
            if let Some(score) = finding.suspicion_score() {
                properties
                    .other
                    .insert("suspicionScore".to_string(), serde_json::json!(score));
            }
            properties
        }),
    }
}

fn notification(n: &Notification, base_ids: &mut BaseIds) -> SarifNotification {
    SarifNotification {
        level: Some(n.level.into()),
        message: Message::new(sentence(&n.message)),
        descriptor: non_empty(&n.code).map(|id| ReportingDescriptorReference { id }),
        locations: n
            .path
            .iter()
            .map(|path| Location {
                physical_location: Some(PhysicalLocation {
                    artifact_location: artifact_location(n.package.as_ref(), path, base_ids),
                    region: None,
                }),
                message: None,
            })
            .collect(),
        properties: n
            .package
            .as_ref()
            .map(|p| package_properties(p, n.path.as_deref())),
    }
}

fn package_properties(p: &PackageOrigin, file: Option<&str>) -> ResultProperties {
    ResultProperties {
        package: Some(p.name.clone()),
        version: Some(p.version.clone()),
        tarball: p.tarball.clone(),
        integrity: p.integrity.clone(),
        file: file.map(str::to_string),
        other: BTreeMap::new(),
    }
}

fn artifact_location(
    package: Option<&PackageOrigin>,
    path: &str,
    base_ids: &mut BaseIds,
) -> ArtifactLocation {
    let path = path.trim_start_matches('/');
    let (uri, base) = match package {
        Some(p) => {
            base_ids.npm_packages = true;
            (
                encode_uri_path(&format!("{}@{}/{}", p.name, p.version, path)),
                NPM_PACKAGES,
            )
        }
        None => {
            base_ids.srcroot = true;
            (encode_uri_path(path), SRCROOT)
        }
    };
    ArtifactLocation {
        uri: Some(uri),
        uri_base_id: Some(base.to_string()),
        description: None,
    }
}

/// Percent-encodes a `/`-separated relative path into a URI reference. Unreserved characters,
/// sub-delimiters, `@` and `/` stay as they are; `:` is encoded because in the first segment of a
/// relative reference it would read as a scheme; everything else, including `%` and every non-ASCII
/// byte of the UTF-8 encoding, becomes `%XX`.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A region from a span, repaired so that it is valid SARIF whatever the span says (lines and
/// columns at least 1, the end not before the start).
fn region_of(span: &Span) -> Region {
    let start_line = span.start_line.max(1);
    let start_column = span.start_column.max(1);
    let end_line = span.end_line.max(start_line);
    let mut end_column = span.end_column.max(1);
    if end_line == start_line {
        end_column = end_column.max(start_column);
    }
    Region {
        start_line: Some(start_line),
        start_column: Some(start_column),
        end_line: Some(end_line),
        end_column: Some(end_column),
        snippet: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::write::to_writer;
    use tarsier_model::{
        FlowStep, NotificationLevel, Precision, Suppression as ModelSuppression, SuppressionKind,
    };

    fn rule(id: &str, severity: Severity) -> RuleMeta {
        RuleMeta {
            id: id.to_string(),
            name: format!("Name of {id}"),
            severity,
            security_severity: 6.1,
            precision: Precision::High,
            cwe: vec!["CWE-601".to_string()],
            summary: "Redirects to a URL taken from the request".to_string(),
            help_markdown: "## What it does\nFinds things.".to_string(),
            pack: id.split('/').next().unwrap().to_string(),
        }
    }

    fn span(line: usize, col: usize) -> Span {
        Span {
            start_line: line,
            start_column: col,
            end_line: line,
            end_column: col + 10,
            start_byte: line * 80 + col,
            end_byte: line * 80 + col + 10,
        }
    }

    fn finding(rule: &str, path: &str, line: usize, col: usize) -> Finding {
        Finding {
            rule_id: rule.to_string(),
            severity: Severity::Warning,
            message: format!("{rule} fired"),
            path: path.to_string(),
            span: span(line, col),
            snippet: "  eval(code)".to_string(),
            matched_text: format!("eval(code{line})"),
            package: None,
            flow: Vec::new(),
            suppression: None,
        }
    }

    fn pkg(name: &str, version: &str) -> PackageOrigin {
        PackageOrigin {
            name: name.to_string(),
            version: version.to_string(),
            tarball: Some(format!("http://127.0.0.1:1/{name}/-/{version}.tgz")),
            integrity: Some("sha512-AAAA".to_string()),
        }
    }

    fn input<'a>(
        rules: &'a [RuleMeta],
        findings: &'a [Finding],
        notifications: &'a [Notification],
    ) -> RunInput<'a> {
        RunInput {
            tool_version: "0.0.0-test",
            information_uri: "https://example.invalid/tarsier",
            rules,
            findings,
            notifications,
            automation_id: "tarsier/test/".to_string(),
            execution_successful: true,
            ..RunInput::default()
        }
    }

    fn json(log: &SarifLog) -> String {
        let mut out = Vec::new();
        to_writer(log, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rules_are_sorted_and_rule_index_matches() {
        let rules = [
            rule("express/zeta", Severity::Error),
            rule("body/alpha", Severity::Note),
            rule("express/mid", Severity::Warning),
        ];
        let findings = [
            finding("express/zeta", "a.js", 1, 1),
            finding("body/alpha", "a.js", 2, 1),
            finding("unknown/rule", "a.js", 3, 1),
        ];
        let log = build_log(&input(&rules, &findings, &[]));
        let run = &log.runs[0];
        let ids: Vec<&str> = run
            .tool
            .driver
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["body/alpha", "express/mid", "express/zeta"]);
        for result in &run.results {
            let id = result.rule_id.as_deref().unwrap();
            match result.rule_index {
                Some(i) => assert_eq!(run.tool.driver.rules[i].id, id),
                None => assert_eq!(id, "unknown/rule"),
            }
        }
        assert_eq!(run.results.len(), 3);
    }

    #[test]
    fn duplicate_rule_ids_keep_one_descriptor() {
        let rules = [rule("a/x", Severity::Error), rule("a/x", Severity::Note)];
        let log = build_log(&input(&rules, &[], &[]));
        assert_eq!(log.runs[0].tool.driver.rules.len(), 1);
    }

    #[test]
    fn rule_descriptor_has_what_github_reads() {
        let mut r = rule("express/open-redirect", Severity::Error);
        r.cwe = vec![
            "CWE-601".into(),
            "cwe-79".into(),
            "22".into(),
            "bogus".into(),
        ];
        let mut input = input(std::slice::from_ref(&r), &[], &[]);
        input.rule_help_uri = Some("https://example.invalid/rules/{id}.md".to_string());
        let log = build_log(&input);
        let d = &log.runs[0].tool.driver.rules[0];
        assert_eq!(d.name.as_deref(), Some("OpenRedirect"));
        assert_eq!(
            d.short_description.as_ref().unwrap().text,
            "Name of express/open-redirect"
        );
        assert_eq!(
            d.full_description.as_ref().unwrap().text,
            "Redirects to a URL taken from the request."
        );
        assert_eq!(
            d.help.as_ref().unwrap().markdown.as_deref(),
            Some("## What it does\nFinds things.")
        );
        assert_eq!(
            d.help_uri.as_deref(),
            Some("https://example.invalid/rules/express/open-redirect.md")
        );
        assert_eq!(
            d.default_configuration.as_ref().unwrap().level,
            Some(Level::Error)
        );
        let p = d.properties.as_ref().unwrap();
        assert_eq!(
            p.tags,
            [
                "security",
                "external/cwe/cwe-601",
                "external/cwe/cwe-79",
                "external/cwe/cwe-22",
                "express"
            ]
        );
        assert_eq!(p.security_severity.as_deref(), Some("6.1"));
        assert_eq!(p.precision.as_deref(), Some("high"));
        assert_eq!(p.problem_severity.as_deref(), Some("error"));
        // In the JSON, security-severity is a string.
        let text = json(&log);
        assert!(text.contains(r#""security-severity": "6.1""#), "{text}");
        assert!(text.contains(r#""problem.severity": "error""#), "{text}");
    }

    #[test]
    fn empty_rule_texts_are_left_out() {
        let mut r = rule("a/b", Severity::Note);
        r.name = String::new();
        r.summary = " ".to_string();
        r.help_markdown = String::new();
        r.security_severity = f32::NAN;
        let log = build_log(&input(std::slice::from_ref(&r), &[], &[]));
        let d = &log.runs[0].tool.driver.rules[0];
        assert_eq!(d.short_description.as_ref().unwrap().text, "a/b");
        assert!(d.full_description.is_none());
        assert!(d.help.is_none());
        let p = d.properties.as_ref().unwrap();
        assert!(p.security_severity.is_none());
        assert_eq!(p.problem_severity.as_deref(), Some("recommendation"));
        // Only the summary present: it is the help too.
        r.summary = "Does a thing".to_string();
        let log = build_log(&input(std::slice::from_ref(&r), &[], &[]));
        let d = &log.runs[0].tool.driver.rules[0];
        assert_eq!(d.help.as_ref().unwrap().text, "Does a thing.");
    }

    #[test]
    fn security_severity_is_one_decimal_and_clamped() {
        assert_eq!(security_severity(7.0).as_deref(), Some("7.0"));
        assert_eq!(security_severity(9.34).as_deref(), Some("9.3"));
        assert_eq!(security_severity(9.36).as_deref(), Some("9.4"));
        assert_eq!(security_severity(42.0).as_deref(), Some("10.0"));
        assert_eq!(security_severity(-1.0).as_deref(), Some("0.0"));
        assert_eq!(security_severity(f32::NAN), None);
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal_name("express/open-redirect"), "OpenRedirect");
        assert_eq!(pascal_name("body_parser/limit_missing"), "LimitMissing");
        assert_eq!(pascal_name("plain"), "Plain");
        assert_eq!(pascal_name("pack/--"), "pack/--");
    }

    #[test]
    fn sentences_end_with_a_period() {
        assert_eq!(sentence("eval of `x`"), "eval of `x`.");
        assert_eq!(sentence("done. "), "done.");
        assert_eq!(sentence("really?"), "really?");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn local_file_location_is_encoded_under_srcroot() {
        let findings = [finding("a/b", "src/my file:ü%.js", 3, 5)];
        let mut input = input(&[], &findings, &[]);
        input.srcroot_uri = Some("file:///work/app".to_string());
        let log = build_log(&input);
        let run = &log.runs[0];
        let loc = run.results[0].locations[0]
            .physical_location
            .as_ref()
            .unwrap();
        assert_eq!(
            loc.artifact_location.uri.as_deref(),
            Some("src/my%20file%3A%C3%BC%25.js")
        );
        assert_eq!(loc.artifact_location.uri_base_id.as_deref(), Some(SRCROOT));
        let region = loc.region.as_ref().unwrap();
        assert_eq!(
            (
                region.start_line,
                region.start_column,
                region.end_line,
                region.end_column
            ),
            (Some(3), Some(5), Some(3), Some(15))
        );
        assert_eq!(region.snippet.as_ref().unwrap().text, "  eval(code)");
        assert!(run.results[0].properties.is_none());
        let ids: Vec<&String> = run.original_uri_base_ids.keys().collect();
        assert_eq!(ids, [SRCROOT]);
        assert_eq!(
            run.original_uri_base_ids[SRCROOT].uri.as_deref(),
            Some("file:///work/app/")
        );
    }

    #[test]
    fn package_location_names_package_and_tarball() {
        let mut f = finding("a/b", "lib/index.js", 3, 5);
        f.package = Some(pkg("@scope/send", "1.2.3"));
        let log = build_log(&input(&[], &[f], &[]));
        let run = &log.runs[0];
        let result = &run.results[0];
        let loc = result.locations[0].physical_location.as_ref().unwrap();
        assert_eq!(
            loc.artifact_location.uri.as_deref(),
            Some("@scope/send@1.2.3/lib/index.js")
        );
        assert_eq!(
            loc.artifact_location.uri_base_id.as_deref(),
            Some(NPM_PACKAGES)
        );
        let props = result.properties.as_ref().unwrap();
        assert_eq!(props.package.as_deref(), Some("@scope/send"));
        assert_eq!(props.version.as_deref(), Some("1.2.3"));
        assert_eq!(
            props.tarball.as_deref(),
            Some("http://127.0.0.1:1/@scope/send/-/1.2.3.tgz")
        );
        assert_eq!(props.integrity.as_deref(), Some("sha512-AAAA"));
        assert_eq!(props.file.as_deref(), Some("lib/index.js"));
        let ids: Vec<&String> = run.original_uri_base_ids.keys().collect();
        assert_eq!(ids, [NPM_PACKAGES]);
        assert!(
            run.original_uri_base_ids[NPM_PACKAGES]
                .description
                .is_some()
        );
    }

    #[test]
    fn bad_spans_become_valid_regions() {
        let mut f = finding("a/b", "x.js", 0, 0);
        f.span = Span {
            start_line: 0,
            start_column: 0,
            end_line: 0,
            end_column: 0,
            start_byte: 0,
            end_byte: 0,
        };
        let r = region_of(&f.span);
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (Some(1), Some(1), Some(1), Some(1))
        );
        let r = region_of(&Span {
            start_line: 5,
            start_column: 9,
            end_line: 2,
            end_column: 3,
            start_byte: 0,
            end_byte: 0,
        });
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (Some(5), Some(9), Some(5), Some(9))
        );
    }

    #[test]
    fn flow_becomes_one_thread_flow() {
        let mut f = finding("a/b", "x.js", 9, 3);
        f.flow = vec![
            FlowStep {
                path: None,
                span: span(2, 7),
                message: "source: req.query".to_string(),
            },
            FlowStep {
                path: None,
                span: span(9, 3),
                message: "sink: res.redirect".to_string(),
            },
        ];
        let log = build_log(&input(&[], &[f], &[]));
        let result = &log.runs[0].results[0];
        assert_eq!(result.code_flows.len(), 1);
        assert_eq!(result.code_flows[0].thread_flows.len(), 1);
        let steps = &result.code_flows[0].thread_flows[0].locations;
        assert_eq!(steps.len(), 2);
        let first = steps[0].location.as_ref().unwrap();
        assert_eq!(first.message.as_ref().unwrap().text, "source: req.query.");
        let phys = first.physical_location.as_ref().unwrap();
        assert_eq!(phys.region.as_ref().unwrap().start_line, Some(2));
        assert_eq!(phys.artifact_location.uri.as_deref(), Some("x.js"));
        // A step in another file of the package names that file.
        let mut crossing = finding("a/b", "lib/x.js", 9, 3);
        crossing.flow = vec![FlowStep {
            path: Some("index.js".to_string()),
            span: span(4, 1),
            message: "source: req.query".to_string(),
        }];
        let log = build_log(&input(&[], &[crossing], &[]));
        let step = log.runs[0].results[0].code_flows[0].thread_flows[0].locations[0]
            .location
            .as_ref()
            .unwrap();
        let phys = step.physical_location.as_ref().unwrap();
        assert_eq!(phys.artifact_location.uri.as_deref(), Some("index.js"));
        assert_eq!(
            log.runs[0].results[0].locations[0]
                .physical_location
                .as_ref()
                .unwrap()
                .artifact_location
                .uri
                .as_deref(),
            Some("lib/x.js")
        );
        // No flow, no codeFlows in the JSON.
        let plain = build_log(&input(&[], &[finding("a/b", "x.js", 1, 1)], &[]));
        assert!(!json(&plain).contains("codeFlows"));
    }

    #[test]
    fn suppressions_are_marked_in_full_and_left_out_in_upload() {
        let mut suppressed = finding("a/b", "x.js", 1, 1);
        suppressed.suppression = Some(ModelSuppression {
            kind: SuppressionKind::InSource,
            justification: Some("input is validated above".to_string()),
        });
        let mut external = finding("a/b", "x.js", 2, 1);
        external.suppression = Some(ModelSuppression {
            kind: SuppressionKind::External,
            justification: None,
        });
        let open = finding("a/b", "x.js", 3, 1);
        let findings = [suppressed, external, open];

        let full = build_log(&input(&[], &findings, &[]));
        let results = &full.runs[0].results;
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].suppressions[0].kind, SuppressionKind::InSource);
        assert_eq!(
            results[0].suppressions[0].justification.as_deref(),
            Some("input is validated above")
        );
        assert_eq!(results[1].suppressions[0].kind, SuppressionKind::External);
        assert!(results[2].suppressions.is_empty());
        let text = json(&full);
        assert!(text.contains(r#""kind": "inSource""#));
        assert!(text.contains(r#""kind": "external""#));

        let mut up = input(&[], &findings, &[]);
        up.mode = OutputMode::Upload;
        let upload = build_log(&up);
        let kept = &upload.runs[0].results;
        assert_eq!(kept.len(), 1);
        assert!(kept[0].suppressions.is_empty());
        // Leaving results out does not change the fingerprint of what stays.
        assert_eq!(
            kept[0].partial_fingerprints,
            results[2].partial_fingerprints
        );
        assert!(!json(&upload).contains("suppressions"));
    }

    #[test]
    fn notifications_have_level_code_and_location() {
        let mut in_pkg = Notification::for_file(
            NotificationLevel::Warning,
            "file-too-large",
            "dist/big.js",
            "send@1.0.0: dist/big.js is larger than 4 MiB, not scanned",
        );
        in_pkg.package = Some(pkg("send", "1.0.0"));
        let pathless = Notification {
            level: NotificationLevel::Error,
            code: "integrity-mismatch".to_string(),
            message: "cookie@0.7.0: tarball integrity does not match.".to_string(),
            package: Some(pkg("cookie", "0.7.0")),
            path: None,
        };
        let local = Notification::for_file(
            NotificationLevel::Note,
            "not-utf8",
            "src/x.js",
            "src/x.js is not UTF-8",
        );
        let notes = [local, in_pkg, pathless];
        let log = build_log(&input(&[], &[], &notes));
        let run = &log.runs[0];
        let got = &run.invocations[0].tool_execution_notifications;
        assert_eq!(got.len(), 3);
        // Most serious first.
        let codes: Vec<&str> = got
            .iter()
            .map(|n| n.descriptor.as_ref().unwrap().id.as_str())
            .collect();
        assert_eq!(codes, ["integrity-mismatch", "file-too-large", "not-utf8"]);
        assert_eq!(got[0].level, Some(Level::Error));
        assert!(got[0].locations.is_empty());
        assert_eq!(
            got[0].properties.as_ref().unwrap().package.as_deref(),
            Some("cookie")
        );
        assert_eq!(
            got[0].message.text,
            "cookie@0.7.0: tarball integrity does not match."
        );
        let loc = got[1].locations[0].physical_location.as_ref().unwrap();
        assert_eq!(
            loc.artifact_location.uri.as_deref(),
            Some("send@1.0.0/dist/big.js")
        );
        assert_eq!(
            got[1].message.text,
            "send@1.0.0: dist/big.js is larger than 4 MiB, not scanned."
        );
        let loc = got[2].locations[0].physical_location.as_ref().unwrap();
        assert_eq!(loc.artifact_location.uri_base_id.as_deref(), Some(SRCROOT));
        // Both base ids are declared because notifications use them.
        assert_eq!(run.original_uri_base_ids.len(), 2);
    }

    #[test]
    fn invocation_and_automation_details() {
        let mut i = input(&[], &[], &[]);
        i.command_line = Some("tarsier scan express".to_string());
        i.execution_successful = false;
        let log = build_log(&i);
        let run = &log.runs[0];
        assert_eq!(
            run.automation_details.as_ref().unwrap().id.as_deref(),
            Some("tarsier/test/")
        );
        assert!(!run.invocations[0].execution_successful);
        assert_eq!(
            run.invocations[0].command_line.as_deref(),
            Some("tarsier scan express")
        );
        i.automation_id = String::new();
        let text = json(&build_log(&i));
        assert!(!text.contains("automationDetails"));
        assert!(!text.contains("originalUriBaseIds"));
        assert!(!text.contains("baselineState"));
        assert!(!text.contains("startTimeUtc"));
        assert!(text.contains(r#""executionSuccessful": false"#));
    }

    #[test]
    fn results_sorted_by_path_line_column_rule() {
        let mut in_pkg = finding("a/a", "a.js", 1, 1);
        in_pkg.package = Some(pkg("send", "1.0.0"));
        let findings = [
            finding("a/z", "b.js", 1, 1),
            finding("a/b", "a.js", 10, 1),
            finding("a/a", "a.js", 2, 8),
            finding("a/z", "a.js", 2, 3),
            finding("a/a", "a.js", 2, 3),
            in_pkg,
        ];
        let log = build_log(&input(&[], &findings, &[]));
        let got: Vec<(String, usize, usize, String)> = log.runs[0]
            .results
            .iter()
            .map(|r| {
                let p = r.locations[0].physical_location.as_ref().unwrap();
                let reg = p.region.as_ref().unwrap();
                (
                    p.artifact_location.uri.clone().unwrap(),
                    reg.start_line.unwrap(),
                    reg.start_column.unwrap(),
                    r.rule_id.clone().unwrap(),
                )
            })
            .collect();
        let want = [
            ("a.js", 2, 3, "a/a"),
            ("a.js", 2, 3, "a/z"),
            ("a.js", 2, 8, "a/a"),
            ("a.js", 10, 1, "a/b"),
            ("b.js", 1, 1, "a/z"),
            ("send@1.0.0/a.js", 1, 1, "a/a"),
        ];
        let want: Vec<(String, usize, usize, String)> = want
            .iter()
            .map(|(u, l, c, r)| (u.to_string(), *l, *c, r.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    fn mixed_findings(n: usize) -> Vec<Finding> {
        (0..n)
            .map(|i| {
                let mut f = finding("a/b", &format!("f{}.js", i % 7), i + 1, (i % 13) + 1);
                f.severity = match i % 3 {
                    0 => Severity::Note,
                    1 => Severity::Warning,
                    _ => Severity::Error,
                };
                if i % 11 == 0 {
                    f.package = Some(pkg("send", "1.0.0"));
                }
                f
            })
            .collect()
    }

    #[test]
    fn same_input_in_another_order_gives_same_bytes() {
        let rules = [
            rule("a/b", Severity::Error),
            rule("a/a", Severity::Note),
            rule("c/x", Severity::Warning),
        ];
        let mut findings = mixed_findings(60);
        findings[5].suppression = Some(ModelSuppression {
            kind: SuppressionKind::External,
            justification: None,
        });
        findings[8].matched_text = findings[9].matched_text.clone();
        findings[8].path = findings[9].path.clone();
        let notes = [
            Notification::for_file(NotificationLevel::Note, "n1", "a.js", "one"),
            Notification::for_file(NotificationLevel::Warning, "n2", "b.js", "two"),
            Notification::for_file(NotificationLevel::Warning, "n2", "a.js", "two"),
        ];
        let first = json(&build_log(&input(&rules, &findings, &notes)));

        let mut shuffled = findings.clone();
        // A fixed permutation: reverse, then interleave halves.
        shuffled.reverse();
        let (a, b) = shuffled.split_at(shuffled.len() / 2);
        let mut mixed = Vec::new();
        for i in 0..a.len().max(b.len()) {
            mixed.extend(b.get(i).cloned());
            mixed.extend(a.get(i).cloned());
        }
        assert_ne!(mixed, findings);
        let rules_rev: Vec<RuleMeta> = rules.iter().rev().cloned().collect();
        let notes_rev: Vec<Notification> = notes.iter().rev().cloned().collect();
        let second = json(&build_log(&input(&rules_rev, &mixed, &notes_rev)));
        assert_eq!(first, second);
    }

    #[test]
    fn upload_caps_results_keeping_the_most_severe() {
        let n = MAX_RESULTS_PER_RUN + 3;
        let mut findings = mixed_findings(n);
        // Exactly 4 notes; everything else is an error, so 3 of the 4 notes must go.
        for (i, f) in findings.iter_mut().enumerate() {
            f.severity = if i % 5000 == 0 {
                Severity::Note
            } else {
                Severity::Error
            };
        }
        let notes = findings
            .iter()
            .filter(|f| f.severity == Severity::Note)
            .count();
        assert_eq!(notes, 6);
        // Make it 4 notes exactly.
        findings[0].severity = Severity::Error;
        findings[5000].severity = Severity::Error;

        let mut up = input(&[], &findings, &[]);
        up.mode = OutputMode::Upload;
        let log = build_log(&up);
        let run = &log.runs[0];
        assert_eq!(run.results.len(), MAX_RESULTS_PER_RUN);
        let kept_notes = run
            .results
            .iter()
            .filter(|r| r.level == Some(Level::Note))
            .count();
        assert_eq!(kept_notes, 1);
        let dropped = &run.invocations[0].tool_execution_notifications;
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].descriptor.as_ref().unwrap().id, RESULTS_DROPPED);
        assert!(
            dropped[0].message.text.starts_with("3 of 25003 results"),
            "{}",
            dropped[0].message.text
        );
        // The kept note is the first of the notes in the usual order (stable).
        let note_fps: Vec<&String> = run
            .results
            .iter()
            .filter(|r| r.level == Some(Level::Note))
            .map(|r| &r.partial_fingerprints[FINGERPRINT_KEY])
            .collect();
        let full = build_log(&input(&[], &findings, &[]));
        let first_note = full.runs[0]
            .results
            .iter()
            .find(|r| r.level == Some(Level::Note))
            .unwrap();
        assert_eq!(
            note_fps,
            [&first_note.partial_fingerprints[FINGERPRINT_KEY]]
        );

        // Full mode keeps everything.
        assert_eq!(full.runs[0].results.len(), n);
        assert!(
            full.runs[0].invocations[0]
                .tool_execution_notifications
                .is_empty()
        );
    }

    #[test]
    fn result_fingerprints_follow_the_code_not_the_version_or_lines() {
        let at = |version: &str, line: usize| {
            let mut f = finding("a/b", "lib/x.js", line, 3);
            f.matched_text = "eval(code)".to_string();
            f.package = Some(pkg("send", version));
            f
        };
        let fp = |f: Finding| {
            let log = build_log(&input(&[], &[f], &[]));
            log.runs[0].results[0].partial_fingerprints[FINGERPRINT_KEY].clone()
        };
        assert_eq!(fp(at("1.0.0", 4)), fp(at("1.1.0", 40)));
        let mut changed = at("1.1.0", 4);
        changed.matched_text = "eval(other)".to_string();
        assert_ne!(fp(at("1.0.0", 4)), fp(changed));

        // In full mode each result carries exactly what `fingerprints` computes.
        let findings = mixed_findings(30);
        let log = build_log(&input(&[], &findings, &[]));
        let mut want = fingerprints(&findings);
        let mut got: Vec<String> = log.runs[0]
            .results
            .iter()
            .map(|r| r.partial_fingerprints[FINGERPRINT_KEY].clone())
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(encode_uri_path("a/b-c_d.e~f.js"), "a/b-c_d.e~f.js");
        assert_eq!(encode_uri_path("@s/n@1.0.0+b/x.js"), "@s/n@1.0.0+b/x.js");
        assert_eq!(encode_uri_path("a b#c?d"), "a%20b%23c%3Fd");
        assert_eq!(encode_uri_path("c:x\\y"), "c%3Ax%5Cy");
        assert_eq!(encode_uri_path("é"), "%C3%A9");
    }

    #[test]
    fn leading_slash_is_dropped_from_relative_uri() {
        let log = build_log(&input(&[], &[finding("a/b", "/abs.js", 1, 1)], &[]));
        let loc = log.runs[0].results[0].locations[0]
            .physical_location
            .as_ref()
            .unwrap();
        assert_eq!(loc.artifact_location.uri.as_deref(), Some("abs.js"));
    }
}
