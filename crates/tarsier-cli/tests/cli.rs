//! The real `tarsier` binary: exit codes, formats, rule commands, broken pipes.
#![allow(clippy::unwrap_used)]

mod common;

use common::{temp_dir, workspace};
use std::process::{Command, Stdio};

fn tarsier() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarsier"));
    cmd.current_dir(workspace());
    cmd.env("NO_COLOR", "1");
    // The format's default depends on it (tests must not change output inside GitHub Actions).
    cmd.env_remove("GITHUB_ACTIONS");
    cmd
}

#[test]
fn lint_exit_codes_follow_fail_on() {
    let tmp = temp_dir("exit");
    let dir = tmp.path();
    std::fs::write(dir.join("warn.js"), "eval(code);\n").unwrap();
    std::fs::write(dir.join("clean.js"), "module.exports = 1;\n").unwrap();
    let status = |args: &[&str]| tarsier().args(args).output().unwrap().status.code();
    let warn = dir.join("warn.js");
    let clean = dir.join("clean.js");
    let w = warn.to_str().unwrap();
    assert_eq!(
        status(&["lint", w]),
        Some(1),
        "a warning fails at the default threshold"
    );
    assert_eq!(status(&["lint", w, "--fail-on", "error"]), Some(0));
    assert_eq!(status(&["lint", clean.to_str().unwrap()]), Some(0));
    assert_eq!(status(&["lint", "--no-such-flag"]), Some(2));
    assert_eq!(
        status(&["lint", w, "--rules", "/nonexistent/rules"]),
        Some(2)
    );
}

#[test]
fn text_output_has_location_severity_rule_and_frame() {
    let out = tarsier()
        .args(["lint", "corpus/redirect-guard"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("corpus/redirect-guard/lib/index.js:18:5  error  express/open-redirect  `redirect` sends the client"),
        "{text}"
    );
    assert!(
        text.contains("18 |     res.redirect(302, target);"),
        "{text}"
    );
    assert!(text.contains("^^^^^^^^"), "{text}");
    assert!(
        text.contains("2 findings (2 errors, 0 warnings, 0 notes) in 1 file"),
        "{text}"
    );
    assert!(!text.contains("\u{1b}["), "no colour when not a terminal");
}

#[test]
fn json_output_lists_findings_and_suppressions() {
    let out = tarsier()
        .args(["lint", "corpus/legacy-utils", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 7);
    let suppressed: Vec<_> = findings
        .iter()
        .filter(|f| !f["suppression"].is_null())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["rule_id"], "node/dynamic-code");
}

#[test]
fn lint_reads_packed_tarballs() {
    let tmp = temp_dir("tgz");
    let dir = tmp.path();
    let tgz = tarsier_tarball::pack_files([
        (
            "lib/a.js",
            b"app.get('/', (req, res) => res.redirect(req.query.u));\n".as_slice(),
        ),
        (
            "package.json",
            b"{\"name\":\"x\",\"version\":\"1.0.0\"}".as_slice(),
        ),
    ])
    .unwrap();
    let path = dir.join("x-1.0.0.tgz");
    std::fs::write(&path, tgz).unwrap();
    let out = tarsier()
        .args(["lint", path.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["rule_id"], "express/open-redirect");
    // A packed package is a package: its findings name it, paths inside it.
    assert_eq!(f["path"], "lib/a.js", "{f}");
    assert_eq!(f["package"]["name"], "x", "{f}");
    assert!(
        f["package"]["tarball"]
            .as_str()
            .unwrap()
            .ends_with("x-1.0.0.tgz"),
        "{f}"
    );

    std::fs::write(dir.join("broken.tgz"), b"not a gzip").unwrap();
    let out = tarsier()
        .args([
            "lint",
            dir.join("broken.tgz").to_str().unwrap(),
            path.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "the good tarball still reports"
    );
    assert_eq!(v["notifications"][0]["code"], "unpack-failed");
}

#[test]
fn rules_commands() {
    let out = tarsier().args(["rules", "list"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("express/open-redirect"), "{text}");
    assert!(text.contains("CWE-601"), "{text}");
    let out = tarsier()
        .args(["rules", "explain", "node/command-exec"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("## Why is this bad?"), "{text}");
    assert_eq!(
        tarsier()
            .args(["rules", "explain", "nope/nope"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    let out = tarsier().args(["rules", "test", "rules"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(" passed, 0 failed"), "{text}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn rules_test_reports_every_problem_of_a_broken_pack() {
    let tmp = temp_dir("badrules");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("demo")).unwrap();
    std::fs::write(
        dir.join("demo/bad.toml"),
        r#"id = "demo/other"
name = ""
severity = "error"
security-severity = 12.0
precision = "high"
cwe = ["79"]
message = "{{nope}}"
query = "(call_expression (nonsense)) @finding"
help = "no sections"
[tests]
"#,
    )
    .unwrap();
    let out = tarsier()
        .args(["rules", "test", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "the id must match",
        "`name` is empty",
        "security-severity",
        "not a CWE id",
        "does not compile",
        "lacks the section `## What it does`",
        "tests.invalid",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn broken_pipe_exits_zero() {
    let mut child = tarsier()
        .args(["lint", "corpus"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    // The read end closes before tarsier writes (it is still compiling rules): EPIPE -> exit 0,
    // although the corpus has findings (exit 1 otherwise).
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn github_format_writes_annotations_and_is_the_default_in_actions() {
    let explicit = tarsier()
        .args(["lint", "corpus/redirect-guard", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(explicit.status.code(), Some(1));
    let text = String::from_utf8(explicit.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with(
                "::error file=corpus/redirect-guard/lib/index.js,line=18,col=5,endLine=18,"
            ) && l.contains(",title=express/open-redirect::`redirect` sends the client")),
        "{text}"
    );
    assert!(
        text.lines().all(|l| l.starts_with("::")),
        "one workflow command per line, nothing else on stdout: {text}"
    );
    let in_actions = tarsier()
        .args(["lint", "corpus/redirect-guard"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(in_actions.stdout).unwrap(), text);
    let asked_for_text = tarsier()
        .args(["lint", "corpus/redirect-guard", "--format", "text"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let asked_for_text = String::from_utf8(asked_for_text.stdout).unwrap();
    assert!(!asked_for_text.contains("::error"), "{asked_for_text}");
}

#[test]
fn category_sets_the_sarif_automation_id() {
    let out = tarsier()
        .args([
            "lint",
            "corpus/redirect-guard",
            "--format",
            "sarif",
            "--category",
            "tarsier-shard-3",
        ])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "tarsier-shard-3/"
    );
    let default = tarsier()
        .args(["lint", "corpus/redirect-guard", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&default.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "tarsier/lint/");
}
