//! Helpers shared by the binary's integration tests (each test binary uses some of them).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh, empty temporary directory (`tarsier-cli-test-<name>-XXXXXX`), removed with its
/// contents when the returned guard is dropped: keep it alive while the test reads from it.
pub fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("tarsier-cli-test-{name}-"))
        .tempdir()
        .unwrap()
}
