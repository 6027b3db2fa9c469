//! FNV-1a, the one stable hash tarsier uses where a value must be the same on every machine,
//! every run and every Rust version (shard assignment, cache keys, rule-set digests), and where
//! a fast hash of short trusted keys is wanted.

/// The 64-bit FNV-1a hash, fed bytes in any number of pieces (the result depends only on the
/// concatenation). Also a [`std::hash::Hasher`], for maps keyed by short strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Feeds `bytes`, then marks the end of the piece (so `"ab" + "c"` and `"a" + "bc"` differ).
    pub fn update_piece(&mut self, bytes: &[u8]) {
        self.update(bytes);
        self.0 ^= 0xff;
    }

    /// The hash of everything fed so far.
    pub fn value(&self) -> u64 {
        self.0
    }
}

impl std::hash::Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A hash map keyed through [`Fnv1a`]: for short trusted keys (names, node ids) hashed on hot
/// paths, where SipHash's protection against chosen keys buys nothing.
pub type FnvHashMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv1a>>;

/// A hash set keyed through [`Fnv1a`] (see [`FnvHashMap`]).
pub type FnvHashSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fnv1a>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_and_pieces() {
        assert_eq!(Fnv1a::default().value(), 0xcbf2_9ce4_8422_2325);
        let mut a = Fnv1a::default();
        a.update(b"a");
        assert_eq!(a.value(), 0xaf63_dc4c_8601_ec8c);
        let mut foobar = Fnv1a::default();
        foobar.update(b"foo");
        foobar.update(b"bar");
        assert_eq!(foobar.value(), 0x8594_4171_f739_67e8);
        let (mut x, mut y) = (Fnv1a::default(), Fnv1a::default());
        x.update_piece(b"ab");
        x.update_piece(b"c");
        y.update_piece(b"a");
        y.update_piece(b"bc");
        assert_ne!(x.value(), y.value());
    }
}
