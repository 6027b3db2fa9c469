//! tarsier's package pipeline: one path for every source of code.
//!
//! A *source* is a registry version (from a scope or a lockfile entry), a local `.tgz`, a
//! package directory, a `node_modules` tree, or the user's own checkout. Every source goes the
//! same way through a [`Pipeline`]:
//!
//! 1. **fetch and verify** where there is an integrity (registry and lockfile sources: the
//!    tarball is checked against `dist.integrity` or the lockfile's `integrity` by
//!    `tarsier-registry` before it is used);
//! 2. **unpack** within [`tarsier_tarball::Limits`] (tarballs in memory; directories are read
//!    with the same limits, symbolic links never followed, see [`local`]);
//! 3. **analyse**: the engine over the JavaScript files and `tarsier-supply`'s package analysis
//!    (install scripts, obfuscation, exfiltration, bundled binaries, and the release diff
//!    against the previous version when it is known), see [`package`];
//! 4. **cache** results of unchanged tarballs ([`cache`]);
//! 5. **report**: one [`ScanReport`] whose findings name their package, with code findings in a
//!    package's own tests lowered one level ([`Pipeline::finish`]).
//!
//! What differs between sources is only whose code it is ([`Trust`]): suppression comments
//! and tarsier configuration are honoured in the user's own checkout, never in a tarball or
//! under `node_modules`, where trying earns a note.
//!
//! ```
//! use tarsier_scan::{Pipeline, PipelineOptions, Trust};
//!
//! let rules = tarsier_rules::embedded().unwrap();
//! let pipeline = Pipeline::new(&rules, PipelineOptions::default()).unwrap();
//! let files = vec![
//!     ("package.json".to_string(), br#"{"name":"p","version":"1.0.0"}"#.to_vec()),
//!     ("index.js".to_string(), b"module.exports = 1;\n".to_vec()),
//! ];
//! let unpacked = tarsier_scan::local::unpacked_from(files);
//! let mut report = pipeline.analyse_unpacked(unpacked, &Default::default(), &Trust::ThirdParty);
//! pipeline.finish(&mut report);
//! assert_eq!(report.files_scanned, 1);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cache;
pub mod local;
pub mod lockfile;
pub mod package;
pub mod registry;

pub use local::{LocalOutcome, LocalSource};
pub use package::{SupplyContext, Trust};
pub use registry::{Progress, RegistryOutcome, RegistryRun, Wanted};
pub use tarsier_engine::ScanReport;
pub use tarsier_engine::is_test_code;

use std::collections::HashSet;
use std::path::PathBuf;
use tarsier_engine::{Engine, EngineOptions, SuppressionMode};
use tarsier_rules::RuleSet;

/// Errors setting a pipeline up (scanning itself never fails: problems become notifications).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The rules could not be compiled.
    #[error("compiling the rules: {0}")]
    Engine(#[from] tarsier_engine::EngineError),
    /// The result cache's directory could not be opened.
    #[error("opening the result cache: {0}")]
    Cache(#[from] tarsier_registry::RegistryError),
    /// A lockfile could not be read or understood.
    #[error(transparent)]
    Lockfile(#[from] lockfile::LockfileError),
}

/// Limits and policies of a pipeline.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Source files larger than this are skipped by the engine with a notification.
    pub max_file_bytes: u64,
    /// Bounds for unpacking tarballs and reading directories.
    pub limits: tarsier_tarball::Limits,
    /// Keep the rules' severity for findings in a package's own tests, benchmarks and examples
    /// (by default they are lowered one level; see [`is_test_code`]).
    pub keep_test_severity: bool,
    /// Where results of unchanged tarballs are kept (`<dir>/results`); `None`: no result cache.
    pub result_cache_dir: Option<PathBuf>,
    /// Largest local `.tgz` read from disk.
    pub max_local_tarball_bytes: u64,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            max_file_bytes: EngineOptions::default().max_file_bytes,
            limits: tarsier_tarball::Limits::default(),
            keep_test_severity: false,
            result_cache_dir: None,
            max_local_tarball_bytes: 256 * 1024 * 1024,
        }
    }
}

/// A compiled rule set and the policies every source is analysed with.
#[derive(Debug)]
pub struct Pipeline {
    engine: Engine,
    /// Ids of the rules the engine runs (code rules); the others are package-level.
    code_rules: HashSet<String>,
    options: PipelineOptions,
    result_cache: Option<cache::ResultCache>,
    /// The supply-chain checks' capability scans of texts seen before in this run.
    supply_memo: std::sync::Arc<tarsier_supply::memo::ScanMemo>,
}

impl Pipeline {
    /// Compiles `rules` for scanning with `options`.
    pub fn new(rules: &RuleSet, options: PipelineOptions) -> Result<Self, ScanError> {
        let engine = Engine::new(
            rules,
            EngineOptions {
                max_file_bytes: options.max_file_bytes,
                // Whose code a file is decides per source; see `Trust`.
                suppressions: SuppressionMode::Report,
                ..EngineOptions::default()
            },
        )?;
        let result_cache = options
            .result_cache_dir
            .as_deref()
            .map(tarsier_registry::Cache::new)
            .transpose()?
            .map(|cache| cache::ResultCache::new(cache, rules, &engine));
        Ok(Pipeline {
            code_rules: rules
                .rules
                .iter()
                .filter(|r| tarsier_engine::runs_rule(r))
                .map(|r| r.meta.id.clone())
                .collect(),
            engine,
            options,
            result_cache,
            supply_memo: std::sync::Arc::default(),
        })
    }

    /// The compiled engine (for rule metadata in reports).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The options in force.
    pub fn options(&self) -> &PipelineOptions {
        &self.options
    }

    /// The last step of every run: code findings in third-party packages' own test, benchmark
    /// and example code lose one level (unless [`PipelineOptions::keep_test_severity`]), then
    /// findings and notifications are sorted.
    pub fn finish(&self, report: &mut ScanReport) {
        if !self.options.keep_test_severity {
            package::lower_test_code(&mut report.findings, &self.code_rules);
        }
        report.sort();
    }
}
