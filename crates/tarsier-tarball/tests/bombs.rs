//! Decompression bombs, huge sparse entries and lying size fields: each must stop early, in
//! bounded time and without allocating what it claims.
//!
//! These tests live in their own test binary so the peak-memory check is not disturbed by other
//! tests' allocations.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{RawTar, gzip, gzip_bomb, header, peak_rss_kib};
use tar::EntryType;
use tarsier_tarball::{Limits, SkipReason, UnpackError, unpack};

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// Fails if this process ever held more than `max_mib` MiB resident (Linux only).
fn assert_peak_memory_below(max_mib: u64) {
    if let Some(peak) = peak_rss_kib() {
        assert!(peak < max_mib * 1024, "peak RSS {} MiB", peak / 1024);
    }
}

#[test]
fn gzip_bomb_of_2_gib_stops_at_the_ratio_limit() {
    let bomb = gzip_bomb(2 * GIB);
    assert!(bomb.len() < 4 * 1024 * 1024, "bomb is {} bytes", bomb.len());
    let started = Instant::now();
    let err = unpack(&bomb, &Limits::default()).unwrap_err();
    let UnpackError::CompressionRatio {
        limit,
        compressed,
        decompressed,
        ref entry,
    } = err
    else {
        panic!("unexpected error: {err}")
    };
    assert_eq!(limit, 200);
    assert_eq!(compressed, bomb.len() as u64);
    // Stopped one byte past the cap, far below the 2 GiB inside.
    assert_eq!(decompressed, 200 * compressed + 1);
    assert_eq!(entry.as_deref(), Some("package/zeros.bin"));
    assert!(started.elapsed() < Duration::from_secs(120));
    assert_peak_memory_below(128);
}

#[test]
fn gzip_bomb_stops_at_the_total_limit_when_the_ratio_allows_it() {
    let bomb = gzip_bomb(2 * GIB);
    let limits = Limits {
        max_total_bytes: 64 * MIB,
        max_compression_ratio: u64::MAX,
        ..Limits::default()
    };
    let err = unpack(&bomb, &limits).unwrap_err();
    assert!(
        matches!(err, UnpackError::TotalTooLarge { limit, .. } if limit == 64 * MIB),
        "{err}"
    );
    // Even with the per-file limit lifted, the file is never materialised.
    let limits = Limits {
        max_total_bytes: 64 * MIB,
        max_file_bytes: u64::MAX,
        max_compression_ratio: u64::MAX,
        ..Limits::default()
    };
    let err = unpack(&bomb, &limits).unwrap_err();
    assert!(matches!(err, UnpackError::TotalTooLarge { .. }), "{err}");
    assert_peak_memory_below(128);
}

/// Writes `value` as a NUL-terminated 11-digit octal field.
fn octal12(value: u64) -> [u8; 12] {
    let text = format!("{value:011o}\0");
    text.as_bytes().try_into().unwrap()
}

/// A GNU sparse entry of `real_size` bytes whose only data is `data` at `offset`.
fn sparse_tar(real_size: u64, offset: u64, data: &[u8]) -> RawTar {
    let mut h = header(
        b"package/sparse.bin",
        EntryType::GNUSparse,
        data.len() as u64,
    );
    let gnu = h.as_gnu_mut().unwrap();
    gnu.realsize = octal12(real_size);
    gnu.sparse[0].offset = octal12(offset);
    gnu.sparse[0].numbytes = octal12(data.len() as u64);
    if offset + (data.len() as u64) < real_size {
        // A trailing hole is a zero-length block at the end, as GNU tar writes it.
        gnu.sparse[1].offset = octal12(real_size);
        gnu.sparse[1].numbytes = octal12(0);
    }
    let mut tar = RawTar::new();
    tar.header_and_data(h, data);
    tar
}

#[test]
fn sparse_1_gib_entry_is_skipped_without_allocating() {
    let tar = sparse_tar(GIB, GIB - 512, &[b'A'; 512])
        .file(b"package/after.js", b"after")
        .finish();
    let tgz = gzip(&tar);
    let started = Instant::now();
    let unpacked = unpack(&tgz, &Limits::default()).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(unpacked.files.len(), 1);
    assert_eq!(unpacked.files[0].path, "after.js");
    assert_eq!(
        unpacked.skipped[0].reason,
        SkipReason::TooLarge { size: GIB },
        "the expanded size counts"
    );
    assert_eq!(unpacked.skipped[0].path, "sparse.bin");

    // With the per-file limit lifted, the total limit refuses it before reading.
    let limits = Limits {
        max_file_bytes: 2 * GIB,
        ..Limits::default()
    };
    let err = unpack(&tgz, &limits).unwrap_err();
    assert!(
        matches!(err, UnpackError::TotalTooLarge { ref entry, .. } if entry.as_deref() == Some("package/sparse.bin")),
        "{err}"
    );
    assert_peak_memory_below(128);
}

#[test]
fn small_sparse_entry_is_expanded() {
    let tar = sparse_tar(4096, 1024, &[b'A'; 512]).finish();
    let unpacked = unpack(&gzip(&tar), &Limits::default()).unwrap();
    let data = &unpacked.get("sparse.bin").unwrap().data;
    assert_eq!(data.len(), 4096);
    assert!(data[..1024].iter().all(|&b| b == 0));
    assert!(data[1024..1536].iter().all(|&b| b == b'A'));
    assert!(data[1536..].iter().all(|&b| b == 0));
    assert_eq!(unpacked.total_bytes, 4096);
}

#[test]
fn inconsistent_sparse_map_is_an_error() {
    // The real size is smaller than the end of the only data block.
    let tar = sparse_tar(100, 1024, &[b'A'; 512]).finish();
    let err = unpack(&gzip(&tar), &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Tar { .. }), "{err}");
    // The real size is larger than the map describes, with no trailing hole.
    let mut h = header(b"package/s.bin", EntryType::GNUSparse, 512);
    let gnu = h.as_gnu_mut().unwrap();
    gnu.realsize = octal12(4096);
    gnu.sparse[0].offset = octal12(0);
    gnu.sparse[0].numbytes = octal12(512);
    let tar = RawTar::new().header_and_data(h, &[1u8; 512]).finish();
    let err = unpack(&gzip(&tar), &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Tar { .. }), "{err}");
}

#[test]
fn huge_claimed_size_with_truncated_data_fails_without_allocating() {
    let tar = RawTar::new()
        .header_and_data(
            header(b"package/liar.bin", EntryType::Regular, GIB),
            &[b'x'; 1000],
        )
        .unfinished();
    let tgz = gzip(&tar);
    // Skipped as too large, then the skip runs into the end of the stream.
    let err = unpack(&tgz, &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Tar { .. }), "{err}");
    assert!(err.to_string().contains("package/liar.bin"), "{err}");
    // With every limit lifted it is read, and found short, without a 1 GiB allocation.
    let err = unpack(&tgz, &Limits::unlimited()).unwrap_err();
    assert!(
        matches!(
            err,
            UnpackError::TruncatedEntry {
                expected: GIB,
                actual: 1024,
                ..
            }
        ),
        "{err}"
    );
    assert_peak_memory_below(128);
}
