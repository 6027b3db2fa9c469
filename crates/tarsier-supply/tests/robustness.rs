//! Hostile and malformed packages: the analysis neither panics nor takes long, and what it
//! skips it says.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use tarsier_supply::{Options, PackageInput, analyze};

fn run(files: &[(&str, &[u8])], previous: Option<&[(&str, &[u8])]>) -> tarsier_supply::Report {
    let next = PackageInput::from_files("hostile", "1.0.0", files).unwrap();
    let prev = previous.map(|p| PackageInput::from_files("hostile", "0.9.0", p).unwrap());
    analyze(&next, prev.as_ref(), &Options::default())
}

#[test]
fn odd_manifests_do_not_panic() {
    for manifest in [
        &br#"{"scripts": 3, "dependencies": [1, 2], "main": null, "bin": {"x": 1}}"#[..],
        br#"{"scripts": {"postinstall": 7, "install": ["node x"]}, "gypfile": "yes"}"#,
        br#"{"name": 5, "os": null, "scripts": {"preinstall": "node"}}"#,
        br#"{"scripts": {"postinstall": "node ../../../../etc/passwd && node /abs.js"}}"#,
        "{\"name\": \"é\\u0000\", \"scripts\": {\"prepare\": \"node \\\"q.js\"}}".as_bytes(),
    ] {
        let files: Vec<(&str, &[u8])> = vec![("package.json", manifest), ("q.js", b"require(")];
        let _ = run(&files, Some(&files));
        let _ = run(&files, Some(&[("package.json", b"{}")]));
    }
}

#[test]
fn hostile_sources_stay_fast() {
    // About 512 KiB each (debug builds run the regexes slowly; the sizes only need to be far
    // beyond what a per-occurrence cost could handle).
    let requires = "require('a' + b);\n".repeat(30_000);
    let env = "process.env.SECRET_TOKEN; fetch(x); dns.lookup(a + b);\n".repeat(9_000);
    let one_line = "x".repeat(512 << 10);
    let quotes = "'".repeat(512 << 10);
    let escapes = "\\x41".repeat(130_000);
    let nul: Vec<u8> = vec![0; 512 << 10];
    let invalid_utf8: Vec<u8> = (0..(512u32 << 10)).map(|i| (i % 256) as u8).collect();
    let manifest = br#"{"scripts": {"postinstall": "node requires.js && node env.js"}}"#;
    let files: Vec<(&str, &[u8])> = vec![
        ("package.json", manifest),
        ("requires.js", requires.as_bytes()),
        ("env.js", env.as_bytes()),
        ("line.js", one_line.as_bytes()),
        ("quotes.js", quotes.as_bytes()),
        ("escapes.js", escapes.as_bytes()),
        ("nul.js", &nul),
        ("binary.js", &invalid_utf8),
    ];
    let start = Instant::now();
    let report = run(&files, Some(&[("package.json", b"{}")]));
    let took = start.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
    // Findings are capped per file, not one per occurrence.
    let dynamic = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "supply-chain/dynamic-require")
        .count();
    assert!((1..=10).contains(&dynamic), "{dynamic}");
    assert!(report.findings.iter().all(|f| f.message.len() < 2000));
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.snippet.chars().count() <= 401)
    );
}

#[test]
fn files_over_the_limit_are_notified_not_scanned() {
    let big = "eval(atob(x));\n".repeat(400_000);
    let files: Vec<(&str, &[u8])> = vec![("package.json", b"{}"), ("big.js", big.as_bytes())];
    let report = run(&files, None);
    assert!(report.findings.is_empty());
    assert_eq!(report.notifications.len(), 1);
    assert!(report.notifications[0].message.contains("big.js"));
}
