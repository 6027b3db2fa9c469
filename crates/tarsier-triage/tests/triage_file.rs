//! The triage file: add, replace, save, load, apply, stale entries, load errors.
#![allow(clippy::unwrap_used)]

mod common;

use common::{finding, log, rule};
use std::path::Path;
use tarsier_sarif::FINGERPRINT_KEY;
use tarsier_sarif::model::{Suppression, SuppressionKind};
use tarsier_triage::{Decision, Status, TriageError, TriageFile};

fn decision(fp: &str, status: Status) -> Decision {
    Decision {
        fingerprint: fp.to_string(),
        status,
        justification: "only reachable from the admin CLI".to_string(),
        who: "alice".to_string(),
        when: "2026-11-25".to_string(),
        rule: Some("a/b".to_string()),
        location: None,
    }
}

#[test]
fn add_replaces_same_fingerprint_in_place() {
    let mut file = TriageFile::default();
    assert_eq!(
        file.add(decision("aa", Status::AcceptedRisk)).unwrap(),
        None
    );
    assert_eq!(
        file.add(decision("bb", Status::FalsePositive)).unwrap(),
        None
    );
    let old = file.add(decision("aa", Status::FixedUpstream)).unwrap();
    assert_eq!(old.unwrap().status, Status::AcceptedRisk);
    assert_eq!(file.decisions.len(), 2);
    assert_eq!(file.decisions[0].fingerprint, "aa");
    assert_eq!(file.get("aa").unwrap().status, Status::FixedUpstream);
}

#[test]
fn add_rejects_invalid_decisions() {
    let mut file = TriageFile::default();
    let mut d = decision("aa", Status::AcceptedRisk);
    d.when = "2026-02-30".to_string();
    let err = file.add(d).unwrap_err();
    assert!(matches!(err, TriageError::InvalidDecision { .. }));
    assert!(err.to_string().contains("`aa`"), "{err}");
    let mut d = decision("aa", Status::AcceptedRisk);
    d.justification = "  ".to_string();
    assert!(file.add(d).is_err());
    assert!(file.decisions.is_empty());
}

#[test]
fn save_and_load_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tarsier-triage.toml");
    let mut file = TriageFile::default();
    file.add(decision("aa", Status::AcceptedRisk)).unwrap();
    let mut b = decision("bb", Status::FalsePositive);
    b.location = Some("send@1.0.0/index.js:3".to_string());
    b.justification = "quotes \" and\nnewlines survive".to_string();
    file.add(b).unwrap();
    file.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# tarsier triage decisions"), "{text}");
    assert_eq!(text.matches("[[decision]]").count(), 2, "{text}");
    assert!(text.contains("status = \"accepted-risk\""), "{text}");
    assert_eq!(TriageFile::load(&path).unwrap(), file);
    // Saving over an existing file leaves no temporary file behind.
    file.save(&path).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn missing_file_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = TriageFile::load(&dir.path().join("nope.toml")).unwrap();
    assert!(file.decisions.is_empty());
}

#[test]
fn save_into_missing_directory_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/tarsier-triage.toml");
    let err = TriageFile::default().save(&path).unwrap_err();
    assert!(matches!(err, TriageError::Write { .. }));
    assert!(err.to_string().contains("tarsier-triage.toml"), "{err}");
}

#[test]
fn apply_suppresses_matches_and_reports_stale() {
    let rules = [rule("a/b")];
    let mut sarif = log(
        &rules,
        &[
            finding("a/b", "x.js", 3, "eval(x)"),
            finding("a/b", "y.js", 3, "eval(y)"),
        ],
    );
    let fp = sarif.runs[0].results[0].partial_fingerprints[FINGERPRINT_KEY].clone();
    // An in-source suppression on the matched result is kept.
    sarif.runs[0].results[0].suppressions.push(Suppression {
        kind: SuppressionKind::InSource,
        justification: Some("inline".to_string()),
        status: None,
    });
    let mut file = TriageFile::default();
    file.add(decision(&fp, Status::AcceptedRisk)).unwrap();
    file.add(decision("0000stale", Status::FixedUpstream))
        .unwrap();

    let outcome = file.apply(&mut sarif);
    assert_eq!(outcome.suppressed, 1);
    assert_eq!(outcome.stale.len(), 1);
    assert_eq!(outcome.stale[0].fingerprint, "0000stale");
    let results = &sarif.runs[0].results;
    assert_eq!(results.len(), 2, "results stay in the log");
    assert_eq!(results[0].suppressions.len(), 2);
    let external = &results[0].suppressions[1];
    assert_eq!(external.kind, SuppressionKind::External);
    assert_eq!(
        external.justification.as_deref(),
        Some("accepted-risk: only reachable from the admin CLI (alice, 2026-11-25)")
    );
    assert!(results[1].suppressions.is_empty());

    // Applying again (or a changed decision) replaces the external suppression.
    file.add(decision(&fp, Status::FalsePositive)).unwrap();
    let again = file.apply(&mut sarif);
    assert_eq!(again.suppressed, 1);
    let sup = &sarif.runs[0].results[0].suppressions;
    assert_eq!(sup.len(), 2);
    assert!(
        sup[1]
            .justification
            .as_deref()
            .unwrap()
            .starts_with("false-positive: ")
    );
}

fn parse(text: &str) -> Result<TriageFile, TriageError> {
    TriageFile::parse(text, Path::new("triage/tarsier-triage.toml"))
}

const GOOD: &str = r#"
[[decision]]
fingerprint = "aa"
status = "false-positive"
justification = "test fixture"
who = "bob"
when = 2026-11-25
"#;

#[test]
fn bare_toml_date_is_accepted() {
    let file = parse(GOOD).unwrap();
    assert_eq!(file.decisions[0].when, "2026-11-25");
    assert_eq!(file.decisions[0].status, Status::FalsePositive);
}

#[test]
fn load_errors_name_file_line_and_reason() {
    let cases: &[(&str, usize, &str)] = &[
        // Unknown key in a decision.
        (
            "[[decision]]\nfingerprint = \"aa\"\nstatus = \"false-positive\"\njustification = \"x\"\nwho = \"b\"\nwhen = \"2026-11-25\"\nreason = \"typo\"\n",
            7,
            "reason",
        ),
        // Unknown top-level key.
        ("[[decisions]]\nfingerprint = \"aa\"\n", 1, "decisions"),
        // Bad status.
        (
            "\n[[decision]]\nfingerprint = \"aa\"\nstatus = \"wontfix\"\njustification = \"x\"\nwho = \"b\"\nwhen = \"2026-11-25\"\n",
            4,
            "wontfix",
        ),
        // Bad date.
        (
            "[[decision]]\nfingerprint = \"aa\"\nstatus = \"false-positive\"\njustification = \"x\"\nwho = \"b\"\nwhen = \"2026-13-01\"\n",
            6,
            "YYYY-MM-DD",
        ),
        // Missing field.
        ("[[decision]]\nfingerprint = \"aa\"\n", 1, "status"),
        // Not TOML.
        ("[[decision]\n", 1, ""),
    ];
    for (text, line, needle) in cases {
        let err = parse(text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("triage/tarsier-triage.toml"), "{msg}");
        assert!(msg.contains(needle), "{msg} should mention {needle}");
        match err {
            TriageError::Parse { line: l, .. } | TriageError::InvalidEntry { line: l, .. } => {
                assert_eq!(l, *line, "{msg}")
            }
            other => panic!("unexpected {other:?}"),
        }
        eprintln!("{msg}");
    }
}

#[test]
fn duplicate_fingerprint_and_empty_fields_are_rejected_with_line() {
    let dup = format!("{GOOD}\n{GOOD}");
    let err = parse(&dup).unwrap_err();
    assert!(
        matches!(err, TriageError::InvalidEntry { line: 10, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("second decision"), "{err}");

    let empty = GOOD.replace("test fixture", "");
    let err = parse(&empty).unwrap_err();
    assert!(
        matches!(err, TriageError::InvalidEntry { line: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("justification"), "{err}");
}

#[test]
fn unreadable_file_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be.
    let err = TriageFile::load(dir.path()).unwrap_err();
    assert!(matches!(err, TriageError::Read { .. }), "{err:?}");
}

#[test]
fn empty_file_has_no_decisions() {
    assert!(parse("").unwrap().decisions.is_empty());
    assert!(parse("# only a comment\n").unwrap().decisions.is_empty());
}

#[test]
fn fill_context_names_rule_and_location() {
    let sarif = log(
        &[rule("a/b")],
        &[common::in_package(
            finding("a/b", "lib/x.js", 42, "eval(x)"),
            "send",
            "1.0.0",
        )],
    );
    let fp = sarif.runs[0].results[0].partial_fingerprints[FINGERPRINT_KEY].clone();
    let mut d = decision(&fp, Status::AcceptedRisk);
    d.rule = None;
    assert!(d.fill_context(&sarif));
    assert_eq!(d.rule.as_deref(), Some("a/b"));
    assert_eq!(d.location.as_deref(), Some("send@1.0.0/lib/x.js:42"));
    // What is set already is kept; an unknown fingerprint finds nothing.
    let mut other = decision("ffff", Status::AcceptedRisk);
    other.location = Some("mine".to_string());
    assert!(!other.fill_context(&sarif));
    assert_eq!(other.location.as_deref(), Some("mine"));
    assert_eq!(other.rule.as_deref(), Some("a/b"));
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_crash() {
    let text = format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = parse(&text).unwrap_err();
    assert!(matches!(err, TriageError::Parse { line: 1, .. }), "{err:?}");
}

#[cfg(unix)]
#[test]
fn saved_file_is_readable_by_others_or_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tarsier-triage.toml");
    TriageFile::default().save(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
    TriageFile::default().save(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o664);
}
