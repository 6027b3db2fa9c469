//! Deterministic packing of files into an npm-style `.tgz`, for tests and tooling.
//!
//! The layout follows `npm pack`: every file under `package/`, no directory entries, ustar headers
//! with a pax `path` record for names that do not fit, files sorted by path, and fixed metadata
//! (mtime 1985-10-26T08:15:00Z as npm uses, uid/gid 0, mode 0644), so the same input always gives
//! the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{Builder, EntryType, Header};

use crate::error::UnpackError;
use crate::path::normalize;

/// The modification time npm writes into every tarball it packs.
const NPM_MTIME: u64 = 499_162_500;

/// Packs `(path, contents)` pairs as `npm pack` lays them out (each under `package/`), gzip'd.
///
/// Paths are relative to the package root and `/`-separated. Files are sorted by path (a stable
/// sort, so duplicates are kept in their given order, which is useful to build test tarballs with
/// duplicate entries).
///
/// # Errors
///
/// [`UnpackError::Pack`] for a path that is empty, absolute, contains `..`, a backslash, a NUL
/// byte or a drive prefix, or is not already in normal form (`a//b`, `./a`).
pub fn pack_files<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, UnpackError> {
    let mut files: Vec<(&str, &[u8])> = files.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut builder = Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    for (path, data) in files {
        append_file(&mut builder, path, data)?;
    }
    let pack_error = |err: std::io::Error| UnpackError::Pack {
        path: String::new(),
        reason: format!("cannot finish the archive: {err}"),
    };
    builder
        .into_inner()
        .and_then(GzEncoder::finish)
        .map_err(pack_error)
}

/// Packs every regular file under `dir` (recursively) as `npm pack` lays it out, gzip'd.
///
/// This is a plain walk: `.npmignore`, `files` in `package.json` and symbolic links are ignored.
///
/// # Errors
///
/// [`UnpackError::Io`] when a directory or file cannot be read, [`UnpackError::Pack`] for a file
/// name that is not UTF-8 or not packable (see [`pack_files`]).
pub fn pack_directory(dir: &Path) -> Result<Vec<u8>, UnpackError> {
    let mut found = Vec::new();
    collect(dir, String::new(), &mut found)?;
    pack_files(
        found
            .iter()
            .map(|(path, data)| (path.as_str(), data.as_slice())),
    )
}

/// Collects the regular files under `dir`, with paths prefixed by `prefix`.
fn collect(
    dir: &Path,
    prefix: String,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), UnpackError> {
    let io_error = |path: PathBuf| move |source| UnpackError::Io { path, source };
    let mut children = Vec::new();
    for child in std::fs::read_dir(dir).map_err(io_error(dir.to_owned()))? {
        let child = child.map_err(io_error(dir.to_owned()))?;
        children.push(child.path());
    }
    children.sort();
    for child in children {
        let Some(name) = child.file_name().and_then(|name| name.to_str()) else {
            return Err(UnpackError::Pack {
                path: child.display().to_string(),
                reason: "the file name is not UTF-8".to_owned(),
            });
        };
        let relative = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        };
        let kind = std::fs::symlink_metadata(&child)
            .map_err(io_error(child.clone()))?
            .file_type();
        if kind.is_dir() {
            collect(&child, relative, out)?;
        } else if kind.is_file() {
            let data = std::fs::read(&child).map_err(io_error(child.clone()))?;
            out.push((relative, data));
        }
    }
    Ok(())
}

/// Appends one file under `package/`, with a pax `path` record when the name is too long.
fn append_file<W: Write>(
    builder: &mut Builder<W>,
    path: &str,
    data: &[u8],
) -> Result<(), UnpackError> {
    let pack_error = |reason: String| UnpackError::Pack {
        path: path.to_owned(),
        reason,
    };
    let full = format!("package/{path}");
    match normalize(full.as_bytes()) {
        Ok(normal) if !path.is_empty() && normal.stripped == path => {}
        Ok(_) => {
            return Err(pack_error(
                "the path is empty or not in normal form".to_owned(),
            ));
        }
        Err(why) => return Err(pack_error(why.to_owned())),
    }

    let mut header = Header::new_ustar();
    header.set_entry_type(EntryType::Regular);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(NPM_MTIME);
    header.set_size(data.len() as u64);
    if header.set_path(&full).is_err() {
        // Too long for ustar's name + prefix: a pax extended header carries the full path and the
        // ustar name keeps a truncated copy, as npm does.
        let record = pax_record("path", &full);
        let mut pax = Header::new_ustar();
        pax.set_entry_type(EntryType::XHeader);
        pax.set_mode(0o644);
        pax.set_mtime(NPM_MTIME);
        pax.set_size(record.len() as u64);
        let pax_name = truncate_utf8("package/PaxHeader", 99);
        pax.set_path(pax_name)
            .map_err(|err| pack_error(format!("cannot name the pax header: {err}")))?;
        pax.set_cksum();
        builder
            .append(&pax, record.as_slice())
            .map_err(|err| pack_error(format!("cannot write the pax header: {err}")))?;
        let short = truncate_utf8(&full, 99);
        header
            .set_path(short)
            .map_err(|err| pack_error(format!("cannot set the truncated name: {err}")))?;
    }
    header.set_cksum();
    builder
        .append(&header, data)
        .map_err(|err| pack_error(format!("cannot write the entry: {err}")))
}

/// One pax record: `"<len> <key>=<value>\n"`, where `<len>` counts the whole record, itself
/// included.
pub(crate) fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}").len() + body.len() != len {
        len = format!("{len}").len() + body.len();
    }
    format!("{len}{body}").into_bytes()
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary and not
/// on a `/`.
fn truncate_utf8(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default().trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::{pax_record, truncate_utf8};

    #[test]
    fn pax_record_length_counts_itself() {
        let record = pax_record("path", "abc");
        assert_eq!(record, b"12 path=abc\n");
        let long = "x".repeat(95);
        let record = pax_record("path", &long);
        let text = String::from_utf8(record.clone()).unwrap_or_default();
        let (len, _) = text.split_once(' ').unwrap_or_default();
        assert_eq!(len.parse::<usize>().ok(), Some(record.len()));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_utf8("aé", 2), "a");
        assert_eq!(truncate_utf8("ab/", 3), "ab");
        assert_eq!(truncate_utf8("abc", 10), "abc");
    }
}
