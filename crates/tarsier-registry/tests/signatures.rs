//! Registry signatures and provenance against the loopback registry, with a key pair the test
//! makes (no internet).
#![allow(clippy::unwrap_used)]

use serde_json::json;
use tarsier_registry::test_registry::{TestRegistry, tgz};
use tarsier_registry::{
    ClientOptions, Provenance, RegistryClient, RegistryError, SignatureStatus, provenance,
    verify_signatures,
};

/// The test's own secret key (any non-zero scalar below the curve order).
const SECRET: [u8; 32] = [0x5a; 32];
const KEYID: &str = "SHA256:tarsier-test-key";

fn pkg(name: &str, version: &str) -> Vec<u8> {
    tgz(&[(
        "package/package.json",
        format!("{{\"name\":\"{name}\",\"version\":\"{version}\"}}").as_bytes(),
    )])
}

fn client(r: &TestRegistry) -> RegistryClient {
    RegistryClient::new(r.config().unwrap(), ClientOptions::default(), None).unwrap()
}

#[tokio::test]
async fn signed_versions_verify_and_tampered_ones_do_not() {
    let r = TestRegistry::start().await.unwrap();
    let public = r.enable_signing(KEYID, &SECRET).unwrap();
    for v in ["1.0.0", "1.0.1"] {
        r.add_package("send", v, pkg("send", v));
    }
    r.tamper_signature("send", "1.0.1");
    let c = client(&r);
    let keys = c.registry_keys("send").await.unwrap();
    assert_eq!(keys.keys.len(), 1);
    assert_eq!(keys.keys[0].keyid, KEYID);
    assert_eq!(keys.keys[0].key, public);
    assert_eq!(r.requests_to("/-/npm/v1/keys").len(), 1);

    let p = c.packument("send").await.unwrap();
    let status = |v: &str| {
        let pv = &p.versions[v];
        verify_signatures(
            &keys,
            "send",
            v,
            &pv.dist,
            p.time.get(v).map(String::as_str),
        )
    };
    assert_eq!(
        status("1.0.0"),
        SignatureStatus::Valid {
            keyid: KEYID.into()
        }
    );
    assert_eq!(status("1.0.1").as_str(), "invalid");

    // Keys from another key pair: every signature names a known id but fails.
    let other = TestRegistry::start().await.unwrap();
    let other_public = other.enable_signing(KEYID, &[0x17; 32]).unwrap();
    assert_ne!(other_public, public);
    r.set_keys_document(
        json!({"keys": [{"keyid": KEYID, "keytype": "ecdsa-sha2-nistp256",
        "scheme": "ecdsa-sha2-nistp256", "key": other_public, "expires": null}]}),
    );
    let forged_keys = client(&r).registry_keys("send").await.unwrap();
    let pv = &p.versions["1.0.0"];
    assert_eq!(
        verify_signatures(&forged_keys, "send", "1.0.0", &pv.dist, None).as_str(),
        "invalid"
    );

    // A key id the registry does not serve.
    r.set_keys_document(json!({"keys": []}));
    let no_keys = client(&r).registry_keys("send").await.unwrap();
    assert!(matches!(
        verify_signatures(&no_keys, "send", "1.0.0", &pv.dist, None),
        SignatureStatus::UnknownKey { .. }
    ));
}

#[tokio::test]
async fn unsigned_registries_and_bad_key_documents() {
    let r = TestRegistry::start().await.unwrap();
    r.add_package("cookie", "1.0.0", pkg("cookie", "1.0.0"));
    let c = client(&r);
    // No keys endpoint: a 404, reported as such.
    let err = c.registry_keys("cookie").await.unwrap_err();
    assert!(matches!(err, RegistryError::NotFound { .. }), "{err}");
    let p = c.packument("cookie").await.unwrap();
    let keys = tarsier_registry::RegistryKeys::default();
    assert_eq!(
        verify_signatures(&keys, "cookie", "1.0.0", &p.versions["1.0.0"].dist, None),
        SignatureStatus::Missing
    );
    r.set_keys_document(json!({"no": "keys"}));
    let err = c.registry_keys("cookie").await.unwrap_err();
    assert!(matches!(err, RegistryError::MalformedKeys { .. }), "{err}");
    assert!(err.to_string().contains("/-/npm/v1/keys"), "{err}");
}

#[tokio::test]
async fn provenance_dropped_after_attested_releases() {
    let r = TestRegistry::start().await.unwrap();
    for v in ["1.0.0", "1.1.0", "1.2.0", "1.3.0"] {
        r.add_package("body-parser", v, pkg("body-parser", v));
    }
    r.set_attestations("body-parser", "1.1.0", true);
    r.set_attestations("body-parser", "1.2.0", true);
    let p = client(&r).packument("body-parser").await.unwrap();
    assert!(p.versions["1.1.0"].dist.attestations.is_some());
    let prov = provenance(&p);
    assert_eq!(prov["1.0.0"], Provenance::Absent);
    assert_eq!(prov["1.2.0"], Provenance::Present);
    assert_eq!(
        prov["1.3.0"],
        Provenance::Dropped {
            last_with: "1.2.0".into()
        }
    );
}

#[tokio::test]
async fn a_new_publisher_and_changed_maintainers() {
    let r = TestRegistry::start().await.unwrap();
    for v in ["1.0.0", "1.0.1", "1.0.2"] {
        r.add_package("cookie", v, pkg("cookie", v));
    }
    r.set_publisher("cookie", "1.0.0", "alice", &["alice", "bob"]);
    r.set_publisher("cookie", "1.0.1", "bob", &["alice", "bob"]);
    r.set_publisher("cookie", "1.0.2", "mallory", &["alice", "mallory"]);
    let p = client(&r).packument("cookie").await.unwrap();
    assert_eq!(p.versions["1.0.2"].publisher.as_deref(), Some("mallory"));
    assert!(
        p.time["1.0.0"] < p.time["1.0.2"],
        "versions added later are published later"
    );
    // bob's first publish: new, but already a maintainer.
    let s = tarsier_registry::publisher_signals(&p, "1.0.1");
    assert_eq!(s.new_publisher.as_deref(), Some("bob"));
    assert!(s.publisher_was_maintainer);
    assert!(s.maintainers_added.is_empty() && s.maintainers_removed.is_empty());
    let s = tarsier_registry::publisher_signals(&p, "1.0.2");
    assert_eq!(s.new_publisher.as_deref(), Some("mallory"));
    assert_eq!(s.earlier_publishers, vec!["alice", "bob"]);
    assert!(!s.publisher_was_maintainer);
    assert_eq!(s.previous.as_deref(), Some("1.0.1"));
    assert_eq!(s.maintainers_added, vec!["mallory"]);
    assert_eq!(s.maintainers_removed, vec!["bob"]);
}
