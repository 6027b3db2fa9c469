//! The binary under hostile conditions: planted secrets never leak, kill -9 never leaves a
//! partial report, Ctrl-C stops cleanly and says what was not scanned.
#![allow(clippy::unwrap_used)]

mod common;

use common::{temp_dir, workspace};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tarsier_registry::test_registry::{Fault, TestRegistry};

/// A running loopback registry with two corpus packages.
fn registry() -> (tokio::runtime::Runtime, TestRegistry) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let registry = runtime.block_on(TestRegistry::start()).unwrap();
    let corpus = workspace().join("corpus");
    for (name, dir) in [
        ("redirect-guard", "redirect-guard"),
        ("static-serve", "static-serve"),
    ] {
        let tgz = tarsier_tarball::pack_directory(&corpus.join(dir)).unwrap();
        registry.add_package(name, "1.0.0", tgz);
    }
    (runtime, registry)
}

/// `tarsier` with a clean environment: no inherited npm configuration.
fn tarsier(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarsier"));
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", "/nonexistent")
        .env("NO_COLOR", "1")
        .current_dir(home);
    cmd
}

#[test]
fn planted_token_never_appears_in_any_output() {
    let (_rt, registry) = registry();
    const TOKEN: &str = "npm_PLANTEDsecretTOKEN0123456789abcdef";
    registry.require_token(Some(TOKEN));
    let tmp = temp_dir("secrets");
    let home = tmp.path();
    let host = registry.url().trim_start_matches("http:").to_string();
    std::fs::write(
        home.join(".npmrc"),
        format!("registry={}\n{host}:_authToken={TOKEN}\n", registry.url()),
    )
    .unwrap();
    let mut outputs = Vec::new();
    for (format, file) in [
        ("sarif", "out.sarif"),
        ("html", "out.html"),
        ("json", "out.json"),
    ] {
        let out = tarsier(home)
            .args([
                "scan",
                "-vv",
                "--cache-dir",
                "cache",
                "--format",
                format,
                "-o",
                file,
            ])
            .args([
                "--package",
                "redirect-guard@latest",
                "--package",
                "missing-one@latest",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());
        outputs.push(std::fs::read_to_string(home.join(file)).unwrap());
    }
    // The token was used (the registry refuses requests without it) ...
    assert!(outputs[2].contains("express/open-redirect"));
    assert!(
        registry
            .requests()
            .iter()
            .any(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}")))
    );
    // ... and appears in no output, log or error message.
    for (i, text) in outputs.iter().enumerate() {
        assert!(!text.contains(TOKEN), "output {i} leaks the token");
        assert!(
            !text.contains("PLANTEDsecret"),
            "output {i} leaks part of the token"
        );
    }
}

#[test]
fn kill_9_leaves_no_partial_report_and_the_next_run_completes() {
    let (_rt, registry) = registry();
    registry.inject(
        &TestRegistry::tarball_path("static-serve", "1.0.0"),
        Fault::Slow(Duration::from_secs(20)),
        1,
    );
    let tmp = temp_dir("kill9");
    let home = tmp.path();
    let run = |home: &Path| {
        let mut cmd = tarsier(home);
        cmd.args([
            "scan",
            "--registry",
            &registry.url(),
            "--cache-dir",
            "cache",
            "-q",
        ])
        .args([
            "--package",
            "redirect-guard@latest",
            "--package",
            "static-serve@latest",
        ])
        .args(["-o", "out.sarif"]);
        cmd
    };
    let mut child = run(home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the slow tarball is being served, then kill without warning.
    let start = Instant::now();
    while !registry
        .requests()
        .iter()
        .any(|r| r.path.ends_with("static-serve-1.0.0.tgz"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the scan never reached the tarball"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        !home.join("out.sarif").exists(),
        "no report under the output name after kill -9"
    );

    let status = run(home).status().unwrap();
    assert_eq!(status.code(), Some(1));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("out.sarif")).unwrap()).unwrap();
    let packages: std::collections::BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["package"].as_str().unwrap())
        .collect();
    assert_eq!(
        packages,
        ["redirect-guard", "static-serve"].into_iter().collect()
    );
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn ctrl_c_stops_and_reports_what_was_not_scanned() {
    let (_rt, registry) = registry();
    registry.inject(
        &TestRegistry::tarball_path("static-serve", "1.0.0"),
        Fault::Slow(Duration::from_secs(30)),
        1,
    );
    let tmp = temp_dir("ctrlc");
    let home = tmp.path();
    let child = tarsier(home)
        .args([
            "scan",
            "--registry",
            &registry.url(),
            "--cache-dir",
            "cache",
            "-q",
        ])
        .args([
            "--package",
            "redirect-guard@latest",
            "--package",
            "static-serve@latest",
        ])
        .args(["-o", "out.sarif"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !registry
        .requests()
        .iter()
        .any(|r| r.path.ends_with("static-serve-1.0.0.tgz"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the scan never reached the tarball"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(25),
        "Ctrl-C did not stop the scan promptly"
    );
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("out.sarif")).unwrap()).unwrap();
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let note = notes
        .iter()
        .find(|n| n["descriptor"]["id"] == "interrupted")
        .expect("an interrupted notification");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .contains("static-serve@1.0.0")
    );
    // What was scanned before the interruption is kept.
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["properties"]["package"] == "redirect-guard")
    );
}
