//! Resource bounds for unpacking an untrusted tarball.
//!
//! Every bound is checked while streaming, before the bytes it guards are held in memory, so a
//! hostile tarball costs at most about `max_total_bytes` of memory and the time to inflate that many
//! bytes.

/// Bounds applied by [`unpack`](crate::unpack).
///
/// Build one with struct update syntax to change a single bound:
///
/// ```
/// let limits = tarsier_tarball::Limits { max_entries: 10, ..Default::default() };
/// assert_eq!(limits.max_file_bytes, 64 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of uncompressed bytes. Counted twice, each against this bound: on the
    /// decompressed tar stream as it is inflated (headers, padding and skipped data included), and
    /// on the file contents kept in memory (sparse files at their expanded size). Exceeding it is
    /// fatal. Default: 512 MiB.
    pub max_total_bytes: u64,
    /// Maximum size of one file. A larger file is skipped with a
    /// [`SkipReason::TooLarge`](crate::SkipReason::TooLarge) note and its data is never read into
    /// memory. Default: 64 MiB.
    pub max_file_bytes: u64,
    /// Maximum number of tar entries of any kind (files, directories, links, ...); extension
    /// headers (pax, GNU long names) are not counted but their bytes are. Exceeding it is fatal.
    /// Default: 100 000.
    pub max_entries: u64,
    /// Maximum ratio of decompressed bytes to the size of the gzip input, checked only once more
    /// than [`compression_ratio_floor`](Self::compression_ratio_floor) bytes have been
    /// decompressed. Exceeding it is fatal. Default: 200 (ordinary npm tarballs compress 3:1 to
    /// 10:1; gzip's maximum is about 1032:1).
    pub max_compression_ratio: u64,
    /// Number of decompressed bytes below which the compression ratio is not checked, so small,
    /// very compressible tarballs (a package of empty files) are not refused. Default: 16 MiB.
    pub compression_ratio_floor: u64,
}

impl Limits {
    /// Limits that accept anything up to `u64::MAX` bytes and entries: only for trusted input
    /// such as tarballs produced by [`pack_files`](crate::pack_files) in tests.
    #[must_use]
    pub const fn unlimited() -> Self {
        Self {
            max_total_bytes: u64::MAX,
            max_file_bytes: u64::MAX,
            max_entries: u64::MAX,
            max_compression_ratio: u64::MAX,
            compression_ratio_floor: u64::MAX,
        }
    }

    /// The decompressed size at which the compression-ratio check trips for an input of
    /// `compressed_len` bytes: the larger of the floor and `ratio * compressed_len`.
    pub(crate) fn ratio_cap(&self, compressed_len: u64) -> u64 {
        self.compression_ratio_floor
            .max(self.max_compression_ratio.saturating_mul(compressed_len))
    }
}

impl Default for Limits {
    /// npm-sized defaults: 512 MiB in total, 64 MiB per file, 100 000 entries, and a compression
    /// ratio of at most 200:1 once past 16 MiB decompressed.
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Self {
            max_total_bytes: 512 * MIB,
            max_file_bytes: 64 * MIB,
            max_entries: 100_000,
            max_compression_ratio: 200,
            compression_ratio_floor: 16 * MIB,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn ratio_cap_uses_floor_for_small_inputs() {
        let limits = Limits::default();
        assert_eq!(limits.ratio_cap(1000), 16 * 1024 * 1024);
        assert_eq!(limits.ratio_cap(1024 * 1024), 200 * 1024 * 1024);
        assert_eq!(Limits::unlimited().ratio_cap(u64::MAX), u64::MAX);
    }
}
