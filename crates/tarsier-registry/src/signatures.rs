//! Registry signatures and provenance: is this tarball the one the registry signed, and was it
//! published from a build with provenance when earlier versions were?
//!
//! - [`RegistryKeys`]: the registry's public keys, served at `{registry}/-/npm/v1/keys` as
//!   `{"keys": [{"keyid", "keytype", "scheme", "key", "expires"}]}`, `key` being a base64 SPKI DER
//!   public key; fetched with [`RegistryClient::registry_keys`].
//! - [`verify_signatures`]: checks a version's `dist.signatures`, ECDSA P-256 with SHA-256 over
//!   `{name}@{version}:{integrity}`, against those keys: [`SignatureStatus`].
//! - [`provenance`]: whether a version has `dist.attestations`, and whether it lacks them after a
//!   lower version (in semver order) had them, the mark of a publish with a stolen token:
//!   [`Provenance`];
//! - [`publisher_signals`]: a version published by an account that never published the package
//!   before, and maintainers added or removed since the previous version: [`PublisherSignals`].
//!
//! Verification is pure and synchronous; only fetching the keys touches the network.

use std::collections::BTreeMap;

use base64::Engine as _;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature as EcdsaSignature, VerifyingKey};
use p256::pkcs8::DecodePublicKey as _;
use serde_json::Value;

use crate::client::RegistryClient;
use crate::error::RegistryError;
use crate::packument::{Dist, Packument};
use crate::redact_url;

/// The key type and scheme npm registries use.
pub const NPM_KEY_SCHEME: &str = "ecdsa-sha2-nistp256";
/// The largest keys document accepted.
const MAX_KEYS_BYTES: u64 = 1024 * 1024;

/// One public key of a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryKey {
    /// The key id signatures refer to (`SHA256:...`).
    pub keyid: String,
    /// `ecdsa-sha2-nistp256` for npm.
    pub keytype: String,
    /// `ecdsa-sha2-nistp256` for npm.
    pub scheme: String,
    /// The public key, base64 of SPKI DER.
    pub key: String,
    /// When the key stopped being valid (RFC 3339), if it did.
    pub expires: Option<String>,
}

/// A registry's public keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistryKeys {
    /// The keys, in the order served.
    pub keys: Vec<RegistryKey>,
}

impl RegistryKeys {
    /// Parses the `/-/npm/v1/keys` document. Entries missing `keyid` or `key` are skipped; a
    /// document that is not `{"keys": [...]}` is an error saying why.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let keys = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| "the document has no `keys` array".to_owned())?;
        let text = |k: &Value, f: &str| k.get(f).and_then(Value::as_str).map(str::to_owned);
        Ok(Self {
            keys: keys
                .iter()
                .filter_map(|k| {
                    Some(RegistryKey {
                        keyid: text(k, "keyid")?,
                        key: text(k, "key")?,
                        keytype: text(k, "keytype").unwrap_or_default(),
                        scheme: text(k, "scheme").unwrap_or_default(),
                        expires: text(k, "expires"),
                    })
                })
                .collect(),
        })
    }

    /// The key with this id.
    pub fn get(&self, keyid: &str) -> Option<&RegistryKey> {
        self.keys.iter().find(|k| k.keyid == keyid)
    }
}

/// The outcome of checking a version's registry signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureStatus {
    /// A signature by a known, unexpired key verifies.
    Valid {
        /// The key that signed.
        keyid: String,
    },
    /// A signature by a known key does not verify (or cannot: no integrity, bad encoding,
    /// expired key).
    Invalid {
        /// The key it claims.
        keyid: String,
        /// Why it failed.
        reason: String,
    },
    /// The version has no signatures.
    Missing,
    /// Every signature names a key the registry does not serve.
    UnknownKey {
        /// The key ids named.
        keyids: Vec<String>,
    },
}

impl SignatureStatus {
    /// A short stable name: `valid`, `invalid`, `missing`, `unknown-key`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SignatureStatus::Valid { .. } => "valid",
            SignatureStatus::Invalid { .. } => "invalid",
            SignatureStatus::Missing => "missing",
            SignatureStatus::UnknownKey { .. } => "unknown-key",
        }
    }
}

/// The message a registry signs for a version.
pub fn signed_message(name: &str, version: &str, integrity: &str) -> String {
    format!("{name}@{version}:{integrity}")
}

fn verify_one(key: &RegistryKey, message: &[u8], sig_b64: &str) -> Result<(), String> {
    if !key.keytype.is_empty() && key.keytype != NPM_KEY_SCHEME {
        return Err(format!("unsupported key type `{}`", key.keytype));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let der = b64
        .decode(key.key.trim())
        .map_err(|e| format!("the key is not base64: {e}"))?;
    let verifying = VerifyingKey::from_public_key_der(&der)
        .map_err(|e| format!("the key is not a P-256 SPKI public key: {e}"))?;
    let sig = b64
        .decode(sig_b64.trim())
        .map_err(|e| format!("the signature is not base64: {e}"))?;
    let sig = EcdsaSignature::from_der(&sig)
        .map_err(|e| format!("the signature is not a DER ECDSA signature: {e}"))?;
    verifying
        .verify(message, &sig)
        .map_err(|_| "the signature does not match name@version:integrity".to_owned())
}

/// Checks `dist.signatures` of `name@version` against `keys`. `published` is the version's
/// publish time from the packument's `time` (RFC 3339); a key that expired before it does not
/// count as valid. Timestamps are compared as strings, which orders the UTC `...Z` form npm uses.
pub fn verify_signatures(
    keys: &RegistryKeys,
    name: &str,
    version: &str,
    dist: &Dist,
    published: Option<&str>,
) -> SignatureStatus {
    if dist.signatures.is_empty() {
        return SignatureStatus::Missing;
    }
    let mut unknown = Vec::new();
    let mut invalid = None;
    for s in &dist.signatures {
        let Some(key) = keys.get(&s.keyid) else {
            unknown.push(s.keyid.clone());
            continue;
        };
        let outcome = match (&dist.integrity, &key.expires, published) {
            (None, _, _) => Err("the version has no integrity to check the signature of".into()),
            (_, Some(expires), Some(at)) if at > expires.as_str() => Err(format!(
                "the key expired at {expires}, before the publish at {at}"
            )),
            (Some(integrity), _, _) => verify_one(
                key,
                signed_message(name, version, integrity).as_bytes(),
                &s.sig,
            ),
        };
        match outcome {
            Ok(()) => {
                return SignatureStatus::Valid {
                    keyid: s.keyid.clone(),
                };
            }
            Err(reason) => {
                invalid.get_or_insert(SignatureStatus::Invalid {
                    keyid: s.keyid.clone(),
                    reason,
                });
            }
        }
    }
    invalid.unwrap_or(SignatureStatus::UnknownKey { keyids: unknown })
}

/// Whether a version was published with provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Provenance {
    /// `dist.attestations` is present.
    Present,
    /// It is absent, and no lower version had it.
    Absent,
    /// It is absent although a lower version (in semver order) had it.
    Dropped {
        /// The highest lower version with provenance.
        last_with: String,
    },
}

/// The provenance of every version of a packument whose key parses as semver, by version string.
pub fn provenance(packument: &Packument) -> BTreeMap<String, Provenance> {
    let mut versions: Vec<(semver::Version, &str, bool)> = packument
        .versions
        .iter()
        .filter_map(|(key, v)| {
            let parsed = semver::Version::parse(key).ok()?;
            Some((parsed, key.as_str(), v.dist.attestations.is_some()))
        })
        .collect();
    versions.sort();
    let mut last_with: Option<&str> = None;
    let mut out = BTreeMap::new();
    for (_, key, attested) in versions {
        let p = match (attested, last_with) {
            (true, _) => {
                last_with = Some(key);
                Provenance::Present
            }
            (false, Some(prev)) => Provenance::Dropped {
                last_with: prev.to_owned(),
            },
            (false, None) => Provenance::Absent,
        };
        out.insert(key.to_owned(), p);
    }
    out
}

/// Who published a version, compared with the versions published before it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublisherSignals {
    /// The publisher (`_npmUser.name`), when it never published an earlier version although
    /// earlier versions name their publishers.
    pub new_publisher: Option<String>,
    /// The accounts that published earlier versions, sorted (set with `new_publisher`).
    pub earlier_publishers: Vec<String>,
    /// Whether the new publisher was already a listed maintainer of the previous version (a
    /// co-maintainer's first publish, or that maintainer's stolen token).
    pub publisher_was_maintainer: bool,
    /// The version compared with for maintainers (the one published just before).
    pub previous: Option<String>,
    /// Maintainers listed now but not in the previous version.
    pub maintainers_added: Vec<String>,
    /// Maintainers listed in the previous version but not now.
    pub maintainers_removed: Vec<String>,
}

impl PublisherSignals {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.new_publisher.is_none()
            && self.maintainers_added.is_empty()
            && self.maintainers_removed.is_empty()
    }
}

/// The publisher signals of `version`: "before" is by publish time (`time` in the packument),
/// ties and versions without a time ordered by semver. Unknown versions give no signal.
pub fn publisher_signals(packument: &Packument, version: &str) -> PublisherSignals {
    let mut order: Vec<(&str, Option<semver::Version>, &str)> = packument
        .versions
        .keys()
        .map(|k| {
            let time = packument.time.get(k).map_or("", String::as_str);
            (time, semver::Version::parse(k).ok(), k.as_str())
        })
        .collect();
    order.sort();
    let Some(at) = order.iter().position(|(_, _, k)| *k == version) else {
        return PublisherSignals::default();
    };
    let Some(current) = packument.versions.get(version) else {
        return PublisherSignals::default();
    };
    let earlier: Vec<&str> = order
        .get(..at)
        .unwrap_or_default()
        .iter()
        .map(|(_, _, k)| *k)
        .collect();
    let mut signals = PublisherSignals::default();
    let earlier_publishers: std::collections::BTreeSet<&str> = earlier
        .iter()
        .filter_map(|k| packument.versions.get(*k)?.publisher.as_deref())
        .collect();
    if let Some(publisher) = &current.publisher
        && !earlier_publishers.is_empty()
        && !earlier_publishers.contains(publisher.as_str())
    {
        signals.new_publisher = Some(publisher.clone());
        signals.publisher_was_maintainer = earlier
            .last()
            .and_then(|k| packument.versions.get(*k))
            .is_some_and(|prev| prev.maintainers.contains(publisher));
        signals.earlier_publishers = earlier_publishers.iter().map(|s| (*s).to_owned()).collect();
    }
    if let Some(prev) = earlier.last().and_then(|k| packument.versions.get(*k)) {
        signals.previous = Some(prev.version.clone());
        // Only compare when both versions list maintainers.
        if !prev.maintainers.is_empty() && !current.maintainers.is_empty() {
            signals.maintainers_added = current
                .maintainers
                .iter()
                .filter(|m| !prev.maintainers.contains(m))
                .cloned()
                .collect();
            signals.maintainers_removed = prev
                .maintainers
                .iter()
                .filter(|m| !current.maintainers.contains(m))
                .cloned()
                .collect();
        }
    }
    signals
}

impl RegistryClient {
    /// Fetches the signing keys of the registry that serves `package` (scoped registries
    /// included): `GET {registry}/-/npm/v1/keys`. A registry without the endpoint answers 404,
    /// which is [`RegistryError::NotFound`].
    pub async fn registry_keys(&self, package: &str) -> Result<RegistryKeys, RegistryError> {
        let registry = self.config().registry_for(package).clone();
        let url = registry
            .join("-/npm/v1/keys")
            .map_err(|e| RegistryError::InvalidSpec {
                spec: package.to_owned(),
                reason: format!("cannot build the keys URL: {e}"),
            })?;
        let resp = self
            .get(package, &url, "application/json", None, MAX_KEYS_BYTES)
            .await?;
        RegistryKeys::from_json(&resp.body).map_err(|reason| RegistryError::MalformedKeys {
            url: redact_url(&url),
            reason,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::packument::Signature;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer as _;
    use p256::pkcs8::EncodePublicKey as _;

    fn key_pair(seed: u8) -> (SigningKey, String) {
        let signing = SigningKey::from_bytes(&[seed; 32].into()).unwrap();
        let der = signing.verifying_key().to_public_key_der().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_bytes());
        (signing, b64)
    }

    fn keys(b64: &str, expires: Option<&str>) -> RegistryKeys {
        RegistryKeys {
            keys: vec![RegistryKey {
                keyid: "SHA256:test".into(),
                keytype: NPM_KEY_SCHEME.into(),
                scheme: NPM_KEY_SCHEME.into(),
                key: b64.into(),
                expires: expires.map(str::to_owned),
            }],
        }
    }

    fn signed_dist(signing: &SigningKey, message: &str) -> Dist {
        let sig: EcdsaSignature = signing.sign(message.as_bytes());
        Dist {
            tarball: "http://127.0.0.1/x.tgz".into(),
            integrity: Some("sha512-abc".into()),
            signatures: vec![Signature {
                keyid: "SHA256:test".into(),
                sig: base64::engine::general_purpose::STANDARD.encode(sig.to_der().as_bytes()),
            }],
            ..Dist::default()
        }
    }

    #[test]
    fn valid_invalid_missing_unknown() {
        let (signing, public) = key_pair(7);
        let keys = keys(&public, None);
        let dist = signed_dist(&signing, "x@1.0.0:sha512-abc");
        assert_eq!(
            verify_signatures(&keys, "x", "1.0.0", &dist, None),
            SignatureStatus::Valid {
                keyid: "SHA256:test".into()
            }
        );
        // The same signature for another version, or another integrity, is invalid.
        let status = verify_signatures(&keys, "x", "1.0.1", &dist, None);
        assert_eq!(status.as_str(), "invalid");
        let mut other = dist.clone();
        other.integrity = Some("sha512-other".into());
        assert_eq!(
            verify_signatures(&keys, "x", "1.0.0", &other, None).as_str(),
            "invalid"
        );
        // Signed by another key pair.
        let (intruder, _) = key_pair(9);
        let forged = signed_dist(&intruder, "x@1.0.0:sha512-abc");
        assert_eq!(
            verify_signatures(&keys, "x", "1.0.0", &forged, None).as_str(),
            "invalid"
        );
        // Garbage signature bytes are invalid, not a panic.
        let mut garbage = dist.clone();
        garbage.signatures[0].sig = "!!!".into();
        assert_eq!(
            verify_signatures(&keys, "x", "1.0.0", &garbage, None).as_str(),
            "invalid"
        );
        let mut missing = dist.clone();
        missing.signatures.clear();
        assert_eq!(
            verify_signatures(&keys, "x", "1.0.0", &missing, None),
            SignatureStatus::Missing
        );
        let mut unknown = dist.clone();
        unknown.signatures[0].keyid = "SHA256:other".into();
        assert_eq!(
            verify_signatures(&keys, "x", "1.0.0", &unknown, None),
            SignatureStatus::UnknownKey {
                keyids: vec!["SHA256:other".into()]
            }
        );
    }

    #[test]
    fn expired_keys() {
        let (signing, public) = key_pair(7);
        let keys = keys(&public, Some("2025-01-29T00:00:00.000Z"));
        let dist = signed_dist(&signing, "x@1.0.0:sha512-abc");
        let before =
            verify_signatures(&keys, "x", "1.0.0", &dist, Some("2024-05-01T00:00:00.000Z"));
        assert_eq!(before.as_str(), "valid");
        let after = verify_signatures(&keys, "x", "1.0.0", &dist, Some("2025-06-01T00:00:00.000Z"));
        assert!(
            matches!(after, SignatureStatus::Invalid { ref reason, .. } if reason.contains("expired")),
            "{after:?}"
        );
    }

    #[test]
    fn keys_documents() {
        let doc = br#"{"keys": [{"keyid": "a", "keytype": "ecdsa-sha2-nistp256", "scheme": "ecdsa-sha2-nistp256", "key": "AAAA", "expires": null}, {"keyid": "no-key"}]}"#;
        let keys = RegistryKeys::from_json(doc).unwrap();
        assert_eq!(keys.keys.len(), 1);
        assert_eq!(keys.keys[0].expires, None);
        assert!(RegistryKeys::from_json(b"{}").is_err());
        assert!(RegistryKeys::from_json(b"not json").is_err());
    }

    #[test]
    fn publishers_by_time() {
        let doc = br#"{"name": "x",
          "time": {"1.0.0": "2024-01-01T00:00:00.000Z", "2.0.0": "2024-02-01T00:00:00.000Z",
                   "1.0.1": "2024-03-01T00:00:00.000Z", "2.0.1": "2024-04-01T00:00:00.000Z"},
          "versions": {
          "1.0.0": {"dist": {"tarball": "t"}, "_npmUser": {"name": "alice"}, "maintainers": [{"name": "alice"}]},
          "2.0.0": {"dist": {"tarball": "t"}, "_npmUser": {"name": "alice"}, "maintainers": [{"name": "alice"}]},
          "1.0.1": {"dist": {"tarball": "t"}, "_npmUser": {"name": "alice"}, "maintainers": [{"name": "alice"}, {"name": "bob"}]},
          "2.0.1": {"dist": {"tarball": "t"}, "_npmUser": {"name": "mallory"}, "maintainers": [{"name": "mallory"}]}
        }}"#;
        let p = Packument::from_json(doc).unwrap();
        assert!(
            publisher_signals(&p, "1.0.0").is_empty(),
            "the first version"
        );
        assert!(publisher_signals(&p, "2.0.0").is_empty());
        let s = publisher_signals(&p, "1.0.1");
        assert_eq!(s.new_publisher, None);
        assert_eq!(s.previous.as_deref(), Some("2.0.0"), "by time, not semver");
        assert_eq!(s.maintainers_added, vec!["bob"]);
        let s = publisher_signals(&p, "2.0.1");
        assert_eq!(s.new_publisher.as_deref(), Some("mallory"));
        assert_eq!(s.earlier_publishers, vec!["alice"]);
        assert_eq!(s.maintainers_added, vec!["mallory"]);
        assert_eq!(s.maintainers_removed, vec!["alice", "bob"]);
        assert!(publisher_signals(&p, "9.9.9").is_empty());
    }

    #[test]
    fn provenance_dropped_after_attested_versions() {
        let doc = br#"{"name": "x", "versions": {
          "1.0.0": {"dist": {"tarball": "t"}},
          "1.1.0": {"dist": {"tarball": "t", "attestations": {"url": "u"}}},
          "1.10.0": {"dist": {"tarball": "t"}},
          "1.2.0": {"dist": {"tarball": "t", "attestations": {"url": "u"}}}
        }}"#;
        let p = Packument::from_json(doc).unwrap();
        let prov = provenance(&p);
        assert_eq!(prov["1.0.0"], Provenance::Absent);
        assert_eq!(prov["1.1.0"], Provenance::Present);
        assert_eq!(prov["1.2.0"], Provenance::Present);
        // Semver order, not string order: 1.10.0 comes after 1.2.0.
        assert_eq!(
            prov["1.10.0"],
            Provenance::Dropped {
                last_with: "1.2.0".into()
            }
        );
    }
}
