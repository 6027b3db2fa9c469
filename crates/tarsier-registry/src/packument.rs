//! The typed subset of an npm packument that tarsier uses, read leniently.
//!
//! Real packuments carry two decades of history: `deprecated` may be `false`, `scripts` may hold
//! non-strings, `time` holds an `unpublished` object for unpublished packages, and some versions
//! lack a `dist`. Parsing therefore goes through [`serde_json::Value`]: map entries that are not
//! strings are dropped and a version without a usable `dist.tarball` is skipped (with a debug
//! log), so one odd version never hides the others. Only a document that is not a JSON object, or
//! has no `name`, is rejected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A package document from the registry (`GET {registry}/{name}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Packument {
    /// The package name.
    pub name: String,
    /// `dist-tags`: tag -> version.
    #[serde(rename = "dist-tags")]
    pub dist_tags: BTreeMap<String, String>,
    /// Versions by version string.
    pub versions: BTreeMap<String, PackumentVersion>,
    /// `time`: version (and `created`, `modified`) -> timestamp.
    pub time: BTreeMap<String, String>,
}

/// One version's manifest (the parts tarsier uses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackumentVersion {
    /// The version.
    pub version: String,
    /// Where the tarball is and how to check it.
    pub dist: Dist,
    /// Production `dependencies`: name -> specifier.
    pub dependencies: BTreeMap<String, String>,
    /// `scripts` (install scripts matter to a supply-chain scan).
    pub scripts: BTreeMap<String, String>,
    /// The deprecation message, when the version is deprecated.
    pub deprecated: Option<String>,
    /// The account that published the version (`_npmUser.name`), when the registry says.
    #[serde(default)]
    pub publisher: Option<String>,
    /// The maintainers' account names listed in the version (`maintainers[].name`), sorted.
    #[serde(default)]
    pub maintainers: Vec<String>,
}

/// `dist` of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Dist {
    /// The tarball URL.
    pub tarball: String,
    /// The SRI integrity string, if any.
    pub integrity: Option<String>,
    /// The legacy sha1 hex digest, if any.
    pub shasum: Option<String>,
    /// Registry signatures.
    pub signatures: Vec<Signature>,
    /// Provenance attestations (kept as raw JSON).
    pub attestations: Option<Value>,
    /// The unpacked size in bytes, if given.
    #[serde(rename = "unpackedSize")]
    pub unpacked_size: Option<u64>,
}

/// A registry signature over a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// The key id.
    pub keyid: String,
    /// The signature (base64).
    pub sig: String,
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn opt_string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn parse_dist(v: &Value) -> Option<Dist> {
    let d = v.as_object()?;
    let tarball = d.get("tarball")?.as_str()?.to_owned();
    let signatures = d
        .get("signatures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some(Signature {
                        keyid: s.get("keyid")?.as_str()?.to_owned(),
                        sig: s.get("sig")?.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Dist {
        tarball,
        integrity: opt_string(d.get("integrity")).filter(|s| !s.is_empty()),
        shasum: opt_string(d.get("shasum")).filter(|s| !s.is_empty()),
        signatures,
        attestations: d.get("attestations").filter(|a| !a.is_null()).cloned(),
        unpacked_size: d.get("unpackedSize").and_then(Value::as_u64),
    })
}

fn parse_version(key: &str, v: &Map<String, Value>) -> Option<PackumentVersion> {
    let dist = parse_dist(v.get("dist")?)?;
    let deprecated = match v.get("deprecated") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Bool(true)) => Some("deprecated".to_owned()),
        _ => None,
    };
    let publisher = v
        .get("_npmUser")
        .and_then(|u| u.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let mut maintainers: Vec<String> = v
        .get("maintainers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| match m {
                    // Old packuments list `"name <email>"` strings.
                    Value::String(s) => s.split('<').next().map(|n| n.trim().to_owned()),
                    m => m.get("name")?.as_str().map(str::to_owned),
                })
                .filter(|n| !n.is_empty())
                .collect()
        })
        .unwrap_or_default();
    maintainers.sort();
    maintainers.dedup();
    Some(PackumentVersion {
        version: opt_string(v.get("version")).unwrap_or_else(|| key.to_owned()),
        publisher,
        maintainers,
        dist,
        dependencies: string_map(v.get("dependencies")),
        scripts: string_map(v.get("scripts")),
        deprecated,
    })
}

impl Packument {
    /// Parses a packument body; the error says what is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let obj = value
            .as_object()
            .ok_or_else(|| "the document is not a JSON object".to_owned())?;
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| "the document has no `name`".to_owned())?
            .to_owned();
        let mut versions = BTreeMap::new();
        if let Some(vs) = obj.get("versions").and_then(Value::as_object) {
            for (key, v) in vs {
                match v.as_object().and_then(|m| parse_version(key, m)) {
                    Some(pv) => {
                        versions.insert(key.clone(), pv);
                    }
                    None => {
                        tracing::debug!(package = %name, version = %key, "skipping a version without a usable dist")
                    }
                }
            }
        }
        Ok(Self {
            dist_tags: string_map(obj.get("dist-tags")),
            time: string_map(obj.get("time")),
            name,
            versions,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parse() {
        let doc = br#"{
          "name": "x", "dist-tags": {"latest": "1.0.0", "bad": 3},
          "time": {"1.0.0": "2020-01-01T00:00:00Z", "unpublished": {"a": 1}},
          "versions": {
            "1.0.0": {"version": "1.0.0", "deprecated": false,
              "dependencies": {"a": "^1", "b": 2}, "scripts": {"install": "node x"},
              "dist": {"tarball": "http://h/x.tgz", "integrity": "sha512-x", "shasum": "ab",
                "unpackedSize": 10, "signatures": [{"keyid": "k", "sig": "s"}, {"no": 1}]}},
            "0.9.0": {"version": "0.9.0", "deprecated": "use 1"},
            "0.8.0": {"dist": {"tarball": "http://h/x-0.8.0.tgz"}, "deprecated": "old"}
          }
        }"#;
        let p = Packument::from_json(doc).unwrap();
        assert_eq!(p.name, "x");
        assert_eq!(p.dist_tags.len(), 1);
        assert_eq!(p.time.len(), 1);
        assert_eq!(p.versions.len(), 2, "0.9.0 has no dist");
        let v = &p.versions["1.0.0"];
        assert_eq!(v.dependencies.len(), 1);
        assert_eq!(v.deprecated, None);
        assert_eq!(v.dist.signatures.len(), 1);
        assert_eq!(v.dist.unpacked_size, Some(10));
        assert_eq!(p.versions["0.8.0"].version, "0.8.0");
        assert_eq!(p.versions["0.8.0"].deprecated.as_deref(), Some("old"));
        assert_eq!(p.versions["0.8.0"].publisher, None);
    }

    #[test]
    fn publisher_and_maintainers() {
        let doc = br#"{"name": "x", "versions": {
          "1.0.0": {"dist": {"tarball": "t"}, "_npmUser": {"name": "alice", "email": "a@x"},
            "maintainers": [{"name": "bob"}, "alice <a@x>", {"email": "no-name"}, {"name": "bob"}]},
          "1.0.1": {"dist": {"tarball": "t"}, "_npmUser": "not an object", "maintainers": 3}
        }}"#;
        let p = Packument::from_json(doc).unwrap();
        assert_eq!(p.versions["1.0.0"].publisher.as_deref(), Some("alice"));
        assert_eq!(p.versions["1.0.0"].maintainers, vec!["alice", "bob"]);
        assert_eq!(p.versions["1.0.1"].publisher, None);
        assert!(p.versions["1.0.1"].maintainers.is_empty());
    }

    #[test]
    fn rejects_non_documents() {
        assert!(Packument::from_json(b"[]").is_err());
        assert!(Packument::from_json(b"{\"versions\":{}}").is_err());
        assert!(Packument::from_json(b"{\"name\": ").is_err());
    }
}
