//! Results of unchanged packages, keyed by (tarball integrity and what else the result depends
//! on, rule set digest, tarsier build, engine limits): a nightly re-run where nothing changed
//! neither unpacks nor parses anything.

use tarsier_engine::{Engine, ScanReport};
use tarsier_model::{Finding, Notification, NotificationLevel};
use tarsier_registry::{Cache, CacheProblem, CacheProblemKind, Lookup};

/// Package results kept in the registry cache (`<cache root>/results`), each entry with a digest
/// line over its key and payload, so an entry edited by hand, cut short or copied under another
/// key is discarded (and noted) rather than trusted.
#[derive(Debug)]
pub struct ResultCache {
    cache: Cache,
    salt: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedResult {
    findings: Vec<Finding>,
    notifications: Vec<Notification>,
    files_scanned: usize,
    bytes_scanned: u64,
}

/// The largest result entry read back (larger ones are discarded as unusable).
const MAX_RESULT_BYTES: u64 = 1 << 30;

impl ResultCache {
    /// The result cache in `cache` for this rule set and engine.
    pub fn new(cache: Cache, rules: &tarsier_rules::RuleSet, engine: &Engine) -> Self {
        ResultCache {
            cache,
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

    fn key(&self, key: &str) -> String {
        format!("{}\0{key}", self.salt)
    }

    /// The cached report for `key`, if any, and a note when an unusable entry was discarded;
    /// the package origin is re-attached by the caller, since the integrity (part of the key)
    /// pins the package contents.
    pub fn get(&self, key: &str) -> (Option<ScanReport>, Option<Notification>) {
        let bytes = match self.cache.get_result(&self.key(key), MAX_RESULT_BYTES) {
            Ok(Lookup::Hit(bytes)) => bytes,
            Ok(Lookup::Discarded(problem)) => return (None, Some(cache_note(&problem))),
            _ => return (None, None),
        };
        let Ok(cached) = serde_json::from_slice::<CachedResult>(&bytes) else {
            return (None, None);
        };
        let report = ScanReport {
            findings: cached.findings,
            notifications: cached.notifications,
            files_scanned: cached.files_scanned,
            bytes_scanned: cached.bytes_scanned,
        };
        (Some(report), None)
    }

    /// Stores `report` under `key`. A failed write (a full disk) only costs a re-scan next time;
    /// it is returned as a warning.
    pub fn put(&self, key: &str, report: &ScanReport) -> Option<Notification> {
        let cached = CachedResult {
            findings: report.findings.clone(),
            notifications: report.notifications.clone(),
            files_scanned: report.files_scanned,
            bytes_scanned: report.bytes_scanned,
        };
        let bytes = serde_json::to_vec(&cached).ok()?;
        let error = self.cache.put_result(&self.key(key), &bytes).err()?;
        Some(cache_note(&CacheProblem::not_written(&error)))
    }
}

/// A notification for something the cache could not do: a warning when an entry could not be
/// written (a full disk), a note when an unusable entry was discarded and fetched again.
pub fn cache_note(problem: &CacheProblem) -> Notification {
    let (level, code) = match problem.kind {
        CacheProblemKind::NotWritten => (NotificationLevel::Warning, "cache-not-written"),
        _ => (NotificationLevel::Note, "cache-entry-discarded"),
    };
    let message = match &problem.package {
        Some(package) => format!("{package}: {problem}"),
        None => problem.to_string(),
    };
    Notification {
        level,
        code: code.to_string(),
        message,
        package: None,
        path: None,
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
