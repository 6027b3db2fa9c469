//! What the capability scan ([`caps::scan_js_decoded`]) found in texts already seen.
//!
//! The versions of a package repeat most of their files byte for byte; a scan of many
//! versions reads each text once. Texts are keyed by their SHA-256: a package is the
//! attacker's text, and a file crafted to collide with a harmless one would inherit its
//! (empty) capabilities.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::caps::{self, Hit};
use crate::deobfuscate::Decoded;

/// Texts remembered at most.
const MEMO_LIMIT: usize = 16_384;
/// Bytes of decoded text remembered at most (what deobfuscation rewrote can be as large as
/// the file).
const MEMO_DECODED_BYTES: usize = 64 * 1024 * 1024;

/// What the capability scan found in one text.
type Scanned = Arc<(Vec<Hit>, Option<Decoded>)>;

/// The capability scans of texts, by the SHA-256 of the text; shared by the packages of a
/// run through [`crate::Options::memo`].
#[derive(Debug, Default)]
pub struct ScanMemo {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    scanned: HashMap<[u8; 32], Scanned>,
    decoded_bytes: usize,
}

impl ScanMemo {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// [`caps::scan_js_decoded`] of `text`, from the memo when the text was seen before.
    pub fn scan_js_decoded(&self, text: &str) -> (Vec<Hit>, Option<Decoded>) {
        let key: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        if let Some(hit) = self
            .inner
            .lock()
            .ok()
            .and_then(|m| m.scanned.get(&key).cloned())
        {
            return (*hit).clone();
        }
        // Scanned outside the lock, so threads do not wait on each other's texts.
        let scanned = caps::scan_js_decoded(text);
        if let Ok(mut inner) = self.inner.lock() {
            let size = scanned.1.as_ref().map_or(0, |d| d.text.len());
            if inner.scanned.len() >= MEMO_LIMIT || inner.decoded_bytes + size > MEMO_DECODED_BYTES
            {
                inner.scanned.clear();
                inner.decoded_bytes = 0;
            }
            if size <= MEMO_DECODED_BYTES {
                inner.decoded_bytes += size;
                inner.scanned.insert(key, Arc::new(scanned.clone()));
            }
        }
        scanned
    }

    /// How many texts are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map_or(0, |m| m.scanned.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_text_seen_before_gets_what_it_got_then() {
        let memo = ScanMemo::new();
        let sends =
            "const https = require('https');\nhttps.request({ host: 'collector.invalid' });\n";
        let quiet = "module.exports = function add(a, b) { return a + b; };\n";
        let first = memo.scan_js_decoded(sends);
        assert!(!first.0.is_empty());
        assert_eq!(memo.scan_js_decoded(sends), first);
        assert_eq!(memo.len(), 1);
        // Another text is scanned for itself, not handed the first one's hits.
        assert!(memo.scan_js_decoded(quiet).0.is_empty());
        assert_eq!(memo.len(), 2);
        assert_eq!(memo.scan_js_decoded(sends), caps::scan_js_decoded(sends));
    }
}
