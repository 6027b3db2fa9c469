//! The on-disk cache: content-addressed tarballs and packuments with their ETags.
//!
//! Layout under the cache root (by default the user cache directory + `tarsier`):
//!
//! ```text
//! tarballs/<algorithm>/<hex[0..2]>/<hex>     tarball bytes, named by their digest
//! packuments/<encoded name>.json             {"registry", "etag", "body"}; `@scope/x` -> `@scope%2fx`
//! results/<sha256(key)>.json                  "sha256-<hex of key and payload>\n" + payload
//! ```
//!
//! Every write goes to a temporary file in the same directory, is fsynced and then renamed over
//! the entry, so a killed run never leaves a half-written entry (only a `.tmp-*` file, never read
//! and removed by [`Cache::clean_temp_files`]). Every tarball read re-hashes the
//! bytes; an entry that does not match its name is deleted and reported as
//! [`Lookup::Discarded`], so the caller fetches it again and can say so. A result entry carries
//! the digest of its key and payload on its first line, so an entry edited by hand (or copied
//! under another key) is discarded the same way. Two runs sharing one cache directory need no
//! lock: every entry is complete when it appears (rename is atomic), two writers of one entry
//! write the same bytes, and temporary names are unique per process and write. The cache never follows symlinks: a symlinked directory inside the root is
//! an error, a symlinked entry is removed (the link, not its target) and treated as a miss, and
//! every path is built from validated components, so nothing is written outside the root.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::RegistryError;
use crate::integrity::Integrity;

/// Counter making temporary file names unique within the process.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// What a cache read found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup<T> {
    /// A valid entry.
    Hit(T),
    /// No entry.
    Miss,
    /// An entry was there but unusable (its bytes do not match its content address, it was
    /// edited, it is not a regular file, it is oversized or unreadable as what it should be); it
    /// has been removed, and the caller should fetch or compute it again.
    Discarded(CacheProblem),
}

impl<T> Lookup<T> {
    /// The entry, if there was a valid one.
    pub fn hit(self) -> Option<T> {
        match self {
            Self::Hit(value) => Some(value),
            _ => None,
        }
    }
}

/// Something the cache could not do, for a notification: an entry discarded, or one that could
/// not be written (a full disk, a read-only directory). Neither loses a result: a discarded
/// entry is fetched again, an entry not written is fetched again next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheProblem {
    /// What happened.
    pub kind: CacheProblemKind,
    /// The package concerned, when the caller knows it.
    pub package: Option<String>,
    /// The entry's path.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// The kinds of [`CacheProblem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheProblemKind {
    /// An unusable entry was removed (and its contents fetched or computed again).
    Discarded,
    /// An entry could not be written.
    NotWritten,
}

impl CacheProblem {
    /// The problem of `kind` at `path`.
    pub fn new(kind: CacheProblemKind, path: &Path, reason: impl ToString) -> Self {
        Self {
            kind,
            package: None,
            path: path.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// A write that failed, from the error the cache returned.
    pub fn not_written(error: &RegistryError) -> Self {
        match error {
            RegistryError::Cache { path, reason } => {
                Self::new(CacheProblemKind::NotWritten, path, reason)
            }
            other => Self::new(CacheProblemKind::NotWritten, Path::new("<cache>"), other),
        }
    }

    /// The same problem, naming `package`.
    #[must_use]
    pub fn for_package(mut self, package: &str) -> Self {
        self.package = Some(package.to_owned());
        self
    }
}

impl std::fmt::Display for CacheProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            CacheProblemKind::Discarded => write!(
                f,
                "cache entry {} discarded ({}); its contents were fetched or computed again",
                self.path.display(),
                self.reason
            ),
            CacheProblemKind::NotWritten => write!(
                f,
                "could not write cache entry {}: {}",
                self.path.display(),
                self.reason
            ),
        }
    }
}

/// A packument as stored in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedPackument {
    /// The registry it came from (credentials removed); an entry from another registry is ignored.
    pub registry: String,
    /// The `ETag` the registry sent, for `If-None-Match`.
    pub etag: Option<String>,
    /// The packument JSON as received.
    pub body: String,
}

/// A cache directory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

/// The default cache directory: the platform's user cache directory + `tarsier`
/// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
/// Windows). `None` when the environment does not say where that is.
pub fn default_cache_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        non_empty("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        non_empty("HOME").map(|h| h.join("Library").join("Caches"))
    } else {
        non_empty("XDG_CACHE_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| non_empty("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("tarsier"))
}

fn cache_err(path: &Path, reason: impl ToString) -> RegistryError {
    RegistryError::Cache {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// Whether a single path component is safe to use under the root.
fn safe_component(c: &str) -> bool {
    !c.is_empty()
        && c != "."
        && c != ".."
        && !c.starts_with(".tmp-")
        && !c.contains(['/', '\\', '\0'])
        && !c.contains(':')
}

/// The file name a package's packument is stored under (`@scope/x` -> `@scope%2fx.json`).
fn packument_file(name: &str) -> Option<String> {
    let encoded = name.replace('/', "%2f");
    (safe_component(&encoded) && !encoded.starts_with('.')).then(|| format!("{encoded}.json"))
}

impl Cache {
    /// Opens (creating if needed) a cache rooted at `root`.
    pub fn new(root: impl AsRef<Path>) -> Result<Self, RegistryError> {
        let root = root.as_ref();
        fs::create_dir_all(root).map_err(|e| cache_err(root, e))?;
        let root = root.canonicalize().map_err(|e| cache_err(root, e))?;
        Ok(Self { root })
    }

    /// Opens the cache in [`default_cache_dir`] of the real environment.
    pub fn open_default() -> Result<Self, RegistryError> {
        let dir = default_cache_dir(&|k| std::env::var(k).ok()).ok_or_else(|| {
            cache_err(
                Path::new("<user cache dir>"),
                "cannot determine the user cache directory; pass a cache directory explicitly",
            )
        })?;
        Self::new(dir)
    }

    /// The cache root (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Walks `dirs` below the root, refusing symlinks; creates missing directories when
    /// `create`, else returns `None` when one is missing.
    fn dir(&self, dirs: &[&str], create: bool) -> Result<Option<PathBuf>, RegistryError> {
        let mut path = self.root.clone();
        for d in dirs {
            if !safe_component(d) {
                return Err(cache_err(&path, format!("unsafe path component `{d}`")));
            }
            path.push(d);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(cache_err(&path, "refusing a symlinked cache directory"));
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(cache_err(&path, "expected a directory")),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if !create {
                        return Ok(None);
                    }
                    match fs::create_dir(&path) {
                        Ok(()) => {}
                        // Another process created it meanwhile; re-check it below.
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            let m = fs::symlink_metadata(&path).map_err(|e| cache_err(&path, e))?;
                            if !m.is_dir() || m.file_type().is_symlink() {
                                return Err(cache_err(&path, "expected a directory"));
                            }
                        }
                        Err(e) => return Err(cache_err(&path, e)),
                    }
                }
                Err(e) => return Err(cache_err(&path, e)),
            }
        }
        Ok(Some(path))
    }

    /// Reads an entry (at most `max` bytes). A symlinked, non-regular or oversized entry is
    /// removed and reported as [`Lookup::Discarded`].
    fn read_entry(
        &self,
        dirs: &[&str],
        file: &str,
        max: u64,
    ) -> Result<Lookup<Vec<u8>>, RegistryError> {
        let Some(dir) = self.dir(dirs, false)? else {
            return Ok(Lookup::Miss);
        };
        if !safe_component(file) {
            return Err(cache_err(&dir, format!("unsafe file name `{file}`")));
        }
        let path = dir.join(file);
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lookup::Miss),
            Err(e) => return Err(cache_err(&path, e)),
        };
        if !meta.file_type().is_file() {
            return Ok(self.discard(&path, "not a regular file"));
        }
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lookup::Miss),
            Err(e) => return Err(cache_err(&path, e)),
        };
        // The entry may have been swapped between the check and the open: compare identities.
        let opened = file.metadata().map_err(|e| cache_err(&path, e))?;
        if !opened.is_file() || !same_file(&meta, &opened) {
            return Err(cache_err(&path, "cache entry changed while being opened"));
        }
        let mut bytes = Vec::new();
        file.take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| cache_err(&path, e))?;
        if bytes.len() as u64 > max {
            return Ok(self.discard(&path, format!("larger than {max} bytes")));
        }
        Ok(Lookup::Hit(bytes))
    }

    /// Removes an unusable entry and says why.
    fn discard<T>(&self, path: &Path, reason: impl ToString) -> Lookup<T> {
        let problem = CacheProblem::new(CacheProblemKind::Discarded, path, reason);
        tracing::warn!(path = %path.display(), reason = %problem.reason, "removing an unusable cache entry");
        self.remove(path);
        Lookup::Discarded(problem)
    }

    /// Writes an entry atomically: temp file in the same directory, fsync, rename.
    fn write_entry(&self, dirs: &[&str], file: &str, bytes: &[u8]) -> Result<(), RegistryError> {
        let dir = self
            .dir(dirs, true)?
            .ok_or_else(|| cache_err(&self.root, "cannot create cache directory"))?;
        if !safe_component(file) {
            return Err(cache_err(&dir, format!("unsafe file name `{file}`")));
        }
        let tmp = dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            // `create_new` fails on an existing path, symlinks included.
            let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            // `rename` replaces a symlink at the destination rather than following it.
            fs::rename(&tmp, dir.join(file))
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(cache_err(&dir.join(file), e));
        }
        sync_dir(&dir);
        Ok(())
    }

    fn remove(&self, path: &Path) {
        if let Err(e) = fs::remove_file(path) {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove cache entry");
        }
    }

    fn tarball_location(integrity: &Integrity) -> (Vec<String>, String) {
        let hex = integrity.hex();
        let prefix = hex.get(..2).unwrap_or("00").to_owned();
        (
            vec![
                "tarballs".to_owned(),
                integrity.algorithm.name().to_owned(),
                prefix,
            ],
            hex,
        )
    }

    /// The path a tarball with this digest is stored at (whether or not it exists).
    pub fn tarball_path(&self, integrity: &Integrity) -> PathBuf {
        let (dirs, file) = Self::tarball_location(integrity);
        let mut p = self.root.clone();
        p.extend(dirs);
        p.push(file);
        p
    }

    /// Reads a tarball by digest, re-verifying it. An entry whose bytes do not hash to its name
    /// is deleted and reported as [`Lookup::Discarded`].
    pub fn get_tarball(
        &self,
        integrity: &Integrity,
        max: u64,
    ) -> Result<Lookup<Vec<u8>>, RegistryError> {
        let (dirs, file) = Self::tarball_location(integrity);
        let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
        let bytes = match self.read_entry(&dirs, &file, max)? {
            Lookup::Hit(bytes) => bytes,
            other => return Ok(other),
        };
        let actual = Integrity::compute(integrity.algorithm, &bytes);
        if actual != *integrity {
            return Ok(self.discard(
                &self.tarball_path(integrity),
                format!(
                    "its bytes hash to {}, not to the content address {}",
                    actual.to_sri(),
                    integrity.to_sri()
                ),
            ));
        }
        Ok(Lookup::Hit(bytes))
    }

    /// Stores a tarball under its digest. The caller has verified `bytes` against `integrity`;
    /// this re-checks anyway so the cache can never hold an entry that does not match its name.
    pub fn put_tarball(&self, integrity: &Integrity, bytes: &[u8]) -> Result<(), RegistryError> {
        if Integrity::compute(integrity.algorithm, bytes) != *integrity {
            return Err(cache_err(
                &self.tarball_path(integrity),
                "refusing to store bytes that do not match their digest",
            ));
        }
        let (dirs, file) = Self::tarball_location(integrity);
        let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
        self.write_entry(&dirs, &file, bytes)
    }

    /// Reads the cached packument of `name`; an entry that is not a cached packument is deleted
    /// and reported as [`Lookup::Discarded`].
    pub fn get_packument(
        &self,
        name: &str,
        max: u64,
    ) -> Result<Lookup<CachedPackument>, RegistryError> {
        let file = packument_file(name)
            .ok_or_else(|| cache_err(&self.root, format!("unsafe package name `{name}`")))?;
        let bytes = match self.read_entry(&["packuments"], &file, max)? {
            Lookup::Hit(bytes) => bytes,
            Lookup::Miss => return Ok(Lookup::Miss),
            Lookup::Discarded(problem) => return Ok(Lookup::Discarded(problem)),
        };
        match serde_json::from_slice(&bytes) {
            Ok(entry) => Ok(Lookup::Hit(entry)),
            Err(e) => Ok(self.discard(
                &self.root.join("packuments").join(&file),
                format!("not a cached packument: {e}"),
            )),
        }
    }

    /// Stores the packument of `name`.
    pub fn put_packument(&self, name: &str, entry: &CachedPackument) -> Result<(), RegistryError> {
        let file = packument_file(name)
            .ok_or_else(|| cache_err(&self.root, format!("unsafe package name `{name}`")))?;
        let bytes = serde_json::to_vec(entry).map_err(|e| cache_err(&self.root, e))?;
        self.write_entry(&["packuments"], &file, &bytes)
    }

    /// Removes temporary files older than `older_than` that killed runs left behind (they are
    /// never read as entries, only wasted space). Symlinks are not followed. Returns how many
    /// were removed.
    pub fn clean_temp_files(&self, older_than: std::time::Duration) -> usize {
        fn walk(dir: &Path, depth: usize, older_than: std::time::Duration) -> usize {
            let Ok(entries) = fs::read_dir(dir) else {
                return 0;
            };
            let mut removed = 0;
            for entry in entries.flatten() {
                let Ok(meta) = entry.path().symlink_metadata() else {
                    continue;
                };
                let path = entry.path();
                if meta.is_dir() && depth > 0 {
                    removed += walk(&path, depth - 1, older_than);
                } else if meta.is_file()
                    && entry.file_name().to_string_lossy().starts_with(".tmp-")
                    && meta
                        .modified()
                        .ok()
                        .and_then(|m| m.elapsed().ok())
                        .is_some_and(|age| age >= older_than)
                    && fs::remove_file(&path).is_ok()
                {
                    removed += 1;
                }
            }
            removed
        }
        walk(&self.root.join("packuments"), 0, older_than)
            + walk(&self.root.join("results"), 0, older_than)
            + walk(&self.root.join("tarballs"), 2, older_than)
    }

    /// The path of the result entry for `key`.
    pub fn result_path(&self, key: &str) -> PathBuf {
        self.root.join("results").join(result_file(key))
    }

    /// Reads the result stored under `key` (at most `max` bytes). An entry whose digest line does
    /// not match its key and payload (edited by hand, truncated by a disk that filled up under
    /// an older tarsier, or copied from another key) is deleted and reported as
    /// [`Lookup::Discarded`].
    pub fn get_result(&self, key: &str, max: u64) -> Result<Lookup<Vec<u8>>, RegistryError> {
        let file = result_file(key);
        let bytes = match self.read_entry(&["results"], &file, max)? {
            Lookup::Hit(bytes) => bytes,
            other => return Ok(other),
        };
        let path = self.result_path(key);
        let Some(newline) = bytes.iter().position(|&b| b == b'\n') else {
            return Ok(self.discard(&path, "no digest line"));
        };
        let (line, payload) = bytes.split_at(newline);
        let payload = payload.get(1..).unwrap_or_default();
        if line != result_digest(key, payload).as_bytes() {
            return Ok(self.discard(
                &path,
                "its contents do not match the digest recorded in it (edited or corrupted)",
            ));
        }
        Ok(Lookup::Hit(payload.to_vec()))
    }

    /// Stores `payload` as the result for `key`, with the digest line that [`get_result`]
    /// checks.
    ///
    /// [`get_result`]: Self::get_result
    pub fn put_result(&self, key: &str, payload: &[u8]) -> Result<(), RegistryError> {
        let mut bytes = result_digest(key, payload).into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(payload);
        self.write_entry(&["results"], &result_file(key), &bytes)
    }

    /// Removes the cached packument of `name` (a cached body that turned out to be unusable).
    pub fn remove_packument(&self, name: &str) {
        if let Some(file) = packument_file(name) {
            let path = self.root.join("packuments").join(file);
            if fs::symlink_metadata(&path).is_ok() {
                self.remove(&path);
            }
        }
    }
}

/// The file name of the result entry for `key`: the hex SHA-256 of the key.
fn result_file(key: &str) -> String {
    use sha2::Digest as _;
    format!("{}.json", hex::encode(sha2::Sha256::digest(key.as_bytes())))
}

/// The first line of a result entry: SHA-256 over the key, a NUL and the payload.
fn result_digest(key: &str, payload: &[u8]) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    hasher.update(key.as_bytes());
    hasher.update([0u8]);
    hasher.update(payload);
    format!("sha256-{}", hex::encode(hasher.finalize()))
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len()
}

/// Makes a rename durable (best effort; not possible on every platform).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::integrity::Algorithm;

    #[test]
    fn tarball_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path()).unwrap();
        let data = b"tarball bytes";
        let integrity = Integrity::compute(Algorithm::Sha512, data);
        assert_eq!(cache.get_tarball(&integrity, 1024).unwrap(), Lookup::Miss);
        cache.put_tarball(&integrity, data).unwrap();
        let path = cache.tarball_path(&integrity);
        let hex = integrity.hex();
        assert!(path.ends_with(format!("tarballs/sha512/{}/{hex}", &hex[..2])));
        assert_eq!(
            cache.get_tarball(&integrity, 1024).unwrap().hit().unwrap(),
            data
        );
        // No temp files left behind.
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1);

        fs::write(&path, b"corrupted").unwrap();
        let Lookup::Discarded(problem) = cache.get_tarball(&integrity, 1024).unwrap() else {
            panic!("a corrupt entry is discarded")
        };
        assert_eq!(problem.kind, CacheProblemKind::Discarded);
        assert_eq!(problem.path, path);
        assert!(problem.reason.contains(&integrity.to_sri()), "{problem}");
        assert!(!path.exists(), "corrupt entry deleted");
        assert_eq!(cache.get_tarball(&integrity, 1024).unwrap(), Lookup::Miss);
    }

    #[test]
    fn temp_files_are_ignored_and_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path()).unwrap();
        let data = b"abc";
        let integrity = Integrity::compute(Algorithm::Sha512, data);
        cache.put_tarball(&integrity, data).unwrap();
        let parent = cache.tarball_path(&integrity).parent().unwrap().to_owned();
        // What a run killed between write and rename leaves behind.
        fs::write(parent.join(".tmp-1-0"), b"half").unwrap();
        fs::write(cache.root().join("packuments/.tmp-1-1"), b"half").ok();
        assert_eq!(
            cache.get_tarball(&integrity, 1024).unwrap().hit().unwrap(),
            data
        );
        assert_eq!(
            cache.clean_temp_files(std::time::Duration::from_secs(3600)),
            0
        );
        assert_eq!(cache.clean_temp_files(std::time::Duration::ZERO), 1);
        assert!(!parent.join(".tmp-1-0").exists());
        assert!(cache.tarball_path(&integrity).exists());
    }

    #[test]
    fn refuses_mismatching_put() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path()).unwrap();
        let integrity = Integrity::compute(Algorithm::Sha512, b"a");
        assert!(cache.put_tarball(&integrity, b"b").is_err());
        assert!(!cache.tarball_path(&integrity).exists());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("c")).unwrap();
        let data = b"x";
        let integrity = Integrity::compute(Algorithm::Sha512, data);
        let path = cache.tarball_path(&integrity);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        // A symlinked entry pointing at a (matching) file outside: removed, never read.
        let target = outside.path().join("secret");
        fs::write(&target, data).unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(matches!(
            cache.get_tarball(&integrity, 1024).unwrap(),
            Lookup::Discarded(_)
        ));
        assert!(target.exists(), "the target is untouched");
        assert!(fs::symlink_metadata(&path).is_err(), "the link is gone");

        // A symlinked directory: an error, and nothing is written through it.
        fs::remove_dir_all(cache.root().join("packuments")).ok();
        std::os::unix::fs::symlink(outside.path(), cache.root().join("packuments")).unwrap();
        let entry = CachedPackument {
            registry: "r".into(),
            etag: None,
            body: "{}".into(),
        };
        assert!(cache.put_packument("express", &entry).is_err());
        assert!(cache.get_packument("express", 1024).is_err());
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 1);
    }

    #[test]
    fn packument_round_trip_and_names() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path()).unwrap();
        let entry = CachedPackument {
            registry: "http://r/".into(),
            etag: Some("\"e\"".into()),
            body: "{\"name\":\"@s/x\"}".into(),
        };
        cache.put_packument("@s/x", &entry).unwrap();
        assert!(cache.root().join("packuments/@s%2fx.json").is_file());
        assert_eq!(
            cache.get_packument("@s/x", 1 << 20).unwrap().hit(),
            Some(entry)
        );
        assert!(
            cache
                .put_packument(
                    "../evil",
                    &CachedPackument {
                        registry: String::new(),
                        etag: None,
                        body: String::new()
                    }
                )
                .is_err()
        );
        fs::write(cache.root().join("packuments/@s%2fx.json"), b"not json").unwrap();
        assert!(matches!(
            cache.get_packument("@s/x", 1 << 20).unwrap(),
            Lookup::Discarded(_)
        ));
        assert_eq!(cache.get_packument("@s/x", 1 << 20).unwrap(), Lookup::Miss);
    }

    #[test]
    fn result_round_trip_and_hand_edits() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path()).unwrap();
        let payload = br#"{"findings":[]}"#;
        assert_eq!(cache.get_result("k", 1024).unwrap(), Lookup::Miss);
        cache.put_result("k", payload).unwrap();
        assert_eq!(cache.get_result("k", 1024).unwrap().hit().unwrap(), payload);
        let path = cache.result_path("k");
        // Edited by hand: one byte of the payload changed.
        let mut edited = fs::read(&path).unwrap();
        let last = edited.len() - 2;
        edited[last] = b'x';
        fs::write(&path, &edited).unwrap();
        let Lookup::Discarded(problem) = cache.get_result("k", 1024).unwrap() else {
            panic!("an edited entry is discarded")
        };
        assert!(problem.reason.contains("edited"), "{problem}");
        assert!(!path.exists());
        // Another key's valid entry copied under this key's name.
        cache.put_result("other", payload).unwrap();
        fs::copy(cache.result_path("other"), &path).unwrap();
        assert!(matches!(
            cache.get_result("k", 1024).unwrap(),
            Lookup::Discarded(_)
        ));
        // Truncated to nothing, or without its digest line.
        fs::write(&path, b"").unwrap();
        assert!(matches!(
            cache.get_result("k", 1024).unwrap(),
            Lookup::Discarded(_)
        ));
    }

    #[test]
    fn default_dir() {
        let env = |k: &str| match k {
            "HOME" => Some("/home/u".to_owned()),
            "LOCALAPPDATA" => Some("C:\\L".to_owned()),
            _ => None,
        };
        let d = default_cache_dir(&env).unwrap();
        assert!(d.ends_with("tarsier"));
        assert!(default_cache_dir(&|_| None).is_none());
    }
}
