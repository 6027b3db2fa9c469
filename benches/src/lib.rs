//! Shared inputs for tarsier's benchmarks (the benchmarks are in `benches/benches/`).
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The benchmarks allocate as the `tarsier` binary does (see `crates/tarsier-cli/src/main.rs`):
/// jemalloc for Rust, the C library's `malloc` for tree-sitter.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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

/// A package's files: each path (relative to the package root) with its bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// The packages under `dir`, one per directory (`<name>@<version>/`, as
/// `benches/peers/make-input.sh` lays them out), each as `tarsier` scans a package: its
/// JavaScript files and its `package.json`, with paths relative to the package root (the one
/// directory inside, such as `package/`, when there is one). A directory without JavaScript
/// files is left out.
pub fn packages(dir: &Path) -> Vec<Files> {
    named_packages(dir)
        .into_iter()
        .map(|(_, files)| files)
        .collect()
}

/// Like [`packages`], each with the name of its directory.
pub fn named_packages(dir: &Path) -> Vec<(String, Files)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for package in dirs {
        let root = package_root(&package);
        let mut files = Vec::new();
        collect(&root, &mut files);
        if files.is_empty() {
            continue;
        }
        let prefix = format!("{}/", root.display());
        let mut files: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|(p, b)| (p.strip_prefix(&prefix).unwrap_or(&p).to_string(), b))
            .collect();
        if let Ok(manifest) = std::fs::read(root.join("package.json")) {
            files.push(("package.json".to_string(), manifest));
        }
        files.sort();
        let name = package
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, files));
    }
    out
}

/// A package directory's root: the one directory inside it when it holds nothing else.
fn package_root(package: &Path) -> PathBuf {
    let inner: Vec<PathBuf> = std::fs::read_dir(package)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    match inner.as_slice() {
        [only] if only.is_dir() => only.clone(),
        _ => package.to_path_buf(),
    }
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
