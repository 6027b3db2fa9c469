//! Local sources: a packed `.tgz`, a package directory, an installed `node_modules` tree.
//!
//! Directories are read into the same in-memory form a tarball unpacks to
//! ([`tarsier_tarball::Unpacked`]) within the same [`Limits`]: a file
//! over the per-file limit is skipped with a note, more bytes or entries than allowed stop
//! that package with an error notification. Symbolic links are never followed (a link is a
//! skipped entry), so nothing outside the tree is read. The user's own checkout honours its
//! `.gitignore`; a third-party package's ignore files are its text, and are not honoured.

use crate::Pipeline;
use crate::package::{SupplyContext, Trust, attach_origin, manifest_identity};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use tarsier_engine::{ScanReport, SuppressionMode};
use tarsier_model::{Notification, NotificationLevel, PackageOrigin};
use tarsier_tarball::{Limits, SkipReason, SkippedEntry, Unpacked, UnpackedFile};

/// A source on the local disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalSource {
    /// A packed package (`.tgz`, `.tar.gz`): always a third party's.
    Tarball(PathBuf),
    /// A package directory (with a `package.json`).
    PackageDir {
        /// The directory.
        path: PathBuf,
        /// Whose code it is.
        trust: Trust,
    },
    /// An installed tree: every package under it, each a third party's.
    NodeModules(PathBuf),
}

impl LocalSource {
    /// What a path names: a `.tgz`, a `node_modules` directory, or a package directory. The
    /// user's own checkout is a directory outside any `node_modules`, when `own` allows it
    /// (`lint`); `scan` treats every package as a third party's.
    pub fn classify(path: &Path, own: bool) -> Option<LocalSource> {
        if path.is_file() && is_tarball_path(path) {
            return Some(LocalSource::Tarball(path.to_path_buf()));
        }
        if !path.is_dir() {
            return None;
        }
        if path.file_name().is_some_and(|n| n == "node_modules") {
            return Some(LocalSource::NodeModules(path.to_path_buf()));
        }
        if !path.join("package.json").is_file() {
            return None;
        }
        let trust = if own && !inside_node_modules(path) {
            Trust::Own {
                display: display_path(path),
            }
        } else {
            Trust::ThirdParty
        };
        Some(LocalSource::PackageDir {
            path: path.to_path_buf(),
            trust,
        })
    }
}

/// Whether `path` names a packed package by its extension.
pub fn is_tarball_path(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".tgz") || name.ends_with(".tar.gz")
}

/// Whether `path` is inside a `node_modules` directory (as written, or once made absolute).
pub fn inside_node_modules(path: &Path) -> bool {
    let has = |p: &Path| {
        p.components()
            .any(|c| matches!(c, Component::Normal(n) if n == "node_modules"))
    };
    has(path) || std::path::absolute(path).is_ok_and(|p| has(&p))
}

/// `path` as reports show it: relative to the current directory when under it, `/`-separated.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = path.strip_prefix(&cwd).unwrap_or(path);
    let text = tarsier_engine::walk::display_of(
        &shown
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect::<PathBuf>(),
    );
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

/// An [`Unpacked`] from in-memory files (paths relative to the package root).
pub fn unpacked_from(mut files: Vec<(String, Vec<u8>)>) -> Unpacked {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    let total_bytes = files.iter().map(|(_, d)| d.len() as u64).sum();
    Unpacked {
        files: files
            .into_iter()
            .map(|(path, data)| UnpackedFile { path, data })
            .collect(),
        skipped: Vec::new(),
        total_bytes,
    }
}

/// What [`Pipeline::scan_local`] produced.
#[derive(Debug, Default)]
pub struct LocalOutcome {
    /// Findings and notifications (not yet [`Pipeline::finish`]ed).
    pub report: ScanReport,
    /// Packages the source holds (one, or the packages of a `node_modules` tree).
    pub packages: usize,
    /// Of those, the ones with files scanned or findings.
    pub scanned: usize,
}

/// Why a directory could not be read as a package.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// More bytes than [`Limits::max_total_bytes`].
    #[error("{path}: more than {limit} bytes of files (the tarball limit)")]
    TooManyBytes {
        /// The directory.
        path: String,
        /// The limit.
        limit: u64,
    },
    /// More entries than [`Limits::max_entries`].
    #[error("{path}: more than {limit} entries (the tarball limit)")]
    TooManyEntries {
        /// The directory.
        path: String,
        /// The limit.
        limit: u64,
    },
    /// The directory could not be walked.
    #[error("{path}: cannot read: {reason}")]
    Walk {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Reads the files of the package directory `root` within `limits`, without following links
/// and without descending into `node_modules` or `.git`. With `honour_ignore_files` (the
/// user's own checkout), `.gitignore` and `.ignore` files are respected.
pub fn read_package_dir(
    root: &Path,
    limits: &Limits,
    honour_ignore_files: bool,
) -> Result<Unpacked, LocalError> {
    let shown = display_path(root);
    let mut builder = ignore::WalkBuilder::new(root);
    builder.follow_links(false);
    if honour_ignore_files {
        builder.hidden(false).require_git(false);
    } else {
        builder.standard_filters(false);
    }
    builder.filter_entry(|e| {
        e.depth() == 0 || (e.file_name() != "node_modules" && e.file_name() != ".git")
    });
    let mut unpacked = Unpacked::default();
    let mut entries = 0u64;
    for entry in builder.build() {
        let entry = entry.map_err(|e| LocalError::Walk {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        if entry.depth() == 0 {
            continue;
        }
        entries += 1;
        if entries > limits.max_entries {
            return Err(LocalError::TooManyEntries {
                path: shown,
                limit: limits.max_entries,
            });
        }
        let relative = relative_path(entry.path(), root);
        let Some(kind) = entry.file_type() else {
            continue;
        };
        let skip = |reason: SkipReason| SkippedEntry {
            path: relative.clone(),
            reason,
        };
        if kind.is_dir() {
            continue;
        }
        if kind.is_symlink() {
            let target = std::fs::read_link(entry.path())
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            unpacked.skipped.push(skip(SkipReason::Symlink { target }));
            continue;
        }
        if !kind.is_file() {
            unpacked
                .skipped
                .push(skip(SkipReason::Other("not a regular file".to_string())));
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if size > limits.max_file_bytes {
            unpacked.skipped.push(skip(SkipReason::TooLarge { size }));
            continue;
        }
        // Read at most one byte past the limit: a file that grows meanwhile is still bounded.
        let mut data = Vec::new();
        let read = std::fs::File::open(entry.path()).and_then(|f| {
            f.take(limits.max_file_bytes.saturating_add(1))
                .read_to_end(&mut data)
        });
        if let Err(e) = read {
            unpacked
                .skipped
                .push(skip(SkipReason::Other(format!("cannot read: {e}"))));
            continue;
        }
        if data.len() as u64 > limits.max_file_bytes {
            unpacked.skipped.push(skip(SkipReason::TooLarge {
                size: data.len() as u64,
            }));
            continue;
        }
        unpacked.total_bytes += data.len() as u64;
        if unpacked.total_bytes > limits.max_total_bytes {
            return Err(LocalError::TooManyBytes {
                path: shown,
                limit: limits.max_total_bytes,
            });
        }
        unpacked.files.push(UnpackedFile {
            path: relative,
            data,
        });
    }
    unpacked.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(unpacked)
}

fn relative_path(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The package directories of an installed tree, sorted: `name/` and `@scope/name/` entries
/// with a `package.json`, their nested `node_modules`, and pnpm's `.pnpm/*/node_modules`.
/// Links are not followed (each is a note: npm workspaces and `npm link` install links to the
/// user's own code, pnpm links into `.pnpm`, which is read instead).
pub fn installed_packages(node_modules: &Path) -> (Vec<PathBuf>, Vec<Notification>) {
    let mut packages = Vec::new();
    let mut notes = Vec::new();
    let mut pending = vec![node_modules.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let mut candidates = Vec::new();
        for entry in sorted_entries(&dir, &mut notes) {
            let name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name == ".pnpm" {
                for store in sorted_entries(&entry, &mut notes) {
                    let nested = store.join("node_modules");
                    if is_real_dir(&nested) {
                        pending.push(nested);
                    }
                }
            } else if name.starts_with('.') {
                continue;
            } else if name.starts_with('@') && is_real_dir(&entry) {
                candidates.extend(sorted_entries(&entry, &mut notes));
            } else {
                candidates.push(entry);
            }
        }
        for candidate in candidates {
            if is_link(&candidate) {
                notes.push(Notification::for_file(
                    NotificationLevel::Note,
                    "link-not-followed",
                    &display_path(&candidate),
                    format!(
                        "{}: a symbolic link; links are not followed, the package it points to is not scanned from here",
                        display_path(&candidate)
                    ),
                ));
                continue;
            }
            if !is_real_dir(&candidate) || !candidate.join("package.json").is_file() {
                continue;
            }
            let nested = candidate.join("node_modules");
            if is_real_dir(&nested) {
                pending.push(nested);
            }
            packages.push(candidate);
        }
    }
    packages.sort();
    (packages, notes)
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_dir())
}

fn sorted_entries(dir: &Path, notes: &mut Vec<Notification>) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            paths
        }
        Err(e) => {
            let shown = display_path(dir);
            notes.push(Notification::for_file(
                NotificationLevel::Error,
                "walk-failed",
                &shown,
                format!("{shown}: cannot read: {e}"),
            ));
            Vec::new()
        }
    }
}

impl Pipeline {
    /// Analyses a local source (not yet [`Pipeline::finish`]ed). Third-party packages are
    /// named by their `package.json` (`name@version`, paths relative to the package root); the
    /// user's own checkout keeps its paths.
    pub fn scan_local(&self, source: &LocalSource) -> LocalOutcome {
        let one = |report: ScanReport| LocalOutcome {
            scanned: usize::from(report.files_scanned > 0 || !report.findings.is_empty()),
            packages: 1,
            report,
        };
        match source {
            LocalSource::Tarball(path) => one(self.scan_local_tarball(path)),
            LocalSource::PackageDir { path, trust } => one(self.scan_package_dir(path, trust)),
            LocalSource::NodeModules(path) => {
                let (packages, notes) = installed_packages(path);
                let mut outcome = LocalOutcome {
                    packages: packages.len(),
                    ..LocalOutcome::default()
                };
                let report = &mut outcome.report;
                report.notifications.extend(notes);
                if packages.is_empty() {
                    let shown = display_path(path);
                    report.notifications.push(Notification::for_file(
                        NotificationLevel::Warning,
                        "no-packages",
                        &shown,
                        format!("{shown}: no installed package found; nothing was scanned"),
                    ));
                }
                for package in packages {
                    let one = self.scan_package_dir(&package, &Trust::ThirdParty);
                    if one.files_scanned > 0 || !one.findings.is_empty() {
                        outcome.scanned += 1;
                    }
                    outcome.report.extend(one);
                }
                outcome
            }
        }
    }

    /// Files of the user's checkout that are not a package directory: collected by
    /// [`tarsier_engine::walk::collect`] (`.gitignore` respected, links not followed) and given
    /// to the engine only. Suppression comments are honoured, except in files under a
    /// `node_modules` directory, which are third-party code.
    pub fn scan_checkout(&self, roots: &[PathBuf], include_node_modules: bool) -> ScanReport {
        let (files, problems) = tarsier_engine::walk::collect(
            roots,
            &tarsier_engine::walk::WalkOptions {
                include_node_modules,
            },
        );
        let mut report = ScanReport::default();
        for problem in problems {
            report.notifications.push(Notification::for_file(
                NotificationLevel::Error,
                "walk-failed",
                &problem.path,
                format!("{}: {}", problem.path, problem.reason),
            ));
        }
        let (theirs, own): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|f| f.display.split('/').any(|part| part == "node_modules"));
        report.extend(self.engine.scan_walked_with(&own, SuppressionMode::Honour));
        report.extend(
            self.engine
                .scan_walked_with(&theirs, SuppressionMode::Report),
        );
        report
    }

    fn scan_local_tarball(&self, path: &Path) -> ScanReport {
        let shown = display_path(path);
        let fail = |code: &str, reason: String| {
            let mut report = ScanReport::default();
            report.notifications.push(Notification::for_file(
                NotificationLevel::Error,
                code,
                &shown,
                format!("{shown}: not scanned: {reason}"),
            ));
            report
        };
        let limit = self.options.max_local_tarball_bytes;
        let bytes = match std::fs::metadata(path) {
            Ok(m) if m.len() > limit => {
                return fail(
                    "tarball-too-large",
                    format!("{} bytes is over the {limit}-byte limit", m.len()),
                );
            }
            Ok(_) => match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => return fail("read-failed", format!("cannot read: {e}")),
            },
            Err(e) => return fail("read-failed", format!("cannot read: {e}")),
        };
        let unpacked = match tarsier_tarball::unpack(&bytes, &self.options.limits) {
            Ok(u) => u,
            Err(e) => return fail("unpack-failed", e.to_string()),
        };
        let integrity = tarsier_registry::integrity::Integrity::compute(
            tarsier_registry::integrity::Algorithm::Sha512,
            &bytes,
        )
        .to_sri();
        let (name, version) =
            manifest_identity(&unpacked).unwrap_or((shown.clone(), String::new()));
        let report = self.analyse_unpacked(unpacked, &SupplyContext::default(), &Trust::ThirdParty);
        attach_origin(
            report,
            &PackageOrigin {
                name,
                version,
                tarball: Some(shown),
                integrity: Some(integrity),
            },
        )
    }

    fn scan_package_dir(&self, path: &Path, trust: &Trust) -> ScanReport {
        let own = matches!(trust, Trust::Own { .. });
        let unpacked = match read_package_dir(path, &self.options.limits, own) {
            Ok(u) => u,
            Err(e @ (LocalError::TooManyBytes { .. } | LocalError::TooManyEntries { .. }))
                if own =>
            {
                // A large checkout is still the user's code: lint it file by file, without
                // the package-level checks, and say so.
                let mut report = self.scan_checkout(&[path.to_path_buf()], false);
                report.notifications.push(Notification::for_file(
                    NotificationLevel::Warning,
                    "package-checks-skipped",
                    &display_path(path),
                    format!("{e}; linted file by file without the package-level checks"),
                ));
                return report;
            }
            Err(e) => {
                let mut report = ScanReport::default();
                report.notifications.push(Notification::for_file(
                    NotificationLevel::Error,
                    "read-failed",
                    &display_path(path),
                    format!("{e}; not scanned"),
                ));
                return report;
            }
        };
        if own {
            return self.analyse_unpacked(unpacked, &SupplyContext::default(), trust);
        }
        let shown = display_path(path);
        let (name, version) = manifest_identity(&unpacked).unwrap_or((shown, String::new()));
        let report = self.analyse_unpacked(unpacked, &SupplyContext::default(), trust);
        attach_origin(
            report,
            &PackageOrigin {
                name,
                version,
                tarball: None,
                integrity: None,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh temporary directory, removed when the guard is dropped.
    fn temp(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("tarsier-scan-{name}-"))
            .tempdir()
            .expect("a temporary directory")
    }

    #[test]
    fn directories_are_read_within_the_tarball_limits_without_following_links() {
        let (tmp, outside_tmp) = (temp("limits"), temp("limits-outside"));
        let (dir, outside) = (tmp.path(), outside_tmp.path());
        std::fs::write(outside.join("secret.js"), "eval(x)").unwrap_or_default();
        std::fs::create_dir_all(dir.join("lib")).unwrap_or_default();
        std::fs::write(dir.join("package.json"), "{}").unwrap_or_default();
        std::fs::write(dir.join("lib/a.js"), "1").unwrap_or_default();
        std::fs::write(dir.join("big.js"), vec![b'x'; 100]).unwrap_or_default();
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink(outside, dir.join("escape"));
            let _ = std::os::unix::fs::symlink(outside.join("secret.js"), dir.join("s.js"));
        }
        let limits = Limits {
            max_file_bytes: 50,
            ..Limits::default()
        };
        let unpacked = read_package_dir(dir, &limits, false).expect("readable");
        let paths: Vec<&str> = unpacked.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["lib/a.js", "package.json"]);
        let mut skipped: Vec<String> = unpacked
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.path, s.reason))
            .collect();
        skipped.sort();
        assert_eq!(
            skipped[0],
            "big.js: file of 100 bytes is over the size limit"
        );
        #[cfg(unix)]
        {
            assert_eq!(skipped.len(), 3, "{skipped:?}");
            assert!(skipped[1].starts_with("escape: symbolic link"));
            assert!(skipped[2].starts_with("s.js: symbolic link"));
        }
        let tight = Limits {
            max_total_bytes: 2,
            ..Limits::default()
        };
        assert!(matches!(
            read_package_dir(dir, &tight, false),
            Err(LocalError::TooManyBytes { .. })
        ));
    }

    #[test]
    fn an_own_checkout_over_the_limits_is_linted_file_by_file_and_a_package_is_not() {
        let tmp = temp("over-limits");
        let dir = tmp.path().to_path_buf();
        std::fs::write(
            dir.join("package.json"),
            r#"{"name":"p","version":"1.0.0"}"#,
        )
        .unwrap_or_default();
        std::fs::write(dir.join("index.js"), "eval(process.argv[2]);\n").unwrap_or_default();
        let rules = tarsier_rules::embedded().expect("embedded rules");
        let pipeline = Pipeline::new(
            &rules,
            crate::PipelineOptions {
                limits: Limits {
                    max_total_bytes: 10,
                    ..Limits::default()
                },
                ..crate::PipelineOptions::default()
            },
        )
        .expect("compiles");
        let own = pipeline.scan_local(&LocalSource::PackageDir {
            path: dir.clone(),
            trust: Trust::Own {
                display: display_path(&dir),
            },
        });
        assert_eq!(own.report.files_scanned, 1);
        assert!(
            own.report
                .notifications
                .iter()
                .any(|n| n.code == "package-checks-skipped")
        );
        let theirs = pipeline.scan_local(&LocalSource::PackageDir {
            path: dir,
            trust: Trust::ThirdParty,
        });
        assert_eq!(theirs.report.files_scanned, 0);
        assert!(
            theirs
                .report
                .notifications
                .iter()
                .any(|n| n.code == "read-failed" && n.message.contains("not scanned"))
        );
    }

    #[test]
    fn installed_packages_are_found_with_scopes_and_nesting() {
        let tmp = temp("installed");
        let root = tmp.path().join("node_modules");
        for dir in ["a", "@s/b", "a/node_modules/c", ".bin", "not-a-package"] {
            std::fs::create_dir_all(root.join(dir)).unwrap_or_default();
        }
        for dir in ["a", "@s/b", "a/node_modules/c"] {
            std::fs::write(root.join(dir).join("package.json"), "{}").unwrap_or_default();
        }
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(root.join("a"), root.join("linked"));
        let (packages, notes) = installed_packages(&root);
        let rel: Vec<String> = packages.iter().map(|p| relative_path(p, &root)).collect();
        assert_eq!(rel, ["@s/b", "a", "a/node_modules/c"]);
        #[cfg(unix)]
        assert!(notes.iter().any(|n| n.code == "link-not-followed"));
    }
}
