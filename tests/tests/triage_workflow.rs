//! The triage workflow end to end: triage decisions, baselines, `diff`, `merge`, HTML.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use tarsier_tests::{copy_dir, read_json, tarsier, temp_dir, workspace};

fn results(log: &serde_json::Value) -> &Vec<serde_json::Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn triage_decisions_become_external_suppressions_and_stale_ones_are_reported() {
    let dir = temp_dir("triage");
    let a = dir.join("a.sarif");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    tarsier(&["lint", "corpus", "--format", "sarif", "-q", "-o", &s(&a)]);
    let log = read_json(&a);
    let fp = results(&log)[0]["partialFingerprints"]["tarsier/v1"]
        .as_str()
        .unwrap()
        .to_string();
    let triage = dir.join("triage.toml");
    let add = |fingerprint: &str| {
        tarsier(&[
            "triage",
            "add",
            fingerprint,
            "--status",
            "false-positive",
            "--why",
            "checked by hand",
            "--who",
            "ci",
            "--sarif",
            &s(&a),
            "--file",
            &s(&triage),
        ])
    };
    assert_eq!(add(&fp), 0);
    assert_eq!(add("0000000000000000deadbeef00000000"), 0);
    let text = std::fs::read_to_string(&triage).unwrap();
    assert!(
        text.contains(&fp) && text.contains("false-positive") && text.contains("checked by hand")
    );
    assert_eq!(
        tarsier(&[
            "triage",
            "add",
            &fp,
            "--status",
            "maybe",
            "--why",
            "x",
            "--file",
            &s(&triage)
        ]),
        2,
        "an unknown status is refused"
    );

    let b = dir.join("b.sarif");
    tarsier(&[
        "lint",
        "corpus",
        "--format",
        "sarif",
        "-q",
        "--triage",
        &s(&triage),
        "-o",
        &s(&b),
    ]);
    let log = read_json(&b);
    let suppressed: Vec<_> = results(&log)
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "external")
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["partialFingerprints"]["tarsier/v1"],
        fp.as_str()
    );
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| n["descriptor"]["id"] == "triage-stale"
        && n["message"]["text"].as_str().unwrap().contains("deadbeef")));

    // Upload mode leaves the suppressed result out.
    let c = dir.join("c.sarif");
    tarsier(&[
        "lint",
        "corpus",
        "--format",
        "sarif",
        "-q",
        "--upload",
        "--triage",
        &s(&triage),
        "-o",
        &s(&c),
    ]);
    assert_eq!(
        results(&read_json(&c)).len() + 2,
        results(&log).len(),
        "triaged + inline-suppressed left out"
    );
}

#[test]
fn baseline_marks_new_results_and_fail_on_new_gates_on_them() {
    let dir = temp_dir("baseline");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let pkg = dir.join("pkg");
    copy_dir(&workspace().join("corpus/redirect-guard"), &pkg);
    let base = dir.join("base.sarif");
    tarsier(&["lint", &s(&pkg), "--format", "sarif", "-q", "-o", &s(&base)]);
    let before = results(&read_json(&base)).len();

    // Unchanged code: nothing new, so --fail-on-new passes although there are findings.
    let same = dir.join("same.sarif");
    let code = tarsier(&[
        "lint",
        &s(&pkg),
        "--format",
        "sarif",
        "-q",
        "--baseline",
        &s(&base),
        "--fail-on-new",
        "-o",
        &s(&same),
    ]);
    assert_eq!(code, 0);
    assert!(
        results(&read_json(&same))
            .iter()
            .all(|r| r["baselineState"] == "unchanged")
    );

    // Lines shift and a new finding appears: only it is new.
    let index = pkg.join("lib/index.js");
    let old = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, format!("// header\n// more\n{old}\nexports.x = function (req, res) {{ res.redirect(req.body.u); }};\n")).unwrap();
    let head = dir.join("head.sarif");
    let code = tarsier(&[
        "lint",
        &s(&pkg),
        "--format",
        "sarif",
        "-q",
        "--baseline",
        &s(&base),
        "--fail-on-new",
        "-o",
        &s(&head),
    ]);
    assert_eq!(code, 1);
    let log = read_json(&head);
    let states: Vec<&str> = results(&log)
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == "new").count(),
        1,
        "{states:?}"
    );
    assert_eq!(
        states.iter().filter(|s| **s == "unchanged").count(),
        before,
        "{states:?}"
    );

    // The same answer from `tarsier diff`, and absent results when code disappears.
    let diffed = dir.join("diff.sarif");
    assert_eq!(
        tarsier(&[
            "diff",
            &s(&base),
            &s(&head),
            "--fail-on-new",
            "-o",
            &s(&diffed)
        ]),
        1
    );
    assert_eq!(results(&read_json(&diffed)).len(), before + 1);
    let back = dir.join("back.sarif");
    assert_eq!(tarsier(&["diff", &s(&head), &s(&base), "-o", &s(&back)]), 0);
    let back = read_json(&back);
    assert_eq!(
        results(&back)
            .iter()
            .filter(|r| r["baselineState"] == "absent")
            .count(),
        1
    );
}

#[test]
fn merge_combines_shards_into_one_run() {
    let dir = temp_dir("merge");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let one = dir.join("one.sarif");
    let two = dir.join("two.sarif");
    tarsier(&[
        "lint",
        "corpus/redirect-guard",
        "--format",
        "sarif",
        "-q",
        "-o",
        &s(&one),
    ]);
    tarsier(&[
        "lint",
        "corpus/static-serve",
        "--format",
        "sarif",
        "-q",
        "-o",
        &s(&two),
    ]);
    let merged = dir.join("merged.sarif");
    assert_eq!(
        tarsier(&["merge", &s(&one), &s(&two), "-o", &s(&merged)]),
        0
    );
    let log = read_json(&merged);
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    assert_eq!(
        results(&log).len(),
        results(&read_json(&one)).len() + results(&read_json(&two)).len()
    );
    for r in results(&log) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            r["ruleId"]
        );
    }
}

#[test]
fn html_report_is_self_contained() {
    let dir = temp_dir("html");
    let out = dir.join("report.html");
    tarsier(&[
        "lint",
        "corpus",
        "--format",
        "html",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html"));
    assert!(html.contains("express/open-redirect"));
    assert!(html.contains("Content-Security-Policy"));
    for attr in ["src=\"http", "href=\"http", "src='http", "@import"] {
        assert!(
            !html.contains(attr),
            "loads something from the network: {attr}"
        );
    }
}
