//! [`PackageChange`]: the loopback registry changes a package right after serving its packument,
//! and a client verifies what it resolved, not what the registry serves later.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tarsier_registry::test_registry::{PackageChange, TestRegistry, tgz};
use tarsier_registry::{ClientOptions, RegistryClient, RegistryError};

fn options() -> ClientOptions {
    ClientOptions {
        retry_base_delay: Duration::from_millis(5),
        max_retry_delay: Duration::from_millis(20),
        ..ClientOptions::default()
    }
}

fn pkg(text: &str) -> Vec<u8> {
    tgz(&[("package/index.js", text.as_bytes())])
}

#[tokio::test]
async fn changes_apply_after_the_packument_is_served_once() {
    let r = TestRegistry::start().await.unwrap();
    r.add_package("send", "1.0.0", pkg("one"));
    r.add_package("send", "1.1.0", pkg("one-one"));
    r.after_packument_served(
        "send",
        PackageChange::Republish {
            version: "1.0.0".to_string(),
            tgz: pkg("one, again"),
        },
    );
    r.after_packument_served(
        "send",
        PackageChange::Unpublish {
            version: "1.1.0".to_string(),
        },
    );
    r.after_packument_served(
        "send",
        PackageChange::Publish {
            version: "2.0.0".to_string(),
            tgz: pkg("two"),
        },
    );
    let before = RegistryClient::new(r.config().unwrap(), options(), None).unwrap();
    let resolved = before.packument("send").await.unwrap();
    assert_eq!(resolved.dist_tags["latest"], "1.1.0");
    assert_eq!(resolved.versions.len(), 2);

    // Republished: the bytes no longer match what was resolved.
    let err = before
        .fetch_tarball("send", "1.0.0", &resolved.versions["1.0.0"].dist)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RegistryError::IntegrityMismatch { package, expected, .. }
            if package == "send@1.0.0"
                && expected.contains(resolved.versions["1.0.0"].dist.integrity.as_deref().unwrap())),
        "{err:?}"
    );
    // Unpublished: the tarball is gone.
    let err = before
        .fetch_tarball("send", "1.1.0", &resolved.versions["1.1.0"].dist)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RegistryError::NotFound { package, .. } if package == "send@1.1.0"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("not found on the registry"),
        "{err}"
    );

    // A client that reads the packument now sees the changed package, and the changes were
    // applied once: serving the packument again changes nothing more.
    let after = RegistryClient::new(r.config().unwrap(), options(), None).unwrap();
    let now = after.packument("send").await.unwrap();
    assert_eq!(now.dist_tags["latest"], "2.0.0");
    let versions: Vec<&str> = now.versions.keys().map(String::as_str).collect();
    assert_eq!(versions, ["1.0.0", "2.0.0"]);
    let t = after
        .fetch_tarball("send", "1.0.0", &now.versions["1.0.0"].dist)
        .await
        .unwrap();
    assert_eq!(t.bytes, pkg("one, again"));
    assert_eq!(r.requests_to("/send").len(), 2);
}

#[tokio::test]
async fn unpublishing_latest_moves_it_to_the_last_version_left() {
    let r = TestRegistry::start().await.unwrap();
    r.add_package("cookie", "1.0.0", pkg("a"));
    r.add_package("cookie", "0.9.0", pkg("b"));
    r.add_package("cookie", "1.2.0", pkg("c"));
    r.set_dist_tag("cookie", "next", "1.2.0");
    r.after_packument_served(
        "cookie",
        PackageChange::Unpublish {
            version: "1.2.0".to_string(),
        },
    );
    let c = RegistryClient::new(r.config().unwrap(), options(), None).unwrap();
    assert_eq!(
        c.packument("cookie").await.unwrap().dist_tags["latest"],
        "1.2.0"
    );
    let c = RegistryClient::new(r.config().unwrap(), options(), None).unwrap();
    let p = c.packument("cookie").await.unwrap();
    assert_eq!(p.dist_tags.get("latest").map(String::as_str), Some("0.9.0"));
    assert!(!p.dist_tags.contains_key("next"));
    assert!(!p.versions.contains_key("1.2.0"));
}
