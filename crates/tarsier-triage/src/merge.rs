//! Merging the SARIF logs of several shards into one log with one run.
//!
//! A large scan can be split into shards (by package, by scope) that run on different machines;
//! [`merge()`] puts their outputs back together so that `diff`, triage and GitHub code scanning see
//! a single analysis:
//!
//! - every run must come from the same tool name and version, or the merge fails;
//! - rules (and notification descriptors) are the union by id, sorted by id; the first definition
//!   of an id wins; each result's `ruleIndex` is recomputed from its rule id;
//! - results are the union of all results, exact duplicates (a package scanned by two shards)
//!   kept once, sorted by artifact, position and rule so that the order of the shards does not
//!   matter;
//! - one invocation: `executionSuccessful` is true only if every shard's was, the notifications of
//!   all shards are kept (exact duplicates once, most severe first), start time the earliest and
//!   end time the latest;
//! - `originalUriBaseIds` and run properties are merged, the first definition of a key winning;
//!   `automationDetails` and `columnKind` are taken from the first run that has them.

use crate::error::TriageError;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use tarsier_sarif::model::{
    Invocation, Notification, ReportingDescriptor, Run, SARIF_VERSION, SarifLog, SarifResult, Tool,
    ToolComponent,
};

/// Merges `logs` into one log with one run; see the module docs for the rules.
///
/// ```
/// use tarsier_sarif::{build_log, RunInput};
/// let shard = build_log(&RunInput { tool_version: "0.1.0", execution_successful: true, ..RunInput::default() });
/// let merged = tarsier_triage::merge(&[shard.clone(), shard]).unwrap();
/// assert_eq!(merged.runs.len(), 1);
/// assert!(merged.runs[0].invocations[0].execution_successful);
/// ```
pub fn merge(logs: &[SarifLog]) -> Result<SarifLog, TriageError> {
    let runs: Vec<(usize, usize, &Run)> = logs
        .iter()
        .enumerate()
        .flat_map(|(l, log)| log.runs.iter().enumerate().map(move |(r, run)| (l, r, run)))
        .collect();
    let Some(&(_, _, first)) = runs.first() else {
        return Err(TriageError::NothingToMerge { logs: logs.len() });
    };
    let tool_of = |run: &Run| {
        let d = &run.tool.driver;
        match &d.version {
            Some(v) => format!("{} {v}", d.name),
            None => d.name.clone(),
        }
    };
    let expected = tool_of(first);
    for &(l, r, run) in &runs {
        let found = tool_of(run);
        if found != expected {
            return Err(TriageError::ToolMismatch {
                log: l + 1,
                run: r + 1,
                expected,
                found,
            });
        }
    }

    // Rules and notification descriptors: union by id, first definition wins, sorted by id.
    let mut rules: BTreeMap<String, ReportingDescriptor> = BTreeMap::new();
    let mut notification_descriptors: BTreeMap<String, ReportingDescriptor> = BTreeMap::new();
    for &(_, _, run) in &runs {
        for rule in &run.tool.driver.rules {
            rules.entry(rule.id.clone()).or_insert_with(|| rule.clone());
        }
        for d in &run.tool.driver.notifications {
            notification_descriptors
                .entry(d.id.clone())
                .or_insert_with(|| d.clone());
        }
    }
    let rule_index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();

    let mut results: Vec<SarifResult> = Vec::new();
    let mut merged = Run {
        tool: Tool {
            driver: ToolComponent {
                name: first.tool.driver.name.clone(),
                version: first.tool.driver.version.clone(),
                information_uri: None,
                rules: Vec::new(),
                notifications: Vec::new(),
            },
        },
        ..Run::default()
    };
    let mut invocation: Option<Invocation> = None;
    for &(_, _, run) in &runs {
        let driver = &run.tool.driver;
        if merged.tool.driver.information_uri.is_none() {
            merged.tool.driver.information_uri = driver.information_uri.clone();
        }
        for result in &run.results {
            let mut result = result.clone();
            // The rule id is authoritative; a result with only an index gets its id back.
            if result.rule_id.is_none() {
                result.rule_id = result
                    .rule_index
                    .and_then(|i| driver.rules.get(i))
                    .map(|r| r.id.clone());
            }
            result.rule_index = result
                .rule_id
                .as_deref()
                .and_then(|id| rule_index.get(id).copied());
            results.push(result);
        }
        for inv in &run.invocations {
            let acc = invocation.get_or_insert_with(|| Invocation {
                command_line: inv.command_line.clone(),
                start_time_utc: None,
                end_time_utc: None,
                execution_successful: true,
                tool_execution_notifications: Vec::new(),
            });
            if acc.command_line != inv.command_line {
                acc.command_line = None;
            }
            acc.execution_successful &= inv.execution_successful;
            acc.start_time_utc = earliest(acc.start_time_utc.take(), inv.start_time_utc.clone());
            acc.end_time_utc = latest(acc.end_time_utc.take(), inv.end_time_utc.clone());
            for n in &inv.tool_execution_notifications {
                if !acc.tool_execution_notifications.contains(n) {
                    acc.tool_execution_notifications.push(n.clone());
                }
            }
        }
        for (k, v) in &run.original_uri_base_ids {
            merged
                .original_uri_base_ids
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        for (k, v) in &run.properties {
            merged
                .properties
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        if merged.automation_details.is_none() {
            merged.automation_details = run.automation_details.clone();
        }
        if merged.column_kind.is_none() {
            merged.column_kind = run.column_kind.clone();
        }
        if let Some(artifacts) = &run.artifacts {
            merged
                .artifacts
                .get_or_insert_with(Vec::new)
                .extend(artifacts.iter().cloned());
        }
    }

    // Sort, ties broken by the whole result, so the order of the shards never shows; then drop
    // exact duplicates, which are now adjacent.
    let mut keyed: Vec<(String, SarifResult)> =
        results.into_iter().map(|r| (identity(&r), r)).collect();
    keyed.sort_by(|(ka, a), (kb, b)| compare_results(a, b).then_with(|| ka.cmp(kb)));
    keyed.dedup_by(|(ka, _), (kb, _)| ka == kb);
    let results: Vec<SarifResult> = keyed.into_iter().map(|(_, r)| r).collect();

    merged.tool.driver.rules = rules.into_values().collect();
    merged.tool.driver.notifications = notification_descriptors.into_values().collect();
    if let Some(inv) = invocation.as_mut() {
        // Most severe first, then by code and text, so shard order never shows.
        let mut keyed: Vec<_> = std::mem::take(&mut inv.tool_execution_notifications)
            .into_iter()
            .map(|n| (format!("{n:?}"), n))
            .collect();
        keyed.sort_by(|(ka, a), (kb, b)| {
            let key = |n: &Notification| {
                (
                    std::cmp::Reverse(n.level),
                    n.descriptor.as_ref().map(|d| d.id.clone()),
                    n.message.text.clone(),
                )
            };
            key(a).cmp(&key(b)).then_with(|| ka.cmp(kb))
        });
        inv.tool_execution_notifications = keyed.into_iter().map(|(_, n)| n).collect();
    }
    merged.invocations = invocation.into_iter().collect();
    merged.results = results;

    Ok(SarifLog {
        schema: logs.iter().find_map(|l| l.schema.clone()),
        version: SARIF_VERSION.to_string(),
        runs: vec![merged],
    })
}

fn earliest(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b < a { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn latest(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b > a { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The identity of a result for de-duplication and tie-breaking: its full debug rendering, which is
/// deterministic (property bags are `BTreeMap`s); `SarifResult` is neither `Hash` nor `Ord`.
fn identity(r: &SarifResult) -> String {
    format!("{r:?}")
}

/// Artifact (base id, URI), position, rule, fingerprint, message.
fn compare_results(a: &SarifResult, b: &SarifResult) -> Ordering {
    fn key(r: &SarifResult) -> impl Ord + '_ {
        let phys = r
            .locations
            .first()
            .and_then(|l| l.physical_location.as_ref());
        let art = phys.map(|p| &p.artifact_location);
        let region = phys.and_then(|p| p.region.as_ref());
        (
            art.and_then(|a| a.uri_base_id.as_deref()),
            art.and_then(|a| a.uri.as_deref()),
            region.and_then(|r| r.start_line),
            region.and_then(|r| r.start_column),
            region.and_then(|r| r.end_line),
            region.and_then(|r| r.end_column),
            r.rule_id.as_deref(),
            r.partial_fingerprints.values().next().map(String::as_str),
            r.message.text.as_str(),
        )
    }
    key(a).cmp(&key(b))
}
