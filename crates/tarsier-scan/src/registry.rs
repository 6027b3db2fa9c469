//! Registry sources: scope entries resolved to versions, and lockfile entries. Downloads run on
//! a tokio runtime (`jobs` at a time) and hand verified tarballs through a bounded channel to
//! two analysing threads, each analysing one package at a time (its files in parallel on rayon's
//! pool), so memory stays bounded whatever the number of versions and no core waits on one
//! package's last file. One failing package never loses another's results: each failure is a
//! notification naming the package (and the lockfile entry).

use crate::Pipeline;
use crate::package::{PreviousVersion, SupplyContext, attach_origin};
use std::collections::BTreeSet;
use std::sync::Arc;
use tarsier_engine::ScanReport;
use tarsier_model::{Notification, NotificationLevel, PackageOrigin};
use tarsier_registry::{RegistryClient, RegistryError, ResolvedPackage, Scope};

/// Tarballs waiting to be analysed at most (beyond the ones being downloaded).
const CHANNEL_CAPACITY: usize = 4;

/// A package version to fetch and analyse.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// The version, where its tarball is and the integrity it must have.
    pub package: ResolvedPackage,
    /// Where it was asked for (`package-lock.json: node_modules/a`), named in notifications.
    pub asked_by: Option<String>,
}

impl From<ResolvedPackage> for Wanted {
    fn from(package: ResolvedPackage) -> Self {
        Wanted {
            package,
            asked_by: None,
        }
    }
}

/// Progress of a run, shown by the caller (a progress bar, nothing, a log).
pub trait Progress {
    /// A stage begins (`resolve`, `scan`) with `len` steps.
    fn begin(&self, _stage: &'static str, _len: u64) {}
    /// One step of the current stage is done; `message` says which.
    fn step(&self, _message: &str) {}
    /// The current stage is over.
    fn end(&self) {}
}

/// No progress shown.
impl Progress for () {}

/// How to reach the registry for one run.
pub struct RegistryRun<'a> {
    /// The client (configuration, cache, limits).
    pub client: &'a RegistryClient,
    /// The runtime downloads run on.
    pub runtime: &'a tokio::runtime::Runtime,
    /// Tarballs downloaded at once.
    pub jobs: usize,
    /// Names of the in-scope packages: dependencies (not `direct`) are checked against them
    /// for typosquats.
    pub in_scope: Vec<String>,
    /// Shown while running.
    pub progress: &'a dyn Progress,
}

/// What a registry run produced.
#[derive(Debug, Default)]
pub struct RegistryOutcome {
    /// Findings and notifications (not yet [`Pipeline::finish`]ed).
    pub report: ScanReport,
    /// Package versions asked for.
    pub total: usize,
    /// Package versions with files scanned or findings.
    pub scanned: usize,
    /// Whether the user pressed Ctrl-C before every version was analysed.
    pub interrupted: bool,
    /// `name@version` of the versions not analysed because of the interruption.
    pub not_scanned: BTreeSet<String>,
}

/// Packages analysed at once.
const ANALYSERS: usize = 2;

/// What an analyser hands back.
enum Analysed {
    /// A package's report (its origin attached) and whether any file of it was scanned.
    Package {
        /// `name@version`.
        id: String,
        /// Findings and notifications.
        report: ScanReport,
        /// Whether files were scanned or findings made.
        scanned: bool,
    },
    /// The user pressed Ctrl-C.
    Interrupted,
}

/// What reaches the analysing threads.
enum Arrival {
    /// A package and its tarball (or why it could not be had).
    Tarball(
        Box<(
            Wanted,
            Result<tarsier_registry::FetchedTarball, RegistryError>,
            SupplyContext,
        )>,
    ),
    /// The user pressed Ctrl-C.
    Interrupted,
}

/// Resolves a scope to versions; entries that cannot be resolved become error notifications.
pub fn resolve(
    run: &RegistryRun<'_>,
    scope: &Scope,
    with_deps: bool,
) -> (Vec<ResolvedPackage>, Vec<Notification>) {
    run.progress.begin("resolve", scope.packages.len() as u64);
    let outcome = run.runtime.block_on(tarsier_registry::resolve_scope(
        run.client, scope, with_deps,
    ));
    run.progress.end();
    let notes = outcome
        .failures
        .iter()
        .map(|(spec, error)| Notification {
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
        })
        .collect();
    (outcome.packages, notes)
}

impl Pipeline {
    /// Fetches, verifies and analyses `wanted` versions from the registry. Ctrl-C stops taking
    /// tarballs; what was analysed is kept and a notification lists what was not.
    pub fn scan_registry(&self, run: &RegistryRun<'_>, wanted: Vec<Wanted>) -> RegistryOutcome {
        let client = run.client;
        let total = wanted.len();
        let mut outcome = RegistryOutcome {
            total,
            ..RegistryOutcome::default()
        };
        // The registry's signing keys, once; a registry that serves none (a mirror) gets no
        // signature verdicts rather than a "missing signature" note on every version.
        let keys = match wanted.first() {
            Some(first) if !client.options().offline => run
                .runtime
                .block_on(client.registry_keys(&first.package.name))
                .ok()
                .map(Arc::new),
            _ => None,
        };
        // Downloads run on the runtime; the analysers take what arrives, in arrival order
        // (results are sorted at the end, so the order does not show).
        let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_CAPACITY);
        let permits = Arc::new(tokio::sync::Semaphore::new(run.jobs.max(1)));
        let mut pending: BTreeSet<String> = wanted.iter().map(|w| w.package.id()).collect();
        // Ctrl-C: stop taking tarballs, report what was and was not scanned.
        {
            let tx = tx.clone();
            run.runtime.spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    // One for each analyser, each of which stops at its next arrival.
                    for _ in 0..ANALYSERS {
                        let _ = tx.send(Arrival::Interrupted).await;
                    }
                }
            });
        }
        for item in wanted {
            let client = client.clone();
            let tx = tx.clone();
            let permits = Arc::clone(&permits);
            let keys = keys.clone();
            let in_scope = if item.package.direct {
                // Typosquats are looked for in the dependency closure, not the scope itself.
                Vec::new()
            } else {
                run.in_scope.clone()
            };
            run.runtime.spawn(async move {
                let Ok(_permit) = permits.acquire_owned().await else {
                    return;
                };
                let package = &item.package;
                let fetched = client
                    .fetch_tarball(&package.name, &package.version, &package.dist)
                    .await;
                let mut context = match &fetched {
                    Ok(_) => supply_context(&client, package, keys.as_deref()).await,
                    Err(_) => SupplyContext::default(),
                };
                context.identity = Some((package.name.clone(), package.version.clone()));
                context.unpacked_size = package.dist.unpacked_size;
                context.in_scope = in_scope;
                // Holding the permit until the analyser takes the tarball bounds memory.
                let _ = tx
                    .send(Arrival::Tarball(Box::new((item, fetched, context))))
                    .await;
            });
        }
        drop(tx);
        run.progress.begin("scan", total as u64);
        // A few packages are analysed at once (each with its files in parallel on rayon's
        // pool), so that a small package, or a package's last file, leaves no core idle.
        let arrivals = std::sync::Mutex::new(rx);
        let taken = std::sync::atomic::AtomicUsize::new(0);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Analysed>();
        std::thread::scope(|threads| {
            for _ in 0..ANALYSERS {
                let done_tx = done_tx.clone();
                let (arrivals, taken, stop) = (&arrivals, &taken, &stop);
                threads.spawn(move || {
                    use std::sync::atomic::Ordering;
                    while taken.fetch_add(1, Ordering::SeqCst) < total {
                        let arrival = match arrivals.lock() {
                            Ok(mut rx) => rx.blocking_recv(),
                            Err(_) => None,
                        };
                        let analysed = match arrival {
                            Some(Arrival::Tarball(_)) if stop.load(Ordering::SeqCst) => break,
                            Some(Arrival::Tarball(arrival)) => self.analyse_arrival(*arrival),
                            Some(Arrival::Interrupted) => {
                                stop.store(true, Ordering::SeqCst);
                                Analysed::Interrupted
                            }
                            None => break,
                        };
                        let last = matches!(analysed, Analysed::Interrupted);
                        if done_tx.send(analysed).is_err() || last {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            for analysed in done_rx {
                match analysed {
                    Analysed::Package {
                        id,
                        report,
                        scanned,
                    } => {
                        pending.remove(&id);
                        run.progress.step(&id);
                        outcome.scanned += usize::from(scanned);
                        outcome.report.extend(report);
                    }
                    Analysed::Interrupted => outcome.interrupted = true,
                }
            }
        });
        run.progress.end();
        outcome.report.notifications.extend(
            client
                .take_cache_problems()
                .iter()
                .map(crate::cache::cache_note),
        );
        if outcome.interrupted {
            let shown: Vec<&str> = pending.iter().take(20).map(String::as_str).collect();
            let more = pending.len().saturating_sub(shown.len());
            outcome.report.notifications.push(Notification {
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
        outcome.not_scanned = pending;
        outcome
    }

    /// The analysis of one arrival: its report with the package's origin attached, or the
    /// notification of why its tarball could not be had.
    fn analyse_arrival(
        &self,
        (item, fetched, context): (
            Wanted,
            Result<tarsier_registry::FetchedTarball, RegistryError>,
            SupplyContext,
        ),
    ) -> Analysed {
        let package = &item.package;
        // The integrity the packument (or lockfile) gave: a notification about a tarball
        // that could not be had or did not verify still says which artifact was meant.
        let origin = PackageOrigin {
            name: package.name.clone(),
            version: package.version.clone(),
            tarball: Some(redact(&package.dist.tarball)),
            integrity: package.dist.integrity.clone(),
        };
        let report = match fetched {
            Ok(tarball) => {
                let origin = PackageOrigin {
                    integrity: Some(tarball.integrity.clone()),
                    ..origin
                };
                // The key covers everything the result depends on: this tarball, the
                // previous version's (release diff), the registry's signals and the
                // typosquat check.
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
                let mut analysed = self.analyse_cached(&key, &tarball.bytes, &context);
                analysed
                    .notifications
                    .extend(tarball.cache_problems.iter().map(crate::cache::cache_note));
                attach_origin(analysed, &origin)
            }
            Err(error) => ScanReport {
                notifications: vec![Notification {
                    level: NotificationLevel::Error,
                    code: "fetch-failed".to_string(),
                    message: match &item.asked_by {
                        Some(entry) => {
                            format!("{entry} ({}): not scanned: {error}", package.id())
                        }
                        None => format!("{}: not scanned: {error}", package.id()),
                    },
                    package: Some(origin),
                    path: None,
                }],
                ..ScanReport::default()
            },
        };
        Analysed::Package {
            id: package.id(),
            scanned: report.files_scanned > 0 || !report.findings.is_empty(),
            report,
        }
    }

    /// The analysis of one verified tarball, from the result cache when `key` is there.
    pub(crate) fn analyse_cached(
        &self,
        key: &str,
        tgz: &[u8],
        context: &SupplyContext,
    ) -> ScanReport {
        let Some(cache) = &self.result_cache else {
            return self.analyse_tarball(tgz, context);
        };
        let (cached, discarded) = cache.get(key);
        if let Some(report) = cached {
            return report;
        }
        let mut report = self.analyse_tarball(tgz, context);
        let not_written = cache.put(key, &report);
        report
            .notifications
            .extend(discarded.into_iter().chain(not_written));
        report
    }
}

/// What the package-level analysis needs from the registry beyond the tarball: the previous
/// version (for the release diff) and the registry's signals (signatures, provenance,
/// publishers).
async fn supply_context(
    client: &RegistryClient,
    package: &ResolvedPackage,
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

/// Whether `name@version` belongs to shard `k` of `n` (1-based): FNV-1a of the spec, so the
/// partition is the same on every machine and every run.
pub fn in_shard(name: &str, version: &str, k: u64, n: u64) -> bool {
    let mut hash = tarsier_model::Fnv1a::default();
    hash.update(name.as_bytes());
    hash.update(b"@");
    hash.update(version.as_bytes());
    hash.value() % n == k - 1
}

/// `name@selector` -> `name` (keeping a scope's leading `@`).
fn spec_name(spec: &str) -> String {
    match spec.get(1..).and_then(|rest| rest.find('@')) {
        Some(at) => spec[..at + 1].to_string(),
        None => spec.to_string(),
    }
}

/// A URL without credentials or query, for output files.
pub fn redact(url: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
