//! Fuzzes npm range parsing (strict and loose), matching, and the normal form.
//!
//! Checks that the normal form of a strictly parsed range parses again, to the same normal form
//! and with the same answers for every probe version without `include_prerelease`. (With it the
//! answers may differ, as in node-semver: the normal form is written for the default mode, so
//! `1.x` matches `1.0.0-alpha` with `include_prerelease` and its normal form
//! `>=1.0.0 <2.0.0-0` does not.)
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use semver::Version;
use tarsier_semver::{Range, Selector};

static PROBES: LazyLock<Vec<Version>> = LazyLock::new(|| {
    [
        "0.0.0",
        "0.0.1",
        "0.1.0",
        "1.0.0-alpha",
        "1.0.0",
        "1.2.3-beta.1",
        "1.2.3",
        "1.2.4",
        "2.0.0-0",
        "4.21.2",
        "18446744073709551615.0.0",
    ]
    .iter()
    .map(|v| Version::parse(v).expect("probe version"))
    .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Selector::parse(text);
    if let Ok(loose) = Range::parse_loose(text) {
        for v in PROBES.iter() {
            let _ = loose.matches(v, false);
            let _ = loose.matches(v, true);
        }
        let _ = loose.to_string();
    }
    let Ok(range) = Range::parse(text) else {
        return;
    };
    let normal = range.to_string();
    let again = Range::parse(&normal)
        .unwrap_or_else(|e| panic!("normal form {normal:?} of {text:?} does not parse: {e}"));
    assert_eq!(
        again.to_string(),
        normal,
        "normal form of {text:?} is not stable"
    );
    for v in PROBES.iter() {
        let _ = range.matches(v, true);
        assert_eq!(
            range.matches(v, false),
            again.matches(v, false),
            "{text:?} and its normal form {normal:?} disagree on {v}"
        );
    }
});
