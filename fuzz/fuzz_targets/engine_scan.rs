//! Fuzzes the rule engine: every embedded rule, one arbitrary source file. Differential too:
//! the sparse walk (only nodes around the rules' text anchors) must find exactly what a walk
//! of every node finds.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tarsier_engine::{Engine, EngineOptions};

/// Built once: compiling the tree-sitter queries of every rule costs far more than one scan.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| engine(true));

/// The same rules, every node walked.
static EVERY_NODE: LazyLock<Engine> = LazyLock::new(|| engine(false));

fn engine(sparse_walk: bool) -> Engine {
    let rules = tarsier_rules::embedded().expect("embedded rules load");
    let options = EngineOptions {
        sparse_walk,
        ..EngineOptions::default()
    };
    Engine::new(&rules, options).expect("embedded rules compile")
}

fuzz_target!(|data: &[u8]| {
    let sparse = ENGINE.scan_source("f.js", data);
    let every_node = EVERY_NODE.scan_source("f.js", data);
    assert_eq!(sparse, every_node, "the sparse walk differs from the full walk");
});
