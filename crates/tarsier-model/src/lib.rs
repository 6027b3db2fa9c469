//! The diagnostics model shared by every tarsier crate.
//!
//! The engine produces [`Finding`]s and [`Notification`]s; the SARIF writer and the text printer
//! consume them. Keeping the model here means the SARIF crate never depends on the engine, and the
//! engine never depends on an output format.
//!
//! ```
//! use tarsier_model::{Severity, Span};
//! let span = Span { start_line: 3, start_column: 5, end_line: 3, end_column: 20, start_byte: 40, end_byte: 55 };
//! assert!(Severity::Error > Severity::Warning);
//! assert_eq!(span.start_line, 3);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod fnv;

pub use fnv::{Fnv1a, FnvHashMap, FnvHashSet};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is; maps one to one onto SARIF `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: worth a look, rarely a bug by itself.
    Note,
    /// Likely a problem, or a problem under conditions the tool cannot see.
    Warning,
    /// A problem: untrusted input reaches a dangerous operation.
    Error,
}

impl Severity {
    /// The SARIF `level` string for this severity.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or note)"
            )),
        }
    }
}

/// How likely a rule's findings are to be true positives; SARIF `properties.precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// Mostly noise; for hunting, not for gating.
    Low,
    /// Often right, sometimes not.
    Medium,
    /// Almost always a true positive.
    High,
    /// A true positive whenever it fires.
    VeryHigh,
}

impl Precision {
    /// The SARIF / CodeQL spelling of this precision.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Low => "low",
            Precision::Medium => "medium",
            Precision::High => "high",
            Precision::VeryHigh => "very-high",
        }
    }
}

/// A source range. Lines and columns are 1-based; columns count Unicode scalar values, as SARIF's
/// default `columnKind` (`utf16CodeUnits` is the other option) would be misread by most viewers for
/// non-ASCII text. Byte offsets are 0-based into the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line, 1-based.
    pub start_line: usize,
    /// First column, 1-based.
    pub start_column: usize,
    /// Last line, 1-based.
    pub end_line: usize,
    /// Column just past the end, 1-based.
    pub end_column: usize,
    /// Byte offset of the start.
    pub start_byte: usize,
    /// Byte offset just past the end.
    pub end_byte: usize,
}

/// The static description of a rule, as output formats need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Stable id, `pack/name`; never reused for a different check.
    pub id: String,
    /// One-line human name.
    pub name: String,
    /// Default severity.
    pub severity: Severity,
    /// CVSS-like score 0.0-10.0 used by GitHub code scanning to rank alerts.
    pub security_severity: f32,
    /// How often the rule is right.
    pub precision: Precision,
    /// CWE ids, e.g. `CWE-601`.
    pub cwe: Vec<String>,
    /// Short description (one sentence).
    pub summary: String,
    /// Full help in Markdown.
    pub help_markdown: String,
    /// The pack the rule belongs to (first component of its id).
    pub pack: String,
}

/// Where a package came from, so a finding can be re-fetched exactly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PackageOrigin {
    /// npm package name, with scope if any (`@scope/name`).
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Tarball URL as the registry gave it (never with credentials).
    pub tarball: Option<String>,
    /// Subresource-integrity string (`sha512-...`) the registry gave for the resolved version: the
    /// tarball was verified against it (on a fetch-failure notification: it was to be).
    pub integrity: Option<String>,
}

impl PackageOrigin {
    /// `name@version`.
    pub fn spec(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// One step of a data-flow path from a source to a sink.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FlowStep {
    /// The file the step is in, relative to the same root as [`Finding::path`], when it is not
    /// the finding's own file (a taint path that crosses the files of a package).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where the step is.
    pub span: Span,
    /// What happens there (`source: req.query`, `assigned to url`, `sink: res.redirect`).
    pub message: String,
}

/// One result of one rule at one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// Id of the rule that fired.
    pub rule_id: String,
    /// Severity of this result (a rule may escalate or lower it per result).
    pub severity: Severity,
    /// Message with captures interpolated.
    pub message: String,
    /// Path of the file, relative to the scan root (for a package, to the package root), `/`-separated.
    pub path: String,
    /// Where in the file.
    pub span: Span,
    /// The source text of the flagged lines (whole lines, for a code frame), truncated if long.
    pub snippet: String,
    /// The flagged node's own text, whitespace-normalised and truncated; input to fingerprints.
    pub matched_text: String,
    /// The package the file is in, when scanning packages.
    pub package: Option<PackageOrigin>,
    /// A source-to-sink path when the finding came through taint tracking.
    pub flow: Vec<FlowStep>,
    /// Present when an inline comment or triage entry suppresses the finding.
    pub suppression: Option<Suppression>,
}

/// The package-level rule whose results weigh a version's other supply-chain findings into a
/// suspicion score (see [`Finding::suspicion_score`]).
pub const VERDICT_RULE: &str = "supply-chain/verdict";

impl Finding {
    /// The score of a [`VERDICT_RULE`] result, which its matched text carries as
    /// `score N: ...` (written by tarsier-supply's `verdict`, read for SARIF's
    /// `suspicionScore`); `None` for every other result.
    pub fn suspicion_score(&self) -> Option<u32> {
        if self.rule_id != VERDICT_RULE {
            return None;
        }
        self.matched_text
            .strip_prefix("score ")?
            .split(':')
            .next()?
            .trim()
            .parse()
            .ok()
    }
}

/// Why a finding is suppressed. Suppressed findings stay in the output, marked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Suppression {
    /// Where the suppression came from.
    pub kind: SuppressionKind,
    /// The reason given, if any.
    pub justification: Option<String>,
}

/// Kinds of suppression, as SARIF names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// A comment in the scanned source.
    InSource,
    /// A decision recorded outside the source (triage file).
    External,
}

/// How serious a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationLevel {
    /// Something was noticed (e.g. a suppression comment ignored in a registry package).
    Note,
    /// Part of the input was not scanned (file too large, not UTF-8, mostly unparsable).
    Warning,
    /// A package or file could not be scanned at all.
    Error,
}

/// A problem with the scan itself rather than a finding: SARIF `toolExecutionNotifications`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Notification {
    /// How serious.
    pub level: NotificationLevel,
    /// A stable, machine-readable descriptor id, e.g. `file-too-large`, `integrity-mismatch`.
    pub code: String,
    /// Human message naming the package, file and reason.
    pub message: String,
    /// The package concerned, if any.
    pub package: Option<PackageOrigin>,
    /// The file concerned, if any, relative to the package or scan root.
    pub path: Option<String>,
}

impl Notification {
    /// Builds a notification about one file.
    pub fn for_file(
        level: NotificationLevel,
        code: &str,
        path: &str,
        message: impl Into<String>,
    ) -> Self {
        Notification {
            level,
            code: code.to_string(),
            message: message.into(),
            package: None,
            path: Some(path.to_string()),
        }
    }
}
