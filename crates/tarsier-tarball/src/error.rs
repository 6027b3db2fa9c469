//! The one error type of this crate: why a whole tarball could not be unpacked or packed.
//!
//! Problems with a single entry (a symlink, an unsafe path, an oversized file) are not errors; they
//! become [`SkippedEntry`](crate::SkippedEntry) notes. An [`UnpackError`] means the tarball as a
//! whole cannot be trusted: it is not gzip, it is corrupt or truncated, or it breaks a
//! [`Limits`](crate::Limits) bound.

use std::path::PathBuf;

/// Why a tarball could not be unpacked (or, for the packing helpers, packed).
///
/// Every message names the entry (when one is known) and the reason. The package itself is not
/// known to this crate; callers add it as context.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnpackError {
    /// The input does not start with the gzip magic bytes `1f 8b`.
    #[error(
        "not a gzip stream: the tarball starts with {found}, expected the gzip magic bytes 1f 8b"
    )]
    NotGzip {
        /// The first bytes of the input, in hex (or `no bytes` for empty input).
        found: String,
    },

    /// The gzip stream is corrupt or truncated (bad header, bad deflate data, CRC mismatch, ...).
    #[error("corrupt or truncated gzip stream{}: {message}", near(entry.as_deref()))]
    Gzip {
        /// The last tar entry seen before the problem, if any.
        entry: Option<String>,
        /// What the decompressor reported.
        message: String,
    },

    /// The tar stream inside the gzip is corrupt or truncated (bad checksum, short header, ...).
    #[error("corrupt or truncated tar archive{}: {message}", near(entry.as_deref()))]
    Tar {
        /// The last tar entry seen before the problem, if any.
        entry: Option<String>,
        /// What the tar reader reported.
        message: String,
    },

    /// A file entry ended before the number of bytes its header announced.
    #[error(
        "tar entry `{entry}` is truncated: its header announces {expected} bytes but only {actual} follow"
    )]
    TruncatedEntry {
        /// The entry's path as stored in the archive.
        entry: String,
        /// The size announced by the header.
        expected: u64,
        /// The number of bytes actually present.
        actual: u64,
    },

    /// More bytes than [`Limits::max_total_bytes`](crate::Limits::max_total_bytes), counted on the
    /// decompressed stream or on the file contents kept in memory.
    #[error("tarball too large{}: more than {limit} bytes uncompressed", near(entry.as_deref()))]
    TotalTooLarge {
        /// The limit that was exceeded.
        limit: u64,
        /// The last tar entry seen before the limit was reached, if any.
        entry: Option<String>,
    },

    /// More entries than [`Limits::max_entries`](crate::Limits::max_entries).
    #[error("too many tar entries: more than {limit} (stopped at `{entry}`)")]
    TooManyEntries {
        /// The limit that was exceeded.
        limit: u64,
        /// The first entry over the limit.
        entry: String,
    },

    /// The decompressed stream grew past the floor and past
    /// [`Limits::max_compression_ratio`](crate::Limits::max_compression_ratio) times the compressed
    /// size: a likely decompression bomb.
    #[error(
        "compression ratio over {limit}:1{}: {decompressed} bytes decompressed from a {compressed}-byte tarball",
        near(entry.as_deref())
    )]
    CompressionRatio {
        /// The ratio limit that was exceeded.
        limit: u64,
        /// Size of the gzip input in bytes.
        compressed: u64,
        /// Decompressed bytes when the check tripped.
        decompressed: u64,
        /// The last tar entry seen before the limit was reached, if any.
        entry: Option<String>,
    },

    /// Reading a file or directory failed while packing a directory.
    #[error("cannot read `{}` while packing: {source}", path.display())]
    Io {
        /// The file or directory that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A file could not be added to a tarball being packed.
    #[error("cannot pack `{path}`: {reason}")]
    Pack {
        /// The path (relative to the package root) that could not be packed.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Formats the optional entry context of an error message.
fn near(entry: Option<&str>) -> String {
    match entry {
        Some(entry) => format!(" near entry `{entry}`"),
        None => String::new(),
    }
}
