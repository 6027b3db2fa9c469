//! Shared inputs for tarsier's benchmarks (the benchmarks are in `benches/benches/`).
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The workspace's `corpus/` directory.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// Every JavaScript file of the corpus, as (path, bytes), repeated `copies` times under distinct
/// paths so a benchmark has enough work to keep every core busy.
pub fn corpus_files(copies: usize) -> Vec<(String, Vec<u8>)> {
    let mut originals = Vec::new();
    collect(&corpus_dir(), &mut originals);
    originals.sort();
    let mut out = Vec::with_capacity(originals.len() * copies);
    for copy in 0..copies {
        for (path, bytes) in &originals {
            out.push((format!("copy{copy}/{path}"), bytes.clone()));
        }
    }
    out
}

/// Every `.js`, `.cjs` and `.mjs` file under `dir` (recursively), as (path, bytes), sorted by path.
pub fn javascript_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if let Some(bytes) = path
            .extension()
            .filter(|e| *e == "js" || *e == "cjs" || *e == "mjs")
            .and_then(|_| std::fs::read(&path).ok())
        {
            out.push((path.display().to_string(), bytes));
        }
    }
}
