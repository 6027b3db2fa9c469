//! `merge`: shards into one run.
#![allow(clippy::unwrap_used)]

mod common;

use common::{finding, in_package, log, log_with, rule};
use tarsier_sarif::model::{Level, Message, Notification};
use tarsier_triage::{TriageError, merge};

fn shards() -> (
    tarsier_sarif::model::SarifLog,
    tarsier_sarif::model::SarifLog,
) {
    let one = log(
        &[rule("a/one"), rule("b/shared")],
        &[
            finding("a/one", "x.js", 3, "eval(x)"),
            finding("b/shared", "x.js", 9, "exec(x)"),
        ],
    );
    let mut two = log(
        &[rule("b/shared"), rule("c/two")],
        &[
            in_package(finding("b/shared", "i.js", 2, "exec(y)"), "send", "1.0.0"),
            in_package(finding("c/two", "i.js", 4, "spawn(y)"), "send", "1.0.0"),
        ],
    );
    two.runs[0].invocations[0].execution_successful = false;
    two.runs[0].invocations[0]
        .tool_execution_notifications
        .push(Notification {
            level: Some(Level::Warning),
            message: Message::new("file too large"),
            ..Notification::default()
        });
    (one, two)
}

#[test]
fn two_shards_with_overlapping_rules() {
    let (one, two) = shards();
    let merged = merge(&[one, two]).unwrap();
    assert_eq!(merged.runs.len(), 1);
    let run = &merged.runs[0];
    let ids: Vec<_> = run
        .tool
        .driver
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["a/one", "b/shared", "c/two"]);
    assert_eq!(run.results.len(), 4);
    for r in &run.results {
        let idx = r.rule_index.unwrap();
        assert_eq!(
            Some(run.tool.driver.rules[idx].id.as_str()),
            r.rule_id.as_deref()
        );
    }
    // One invocation: unsuccessful because one shard was; its notification kept.
    assert_eq!(run.invocations.len(), 1);
    assert!(!run.invocations[0].execution_successful);
    assert_eq!(run.invocations[0].tool_execution_notifications.len(), 1);
    // Both base ids declared.
    assert!(run.original_uri_base_ids.contains_key("SRCROOT"));
    assert!(run.original_uri_base_ids.contains_key("NPM_PACKAGES"));
    assert_eq!(run.tool.driver.version.as_deref(), Some("0.1.0"));
    assert_eq!(
        run.automation_details.as_ref().unwrap().id.as_deref(),
        Some("tarsier/registry/")
    );
}

#[test]
fn shard_order_does_not_matter_and_duplicates_collapse() {
    let (one, two) = shards();
    let a = merge(&[one.clone(), two.clone()]).unwrap();
    let b = merge(&[two.clone(), one.clone()]).unwrap();
    assert_eq!(a, b);
    // The same shard twice adds nothing.
    let c = merge(&[one.clone(), two, one]).unwrap();
    assert_eq!(a, c);
}

#[test]
fn all_successful_stays_successful() {
    let (one, _) = shards();
    let merged = merge(&[one.clone(), one]).unwrap();
    assert!(merged.runs[0].invocations[0].execution_successful);
}

#[test]
fn result_with_only_a_rule_index_is_remapped() {
    let (one, mut two) = shards();
    // In shard two, `c/two` is rule 1; drop the id so only the index names it.
    let r = two.runs[0]
        .results
        .iter_mut()
        .find(|r| r.rule_id.as_deref() == Some("c/two"))
        .unwrap();
    r.rule_id = None;
    assert_eq!(r.rule_index, Some(1));
    let merged = merge(&[one, two]).unwrap();
    let run = &merged.runs[0];
    let r = run
        .results
        .iter()
        .find(|r| r.rule_id.as_deref() == Some("c/two"))
        .unwrap();
    assert_eq!(r.rule_index, Some(2));
}

#[test]
fn different_tool_versions_are_an_error() {
    let (one, _) = shards();
    let other = log_with("0.2.0", "tarsier/registry/", &[rule("a/one")], &[]);
    let err = merge(&[one, other]).unwrap_err();
    assert!(
        matches!(err, TriageError::ToolMismatch { log: 2, run: 1, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("log #2"), "{msg}");
    assert!(msg.contains("tarsier 0.2.0"), "{msg}");
    assert!(msg.contains("tarsier 0.1.0"), "{msg}");
}

#[test]
fn different_tool_names_are_an_error() {
    let (one, mut two) = shards();
    two.runs[0].tool.driver.name = "semgrep".to_string();
    let err = merge(&[one, two]).unwrap_err();
    assert!(err.to_string().contains("semgrep"), "{err}");
}

#[test]
fn nothing_to_merge_is_an_error() {
    let err = merge(&[]).unwrap_err();
    assert!(matches!(err, TriageError::NothingToMerge { logs: 0 }));
    let mut empty = log(&[], &[]);
    empty.runs.clear();
    assert!(merge(&[empty]).is_err());
}
