//! tarsier rule packs: rules are data.
//!
//! A rule is one TOML file, `rules/<pack>/<name>.toml`, whose id is `<pack>/<name>`. It holds the
//! metadata that output formats need (severity, CWE, precision, help in Markdown), a tree-sitter
//! query (or the name of a built-in analyzer) and inline test cases. The request-data sources and
//! the sanitizers that taint tracking uses live beside them in `rules/taint.toml`, and the models
//! of packages' APIs (where request data enters, goes and stops) in `rules/models/*.toml`
//! ([`models`]).
//!
//! This crate parses rule files ([`schema`]), loads a directory or the packs embedded in the
//! binary ([`load_dir`], [`embedded`]) and validates everything it loads ([`validate`]),
//! reporting every problem in one pass rather than stopping at the first.
//!
//! ```
//! let rules = tarsier_rules::embedded().expect("the shipped rules are valid");
//! assert!(rules.rules.iter().any(|r| r.meta.id == "express/open-redirect"));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod load;
pub mod models;
pub mod schema;
pub mod taint;
pub mod validate;

pub use load::{RuleSet, embedded, embedded_fully_validated, load_dir, load_path};
pub use models::{ModelFile, Models};
pub use schema::{InvalidCase, Rule, RuleFile, RuleTests};
pub use taint::TaintSpec;
pub use validate::{KNOWN_ANALYZERS, KNOWN_PREDICATES, REQUIRED_HELP_SECTIONS};

use std::fmt;

/// One problem in one rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// The file, as given to the loader (or `<embedded>/...`).
    pub file: String,
    /// The rule's id, when the file got far enough to have one.
    pub rule_id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule_id {
            Some(id) => write!(f, "{} ({id}): {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Why a rule set could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// A path could not be read.
    #[error("cannot read rules from {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// One or more rule files are invalid; every problem found is listed.
    #[error("{} problem(s) in the rules:\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<RuleProblem>),
}

struct ProblemList<'a>(&'a [RuleProblem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {p}")?;
        }
        Ok(())
    }
}
