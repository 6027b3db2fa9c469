//! Fuzzes SARIF reading (`diff`, `reproduce`, `merge` and baselines read logs from disk).
//!
//! Besides "never panics", checks that whatever was read can be written and that what was
//! written reads back and writes out byte for byte the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tarsier_sarif::{from_reader, to_writer};

fuzz_target!(|data: &[u8]| {
    let Ok(log) = from_reader(data) else { return };
    let mut first = Vec::new();
    to_writer(&log, &mut first).expect("a log that was read can be written");
    let again = from_reader(first.as_slice()).expect("a written log reads back");
    let mut second = Vec::new();
    to_writer(&again, &mut second).expect("a log that was read can be written");
    assert!(
        first == second,
        "write(read(write(log))) differs from write(log)"
    );
});
