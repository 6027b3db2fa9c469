//! Findings from registry signals: signature verification, provenance, publishers and
//! maintainers.
//!
//! The facts come from `tarsier-registry` (`verify_signatures`, `provenance`,
//! `publisher_signals`), which is the only crate that talks to a registry; this crate stays pure
//! and only turns those facts into findings, so the caller copies them into [`RegistrySignals`].
//! The findings are about the package as a whole: path `package.json`, line 1, column 1.

use serde_json::Value;
use tarsier_model::{Finding, Severity};

use crate::rule_ids::{MAINTAINERS_CHANGED, NEW_PUBLISHER, PROVENANCE_DROPPED, REGISTRY_SIGNATURE};
use crate::text;

/// The outcome of checking `dist.signatures` (as `tarsier_registry::SignatureStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureCheck {
    /// A signature by a known key verifies.
    Valid,
    /// A signature by a known key does not verify.
    Invalid {
        /// The key it claims.
        keyid: String,
        /// Why it failed.
        reason: String,
    },
    /// The version carries no signature.
    Missing,
    /// Signatures only by keys the registry does not serve.
    UnknownKey {
        /// The key ids named.
        keyids: Vec<String>,
    },
}

/// What the registry says about one version, beyond its tarball.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrySignals {
    /// The signature check; `None` when it was not done (the registry serves no keys).
    pub signature: Option<SignatureCheck>,
    /// Set when the version has no provenance although this lower version had it.
    pub provenance_dropped_after: Option<String>,
    /// Set when the version's publisher never published an earlier version.
    pub new_publisher: Option<String>,
    /// The accounts that published earlier versions.
    pub earlier_publishers: Vec<String>,
    /// Whether the new publisher was a listed maintainer of the previous version.
    pub publisher_was_maintainer: bool,
    /// The previous version (for the maintainers comparison).
    pub previous: Option<String>,
    /// Maintainers added since the previous version.
    pub maintainers_added: Vec<String>,
    /// Maintainers removed since the previous version.
    pub maintainers_removed: Vec<String>,
}

impl RegistrySignals {
    /// Reads signals from JSON (the form the self-test cases use): `{"signature": "valid" |
    /// "invalid" | "missing" | "unknown-key", "provenance-dropped-after": "1.2.0",
    /// "new-publisher": "x", "earlier-publishers": ["a"], "publisher-was-maintainer": false,
    /// "previous": "1.0.0", "maintainers-added": ["x"], "maintainers-removed": ["a"]}`.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| "registry signals must be an object".to_owned())?;
        let string = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
        let list = |k: &str| -> Vec<String> {
            obj.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let signature = match string("signature").as_deref() {
            None => None,
            Some("valid") => Some(SignatureCheck::Valid),
            Some("invalid") => Some(SignatureCheck::Invalid {
                keyid: string("keyid").unwrap_or_else(|| "SHA256:test".to_owned()),
                reason: string("reason")
                    .unwrap_or_else(|| "the signature does not match".to_owned()),
            }),
            Some("missing") => Some(SignatureCheck::Missing),
            Some("unknown-key") => Some(SignatureCheck::UnknownKey {
                keyids: vec![string("keyid").unwrap_or_else(|| "SHA256:test".to_owned())],
            }),
            Some(other) => return Err(format!("unknown signature outcome `{other}`")),
        };
        Ok(Self {
            signature,
            provenance_dropped_after: string("provenance-dropped-after"),
            new_publisher: string("new-publisher"),
            earlier_publishers: list("earlier-publishers"),
            publisher_was_maintainer: obj
                .get("publisher-was-maintainer")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            previous: string("previous"),
            maintainers_added: list("maintainers-added"),
            maintainers_removed: list("maintainers-removed"),
        })
    }
}

fn finding(
    name: &str,
    version: &str,
    rule_id: &str,
    severity: Severity,
    message: String,
    matched: &str,
) -> Finding {
    Finding {
        rule_id: rule_id.to_owned(),
        severity,
        message,
        path: "package.json".to_owned(),
        span: text::file_span(),
        snippet: String::new(),
        matched_text: text::normalise(matched),
        package: Some(tarsier_model::PackageOrigin {
            name: name.to_owned(),
            version: version.to_owned(),
            tarball: None,
            integrity: None,
        }),
        flow: Vec::new(),
        suppression: None,
    }
}

/// The findings for `name@version` from its registry signals, sorted by rule.
pub fn registry_findings(name: &str, version: &str, signals: &RegistrySignals) -> Vec<Finding> {
    let spec = format!("{name}@{version}");
    let mut out = Vec::new();
    match &signals.signature {
        None | Some(SignatureCheck::Valid) => {}
        Some(SignatureCheck::Invalid { keyid, reason }) => out.push(finding(
            name,
            version,
            REGISTRY_SIGNATURE,
            Severity::Error,
            format!("{spec}: the registry signature by key {keyid} is invalid: {reason}"),
            "invalid signature",
        )),
        Some(SignatureCheck::Missing) => out.push(finding(
            name,
            version,
            REGISTRY_SIGNATURE,
            Severity::Note,
            format!("{spec} carries no registry signature"),
            "missing signature",
        )),
        Some(SignatureCheck::UnknownKey { keyids }) => out.push(finding(
            name,
            version,
            REGISTRY_SIGNATURE,
            Severity::Warning,
            format!(
                "{spec} is signed only by keys the registry does not serve: {}",
                keyids.join(", ")
            ),
            "unknown signing key",
        )),
    }
    if let Some(last) = &signals.provenance_dropped_after {
        out.push(finding(
            name,
            version,
            PROVENANCE_DROPPED,
            Severity::Error,
            format!("{spec} was published without provenance, although {name}@{last} had it"),
            "provenance dropped",
        ));
    }
    if let Some(publisher) = &signals.new_publisher {
        let (severity, was) = if signals.publisher_was_maintainer {
            (Severity::Note, ", who was already a listed maintainer")
        } else {
            (Severity::Warning, ", who was not a listed maintainer")
        };
        out.push(finding(
            name,
            version,
            NEW_PUBLISHER,
            severity,
            format!(
                "{spec} was published by `{publisher}`{was}; earlier versions were published by {}",
                signals.earlier_publishers.join(", ")
            ),
            &format!("new publisher {publisher}"),
        ));
    }
    if !signals.maintainers_added.is_empty() || !signals.maintainers_removed.is_empty() {
        let since = signals
            .previous
            .as_deref()
            .map_or(String::new(), |p| format!(" since {p}"));
        let mut parts = Vec::new();
        if !signals.maintainers_added.is_empty() {
            parts.push(format!("added {}", signals.maintainers_added.join(", ")));
        }
        if !signals.maintainers_removed.is_empty() {
            parts.push(format!(
                "removed {}",
                signals.maintainers_removed.join(", ")
            ));
        }
        out.push(finding(
            name,
            version,
            MAINTAINERS_CHANGED,
            Severity::Note,
            format!("{spec}: maintainers changed{since}: {}", parts.join("; ")),
            &format!("maintainers {}", parts.join("; ")),
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn severities_follow_the_outcome() {
        let sev = |check: SignatureCheck| {
            let s = RegistrySignals {
                signature: Some(check),
                ..RegistrySignals::default()
            };
            registry_findings("x", "1.0.0", &s)
                .first()
                .map(|f| f.severity)
        };
        assert_eq!(sev(SignatureCheck::Valid), None);
        assert_eq!(sev(SignatureCheck::Missing), Some(Severity::Note));
        assert_eq!(
            sev(SignatureCheck::Invalid {
                keyid: "k".into(),
                reason: "r".into()
            }),
            Some(Severity::Error)
        );
        assert_eq!(
            sev(SignatureCheck::UnknownKey {
                keyids: vec!["k".into()]
            }),
            Some(Severity::Warning)
        );
        assert!(registry_findings("x", "1.0.0", &RegistrySignals::default()).is_empty());
    }

    #[test]
    fn messages_say_what_changed() {
        let s = RegistrySignals::from_json(&serde_json::json!({
            "provenance-dropped-after": "1.2.0",
            "new-publisher": "mallory", "earlier-publishers": ["alice", "bob"],
            "previous": "1.2.0", "maintainers-added": ["mallory"], "maintainers-removed": ["bob"]
        }))
        .unwrap();
        let got = registry_findings("x", "1.2.1", &s);
        let messages: Vec<&str> = got.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(got.len(), 3, "{messages:?}");
        assert!(
            messages.contains(&"x@1.2.1 was published without provenance, although x@1.2.0 had it")
        );
        assert!(messages.iter().any(|m| m.contains("`mallory`, who was not a listed maintainer; earlier versions were published by alice, bob")));
        assert!(
            messages
                .contains(&"x@1.2.1: maintainers changed since 1.2.0: added mallory; removed bob")
        );
        assert!(RegistrySignals::from_json(&serde_json::json!({"signature": "odd"})).is_err());
    }
}
