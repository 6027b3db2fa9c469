//! A reader that counts the decompressed stream and stops it at the limits.
//!
//! It sits between the gzip decoder and the tar reader, so a gzip bomb is stopped as soon as the
//! bound is crossed, whatever the tar layer is doing (reading a header, reading file data, or
//! skipping the data of an entry it was told to ignore). Because the tar reader wraps and rewrites
//! I/O errors, the meter also records *why* it failed in a shared [`Trip`] that the caller inspects
//! afterwards to report the precise error.

use std::cell::{Cell, RefCell};
use std::io::{self, Read};
use std::rc::Rc;

/// Why the metered stream stopped, recorded for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trip {
    /// More than `max_total_bytes` were decompressed.
    Total,
    /// The compression-ratio cap was crossed.
    Ratio,
    /// The decompressor itself failed (corrupt or truncated gzip).
    Gzip,
}

/// State shared between the meter (owned by the tar reader) and the unpacker.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Decompressed bytes so far.
    pub(crate) bytes: Cell<u64>,
    /// Why the stream failed, if it did.
    pub(crate) trip: Cell<Option<Trip>>,
    /// The decompressor's message, when `trip` is [`Trip::Gzip`].
    pub(crate) gzip_message: RefCell<Option<String>>,
}

/// Counts bytes read from `inner` and fails once `max_total` or `ratio_cap` is exceeded.
pub(crate) struct Meter<R> {
    inner: R,
    max_total: u64,
    ratio_cap: u64,
    shared: Rc<Shared>,
}

impl<R> Meter<R> {
    /// Wraps `inner`; `shared` receives the count and the reason of a failure.
    pub(crate) fn new(inner: R, max_total: u64, ratio_cap: u64, shared: Rc<Shared>) -> Self {
        Self {
            inner,
            max_total,
            ratio_cap,
            shared,
        }
    }

    fn fail(&self, trip: Trip, message: &str) -> io::Error {
        self.shared.trip.set(Some(trip));
        io::Error::other(message.to_owned())
    }
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Once failed, stay failed: a caller that ignores one error must not get more data.
        if self.shared.trip.get().is_some() {
            return Err(io::Error::other("the tarball stream already failed"));
        }
        // Never ask for more than one byte past the tightest bound, so a single huge read
        // cannot inflate far beyond it.
        let bound = self.max_total.min(self.ratio_cap);
        let allowed = bound
            .saturating_sub(self.shared.bytes.get())
            .saturating_add(1);
        let len = buf
            .len()
            .min(usize::try_from(allowed).unwrap_or(usize::MAX));
        let n = match self.inner.read(buf.get_mut(..len).unwrap_or_default()) {
            Ok(n) => n,
            Err(err) => {
                if let Ok(mut message) = self.shared.gzip_message.try_borrow_mut() {
                    *message = Some(err.to_string());
                }
                return Err(self.fail(Trip::Gzip, "corrupt or truncated gzip stream"));
            }
        };
        let total = self.shared.bytes.get().saturating_add(n as u64);
        self.shared.bytes.set(total);
        if total > self.max_total {
            return Err(self.fail(Trip::Total, "decompressed size limit exceeded"));
        }
        if total > self.ratio_cap {
            return Err(self.fail(Trip::Ratio, "compression ratio limit exceeded"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Meter, Shared, Trip};
    use std::io::Read;
    use std::rc::Rc;

    #[test]
    fn stops_one_byte_past_the_limit() {
        let shared = Rc::new(Shared::default());
        let data = vec![0u8; 1000];
        let mut meter = Meter::new(&data[..], 100, u64::MAX, Rc::clone(&shared));
        let mut out = Vec::new();
        let err = meter.read_to_end(&mut out).unwrap_err();
        assert_eq!(shared.trip.get(), Some(Trip::Total));
        assert_eq!(shared.bytes.get(), 101);
        assert!(err.to_string().contains("limit"));
        // Stays failed.
        assert!(meter.read(&mut [0u8; 10]).is_err());
    }

    #[test]
    fn ratio_cap_trips_separately() {
        let shared = Rc::new(Shared::default());
        let data = vec![0u8; 1000];
        let mut meter = Meter::new(&data[..], 500, 50, Rc::clone(&shared));
        assert!(meter.read_to_end(&mut Vec::new()).is_err());
        assert_eq!(shared.trip.get(), Some(Trip::Ratio));
    }

    #[test]
    fn passes_small_streams_through() {
        let shared = Rc::new(Shared::default());
        let data = vec![7u8; 100];
        let mut meter = Meter::new(&data[..], 100, 100, Rc::clone(&shared));
        let mut out = Vec::new();
        meter.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(shared.trip.get(), None);
    }
}
