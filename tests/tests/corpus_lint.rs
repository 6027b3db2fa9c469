//! `tarsier lint corpus/`: the SARIF of the whole corpus, snapshotted, and the known findings of
//! each fixture package.
#![allow(clippy::unwrap_used)]

use tarsier_tests::{read_json, tarsier, temp_dir};

#[test]
fn corpus_sarif_snapshot() {
    let dir = temp_dir("corpus-sarif");
    let out = dir.join("corpus.sarif");
    let code = tarsier(&[
        "lint",
        "corpus",
        "--format",
        "sarif",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "the corpus has findings");
    let log = read_json(&out);
    insta::assert_json_snapshot!("corpus_lint_sarif", log, {
        ".runs[0].tool.driver.version" => "[version]",
    });
}

#[test]
fn corpus_known_findings_per_package() {
    let dir = temp_dir("corpus-json");
    let out = dir.join("corpus.json");
    tarsier(&[
        "lint",
        "corpus",
        "--format",
        "json",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let v = read_json(&out);
    let findings = v["findings"].as_array().unwrap();
    let of = |pkg: &str| -> Vec<(String, u64)> {
        findings
            .iter()
            .filter(|f| {
                f["path"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("corpus/{pkg}/"))
            })
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["span"]["start_line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let s = |id: &str, line: u64| (id.to_string(), line);
    assert_eq!(
        of("redirect-guard"),
        vec![
            s("express/open-redirect", 18),
            s("express/open-redirect", 28)
        ]
    );
    assert_eq!(
        of("static-serve"),
        vec![
            s("express/path-traversal", 11),
            s("express/uncaught-exception", 21),
            s("express/path-traversal", 22),
            s("node/path-prefix-containment", 39)
        ]
    );
    assert_eq!(
        of("legacy-utils"),
        vec![
            s("node/dynamic-code", 8),
            s("node/dynamic-code", 13),
            s("node/command-exec", 19),
            s("node/deprecated-buffer", 26),
            s("node/deprecated-buffer", 31),
            s("express/regexp-from-request", 36),
            s("node/dynamic-code", 43),
        ]
    );
    // Each rule of issue 4 once (prototype pollution twice, one per write) and both ReDoS rules;
    // the escaped error
    // page (line 18) and the resolved-and-checked path (line 38) are not flagged.
    assert_eq!(
        of("middleware-kit"),
        vec![
            s("express/reflected-xss", 14),
            s("express/header-injection", 26),
            s("express/cors-reflected-origin", 32),
            s("express/uncaught-exception", 50),
            s("node/prototype-pollution", 59),
            s("node/prototype-pollution", 61),
            s("node/weak-random-secret", 71),
            s("node/timing-unsafe-compare", 73),
            // `limit: Infinity` is also a parser limit removed (issue 15's rule).
            s("express/parser-limit-removed", 81),
            s("express/unbounded-input", 81),
            s("express/hardcoded-session-secret", 83),
            s("express/insecure-cookie", 83),
            s("redos/exponential", 87),
            s("redos/polynomial", 92),
        ]
    );
    assert!(of("clean-parser").is_empty());
}
