//! Reports of files already scanned, by what the report depends on.
//!
//! The versions of a package repeat most of their files unchanged: across every published
//! version of ten Express packages, half of the JavaScript bytes are a file some other
//! version ships with the same path and the same bytes. A file's report is a function of
//! its bytes, its path, how it is parsed, how suppressions are treated, the package it
//! belongs to (name and entry points) and what other files of that package pass to it; an
//! engine that has scanned a file under the same inputs hands back the same report.
//!
//! The key is a SHA-256 of those inputs: a scanned package is the attacker's text, and a
//! file crafted to collide with another's key would inherit that file's (clean) report.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::crossfile::{PassedIn, PassedOut};
use crate::{PackageInfo, ScanReport, SourceKind, SuppressionMode};

/// Reports kept at most; the memo is emptied when it is full (a long-lived engine, such as
/// the language server's, sees every edit of a file as a new one).
const MEMO_LIMIT: usize = 16_384;

/// What a file's scan produced: its report and what it passes to other files.
pub(crate) type FileOutcome = (ScanReport, Vec<PassedOut>);

/// Everything a file's report depends on, for [`ReportMemo::key`].
pub(crate) struct FileInputs<'a> {
    /// The path inside the package (or the checkout).
    pub path: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
    /// How it is parsed.
    pub kind: SourceKind,
    /// How suppression comments are treated.
    pub mode: SuppressionMode,
    /// The package it belongs to.
    pub package: Option<&'a PackageInfo>,
    /// What other files of the package pass to it.
    pub cross: Option<&'a [PassedIn]>,
}

/// The key of a file's report: a SHA-256 of its inputs.
pub(crate) type MemoKey = [u8; 32];

/// Reports of the files an engine has scanned, by [`ReportMemo::key`].
#[derive(Debug, Default)]
pub(crate) struct ReportMemo {
    reports: Mutex<HashMap<MemoKey, Arc<FileOutcome>>>,
}

impl ReportMemo {
    /// The key of `inputs`: every part length-prefixed, so no two inputs share a key without
    /// a SHA-256 collision.
    pub(crate) fn key(inputs: &FileInputs<'_>) -> MemoKey {
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        part(inputs.path.as_bytes());
        part(inputs.bytes);
        part(format!("{:?}|{:?}", inputs.kind, inputs.mode).as_bytes());
        match inputs.package {
            Some(package) => {
                part(package.name.as_bytes());
                part(&(package.entries.len() as u64).to_le_bytes());
                for entry in &package.entries {
                    part(entry.as_bytes());
                }
            }
            None => part(b"-"),
        }
        // The debug form names every field of every step the callers passed, so two
        // different incoming flows never share a key.
        match inputs.cross {
            Some(cross) => part(format!("{cross:?}").as_bytes()),
            None => part(b"-"),
        }
        hasher.finalize().into()
    }

    /// The report stored under `key`, if any.
    pub(crate) fn get(&self, key: &MemoKey) -> Option<Arc<FileOutcome>> {
        self.reports.lock().ok()?.get(key).cloned()
    }

    /// Stores `outcome` under `key`.
    pub(crate) fn put(&self, key: MemoKey, outcome: Arc<FileOutcome>) {
        if let Ok(mut reports) = self.reports.lock() {
            if reports.len() >= MEMO_LIMIT {
                reports.clear();
            }
            reports.insert(key, outcome);
        }
    }

    /// How many reports are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.reports.lock().map_or(0, |r| r.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs<'a>(path: &'a str, bytes: &'a [u8]) -> FileInputs<'a> {
        FileInputs {
            path,
            bytes,
            kind: SourceKind::JavaScript,
            mode: SuppressionMode::Report,
            package: None,
            cross: None,
        }
    }

    #[test]
    fn every_input_changes_the_key() {
        let base = ReportMemo::key(&inputs("index.js", b"a"));
        assert_eq!(base, ReportMemo::key(&inputs("index.js", b"a")));
        assert_ne!(base, ReportMemo::key(&inputs("index.js", b"b")));
        assert_ne!(base, ReportMemo::key(&inputs("lib.js", b"a")));
        // Length prefixes: moving a byte from the path to the text is another key.
        assert_ne!(
            ReportMemo::key(&inputs("ab", b"c")),
            ReportMemo::key(&inputs("a", b"bc"))
        );
        let honour = FileInputs {
            mode: SuppressionMode::Honour,
            ..inputs("index.js", b"a")
        };
        assert_ne!(base, ReportMemo::key(&honour));
        let typescript = FileInputs {
            kind: SourceKind::TypeScript,
            ..inputs("index.js", b"a")
        };
        assert_ne!(base, ReportMemo::key(&typescript));
        let package = PackageInfo {
            name: "p".to_string(),
            entries: vec!["index.js".to_string()],
        };
        let other_entry = PackageInfo {
            entries: vec!["main.js".to_string()],
            ..package.clone()
        };
        let in_package = FileInputs {
            package: Some(&package),
            ..inputs("index.js", b"a")
        };
        let in_other = FileInputs {
            package: Some(&other_entry),
            ..inputs("index.js", b"a")
        };
        let key = ReportMemo::key(&in_package);
        assert_ne!(base, key);
        assert_ne!(key, ReportMemo::key(&in_other));
        let empty: [PassedIn; 0] = [];
        let with_cross = FileInputs {
            cross: Some(&empty),
            ..inputs("index.js", b"a")
        };
        assert_ne!(base, ReportMemo::key(&with_cross));
    }

    #[test]
    fn a_full_memo_starts_again() {
        let memo = ReportMemo::default();
        for i in 0..MEMO_LIMIT + 1 {
            let text = i.to_string();
            memo.put(
                ReportMemo::key(&inputs("a.js", text.as_bytes())),
                Arc::new((ScanReport::default(), Vec::new())),
            );
        }
        assert_eq!(memo.len(), 1);
    }
}
