//! Subresource Integrity (SRI) strings as npm uses them, and legacy `shasum`s.
//!
//! A packument's `dist.integrity` may hold several space-separated entries such as
//! `sha1-... sha512-...`; the strongest algorithm present is the one checked (any of its digests
//! may match, as the SRI spec says). Unknown algorithms are ignored. `dist.shasum` (sha1 in hex)
//! is only used when there is no usable integrity.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::Digest as _;

/// A hash algorithm, ordered from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// SHA-1 (legacy shasums and old integrity strings).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512 (what npm publishes today).
    Sha512,
}

impl Algorithm {
    /// The SRI prefix (`sha512`, ...), also used as the cache directory name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    fn digest_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Hashes `bytes`.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(bytes).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(bytes).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(bytes).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(bytes).to_vec(),
        }
    }
}

/// One algorithm and digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Integrity {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The raw digest bytes.
    pub digest: Vec<u8>,
}

impl Integrity {
    /// Hashes `bytes` with `algorithm`.
    pub fn compute(algorithm: Algorithm, bytes: &[u8]) -> Self {
        Self {
            algorithm,
            digest: algorithm.digest(bytes),
        }
    }

    /// The digest in lowercase hex.
    pub fn hex(&self) -> String {
        hex::encode(&self.digest)
    }

    /// The SRI form, `sha512-<base64>`.
    pub fn to_sri(&self) -> String {
        format!(
            "{}-{}",
            self.algorithm.name(),
            STANDARD.encode(&self.digest)
        )
    }
}

impl fmt::Display for Integrity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sri())
    }
}

/// What a tarball is expected to hash to: the strongest algorithm offered and its digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedIntegrity {
    /// The algorithm to check.
    pub algorithm: Algorithm,
    /// Acceptable digests (usually one).
    pub digests: Vec<Vec<u8>>,
}

impl ExpectedIntegrity {
    /// Parses an SRI string, keeping the strongest known algorithm. Errors say why nothing usable
    /// was found.
    pub fn parse_sri(sri: &str) -> Result<Self, String> {
        let mut best: Option<Self> = None;
        let mut problems = Vec::new();
        for entry in sri.split_whitespace() {
            // Options after `?` are allowed by the SRI grammar and carry no meaning here.
            let entry = entry.split('?').next().unwrap_or_default();
            let Some((algo, b64)) = entry.split_once('-') else {
                problems.push(format!("`{entry}` is not <algorithm>-<base64>"));
                continue;
            };
            let Some(algorithm) = Algorithm::from_name(algo) else {
                problems.push(format!("unknown algorithm `{algo}`"));
                continue;
            };
            let digest = match STANDARD.decode(b64) {
                Ok(d) if d.len() == algorithm.digest_len() => d,
                Ok(d) => {
                    problems.push(format!("{algo} digest has {} bytes", d.len()));
                    continue;
                }
                Err(e) => {
                    problems.push(format!("{algo} digest is not base64: {e}"));
                    continue;
                }
            };
            match &mut best {
                Some(b) if b.algorithm == algorithm => b.digests.push(digest),
                Some(b) if b.algorithm > algorithm => {}
                _ => {
                    best = Some(Self {
                        algorithm,
                        digests: vec![digest],
                    });
                }
            }
        }
        best.ok_or_else(|| {
            if problems.is_empty() {
                "empty integrity".to_owned()
            } else {
                problems.join("; ")
            }
        })
    }

    /// Parses a legacy `shasum` (sha1 in hex).
    pub fn from_shasum(shasum: &str) -> Result<Self, String> {
        match hex::decode(shasum.trim()) {
            Ok(d) if d.len() == 20 => Ok(Self {
                algorithm: Algorithm::Sha1,
                digests: vec![d],
            }),
            Ok(d) => Err(format!("shasum has {} bytes, expected 20", d.len())),
            Err(e) => Err(format!("shasum is not hex: {e}")),
        }
    }

    /// The primary digest (the cache key).
    pub fn primary(&self) -> Integrity {
        Integrity {
            algorithm: self.algorithm,
            digest: self.digests.first().cloned().unwrap_or_default(),
        }
    }

    /// Whether `bytes` match; returns the actual digest either way.
    pub fn check(&self, bytes: &[u8]) -> (bool, Integrity) {
        let actual = Integrity::compute(self.algorithm, bytes);
        (self.digests.contains(&actual.digest), actual)
    }

    /// How to show the expectation in messages (SRI form of the primary digest).
    pub fn describe(&self) -> String {
        self.primary().to_sri()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn picks_strongest() {
        let data = b"hello";
        let s1 = Integrity::compute(Algorithm::Sha1, data).to_sri();
        let s512 = Integrity::compute(Algorithm::Sha512, data).to_sri();
        let e = ExpectedIntegrity::parse_sri(&format!("{s1} md5-xx {s512}?opt")).unwrap();
        assert_eq!(e.algorithm, Algorithm::Sha512);
        assert!(e.check(data).0);
        assert!(!e.check(b"other").0);
    }

    #[test]
    fn rejects_garbage() {
        assert!(ExpectedIntegrity::parse_sri("").is_err());
        assert!(ExpectedIntegrity::parse_sri("md5-abc").is_err());
        assert!(ExpectedIntegrity::parse_sri("sha512-!!!").is_err());
        assert!(ExpectedIntegrity::parse_sri("sha512-aGVsbG8=").is_err());
        assert!(ExpectedIntegrity::from_shasum("zz").is_err());
    }

    #[test]
    fn shasum() {
        let hex = Integrity::compute(Algorithm::Sha1, b"x").hex();
        let e = ExpectedIntegrity::from_shasum(&hex).unwrap();
        assert!(e.check(b"x").0);
        assert_eq!(e.primary().hex(), hex);
    }
}
