//! The error type of this crate.

use std::path::PathBuf;

/// Why a triage operation failed. Each message names the file (or log) and the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TriageError {
    /// The triage file exists but could not be read.
    #[error("cannot read triage file `{}`: {reason}", path.display())]
    Read {
        /// The triage file.
        path: PathBuf,
        /// The I/O error.
        reason: std::io::Error,
    },
    /// The triage file is not valid TOML, or not in the shape of a triage file.
    #[error("invalid triage file `{}` at line {line}, column {column}: {reason}", path.display())]
    Parse {
        /// The triage file.
        path: PathBuf,
        /// 1-based line of the problem (0 when the parser gave no position).
        line: usize,
        /// 1-based column of the problem (0 when the parser gave no position).
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A decision in the triage file is well-formed TOML but not a valid decision.
    #[error("invalid decision in triage file `{}` at line {line}: {reason}", path.display())]
    InvalidEntry {
        /// The triage file.
        path: PathBuf,
        /// 1-based line of the `[[decision]]` entry.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A decision given to [`crate::TriageFile::add`] is not valid.
    #[error("invalid triage decision for fingerprint `{fingerprint}`: {reason}")]
    InvalidDecision {
        /// The decision's fingerprint.
        fingerprint: String,
        /// What is wrong.
        reason: String,
    },
    /// The triage file could not be written.
    #[error("cannot write triage file `{}`: {reason}", path.display())]
    Write {
        /// The triage file.
        path: PathBuf,
        /// The I/O error.
        reason: std::io::Error,
    },
    /// The decisions could not be turned into TOML.
    #[error("cannot serialize triage file `{}`: {reason}", path.display())]
    Serialize {
        /// The triage file.
        path: PathBuf,
        /// What the TOML writer reported.
        reason: String,
    },
    /// [`crate::merge()`] was given no run at all.
    #[error("cannot merge SARIF logs: the {logs} log(s) given contain no run")]
    NothingToMerge {
        /// How many logs were given.
        logs: usize,
    },
    /// [`crate::merge()`] was given runs of different tools or tool versions.
    #[error(
        "cannot merge SARIF log #{log} (run #{run}): it was written by `{found}`, \
         but log #1 by `{expected}`; only shards of one tool version can be merged"
    )]
    ToolMismatch {
        /// 1-based number of the offending log in the input.
        log: usize,
        /// 1-based number of the run in that log.
        run: usize,
        /// Tool name and version of the first run.
        expected: String,
        /// Tool name and version of the offending run.
        found: String,
    },
}
