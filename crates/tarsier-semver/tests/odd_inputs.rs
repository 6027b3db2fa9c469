//! Nothing external may make the crate panic or hang: odd strings of every kind.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use semver::Version;
use tarsier_semver::{Range, Selector, parse_version, parse_version_loose, select};

fn odd_inputs() -> Vec<String> {
    let mut inputs: Vec<String> = [
        "",
        " ",
        "\0",
        ">=>=",
        ">=>=1.2.3",
        "<<<<",
        "||||||",
        "^",
        "~",
        "~>",
        "-",
        " - ",
        "1.2.3 - ",
        "*.*.*.*",
        "x.x.x-x",
        "1.2.3-+",
        "1.2.3-a..b",
        "1.2.3+a..b",
        "v=v=v=1.2.3",
        "18446744073709551615.0.0",
        "18446744073709551616.18446744073709551616.18446744073709551616",
        "^18446744073709551615",
        "~18446744073709551615.18446744073709551615",
        ">18446744073709551615.x",
        "<=9007199254740991.x",
        "1.2.3 - 18446744073709551616",
        "1.x - 18446744073709551615.x",
        "1.2.3-18446744073709551616",
        "éè→🦀",
        "^🦀",
        "1.2.3-🦀",
        "\u{FEFF}\u{3000}^1.2.3\u{2028}",
        "\u{85}",
        "\u{200B}1.2.3",
        "=",
        "v",
        "latest",
        "last:",
        "last:18446744073709551616",
        "all ",
        "~^><=*xX-+.|| ",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    inputs.push("9".repeat(300));
    inputs.push(format!("1.2.3-{}", "a".repeat(300)));
    inputs.push(format!("1.2.3+{}", "a".repeat(5000)));
    inputs.push(format!("^1.2.{}", "9".repeat(257)));
    inputs.push("1.2.3 || ".repeat(500));
    inputs.push(">=".repeat(2000));
    inputs.push("~".repeat(2000));
    inputs.push("1.".repeat(2000));
    inputs.push(" ".repeat(5000));
    inputs.push("||".repeat(2000));
    inputs.push("v".repeat(5000) + "1.2.3");
    inputs.push("> ".repeat(2000));
    inputs.push("1.2.3 - ".repeat(500));
    inputs
}

#[test]
fn odd_inputs_never_panic() {
    let versions = [
        Version::new(0, 0, 0),
        Version::new(1, 2, 3),
        Version::parse("1.2.3-alpha").unwrap(),
        Version::new(u64::MAX, u64::MAX, u64::MAX),
    ];
    let tags = BTreeMap::from([("latest".to_owned(), "1.2.3".to_owned())]);
    for input in odd_inputs() {
        let _ = parse_version(&input);
        let _ = parse_version_loose(&input);
        for range in [Range::parse(&input), Range::parse_loose(&input)]
            .into_iter()
            .flatten()
        {
            // A valid range's normal form is itself valid and normalises to itself.
            let again = Range::parse(&range.to_string()).unwrap();
            assert_eq!(again.to_string(), range.to_string(), "{input:?}");
            for v in &versions {
                let _ = range.matches(v, false);
                let _ = range.matches(v, true);
            }
        }
        if let Ok(selector) = Selector::parse(&input) {
            let _ = select(&selector, &versions, &tags, false);
        }
    }
}

#[test]
fn errors_stay_short_on_huge_inputs() {
    let huge = format!(">={}", "9".repeat(100_000));
    let err = Range::parse(&huge).unwrap_err().to_string();
    assert!(err.len() < 1000, "{} bytes", err.len());
    let err = parse_version(&huge).unwrap_err().to_string();
    assert!(err.len() < 1000, "{} bytes", err.len());
}

#[test]
fn long_inputs_parse_in_reasonable_time() {
    // Unoptimised test builds on a busy machine: a generous bound that still catches anything
    // quadratic on ~10 KB inputs (each takes well under a second).
    let inputs = [
        "1.2.3 || ".repeat(1_200),
        "^1.2.3 ".repeat(1_500),
        "1.".repeat(5_000),
        "> ".repeat(5_000),
        "9".repeat(10_000),
        "v".repeat(10_000),
        // Thousands of distinct comparators in one set.
        (0..1_500).map(|i| format!(">=1.{i}.0 ")).collect(),
        (0..1_500).map(|i| format!("1.{i}.x || ")).collect(),
    ];
    for input in inputs {
        let start = Instant::now();
        let _ = Range::parse(&input);
        let _ = Range::parse_loose(&input);
        let _ = Selector::parse(&input);
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(20),
            "{elapsed:?} on {:?}...",
            input.get(..20)
        );
    }
}

#[test]
fn huge_version_components_compare_without_overflow() {
    let r = Range::parse(">=9007199254740991.0.0").unwrap();
    assert!(r.matches(&Version::new(u64::MAX, 0, 0), false));
    assert!(!r.matches(&Version::new(1, 0, 0), false));
}
