//! Behaviour of `unpack` on ordinary and hostile (but small) tarballs.
#![allow(clippy::unwrap_used)]

mod common;

use common::{RawTar, gzip, header};
use tar::EntryType;
use tarsier_tarball::{Limits, SkipReason, UnpackError, Unpacked, pack_files, unpack};

fn unpack_tar(tar: &[u8]) -> Unpacked {
    unpack(&gzip(tar), &Limits::default()).unwrap()
}

fn paths(unpacked: &Unpacked) -> Vec<&str> {
    unpacked.files.iter().map(|f| f.path.as_str()).collect()
}

fn reason_of<'a>(unpacked: &'a Unpacked, path: &str) -> &'a SkipReason {
    &unpacked
        .skipped
        .iter()
        .find(|s| s.path == path)
        .unwrap_or_else(|| panic!("no note for {path:?} in {:?}", unpacked.skipped))
        .reason
}

#[test]
fn parent_and_absolute_paths_are_skipped_as_unsafe() {
    let tar = RawTar::new()
        .file(b"package/ok.js", b"ok")
        .file(b"package/../../evil.js", b"evil")
        .file(b"../evil2.js", b"evil")
        .file(b"/etc/cron.d/evil", b"evil")
        .file(b"/package/abs.js", b"evil")
        .file(b"package/a/../../../x", b"evil")
        .file(b"package\\..\\..\\win.js", b"evil")
        .file(b"package/sub\\..\\..\\win.js", b"evil")
        .file(b"C:/Windows/evil.dll", b"evil")
        .file(b"package/D:evil.js", b"evil")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert_eq!(paths(&unpacked), ["ok.js"]);
    assert_eq!(unpacked.skipped.len(), 9, "{:?}", unpacked.skipped);
    for note in &unpacked.skipped {
        assert!(
            matches!(note.reason, SkipReason::UnsafePath { .. }),
            "{note}"
        );
    }
    // Notes carry the raw path and say why.
    let note = unpacked
        .skipped
        .iter()
        .find(|s| s.path == "package/../../evil.js")
        .unwrap();
    assert!(note.to_string().contains("`..`"), "{note}");
    assert!(
        reason_of(&unpacked, "/etc/cron.d/evil")
            .to_string()
            .contains("absolute")
    );
}

#[test]
fn links_pointing_outside_are_noted_not_followed() {
    let tar = RawTar::new()
        .link(b"package/passwd", EntryType::Symlink, b"/etc/passwd")
        .link(b"package/up", EntryType::Symlink, b"../../../../home")
        .link(b"package/hard", EntryType::Link, b"../../etc/shadow")
        // A file "through" the symlink must still only be an in-memory file, never a write.
        .file(b"package/up/inside.js", b"x")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert_eq!(paths(&unpacked), ["up/inside.js"]);
    assert_eq!(
        reason_of(&unpacked, "passwd"),
        &SkipReason::Symlink {
            target: "/etc/passwd".into()
        }
    );
    assert_eq!(
        reason_of(&unpacked, "up"),
        &SkipReason::Symlink {
            target: "../../../../home".into()
        }
    );
    assert_eq!(
        reason_of(&unpacked, "hard"),
        &SkipReason::Hardlink {
            target: "../../etc/shadow".into()
        }
    );
    let text = unpacked.skipped[0].to_string();
    assert!(
        text.contains("passwd") && text.contains("/etc/passwd"),
        "{text}"
    );
}

#[test]
fn devices_and_fifos_are_noted() {
    let tar = RawTar::new()
        .entry(b"package/tty", EntryType::Char, b"")
        .entry(b"package/sda", EntryType::Block, b"")
        .entry(b"package/pipe", EntryType::Fifo, b"")
        .entry(b"package/dir/", EntryType::Directory, b"")
        .entry(b"package/odd", EntryType::new(b'V'), b"")
        .file(b"package/dir/a.js", b"a")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert_eq!(paths(&unpacked), ["dir/a.js"]);
    assert_eq!(reason_of(&unpacked, "tty"), &SkipReason::Device);
    assert_eq!(reason_of(&unpacked, "sda"), &SkipReason::Device);
    assert_eq!(reason_of(&unpacked, "pipe"), &SkipReason::Fifo);
    assert!(matches!(reason_of(&unpacked, "odd"), SkipReason::Other(_)));
    // Directories need no note.
    assert_eq!(unpacked.skipped.len(), 4);
    assert_eq!(SkipReason::Fifo.to_string(), "named pipe (FIFO) skipped");
}

#[test]
fn invalid_utf8_names_are_replaced_like_npm() {
    let tar = RawTar::new()
        .file(b"package/caf\xe9.js", b"latin1")
        .file(b"package/\xff\xfe/x.js", b"bytes")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert_eq!(
        paths(&unpacked),
        ["caf\u{fffd}.js", "\u{fffd}\u{fffd}/x.js"]
    );
    assert_eq!(unpacked.get("caf\u{fffd}.js").unwrap().data, b"latin1");
}

#[test]
fn nul_byte_in_a_pax_path_is_unsafe() {
    let tar = RawTar::new()
        .pax(&[("path", b"package/a\0b.js")])
        .file(b"package/harmless.js", b"x")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert!(unpacked.files.is_empty());
    assert!(matches!(
        unpacked.skipped[0].reason,
        SkipReason::UnsafePath { .. }
    ));
}

#[test]
fn empty_tarballs_are_ok() {
    // Only the end-of-archive marker.
    let unpacked = unpack_tar(&RawTar::new().finish());
    assert!(unpacked.files.is_empty() && unpacked.skipped.is_empty());
    assert_eq!(unpacked.total_bytes, 0);
    // A gzip of nothing at all.
    let unpacked = unpack(&gzip(b""), &Limits::default()).unwrap();
    assert!(unpacked.files.is_empty());
    // Directories only.
    let tar = RawTar::new()
        .entry(b"package/", EntryType::Directory, b"")
        .finish();
    assert!(unpack_tar(&tar).files.is_empty());
}

#[test]
fn data_that_is_not_gzip_is_refused() {
    for input in [
        &b""[..],
        b"\x1f",
        b"hello world",
        b"PK\x03\x04zip",
        &RawTar::new().file(b"package/a", b"a").finish(),
    ] {
        let err = unpack(input, &Limits::default()).unwrap_err();
        assert!(matches!(err, UnpackError::NotGzip { .. }), "{err}");
    }
    let err = unpack(b"hello", &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("68 65 6c 6c"), "{err}");
}

#[test]
fn gzip_magic_with_garbage_is_a_gzip_error() {
    let err = unpack(b"\x1f\x8b\x08\x00garbage garbage", &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Gzip { .. }), "{err}");
}

#[test]
fn every_truncation_of_a_gzip_is_an_error() {
    let tgz = pack_files([
        ("package.json", &b"{\"name\":\"x\"}"[..]),
        ("index.js", &b"module.exports = 42;\n".repeat(50)[..]),
    ])
    .unwrap();
    assert!(unpack(&tgz, &Limits::default()).is_ok());
    for len in 0..tgz.len() {
        let err = unpack(&tgz[..len], &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                UnpackError::NotGzip { .. } | UnpackError::Gzip { .. } | UnpackError::Tar { .. }
            ),
            "cut at {len}: {err}"
        );
    }
    let err = unpack(&tgz[..tgz.len() - 3], &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Gzip { .. }), "{err}");
}

#[test]
fn corrupt_crc_is_an_error() {
    let mut tgz = pack_files([("a.js", &b"a"[..])]).unwrap();
    let crc_at = tgz.len() - 8;
    tgz[crc_at] ^= 0xff;
    let err = unpack(&tgz, &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Gzip { .. }), "{err}");
}

#[test]
fn truncated_tar_inside_valid_gzip_is_an_error() {
    let tar = RawTar::new().file(b"package/a.js", &[b'a'; 2000]).finish();
    let err = unpack(&gzip(&tar[..700]), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, UnpackError::TruncatedEntry { ref entry, expected: 2000, actual: 188 } if entry == "package/a.js"),
        "{err}"
    );
    assert!(err.to_string().contains("package/a.js"));
    // Cut inside a header.
    let err = unpack(&gzip(&tar[..100]), &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Tar { .. }), "{err}");
}

#[test]
fn bad_header_checksum_is_an_error() {
    let mut tar = RawTar::new().file(b"package/a.js", b"a").finish();
    tar[0] = b'X';
    let err = unpack(&gzip(&tar), &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Tar { .. }), "{err}");
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn old_style_directory_entries_are_directories() {
    // Pre-POSIX tar marks a directory as a regular file whose name ends in `/`.
    let tar = RawTar::new()
        .entry(b"package/lib/", EntryType::new(0), b"")
        .entry(b"package/bin/", EntryType::Regular, b"")
        .file(b"package/lib/a.js", b"a")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert_eq!(paths(&unpacked), ["lib/a.js"]);
    assert!(unpacked.skipped.is_empty(), "{:?}", unpacked.skipped);
}

#[test]
fn tar_errors_name_the_entry_before_them() {
    let mut tar = RawTar::new()
        .file(b"package/first.js", b"1")
        .file(b"package/second.js", b"2")
        .finish();
    tar[1024 + 10] ^= 1; // corrupt the second header
    let err = unpack(&gzip(&tar), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, UnpackError::Tar { entry: Some(ref e), .. } if e == "package/first.js"),
        "{err}"
    );
    assert!(
        err.to_string().contains("near entry `package/first.js`"),
        "{err}"
    );
}

#[test]
fn any_root_folder_name_is_stripped() {
    let tar = RawTar::new()
        .file(b"node-foo/package.json", b"{}")
        .file(b"node-foo/lib/a.js", b"a")
        .file(b"./other//b.js", b"b")
        .file(b"README", b"top-level")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert_eq!(paths(&unpacked), ["b.js", "lib/a.js", "package.json"]);
    assert_eq!(reason_of(&unpacked, "README"), &SkipReason::OutsideRoot);
}

#[test]
fn duplicate_paths_keep_the_last_like_npm() {
    let tar = RawTar::new()
        .file(b"package/index.js", b"benign")
        .file(b"package/lib.js", b"lib")
        .file(b"other/index.js", b"MALICIOUS")
        .finish();
    let unpacked = unpack_tar(&tar);
    assert_eq!(paths(&unpacked), ["index.js", "lib.js"]);
    assert_eq!(unpacked.get("index.js").unwrap().data, b"MALICIOUS");
    assert_eq!(reason_of(&unpacked, "index.js"), &SkipReason::DuplicatePath);
    assert_eq!(unpacked.total_bytes, 12);

    // The same through pack_files, which keeps duplicates in their given order.
    let tgz = pack_files([("a.js", &b"1"[..]), ("a.js", &b"2"[..])]).unwrap();
    let unpacked = unpack(&tgz, &Limits::default()).unwrap();
    assert_eq!(unpacked.files.len(), 1);
    assert_eq!(unpacked.files[0].data, b"2");
    assert_eq!(unpacked.skipped.len(), 1);
}

#[test]
fn pax_long_names_and_overrides_are_honoured() {
    let long = format!("package/{}/index.js", "d".repeat(300));
    let tar = RawTar::new()
        .pax(&[("path", long.as_bytes())])
        .file(b"package/short-name-ignored.js", b"long")
        // A pax path overrides a harmless ustar name: the override is what gets checked.
        .pax(&[("path", b"package/../../escape.js")])
        .file(b"package/harmless.js", b"evil")
        // A pax size overrides the header size.
        .pax(&[("size", b"3")])
        .header_and_data(header(b"package/sized.js", EntryType::Regular, 0), b"abc")
        .finish();
    let unpacked = unpack_tar(&tar);
    let expected = format!("{}/index.js", "d".repeat(300));
    assert_eq!(paths(&unpacked), [expected.as_str(), "sized.js"]);
    assert_eq!(unpacked.get("sized.js").unwrap().data, b"abc");
    assert!(matches!(
        reason_of(&unpacked, "package/../../escape.js"),
        SkipReason::UnsafePath { .. }
    ));
}

#[test]
fn gnu_long_names_are_honoured() {
    let long = format!("package/{}/x.js", "g".repeat(200));
    let mut builder = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(2);
    h.set_mode(0o644);
    builder.append_data(&mut h, &long, &b"ok"[..]).unwrap();
    let tar = builder.into_inner().unwrap();
    let unpacked = unpack_tar(&tar);
    assert_eq!(paths(&unpacked), [&long["package/".len()..]]);
}

#[test]
fn files_hidden_after_a_zero_block_are_found() {
    // npm's extractor only stops at two zero blocks; one must not hide what follows.
    let tar = RawTar::new()
        .file(b"package/a.js", b"a")
        .raw(&[0u8; 512])
        .file(b"package/hidden.js", b"b")
        .finish();
    assert_eq!(paths(&unpack_tar(&tar)), ["a.js", "hidden.js"]);
    // Even after a full end-of-archive marker.
    let mut tar = RawTar::new().file(b"package/a.js", b"a").finish();
    tar.extend(RawTar::new().file(b"package/after-end.js", b"c").finish());
    assert_eq!(paths(&unpack_tar(&tar)), ["a.js", "after-end.js"]);
}

#[test]
fn multi_member_gzip_is_read_entirely() {
    let first = RawTar::new().file(b"package/a.js", b"a").unfinished();
    let second = RawTar::new().file(b"package/b.js", b"b").finish();
    let mut tgz = gzip(&first);
    tgz.extend(gzip(&second));
    let unpacked = unpack(&tgz, &Limits::default()).unwrap();
    assert_eq!(paths(&unpacked), ["a.js", "b.js"]);
}

/// Issue 19: an old registry tarball whose gzip stream is followed by zero padding (npm installs
/// it; `gzip -t` and `tar` accept it) was refused as "invalid gzip header".
#[test]
fn issue_19_gzip_followed_by_zero_padding_is_accepted() {
    let tar = RawTar::new()
        .file(
            b"package/package.json",
            br#"{"name":"old","version":"0.1.0"}"#,
        )
        .file(b"package/index.js", b"module.exports = 1;\n")
        .finish();
    let plain = unpack(&gzip(&tar), &Limits::default()).unwrap();
    // One byte, a 512-byte block and a 10 KiB tar record of padding.
    for padding in [1usize, 512, 10240] {
        let mut tgz = gzip(&tar);
        tgz.extend(vec![0u8; padding]);
        let unpacked = unpack(&tgz, &Limits::default()).unwrap();
        assert_eq!(unpacked, plain, "{padding} bytes of padding");
    }
}

/// Issue 19: several gzip members followed by padding: every member is read, then the padding
/// ends the stream. A corrupt member is still an error, padding or not.
#[test]
fn issue_19_several_gzip_members_then_padding_are_read_entirely() {
    let first = RawTar::new().file(b"package/a.js", b"a").unfinished();
    let second = RawTar::new().file(b"package/b.js", b"b").unfinished();
    let third = RawTar::new().file(b"package/c.js", b"c").finish();
    let mut tgz = gzip(&first);
    tgz.extend(gzip(&second));
    tgz.extend(gzip(&third));
    tgz.extend([0u8; 2048]);
    let unpacked = unpack(&tgz, &Limits::default()).unwrap();
    assert_eq!(paths(&unpacked), ["a.js", "b.js", "c.js"]);

    // A bit flipped in the second member's data fails its CRC (or its deflate stream).
    let mut corrupt = gzip(&first);
    let start = corrupt.len();
    corrupt.extend(gzip(&second));
    corrupt[start + 12] ^= 0x55;
    corrupt.extend([0u8; 512]);
    let err = unpack(&corrupt, &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Gzip { .. }), "{err}");
    // Non-zero bytes where a member would start are not padding.
    let mut garbage = gzip(&third);
    garbage.extend(b"PADDING!");
    let err = unpack(&garbage, &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Gzip { .. }), "{err}");
}

/// The total limit counts the decompressed bytes of every member together, not per member.
#[test]
fn total_limit_counts_all_gzip_members_together() {
    let first = RawTar::new()
        .file(b"package/a.bin", &[1u8; 6000])
        .unfinished();
    let second = RawTar::new().file(b"package/b.bin", &[2u8; 6000]).finish();
    let mut tgz = gzip(&first);
    tgz.extend(gzip(&second));
    tgz.extend([0u8; 512]);
    // Each member alone decompresses to under 10 000 bytes; together they do not.
    assert!(first.len() < 10_000 && second.len() < 10_000);
    let limits = Limits {
        max_total_bytes: 10_000,
        ..Limits::default()
    };
    let err = unpack(&tgz, &limits).unwrap_err();
    assert!(
        matches!(err, UnpackError::TotalTooLarge { limit: 10_000, .. }),
        "{err}"
    );
}

/// The ratio limit spans every member, and zero padding does not count as compressed input (or
/// a bomb could buy itself a higher cap with padding).
#[test]
fn ratio_limit_spans_members_and_ignores_padding() {
    let zeros = RawTar::new()
        .file(b"package/z.bin", &[0u8; 40_000])
        .unfinished();
    let end = RawTar::new()
        .file(b"package/y.bin", &[0u8; 40_000])
        .finish();
    let mut tgz = gzip(&zeros);
    tgz.extend(gzip(&end));
    let stream_len = tgz.len() as u64;
    // Enough padding to lift a cap computed on the whole input over the decompressed size.
    tgz.extend(vec![0u8; 100_000]);
    // A ratio whose cap (on the members' compressed size) is above what the first member
    // inflates to and below what both do.
    let ratio = (zeros.len() as u64 * 3 / 2).div_ceil(stream_len);
    let cap = ratio * stream_len;
    assert!((zeros.len() as u64) < cap && ((zeros.len() + end.len()) as u64) > cap);
    let limits = Limits {
        max_compression_ratio: ratio,
        compression_ratio_floor: 0,
        ..Limits::default()
    };
    let err = unpack(&tgz, &limits).unwrap_err();
    let UnpackError::CompressionRatio { compressed, .. } = err else {
        panic!("unexpected error: {err}")
    };
    // The padding is not counted (a few of the stream's own trailing zero bytes may be).
    assert!(
        (stream_len..=stream_len + 16).contains(&compressed),
        "{compressed}"
    );
}

#[test]
fn oversized_file_is_skipped_and_the_rest_kept() {
    let tar = RawTar::new()
        .file(b"package/big.bin", &[7u8; 5000])
        .file(b"package/small.js", b"small")
        .finish();
    let limits = Limits {
        max_file_bytes: 4096,
        ..Limits::default()
    };
    let unpacked = unpack(&gzip(&tar), &limits).unwrap();
    assert_eq!(paths(&unpacked), ["small.js"]);
    assert_eq!(
        reason_of(&unpacked, "big.bin"),
        &SkipReason::TooLarge { size: 5000 }
    );
    assert!(unpacked.skipped[0].to_string().contains("5000"));
}

#[test]
fn entry_limit_counts_every_entry() {
    let tar = RawTar::new()
        .entry(b"package/", EntryType::Directory, b"")
        .file(b"package/a.js", b"a")
        .link(b"package/l", EntryType::Symlink, b"a.js")
        .finish();
    let limits = Limits {
        max_entries: 2,
        ..Limits::default()
    };
    let err = unpack(&gzip(&tar), &limits).unwrap_err();
    assert!(
        matches!(err, UnpackError::TooManyEntries { limit: 2, ref entry } if entry == "package/l"),
        "{err}"
    );
    let limits = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    assert!(unpack(&gzip(&tar), &limits).is_ok());
}

#[test]
fn total_limit_counts_kept_file_bytes() {
    let tar = RawTar::new()
        .file(b"package/a", &[1u8; 3000])
        .file(b"package/b", &[2u8; 3000])
        .finish();
    // The stream (about 7 KiB) fits, the two files together (6000 bytes) do not fit in 5000...
    let limits = Limits {
        max_total_bytes: 8192,
        ..Limits::default()
    };
    assert!(unpack(&gzip(&tar), &limits).is_ok());
    let limits = Limits {
        max_total_bytes: 5000,
        ..Limits::default()
    };
    let err = unpack(&gzip(&tar), &limits).unwrap_err();
    assert!(
        matches!(err, UnpackError::TotalTooLarge { limit: 5000, .. }),
        "{err}"
    );
}

#[test]
fn small_compressible_tarballs_are_below_the_ratio_floor() {
    let zeros = vec![0u8; 10 * 1024 * 1024];
    let tgz = pack_files([("zeros.bin", &zeros[..])]).unwrap();
    assert!(
        zeros.len() / tgz.len() > 200,
        "ratio {}",
        zeros.len() / tgz.len()
    );
    let unpacked = unpack(&tgz, &Limits::default()).unwrap();
    assert_eq!(unpacked.total_bytes, 10 * 1024 * 1024);
    // With the floor lowered, the same tarball trips the ratio check.
    let limits = Limits {
        compression_ratio_floor: 1024 * 1024,
        ..Limits::default()
    };
    let err = unpack(&tgz, &limits).unwrap_err();
    assert!(
        matches!(err, UnpackError::CompressionRatio { limit: 200, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("package/zeros.bin"), "{err}");
}
