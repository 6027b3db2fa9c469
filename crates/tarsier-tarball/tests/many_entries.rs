//! 200 000 tiny files: the entry limit stops the walk, and a higher limit lets it complete.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use common::header;
use flate2::Compression;
use flate2::write::GzEncoder;
use tar::EntryType;
use tarsier_tarball::{Limits, UnpackError, unpack};

const FILES: u64 = 200_000;

/// A gzip'd tar of `FILES` empty files `package/f000000` ..., streamed into the encoder.
fn many_empty_files() -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    for i in 0..FILES {
        let name = format!("package/f{i:06}");
        let mut h = header(name.as_bytes(), EntryType::Regular, 0);
        h.set_cksum();
        gz.write_all(h.as_bytes()).unwrap();
    }
    gz.write_all(&[0u8; 1024]).unwrap();
    gz.finish().unwrap()
}

#[test]
fn entry_limit_stops_200k_files_and_a_higher_limit_completes() {
    let tgz = many_empty_files();

    let err = unpack(&tgz, &Limits::default()).unwrap_err();
    assert!(
        matches!(err, UnpackError::TooManyEntries { limit: 100_000, ref entry } if entry == "package/f100000"),
        "{err}"
    );
    assert!(err.to_string().contains("100000"), "{err}");

    let limits = Limits {
        max_entries: FILES,
        max_compression_ratio: u64::MAX,
        ..Limits::default()
    };
    let unpacked = unpack(&tgz, &limits).unwrap();
    assert_eq!(unpacked.files.len() as u64, FILES);
    assert_eq!(unpacked.files[0].path, "f000000");
    assert_eq!(unpacked.files[199_999].path, "f199999");
    assert!(unpacked.skipped.is_empty());
    assert_eq!(unpacked.total_bytes, 0);
}
