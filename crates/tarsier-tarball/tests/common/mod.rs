//! Builders for hostile test tarballs, generated in the tests (never committed as binaries).
//!
//! `tar::Builder` refuses unsafe paths, so these helpers write raw 512-byte headers themselves.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::{Compress, Compression, FlushCompress, Status};
use tar::{EntryType, Header};

/// A tar stream assembled header by header.
#[derive(Default)]
pub struct RawTar {
    buf: Vec<u8>,
}

impl RawTar {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a header (checksum set here) and its data, padded to 512 bytes.
    pub fn header_and_data(&mut self, mut header: Header, data: &[u8]) -> &mut Self {
        header.set_cksum();
        self.buf.extend_from_slice(header.as_bytes());
        self.buf.extend_from_slice(data);
        self.pad();
        self
    }

    /// Appends an entry whose name bytes are written verbatim (at most 100 bytes).
    pub fn entry(&mut self, name: &[u8], kind: EntryType, data: &[u8]) -> &mut Self {
        let header = header(name, kind, data.len() as u64);
        self.header_and_data(header, data)
    }

    /// A regular file.
    pub fn file(&mut self, name: &[u8], data: &[u8]) -> &mut Self {
        self.entry(name, EntryType::Regular, data)
    }

    /// A link-like entry (symlink or hard link) with a verbatim target.
    pub fn link(&mut self, name: &[u8], kind: EntryType, target: &[u8]) -> &mut Self {
        let mut header = header(name, kind, 0);
        let old = header.as_old_mut();
        old.linkname[..target.len()].copy_from_slice(target);
        self.header_and_data(header, &[])
    }

    /// A pax extended header ('x') applying to the next entry.
    pub fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut data = Vec::new();
        for (key, value) in records {
            let body_len = 1 + key.len() + 1 + value.len() + 1;
            let mut len = body_len + 1;
            while len.to_string().len() + body_len != len {
                len = len.to_string().len() + body_len;
            }
            data.extend_from_slice(format!("{len} {key}=").as_bytes());
            data.extend_from_slice(value);
            data.push(b'\n');
        }
        self.entry(b"PaxHeader", EntryType::XHeader, &data)
    }

    /// Raw bytes (for example zero blocks) appended as they are.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// The stream with the end-of-archive marker (two zero blocks).
    pub fn finish(&self) -> Vec<u8> {
        let mut out = self.buf.clone();
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    /// The stream without any end-of-archive marker.
    pub fn unfinished(&self) -> Vec<u8> {
        self.buf.clone()
    }

    fn pad(&mut self) {
        let rem = self.buf.len() % 512;
        if rem != 0 {
            self.buf.resize(self.buf.len() + 512 - rem, 0);
        }
    }
}

/// A GNU header with verbatim name bytes.
pub fn header(name: &[u8], kind: EntryType, size: u64) -> Header {
    let mut header = Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_size(size);
    header.set_entry_type(kind);
    header
}

/// Gzips `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    gzip_with(data, Compression::default())
}

/// Gzips `data` at the given level.
pub fn gzip_with(data: &[u8], level: Compression) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), level);
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Deflates `input` with `flush`, appending to `out`.
fn deflate(compress: &mut Compress, mut input: &[u8], flush: FlushCompress, out: &mut Vec<u8>) {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let (in_before, out_before) = (compress.total_in(), compress.total_out());
        let status = compress.compress(input, &mut buf, flush).unwrap();
        let consumed = usize::try_from(compress.total_in() - in_before).unwrap();
        let produced = usize::try_from(compress.total_out() - out_before).unwrap();
        out.extend_from_slice(&buf[..produced]);
        input = &input[consumed..];
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            _ => input.is_empty() && produced < buf.len(),
        };
        if done {
            return;
        }
    }
}

/// A gzip'd tar holding one regular file `package/zeros.bin` of `size` zero bytes, built without
/// ever compressing (or holding) the whole stream: a 1 MiB block of deflated zeros, byte-aligned by
/// a sync flush, is repeated, which is valid because its back-references only reach zeros.
/// The gzip trailer's CRC is deliberately not computed (it would need all the bytes): a reader
/// must stop at its limits long before it gets there.
pub fn gzip_bomb(size: u64) -> Vec<u8> {
    const CHUNK: u64 = 1024 * 1024;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut compress = Compress::new(Compression::best(), false);
    let mut head = header(b"package/zeros.bin", EntryType::Regular, size);
    head.set_cksum();
    let mut first = head.as_bytes().to_vec();
    first.resize(512 + usize::try_from(CHUNK).unwrap(), 0);
    deflate(&mut compress, &first, FlushCompress::Sync, &mut out);
    let mut block = Vec::new();
    deflate(
        &mut compress,
        &vec![0u8; usize::try_from(CHUNK).unwrap()],
        FlushCompress::Sync,
        &mut block,
    );
    // Data written so far: CHUNK zeros. The rest, plus padding and end-of-archive, in blocks.
    let remaining = (size + 1024).saturating_sub(CHUNK);
    for _ in 0..remaining.div_ceil(CHUNK) {
        out.extend_from_slice(&block);
    }
    deflate(&mut compress, &[], FlushCompress::Finish, &mut out);
    out.extend_from_slice(&[0, 0, 0, 0]); // CRC32: not computed, see above.
    let total = 512 + CHUNK + remaining.div_ceil(CHUNK) * CHUNK;
    out.extend_from_slice(&u32::try_from(total % (1 << 32)).unwrap().to_le_bytes());
    out
}

/// Peak resident memory of this process in KiB (Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A tiny deterministic PRNG (xorshift64*) for mutation tests.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64).max(1)).unwrap()
    }
}
