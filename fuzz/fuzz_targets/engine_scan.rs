//! Fuzzes the rule engine: every embedded rule, one arbitrary source file.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tarsier_engine::{Engine, EngineOptions};

/// Built once: compiling the tree-sitter queries of every rule costs far more than one scan.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let rules = tarsier_rules::embedded().expect("embedded rules load");
    Engine::new(&rules, EngineOptions::default()).expect("embedded rules compile")
});

fuzz_target!(|data: &[u8]| {
    let _ = ENGINE.scan_source("f.js", data);
});
