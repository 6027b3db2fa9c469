//! Serde types for the parts of SARIF 2.1.0 that tarsier writes and reads back.
//!
//! The types follow the OASIS SARIF 2.1.0 object model with its camelCase property names. Field
//! order in each struct is the order in which it is written, so output is stable. Optional and
//! empty things are left out on write (`skip_serializing_if`) and default on read, and unknown
//! properties are ignored on read, so SARIF written by other tools (or by a later tarsier) can be
//! read back for `diff` and `reproduce`. Property bags that tarsier fills have typed fields plus an
//! `other` map that keeps whatever else a file holds.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub use tarsier_model::SuppressionKind;

/// The SARIF version this crate writes.
pub const SARIF_VERSION: &str = "2.1.0";

/// The JSON schema URI written into `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A free-form SARIF property bag, ordered by key so output is deterministic.
pub type PropertyBag = BTreeMap<String, Value>;

/// The top-level SARIF document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SarifLog {
    /// The JSON schema the document claims to follow.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// SARIF version, `2.1.0`.
    pub version: String,
    /// One run per tool invocation; tarsier writes exactly one.
    #[serde(default)]
    pub runs: Vec<Run>,
}

/// One invocation of one tool and everything it reported.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool that produced the run.
    pub tool: Tool,
    /// How the tool was run, with its execution notifications.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invocations: Vec<Invocation>,
    /// The base ids that `artifactLocation.uriBaseId` values refer to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
    /// Identifies the kind of run; GitHub uses `id` as the analysis category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_details: Option<RunAutomationDetails>,
    /// How columns are counted (`unicodeCodePoints` or `utf16CodeUnits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_kind: Option<String>,
    /// The files the run looked at; tarsier does not write this list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Vec<Artifact>>,
    /// The results, in a deterministic order.
    #[serde(default)]
    pub results: Vec<SarifResult>,
    /// Extra run-level data.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: PropertyBag,
}

/// The tool of a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Tool {
    /// The main component of the tool.
    pub driver: ToolComponent,
}

/// A tool component and the rules it defines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolComponent {
    /// Tool name, `tarsier`.
    pub name: String,
    /// Tool version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Tool home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    /// Rules, sorted by id; `result.ruleIndex` indexes into this list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ReportingDescriptor>,
    /// Descriptors of the notification codes used in `toolExecutionNotifications`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<ReportingDescriptor>,
}

/// Metadata of a rule (or of a notification code).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    /// Stable id, e.g. `express/open-redirect`.
    pub id: String,
    /// Friendly PascalCase name, e.g. `OpenRedirect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One-line description; GitHub shows it as the alert title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<MultiformatMessage>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_description: Option<MultiformatMessage>,
    /// Help, as text and Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<MultiformatMessage>,
    /// Where the rule's documentation lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Default level of the rule's results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_configuration: Option<ReportingConfiguration>,
    /// Tags, precision, security severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<RuleProperties>,
}

/// Text with an optional Markdown rendering.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MultiformatMessage {
    /// Plain text.
    #[serde(default)]
    pub text: String,
    /// GitHub-flavoured Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl MultiformatMessage {
    /// A text-only message.
    pub fn text(text: impl Into<String>) -> Self {
        MultiformatMessage {
            text: text.into(),
            markdown: None,
        }
    }
}

/// A rule's default configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReportingConfiguration {
    /// Default level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

/// The property bag of a rule, with the keys GitHub code scanning reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuleProperties {
    /// `security`, `external/cwe/cwe-NNN` and the pack name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `low`, `medium`, `high` or `very-high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<String>,
    /// A score from 0.0 to 10.0 written as a string with one decimal, as GitHub requires.
    #[serde(
        rename = "security-severity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub security_severity: Option<String>,
    /// CodeQL's `error`, `warning` or `recommendation`.
    #[serde(
        rename = "problem.severity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub problem_severity: Option<String>,
    /// Any other properties found when reading.
    #[serde(flatten)]
    pub other: PropertyBag,
}

/// A SARIF `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No level (used for results that are not problems).
    None,
    /// Informational.
    Note,
    /// A possible problem.
    Warning,
    /// A problem.
    Error,
}

impl From<tarsier_model::Severity> for Level {
    fn from(s: tarsier_model::Severity) -> Self {
        match s {
            tarsier_model::Severity::Note => Level::Note,
            tarsier_model::Severity::Warning => Level::Warning,
            tarsier_model::Severity::Error => Level::Error,
        }
    }
}

impl From<tarsier_model::NotificationLevel> for Level {
    fn from(s: tarsier_model::NotificationLevel) -> Self {
        match s {
            tarsier_model::NotificationLevel::Note => Level::Note,
            tarsier_model::NotificationLevel::Warning => Level::Warning,
            tarsier_model::NotificationLevel::Error => Level::Error,
        }
    }
}

/// A plain message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Message {
    /// The text.
    #[serde(default)]
    pub text: String,
}

impl Message {
    /// A message with this text.
    pub fn new(text: impl Into<String>) -> Self {
        Message { text: text.into() }
    }
}

/// One result: one rule firing at one place.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The rule's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// Index of the rule in `tool.driver.rules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// Level of this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// What was found.
    #[serde(default)]
    pub message: Message,
    /// Where (tarsier writes exactly one location).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// Stable fingerprints, keyed by scheme (`tarsier/v1`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partial_fingerprints: BTreeMap<String, String>,
    /// The source-to-sink path for taint findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_flows: Vec<CodeFlow>,
    /// Why the result is suppressed, if it is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    /// Set by a baseline comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    /// Package identity of registry findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<ResultProperties>,
}

/// The property bag of a result (or notification) about a file in an npm package: enough to
/// re-fetch exactly the tarball that was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResultProperties {
    /// Package name, with scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Exact version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Tarball URL as the registry gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tarball: Option<String>,
    /// Subresource-integrity string the tarball was verified against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// Path of the file inside the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Any other properties found when reading.
    #[serde(flatten)]
    pub other: PropertyBag,
}

/// How a result compares with a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline and unchanged.
    Unchanged,
    /// In the baseline, with changes.
    Updated,
    /// In the baseline but not in this run.
    Absent,
}

/// A location.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file and region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    /// What happens here (used in flows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

/// A file and a region in it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The region in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// A file reference, or (in `originalUriBaseIds`) the definition of a base id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// A URI reference, percent-encoded; relative to `uriBaseId` when that is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// `SRCROOT` for local files, `NPM_PACKAGES` for files inside npm packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<String>,
    /// What the location is (used for base-id definitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Message>,
}

/// A region of a text file. Lines and columns are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// First line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_line: Option<usize>,
    /// First column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    /// Last line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    /// Column just past the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    /// The source text of the flagged lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<ArtifactContent>,
}

/// Text content of (part of) a file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArtifactContent {
    /// The text.
    #[serde(default)]
    pub text: String,
}

/// A file the run looked at.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Artifact {
    /// Where the file is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<ArtifactLocation>,
    /// Anything else.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: PropertyBag,
}

/// A data-flow path.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeFlow {
    /// The threads of the flow; tarsier writes one.
    #[serde(default)]
    pub thread_flows: Vec<ThreadFlow>,
}

/// One sequence of locations in a flow.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ThreadFlow {
    /// The steps, source first.
    #[serde(default)]
    pub locations: Vec<ThreadFlowLocation>,
}

/// One step of a thread flow.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ThreadFlowLocation {
    /// Where the step is, with its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// A suppression of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `inSource` (a comment) or `external` (a triage file).
    pub kind: SuppressionKind,
    /// The reason given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// `accepted`, `underReview` or `rejected`; tarsier writes `accepted` for triage decisions
    /// and leaves it out for inline comments (meaning accepted, per SARIF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Identifies the kind of run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunAutomationDetails {
    /// `category/run-id`; GitHub keeps one analysis per category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// How the tool was run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// The command line, if the caller chose to record it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_line: Option<String>,
    /// Start time, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_utc: Option<String>,
    /// End time, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time_utc: Option<String>,
    /// Whether the run completed (findings do not make it unsuccessful).
    pub execution_successful: bool,
    /// Problems with the scan itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

/// A problem with the scan itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Notification {
    /// How serious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// What happened.
    #[serde(default)]
    pub message: Message,
    /// The notification code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor: Option<ReportingDescriptorReference>,
    /// The file concerned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// The package concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<ResultProperties>,
}

/// A reference to a descriptor by id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReportingDescriptorReference {
    /// The id, e.g. `file-too-large`.
    pub id: String,
}
