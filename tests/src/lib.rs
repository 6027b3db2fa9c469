//! Shared helpers for tarsier's integration tests (the tests themselves are in `tests/tests/`).
#![forbid(unsafe_code)]

pub mod soak;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A fresh, empty temporary directory (`tarsier-it-<name>-XXXXXX` in the system's temporary
/// directory), removed with its contents when the returned guard is dropped: keep the guard
/// alive for as long as the test reads what was written there. Panics, failing the test, when
/// the directory cannot be created.
pub fn temp_dir(name: &str) -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("tarsier-it-{name}-"))
        .tempdir()
        .expect("a temporary directory");
    TempDir(dir)
}

/// A temporary directory made by [`temp_dir`], usable as the [`Path`] it is; removed when
/// dropped.
#[derive(Debug)]
pub struct TempDir(tempfile::TempDir);

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
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

/// A finding's place: (rule id, file inside its package, 1-based line).
pub type Place = (String, String, u64);

/// The SARIF results of `package` in a log (panics, failing the test, on a log without results).
pub fn package_results<'a>(
    log: &'a serde_json::Value,
    package: &str,
) -> Vec<&'a serde_json::Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("a SARIF log with results")
        .iter()
        .filter(|r| r["properties"]["package"] == package)
        .collect()
}

/// The places of SARIF results (file as recorded in the result's `file` property).
pub fn result_places<'a>(
    results: impl IntoIterator<Item = &'a serde_json::Value>,
) -> BTreeSet<Place> {
    results
        .into_iter()
        .map(|r| {
            (
                r["ruleId"].as_str().expect("ruleId").to_string(),
                r["properties"]["file"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .expect("region.startLine"),
            )
        })
        .collect()
}

/// The places `tarsier lint corpus/<dir>` finds, paths relative to the package: what a registry
/// scan of the packed directory must find too. `label` keeps temporary directories apart.
pub fn lint_places(label: &str, dir: &str) -> BTreeSet<Place> {
    let scratch = temp_dir(&format!("{label}-lint-{dir}"));
    let out = scratch.join("lint.json");
    let target = format!("corpus/{dir}");
    let out_arg = out.to_string_lossy().into_owned();
    tarsier(&["lint", &target, "--format", "json", "-q", "-o", &out_arg]);
    let prefix = format!("corpus/{dir}/");
    read_json(&out)["findings"]
        .as_array()
        .expect("lint JSON with findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("rule_id").to_string(),
                f["path"]
                    .as_str()
                    .expect("path")
                    .trim_start_matches(&prefix)
                    .to_string(),
                f["span"]["start_line"].as_u64().expect("span.start_line"),
            )
        })
        .collect()
}

/// A loopback test registry and the runtime that serves it; keep both alive for the test.
pub fn start_registry() -> (
    tokio::runtime::Runtime,
    tarsier_registry::test_registry::TestRegistry,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let registry = runtime
        .block_on(tarsier_registry::test_registry::TestRegistry::start())
        .expect("the test registry starts on loopback");
    (runtime, registry)
}

/// The package `corpus/<dir>`, packed as npm would.
pub fn pack_corpus(dir: &str) -> Vec<u8> {
    tarsier_tarball::pack_directory(&workspace().join("corpus").join(dir))
        .expect("corpus packages pack")
}

/// The environment variable that carries a child's CLI arguments (one per line).
const CHILD_ARGS: &str = "TARSIER_TESTS_CHILD_ARGS";

/// Starts the CLI with `args` (absolute paths) in a separate process, with standard output and
/// error piped: this test binary again, running only the test named `child_test`, which must
/// call [`child_main`]. Several of these run at once, as two CI jobs would, which in-process
/// runs (see [`tarsier`]) cannot.
pub fn spawn_tarsier(child_test: &str, args: &[&str]) -> std::io::Result<std::process::Child> {
    std::process::Command::new(std::env::current_exe()?)
        .args([child_test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ARGS, args.join("\n"))
        .current_dir(workspace())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
}

/// The body of the child test named in [`spawn_tarsier`]: in a child, runs the CLI with the
/// arguments it was given and exits with its code; in the normal test run, does nothing.
pub fn child_main() {
    let Ok(args) = std::env::var(CHILD_ARGS) else {
        return;
    };
    let code = tarsier_cli::run_with_args(std::iter::once("tarsier").chain(args.lines()));
    std::process::exit(i32::from(code));
}

/// A tmpfs of `size_kib` KiB mounted on a fresh directory, unmounted when dropped: a small file
/// system that really fills up. `None` when mounting is not permitted (not root, or a
/// sandbox without `CAP_SYS_ADMIN`); the caller then says it skipped.
pub struct SmallFileSystem {
    /// The mount point (unmounted in `drop`, before the directory itself is removed).
    dir: TempDir,
}

impl SmallFileSystem {
    /// Mounts it, if this process may.
    pub fn mount(name: &str, size_kib: u64) -> Option<Self> {
        let dir = temp_dir(&format!("tmpfs-{name}"));
        let status = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size_kib}k,mode=0755"),
                "tmpfs",
            ])
            .arg(&*dir)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then_some(Self { dir })
    }

    /// The mount point.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Fills the file system with `filler` until not one more byte fits.
    pub fn fill(&self) -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(self.dir.join("filler"))?;
        let chunk = vec![0xa5u8; 4096];
        loop {
            match file.write(&chunk) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(28) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Removes the filler, freeing the space.
    pub fn free(&self) -> std::io::Result<()> {
        std::fs::remove_file(self.dir.join("filler"))
    }
}

impl Drop for SmallFileSystem {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(&*self.dir)
            .status();
    }
}

/// Every file under `dir` whose name starts with `prefix`, recursively (symlinks not followed).
pub fn files_named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = path.symlink_metadata() else {
            continue;
        };
        if meta.is_dir() {
            found.extend(files_named(&path, prefix));
        } else if entry.file_name().to_string_lossy().starts_with(prefix) {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Copies the directory `from` to `to`, recursively (panics, failing the test, on an I/O error).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the source directory") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}

/// (descriptor id, message) of every `toolExecutionNotifications` entry of a SARIF log.
pub fn sarif_notifications(log: &serde_json::Value) -> Vec<(String, String)> {
    log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    (
                        n["descriptor"]["id"].as_str().unwrap_or("").to_string(),
                        n["message"]["text"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
