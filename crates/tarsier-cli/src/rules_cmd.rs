//! `tarsier rules list | explain | test`.

use crate::args::RulesCommand;
use crate::{EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;
use tarsier_rules::{RuleSet, RulesError};

fn load(path: Option<&Path>) -> Result<RuleSet, RulesError> {
    match path {
        Some(p) => tarsier_rules::load_path(p),
        None => tarsier_rules::embedded(),
    }
}

/// Runs a `rules` subcommand.
pub fn run(command: RulesCommand) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    match command {
        RulesCommand::List { rules } => {
            let set = load(rules.as_deref())?;
            writeln!(
                out,
                "{:<32} {:<8} {:<18} {:<8} NAME",
                "ID", "SEVERITY", "CWE", "PACK"
            )?;
            for r in &set.rules {
                let m = &r.meta;
                let kind = if r.analyzer.is_some() {
                    " (analyzer)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<32} {:<8} {:<18} {:<8} {}{kind}",
                    m.id,
                    m.severity.as_str(),
                    m.cwe.join(","),
                    m.pack,
                    m.name
                )?;
            }
            writeln!(out, "{} rules", set.rules.len())?;
            Ok(EXIT_CLEAN)
        }
        RulesCommand::Explain { id, rules } => {
            let set = load(rules.as_deref())?;
            let Some(rule) = set.rules.iter().find(|r| r.meta.id == id) else {
                bail!("no rule with id `{id}` (see `tarsier rules list`)");
            };
            let m = &rule.meta;
            writeln!(out, "# {} — {}\n", m.id, m.name)?;
            writeln!(
                out,
                "severity: {}   security-severity: {:.1}   precision: {}   {}\n",
                m.severity,
                m.security_severity,
                m.precision.as_str(),
                m.cwe.join(", ")
            )?;
            writeln!(out, "{}", m.help_markdown.trim())?;
            if let Some(case) = rule.tests.invalid.first() {
                writeln!(
                    out,
                    "\n## Flagged (from the rule's tests)\n```js\n{}\n```",
                    case.code.trim_end()
                )?;
            }
            if let Some(case) = rule.tests.valid.first() {
                writeln!(out, "\n## Not flagged\n```js\n{}\n```", case.trim_end())?;
            }
            Ok(EXIT_CLEAN)
        }
        RulesCommand::Docs {
            out: dir,
            rules,
            check,
        } => {
            let set = load(rules.as_deref())?;
            let pages = render_docs(&set);
            let mut stale = Vec::new();
            for (rel, text) in &pages {
                let path = dir.join(rel);
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                if current == *text {
                    continue;
                }
                if check {
                    stale.push(path.display().to_string());
                } else {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent)
                            .with_context(|| format!("creating {}", parent.display()))?;
                    }
                    std::fs::write(&path, text)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
            }
            if check && !stale.is_empty() {
                for path in &stale {
                    writeln!(out, "stale: {path}")?;
                }
                writeln!(out, "rule docs are out of date: run `tarsier rules docs`")?;
                return Ok(EXIT_FINDINGS);
            }
            writeln!(out, "{} rule pages in {}", pages.len() - 1, dir.display())?;
            Ok(EXIT_CLEAN)
        }
        RulesCommand::Test { path } => {
            let set = match load(path.as_deref()) {
                Ok(set) => set,
                Err(RulesError::Invalid(problems)) => {
                    for p in &problems {
                        writeln!(out, "invalid: {p}")?;
                    }
                    writeln!(out, "0 passed, {} failed", problems.len())?;
                    return Ok(EXIT_FINDINGS);
                }
                Err(e) => return Err(e.into()),
            };
            let outcomes = tarsier_engine::selftest::run(&set).context("compiling rules")?;
            let failed: Vec<_> = outcomes.iter().filter(|o| !o.passed).collect();
            for o in &failed {
                writeln!(
                    out,
                    "FAIL {} {} case {}: {}",
                    o.rule_id, o.kind, o.index, o.detail
                )?;
            }
            writeln!(
                out,
                "rules: {} passed, {} failed",
                outcomes.len() - failed.len(),
                failed.len()
            )?;
            Ok(if failed.is_empty() {
                EXIT_CLEAN
            } else {
                EXIT_FINDINGS
            })
        }
    }
}

/// The Markdown pages for every rule, as (path relative to the docs dir, text), plus `README.md`.
fn render_docs(set: &RuleSet) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut index = String::from(
        "# tarsier rules\n\nGenerated from `rules/` by `tarsier rules docs`; do not edit.\n\n\
         | id | severity | CWE | precision | name |\n| --- | --- | --- | --- | --- |\n",
    );
    for rule in &set.rules {
        let m = &rule.meta;
        let rel = format!("{}.md", m.id);
        index.push_str(&format!(
            "| [`{}`]({rel}) | {} | {} | {} | {} |\n",
            m.id,
            m.severity,
            m.cwe.join(", "),
            m.precision.as_str(),
            m.name
        ));
        let mut page = format!(
            "# `{}`: {}\n\nGenerated from `rules/{}.toml` by `tarsier rules docs`; do not edit.\n\n\
             | severity | security-severity | precision | CWE |\n| --- | --- | --- | --- |\n\
             | {} | {:.1} | {} | {} |\n\n{}\n",
            m.id,
            m.name,
            m.id,
            m.severity,
            m.security_severity,
            m.precision.as_str(),
            m.cwe.join(", "),
            m.help_markdown.trim()
        );
        if !rule.tests.invalid.is_empty() {
            page.push_str("\n## Test cases that must be flagged\n");
            for case in &rule.tests.invalid {
                page.push_str(&format!(
                    "\nLines {:?}:\n```js\n{}\n```\n",
                    case.expected_lines(),
                    case.code.trim_end()
                ));
            }
        }
        if !rule.tests.valid.is_empty() {
            page.push_str("\n## Test cases that must not be flagged\n");
            for code in &rule.tests.valid {
                page.push_str(&format!("\n```js\n{}\n```\n", code.trim_end()));
            }
        }
        pages.push((rel, page));
    }
    pages.push(("README.md".to_string(), index));
    pages
}
