//! Unpacking a `.tgz` into memory: the entry loop, its notes and its result types.
//!
//! The stream is `&[u8]` → gzip decoder ([`Members`]: every member, zero padding after the last
//! one ignored, as Node's gunzip) → [`Meter`] (counts and bounds the decompressed bytes, across
//! all members) → tar reader. Nothing touches the file system.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::rc::Rc;

use tar::{Archive, EntryType};

use crate::error::UnpackError;
use crate::gzip::Members;
use crate::limits::Limits;
use crate::meter::{Meter, Shared, Trip};
use crate::path::{lossy, normalize};

/// A regular file of the package, held in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackedFile {
    /// Path relative to the package root: the first component (`package/`, or whatever the root
    /// folder is called) stripped, `/`-separated, without empty or `.` components. Invalid UTF-8 in
    /// the archive is replaced with U+FFFD, as npm does when it writes the file.
    pub path: String,
    /// The file contents (sparse files expanded).
    pub data: Vec<u8>,
}

/// An entry that was not returned as a file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// The entry's path relative to the package root when it could be normalised, otherwise the
    /// path as stored in the archive (invalid UTF-8 replaced).
    pub path: String,
    /// Why it was skipped.
    pub reason: SkipReason,
}

impl fmt::Display for SkippedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path, self.reason)
    }
}

/// Why an entry was skipped. Directories and pax global headers are skipped without a note.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// A symbolic link; links are never followed.
    Symlink {
        /// The link target as stored (invalid UTF-8 replaced).
        target: String,
    },
    /// A hard link; links are never followed.
    Hardlink {
        /// The link target as stored (invalid UTF-8 replaced).
        target: String,
    },
    /// A character or block device.
    Device,
    /// A named pipe.
    Fifo,
    /// A file larger than [`Limits::max_file_bytes`]; its data was skipped unread.
    TooLarge {
        /// The file's size (the expanded size for a sparse file).
        size: u64,
    },
    /// A path that could escape the package folder or means something else on another system.
    UnsafePath {
        /// Which check failed.
        why: &'static str,
    },
    /// A regular file directly at the top level of the archive, outside any root folder; npm
    /// strips the first path component and so never installs it.
    OutsideRoot,
    /// An earlier entry with the same path; the later entry wins, as when npm extracts the
    /// tarball, and is the one returned.
    DuplicatePath,
    /// Anything else (an unsupported entry type, ...).
    Other(String),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Symlink { target } => write!(f, "symbolic link to `{target}` not followed"),
            Self::Hardlink { target } => write!(f, "hard link to `{target}` not followed"),
            Self::Device => f.write_str("device file skipped"),
            Self::Fifo => f.write_str("named pipe (FIFO) skipped"),
            Self::TooLarge { size } => write!(f, "file of {size} bytes is over the size limit"),
            Self::UnsafePath { why } => write!(f, "unsafe path: {why}"),
            Self::OutsideRoot => {
                f.write_str("file outside the package root folder (npm does not install it)")
            }
            Self::DuplicatePath => {
                f.write_str("duplicate path: a later entry with the same path replaces it")
            }
            Self::Other(reason) => f.write_str(reason),
        }
    }
}

/// The result of [`unpack`]: the package's regular files and notes on everything else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unpacked {
    /// Regular files, sorted by path, paths unique.
    pub files: Vec<UnpackedFile>,
    /// Entries not returned as files, in archive order.
    pub skipped: Vec<SkippedEntry>,
    /// Sum of the sizes of `files`.
    pub total_bytes: u64,
}

impl Unpacked {
    /// The file at `path` (relative to the package root), if any.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<&UnpackedFile> {
        self.files
            .binary_search_by(|file| file.path.as_str().cmp(path))
            .ok()
            .and_then(|index| self.files.get(index))
    }
}

/// Unpacks a gzip'd tarball into memory, within `limits`.
///
/// Only regular files are returned, with the package root folder stripped from their paths; links,
/// devices, FIFOs, unsafe paths, oversized files and overwritten duplicates become notes in
/// [`Unpacked::skipped`]. Parsing continues past zero blocks so nothing can hide behind an early
/// end-of-archive marker, and the gzip stream is read to its end so its CRC is checked.
///
/// # Errors
///
/// Fails for the whole tarball when the input is not gzip, the gzip or tar stream is corrupt or
/// truncated, or a limit of `limits` other than the per-file size is exceeded; see
/// [`UnpackError`].
pub fn unpack(tgz: &[u8], limits: &Limits) -> Result<Unpacked, UnpackError> {
    if tgz.get(..2) != Some(&[0x1f, 0x8b][..]) {
        return Err(UnpackError::NotGzip {
            found: describe_start(tgz),
        });
    }
    let shared = Rc::new(Shared::default());
    // Zero padding after the stream is not compressed data: it must not raise the ratio cap.
    // The stream's own last bytes (trailer, end of the deflate data) can be zero too, so up to
    // `TRAILING_ZEROS_KEPT` of them still count.
    let trailing_zeros = tgz.iter().rev().take_while(|&&b| b == 0).count();
    let compressed =
        tgz.len()
            .saturating_sub(trailing_zeros.saturating_sub(TRAILING_ZEROS_KEPT)) as u64;
    let meter = Meter::new(
        Members::new(tgz),
        limits.max_total_bytes,
        limits.ratio_cap(compressed),
        Rc::clone(&shared),
    );
    let mut archive = Archive::new(meter);
    archive.set_ignore_zeros(true);

    let mut state = State {
        limits,
        compressed,
        shared: &shared,
        files: BTreeMap::new(),
        skipped: Vec::new(),
        entries: 0,
        kept_bytes: 0,
        last_entry: None,
    };
    let entries = archive.entries().map_err(|err| state.stream_error(&err))?;
    for entry in entries {
        let entry = entry.map_err(|err| state.stream_error(&err))?;
        state.entry(entry)?;
    }
    // Read whatever follows the tar stream so the gzip trailer (CRC, length) is verified.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|err| state.stream_error(&err))?;

    let files: Vec<UnpackedFile> = state.files.into_values().collect();
    let total_bytes = files.iter().map(|file| file.data.len() as u64).sum();
    Ok(Unpacked {
        files,
        skipped: state.skipped,
        total_bytes,
    })
}

/// Trailing zero bytes still counted as compressed input for the ratio limit: more than the
/// zero bytes a gzip member can end with (CRC and length, plus the end of the deflate data).
const TRAILING_ZEROS_KEPT: usize = 16;

/// Hex of the first bytes of a non-gzip input, for the error message.
fn describe_start(data: &[u8]) -> String {
    if data.is_empty() {
        return "no bytes (empty input)".to_owned();
    }
    let shown: Vec<String> = data.iter().take(4).map(|b| format!("{b:02x}")).collect();
    shown.join(" ")
}

/// The unpacker's bookkeeping while it walks the entries.
struct State<'l> {
    limits: &'l Limits,
    compressed: u64,
    shared: &'l Shared,
    /// Files by stripped path; a later duplicate replaces an earlier one.
    files: BTreeMap<String, UnpackedFile>,
    skipped: Vec<SkippedEntry>,
    /// Entries seen so far, of any type.
    entries: u64,
    /// Bytes of file data read into memory so far (replaced duplicates included).
    kept_bytes: u64,
    /// Raw path of the last entry seen, for error messages.
    last_entry: Option<String>,
}

impl State<'_> {
    /// Handles one entry: keeps it as a file or records why not.
    fn entry<R: Read>(&mut self, mut entry: tar::Entry<'_, R>) -> Result<(), UnpackError> {
        let raw_path = entry.path_bytes().into_owned();
        let shown = lossy(&raw_path);
        self.last_entry = Some(shown.clone());
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(UnpackError::TooManyEntries {
                limit: self.limits.max_entries,
                entry: shown,
            });
        }

        let normalized = normalize(&raw_path);
        // Notes use the stripped path when there is one, the raw path otherwise.
        let note_path = match &normalized {
            Ok(path) if !path.stripped.is_empty() => path.stripped.clone(),
            _ => shown.clone(),
        };
        let link_target = || {
            entry
                .link_name_bytes()
                .map(|target| lossy(&target))
                .unwrap_or_default()
        };
        let entry_type = entry.header().entry_type();
        let reason = match entry_type {
            // Old tar versions mark directories as files whose name ends in `/`; npm's extractor
            // reads them as directories too.
            EntryType::Regular | EntryType::Continuous if raw_path.ends_with(b"/") => {
                return Ok(());
            }
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => None,
            // Directories are implied by file paths; global pax headers carry only metadata.
            EntryType::Directory | EntryType::XGlobalHeader => return Ok(()),
            EntryType::Symlink => Some(SkipReason::Symlink {
                target: link_target(),
            }),
            EntryType::Link => Some(SkipReason::Hardlink {
                target: link_target(),
            }),
            EntryType::Char | EntryType::Block => Some(SkipReason::Device),
            EntryType::Fifo => Some(SkipReason::Fifo),
            other => Some(SkipReason::Other(format!(
                "unsupported tar entry type {:?} (type flag {:?})",
                other,
                char::from(other.as_byte())
            ))),
        };
        if let Some(reason) = reason {
            self.skip(note_path, reason);
            return Ok(());
        }

        let path = match normalized {
            Ok(path) if path.stripped.is_empty() => {
                self.skip(note_path, SkipReason::OutsideRoot);
                return Ok(());
            }
            Ok(path) => path.stripped,
            Err(why) => {
                self.skip(note_path, SkipReason::UnsafePath { why });
                return Ok(());
            }
        };

        // `size()` is the expanded size for sparse files, so holes count too.
        let size = entry.size();
        if size > self.limits.max_file_bytes {
            // The tar reader skips the unread data when it advances to the next entry.
            self.skip(path, SkipReason::TooLarge { size });
            return Ok(());
        }
        if self.kept_bytes.saturating_add(size) > self.limits.max_total_bytes {
            return Err(UnpackError::TotalTooLarge {
                limit: self.limits.max_total_bytes,
                entry: Some(shown),
            });
        }
        // Grow as data arrives instead of trusting the header's size beyond 1 MiB, so a lying
        // header costs no more memory than the bytes that really follow it.
        let mut data = Vec::with_capacity(usize::try_from(size.min(1024 * 1024)).unwrap_or(0));
        (&mut entry)
            .take(size)
            .read_to_end(&mut data)
            .map_err(|err| self.stream_error(&err))?;
        let actual = data.len() as u64;
        if actual != size {
            // Prefer the gzip error when the stream itself was cut short.
            if self.shared.trip.get().is_some() {
                return Err(self.stream_error(&io::Error::other("short read")));
            }
            return Err(UnpackError::TruncatedEntry {
                entry: shown,
                expected: size,
                actual,
            });
        }
        // Doubling growth may have left up to `actual` spare bytes; kept files are long-lived.
        data.shrink_to_fit();
        self.kept_bytes = self.kept_bytes.saturating_add(actual);
        if self
            .files
            .insert(
                path.clone(),
                UnpackedFile {
                    path: path.clone(),
                    data,
                },
            )
            .is_some()
        {
            self.skip(path, SkipReason::DuplicatePath);
        }
        Ok(())
    }

    fn skip(&mut self, path: String, reason: SkipReason) {
        self.skipped.push(SkippedEntry { path, reason });
    }

    /// Maps an I/O error from the stream to the precise error, using what the meter recorded.
    fn stream_error(&self, err: &io::Error) -> UnpackError {
        let entry = self.last_entry.clone();
        match self.shared.trip.get() {
            Some(Trip::Total) => UnpackError::TotalTooLarge {
                limit: self.limits.max_total_bytes,
                entry,
            },
            Some(Trip::Ratio) => UnpackError::CompressionRatio {
                limit: self.limits.max_compression_ratio,
                compressed: self.compressed,
                decompressed: self.shared.bytes.get(),
                entry,
            },
            Some(Trip::Gzip) => {
                let message = self
                    .shared
                    .gzip_message
                    .try_borrow()
                    .ok()
                    .and_then(|message| message.clone());
                UnpackError::Gzip {
                    entry,
                    message: message.unwrap_or_else(|| err.to_string()),
                }
            }
            None => UnpackError::Tar {
                entry,
                message: err.to_string(),
            },
        }
    }
}
