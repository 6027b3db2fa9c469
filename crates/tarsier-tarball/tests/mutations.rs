//! Random byte mutations of valid tarballs: `unpack` must return (Ok or Err), never panic or hang.
#![allow(clippy::unwrap_used)]

mod common;

use common::{RawTar, Rng, gzip};
use tar::EntryType;
use tarsier_tarball::{Limits, pack_files, unpack};

/// A small tarball exercising several entry kinds and extension headers.
fn sample_tar() -> Vec<u8> {
    let long = format!("package/{}/x.js", "p".repeat(150));
    RawTar::new()
        .file(
            b"package/package.json",
            br#"{"name":"m","version":"1.0.0"}"#,
        )
        .pax(&[("path", long.as_bytes())])
        .file(b"package/short.js", &b"console.log(1);\n".repeat(40))
        .link(b"package/l", EntryType::Symlink, b"../x")
        .entry(b"package/d/", EntryType::Directory, b"")
        .file(b"package/d/e.js", b"e")
        .finish()
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(4) {
            0 | 1 => {
                let at = rng.below(data.len());
                data[at] = u8::try_from(rng.next() & 0xff).unwrap();
            }
            2 => {
                let at = rng.below(data.len());
                data.truncate(at.max(1));
            }
            _ => {
                let at = rng.below(data.len());
                let byte = u8::try_from(rng.next() & 0xff).unwrap();
                data.insert(at, byte);
            }
        }
    }
    data
}

#[test]
fn mutated_tar_streams_never_panic() {
    let tar = sample_tar();
    assert_eq!(
        unpack(&gzip(&tar), &Limits::default()).unwrap().files.len(),
        3
    );
    let small = Limits {
        max_total_bytes: 1024 * 1024,
        max_file_bytes: 64 * 1024,
        max_entries: 100,
        ..Limits::default()
    };
    let mut rng = Rng::new(0x7a75_1e55);
    let mut outcomes = [0usize; 2];
    for _ in 0..3000 {
        let mutated = mutate(&mut rng, &tar);
        let result = unpack(&gzip(&mutated), &small);
        outcomes[usize::from(result.is_ok())] += 1;
        if let Ok(unpacked) = result {
            assert!(unpacked.files.windows(2).all(|w| w[0].path < w[1].path));
        }
    }
    // Both outcomes occur, so the mutations reach the parser in interesting ways.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

#[test]
fn mutated_gzip_streams_never_panic() {
    let tgz = pack_files([
        ("package.json", &br#"{"name":"m"}"#[..]),
        ("index.js", &b"module.exports = () => 42;\n".repeat(30)[..]),
    ])
    .unwrap();
    let mut rng = Rng::new(42);
    for _ in 0..3000 {
        let mutated = mutate(&mut rng, &tgz);
        let _ = unpack(&mutated, &Limits::default());
    }
}
