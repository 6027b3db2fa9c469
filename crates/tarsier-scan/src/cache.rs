//! Results of unchanged packages, keyed by (tarball integrity and what else the result depends
//! on, rule set digest, tarsier build, engine limits): a nightly re-run where nothing changed
//! neither unpacks nor parses anything.

use std::path::{Path, PathBuf};
use tarsier_engine::{Engine, ScanReport};
use tarsier_model::{Finding, Notification};

/// A directory of cached package results (`<cache root>/results`).
#[derive(Debug)]
pub struct ResultCache {
    dir: PathBuf,
    salt: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedResult {
    findings: Vec<Finding>,
    notifications: Vec<Notification>,
    files_scanned: usize,
    bytes_scanned: u64,
}

impl ResultCache {
    /// The result cache under `cache_root` for this rule set and engine.
    pub fn new(cache_root: &Path, rules: &tarsier_rules::RuleSet, engine: &Engine) -> Self {
        ResultCache {
            dir: cache_root.join("results"),
            salt: format!(
                "{}:{}:{:016x}:{}:{}",
                env!("CARGO_PKG_VERSION"),
                build_identity(),
                rules.content_hash(),
                engine.options().max_file_bytes,
                engine.options().max_error_ratio
            ),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        let mut hash = tarsier_model::Fnv1a::default();
        hash.update(self.salt.as_bytes());
        hash.update(&[0]);
        hash.update(key.as_bytes());
        self.dir.join(format!("{:016x}.json", hash.value()))
    }

    /// The cached report for `key`, if any; the package origin is re-attached by the caller,
    /// since the integrity (part of the key) pins the package contents.
    pub fn get(&self, key: &str) -> Option<ScanReport> {
        let path = self.path(key);
        // Never follow a link planted in the cache directory.
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let text = std::fs::read(&path).ok()?;
        let cached: CachedResult = serde_json::from_slice(&text).ok()?;
        Some(ScanReport {
            findings: cached.findings,
            notifications: cached.notifications,
            files_scanned: cached.files_scanned,
            bytes_scanned: cached.bytes_scanned,
        })
    }

    /// Stores `report` under `key`. A failed write only costs a re-scan next time.
    pub fn put(&self, key: &str, report: &ScanReport) {
        let cached = CachedResult {
            findings: report.findings.clone(),
            notifications: report.notifications.clone(),
            files_scanned: report.files_scanned,
            bytes_scanned: report.bytes_scanned,
        };
        let Ok(bytes) = serde_json::to_vec(&cached) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let path = self.path(key);
        // Temp file + rename: a killed run never leaves a partial entry under the real name.
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        if std::fs::write(&tmp, &bytes).is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Which build of tarsier this is: the executable's size and modification time. A development
/// build rebuilt from changed engine sources has the same version number, and must not reuse
/// results of the previous build.
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{modified}", m.len())
        })
        .unwrap_or_default()
}
