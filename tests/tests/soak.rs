//! Issue 19, the soak run in small: a few hundred synthetic package versions on the loopback
//! registry, 5% of all requests failing in every way the fault injector knows. The full run
//! (3,000 versions, with time and peak memory) is `benches/soak.sh`.
#![allow(clippy::unwrap_used)]

use tarsier_registry::test_registry::Fault;
use tarsier_tests::soak::{judge, populate, write_scope};
use tarsier_tests::{read_json, start_registry, tarsier, temp_dir};

const VERSIONS: usize = 300;

#[test]
fn issue_19_soak_every_failed_package_named_once_healthy_results_unchanged() {
    let (_runtime, clean) = start_registry();
    let (_runtime2, faulty) = start_registry();
    populate(&clean, VERSIONS);
    populate(&faulty, VERSIONS);
    faulty.set_random_faults(0.05, 19, Fault::soak_kinds());
    let dir = temp_dir("soak");
    let scope = dir.join("scope.toml");
    write_scope(&scope, VERSIONS).unwrap();
    let scan = |registry: &str, name: &str| {
        let out = dir.join(format!("{name}.sarif"));
        let cache = dir.join(format!("cache-{name}"));
        tarsier(&[
            "scan",
            "--scope",
            scope.to_str().unwrap(),
            "--registry",
            registry,
            "--cache-dir",
            cache.to_str().unwrap(),
            "-q",
            "-o",
            out.to_str().unwrap(),
        ]);
        read_json(&out)
    };
    let clean_log = scan(&clean.url(), "clean");
    let faulty_log = scan(&faulty.url(), "faulty");
    let verdict = judge(
        &clean_log,
        &faulty_log,
        VERSIONS,
        &faulty.random_faults_drawn(),
    );
    assert!(verdict.problems.is_empty(), "{verdict:#?}");
    // The run really was faulty: every kind of fault was drawn, some packages failed for good
    // and were named, and the rest kept their results.
    assert_eq!(
        verdict.faults.len(),
        Fault::soak_kinds().len(),
        "{verdict:#?}"
    );
    assert!(!verdict.expected_failed.is_empty(), "{verdict:#?}");
    assert_eq!(verdict.named.len(), verdict.expected_failed.len());
    assert_eq!(
        verdict.healthy_equal + verdict.expected_failed.len(),
        VERSIONS
    );
}
