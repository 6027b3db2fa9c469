//! What the report shows, taken out of the SARIF log: one [`Entry`] per result and the
//! [`Totals`].

use serde_json::Value;
use std::collections::BTreeMap;
use tarsier_sarif::model::{
    BaselineState, Level, ReportingDescriptor, Run, SarifLog, SarifResult, SuppressionKind,
};

/// Package label of results in local files (not in an npm package).
pub const LOCAL: &str = "local";

/// Severity names, most severe first.
pub const SEVERITIES: [&str; 4] = ["error", "warning", "note", "none"];

/// The name of a level as SARIF writes it.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
        Level::None => "none",
    }
}

/// The name of a baseline state as SARIF writes it.
pub fn baseline_name(state: BaselineState) -> &'static str {
    match state {
        BaselineState::New => "new",
        BaselineState::Unchanged => "unchanged",
        BaselineState::Updated => "updated",
        BaselineState::Absent => "absent",
    }
}

/// One result, flattened for display.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// 1-based number of the result in the report (runs in order, results in order).
    pub number: usize,
    /// The result.
    pub result: &'a SarifResult,
    /// The rule's descriptor, when the run defines it.
    pub rule: Option<&'a ReportingDescriptor>,
    /// Rule id, or `(no rule)`.
    pub rule_id: String,
    /// Effective level: the result's, else the rule's default, else `warning`.
    pub level: Level,
    /// `name@version` from `properties.package`/`version`, or [`LOCAL`].
    pub package: String,
    /// The artifact URI, percent-decoded for display, or empty.
    pub uri: String,
    /// Start line, or 0.
    pub line: usize,
    /// Start column, or 0.
    pub column: usize,
}

impl Entry<'_> {
    /// `uri:line:column`, leaving out what is unknown.
    pub fn location(&self) -> String {
        let mut s = if self.uri.is_empty() {
            "(no location)".to_string()
        } else {
            self.uri.clone()
        };
        if self.line > 0 {
            s.push_str(&format!(":{}", self.line));
            if self.column > 0 {
                s.push_str(&format!(":{}", self.column));
            }
        }
        s
    }

    /// Whether any suppression applies.
    pub fn is_suppressed(&self) -> bool {
        !self.result.suppressions.is_empty()
    }

    /// A short triage status: baseline state and suppression, e.g. `new, suppressed`.
    pub fn status(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(state) = self.result.baseline_state {
            parts.push(baseline_name(state));
        }
        if self
            .result
            .suppressions
            .iter()
            .any(|s| s.kind == SuppressionKind::External)
        {
            parts.push("triaged");
        } else if self.is_suppressed() {
            parts.push("suppressed");
        }
        if parts.is_empty() {
            "open".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Finds the rule of a result: by index when the index agrees with the id, else by id.
fn rule_of<'a>(run: &'a Run, result: &SarifResult) -> Option<&'a ReportingDescriptor> {
    let rules = &run.tool.driver.rules;
    result
        .rule_index
        .and_then(|i| rules.get(i))
        .filter(|r| result.rule_id.as_ref().is_none_or(|id| *id == r.id))
        .or_else(|| {
            let id = result.rule_id.as_ref()?;
            rules.iter().find(|r| r.id == *id)
        })
}

fn string_property(result: &SarifResult, key: &str) -> Option<String> {
    let props = result.properties.as_ref()?;
    let typed = match key {
        "package" => props.package.clone(),
        "version" => props.version.clone(),
        _ => None,
    };
    typed.or_else(|| match props.other.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    })
}

/// Flattens every result of every run, in order.
pub fn entries(log: &SarifLog) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for run in &log.runs {
        for result in &run.results {
            let rule = rule_of(run, result);
            let rule_id = result
                .rule_id
                .clone()
                .or_else(|| rule.map(|r| r.id.clone()))
                .unwrap_or_else(|| "(no rule)".to_string());
            let level = result
                .level
                .or_else(|| rule?.default_configuration.as_ref()?.level)
                .unwrap_or(Level::Warning);
            let package = match (
                string_property(result, "package"),
                string_property(result, "version"),
            ) {
                (Some(name), Some(version)) => format!("{name}@{version}"),
                (Some(name), None) => name,
                _ => LOCAL.to_string(),
            };
            let phys = result
                .locations
                .first()
                .and_then(|l| l.physical_location.as_ref());
            let region = phys.and_then(|p| p.region.as_ref());
            out.push(Entry {
                number: out.len() + 1,
                result,
                rule,
                rule_id,
                level,
                package,
                uri: phys
                    .and_then(|p| p.artifact_location.uri.as_deref())
                    .map(percent_decode)
                    .unwrap_or_default(),
                line: region.and_then(|r| r.start_line).unwrap_or(0),
                column: region.and_then(|r| r.start_column).unwrap_or(0),
            });
        }
    }
    out
}

/// Counts shown at the top of the report. Results marked `absent` by a diff are no longer there
/// and are left out of every count except [`Totals::absent`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    /// Results present (not `absent`).
    pub total: usize,
    /// Present results with at least one suppression (in source or triaged).
    pub suppressed: usize,
    /// Results marked `new` by a diff.
    pub new: usize,
    /// Results marked `absent` by a diff.
    pub absent: usize,
    /// Present results per level name, for every level in [`SEVERITIES`] (zeros included).
    pub by_severity: BTreeMap<String, usize>,
    /// Present results per package label (`name@version` or [`LOCAL`]).
    pub by_package: BTreeMap<String, usize>,
    /// Present results per rule id.
    pub by_rule: BTreeMap<String, usize>,
}

/// Computes the [`Totals`] of a log.
///
/// ```
/// let log = tarsier_sarif::from_reader(&br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},
///   "results":[{"ruleId":"r","level":"error","message":{"text":"m"}}]}]}"#[..]).unwrap();
/// let totals = tarsier_report::totals(&log);
/// assert_eq!(totals.by_severity["error"], 1);
/// assert_eq!(totals.by_package["local"], 1);
/// ```
pub fn totals(log: &SarifLog) -> Totals {
    totals_of(&entries(log))
}

pub(crate) fn totals_of(entries: &[Entry<'_>]) -> Totals {
    let mut t = Totals {
        by_severity: SEVERITIES.iter().map(|s| (s.to_string(), 0)).collect(),
        ..Totals::default()
    };
    for e in entries {
        match e.result.baseline_state {
            Some(BaselineState::Absent) => {
                t.absent += 1;
                continue;
            }
            Some(BaselineState::New) => t.new += 1,
            _ => {}
        }
        t.total += 1;
        if e.is_suppressed() {
            t.suppressed += 1;
        }
        *t.by_severity
            .entry(level_name(e.level).to_string())
            .or_default() += 1;
        *t.by_package.entry(e.package.clone()).or_default() += 1;
        *t.by_rule.entry(e.rule_id.clone()).or_default() += 1;
    }
    t
}

/// Decodes `%XX` escapes of a URI reference for display; the raw text is kept when the result
/// would not be UTF-8 or an escape is malformed.
pub fn percent_decode(uri: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let decoded = bytes
                .get(i + 1)
                .and_then(|&h| hex(h))
                .zip(bytes.get(i + 2).and_then(|&l| hex(l)));
            match decoded {
                Some((h, l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                None => return uri.to_string(),
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| uri.to_string())
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_for_display() {
        assert_eq!(percent_decode("src/%3Codd%3E.js"), "src/<odd>.js");
        assert_eq!(percent_decode("%40scope/a%20b"), "@scope/a b");
        assert_eq!(percent_decode("caf%C3%A9"), "caf\u{e9}");
        // Malformed or non-UTF-8: shown as written.
        assert_eq!(percent_decode("a%zz"), "a%zz");
        assert_eq!(percent_decode("a%4"), "a%4");
        assert_eq!(percent_decode("%FF"), "%FF");
    }
}
