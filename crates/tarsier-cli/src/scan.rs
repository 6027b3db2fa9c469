//! `tarsier scan`: resolve the scope against the registry, download and verify tarballs
//! (tokio), unpack them in memory and scan them (rayon), one package at a time on the scanning
//! side. Downloads and scanning overlap through a bounded channel, so memory stays bounded
//! whatever the scope's size. One failing package never loses another's results: each failure
//! is a notification naming the package.

use crate::EXIT_ERROR;
use crate::args::{Format, ScanArgs};
use crate::output::{self, RunContext};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use tarsier_engine::{Engine, EngineOptions, ScanReport, SuppressionMode};
use tarsier_model::{Notification, NotificationLevel, PackageOrigin};
use tarsier_registry::{
    Cache, ClientOptions, RegistryClient, RegistryConfig, Scope, resolve_scope,
};
use tarsier_tarball::{Limits, SkipReason};

/// Tarballs waiting to be scanned at most (beyond the ones being downloaded).
const CHANNEL_CAPACITY: usize = 4;

/// Exit code after Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

/// What reaches the scanning thread.
enum Arrival {
    /// A package and its tarball (or why it could not be had).
    Tarball(
        Box<(
            tarsier_registry::ResolvedPackage,
            Result<tarsier_registry::FetchedTarball, tarsier_registry::RegistryError>,
            SupplyContext,
        )>,
    ),
    /// The user pressed Ctrl-C.
    Interrupted,
}

/// Runs `tarsier scan`.
pub fn run(args: ScanArgs) -> Result<u8> {
    init_logging(args.verbose);
    let rules = output::load_rules(&args.report)?;
    let engine = Engine::new(
        &rules,
        EngineOptions {
            max_file_bytes: args.report.max_file_bytes,
            suppressions: SuppressionMode::Report,
            ..EngineOptions::default()
        },
    )
    .context("compiling the rules")?;
    let scope = build_scope(&args)?;
    let config = RegistryConfig::from_environment(args.registry.as_deref())
        .context("finding the npm registry to scan from")?;
    let cache = match &args.cache_dir {
        Some(dir) => Cache::new(dir),
        None => Cache::open_default(),
    }
    .context("opening the cache")?;
    // What killed runs left half-written (never read as entries); a concurrent run's are young.
    cache.clean_temp_files(std::time::Duration::from_secs(3600));
    let options = ClientOptions {
        offline: args.offline,
        allow_foreign_tarball_hosts: args.allow_foreign_tarball_hosts,
        ..ClientOptions::default()
    };
    let client =
        RegistryClient::new(config, options, Some(cache)).context("building the HTTP client")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let quiet = args.report.quiet;
    let progress = |len: u64, what: &'static str| {
        let bar = ProgressBar::with_draw_target(
            Some(len),
            if quiet {
                ProgressDrawTarget::hidden()
            } else {
                ProgressDrawTarget::stderr()
            },
        );
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(what);
        bar
    };

    let resolving = progress(scope.packages.len() as u64, "resolve");
    resolving.set_message("packuments");
    let outcome = runtime.block_on(resolve_scope(&client, &scope, args.with_deps));
    resolving.finish_and_clear();

    let mut report = ScanReport::default();
    for (spec, error) in &outcome.failures {
        report.notifications.push(Notification {
            level: NotificationLevel::Error,
            code: "resolve-failed".to_string(),
            message: format!("{spec}: not scanned: {error}"),
            package: Some(PackageOrigin {
                name: spec_name(spec),
                version: String::new(),
                tarball: None,
                integrity: None,
            }),
            path: None,
        });
    }
    let mut packages = outcome.packages;
    if let Some((k, n)) = args.shard {
        packages.retain(|p| in_shard(&p.name, &p.version, k, n));
    }
    let total = packages.len();
    let result_cache = (!args.no_result_cache)
        .then(|| client.cache().map(|c| ResultCache::new(c, &rules, &engine)))
        .flatten();
    let scanning = progress(total as u64, "scan");
    let mut scanned = 0usize;
    // The registry's signing keys, once; a registry that serves none (a mirror) gets no signature
    // verdicts rather than a "missing signature" note on every version.
    let keys = match packages.first() {
        Some(first) if !args.offline => runtime
            .block_on(client.registry_keys(&first.name))
            .ok()
            .map(Arc::new),
        _ => None,
    };
    let in_scope: Vec<String> = scope.packages.iter().map(|p| p.name.clone()).collect();

    // Downloads run on the runtime; this thread scans what arrives, in arrival order (results
    // are sorted at the end, so the order does not show).
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHANNEL_CAPACITY);
    let permits = Arc::new(tokio::sync::Semaphore::new(args.jobs.max(1)));
    let mut pending: std::collections::BTreeSet<String> = packages.iter().map(|p| p.id()).collect();
    // Ctrl-C: stop taking tarballs, report what was and was not scanned, write what we have.
    {
        let tx = tx.clone();
        runtime.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(Arrival::Interrupted).await;
            }
        });
    }
    for package in packages {
        let client = client.clone();
        let tx = tx.clone();
        let permits = Arc::clone(&permits);
        let keys = keys.clone();
        runtime.spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let fetched = client
                .fetch_tarball(&package.name, &package.version, &package.dist)
                .await;
            let context = match &fetched {
                Ok(_) => supply_context(&client, &package, keys.as_deref()).await,
                Err(_) => SupplyContext::default(),
            };
            // Holding the permit until the scanner takes the tarball bounds memory.
            let _ = tx
                .send(Arrival::Tarball(Box::new((package, fetched, context))))
                .await;
        });
    }
    drop(tx);
    let mut interrupted = false;
    for _ in 0..total {
        let (package, fetched, context) = match rx.blocking_recv() {
            Some(Arrival::Tarball(arrival)) => *arrival,
            Some(Arrival::Interrupted) => {
                interrupted = true;
                break;
            }
            None => break,
        };
        pending.remove(&package.id());
        scanning.set_message(package.id());
        // The integrity the packument gave at resolution: a notification about a tarball that
        // could not be had or did not verify still says which artifact was meant.
        let origin = PackageOrigin {
            name: package.name.clone(),
            version: package.version.clone(),
            tarball: Some(redact(&package.dist.tarball)),
            integrity: package.dist.integrity.clone(),
        };
        match fetched {
            Ok(tarball) => {
                let origin = PackageOrigin {
                    integrity: Some(tarball.integrity.clone()),
                    ..origin
                };
                // The key covers everything the result depends on: this tarball, the previous
                // version's (release diff), the registry's signals and the typosquat check.
                let key = format!(
                    "{}|{}|{:?}|{}",
                    tarball.integrity,
                    context
                        .previous
                        .as_ref()
                        .map_or("", |p| p.integrity.as_str()),
                    context.signals,
                    package.direct
                );
                let cached = result_cache.as_ref().and_then(|c| c.get(&key));
                let raw = match cached {
                    Some(report) => report,
                    None => {
                        let options = tarsier_supply::Options {
                            // Typosquats are looked for in the dependency closure, not in the
                            // scope itself.
                            in_scope: if package.direct {
                                Vec::new()
                            } else {
                                in_scope.clone()
                            },
                            ..tarsier_supply::Options::default()
                        };
                        let report =
                            scan_tarball(&engine, &package, &tarball.bytes, &context, &options);
                        if let Some(cache) = &result_cache {
                            cache.put(&key, &report);
                        }
                        report
                    }
                };
                let mut raw = raw;
                raw.notifications
                    .extend(tarball.cache_problems.iter().map(cache_note));
                raw.notifications
                    .extend(result_cache.iter().flat_map(ResultCache::take_problems));
                let package_report = attach_origin(raw, &origin);
                if package_report.files_scanned > 0 || !package_report.findings.is_empty() {
                    scanned += 1;
                }
                report.extend(package_report);
            }
            Err(error) => report.notifications.push(Notification {
                level: NotificationLevel::Error,
                code: "fetch-failed".to_string(),
                message: format!("{}: not scanned: {error}", package.id()),
                package: Some(origin),
                path: None,
            }),
        }
        scanning.inc(1);
    }
    scanning.finish_and_clear();
    runtime.shutdown_background();
    report
        .notifications
        .extend(client.take_cache_problems().iter().map(|p| Notification {
            message: format!("{}: {}", p.package.as_deref().unwrap_or("cache"), p),
            ..cache_note(p)
        }));
    if interrupted {
        let shown: Vec<&str> = pending.iter().take(20).map(String::as_str).collect();
        let more = pending.len().saturating_sub(shown.len());
        report.notifications.push(Notification {
            level: NotificationLevel::Error,
            code: "interrupted".to_string(),
            message: format!(
                "interrupted (Ctrl-C) after scanning {} of {total} package versions; not scanned: {}{}",
                total - pending.len(),
                shown.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
            package: None,
            path: None,
        });
    }
    if !args.keep_test_severity {
        let code_rules: std::collections::HashSet<&str> = rules
            .rules
            .iter()
            .filter(|r| tarsier_engine::runs_rule(r))
            .map(|r| r.meta.id.as_str())
            .collect();
        lower_test_code(&mut report.findings, &code_rules);
    }
    report.sort();

    let failed_packages = report
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .count();
    let context = RunContext {
        command: "scan",
        default_format: Format::Sarif,
        default_output: Some(PathBuf::from("tarsier.sarif")),
        automation_id: "tarsier/scan/".to_string(),
        execution_successful: failed_packages == 0,
    };
    if !quiet {
        eprintln!(
            "scanned {scanned} of {total} package version{} ({failed_packages} failed)",
            if total == 1 { "" } else { "s" }
        );
    }
    let code = output::emit(&args.report, &engine, &report, &context)?;
    if interrupted {
        eprintln!(
            "tarsier: interrupted; {} package versions were not scanned",
            pending.len()
        );
        return Ok(EXIT_INTERRUPTED);
    }
    // Exit 2 only when nothing at all could be scanned; otherwise findings decide.
    Ok(if scanned == 0 && failed_packages > 0 {
        EXIT_ERROR
    } else {
        code
    })
}

/// Whether `name@version` belongs to shard `k` of `n` (1-based): FNV-1a of the spec, so the
/// partition is the same on every machine and every run.
pub fn in_shard(name: &str, version: &str, k: u64, n: u64) -> bool {
    let mut hash = tarsier_model::Fnv1a::default();
    hash.update(name.as_bytes());
    hash.update(b"@");
    hash.update(version.as_bytes());
    hash.value() % n == k - 1
}

/// Results of unchanged packages, keyed by (tarball integrity, rule set digest, tarsier version,
/// engine limits): a nightly re-run where nothing changed neither unpacks nor parses anything.
struct ResultCache {
    cache: Cache,
    salt: String,
    problems: std::cell::RefCell<Vec<tarsier_registry::CacheProblem>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedResult {
    findings: Vec<tarsier_model::Finding>,
    notifications: Vec<Notification>,
    files_scanned: usize,
    bytes_scanned: u64,
}

impl ResultCache {
    fn new(cache: &Cache, rules: &tarsier_rules::RuleSet, engine: &Engine) -> Self {
        ResultCache {
            cache: cache.clone(),
            problems: std::cell::RefCell::default(),
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

    fn key(&self, integrity: &str) -> String {
        format!("{}\0{integrity}", self.salt)
    }

    /// The cached report, if any; the package origin is re-attached by the caller's data, since
    /// the integrity (part of the key) pins the package contents. An edited entry is discarded
    /// (and noted, see [`Self::take_problems`]).
    fn get(&self, integrity: &str) -> Option<ScanReport> {
        let bytes = match self.cache.get_result(&self.key(integrity), 1 << 30) {
            Ok(tarsier_registry::Lookup::Hit(bytes)) => bytes,
            Ok(tarsier_registry::Lookup::Discarded(problem)) => {
                self.problems.borrow_mut().push(problem);
                return None;
            }
            _ => return None,
        };
        let cached: CachedResult = serde_json::from_slice(&bytes).ok()?;
        Some(ScanReport {
            findings: cached.findings,
            notifications: cached.notifications,
            files_scanned: cached.files_scanned,
            bytes_scanned: cached.bytes_scanned,
        })
    }

    fn put(&self, integrity: &str, report: &ScanReport) {
        let cached = CachedResult {
            findings: report.findings.clone(),
            notifications: report.notifications.clone(),
            files_scanned: report.files_scanned,
            bytes_scanned: report.bytes_scanned,
        };
        let Ok(bytes) = serde_json::to_vec(&cached) else {
            return;
        };
        // A failed write only costs a re-scan next time; it is noted.
        if let Err(e) = self.cache.put_result(&self.key(integrity), &bytes) {
            let problem = tarsier_registry::CacheProblem::not_written(&e);
            self.problems.borrow_mut().push(problem);
        }
    }

    /// Notes on what the result cache could not do since the last call.
    fn take_problems(&self) -> Vec<Notification> {
        self.problems.take().iter().map(cache_note).collect()
    }
}

/// A notification for something the cache could not do: a warning when an entry could not be
/// written (a full disk), a note when an unusable entry was discarded and fetched again.
fn cache_note(problem: &tarsier_registry::CacheProblem) -> Notification {
    let (level, code) = match problem.kind {
        tarsier_registry::CacheProblemKind::NotWritten => {
            (NotificationLevel::Warning, "cache-not-written")
        }
        _ => (NotificationLevel::Note, "cache-entry-discarded"),
    };
    Notification {
        level,
        code: code.to_string(),
        message: problem.to_string(),
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

fn build_scope(args: &ScanArgs) -> Result<Scope> {
    let mut scope = match &args.scope {
        Some(path) => Scope::from_file(path)
            .with_context(|| format!("reading the scope file {}", path.display()))?,
        None if !args.packages.is_empty() => Scope {
            include_prerelease: false,
            packages: Vec::new(),
        },
        None => Scope::default_scope().context("the embedded default scope")?,
    };
    if !args.packages.is_empty() {
        let extra = Scope::from_specs(&args.packages, args.include_prerelease)
            .context("parsing --package")?;
        scope.packages.extend(extra.packages);
    }
    scope.include_prerelease |= args.include_prerelease;
    Ok(scope)
}

/// Unpacks one verified tarball and scans its files; every path is relative to the package
/// root. The result does not name the package yet (see [`attach_origin`]), so it can be cached
/// by the tarball's integrity alone.
fn scan_tarball(
    engine: &Engine,
    package: &tarsier_registry::ResolvedPackage,
    tgz: &[u8],
    context: &SupplyContext,
    options: &tarsier_supply::Options,
) -> ScanReport {
    let mut report = ScanReport::default();
    let unpacked = match tarsier_tarball::unpack(tgz, &Limits::default()) {
        Ok(u) => u,
        Err(e) => {
            report.notifications.push(Notification {
                level: NotificationLevel::Error,
                code: "unpack-failed".to_string(),
                message: format!("not scanned: {e}"),
                package: None,
                path: None,
            });
            return report;
        }
    };
    for skipped in &unpacked.skipped {
        // A path that tries to leave the package is an attack in itself, not a mere skip.
        let (level, code) = match skipped.reason {
            SkipReason::UnsafePath { .. } | SkipReason::OutsideRoot => {
                (NotificationLevel::Warning, "unsafe-entry-path")
            }
            _ => (NotificationLevel::Note, "entry-skipped"),
        };
        report.notifications.push(Notification {
            level,
            code: code.to_string(),
            message: format!("entry `{}` skipped: {}", skipped.path, skipped.reason),
            package: None,
            path: Some(skipped.path.clone()),
        });
    }
    for file in &unpacked.files {
        // A package cannot configure its own scan: such files are noted, never read as config.
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        if matches!(
            name,
            ".tarsierignore" | "tarsier.toml" | "tarsier-triage.toml"
        ) {
            report.notifications.push(Notification {
                level: NotificationLevel::Note,
                code: "package-config-ignored".to_string(),
                message: format!(
                    "`{}` is tarsier configuration inside a registry package; it is not honoured",
                    file.path
                ),
                package: None,
                path: Some(file.path.clone()),
            });
        }
    }
    report.extend(supply_findings(package, &unpacked, context, options));
    let files: Vec<(String, Vec<u8>)> = unpacked
        .files
        .into_iter()
        .map(|f| (f.path, f.data))
        .collect();
    report.extend(engine.scan_files(&files));
    report
}

/// What the package-level analysis needs beyond the tarball: the previous version (for the
/// release diff) and the registry's signals (signatures, provenance, publishers).
#[derive(Debug, Default)]
struct SupplyContext {
    previous: Option<PreviousVersion>,
    signals: tarsier_supply::RegistrySignals,
    problems: Vec<String>,
}

/// The previous published version's tarball, verified.
#[derive(Debug)]
struct PreviousVersion {
    version: String,
    integrity: String,
    bytes: Vec<u8>,
}

async fn supply_context(
    client: &RegistryClient,
    package: &tarsier_registry::ResolvedPackage,
    keys: Option<&tarsier_registry::RegistryKeys>,
) -> SupplyContext {
    let mut context = SupplyContext::default();
    let packument = match client.packument(&package.name).await {
        Ok(p) => p,
        Err(e) => {
            context
                .problems
                .push(format!("no packument for registry signals: {e}"));
            return context;
        }
    };
    let version = package.version.as_str();
    if let Some(keys) = keys {
        let status = tarsier_registry::verify_signatures(
            keys,
            &package.name,
            version,
            &package.dist,
            packument.time.get(version).map(String::as_str),
        );
        context.signals.signature = Some(match status {
            tarsier_registry::SignatureStatus::Valid { .. } => {
                tarsier_supply::SignatureCheck::Valid
            }
            tarsier_registry::SignatureStatus::Invalid { keyid, reason } => {
                tarsier_supply::SignatureCheck::Invalid { keyid, reason }
            }
            tarsier_registry::SignatureStatus::UnknownKey { keyids } => {
                tarsier_supply::SignatureCheck::UnknownKey { keyids }
            }
            _ => tarsier_supply::SignatureCheck::Missing,
        });
    }
    if let Some(tarsier_registry::Provenance::Dropped { last_with }) =
        tarsier_registry::provenance(&packument).get(version)
    {
        context.signals.provenance_dropped_after = Some(last_with.clone());
    }
    let publisher = tarsier_registry::publisher_signals(&packument, version);
    context.signals.new_publisher = publisher.new_publisher;
    context.signals.earlier_publishers = publisher.earlier_publishers;
    context.signals.publisher_was_maintainer = publisher.publisher_was_maintainer;
    context.signals.previous = publisher.previous;
    context.signals.maintainers_added = publisher.maintainers_added;
    context.signals.maintainers_removed = publisher.maintainers_removed;

    // The previous release by semver order (prereleases aside), for the release diff.
    let current = semver::Version::parse(version).ok();
    let previous = packument
        .versions
        .iter()
        .filter_map(|(key, v)| Some((semver::Version::parse(key).ok()?, key, v)))
        .filter(|(v, _, _)| v.pre.is_empty() && current.as_ref().is_some_and(|c| v < c))
        .max_by(|a, b| a.0.cmp(&b.0));
    if let Some((_, key, v)) = previous {
        match client.fetch_tarball(&package.name, key, &v.dist).await {
            Ok(t) => {
                context.previous = Some(PreviousVersion {
                    version: key.clone(),
                    integrity: t.integrity,
                    bytes: t.bytes,
                })
            }
            Err(e) => context.problems.push(format!(
                "previous version {key} not fetched, no release diff: {e}"
            )),
        }
    }
    context
}

/// Package-level supply-chain findings (and the release diff against the previous version).
fn supply_findings(
    package: &tarsier_registry::ResolvedPackage,
    unpacked: &tarsier_tarball::Unpacked,
    context: &SupplyContext,
    options: &tarsier_supply::Options,
) -> ScanReport {
    let mut report = ScanReport::default();
    let note = |report: &mut ScanReport, message: String| {
        report.notifications.push(Notification {
            level: NotificationLevel::Note,
            code: "supply-chain-partial".to_string(),
            message,
            package: None,
            path: None,
        });
    };
    for problem in &context.problems {
        note(&mut report, problem.clone());
    }
    let files: Vec<(&str, &[u8])> = unpacked
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    let mut input =
        match tarsier_supply::PackageInput::from_files(&package.name, &package.version, &files) {
            Ok(input) => input,
            Err(e) => {
                note(&mut report, format!("package-level checks skipped: {e}"));
                return report;
            }
        };
    input.unpacked_size = package.dist.unpacked_size;
    let previous_unpacked = context.previous.as_ref().and_then(|p| {
        tarsier_tarball::unpack(&p.bytes, &Limits::default())
            .ok()
            .map(|u| (p.version.as_str(), u))
    });
    let previous_files: Vec<(&str, &[u8])> = previous_unpacked
        .as_ref()
        .map(|(_, u)| {
            u.files
                .iter()
                .map(|f| (f.path.as_str(), f.data.as_slice()))
                .collect()
        })
        .unwrap_or_default();
    let previous_input = previous_unpacked.as_ref().and_then(|(version, _)| {
        tarsier_supply::PackageInput::from_files(&package.name, version, &previous_files).ok()
    });
    let analysis = tarsier_supply::analyze(&input, previous_input.as_ref(), options);
    report.findings.extend(analysis.findings);
    report.notifications.extend(analysis.notifications);
    report.findings.extend(tarsier_supply::registry_findings(
        &package.name,
        &package.version,
        &context.signals,
    ));
    report
}

/// Names the package on every finding and notification of a package's report.
fn attach_origin(mut report: ScanReport, origin: &PackageOrigin) -> ScanReport {
    let id = origin.spec();
    for finding in &mut report.findings {
        finding.package = Some(origin.clone());
    }
    for notification in &mut report.notifications {
        notification.package = Some(origin.clone());
        notification.message = format!("{id}: {}", notification.message);
    }
    report
}

/// Directories whose files are a package's own tests, benchmarks, fixtures or examples.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "__mocks__",
    "fixtures",
    "__fixtures__",
    "bench",
    "benches",
    "benchmark",
    "benchmarks",
    "example",
    "examples",
];

/// Whether `path` (relative to the package root) is a package's own test, benchmark or example
/// code: under one of [`TEST_DIRS`] (any case), or a file named `*.test.js`, `*.spec.js`,
/// `*.bench.js` (any extension), `test.js` or `tests.js`.
pub fn is_test_code(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or_default();
    if parts.any(|dir| TEST_DIRS.iter().any(|t| dir.eq_ignore_ascii_case(t))) {
        return true;
    }
    let stem = file.split_once('.').map_or(file, |(stem, _)| stem);
    let inner = file
        .rsplit_once('.')
        .map_or("", |(rest, _)| rest)
        .rsplit_once('.')
        .map_or("", |(_, kind)| kind);
    matches!(inner, "test" | "spec" | "bench")
        || stem.eq_ignore_ascii_case("test")
        || stem.eq_ignore_ascii_case("tests")
}

/// Lowers the findings of code rules (`code_rules`) in a package's test, benchmark or example
/// code ([`is_test_code`]) one level, error to warning to note, and says so in the message:
/// the package's users do not run that code. Package-level (supply-chain) findings keep theirs;
/// malware can sit anywhere.
fn lower_test_code(
    findings: &mut [tarsier_model::Finding],
    code_rules: &std::collections::HashSet<&str>,
) {
    for finding in findings.iter_mut().filter(|f| {
        f.package.is_some() && code_rules.contains(f.rule_id.as_str()) && is_test_code(&f.path)
    }) {
        finding.severity = match finding.severity {
            tarsier_model::Severity::Error => tarsier_model::Severity::Warning,
            _ => tarsier_model::Severity::Note,
        };
        finding
            .message
            .push_str(" (in the package's test or example code, which its users do not run)");
    }
}

/// `name@selector` -> `name` (keeping a scope's leading `@`).
fn spec_name(spec: &str) -> String {
    match spec.get(1..).and_then(|rest| rest.find('@')) {
        Some(at) => spec[..at + 1].to_string(),
        None => spec.to_string(),
    }
}

/// A URL without credentials or query, for output files.
fn redact(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or_default();
    match without_query.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit('@').next().unwrap_or_default();
            format!("{scheme}://{host}{path}")
        }
        None => without_query.to_string(),
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("tarsier={level},tarsier_registry={level}"))
    });
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_code_is_told_by_its_path() {
        for path in [
            "test/index.js",
            "tests/unit/a.js",
            "lib/__tests__/b.js",
            "Test/c.js",
            "benchmarks/run.js",
            "examples/app/server.js",
            "test/fixtures/x.js",
            "lib/router.test.js",
            "lib/router.spec.mjs",
            "parse.bench.js",
            "test.js",
            "tests.cjs",
        ] {
            assert!(is_test_code(path), "{path}");
        }
        for path in [
            "index.js",
            "lib/testing.js",
            "lib/test-utils.js",
            "lib/fixtures.js",
            "dist/contest/index.js",
            "lib/latest.js",
        ] {
            assert!(!is_test_code(path), "{path}");
        }
    }

    #[test]
    fn findings_in_test_code_lose_one_level() {
        use tarsier_model::{Finding, Severity, Span};
        let finding = |rule: &str, path: &str, severity: Severity| Finding {
            rule_id: rule.to_string(),
            severity,
            message: "m".to_string(),
            path: path.to_string(),
            span: Span {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 2,
                start_byte: 0,
                end_byte: 1,
            },
            snippet: String::new(),
            matched_text: String::new(),
            package: Some(PackageOrigin {
                name: "p".to_string(),
                version: "1.0.0".to_string(),
                tarball: None,
                integrity: None,
            }),
            flow: Vec::new(),
            suppression: None,
        };
        let mut findings = vec![
            finding("express/open-redirect", "test/a.js", Severity::Error),
            finding("express/open-redirect", "lib/a.js", Severity::Error),
            finding("node/dynamic-code", "examples/b.js", Severity::Warning),
            finding(
                "supply-chain/obfuscated-code",
                "test/c.js",
                Severity::Warning,
            ),
        ];
        let code_rules: std::collections::HashSet<&str> =
            ["express/open-redirect", "node/dynamic-code"].into();
        lower_test_code(&mut findings, &code_rules);
        let levels: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
        assert_eq!(
            levels,
            [
                Severity::Warning,
                Severity::Error,
                Severity::Note,
                Severity::Warning
            ]
        );
        assert!(findings[0].message.contains("test or example code"));
        assert_eq!(findings[1].message, "m");
        assert_eq!(findings[3].message, "m");
    }

    #[test]
    fn redact_drops_credentials_and_query() {
        assert_eq!(
            redact("https://user:secret@registry.test:8080/a/-/a-1.0.0.tgz?token=x"),
            "https://registry.test:8080/a/-/a-1.0.0.tgz"
        );
        assert_eq!(redact("http://127.0.0.1/x.tgz"), "http://127.0.0.1/x.tgz");
    }

    #[test]
    fn shards_are_disjoint_and_cover_everything() {
        let specs: Vec<(String, String)> = (0..500)
            .map(|i| (format!("pkg-{}", i % 37), format!("1.{i}.0")))
            .collect();
        for n in [1u64, 2, 3, 8] {
            let mut seen = vec![0usize; specs.len()];
            for k in 1..=n {
                let mut size = 0;
                for (i, (name, version)) in specs.iter().enumerate() {
                    if in_shard(name, version, k, n) {
                        seen[i] += 1;
                        size += 1;
                    }
                }
                if n > 1 {
                    assert!(size > 0, "shard {k}/{n} is empty");
                }
            }
            assert!(
                seen.iter().all(|&c| c == 1),
                "every spec in exactly one of {n} shards"
            );
        }
    }

    #[test]
    fn spec_names() {
        assert_eq!(spec_name("send@0.18.0"), "send");
        assert_eq!(spec_name("@scope/x@^2"), "@scope/x");
        assert_eq!(spec_name("express"), "express");
    }
}
