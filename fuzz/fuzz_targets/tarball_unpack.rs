//! Fuzzes `tarsier_tarball::unpack` with the default limits.
//!
//! An input that starts with the gzip magic (`1f 8b`) is unpacked as it is, so the fuzzer explores
//! corrupt, truncated and concatenated gzip streams. Any other input is treated as tar-ish data
//! and gzip-compressed first, so the fuzzer explores the tar layer (headers, pax and GNU
//! extensions, links, sparse entries, paths) behind a valid gzip stream.
#![no_main]

use std::io::Write;

use flate2::{Compression, write::GzEncoder};
use libfuzzer_sys::fuzz_target;
use tarsier_tarball::{Limits, unpack};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if data.starts_with(&[0x1f, 0x8b]) {
        let _ = unpack(data, &limits);
        return;
    }
    let mut gz = GzEncoder::new(Vec::with_capacity(data.len() / 2 + 64), Compression::fast());
    if gz.write_all(data).is_err() {
        return;
    }
    let Ok(tgz) = gz.finish() else { return };
    if let Ok(unpacked) = unpack(&tgz, &limits) {
        // What comes out was checked on the way in: no path may escape the package.
        for file in &unpacked.files {
            assert!(
                !file.path.starts_with('/') && !file.path.split('/').any(|part| part == ".."),
                "unsafe path kept: {:?}",
                file.path
            );
        }
    }
});
