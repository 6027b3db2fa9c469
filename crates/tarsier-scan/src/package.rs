//! Analysing one package, whatever its source: notes on skipped entries and on configuration
//! a package carries, `tarsier-supply`'s package-level analysis (with the release diff against
//! the previous version when it is known), then the engine over its JavaScript files.

use crate::Pipeline;
use tarsier_engine::{ScanReport, SuppressionMode, is_test_code};
use tarsier_model::{Finding, Notification, NotificationLevel, PackageOrigin, Severity};
use tarsier_tarball::{SkipReason, Unpacked};

/// Whose code a source is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trust {
    /// The user's own checkout (`tarsier lint` of a directory outside `node_modules`):
    /// suppression comments are honoured, and paths are shown under `display`, the directory
    /// as the user named it.
    Own {
        /// The directory as shown in reports (`.`-relative, `/`-separated).
        display: String,
    },
    /// Somebody else's package (a tarball, a registry version, anything under `node_modules`):
    /// the attacker's text. Suppression comments and configuration inside it are reported,
    /// never honoured.
    #[default]
    ThirdParty,
}

/// What the package-level analysis knows beyond the package's files.
#[derive(Debug, Default)]
pub struct SupplyContext {
    /// `(name, version)` as the registry or lockfile names the package; `None`: taken from the
    /// package's own `package.json`.
    pub identity: Option<(String, String)>,
    /// The unpacked size the registry states (`dist.unpackedSize`).
    pub unpacked_size: Option<u64>,
    /// The previous published version, for the release diff.
    pub previous: Option<PreviousVersion>,
    /// The registry's signals (signatures, provenance, publishers).
    pub signals: tarsier_supply::RegistrySignals,
    /// Why part of the context could not be had (each becomes a note).
    pub problems: Vec<String>,
    /// In-scope package names for the typosquat check (empty: no typosquat check).
    pub in_scope: Vec<String>,
}

/// The previous published version's tarball, verified.
#[derive(Debug)]
pub struct PreviousVersion {
    /// Its version.
    pub version: String,
    /// Its integrity (SRI).
    pub integrity: String,
    /// The `.tgz` bytes.
    pub bytes: Vec<u8>,
}

/// File names that configure tarsier; inside a third-party package they are noted, never read.
const CONFIG_FILE_NAMES: &[&str] = &[".tarsierignore", "tarsier.toml", "tarsier-triage.toml"];

impl Pipeline {
    /// Unpacks one tarball within the pipeline's limits and analyses it
    /// ([`Pipeline::analyse_unpacked`]); a tarball that cannot be unpacked is an error
    /// notification. Paths in the result are relative to the package root.
    pub fn analyse_tarball(&self, tgz: &[u8], context: &SupplyContext) -> ScanReport {
        match tarsier_tarball::unpack(tgz, &self.options.limits) {
            Ok(unpacked) => self.analyse_unpacked(unpacked, context, &Trust::ThirdParty),
            Err(e) => {
                let mut report = ScanReport::default();
                report.notifications.push(Notification {
                    level: NotificationLevel::Error,
                    code: "unpack-failed".to_string(),
                    message: format!("not scanned: {e}"),
                    package: None,
                    path: None,
                });
                report
            }
        }
    }

    /// Analyses the files of one package: notes on skipped entries (unsafe paths as warnings),
    /// on an empty package and (for [`Trust::ThirdParty`]) on configuration it carries, the
    /// package-level analysis, then the engine. The result does not name the package yet (see
    /// [`attach_origin`]), so it can be cached by the tarball's integrity alone.
    pub fn analyse_unpacked(
        &self,
        unpacked: Unpacked,
        context: &SupplyContext,
        trust: &Trust,
    ) -> ScanReport {
        let mut report = ScanReport::default();
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
        if unpacked.files.is_empty() {
            report.notifications.push(Notification {
                level: NotificationLevel::Warning,
                code: "empty-package".to_string(),
                message: "the package has no files: nothing was scanned".to_string(),
                package: None,
                path: None,
            });
        }
        if *trust == Trust::ThirdParty {
            report.notifications.extend(config_notes(&unpacked));
        }
        report.extend(supply_findings(
            &unpacked,
            context,
            &self.options.limits,
            &self.supply_memo,
        ));
        let mode = match trust {
            Trust::Own { .. } => SuppressionMode::Honour,
            Trust::ThirdParty => SuppressionMode::Report,
        };
        let prefix = match trust {
            Trust::Own { display } => Some(display.as_str()),
            Trust::ThirdParty => None,
        };
        // The engine sees the package's own paths (its `package.json` names the entry points,
        // relative `require`s name other files); the user's own files are shown where they are.
        let files: Vec<(String, Vec<u8>)> = unpacked
            .files
            .into_iter()
            .map(|f| (f.path, f.data))
            .collect();
        report.extend(self.engine.scan_files_with(&files, mode));
        if let Some(prefix) = prefix {
            for finding in &mut report.findings {
                finding.path = join_display(prefix, &finding.path);
                for step in &mut finding.flow {
                    if let Some(path) = &mut step.path {
                        *path = join_display(prefix, path);
                    }
                }
            }
            for notification in &mut report.notifications {
                if let Some(path) = &mut notification.path {
                    *path = join_display(prefix, path);
                }
            }
        }
        report
    }
}

/// `dir/path`, or `path` alone when `dir` is `.` or empty.
fn join_display(dir: &str, path: &str) -> String {
    if dir.is_empty() || dir == "." {
        path.to_string()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    }
}

/// A note for every piece of tarsier configuration a third-party package carries: a package
/// cannot configure its own scan.
fn config_notes(unpacked: &Unpacked) -> Vec<Notification> {
    let mut notes = Vec::new();
    for file in &unpacked.files {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        let in_manifest = file.path == "package.json"
            && serde_json::from_slice::<serde_json::Value>(&file.data)
                .ok()
                .is_some_and(|m| m.get("tarsier").is_some());
        if CONFIG_FILE_NAMES.contains(&name) || in_manifest {
            let what = if in_manifest {
                "the `tarsier` key of package.json".to_string()
            } else {
                format!("`{}`", file.path)
            };
            notes.push(Notification {
                level: NotificationLevel::Note,
                code: "package-config-ignored".to_string(),
                message: format!(
                    "{what} is tarsier configuration inside a scanned package; it is not honoured"
                ),
                package: None,
                path: Some(file.path.clone()),
            });
        }
    }
    notes
}

/// The `(name, version)` a package's own `package.json` states, if it states them.
pub fn manifest_identity(unpacked: &Unpacked) -> Option<(String, String)> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&unpacked.get("package.json")?.data).ok()?;
    let name = manifest.get("name")?.as_str()?.to_string();
    let version = manifest
        .get("version")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    Some((name, version))
}

/// Package-level supply-chain findings (and the release diff against the previous version).
fn supply_findings(
    unpacked: &Unpacked,
    context: &SupplyContext,
    limits: &tarsier_tarball::Limits,
    memo: &std::sync::Arc<tarsier_supply::memo::ScanMemo>,
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
    let (name, version) = context
        .identity
        .clone()
        .or_else(|| manifest_identity(unpacked))
        .unwrap_or_default();
    let files: Vec<(&str, &[u8])> = unpacked
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    let mut input = match tarsier_supply::PackageInput::from_files(&name, &version, &files) {
        Ok(input) => input,
        Err(e) => {
            note(&mut report, format!("package-level checks skipped: {e}"));
            return report;
        }
    };
    input.unpacked_size = context.unpacked_size;
    let previous_unpacked = context.previous.as_ref().and_then(|p| {
        tarsier_tarball::unpack(&p.bytes, limits)
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
        tarsier_supply::PackageInput::from_files(&name, version, &previous_files).ok()
    });
    let options = tarsier_supply::Options {
        in_scope: context.in_scope.clone(),
        memo: Some(std::sync::Arc::clone(memo)),
        ..tarsier_supply::Options::default()
    };
    let analysis = tarsier_supply::analyze(&input, previous_input.as_ref(), &options);
    report.findings.extend(analysis.findings);
    report.notifications.extend(analysis.notifications);
    report.findings.extend(tarsier_supply::registry_findings(
        &name,
        &version,
        &context.signals,
    ));
    report
}

/// Names the package on every finding and notification of a package's report.
pub fn attach_origin(mut report: ScanReport, origin: &PackageOrigin) -> ScanReport {
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

/// Lowers the findings of code rules (`code_rules`) in a package's test, benchmark or example
/// code ([`is_test_code`]) one level, error to warning to note, and says so in the message:
/// the package's users do not run that code. Package-level (supply-chain) findings keep theirs;
/// malware can sit anywhere. Only findings that name a package (third-party code) are touched.
pub(crate) fn lower_test_code(
    findings: &mut [Finding],
    code_rules: &std::collections::HashSet<String>,
) {
    for finding in findings.iter_mut().filter(|f| {
        f.package.is_some() && code_rules.contains(f.rule_id.as_str()) && is_test_code(&f.path)
    }) {
        finding.severity = match finding.severity {
            Severity::Error => Severity::Warning,
            _ => Severity::Note,
        };
        finding
            .message
            .push_str(" (in the package's test or example code, which its users do not run)");
    }
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
        use tarsier_model::Span;
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
        let code_rules: std::collections::HashSet<String> = [
            "express/open-redirect".to_string(),
            "node/dynamic-code".to_string(),
        ]
        .into();
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
    fn configuration_inside_a_package_is_noted() {
        let unpacked = crate::local::unpacked_from(vec![
            (
                "package.json".to_string(),
                br#"{"name":"p","version":"1.0.0","tarsier":{"ignore":["node"]}}"#.to_vec(),
            ),
            ("lib/tarsier.toml".to_string(), b"ignore = []".to_vec()),
            ("index.js".to_string(), b"1".to_vec()),
        ]);
        let notes = config_notes(&unpacked);
        let paths: Vec<&str> = notes.iter().filter_map(|n| n.path.as_deref()).collect();
        assert_eq!(paths, ["lib/tarsier.toml", "package.json"]);
        assert!(notes.iter().all(|n| n.code == "package-config-ignored"));
    }
}
