//! One package pipeline for every source (issue 17): a packed package gives the same errors
//! through `lint`, `scan PATH` and the registry; lockfile entries are verified against their
//! integrity; an empty tarball is a notification on every path; `node_modules` trees and
//! package directories are third-party code; project configuration is the user's only.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use tarsier_registry::test_registry::{sri_sha512, tgz};
use tarsier_tests::{
    Place, copy_dir, lint_places, pack_corpus, package_results, read_json, result_places,
    sarif_notifications, start_registry, tarsier, temp_dir, workspace,
};

/// The fixture package shaped like an install-time credential stealer (harmless, `.invalid`).
const EVIL: &str = "supply-env-beacon";
const EVIL_NAME: &str = "tarsier-fixture-env-beacon";

/// (rule, file in the package, line, level) of the SARIF results of `package`.
type Leveled = (String, String, u64, String);

fn sarif_results(log: &serde_json::Value, package: &str) -> BTreeSet<Leveled> {
    package_results(log, package)
        .into_iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["properties"]["file"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                r["level"].as_str().unwrap_or("warning").to_string(),
            )
        })
        .collect()
}

/// (rule, path with `prefix` removed, line, level) of tarsier's JSON findings.
fn json_findings(report: &serde_json::Value, prefix: &str) -> BTreeSet<Leveled> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches(prefix)
                    .to_string(),
                f["span"]["start_line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn errors(set: &BTreeSet<Leveled>) -> BTreeSet<Leveled> {
    set.iter().filter(|f| f.3 == "error").cloned().collect()
}

/// (code, message) of the notifications in tarsier's JSON.
fn json_notes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["notifications"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    (
                        n["code"].as_str().unwrap_or("").to_string(),
                        n["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `tarsier lint TARGET --format json -q -o OUT EXTRA...`: the exit code and the JSON report.
fn lint_json(target: &str, out: &Path, extra: &[&str]) -> (u8, serde_json::Value) {
    let mut args = vec!["lint", target, "--format", "json", "-q", "-o", s(out)];
    args.extend_from_slice(extra);
    let code = tarsier(&args);
    (code, read_json(out))
}

/// `tarsier scan ARGS... --cache-dir CACHE -q -o OUT`: the exit code (the log is in `out`).
fn scan(args: &[&str], cache: &Path, out: &Path) -> u8 {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--cache-dir", s(cache), "-q", "-o", s(out)]);
    tarsier(&all)
}

/// (rule, file, line) of the SARIF results of `package`, levels left out.
fn sarif_places(log: &serde_json::Value, package: &str) -> BTreeSet<Place> {
    sarif_results(log, package)
        .into_iter()
        .map(|f| (f.0, f.1, f.2))
        .collect()
}

/// Writes `files` (path under `root`, text), creating their directories.
fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The `package.json` of the user's own checkout in the configuration tests.
const APP_MANIFEST: &str = r#"{"name":"app","version":"1.0.0"}"#;

#[test]
fn the_same_evil_tgz_gives_the_same_errors_through_lint_scan_path_and_the_registry() {
    let dir = temp_dir("pipeline-evil");
    let tarball = dir.join("evil.tgz");
    std::fs::write(&tarball, pack_corpus(EVIL)).unwrap();

    // lint evil.tgz
    let (code, report) = lint_json(s(&tarball), &dir.join("lint.json"), &[]);
    assert_eq!(code, 1);
    let lint = json_findings(&report, "");

    // scan evil.tgz
    let scan_out = dir.join("scan-path.sarif");
    let code = scan(&[s(&tarball)], &dir.join("cache-path"), &scan_out);
    assert_eq!(code, 1);
    let scan_path = sarif_results(&read_json(&scan_out), EVIL_NAME);

    // scan from the registry
    let (_runtime, registry) = start_registry();
    registry.add_package(EVIL_NAME, "1.0.1", pack_corpus(EVIL));
    let registry_out = dir.join("registry.sarif");
    let url = registry.url();
    let code = scan(
        &[
            "--registry",
            &url,
            "--package",
            &format!("{EVIL_NAME}@1.0.1"),
        ],
        &dir.join("cache-registry"),
        &registry_out,
    );
    assert_eq!(code, 1);
    let from_registry = sarif_results(&read_json(&registry_out), EVIL_NAME);

    // lint of the unpacked directory (the author's own checkout) runs the package pack too.
    let (_, report) = lint_json(&format!("corpus/{EVIL}"), &dir.join("lint-dir.json"), &[]);
    let lint_dir = json_findings(&report, &format!("corpus/{EVIL}/"));

    let expected: BTreeSet<(&str, &str)> = [
        ("supply-chain/install-script", "package.json"),
        ("supply-chain/exfiltration", "setup.js"),
    ]
    .into();
    let lint_errors = errors(&lint);
    let got: BTreeSet<(&str, &str)> = lint_errors
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str()))
        .collect();
    assert!(
        got.is_superset(&expected),
        "lint evil.tgz errors: {lint:#?}"
    );
    assert_eq!(errors(&lint), errors(&scan_path), "lint vs scan PATH");
    assert_eq!(errors(&lint), errors(&from_registry), "lint vs registry");
    assert_eq!(errors(&lint), errors(&lint_dir), "lint .tgz vs lint DIR");
    // Warnings agree too (the obfuscation finding).
    assert_eq!(lint, scan_path, "every finding, lint vs scan PATH");
    // Package-level findings are reproduced through the same pipeline, from the registry too.
    let first_rule = read_json(&registry_out)["runs"][0]["results"][0]["ruleId"].clone();
    assert!(first_rule.as_str().unwrap().starts_with("supply-chain/"));
    assert_eq!(
        tarsier(&[
            "reproduce",
            s(&registry_out),
            "--result",
            "0",
            "--registry",
            &url,
            "--cache-dir",
            s(&dir.join("cache-registry")),
        ]),
        0
    );
    // A finding of a local tarball is reproduced from that file, checked by its integrity.
    assert_eq!(tarsier(&["reproduce", s(&scan_out), "--result", "0"]), 0);
    std::fs::write(&tarball, pack_corpus("clean-parser")).unwrap();
    assert_eq!(
        tarsier(&["reproduce", s(&scan_out), "--result", "0"]),
        2,
        "the tarball changed"
    );
}

#[test]
fn a_lockfile_entry_with_a_tampered_integrity_is_a_notification_naming_the_entry() {
    let (_runtime, registry) = start_registry();
    registry.add_package("redirect-guard", "1.0.0", pack_corpus("redirect-guard"));
    registry.add_package("static-serve", "2.1.0", pack_corpus("static-serve"));
    let good = registry.integrity("redirect-guard", "1.0.0").unwrap();
    let tampered = sri_sha512(b"not the static-serve tarball");
    let dir = temp_dir("pipeline-lockfile");
    let lockfile = dir.join("package-lock.json");
    let text = serde_json::json!({
        "name": "app",
        "lockfileVersion": 3,
        "requires": true,
        "packages": {
            "": {"name": "app", "dependencies": {"redirect-guard": "^1", "static-serve": "^2"}},
            "node_modules/redirect-guard": {
                "version": "1.0.0",
                "resolved": "https://elsewhere.invalid/redirect-guard/-/redirect-guard-1.0.0.tgz",
                "integrity": good
            },
            "node_modules/static-serve": {"version": "2.1.0", "integrity": tampered}
        }
    });
    std::fs::write(&lockfile, serde_json::to_vec_pretty(&text).unwrap()).unwrap();
    let out = dir.join("lock.sarif");
    let url = registry.url();
    let code = scan(
        &["--lockfile", s(&lockfile), "--registry", &url],
        &dir.join("cache"),
        &out,
    );
    assert_eq!(code, 1, "findings in the verified package");
    let log = read_json(&out);
    let notes = sarif_notifications(&log);
    assert!(
        notes.iter().any(|(c, m)| c == "fetch-failed"
            && m.contains("node_modules/static-serve")
            && m.contains("static-serve@2.1.0")
            && m.contains("integrity mismatch")),
        "{notes:#?}"
    );
    assert!(package_results(&log, "static-serve").is_empty());
    // The verified entry came from the configured registry, not the lockfile's `resolved`.
    let verified = package_results(&log, "redirect-guard");
    for r in &verified {
        let tarball = r["properties"]["tarball"].as_str().unwrap();
        assert!(tarball.starts_with(&url), "{tarball}");
    }
    assert_eq!(
        result_places(verified),
        lint_places("pipeline-lock", "redirect-guard")
    );
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn an_empty_tarball_gives_a_notification_on_every_path() {
    let dir = temp_dir("pipeline-empty");
    let empty = tgz(&[]);
    let tarball = dir.join("empty.tgz");
    std::fs::write(&tarball, &empty).unwrap();
    let zero = dir.join("zero.tgz");
    std::fs::write(&zero, b"").unwrap();

    for (label, file, code_wanted) in [
        ("empty", &tarball, "empty-package"),
        ("zero", &zero, "unpack-failed"),
    ] {
        let (_, report) = lint_json(s(file), &dir.join(format!("{label}-lint.json")), &[]);
        let notes = json_notes(&report);
        assert!(
            notes.iter().any(|(c, _)| c == code_wanted),
            "lint {label}: {notes:#?}"
        );
        let scan_out = dir.join(format!("{label}-scan.sarif"));
        scan(&[s(file)], &dir.join("cache"), &scan_out);
        let notes = sarif_notifications(&read_json(&scan_out));
        assert!(
            notes.iter().any(|(c, _)| c == code_wanted),
            "scan {label}: {notes:#?}"
        );
    }

    let (_runtime, registry) = start_registry();
    registry.add_package("hollow", "1.0.0", empty);
    let out = dir.join("registry.sarif");
    let url = registry.url();
    scan(
        &["--registry", &url, "--package", "hollow@1.0.0"],
        &dir.join("cache-registry"),
        &out,
    );
    let notes = sarif_notifications(&read_json(&out));
    assert!(
        notes
            .iter()
            .any(|(c, m)| c == "empty-package" && m.contains("hollow@1.0.0")),
        "{notes:#?}"
    );
}

#[test]
fn a_node_modules_tree_is_scanned_package_by_package_as_third_party_code() {
    let dir = temp_dir("pipeline-node-modules");
    let installed = dir.join("node_modules");
    let corpus = workspace().join("corpus");
    copy_dir(&corpus.join(EVIL), &installed.join(EVIL_NAME));
    copy_dir(
        &corpus.join("legacy-utils"),
        &installed.join("@acme/legacy-utils"),
    );
    copy_dir(
        &corpus.join("redirect-guard"),
        &installed
            .join(EVIL_NAME)
            .join("node_modules/redirect-guard"),
    );
    std::fs::create_dir_all(installed.join(".bin")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(corpus.join("static-serve"), installed.join("linked")).unwrap();
    // A package that tries to configure its own scan.
    std::fs::write(
        installed.join(EVIL_NAME).join("tarsier.toml"),
        "ignore = [\"supply-chain\"]\n",
    )
    .unwrap();

    let out = dir.join("nm.sarif");
    let code = scan(&[s(&installed)], &dir.join("cache"), &out);
    assert_eq!(code, 1);
    let log = read_json(&out);
    let evil = sarif_results(&log, EVIL_NAME);
    assert!(
        evil.iter()
            .any(|f| f.0 == "supply-chain/exfiltration" && f.3 == "error"),
        "{evil:#?}"
    );
    assert_eq!(
        sarif_places(&log, "tarsier-fixture-redirect-guard"),
        lint_places("pipeline-nm", "redirect-guard")
    );
    let notes = sarif_notifications(&log);
    // Suppression comments in an installed package are reported, not honoured.
    assert!(
        notes
            .iter()
            .any(|(c, m)| c == "suppression-not-honoured" && m.contains("legacy-utils")),
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|(c, m)| c == "package-config-ignored" && m.contains("tarsier.toml")),
        "{notes:#?}"
    );
    #[cfg(unix)]
    assert!(
        notes.iter().any(|(c, _)| c == "link-not-followed"),
        "{notes:#?}"
    );
    assert!(package_results(&log, "static-serve").is_empty());
}

#[test]
fn scan_of_a_package_directory_finds_what_lint_of_it_finds() {
    let dir = temp_dir("pipeline-dir");
    let out = dir.join("dir.sarif");
    let code = scan(
        &["corpus/redirect-guard", "corpus/not-there"],
        &dir.join("cache"),
        &out,
    );
    assert_eq!(code, 1);
    let log = read_json(&out);
    assert_eq!(
        sarif_places(&log, "tarsier-fixture-redirect-guard"),
        lint_places("pipeline-dir", "redirect-guard")
    );
    let notes = sarif_notifications(&log);
    assert!(
        notes
            .iter()
            .any(|(c, m)| c == "not-a-package" && m.contains("corpus/not-there")),
        "{notes:#?}"
    );
}

#[test]
fn project_configuration_is_honoured_in_the_users_checkout_only() {
    let dir = temp_dir("pipeline-config");
    let app = dir.join("app");
    let handler = "module.exports = function (req, res) {\n  res.redirect(req.query.to);\n};\n";
    write_files(
        &app,
        &[
            ("lib/a.js", handler),
            ("dist/a.js", handler),
            ("package.json", APP_MANIFEST),
        ],
    );
    let lint =
        |label: &str, extra: &[&str]| lint_json(s(&app), &dir.join(format!("{label}.json")), extra);
    let (code, plain) = lint("plain", &[]);
    assert_eq!(code, 1);
    let redirects = |report: &serde_json::Value| -> Vec<(String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "express/open-redirect")
            .map(|f| {
                (
                    f["path"]
                        .as_str()
                        .unwrap()
                        .rsplit("app/")
                        .next()
                        .unwrap()
                        .to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        redirects(&plain),
        [
            ("dist/a.js".to_string(), "error".to_string()),
            ("lib/a.js".to_string(), "error".to_string())
        ]
    );

    std::fs::write(
        app.join("tarsier.toml"),
        "exclude = [\"dist\"]\nfail-on = \"error\"\n\n[severity]\n\"express/open-redirect\" = \"warning\"\n",
    )
    .unwrap();
    let (code, configured) = lint("configured", &[]);
    assert_eq!(
        redirects(&configured),
        [("lib/a.js".to_string(), "warning".to_string())]
    );
    assert_eq!(
        code, 0,
        "fail-on = error, and the only error is now a warning"
    );
    let (code, _) = lint("no-config", &["--no-config"]);
    assert_eq!(code, 1);

    std::fs::write(app.join("tarsier.toml"), "fail_on = \"error\"\n").unwrap();
    let (code, _) = lint("bad-key", &[]);
    assert_eq!(code, 2, "an unknown key is an error");
    std::fs::write(
        app.join("tarsier.toml"),
        "ignore = [\"express/no-such-rule\"]\n",
    )
    .unwrap();
    let (code, _) = lint("bad-rule", &[]);
    assert_eq!(code, 2, "an unknown rule is an error");

    // The same configuration packed inside a package is noted, never honoured.
    std::fs::write(app.join("tarsier.toml"), "ignore = [\"express\"]\n").unwrap();
    let packed = dir.join("app.tgz");
    std::fs::write(&packed, tarsier_tarball::pack_directory(&app).unwrap()).unwrap();
    let (code, report) = lint_json(s(&packed), &dir.join("packed.json"), &["--no-config"]);
    assert_eq!(code, 1);
    assert_eq!(redirects(&report).len(), 2, "{report:#?}");
    assert!(
        json_notes(&report)
            .iter()
            .any(|(c, m)| c == "package-config-ignored" && m.contains("tarsier.toml"))
    );
}

#[test]
fn lint_include_node_modules_treats_installed_packages_as_third_party() {
    let dir = temp_dir("pipeline-lint-nm");
    let app = dir.join("app");
    let suppressed = "module.exports = function (req, res) {\n  // tarsier-ignore-next-line express/open-redirect -- checked\n  res.redirect(req.query.to);\n};\n";
    write_files(
        &app,
        &[
            ("package.json", APP_MANIFEST),
            ("lib/a.js", suppressed),
            (
                "node_modules/dep/package.json",
                r#"{"name":"dep","version":"2.0.0"}"#,
            ),
            ("node_modules/dep/index.js", suppressed),
        ],
    );
    let lint = |label: &str, extra: &[&str]| {
        lint_json(s(&app), &dir.join(format!("{label}.json")), extra).1
    };
    let active = |report: &serde_json::Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["suppression"].is_null())
            .map(|f| {
                format!(
                    "{}:{}",
                    f["package"]["name"].as_str().unwrap_or("own"),
                    f["path"].as_str().unwrap()
                )
            })
            .collect()
    };
    // The user's own suppression is honoured; node_modules is not read.
    let own = lint("own", &[]);
    assert!(active(&own).is_empty(), "{own:#?}");
    // With --include-node-modules, the installed package is third-party code: its comment is
    // reported, not honoured.
    let with_deps = lint("with-deps", &["--include-node-modules"]);
    assert_eq!(active(&with_deps), ["dep:index.js"], "{with_deps:#?}");
    assert!(
        json_notes(&with_deps)
            .iter()
            .any(|(c, m)| c == "suppression-not-honoured" && m.contains("dep@2.0.0"))
    );
}

/// Issue 14: a taint path that crosses the files of the user's checkout names both files, with
/// the directory as the user wrote it, in `lint` and in SARIF from `scan` of the directory.
#[test]
fn a_path_across_files_names_both_files_in_lint_and_scan() {
    let dir = temp_dir("pipeline-cross-file");
    let app = dir.join("app");
    write_files(
        &app,
        &[
            (
                "package.json",
                r#"{"name":"cross-file-app","version":"1.0.0","main":"index.js"}"#,
            ),
            (
                "index.js",
                "const serve = require('./lib/serve');\nmodule.exports = function (req, res) {\n  serve(req.query.file, res);\n};\n",
            ),
            (
                "lib/serve.js",
                "const fs = require('fs');\nmodule.exports = function serve(name, res) {\n  fs.createReadStream('/srv/' + name).pipe(res);\n};\n",
            ),
        ],
    );
    let (code, report) = lint_json(s(&app), &dir.join("lint.json"), &[]);
    assert_eq!(code, 1, "{report:#}");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "express/path-traversal")
        .unwrap_or_else(|| panic!("{report:#}"));
    let shown = s(&app).to_string();
    assert_eq!(finding["path"], format!("{shown}/lib/serve.js"));
    assert_eq!(finding["flow"][0]["path"], format!("{shown}/index.js"));
    assert_eq!(finding["flow"][0]["span"]["start_line"], 3);

    let out = dir.join("scan.sarif");
    scan(&[s(&app)], &dir.join("cache"), &out);
    let log = read_json(&out);
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "express/path-traversal")
        .unwrap_or_else(|| panic!("{log:#}"));
    let uri = |l: &serde_json::Value| {
        l["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(uri(&result["locations"][0]).ends_with("/lib/serve.js"));
    let first = &result["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"];
    assert!(uri(first).ends_with("/index.js"), "{first:#}");
}
