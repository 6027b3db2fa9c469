//! Safe in-memory unpacking of untrusted npm tarballs (gzip + tar) with limits.
//!
//! A package tarball is the attacker's input. [`unpack`] reads it entirely in memory — nothing is
//! ever written to disk — and returns only its regular files, with the package root folder
//! (`package/`, or whatever an old tarball used) stripped from their paths. Everything else is a
//! [`SkippedEntry`] note: links (never followed), devices, FIFOs, unsafe paths (absolute, `..`,
//! backslashes, drive prefixes, NUL bytes), files over [`Limits::max_file_bytes`] (skipped without
//! being read into memory) and overwritten duplicates. Problems with the tarball as a whole are an
//! [`UnpackError`]: not gzip, corrupt or truncated, or over a [`Limits`] bound. The bounds are
//! checked on the decompressed stream as it is inflated, so gzip bombs and huge sparse files are
//! stopped early, and every input costs bounded time and memory.
//!
//! [`pack_files`] and [`pack_directory`] build deterministic tarballs laid out as `npm pack` does,
//! for tests and tooling.
//!
//! # Compared with what npm installs
//!
//! The aim is to see at least everything npm would install, so nothing can hide from a scan:
//!
//! - parsing goes on past zero blocks (npm's extractor only stops at two in a row) and through
//!   every member of a multi-member gzip; zero padding after the last member is ignored, as
//!   Node's gunzip ignores it (a zero byte where a member would start ends the stream);
//! - of duplicate paths the last one is returned, as it is the one left on disk;
//! - links, devices and FIFOs are skipped, as npm skips them.
//!
//! One deliberate difference: npm's extractor strips a leading `/` or drive prefix and *installs*
//! such an entry, while [`unpack`] skips it as [`SkipReason::UnsafePath`] without reading its data.
//! No honest packer writes such paths, so callers should report an unsafe-path note as suspicious
//! in itself.
//!
//! # Example
//!
//! ```
//! use tarsier_tarball::{Limits, pack_files, unpack};
//!
//! let tgz = pack_files([
//!     ("package.json", &br#"{"name":"demo","version":"1.0.0"}"#[..]),
//!     ("lib/index.js", &b"module.exports = 1;\n"[..]),
//! ])?;
//! let unpacked = unpack(&tgz, &Limits::default())?;
//! let paths: Vec<&str> = unpacked.files.iter().map(|f| f.path.as_str()).collect();
//! assert_eq!(paths, ["lib/index.js", "package.json"]);
//! assert_eq!(unpacked.get("lib/index.js").map(|f| f.data.len()), Some(20));
//! assert!(unpacked.skipped.is_empty());
//! # Ok::<(), tarsier_tarball::UnpackError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod gzip;
mod limits;
mod meter;
mod pack;
mod path;
mod unpack;

pub use error::UnpackError;
pub use limits::Limits;
pub use pack::{pack_directory, pack_files};
pub use unpack::{SkipReason, SkippedEntry, Unpacked, UnpackedFile, unpack};
