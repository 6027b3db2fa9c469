//! The rule file format: serde types with `deny_unknown_fields`, so a typo is an error, not a
//! silently ignored key.

use serde::Deserialize;
use tarsier_model::{Precision, RuleMeta, Severity};

/// One rule file as written on disk.
///
/// ```toml
/// id = "express/open-redirect"
/// name = "Redirect to a request-controlled URL"
/// severity = "error"
/// security-severity = 6.1
/// precision = "high"
/// cwe = ["CWE-601"]
/// message = "`{{sink}}` redirects to a URL taken from the request"
/// requires = ["redirect", "location"]
/// query = '''(call_expression ...) @finding'''
/// help = """## What it does ..."""
/// [[tests.invalid]]
/// code = "..."
/// line = 1
/// [tests]
/// valid = ["..."]
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleFile {
    /// Stable id `pack/name`; must match the file's place in the rules directory.
    pub id: String,
    /// One-line human name (SARIF `shortDescription`).
    pub name: String,
    /// Default severity.
    pub severity: Severity,
    /// 0.0 to 10.0, as GitHub code scanning ranks alerts.
    pub security_severity: f32,
    /// How often a finding is a true positive.
    pub precision: Precision,
    /// CWE ids, `CWE-NNN`.
    pub cwe: Vec<String>,
    /// The result message; `{{capture}}` is replaced by that capture's source text.
    pub message: String,
    /// Help in Markdown with the sections in [`crate::REQUIRED_HELP_SECTIONS`].
    pub help: String,
    /// A tree-sitter query over the JavaScript grammar; its `@finding` capture is the result's span.
    #[serde(default)]
    pub query: Option<String>,
    /// Instead of a query: the name of a built-in analyzer (see [`crate::KNOWN_ANALYZERS`]).
    #[serde(default)]
    pub analyzer: Option<String>,
    /// Words of which at least one must occur in a file for the rule to run there (a cheap
    /// pre-filter; leave empty to always run).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Call names that, wrapped around request data, make it safe for this rule (added to the
    /// sanitizers of `taint.toml`).
    #[serde(default)]
    pub sanitizers: Vec<String>,
    /// Severity when the flagged argument is not request-derived (the rule's `severity` then
    /// applies only to request-derived ones). Used with the `tainted` capture.
    #[serde(default)]
    pub untainted_severity: Option<Severity>,
    /// Severity when the flagged value is applied to request data (an escalation above
    /// `severity`); used by analyzer rules such as `redos/polynomial`.
    #[serde(default)]
    pub tainted_severity: Option<Severity>,
    /// The kinds of sink the rule guards (`html-text`, `command`, see
    /// [`crate::models::SINK_KINDS`]): a model sanitizer stops taint for the rules whose sink
    /// kinds it names, and only for those.
    #[serde(default)]
    pub sink_kinds: Vec<String>,
    /// Whether parameters of a package's exported functions count as a (lower-precision) source
    /// for this rule when no model names them: input from the calling application, which the
    /// Express threat model trusts, but which a ReDoS, prototype-pollution or command-building
    /// flaw in a library still turns into an advisory.
    #[serde(default)]
    pub library_inputs: bool,
    /// Inline test cases.
    pub tests: RuleTests,
}

/// A rule's inline tests.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTests {
    /// Code that must produce findings, with the lines where they must occur.
    #[serde(default)]
    pub invalid: Vec<InvalidCase>,
    /// Code that must produce no finding.
    #[serde(default)]
    pub valid: Vec<String>,
}

/// Code that must match, and where.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidCase {
    /// The JavaScript snippet.
    pub code: String,
    /// The one line (1-based) where the single finding must be.
    #[serde(default)]
    pub line: Option<usize>,
    /// Or: every line where a finding must be (one finding per entry, in order).
    #[serde(default)]
    pub lines: Option<Vec<usize>>,
}

impl InvalidCase {
    /// The expected finding lines, whichever of `line` / `lines` was written.
    pub fn expected_lines(&self) -> Vec<usize> {
        match (&self.lines, self.line) {
            (Some(lines), _) => lines.clone(),
            (None, Some(line)) => vec![line],
            (None, None) => Vec::new(),
        }
    }
}

/// A loaded, validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Metadata for output formats.
    pub meta: RuleMeta,
    /// The message template.
    pub message: String,
    /// The query source, for query rules.
    pub query: Option<String>,
    /// The analyzer name, for analyzer rules.
    pub analyzer: Option<String>,
    /// Pre-filter words.
    pub requires: Vec<String>,
    /// Extra sanitizers for this rule.
    pub sanitizers: Vec<String>,
    /// Severity for findings whose `tainted` capture is not request-derived.
    pub untainted_severity: Option<tarsier_model::Severity>,
    /// Severity when the flagged value is applied to request data.
    pub tainted_severity: Option<tarsier_model::Severity>,
    /// Sink kinds the rule guards.
    pub sink_kinds: Vec<String>,
    /// Whether exported functions' parameters are a source for this rule.
    pub library_inputs: bool,
    /// Inline tests.
    pub tests: RuleTests,
    /// Where the rule came from (a path, or `<embedded>/pack/name.toml`).
    pub source: String,
}

impl Rule {
    /// Builds a rule from its parsed file; the summary is the first paragraph of the help's
    /// "What it does" section.
    pub fn from_file(file: RuleFile, source: String) -> Rule {
        let pack = file.id.split('/').next().unwrap_or_default().to_string();
        let summary = summary_of(&file.help).unwrap_or_else(|| file.name.clone());
        Rule {
            meta: RuleMeta {
                id: file.id,
                name: file.name,
                severity: file.severity,
                security_severity: file.security_severity,
                precision: file.precision,
                cwe: file.cwe,
                summary,
                help_markdown: file.help,
                pack,
            },
            message: file.message,
            query: file.query,
            analyzer: file.analyzer,
            requires: file.requires,
            sanitizers: file.sanitizers,
            untainted_severity: file.untainted_severity,
            tainted_severity: file.tainted_severity,
            sink_kinds: file.sink_kinds,
            library_inputs: file.library_inputs,
            tests: file.tests,
            source,
        }
    }
}

/// First paragraph under "## What it does", joined into one line.
fn summary_of(help: &str) -> Option<String> {
    let start = help.find("## What it does")?;
    let rest = &help[start..];
    let body = rest.split_once('\n')?.1;
    let paragraph: Vec<&str> = body
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}
