//! The gzip layer: every member of a multi-member stream, and the zero padding after it.
//!
//! `flate2`'s `MultiGzDecoder` reads member after member until the input ends, so a stream
//! followed by zero bytes (old registry tarballs are padded to a block size) fails as an
//! "invalid gzip header". Node's gunzip, which npm uses, stops at the first zero byte after a
//! member and ignores the rest ("trailing zero bytes are okay, since they are frequently used
//! for padding", in Node's zlib binding); any other byte must start another member. This reader
//! does the same, so what npm installs is what tarsier reads: a member hidden after the padding
//! is not installed by npm either.

use std::io::{self, Read};

use flate2::bufread::GzDecoder;

/// Decompresses the members of a gzip stream held in memory, one after the other, stopping at
/// the end of the input or at a zero byte where a member would start.
pub(crate) struct Members<'a> {
    /// The member being read.
    decoder: GzDecoder<&'a [u8]>,
    /// The stream has ended (the last member was read, and only padding or nothing followed).
    done: bool,
}

impl<'a> Members<'a> {
    /// A reader of the members of `input` (which starts with the first member's header).
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self {
            decoder: GzDecoder::new(input),
            done: false,
        }
    }
}

impl Read for Members<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.done {
                return Ok(0);
            }
            // A single-member decoder on a byte slice consumes exactly its member (header,
            // deflate data and the CRC/length trailer, which it verifies), so what is left in
            // the slice afterwards is what follows the member.
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            let rest: &[u8] = self.decoder.get_ref();
            match rest.first() {
                None | Some(0) => self.done = true,
                Some(_) => self.decoder = GzDecoder::new(rest),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Members;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::{Read, Write};

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn decode(input: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Members::new(input).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn reads_every_member_and_stops_at_padding() {
        let mut input = gzip(b"one ");
        input.extend(gzip(b"two"));
        assert_eq!(decode(&input).unwrap(), b"one two");
        input.extend([0u8; 1024]);
        assert_eq!(decode(&input).unwrap(), b"one two");
    }

    #[test]
    fn garbage_where_a_member_would_start_is_an_error() {
        let mut input = gzip(b"one");
        input.extend(b"garbage");
        assert!(decode(&input).is_err());
    }

    #[test]
    fn a_truncated_member_is_an_error() {
        let input = gzip(&[7u8; 4096]);
        assert!(decode(&input[..input.len() - 4]).is_err());
        // Cut inside the trailer of the first of two members.
        let mut two = gzip(b"one");
        let cut = two.len() - 2;
        two.truncate(cut);
        two.extend(gzip(b"two"));
        assert!(decode(&two).is_err());
    }
}
