//! Runs every rule's inline test cases: each `invalid` snippet must produce findings of that rule
//! on exactly the listed lines, each `valid` snippet none. `cargo test` and `tarsier rules test`
//! both use this.

use crate::{Engine, EngineError, EngineOptions, PackageInfo};
use tarsier_rules::RuleSet;

/// The outcome of one test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutcome {
    /// Rule id.
    pub rule_id: String,
    /// `invalid` or `valid`.
    pub kind: &'static str,
    /// 1-based index among that rule's cases of this kind.
    pub index: usize,
    /// Whether the case passed.
    pub passed: bool,
    /// What was expected and what came out, when it failed.
    pub detail: String,
}

/// Runs all test cases of all rules in `rules`.
pub fn run(rules: &RuleSet) -> Result<Vec<CaseOutcome>, EngineError> {
    let mut outcomes = Vec::new();
    for rule in &rules.rules {
        if !crate::runs_rule(rule) {
            // Package-level analyzers are exercised by their own crates' tests.
            continue;
        }
        let single = RuleSet {
            rules: vec![rule.clone()],
            taint: rules.taint.clone(),
        };
        let engine = Engine::new(&single, EngineOptions::default())?;
        let id = &rule.meta.id;
        for (i, case) in rule.tests.invalid.iter().enumerate() {
            let report = engine.scan_source("test.js", case.code.as_bytes());
            let mut got: Vec<usize> = report
                .findings
                .iter()
                .filter(|f| &f.rule_id == id)
                .map(|f| f.span.start_line)
                .collect();
            got.sort_unstable();
            let mut want = case.expected_lines();
            want.sort_unstable();
            outcomes.push(CaseOutcome {
                rule_id: id.clone(),
                kind: "invalid",
                index: i + 1,
                passed: got == want,
                detail: format!("expected findings on lines {want:?}, got {got:?}"),
            });
        }
        for (i, code) in rule.tests.valid.iter().enumerate() {
            let report = engine.scan_source("test.js", code.as_bytes());
            let got: Vec<usize> = report
                .findings
                .iter()
                .filter(|f| &f.rule_id == id)
                .map(|f| f.span.start_line)
                .collect();
            outcomes.push(CaseOutcome {
                rule_id: id.clone(),
                kind: "valid",
                index: i + 1,
                passed: got.is_empty(),
                detail: format!("expected no finding, got findings on lines {got:?}"),
            });
        }
    }
    outcomes.extend(run_models(rules)?);
    Ok(outcomes)
}

/// Runs the inline cases of every model file (`rules/models/*.toml`): each names the rule whose
/// findings it checks and, for a package's own code, the package being scanned.
pub fn run_models(rules: &RuleSet) -> Result<Vec<CaseOutcome>, EngineError> {
    let mut outcomes = Vec::new();
    for (file, model) in &rules.taint.models.files {
        let cases = model
            .tests
            .invalid
            .iter()
            .map(|c| ("invalid", c))
            .chain(model.tests.valid.iter().map(|c| ("valid", c)));
        let mut index = [0usize; 2];
        for (kind, case) in cases {
            let slot = usize::from(kind == "valid");
            index[slot] += 1;
            let Some(rule) = rules.rules.iter().find(|r| r.meta.id == case.rule) else {
                continue;
            };
            let single = RuleSet {
                rules: vec![rule.clone()],
                taint: rules.taint.clone(),
            };
            let engine = Engine::new(&single, EngineOptions::default())?;
            let package = case.package.as_ref().map(|name| PackageInfo {
                name: name.clone(),
                entries: Vec::new(),
            });
            let path = case.file.as_deref().unwrap_or("index.js");
            let report = engine.scan_source_in(path, case.code.as_bytes(), package.as_ref());
            let mut got: Vec<usize> = report
                .findings
                .iter()
                .filter(|f| f.rule_id == case.rule)
                .map(|f| f.span.start_line)
                .collect();
            got.sort_unstable();
            let mut want = case.lines.clone();
            want.sort_unstable();
            let severities: Vec<&str> = report
                .findings
                .iter()
                .filter(|f| f.rule_id == case.rule)
                .map(|f| f.severity.as_str())
                .collect();
            let severity_ok = case
                .severity
                .is_none_or(|s| severities.iter().all(|&got| got == s.as_str()));
            outcomes.push(CaseOutcome {
                rule_id: format!("{file} ({})", case.rule),
                kind,
                index: index[slot],
                passed: got == want && severity_ok,
                detail: format!(
                    "expected findings on lines {want:?}{}, got {got:?} {severities:?}",
                    case.severity
                        .map(|s| format!(" at {s}"))
                        .unwrap_or_default()
                ),
            });
        }
    }
    Ok(outcomes)
}
