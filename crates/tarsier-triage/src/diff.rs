//! Night-to-night comparison of two SARIF logs: marks each result with its `baselineState`.
//!
//! # Matching
//!
//! Runs are paired first by the category of `automationDetails.id` (the part up to and including
//! the last `/`, since the rest is a per-night run id), then, for runs left over, by position,
//! except that two runs that both name a category and name different ones are never paired.
//! Within a pair of runs, a head result matches a base result:
//!
//! 1. with the same `partialFingerprints["tarsier/v1"]`, when the head result has one;
//! 2. otherwise (or when no base result has that fingerprint), among base results *without* a
//!    fingerprint, by rule id, artifact URI and the snippet text with whitespace collapsed.
//!
//! Each base result is matched at most once; equal keys are matched in order. Head results already
//! marked `absent` (the head log is itself the output of a diff) are dropped first: they are not
//! in the head.
//!
//! # States
//!
//! - `new`: no base result matches;
//! - `unchanged`: a base result matches, with the same message, level and region *shape*;
//! - `updated`: a base result matches but the message, the level or the region differs;
//! - `absent`: a base result that no head result matches. These are appended, in base order,
//!   after the head run's results (their `ruleIndex` remapped into the head run's rules, the rule
//!   appended when the head run does not define it). A base run with no head run is appended as a
//!   run of its own, all its results `absent`.
//!
//! The region is compared by shape, not position: the snippet text, the start and end columns and
//! the number of lines. A finding that only moved because lines were inserted above it keeps its
//! fingerprint and is `unchanged`. The artifact URI is not compared either: a package bumped to a
//! new version with the flagged code untouched gives an `unchanged` result.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use tarsier_sarif::FINGERPRINT_KEY;
use tarsier_sarif::model::{BaselineState, Level, Region, Run, SarifLog, SarifResult};

/// The outcome of [`diff()`].
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOutcome {
    /// The head log, each result marked with its `baselineState`, base-only results appended as
    /// `absent`.
    pub log: SarifLog,
    /// How many results are in each state.
    pub summary: DiffSummary,
}

/// How many results [`diff()`] put in each `baselineState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DiffSummary {
    /// In head only.
    pub new: usize,
    /// In both, identical.
    pub unchanged: usize,
    /// In both, with a changed message, level or region.
    pub updated: usize,
    /// In base only.
    pub absent: usize,
}

impl DiffSummary {
    fn count(&mut self, state: BaselineState) {
        match state {
            BaselineState::New => self.new += 1,
            BaselineState::Unchanged => self.unchanged += 1,
            BaselineState::Updated => self.updated += 1,
            BaselineState::Absent => self.absent += 1,
        }
    }
}

impl fmt::Display for DiffSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} new, {} updated, {} unchanged, {} absent",
            self.new, self.updated, self.unchanged, self.absent
        )
    }
}

/// Compares `head` with `base`; see the module docs for how results are matched.
///
/// ```
/// use tarsier_sarif::{build_log, RunInput};
/// use tarsier_triage::diff;
///
/// let log = build_log(&RunInput::default());
/// let outcome = diff(&log, &log);
/// assert_eq!(outcome.summary, Default::default());
/// assert_eq!(outcome.log.runs.len(), 1);
/// ```
pub fn diff(base: &SarifLog, head: &SarifLog) -> DiffOutcome {
    let mut summary = DiffSummary::default();
    let mut log = head.clone();
    let pairs = pair_runs(&base.runs, &head.runs);
    let mut paired_base = vec![false; base.runs.len()];
    for (head_index, run) in log.runs.iter_mut().enumerate() {
        // A head log that was itself diffed carries results that were already gone.
        run.results
            .retain(|r| r.baseline_state != Some(BaselineState::Absent));
        let base_run = pairs.get(head_index).copied().flatten().and_then(|b| {
            if let Some(slot) = paired_base.get_mut(b) {
                *slot = true;
            }
            base.runs.get(b)
        });
        diff_run(base_run, run, &mut summary);
    }
    // Base runs nobody paired: everything in them is gone.
    for (b, run) in base.runs.iter().enumerate() {
        if paired_base.get(b).copied().unwrap_or(true) {
            continue;
        }
        let mut run = run.clone();
        for result in &mut run.results {
            result.baseline_state = Some(BaselineState::Absent);
            summary.count(BaselineState::Absent);
        }
        log.runs.push(run);
    }
    DiffOutcome { log, summary }
}

/// The category of a run: `automationDetails.id` up to and including its last `/`.
fn category(run: &Run) -> Option<&str> {
    let id = run.automation_details.as_ref()?.id.as_deref()?;
    Some(match id.rfind('/') {
        Some(i) => id.get(..=i).unwrap_or(id),
        None => id,
    })
}

/// For each head run, the index of its base run, if any.
fn pair_runs(base: &[Run], head: &[Run]) -> Vec<Option<usize>> {
    let mut used = vec![false; base.len()];
    let mut pairs = vec![None; head.len()];
    // By category first.
    for (h, run) in head.iter().enumerate() {
        let Some(cat) = category(run) else { continue };
        let found = base
            .iter()
            .enumerate()
            .find(|(b, r)| !used.get(*b).copied().unwrap_or(true) && category(r) == Some(cat));
        if let Some((b, _)) = found {
            if let Some(u) = used.get_mut(b) {
                *u = true;
            }
            if let Some(p) = pairs.get_mut(h) {
                *p = Some(b);
            }
        }
    }
    // Then by position among the rest: the n-th unpaired head run with the n-th unpaired base
    // run, but never two runs that both name a category and name different ones.
    for (h, run) in head.iter().enumerate() {
        if pairs.get(h).copied().flatten().is_some() {
            continue;
        }
        let found = base.iter().enumerate().find(|(b, r)| {
            !used.get(*b).copied().unwrap_or(true)
                && (category(r).is_none() || category(run).is_none())
        });
        if let Some((b, _)) = found {
            if let Some(u) = used.get_mut(b) {
                *u = true;
            }
            if let Some(p) = pairs.get_mut(h) {
                *p = Some(b);
            }
        }
    }
    pairs
}

/// The fallback key of a result without a fingerprint: rule, URI, normalised snippet.
type FallbackKey = (Option<String>, Option<String>, String);

fn fingerprint(result: &SarifResult) -> Option<&str> {
    result
        .partial_fingerprints
        .get(FINGERPRINT_KEY)
        .map(String::as_str)
        .filter(|f| !f.is_empty())
}

fn first_region(result: &SarifResult) -> Option<&Region> {
    result
        .locations
        .first()?
        .physical_location
        .as_ref()?
        .region
        .as_ref()
}

fn fallback_key(result: &SarifResult) -> FallbackKey {
    let uri = result
        .locations
        .first()
        .and_then(|l| l.physical_location.as_ref())
        .and_then(|p| p.artifact_location.uri.clone());
    let snippet = first_region(result)
        .and_then(|r| r.snippet.as_ref())
        .map(|s| s.text.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    (result.rule_id.clone(), uri, snippet)
}

/// The parts of a region that do not move when lines are inserted above it: start column, end
/// column, number of lines, snippet text.
type RegionShape<'a> = (Option<usize>, Option<usize>, Option<usize>, Option<&'a str>);

/// The shape of a region; see [`RegionShape`].
fn region_shape(region: Option<&Region>) -> Option<RegionShape<'_>> {
    let r = region?;
    let lines = match (r.start_line, r.end_line) {
        (Some(s), Some(e)) => Some(e.saturating_sub(s)),
        _ => None,
    };
    Some((
        r.start_column,
        r.end_column,
        lines,
        r.snippet.as_ref().map(|s| s.text.as_str()),
    ))
}

/// SARIF's default level is `warning`.
fn effective_level(result: &SarifResult) -> Level {
    result.level.unwrap_or(Level::Warning)
}

fn state_of(base: &SarifResult, head: &SarifResult) -> BaselineState {
    let same = base.message.text == head.message.text
        && effective_level(base) == effective_level(head)
        && region_shape(first_region(base)) == region_shape(first_region(head));
    if same {
        BaselineState::Unchanged
    } else {
        BaselineState::Updated
    }
}

fn diff_run(base: Option<&Run>, head: &mut Run, summary: &mut DiffSummary) {
    let empty = Vec::new();
    let base_results = base.map_or(&empty, |r| &r.results);

    let mut by_fingerprint: HashMap<&str, VecDeque<usize>> = HashMap::new();
    let mut by_key: HashMap<FallbackKey, VecDeque<usize>> = HashMap::new();
    for (i, r) in base_results.iter().enumerate() {
        match fingerprint(r) {
            Some(fp) => by_fingerprint.entry(fp).or_default().push_back(i),
            None => by_key.entry(fallback_key(r)).or_default().push_back(i),
        }
    }

    let mut matched = vec![false; base_results.len()];
    for result in &mut head.results {
        let hit = fingerprint(result)
            .and_then(|fp| by_fingerprint.get_mut(fp))
            .and_then(VecDeque::pop_front)
            .or_else(|| {
                by_key
                    .get_mut(&fallback_key(result))
                    .and_then(VecDeque::pop_front)
            });
        let state = match hit.and_then(|i| base_results.get(i).map(|b| (i, b))) {
            Some((i, b)) => {
                if let Some(m) = matched.get_mut(i) {
                    *m = true;
                }
                state_of(b, result)
            }
            None => BaselineState::New,
        };
        result.baseline_state = Some(state);
        summary.count(state);
    }

    let Some(base) = base else { return };
    let mut head_rules: HashMap<String, usize> = head
        .tool
        .driver
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    for (i, b) in base_results.iter().enumerate() {
        if matched.get(i).copied().unwrap_or(true) {
            continue;
        }
        let mut absent = b.clone();
        absent.baseline_state = Some(BaselineState::Absent);
        let rule = b
            .rule_index
            .and_then(|ri| base.tool.driver.rules.get(ri))
            .filter(|r| b.rule_id.as_ref().is_none_or(|id| *id == r.id))
            .or_else(|| {
                let id = b.rule_id.as_ref()?;
                base.tool.driver.rules.iter().find(|r| r.id == *id)
            });
        absent.rule_index = rule.map(|rule| {
            *head_rules.entry(rule.id.clone()).or_insert_with(|| {
                head.tool.driver.rules.push(rule.clone());
                head.tool.driver.rules.len() - 1
            })
        });
        head.results.push(absent);
        summary.count(BaselineState::Absent);
    }
    // Absent results may refer to base ids the head run does not declare.
    let declared: BTreeMap<_, _> = base
        .original_uri_base_ids
        .iter()
        .filter(|(k, _)| !head.original_uri_base_ids.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    head.original_uri_base_ids.extend(declared);
}
