//! Shared helpers for tarsier's integration tests (the tests themselves are in `tests/tests/`).
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A fresh, empty temporary directory unique to this process and `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tarsier-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs the CLI in-process with `args` (without the program name) from the workspace root and
/// returns its exit code.
pub fn tarsier(args: &[&str]) -> u8 {
    let _guard = CWD_LOCK.lock();
    let previous = std::env::current_dir().ok();
    let _ = std::env::set_current_dir(workspace());
    let code = tarsier_cli::run_with_args(std::iter::once("tarsier").chain(args.iter().copied()));
    if let Some(p) = previous {
        let _ = std::env::set_current_dir(p);
    }
    code
}

/// The CLI changes directory for relative paths; tests in one binary take turns.
static CWD_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}
