//! Checks tarsier-semver against node-semver's own answers, recorded in `npm_answers.json` by
//! `gen_npm_answers.js` (see that script for how to regenerate).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use semver::Version;
use serde::Deserialize;
use tarsier_semver::{Range, max_satisfying, parse_version};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answers {
    node_semver_version: String,
    versions: Vec<String>,
    cases: Vec<Case>,
    random: Vec<RandomCase>,
}

/// A random string over range tokens; `sat` has two digits per version (without and with
/// includePrerelease), `None` for an invalid range; the `_loose` fields are the same in
/// node-semver's loose mode.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RandomCase {
    range: String,
    valid_range: Option<String>,
    sat: Option<String>,
    valid_range_loose: Option<String>,
    sat_loose: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    range: String,
    valid_range: Option<String>,
    satisfies: BTreeMap<String, bool>,
    satisfies_including_prereleases: BTreeMap<String, bool>,
    max_satisfying: Option<String>,
    max_satisfying_including_prereleases: Option<String>,
    valid_range_loose: Option<String>,
    sat_loose: Option<String>,
}

fn answers() -> Answers {
    let text = include_str!("npm_answers.json");
    serde_json::from_str(text).unwrap()
}

#[test]
fn table_is_big_enough_to_mean_something() {
    let a = answers();
    assert!(
        a.node_semver_version.starts_with('7'),
        "{}",
        a.node_semver_version
    );
    assert!(a.cases.len() >= 120, "{} ranges", a.cases.len());
    assert!(a.versions.len() >= 40, "{} versions", a.versions.len());
    let invalid = a.cases.iter().filter(|c| c.valid_range.is_none()).count();
    assert!(invalid >= 20, "{invalid} invalid ranges");
    let random_valid = a.random.iter().filter(|c| c.valid_range.is_some()).count();
    assert!(random_valid >= 400, "{random_valid} valid random ranges");
}

/// Checks one range, in strict or loose mode, against npm's normal form and compact `sat`
/// string; returns what differs.
fn check_compact(
    range: &str,
    loose: bool,
    valid_range: Option<&str>,
    sat: Option<&str>,
    versions: &[Version],
) -> Option<String> {
    let parsed = if loose {
        Range::parse_loose(range)
    } else {
        Range::parse(range)
    };
    let got = parsed.as_ref().ok().map(ToString::to_string);
    if got.as_deref() != valid_range {
        return Some(format!(
            "{range:?} (loose {loose}): we say {got:?}, npm says {valid_range:?}"
        ));
    }
    let (Ok(parsed), Some(want)) = (&parsed, sat) else {
        return None;
    };
    let ours: String = versions
        .iter()
        .flat_map(|v| [parsed.matches(v, false), parsed.matches(v, true)])
        .map(|b| if b { '1' } else { '0' })
        .collect();
    (ours != want).then(|| format!("{range:?} (loose {loose}): satisfies {ours}, npm says {want}"))
}

#[test]
fn agrees_with_node_semver_on_random_token_strings() {
    let a = answers();
    let versions: Vec<Version> = a
        .versions
        .iter()
        .map(|s| parse_version(s).unwrap())
        .collect();
    let failures: Vec<String> = a
        .random
        .iter()
        .flat_map(|c| {
            [
                check_compact(
                    &c.range,
                    false,
                    c.valid_range.as_deref(),
                    c.sat.as_deref(),
                    &versions,
                ),
                check_compact(
                    &c.range,
                    true,
                    c.valid_range_loose.as_deref(),
                    c.sat_loose.as_deref(),
                    &versions,
                ),
            ]
        })
        .flatten()
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} random ranges differ from npm:\n{}",
        failures.len(),
        a.random.len(),
        failures.join("\n")
    );
}

#[test]
fn agrees_with_node_semver_in_loose_mode() {
    let a = answers();
    let versions: Vec<Version> = a
        .versions
        .iter()
        .map(|s| parse_version(s).unwrap())
        .collect();
    let failures: Vec<String> = a
        .cases
        .iter()
        .filter_map(|c| {
            check_compact(
                &c.range,
                true,
                c.valid_range_loose.as_deref(),
                c.sat_loose.as_deref(),
                &versions,
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} ranges differ from npm in loose mode:\n{}",
        failures.len(),
        a.cases.len(),
        failures.join("\n")
    );
}

#[test]
fn agrees_with_node_semver_on_every_recorded_answer() {
    let a = answers();
    let versions: Vec<(String, Version)> = a
        .versions
        .iter()
        .map(|s| (s.clone(), parse_version(s).unwrap()))
        .collect();
    let all: Vec<Version> = versions.iter().map(|(_, v)| v.clone()).collect();

    let mut failures = Vec::new();
    let mut checked = 0usize;
    for case in &a.cases {
        let parsed = Range::parse(&case.range);
        match (&case.valid_range, &parsed) {
            (None, Ok(r)) => {
                failures.push(format!("{:?}: npm rejects it, we parsed {r}", case.range));
                continue;
            }
            (None, Err(e)) => {
                checked += 1;
                // The error names the input (at least its start) and a reason.
                let msg = e.to_string();
                assert!(msg.starts_with("invalid version range `"), "{msg}");
                // npm's satisfies and maxSatisfying are false / null on an invalid range.
                assert!(case.satisfies.values().all(|s| !s));
                assert!(case.max_satisfying.is_none());
                continue;
            }
            (Some(_), Err(e)) => {
                failures.push(format!(
                    "{:?}: npm accepts it, we reject it: {e}",
                    case.range
                ));
                continue;
            }
            (Some(want), Ok(r)) => {
                checked += 1;
                if &r.to_string() != want {
                    failures.push(format!("{:?}: normalised {r}, npm says {want}", case.range));
                }
            }
        }
        let Ok(range) = parsed else { continue };
        for (text, v) in &versions {
            for (incpr, table) in [
                (false, &case.satisfies),
                (true, &case.satisfies_including_prereleases),
            ] {
                let want = table[text];
                checked += 1;
                if range.matches(v, incpr) != want {
                    failures.push(format!(
                        "{:?} on {text} (includePrerelease {incpr}): npm says {want}",
                        case.range
                    ));
                }
            }
        }
        for (incpr, want) in [
            (false, &case.max_satisfying),
            (true, &case.max_satisfying_including_prereleases),
        ] {
            checked += 1;
            let got = max_satisfying(&all, &range, incpr).map(ToString::to_string);
            let want = want
                .as_deref()
                .map(|w| parse_version(w).unwrap().to_string());
            if got != want {
                failures.push(format!(
                    "{:?} maxSatisfying (includePrerelease {incpr}): {got:?}, npm says {want:?}",
                    case.range
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} answers differ from npm:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 10_000, "only {checked} answers checked");
}
