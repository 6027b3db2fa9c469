//! Helpers shared by the engine's integration tests (each test binary uses some of them).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use tarsier_engine::{Engine, EngineOptions};
use tarsier_rules::Rule;

/// An engine with the shipped rules and default options.
pub fn engine() -> Engine {
    Engine::new(
        &tarsier_rules::embedded().unwrap(),
        EngineOptions::default(),
    )
    .unwrap()
}

/// The code of every inline case of `rule`: the invalid cases, then the valid ones.
pub fn rule_cases(rule: &Rule) -> impl Iterator<Item = &str> {
    rule.tests
        .invalid
        .iter()
        .map(|c| c.code.as_str())
        .chain(rule.tests.valid.iter().map(String::as_str))
}

/// The workspace's `corpus/` directory.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

/// Every JavaScript file under `dir`, recursively, sorted (unreadable directories are left out).
pub fn javascript_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if tarsier_engine::is_javascript_path(&path.to_string_lossy()) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
