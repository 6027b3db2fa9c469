//! SARIF 2.1.0 output for tarsier: the model, the writer, stable fingerprints and GitHub's limits.
//!
//! The input is tarsier's diagnostics model ([`tarsier_model`]): rules, findings and
//! notifications. [`build_log`] turns them into a [`SarifLog`] for GitHub code scanning
//! ([`OutputMode::Upload`]) or for triage and later `diff`/`reproduce` runs ([`OutputMode::Full`]);
//! [`to_writer`] and [`write_atomic`] write it; [`from_path`] reads one back. Each result carries a
//! `partialFingerprints["tarsier/v1"]` computed by [`fingerprint`], because GitHub computes none for
//! files outside the checkout, such as the files of an npm package.
//!
//! ```
//! use tarsier_model::{Finding, Precision, RuleMeta, Severity, Span};
//! use tarsier_sarif::{build_log, check_github_limits, to_writer, OutputMode, RunInput};
//!
//! let rule = RuleMeta {
//!     id: "express/open-redirect".into(),
//!     name: "Redirect to a request-controlled URL".into(),
//!     severity: Severity::Error,
//!     security_severity: 6.1,
//!     precision: Precision::High,
//!     cwe: vec!["CWE-601".into()],
//!     summary: "Redirects to a URL taken from the request".into(),
//!     help_markdown: "## What it does\nFinds open redirects.".into(),
//!     pack: "express".into(),
//! };
//! let finding = Finding {
//!     rule_id: rule.id.clone(),
//!     severity: Severity::Error,
//!     message: "`res.redirect` redirects to a URL taken from the request".into(),
//!     path: "src/app.js".into(),
//!     span: Span { start_line: 3, start_column: 5, end_line: 3, end_column: 31, start_byte: 40, end_byte: 66 },
//!     snippet: "    res.redirect(req.query.to)".into(),
//!     matched_text: "res.redirect(req.query.to)".into(),
//!     package: None,
//!     flow: vec![],
//!     suppression: None,
//! };
//! let rules = [rule];
//! let findings = [finding];
//! let log = build_log(&RunInput {
//!     tool_version: "0.1.0",
//!     rules: &rules,
//!     findings: &findings,
//!     automation_id: "tarsier/lint/".into(),
//!     execution_successful: true,
//!     mode: OutputMode::Upload,
//!     ..RunInput::default()
//! });
//! let result = &log.runs[0].results[0];
//! assert_eq!(result.rule_index, Some(0));
//! assert_eq!(result.partial_fingerprints["tarsier/v1"].len(), 32);
//! assert!(check_github_limits(&log).is_empty());
//!
//! let mut json = Vec::new();
//! to_writer(&log, &mut json).unwrap();
//! assert_eq!(tarsier_sarif::from_reader(&json[..]).unwrap(), log);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod build;
pub mod error;
pub mod fingerprint;
pub mod limits;
pub mod model;
pub mod write;

pub use build::{OutputMode, RunInput, build_log};
pub use error::SarifError;
pub use fingerprint::{FINGERPRINT_KEY, fingerprints};
pub use limits::{MAX_RESULTS_PER_RUN, check_github_limits};
pub use model::SarifLog;
pub use write::{from_path, from_reader, to_writer, write_atomic};
