//! `diff`: baseline states, stability, run pairing.
#![allow(clippy::unwrap_used)]

mod common;

use common::{finding, in_package, log, log_with, rule};
use tarsier_sarif::model::{BaselineState, Level, SarifResult};
use tarsier_triage::{DiffSummary, diff};

fn state_of<'a>(results: &'a [SarifResult], rule: &str) -> Vec<(BaselineState, &'a str)> {
    results
        .iter()
        .filter(|r| r.rule_id.as_deref() == Some(rule))
        .map(|r| (r.baseline_state.unwrap(), r.message.text.as_str()))
        .collect()
}

#[test]
fn each_baseline_state() {
    let rules = [
        rule("a/moved"),
        rule("a/changed"),
        rule("a/gone"),
        rule("a/new"),
    ];
    let base = log(
        &rules,
        &[
            finding("a/moved", "x.js", 3, "eval(x)"),
            finding("a/changed", "y.js", 5, "exec(y)"),
            finding("a/gone", "z.js", 7, "spawn(z)"),
        ],
    );
    let mut changed = finding("a/changed", "y.js", 5, "exec(y)");
    changed.message = "a different message".to_string();
    let head = log(
        &rules,
        &[
            finding("a/moved", "x.js", 30, "eval(x)"),
            changed,
            finding("a/new", "w.js", 1, "open(w)"),
        ],
    );
    let out = diff(&base, &head);
    assert_eq!(
        out.summary,
        DiffSummary {
            new: 1,
            unchanged: 1,
            updated: 1,
            absent: 1
        }
    );
    assert_eq!(
        out.summary.to_string(),
        "1 new, 1 updated, 1 unchanged, 1 absent"
    );
    let run = &out.log.runs[0];
    assert_eq!(run.results.len(), 4);
    assert_eq!(
        state_of(&run.results, "a/moved")[0].0,
        BaselineState::Unchanged
    );
    assert_eq!(
        state_of(&run.results, "a/changed"),
        vec![(BaselineState::Updated, "a different message.")]
    );
    assert_eq!(state_of(&run.results, "a/new")[0].0, BaselineState::New);
    // The absent result comes last, with a rule index valid in the head run.
    let last = run.results.last().unwrap();
    assert_eq!(last.baseline_state, Some(BaselineState::Absent));
    assert_eq!(last.rule_id.as_deref(), Some("a/gone"));
    let idx = last.rule_index.unwrap();
    assert_eq!(run.tool.driver.rules[idx].id, "a/gone");
    // Head results keep their order and everything but the state.
    let mut head_stripped = out.log.clone();
    head_stripped.runs[0].results.pop();
    for r in &mut head_stripped.runs[0].results {
        r.baseline_state = None;
    }
    assert_eq!(head_stripped, head);
}

#[test]
fn line_shift_keeps_fingerprint_and_is_unchanged() {
    let rules = [rule("a/b")];
    let base = log(&rules, &[finding("a/b", "x.js", 3, "eval(req.query.x)")]);
    let head = log(
        &rules,
        &[
            // Another finding of the same rule elsewhere in the file, and the original one moved.
            finding("a/b", "x.js", 2, "eval(other)"),
            finding("a/b", "x.js", 120, "eval(req.query.x)"),
        ],
    );
    assert_eq!(
        base.runs[0].results[0].partial_fingerprints,
        head.runs[0].results[1].partial_fingerprints
    );
    let out = diff(&base, &head);
    let states: Vec<_> = out.log.runs[0]
        .results
        .iter()
        .map(|r| r.baseline_state.unwrap())
        .collect();
    assert_eq!(states, [BaselineState::New, BaselineState::Unchanged]);
    assert_eq!(out.summary.absent, 0);
}

#[test]
fn version_bump_with_same_code_is_unchanged() {
    let rules = [rule("a/b")];
    let base = log(
        &rules,
        &[in_package(
            finding("a/b", "index.js", 3, "eval(x)"),
            "send",
            "1.0.0",
        )],
    );
    let head = log(
        &rules,
        &[in_package(
            finding("a/b", "index.js", 9, "eval(x)"),
            "send",
            "1.1.0",
        )],
    );
    let out = diff(&base, &head);
    assert_eq!(out.summary.unchanged, 1, "{:?}", out.summary);
}

#[test]
fn level_or_snippet_change_is_updated() {
    let rules = [rule("a/b")];
    let base = log(&rules, &[finding("a/b", "x.js", 3, "eval(x)")]);
    let mut warning = finding("a/b", "x.js", 3, "eval(x)");
    warning.severity = tarsier_model::Severity::Warning;
    let out = diff(&base, &log(&rules, &[warning]));
    assert_eq!(out.summary.updated, 1);
    assert_eq!(out.log.runs[0].results[0].level, Some(Level::Warning));

    let mut reframed = finding("a/b", "x.js", 3, "eval(x)");
    reframed.snippet = "    eval(x) // now with a comment".to_string();
    let out = diff(&base, &log(&rules, &[reframed]));
    assert_eq!(out.summary.updated, 1);
}

#[test]
fn results_without_fingerprint_match_by_rule_uri_and_snippet() {
    let rules = [rule("a/b")];
    let mut base = log(
        &rules,
        &[
            finding("a/b", "x.js", 3, "eval(x)"),
            finding("a/b", "y.js", 3, "eval(x)"),
        ],
    );
    let mut head = log(
        &rules,
        &[
            finding("a/b", "x.js", 8, "eval(x)"),
            finding("a/b", "z.js", 3, "eval(x)"),
        ],
    );
    for l in [&mut base, &mut head] {
        for r in &mut l.runs[0].results {
            r.partial_fingerprints.clear();
        }
    }
    let out = diff(&base, &head);
    assert_eq!(
        out.summary,
        DiffSummary {
            new: 1,
            unchanged: 1,
            updated: 0,
            absent: 1
        }
    );
}

#[test]
fn duplicate_fingerprints_are_matched_once_each() {
    let rules = [rule("a/b")];
    let base = log(&rules, &[finding("a/b", "x.js", 3, "eval(x)")]);
    let mut head = log(&rules, &[finding("a/b", "x.js", 3, "eval(x)")]);
    let copy = head.runs[0].results[0].clone();
    head.runs[0].results.push(copy);
    let out = diff(&base, &head);
    assert_eq!((out.summary.unchanged, out.summary.new), (1, 1));
}

#[test]
fn runs_pair_by_category_then_position() {
    let rules = [rule("a/b")];
    let lint = log_with(
        "0.1.0",
        "tarsier/lint/2026-11-24",
        &rules,
        &[finding("a/b", "x.js", 3, "eval(x)")],
    );
    let registry = log_with(
        "0.1.0",
        "tarsier/registry/2026-11-24",
        &rules,
        &[finding("a/b", "y.js", 3, "eval(y)")],
    );
    let mut base = lint.clone();
    base.runs.push(registry.runs[0].clone());
    // Head in the other order, with tonight's run ids.
    let mut head = registry.clone();
    head.runs[0].automation_details.as_mut().unwrap().id =
        Some("tarsier/registry/2026-11-25".to_string());
    let mut lint_tonight = lint.runs[0].clone();
    lint_tonight.automation_details.as_mut().unwrap().id =
        Some("tarsier/lint/2026-11-25".to_string());
    head.runs.push(lint_tonight);
    let out = diff(&base, &head);
    assert_eq!(out.summary.unchanged, 2, "{:?}", out.summary);
    assert_eq!(out.summary.new + out.summary.absent, 0);
}

#[test]
fn base_only_run_is_appended_absent() {
    let rules = [rule("a/b")];
    let base = log_with(
        "0.1.0",
        "tarsier/lint/",
        &rules,
        &[finding("a/b", "x.js", 3, "eval(x)")],
    );
    let head = log_with(
        "0.1.0",
        "tarsier/registry/",
        &rules,
        &[finding("a/b", "y.js", 3, "eval(y)")],
    );
    let out = diff(&base, &head);
    assert_eq!(out.log.runs.len(), 2);
    assert_eq!(out.summary.new, 1);
    assert_eq!(out.summary.absent, 1);
    assert_eq!(
        out.log.runs[1].results[0].baseline_state,
        Some(BaselineState::Absent)
    );
}

#[test]
fn absent_result_brings_its_rule_and_base_id() {
    let base = log(
        &[rule("a/old")],
        &[in_package(
            finding("a/old", "i.js", 1, "eval(x)"),
            "send",
            "1.0.0",
        )],
    );
    let head = log(&[rule("a/z")], &[finding("a/z", "local.js", 1, "exec(y)")]);
    let out = diff(&base, &head);
    let run = &out.log.runs[0];
    let absent = run.results.last().unwrap();
    assert_eq!(absent.baseline_state, Some(BaselineState::Absent));
    assert_eq!(
        run.tool.driver.rules[absent.rule_index.unwrap()].id,
        "a/old"
    );
    // The head rule's index is unchanged.
    assert_eq!(run.results[0].rule_index, Some(0));
    assert!(run.original_uri_base_ids.contains_key("NPM_PACKAGES"));
    assert!(run.original_uri_base_ids.contains_key("SRCROOT"));
}

#[test]
fn diff_is_deterministic_and_reapplicable() {
    let rules = [rule("a/b")];
    let base = log(&rules, &[finding("a/b", "x.js", 3, "eval(x)")]);
    let head = log(&rules, &[finding("a/b", "y.js", 3, "eval(y)")]);
    let one = diff(&base, &head);
    let two = diff(&base, &head);
    assert_eq!(one, two);
    // Diffing an already diffed log overwrites the states; its absent results are not in the
    // head, so they are reported absent again, not unchanged.
    let again = diff(&base, &one.log);
    assert_eq!(again.summary, one.summary);
    assert_eq!(again.log, one.log);
}
