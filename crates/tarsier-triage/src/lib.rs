//! Triage of tarsier's SARIF logs: what is new since last night, shard merging, and recorded
//! decisions.
//!
//! - [`diff()`] compares a base log with a head log and marks each result `new`, `unchanged`,
//!   `updated` or `absent` (SARIF `baselineState`), matching results by their
//!   `partialFingerprints["tarsier/v1"]`;
//! - [`merge()`] combines the logs of several shards into one log with one run;
//! - [`TriageFile`] reads, edits and writes `tarsier-triage.toml`, and applies its decisions to a
//!   log as SARIF `suppressions` of kind `external`.
//!
//! Everything here is pure (no network) and deterministic.
//!
//! ```
//! use tarsier_sarif::model::{Message, Run, SarifLog, SarifResult};
//! use tarsier_triage::{diff, Decision, Status, TriageFile};
//!
//! let result = |fp: &str| SarifResult {
//!     rule_id: Some("express/open-redirect".into()),
//!     message: Message::new("redirect"),
//!     partial_fingerprints: [("tarsier/v1".to_string(), fp.to_string())].into(),
//!     ..SarifResult::default()
//! };
//! let log = |results| SarifLog {
//!     schema: None,
//!     version: "2.1.0".into(),
//!     runs: vec![Run { results, ..Run::default() }],
//! };
//! let base = log(vec![result("aa"), result("bb")]);
//! let head = log(vec![result("aa"), result("cc")]);
//!
//! let outcome = diff(&base, &head);
//! assert_eq!((outcome.summary.new, outcome.summary.unchanged, outcome.summary.absent), (1, 1, 1));
//!
//! let mut triage = TriageFile::default();
//! triage.add(Decision {
//!     fingerprint: "cc".into(),
//!     status: Status::FalsePositive,
//!     justification: "test fixture".into(),
//!     who: "alice".into(),
//!     when: "2026-11-25".into(),
//!     rule: None,
//!     location: None,
//! }).unwrap();
//! let mut marked = outcome.log;
//! let applied = triage.apply(&mut marked);
//! assert_eq!(applied.suppressed, 1);
//! assert!(applied.stale.is_empty());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod decisions;
pub mod diff;
pub mod error;
pub mod merge;

pub use decisions::{ApplyOutcome, Decision, Status, TRIAGE_FILE_NAME, TriageFile};
pub use diff::{DiffOutcome, DiffSummary, diff};
pub use error::TriageError;
pub use merge::merge;
