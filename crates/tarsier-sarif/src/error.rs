//! The error type of this crate.

/// Why reading or writing a SARIF file failed. Each message names the file and the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SarifError {
    /// The file could not be opened or read.
    #[error("cannot read SARIF file `{path}`: {reason}")]
    Read {
        /// The file (or `<input>` for a reader).
        path: String,
        /// The I/O error.
        reason: std::io::Error,
    },
    /// The file is not JSON, or not SARIF in the shape tarsier reads.
    #[error("`{path}` is not a valid SARIF 2.1.0 log: {reason}")]
    Parse {
        /// The file (or `<input>` for a reader).
        path: String,
        /// What serde_json reported, with line and column.
        reason: serde_json::Error,
    },
    /// The file is SARIF, but not version 2.1.0.
    #[error("`{path}` is SARIF version `{version}`, but tarsier reads only version 2.1.0")]
    UnsupportedVersion {
        /// The file (or `<input>` for a reader).
        path: String,
        /// The version the file declares.
        version: String,
    },
    /// The output could not be written.
    #[error("cannot write SARIF to `{path}`: {reason}")]
    Write {
        /// The file (or `<output>` for a writer).
        path: String,
        /// The I/O error.
        reason: std::io::Error,
    },
}
