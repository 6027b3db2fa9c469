//! `tarsier scan` against a loopback registry started by the test, with faults injected: healthy
//! packages keep complete results and every fault becomes a notification naming its package.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use tarsier_registry::test_registry::{Fault, TestRegistry};
use tarsier_tests::{
    Place, lint_places, pack_corpus, package_results, read_json, result_places,
    sarif_notifications, start_registry, tarsier, temp_dir,
};

/// (rule id, file, line) of every result of `package` in a SARIF log.
fn results_of(log: &serde_json::Value, package: &str) -> BTreeSet<Place> {
    result_places(package_results(log, package))
}

/// What a registry scan of the packed `corpus/<dir>` must find.
fn lint_of(dir: &str) -> BTreeSet<Place> {
    lint_places("registry", dir)
}

#[test]
fn scan_survives_registry_faults_and_keeps_healthy_results() {
    let (_runtime, registry) = start_registry();
    // Healthy, and healthy after transient faults.
    registry.add_package("redirect-guard", "1.0.0", pack_corpus("redirect-guard"));
    registry.add_package("static-serve", "2.1.0", pack_corpus("static-serve"));
    registry.add_package("legacy-utils", "0.9.3", pack_corpus("legacy-utils"));
    registry.add_package("legacy-utils", "0.9.4", pack_corpus("legacy-utils"));
    registry.inject(
        &TestRegistry::packument_path("redirect-guard"),
        Fault::Status(500),
        2,
    );
    registry.inject(
        &TestRegistry::packument_path("static-serve"),
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        1,
    );
    registry.inject(
        &TestRegistry::tarball_path("legacy-utils", "0.9.4"),
        Fault::ResetMidBody,
        1,
    );
    // Broken for good.
    registry.add_package("tampered", "1.0.0", pack_corpus("clean-parser"));
    registry.inject(
        &TestRegistry::tarball_path("tampered", "1.0.0"),
        Fault::WrongIntegrity,
        100,
    );
    registry.add_package("garbled", "1.0.0", pack_corpus("clean-parser"));
    registry.inject(
        &TestRegistry::packument_path("garbled"),
        Fault::MalformedJson,
        100,
    );
    registry.add_package("not-a-tarball", "1.0.0", b"this is not gzip".to_vec());

    let dir = temp_dir("scan-faults");
    let out = dir.join("scan.sarif");
    let cache = dir.join("cache");
    let url = registry.url();
    let args = [
        "scan",
        "--registry",
        url.as_str(),
        "--cache-dir",
        cache.to_str().unwrap(),
        "--package",
        "redirect-guard@latest",
        "--package",
        "static-serve@^2",
        "--package",
        "legacy-utils@last:2",
        "--package",
        "tampered@1.0.0",
        "--package",
        "garbled",
        "--package",
        "missing-package@latest",
        "--package",
        "not-a-tarball@1.0.0",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ];
    assert_eq!(tarsier(&args), 1, "findings in the healthy packages");
    let log = read_json(&out);

    // Healthy packages: the same findings as linting their directories.
    let redirect = results_of(&log, "redirect-guard");
    assert!(redirect.contains(&(
        "express/open-redirect".to_string(),
        "lib/index.js".to_string(),
        18
    )));
    assert_eq!(redirect, lint_of("redirect-guard"));
    assert_eq!(results_of(&log, "static-serve"), lint_of("static-serve"));
    let legacy_expected = lint_of("legacy-utils").len();
    assert!(legacy_expected >= 7);
    let legacy: Vec<_> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["properties"]["package"] == "legacy-utils")
        .map(|r| r["properties"]["version"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        legacy.iter().filter(|v| *v == "0.9.3").count(),
        legacy_expected
    );
    assert_eq!(
        legacy.iter().filter(|v| *v == "0.9.4").count(),
        legacy_expected,
        "retried after the reset"
    );
    for r in log["runs"][0]["results"].as_array().unwrap() {
        assert!(
            r["properties"]["integrity"]
                .as_str()
                .unwrap()
                .starts_with("sha512-")
        );
        assert!(
            r["properties"]["tarball"]
                .as_str()
                .unwrap()
                .starts_with(&url)
        );
    }

    // Each broken package: a notification naming it, and no results.
    let notes = sarif_notifications(&log);
    let named =
        |code: &str, package: &str| notes.iter().any(|(c, m)| c == code && m.contains(package));
    assert!(named("fetch-failed", "tampered@1.0.0"), "{notes:#?}");
    assert!(named("resolve-failed", "garbled"), "{notes:#?}");
    assert!(named("resolve-failed", "missing-package"), "{notes:#?}");
    assert!(named("unpack-failed", "not-a-tarball@1.0.0"), "{notes:#?}");
    for broken in ["tampered", "garbled", "missing-package", "not-a-tarball"] {
        assert!(results_of(&log, broken).is_empty());
    }
    // The suppression comment inside legacy-utils is the package's text: reported, not honoured.
    assert!(
        named("suppression-not-honoured", "legacy-utils@0.9.3"),
        "{notes:#?}"
    );
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );

    // The tampered tarball was not cached; the good ones were, so an offline re-run of a healthy
    // package works from the cache alone.
    let offline_out = dir.join("offline.sarif");
    let code = tarsier(&[
        "scan",
        "--registry",
        url.as_str(),
        "--cache-dir",
        cache.to_str().unwrap(),
        "--offline",
        "--package",
        "redirect-guard@1.0.0",
        "-q",
        "-o",
        offline_out.to_str().unwrap(),
    ]);
    let offline = read_json(&offline_out);
    assert_eq!(code, 1, "{:#?}", sarif_notifications(&offline));
    assert_eq!(
        results_of(&offline, "redirect-guard"),
        lint_of("redirect-guard")
    );

    // Every finding can be reproduced: from the cache offline, and from the registry with an
    // empty cache (the tarball is re-fetched by its integrity).
    let out_s = out.to_str().unwrap();
    let result_count = log["runs"][0]["results"].as_array().unwrap().len();
    for index in [0, result_count / 2, result_count - 1] {
        let i = index.to_string();
        let offline_cache = [
            "reproduce",
            out_s,
            "--result",
            &i,
            "--cache-dir",
            cache.to_str().unwrap(),
            "--offline",
            "--registry",
            url.as_str(),
        ];
        assert_eq!(tarsier(&offline_cache), 0, "result {index} offline");
    }
    let fresh = dir.join("fresh-cache");
    let fp = log["runs"][0]["results"][1]["partialFingerprints"]["tarsier/v1"]
        .as_str()
        .unwrap();
    assert_eq!(
        tarsier(&[
            "reproduce",
            out_s,
            "--fingerprint",
            fp,
            "--cache-dir",
            fresh.to_str().unwrap(),
            "--registry",
            url.as_str()
        ]),
        0
    );
    // A rule set without that rule cannot reproduce it: exit 1, not an error.
    let empty_rules = dir.join("rules");
    std::fs::create_dir_all(&empty_rules).unwrap();
    assert_eq!(
        tarsier(&[
            "reproduce",
            out_s,
            "--fingerprint",
            fp,
            "--cache-dir",
            cache.to_str().unwrap(),
            "--offline",
            "--registry",
            url.as_str(),
            "--rules",
            empty_rules.to_str().unwrap()
        ]),
        1
    );
    // An empty cache offline: the tarball cannot be had, exit 2.
    let empty = dir.join("empty-cache");
    assert_eq!(
        tarsier(&[
            "reproduce",
            out_s,
            "--result",
            "0",
            "--cache-dir",
            empty.to_str().unwrap(),
            "--offline",
            "--registry",
            url.as_str()
        ]),
        2
    );
}

#[test]
fn scan_exits_2_when_nothing_could_be_scanned() {
    let (_runtime, registry) = start_registry();
    let dir = temp_dir("scan-none");
    let out = dir.join("none.sarif");
    let url = registry.url();
    let code = tarsier(&[
        "scan",
        "--registry",
        url.as_str(),
        "--cache-dir",
        dir.join("cache").to_str().unwrap(),
        "--package",
        "nothing-here@latest",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    let log = read_json(&out);
    assert!(
        sarif_notifications(&log)
            .iter()
            .any(|(c, m)| c == "resolve-failed" && m.contains("nothing-here"))
    );
}

#[test]
fn tls_failure_is_a_notification_naming_the_package() {
    // The loopback registry speaks plain HTTP: asking it for TLS makes the handshake fail,
    // hermetically, the way a broken or intercepted TLS endpoint would.
    let (_runtime, registry) = start_registry();
    registry.add_package("tls-victim", "1.0.0", pack_corpus("clean-parser"));
    let https = registry.url().replacen("http://", "https://", 1);
    let dir = temp_dir("scan-tls");
    let out = dir.join("tls.sarif");
    let code = tarsier(&[
        "scan",
        "--registry",
        https.as_str(),
        "--cache-dir",
        dir.join("cache").to_str().unwrap(),
        "--package",
        "tls-victim@latest",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "nothing could be scanned");
    let notes = sarif_notifications(&read_json(&out));
    assert!(
        notes
            .iter()
            .any(|(c, m)| c == "resolve-failed" && m.contains("tls-victim")),
        "{notes:#?}"
    );
}

/// Findings in a package's own tests and examples are lowered one level (its users do not run
/// that code); `--keep-test-severity` keeps the rules' levels.
#[test]
fn findings_in_a_packages_test_code_are_lowered() {
    let (_runtime, registry) = start_registry();
    let handler: &[u8] =
        b"module.exports = function (req, res) {\n  res.redirect(req.query.to);\n};\n";
    registry.add_package(
        "tested-lib",
        "1.0.0",
        tarsier_registry::test_registry::tgz(&[
            (
                "package/package.json",
                br#"{"name":"tested-lib","version":"1.0.0"}"#,
            ),
            ("package/index.js", handler),
            ("package/test/app.js", handler),
            ("package/lib/route.spec.js", handler),
        ]),
    );
    let dir = temp_dir("scan-test-code");
    let url = registry.url();
    let levels = |extra: &[&str]| {
        let out = dir.join(format!("out{}.sarif", extra.len()));
        let cache = dir.join("cache");
        let mut args = vec![
            "scan",
            "--registry",
            url.as_str(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "--package",
            "tested-lib@1.0.0",
            "--fail-on",
            "never",
            "-q",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        assert_eq!(tarsier(&args), 0);
        let log = read_json(&out);
        let mut found: Vec<(String, String, String)> = package_results(&log, "tested-lib")
            .into_iter()
            .filter(|r| r["ruleId"] == "express/open-redirect")
            .map(|r| {
                (
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    r["level"].as_str().unwrap_or("").to_string(),
                    r["message"]["text"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        found.sort();
        found
    };
    let lowered = levels(&[]);
    let summary: Vec<(&str, &str, bool)> = lowered
        .iter()
        .map(|(uri, level, message)| {
            let file = uri
                .rsplit_once("tested-lib@1.0.0/")
                .map_or(uri.as_str(), |(_, f)| f);
            (
                file,
                level.as_str(),
                message.contains("test or example code"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("index.js", "error", false),
            ("lib/route.spec.js", "warning", true),
            ("test/app.js", "warning", true),
        ],
        "{lowered:?}"
    );
    // Kept as the rules say, from the result cache this time: the cache holds raw results.
    let kept = levels(&["--keep-test-severity"]);
    assert_eq!(kept.len(), 3);
    assert!(
        kept.iter().all(|(_, level, _)| level == "error"),
        "{kept:?}"
    );
}

/// Issue 16: compromised releases that hide what they do, each published after a clean version
/// on the loopback registry and scanned with `tarsier scan`.
#[test]
fn compromised_releases_after_clean_ones_are_judged_by_what_they_hide_and_add() {
    let (_runtime, registry) = start_registry();
    let fixtures = [
        ("tarsier-fixture-string-table", "supply-string-table"),
        ("tarsier-fixture-appended-hook", "supply-appended-hook"),
        ("tarsier-fixture-funding-ci", "supply-funding-ci"),
        ("tarsier-fixture-worm-moves", "supply-worm-moves"),
    ];
    for (name, dir) in fixtures {
        for version in ["1.0.0", "1.0.1"] {
            registry.add_package(name, version, pack_corpus(&format!("{dir}/{version}")));
        }
    }
    let dir = temp_dir("scan-issue-16");
    let out = dir.join("scan.sarif");
    let cache = dir.join("cache");
    let url = registry.url();
    let mut args = vec![
        "scan".to_string(),
        "--registry".to_string(),
        url.to_string(),
        "--cache-dir".to_string(),
        cache.to_string_lossy().into_owned(),
    ];
    for (name, _) in fixtures {
        args.push("--package".to_string());
        args.push(format!("{name}@1.0.1"));
    }
    args.extend(["-q", "-o"].map(String::from));
    args.push(out.to_string_lossy().into_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(tarsier(&args), 1, "findings in the compromised releases");
    let log = read_json(&out);
    let levels = |package: &str| -> BTreeSet<(String, String, String)> {
        package_results(&log, package)
            .into_iter()
            .filter(|r| r["ruleId"].as_str().unwrap().starts_with("supply-chain/"))
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["properties"]["file"].as_str().unwrap_or("").to_string(),
                    r["level"].as_str().unwrap_or("warning").to_string(),
                )
            })
            .collect()
    };
    let has = |package: &str, rule: &str, file: &str, level: &str| {
        let got = levels(package);
        assert!(
            got.contains(&(rule.to_string(), file.to_string(), level.to_string())),
            "{package}: no {level} {rule} at {file} in {got:?}"
        );
    };
    has(
        "tarsier-fixture-string-table",
        "supply-chain/install-script",
        "package.json",
        "error",
    );
    has(
        "tarsier-fixture-string-table",
        "supply-chain/exfiltration",
        "setup.js",
        "error",
    );
    has(
        "tarsier-fixture-appended-hook",
        "supply-chain/release-changed-code",
        "index.js",
        "error",
    );
    has(
        "tarsier-fixture-worm-moves",
        "supply-chain/worm-move",
        "bundle.js",
        "error",
    );
    for package in [
        "tarsier-fixture-string-table",
        "tarsier-fixture-appended-hook",
        "tarsier-fixture-worm-moves",
    ] {
        has(package, "supply-chain/verdict", "package.json", "error");
        let verdict = package_results(&log, package)
            .into_iter()
            .find(|r| r["ruleId"] == "supply-chain/verdict")
            .unwrap();
        let score = verdict["properties"]["suspicionScore"].as_u64().unwrap();
        assert!(score >= 70, "{package}: score {score}");
    }
    // The funding message that reads CI stays a note, with no verdict.
    assert_eq!(
        levels("tarsier-fixture-funding-ci"),
        BTreeSet::from([(
            "supply-chain/install-script".to_string(),
            "package.json".to_string(),
            "note".to_string()
        )])
    );
}
