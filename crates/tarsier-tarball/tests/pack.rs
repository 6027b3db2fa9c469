//! Round trips through `pack_files` / `pack_directory` and `unpack`.
#![allow(clippy::unwrap_used)]

use std::io::Read;

use flate2::read::GzDecoder;
use tarsier_tarball::{Limits, UnpackError, pack_directory, pack_files, unpack};

/// The raw entry paths and header metadata of a packed tarball.
fn entries(tgz: &[u8]) -> Vec<(String, u32, u64, u64, u64)> {
    let mut archive = tar::Archive::new(GzDecoder::new(tgz));
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let h = entry.header();
            (
                String::from_utf8(entry.path_bytes().into_owned()).unwrap(),
                h.mode().unwrap(),
                h.mtime().unwrap(),
                h.uid().unwrap(),
                h.gid().unwrap(),
            )
        })
        .collect()
}

#[test]
fn pack_files_round_trips() {
    let long_dir = "a".repeat(120);
    let longest = format!("{}/{}/file.js", "b".repeat(150), "c".repeat(150));
    let nested = format!("{long_dir}/deep/index.js");
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let input: Vec<(&str, &[u8])> = vec![
        ("package.json", br#"{"name":"rt","version":"1.0.0"}"#),
        ("lib/index.js", b"module.exports = require('./util');\n"),
        ("lib/util.js", b""),
        ("d\u{e9}j\u{e0}-vu/\u{1f600}.js", b"unicode"),
        (nested.as_str(), b"nested"),
        (longest.as_str(), b"pax"),
        ("bin/blob", &binary),
    ];
    let tgz = pack_files(input.iter().copied()).unwrap();
    let unpacked = unpack(&tgz, &Limits::default()).unwrap();
    let mut expected: Vec<(&str, &[u8])> = input.clone();
    expected.sort();
    let got: Vec<(&str, &[u8])> = unpacked
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    assert_eq!(got, expected);
    assert!(unpacked.skipped.is_empty());
    assert_eq!(
        unpacked.total_bytes,
        expected.iter().map(|(_, d)| d.len() as u64).sum::<u64>()
    );
}

#[test]
fn pack_files_is_deterministic_and_npm_shaped() {
    let a = pack_files([("b.js", &b"b"[..]), ("a.js", &b"a"[..])]).unwrap();
    let b = pack_files([("a.js", &b"a"[..]), ("b.js", &b"b"[..])]).unwrap();
    assert_eq!(a, b, "input order must not matter");
    let listed = entries(&a);
    assert_eq!(
        listed,
        [
            ("package/a.js".to_owned(), 0o644, 499_162_500, 0, 0),
            ("package/b.js".to_owned(), 0o644, 499_162_500, 0, 0),
        ]
    );
    // A pax header carries a path that does not fit in ustar.
    let long = format!("{}.js", "x".repeat(300));
    let tgz = pack_files([(long.as_str(), &b"x"[..])]).unwrap();
    assert_eq!(entries(&tgz)[0].0, format!("package/{long}"));
}

#[test]
fn pack_files_refuses_unsafe_or_unnormalised_paths() {
    for path in [
        "",
        "/abs.js",
        "../up.js",
        "a/../b.js",
        "a\\b.js",
        "a//b.js",
        "./a.js",
        "a/",
        "C:x",
    ] {
        let Err(err) = pack_files([(path, &b"x"[..])]) else {
            panic!("{path:?} was packed")
        };
        assert!(
            matches!(err, UnpackError::Pack { path: ref p, .. } if p == path),
            "{path:?}: {err}"
        );
    }
}

#[test]
fn pack_directory_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("lib/nested")).unwrap();
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::fs::write(root.join("package.json"), b"{}").unwrap();
    std::fs::write(root.join("lib/index.js"), b"index").unwrap();
    std::fs::write(root.join("lib/nested/z.js"), b"z").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", root.join("lib/link")).unwrap();

    let tgz = pack_directory(root).unwrap();
    assert_eq!(tgz, pack_directory(root).unwrap(), "deterministic");
    let unpacked = unpack(&tgz, &Limits::default()).unwrap();
    let got: Vec<(&str, &[u8])> = unpacked
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    assert_eq!(
        got,
        [
            ("lib/index.js", &b"index"[..]),
            ("lib/nested/z.js", b"z"),
            ("package.json", b"{}"),
        ]
    );
    // The gzip member decodes to a tar ending in the end-of-archive marker.
    let mut tar = Vec::new();
    GzDecoder::new(&tgz[..]).read_to_end(&mut tar).unwrap();
    assert!(tar.len() % 512 == 0 && tar.ends_with(&[0u8; 1024]));
}

#[test]
fn pack_directory_reports_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = pack_directory(&missing).unwrap_err();
    assert!(matches!(err, UnpackError::Io { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
}
