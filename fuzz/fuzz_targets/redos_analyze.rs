//! Fuzzes the regex parser and the ReDoS analyzer with the default budget.
//!
//! The input is a regex literal without its leading slash: the text after the last `/` is the
//! flags, everything before it the pattern (`(a+)+$/i`). Without a `/` the whole input is the
//! pattern and the flags are empty. Inputs that are not UTF-8 are skipped: patterns reach the
//! analyzer as `&str`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tarsier_redos::{Budget, analyze};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, flags) = text.rsplit_once('/').unwrap_or((text, ""));
    let _ = analyze(pattern, flags, &Budget::default());
});
