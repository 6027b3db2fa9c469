//! Every rule's inline cases, from the rule files in the workspace's `rules/` directory.
#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn every_rule_case_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let rules = tarsier_rules::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.rules.len() >= 6, "expected the shipped rules");
    let outcomes = tarsier_engine::selftest::run(&rules).unwrap();
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| format!("{} {} case {}: {}", o.rule_id, o.kind, o.index, o.detail))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every query rule has at least three cases of each kind (issue 4), so the loop above
    // checked something. Package-level analyzer rules are tested by their own crates.
    for rule in rules.rules.iter().filter(|r| tarsier_engine::runs_rule(r)) {
        for kind in ["invalid", "valid"] {
            let count = outcomes
                .iter()
                .filter(|o| o.rule_id == rule.meta.id && o.kind == kind)
                .count();
            assert!(
                count >= 3,
                "{} has {count} {kind} case(s), needs at least 3",
                rule.meta.id
            );
        }
    }
}

#[test]
fn embedded_rules_match_the_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let on_disk = tarsier_rules::load_dir(&dir).unwrap();
    let embedded = tarsier_rules::embedded().unwrap();
    let ids = |s: &tarsier_rules::RuleSet| {
        s.rules
            .iter()
            .map(|r| r.meta.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&on_disk), ids(&embedded));
    assert_eq!(on_disk.content_hash(), embedded.content_hash());
}
