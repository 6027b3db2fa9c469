//! The inline cases of `rules/supply-chain/*.toml`, run through this crate's analyzers.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use tarsier_supply::{ANALYZERS, case_findings, rule_ids, self_test};

fn rules() -> tarsier_rules::RuleSet {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    tarsier_rules::load_dir(&dir).unwrap()
}

#[test]
fn every_supply_chain_case_passes() {
    let outcomes = self_test(&rules());
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| format!("{} {} #{}: {}", o.rule_id, o.kind, o.index, o.detail))
        .collect();
    assert!(failed.is_empty(), "failing cases:\n{}", failed.join("\n"));
    // Every rule this crate reports has a rule file with both kinds of case.
    for id in rule_ids::ALL {
        for kind in ["invalid", "valid"] {
            assert!(
                outcomes.iter().any(|o| o.rule_id == *id && o.kind == kind),
                "{id} has no {kind} case"
            );
        }
    }
}

#[test]
fn analyzers_are_known_to_the_rule_validator() {
    for analyzer in ANALYZERS {
        assert!(
            tarsier_rules::KNOWN_ANALYZERS.contains(analyzer),
            "{analyzer} is missing from tarsier_rules::KNOWN_ANALYZERS"
        );
    }
    let set = rules();
    for id in rule_ids::ALL {
        let rule = set.rules.iter().find(|r| r.meta.id == *id);
        assert!(rule.is_some(), "no rule file for {id}");
    }
}

#[test]
fn a_wrong_expectation_fails() {
    // The runner must be able to fail: the same case with a wrong line does.
    let mut set = rules();
    set.rules.retain(|r| r.meta.id == rule_ids::TYPOSQUAT);
    for case in &mut set.rules[0].tests.invalid {
        case.line = Some(99);
        case.lines = None;
    }
    let outcomes = self_test(&set);
    assert!(outcomes.iter().any(|o| o.kind == "invalid" && !o.passed));
}

/// What every invalid case of the pack reports, all rules included: messages and severities are
/// part of the triage experience, so changes to them show up in review.
#[test]
fn invalid_case_findings_snapshot() {
    let set = rules();
    let mut out = String::new();
    for rule in set
        .rules
        .iter()
        .filter(|r| r.meta.id.starts_with("supply-chain/"))
    {
        for (i, case) in rule.tests.invalid.iter().enumerate() {
            out.push_str(&format!("## {} invalid #{}\n", rule.meta.id, i + 1));
            for (line, f) in case_findings(&case.code).unwrap() {
                out.push_str(&format!(
                    "{}:{line} [{}] {} {}\n  matched: {}\n",
                    f.path, f.severity, f.rule_id, f.message, f.matched_text
                ));
            }
        }
    }
    insta::assert_snapshot!(out);
}
