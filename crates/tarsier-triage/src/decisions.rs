//! The triage file, `tarsier-triage.toml`: decisions about findings, keyed by fingerprint.
//!
//! ```toml
//! [[decision]]
//! fingerprint = "0123456789abcdef0123456789abcdef"
//! status = "accepted-risk"            # accepted-risk | false-positive | fixed-upstream
//! justification = "Only reachable from the admin CLI"
//! who = "alice"
//! when = "2026-11-25"                 # YYYY-MM-DD; a bare TOML date is accepted too
//! rule = "express/open-redirect"      # optional, for humans
//! location = "send@1.2.3/index.js:42" # optional, for humans
//! ```
//!
//! Unknown keys are errors, so a misspelt key never silently drops a decision. [`TriageFile::apply`]
//! turns matching decisions into SARIF `suppressions` of kind `external`; the results stay in the
//! log, so the decision is visible in every report, and decisions that match nothing are returned
//! as stale.

use crate::error::TriageError;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Write;
use std::path::Path;
use tarsier_sarif::FINGERPRINT_KEY;
use tarsier_sarif::model::{SarifLog, Suppression, SuppressionKind};

/// Default name of the triage file.
pub const TRIAGE_FILE_NAME: &str = "tarsier-triage.toml";

/// What was decided about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A real finding whose risk is accepted.
    AcceptedRisk,
    /// Not a real problem.
    FalsePositive,
    /// Fixed in a newer version of the package; waiting for the upgrade.
    FixedUpstream,
}

impl Status {
    /// The name used in the triage file, e.g. `accepted-risk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::AcceptedRisk => "accepted-risk",
            Status::FalsePositive => "false-positive",
            Status::FixedUpstream => "fixed-upstream",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "accepted-risk" => Ok(Status::AcceptedRisk),
            "false-positive" => Ok(Status::FalsePositive),
            "fixed-upstream" => Ok(Status::FixedUpstream),
            other => Err(format!(
                "unknown status `{other}`; expected accepted-risk, false-positive or fixed-upstream"
            )),
        }
    }
}

/// One decision about one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The finding's `partialFingerprints["tarsier/v1"]`.
    pub fingerprint: String,
    /// What was decided.
    pub status: Status,
    /// Why.
    pub justification: String,
    /// Who decided.
    pub who: String,
    /// When, as `YYYY-MM-DD`.
    #[serde(deserialize_with = "deserialize_date")]
    pub when: String,
    /// The rule id, for humans reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Where the finding was, for humans reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Decision {
    /// Checks the fields that TOML cannot: nothing empty, a real date.
    pub fn validate(&self) -> Result<(), String> {
        if self.fingerprint.trim().is_empty() {
            return Err("`fingerprint` is empty".to_string());
        }
        if self.fingerprint.chars().any(char::is_whitespace) {
            return Err(format!(
                "`fingerprint` `{}` contains whitespace",
                self.fingerprint
            ));
        }
        if self.justification.trim().is_empty() {
            return Err("`justification` is empty; say why".to_string());
        }
        if self.who.trim().is_empty() {
            return Err("`who` is empty".to_string());
        }
        check_date(&self.when)
    }

    /// Fills `rule` and `location` (those not set yet) from the first result in `log` with this
    /// decision's fingerprint, so that people reading the file see what the decision is about.
    /// Returns whether such a result was found.
    pub fn fill_context(&mut self, log: &SarifLog) -> bool {
        let Some(result) = log
            .runs
            .iter()
            .flat_map(|r| &r.results)
            .find(|r| r.partial_fingerprints.get(FINGERPRINT_KEY) == Some(&self.fingerprint))
        else {
            return false;
        };
        if self.rule.is_none() {
            self.rule = result.rule_id.clone();
        }
        if self.location.is_none() {
            let phys = result
                .locations
                .first()
                .and_then(|l| l.physical_location.as_ref());
            if let Some(uri) = phys.and_then(|p| p.artifact_location.uri.as_deref()) {
                let line = phys
                    .and_then(|p| p.region.as_ref())
                    .and_then(|r| r.start_line);
                self.location = Some(match line {
                    Some(line) => format!("{uri}:{line}"),
                    None => uri.to_string(),
                });
            }
        }
        true
    }

    /// The SARIF suppression justification: `<status>: <why> (<who>, <when>)`.
    pub fn suppression_justification(&self) -> String {
        format!(
            "{}: {} ({}, {})",
            self.status,
            self.justification.trim(),
            self.who.trim(),
            self.when
        )
    }
}

/// Checks that `s` is a calendar date written `YYYY-MM-DD`.
fn check_date(s: &str) -> Result<(), String> {
    let bad = || format!("`when` is `{s}`, but must be a date written YYYY-MM-DD");
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32, String> {
        let part = s.get(r).ok_or_else(bad)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days {
        return Err(bad());
    }
    Ok(())
}

/// Accepts `when = "2026-11-25"` and the bare TOML date `when = 2026-11-25`.
fn deserialize_date<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error;
    let text = match toml::Value::deserialize(d)? {
        toml::Value::String(s) => s,
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
        other => {
            return Err(D::Error::custom(format!(
                "`when` must be a date such as \"2026-11-25\", not {}",
                other.type_str()
            )));
        }
    };
    check_date(&text).map_err(D::Error::custom)?;
    Ok(text)
}

/// The outcome of [`TriageFile::apply`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplyOutcome {
    /// How many results received a suppression.
    pub suppressed: usize,
    /// Decisions that matched no result, in file order.
    pub stale: Vec<Decision>,
}

/// The decisions of a triage file, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TriageFile {
    /// The decisions; at most one per fingerprint.
    #[serde(rename = "decision")]
    pub decisions: Vec<Decision>,
}

/// The file as read, with the position of each entry for error messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, rename = "decision")]
    decisions: Vec<toml::Spanned<Decision>>,
}

const HEADER: &str = "# tarsier triage decisions, keyed by `partialFingerprints[\"tarsier/v1\"]`.\n\
# Edit by hand or with `tarsier triage add FINGERPRINT --status ... --why ...`.\n\
# status: accepted-risk | false-positive | fixed-upstream\n\n";

impl TriageFile {
    /// Reads a triage file. A missing file is an empty triage file.
    pub fn load(path: &Path) -> Result<TriageFile, TriageError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(TriageFile::default());
            }
            Err(reason) => {
                return Err(TriageError::Read {
                    path: path.to_path_buf(),
                    reason,
                });
            }
        };
        Self::parse(&text, path)
    }

    /// Parses the text of a triage file; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<TriageFile, TriageError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            TriageError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                reason: e.message().trim().to_string(),
            }
        })?;
        let mut seen: HashSet<String> = HashSet::new();
        let mut decisions = Vec::with_capacity(raw.decisions.len());
        for spanned in raw.decisions {
            let line = line_col(text, spanned.span().start).0;
            let decision = spanned.into_inner();
            let invalid = |reason| TriageError::InvalidEntry {
                path: path.to_path_buf(),
                line,
                reason,
            };
            decision.validate().map_err(invalid)?;
            if !seen.insert(decision.fingerprint.clone()) {
                return Err(invalid(format!(
                    "a second decision for fingerprint `{}`; keep one",
                    decision.fingerprint
                )));
            }
            decisions.push(decision);
        }
        Ok(TriageFile { decisions })
    }

    /// Writes the file atomically: a temporary file beside `path`, synced, then renamed over it.
    pub fn save(&self, path: &Path) -> Result<(), TriageError> {
        let body = toml::to_string(self).map_err(|e| TriageError::Serialize {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let write_err = |reason| TriageError::Write {
            path: path.to_path_buf(),
            reason,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".tarsier-triage")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(write_err)?;
        // The temporary file is private (0600); give the result the permissions of the file it
        // replaces, or ordinary ones for a new file, since the triage file is shared.
        let permissions = match std::fs::metadata(path) {
            Ok(meta) => Some(meta.permissions()),
            Err(_) => new_file_permissions(),
        };
        if let Some(permissions) = permissions {
            tmp.as_file()
                .set_permissions(permissions)
                .map_err(write_err)?;
        }
        tmp.write_all(HEADER.as_bytes()).map_err(write_err)?;
        tmp.write_all(body.as_bytes()).map_err(write_err)?;
        tmp.as_file().sync_all().map_err(write_err)?;
        tmp.persist(path).map_err(|e| write_err(e.error))?;
        Ok(())
    }

    /// Adds a decision, replacing the decision for the same fingerprint if there is one (in
    /// place, so the file order stays). Returns the replaced decision.
    pub fn add(&mut self, decision: Decision) -> Result<Option<Decision>, TriageError> {
        decision
            .validate()
            .map_err(|reason| TriageError::InvalidDecision {
                fingerprint: decision.fingerprint.clone(),
                reason,
            })?;
        match self
            .decisions
            .iter_mut()
            .find(|d| d.fingerprint == decision.fingerprint)
        {
            Some(slot) => Ok(Some(std::mem::replace(slot, decision))),
            None => {
                self.decisions.push(decision);
                Ok(None)
            }
        }
    }

    /// The decision for a fingerprint, if any.
    pub fn get(&self, fingerprint: &str) -> Option<&Decision> {
        self.decisions.iter().find(|d| d.fingerprint == fingerprint)
    }

    /// Marks every result whose `tarsier/v1` fingerprint has a decision with an `external`
    /// suppression whose justification is `<status>: <why> (<who>, <when>)`. The result stays in
    /// the log; an earlier `external` suppression is replaced, an `inSource` one is kept.
    pub fn apply(&self, log: &mut SarifLog) -> ApplyOutcome {
        let mut used = vec![false; self.decisions.len()];
        let index: HashMap<&str, usize> = self
            .decisions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.fingerprint.as_str(), i))
            .collect();
        let mut suppressed = 0;
        for result in log.runs.iter_mut().flat_map(|r| r.results.iter_mut()) {
            let Some(fp) = result.partial_fingerprints.get(FINGERPRINT_KEY) else {
                continue;
            };
            let Some((i, decision)) = index
                .get(fp.as_str())
                .and_then(|&i| self.decisions.get(i).map(|d| (i, d)))
            else {
                continue;
            };
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            result
                .suppressions
                .retain(|s| s.kind != SuppressionKind::External);
            result.suppressions.push(Suppression {
                kind: SuppressionKind::External,
                justification: Some(decision.suppression_justification()),
                status: Some("accepted".to_string()),
            });
            suppressed += 1;
        }
        let stale = self
            .decisions
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(d, _)| d.clone())
            .collect();
        ApplyOutcome { suppressed, stale }
    }
}

/// Permissions of a newly created triage file: `rw-r--r--` on Unix, the default elsewhere.
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Permissions of a newly created triage file: the default outside Unix.
#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
