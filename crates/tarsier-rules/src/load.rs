//! Loading rule sets from a directory, a single file, or the packs embedded at build time.

use crate::schema::{Rule, RuleFile};
use crate::taint::TaintSpec;
use crate::validate::{validate_rule, validate_rule_without_query};
use crate::{RuleProblem, RulesError};
use std::collections::BTreeMap;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The name of the taint model file at the root of a rules directory.
pub const TAINT_FILE: &str = "taint.toml";

/// The folder of a rules directory that holds model files (`models/<package>.toml`).
pub const MODELS_DIR: &str = "models/";

/// A validated set of rules and the taint model they share.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Rules sorted by id.
    pub rules: Vec<Rule>,
    /// Request-data sources and global sanitizers.
    pub taint: TaintSpec,
}

impl RuleSet {
    /// Keeps only the rules whose id is in `ids` (exact) or whose pack is (`express`).
    pub fn retain_ids(&mut self, ids: &[String]) {
        self.rules
            .retain(|r| ids.iter().any(|id| *id == r.meta.id || *id == r.meta.pack));
    }

    /// A stable digest of every rule's text and the taint model, for result caches: a change to
    /// any rule changes it.
    pub fn content_hash(&self) -> u64 {
        // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
        let mut hash = tarsier_model::Fnv1a::default();
        let mut feed = |bytes: &[u8]| hash.update_piece(bytes);
        for rule in &self.rules {
            feed(rule.meta.id.as_bytes());
            feed(rule.query.as_deref().unwrap_or_default().as_bytes());
            feed(rule.analyzer.as_deref().unwrap_or_default().as_bytes());
            feed(rule.message.as_bytes());
            feed(rule.meta.severity.as_str().as_bytes());
            for s in [rule.untainted_severity, rule.tainted_severity]
                .into_iter()
                .flatten()
            {
                feed(s.as_str().as_bytes());
            }
            for s in rule.sanitizers.iter().chain(&rule.sink_kinds) {
                feed(s.as_bytes());
            }
            feed(&[u8::from(rule.library_inputs)]);
        }
        // The models by content, not by where they were read from (embedded or a directory).
        let mut spec = self.taint.clone();
        let models = std::mem::take(&mut spec.models);
        feed(format!("{spec:?}").as_bytes());
        for (_, model) in &models.files {
            feed(format!("{model:?}").as_bytes());
        }
        hash.value()
    }
}

/// The rule packs shipped with tarsier, embedded in the binary at build time.
pub fn embedded() -> Result<RuleSet, RulesError> {
    // The shipped rules are validated in full by this crate's tests; at run time the queries
    // are not compiled by tree-sitter again (that took 0.1 s of every start). The engine still
    // parses every query and refuses one it cannot run.
    build(embedded_files(), None, Queries::Trusted)
}

/// [`embedded`] with the queries compiled by tree-sitter too, as for rules from a directory.
pub fn embedded_fully_validated() -> Result<RuleSet, RulesError> {
    build(embedded_files(), None, Queries::Compile)
}

fn embedded_files() -> impl Iterator<Item = (String, String, String)> {
    EMBEDDED.iter().map(|(rel, text)| {
        (
            format!("<embedded>/{rel}"),
            (*rel).to_string(),
            (*text).to_string(),
        )
    })
}

/// Whether [`build`] compiles rule queries with tree-sitter to validate them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queries {
    /// Compile and check them (rules from files).
    Compile,
    /// Skip the compilation (the shipped rules, validated by the tests).
    Trusted,
}

/// Loads rules from `path`: a rules directory (rule files under `<pack>/`, and optionally
/// `taint.toml` at its root) or a single rule file. Missing taint models fall back to the
/// embedded one.
pub fn load_path(path: &Path) -> Result<RuleSet, RulesError> {
    if path.is_dir() {
        load_dir(path)
    } else {
        let text = read(path)?;
        // A single file is named by its last two components, so its id can still be checked.
        let rel = path
            .iter()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .map(|c| c.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        build(
            std::iter::once((path.display().to_string(), rel, text))
                .chain(embedded_files().filter(|(_, rel, _)| rel.starts_with(MODELS_DIR))),
            Some(embedded_taint()?),
            Queries::Compile,
        )
    }
}

/// Loads every `*.toml` below `dir` (sorted, so problems and rules come out in a stable order).
pub fn load_dir(dir: &Path) -> Result<RuleSet, RulesError> {
    let mut paths = Vec::new();
    collect(dir, &mut paths)?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = read(&path)?;
        files.push((path.display().to_string(), rel, text));
    }
    let has_taint = files.iter().any(|(_, rel, _)| rel == TAINT_FILE);
    let has_models = files.iter().any(|(_, rel, _)| rel.starts_with(MODELS_DIR));
    let fallback = if has_taint {
        None
    } else {
        Some(embedded_taint()?)
    };
    // A directory without models of its own (a user's rules) keeps the shipped ones.
    if !has_models {
        files.extend(embedded_files().filter(|(_, rel, _)| rel.starts_with(MODELS_DIR)));
    }
    build(files.into_iter(), fallback, Queries::Compile)
}

fn embedded_taint() -> Result<TaintSpec, RulesError> {
    let text = EMBEDDED
        .iter()
        .find(|(rel, _)| *rel == TAINT_FILE)
        .map(|(_, t)| *t)
        .unwrap_or_default();
    toml::from_str(text).map_err(|e| {
        RulesError::Invalid(vec![RuleProblem {
            file: format!("<embedded>/{TAINT_FILE}"),
            rule_id: None,
            message: e.to_string(),
        }])
    })
}

fn read(path: &Path) -> Result<String, RulesError> {
    std::fs::read_to_string(path).map_err(|source| RulesError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), RulesError> {
    let entries = std::fs::read_dir(dir).map_err(|source| RulesError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses and validates (display name, path relative to the rules root, text) triples, collecting
/// every problem before failing.
fn build(
    files: impl Iterator<Item = (String, String, String)>,
    fallback_taint: Option<TaintSpec>,
    queries: Queries,
) -> Result<RuleSet, RulesError> {
    let mut problems = Vec::new();
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    let mut taint = fallback_taint;
    let mut models: Vec<(String, crate::models::ModelFile)> = Vec::new();
    for (display, rel, text) in files {
        if rel.starts_with(MODELS_DIR) {
            match toml::from_str::<crate::models::ModelFile>(&text) {
                Ok(model) => models.push((display, model)),
                Err(e) => problems.push(RuleProblem {
                    file: display,
                    rule_id: None,
                    message: e.to_string(),
                }),
            }
            continue;
        }
        if rel == TAINT_FILE {
            match toml::from_str::<TaintSpec>(&text) {
                Ok(spec) => taint = Some(spec),
                Err(e) => problems.push(RuleProblem {
                    file: display,
                    rule_id: None,
                    message: e.to_string(),
                }),
            }
            continue;
        }
        let file: RuleFile = match toml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                problems.push(RuleProblem {
                    file: display,
                    rule_id: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let expected_id = rel.strip_suffix(".toml").unwrap_or(&rel);
        if file.id != expected_id {
            problems.push(RuleProblem {
                file: display.clone(),
                rule_id: Some(file.id.clone()),
                message: format!(
                    "the id must match the file's place in the rules directory: expected `{expected_id}`"
                ),
            });
        }
        let rule = Rule::from_file(file, display.clone());
        problems.extend(match queries {
            Queries::Compile => validate_rule(&rule),
            Queries::Trusted => validate_rule_without_query(&rule),
        });
        if let Some(previous) = rules.get(&rule.meta.id) {
            problems.push(RuleProblem {
                file: display,
                rule_id: Some(rule.meta.id.clone()),
                message: format!("duplicate id, also defined in {}", previous.source),
            });
            continue;
        }
        rules.insert(rule.meta.id.clone(), rule);
    }
    let rule_ids: Vec<&str> = rules.keys().map(String::as_str).collect();
    for (display, model) in &models {
        // The shipped models (kept beside a user's own rules) name the shipped rules in their
        // cases, which a user's rule set need not have; they are checked with the shipped set.
        let mut found = crate::models::validate_model(display, model, &rule_ids);
        if display.starts_with("<embedded>/") {
            found.retain(|p| !p.message.contains("in this rule set"));
        }
        problems.extend(found);
    }
    models.sort_by(|a, b| a.0.cmp(&b.0));
    let mut taint = match taint {
        Some(t) => t,
        None => {
            problems.push(RuleProblem {
                file: TAINT_FILE.to_string(),
                rule_id: None,
                message: "no taint model found".to_string(),
            });
            TaintSpec::default()
        }
    };
    taint.models = crate::models::Models { files: models };
    if !problems.is_empty() {
        return Err(RulesError::Invalid(problems));
    }
    Ok(RuleSet {
        rules: rules.into_values().collect(),
        taint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped rules skip tree-sitter's query compilation at run time; here they get it.
    #[test]
    fn shipped_rules_pass_full_validation() {
        let full = embedded_fully_validated().expect("every shipped rule validates in full");
        let quick = embedded().expect("shipped rules load");
        assert_eq!(full.rules.len(), quick.rules.len());
        assert!(full.rules.iter().any(|r| r.query.is_some()));
    }

    /// `#bound-to? @c "sink:KIND"` must name a sink kind the models know.
    #[test]
    fn bound_to_an_unknown_sink_kind_is_a_problem() {
        let mut rule = embedded()
            .expect("shipped rules load")
            .rules
            .into_iter()
            .find(|r| r.meta.id == "node/command-exec")
            .expect("the command rule ships");
        let query = rule.query.clone().unwrap_or_default();
        assert!(query.contains("\"sink:command\""), "{query}");
        assert!(validate_rule(&rule).is_empty());
        rule.query = Some(query.replace("\"sink:command\"", "\"sink:shell\""));
        let problems: Vec<String> = validate_rule(&rule)
            .into_iter()
            .map(|p| p.to_string())
            .collect();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("unknown sink kind `shell`")),
            "{problems:?}"
        );
    }
}
