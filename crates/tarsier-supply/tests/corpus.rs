//! The supply-chain fixtures in `corpus/supply-*`: each package gives the findings its
//! `EXPECTED.md` lists, and no others.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use tarsier_model::Severity;
use tarsier_supply::{Options, PackageInput, analyze, rule_ids::*};

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(rel)
}

/// Every file under `dir`, as (relative path, bytes), sorted.
fn read_package(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.file_name().unwrap() != "EXPECTED.md" {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn findings(rel: &str, previous: Option<&str>) -> Vec<(String, String, usize, Severity)> {
    let files = read_package(&corpus(rel));
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let next = PackageInput::from_files("fixture", "next", &borrowed).unwrap();
    let prev_files = previous.map(|p| read_package(&corpus(p)));
    let prev_borrowed: Option<Vec<(&str, &[u8])>> = prev_files
        .as_ref()
        .map(|f| f.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect());
    let prev = prev_borrowed
        .as_ref()
        .map(|b| PackageInput::from_files("fixture", "previous", b).unwrap());
    let report = analyze(&next, prev.as_ref(), &Options::default());
    assert!(
        report.notifications.is_empty(),
        "{:?}",
        report.notifications
    );
    for f in &report.findings {
        eprintln!(
            "{} {}:{} {} {}",
            f.rule_id, f.path, f.span.start_line, f.severity, f.message
        );
    }
    report
        .findings
        .into_iter()
        .map(|f| (f.rule_id, f.path, f.span.start_line, f.severity))
        .collect()
}

fn row(
    rule: &str,
    path: &str,
    line: usize,
    severity: Severity,
) -> (String, String, usize, Severity) {
    (rule.to_owned(), path.to_owned(), line, severity)
}

#[test]
fn env_beacon() {
    let mut got = findings("supply-env-beacon", None);
    got.sort();
    let mut want = vec![
        row(INSTALL_SCRIPT, "package.json", 8, Severity::Error),
        row(OBFUSCATED_CODE, "setup.js", 4, Severity::Warning),
        row(EXFILTRATION, "setup.js", 8, Severity::Error),
        row(VERDICT, "package.json", 1, Severity::Error),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn version_bump() {
    let mut got = findings(
        "supply-version-bump/1.0.1",
        Some("supply-version-bump/1.0.0"),
    );
    got.sort();
    let mut want = vec![
        row(RELEASE_INSTALL_SCRIPT, "package.json", 8, Severity::Warning),
        row(RELEASE_NEW_DEPENDENCY, "package.json", 11, Severity::Note),
        row(RELEASE_NEW_FILE, "setup.js", 1, Severity::Warning),
        row(INSTALL_SCRIPT, "package.json", 8, Severity::Error),
        row(OBFUSCATED_CODE, "setup.js", 11, Severity::Warning),
        row(EXFILTRATION, "setup.js", 9, Severity::Error),
        row(VERDICT, "package.json", 1, Severity::Error),
    ];
    want.sort();
    assert_eq!(got, want);
    // The clean release alone, and the clean release against itself, give nothing.
    assert!(findings("supply-version-bump/1.0.0", None).is_empty());
    assert!(
        findings(
            "supply-version-bump/1.0.0",
            Some("supply-version-bump/1.0.0")
        )
        .is_empty()
    );
}

#[test]
fn bundled_elf() {
    let got = findings("supply-bundled-elf", None);
    assert_eq!(
        got,
        vec![row(NATIVE_BINARY, "bin/helper", 1, Severity::Error)]
    );
}

#[test]
fn the_other_corpus_packages_are_quiet() {
    for dir in [
        "clean-parser",
        "redirect-guard",
        "static-serve",
        "legacy-utils",
    ] {
        let got = findings(dir, None);
        assert!(got.is_empty(), "{dir}: {got:?}");
    }
}

/// The (rule, file, severity) rows of a release, lines left out.
fn kinds(dir: &str, previous: &str) -> Vec<(String, String, Severity)> {
    let mut got: Vec<_> = findings(dir, Some(previous))
        .into_iter()
        .map(|(rule, path, _, severity)| (rule, path, severity))
        .collect();
    got.sort();
    got
}

fn has(got: &[(String, String, Severity)], rule: &str, path: &str, severity: Severity) -> bool {
    got.iter()
        .any(|(r, p, s)| r == rule && p == path && *s == severity)
}

#[test]
fn string_table_install_script_is_seen_through() {
    let got = kinds("supply-string-table/1.0.1", "supply-string-table/1.0.0");
    assert!(
        has(&got, INSTALL_SCRIPT, "package.json", Severity::Error),
        "{got:?}"
    );
    assert!(
        has(&got, EXFILTRATION, "setup.js", Severity::Error),
        "{got:?}"
    );
    assert!(
        has(&got, VERDICT, "package.json", Severity::Error),
        "{got:?}"
    );
}

#[test]
fn appended_hooking_blob_in_a_patch_release_is_an_error() {
    let got = kinds("supply-appended-hook/1.0.1", "supply-appended-hook/1.0.0");
    assert!(
        has(&got, RELEASE_CHANGED_CODE, "index.js", Severity::Error),
        "{got:?}"
    );
    assert!(got.iter().any(|(r, _, _)| r == VERDICT), "{got:?}");
    // The clean release against itself: nothing.
    assert!(kinds("supply-appended-hook/1.0.0", "supply-appended-hook/1.0.0").is_empty());
}

#[test]
fn a_funding_message_that_reads_ci_is_a_note() {
    let got = kinds("supply-funding-ci/1.0.1", "supply-funding-ci/1.0.0");
    assert_eq!(
        got,
        vec![(
            INSTALL_SCRIPT.to_owned(),
            "package.json".to_owned(),
            Severity::Note
        )]
    );
}

#[test]
fn worm_moves_are_errors_in_an_install_script() {
    let got = kinds("supply-worm-moves/1.0.1", "supply-worm-moves/1.0.0");
    assert!(
        has(&got, WORM_MOVE, "bundle.js", Severity::Error),
        "{got:?}"
    );
    assert!(
        has(&got, EXFILTRATION, "bundle.js", Severity::Error),
        "{got:?}"
    );
    assert!(
        has(&got, INSTALL_SCRIPT, "package.json", Severity::Error),
        "{got:?}"
    );
    assert!(
        has(&got, VERDICT, "package.json", Severity::Error),
        "{got:?}"
    );
}
