//! Runs the verdict table in `tests/data/cases.rs`: every row is an assertion, and every
//! exponential or polynomial verdict must come with a confirmed witness.
#![allow(clippy::unwrap_used)]

use tarsier_redos::{Budget, Verdict, analyze};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    S,
    E,
    P(u32),
    U,
}
use Expect::{E, P, S, U};

const CASES: &[(&str, &str, Expect)] = include!("data/cases.rs");

fn matches(v: &Verdict, e: Expect) -> bool {
    match (v, e) {
        (Verdict::Safe, S) | (Verdict::Exponential, E) | (Verdict::Unknown { .. }, U) => true,
        (Verdict::Polynomial { degree }, P(k)) => *degree == k,
        _ => false,
    }
}

#[test]
fn verdict_table() {
    assert!(CASES.len() >= 80, "the table must hold at least 80 rows");
    let budget = Budget::default();
    let mut failures = Vec::new();
    let mut slowest = (std::time::Duration::ZERO, "");
    let total = std::time::Instant::now();
    for &(pattern, flags, expect) in CASES {
        let started = std::time::Instant::now();
        let a = analyze(pattern, flags, &budget).unwrap();
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, pattern);
        }
        if !matches(&a.verdict, expect) {
            failures.push(format!(
                "/{pattern}/{flags}: expected {expect:?}, got {:?} (witness {:?}, {took:?})",
                a.verdict, a.witness
            ));
        }
        if matches!(a.verdict, Verdict::Exponential | Verdict::Polynomial { .. }) {
            assert!(
                a.confirmed,
                "/{pattern}/{flags}: reported but not confirmed"
            );
            let w = a.witness.as_ref().unwrap();
            assert!(!w.pump.is_empty(), "/{pattern}/{flags}: empty pump");
            assert!(
                a.steps_at.len() >= 3,
                "/{pattern}/{flags}: too few measurements"
            );
            let (first, last) = (a.steps_at[0].1, a.steps_at.last().unwrap().1);
            assert!(last > 10 * first, "/{pattern}/{flags}: steps do not grow");
        }
    }
    eprintln!(
        "{} rows in {:?}; slowest {:?} for /{}/",
        CASES.len(),
        total.elapsed(),
        slowest.0,
        slowest.1
    );
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn analysis_is_deterministic() {
    let budget = Budget::default();
    for &(pattern, flags, _) in CASES.iter().step_by(7) {
        let a = analyze(pattern, flags, &budget).unwrap();
        let b = analyze(pattern, flags, &budget).unwrap();
        assert_eq!(a, b, "/{pattern}/{flags}");
    }
}
