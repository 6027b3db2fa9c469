//! Hosts that do not resolve, for the registry and for a tarball. Names are resolved by a
//! [`TestResolver`] table, never by the system resolver, so no DNS query leaves the machine; the
//! registry is the loopback test registry.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use tarsier_registry::test_registry::{TestRegistry, TestResolver, tgz};
use tarsier_registry::{
    Cache, ClientOptions, RegistryClient, RegistryConfig, RegistryError, Scope, resolve_scope,
};

/// Reserved for testing (RFC 2606): never a real host.
const REGISTRY_HOST: &str = "registry.tarsier.test";
const TARBALL_HOST: &str = "tarballs.tarsier.test";
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn options(resolver: &TestResolver) -> ClientOptions {
    ClientOptions {
        retry_base_delay: Duration::from_millis(5),
        max_retry_delay: Duration::from_millis(20),
        max_tries: 2,
        allow_foreign_tarball_hosts: true,
        test_resolver: Some(resolver.clone()),
        ..ClientOptions::default()
    }
}

fn pkg(name: &str) -> Vec<u8> {
    tgz(&[("package/index.js", format!("// {name}").as_bytes())])
}

#[tokio::test]
async fn tarball_host_that_does_not_resolve_is_a_dns_error_naming_package_and_host() {
    let r = TestRegistry::start().await.unwrap();
    r.add_package("healthy", "1.0.0", pkg("healthy"));
    r.add_package("dns-victim", "1.0.0", pkg("dns-victim"));
    let victim_path = TestRegistry::tarball_path("dns-victim", "1.0.0");
    let port = r.addr().port();
    r.set_tarball_url(
        "dns-victim",
        "1.0.0",
        &format!("http://{TARBALL_HOST}:{port}{victim_path}"),
    );
    // The registry itself is an IP literal: only the tarball host is looked up.
    let resolver = TestResolver::new();
    let cache_dir = tempfile::tempdir().unwrap();
    let client = RegistryClient::new(
        r.config().unwrap(),
        options(&resolver),
        Some(Cache::new(cache_dir.path()).unwrap()),
    )
    .unwrap();

    let scope = Scope::from_specs(&["healthy@^1", "dns-victim@1.0.0"], false).unwrap();
    let outcome = resolve_scope(&client, &scope, false).await;
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_eq!(outcome.packages.len(), 2);

    let mut fetched = Vec::new();
    for p in &outcome.packages {
        fetched.push((
            p.id(),
            client.fetch_tarball(&p.name, &p.version, &p.dist).await,
        ));
    }
    let (ok, failed): (Vec<_>, Vec<_>) = fetched.into_iter().partition(|(_, f)| f.is_ok());
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].0, "healthy@1.0.0");
    assert_eq!(
        ok[0].1.as_ref().unwrap().integrity,
        r.integrity("healthy", "1.0.0").unwrap()
    );

    assert_eq!(failed.len(), 1);
    let err = failed.into_iter().next().unwrap().1.unwrap_err();
    match &err {
        RegistryError::Dns {
            package,
            host,
            tries,
            reason,
            ..
        } => {
            assert_eq!(package, "dns-victim@1.0.0");
            assert_eq!(host, TARBALL_HOST);
            assert_eq!(*tries, 2, "retried like other network failures");
            assert!(reason.contains("no such host"), "{reason}");
        }
        other => panic!("expected a DNS error, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&format!("could not resolve host `{TARBALL_HOST}`")),
        "{text}"
    );
    assert!(text.contains("dns-victim@1.0.0"), "{text}");

    // Only the table was asked, once per try, and the tarball was never requested.
    assert_eq!(resolver.lookups(), [TARBALL_HOST, TARBALL_HOST]);
    assert!(r.requests_to(&victim_path).is_empty());
}

#[tokio::test]
async fn registry_host_that_does_not_resolve_fails_each_package_with_a_dns_error() {
    let r = TestRegistry::start().await.unwrap();
    r.add_package("send", "1.0.0", pkg("send"));
    r.add_package("cookie", "1.0.0", pkg("cookie"));
    let config =
        RegistryConfig::new(&format!("http://{REGISTRY_HOST}:{}/", r.addr().port())).unwrap();
    let resolver = TestResolver::new();
    let client = RegistryClient::new(config, options(&resolver), None).unwrap();

    let scope = Scope::from_specs(&["send@1.0.0", "cookie@latest"], false).unwrap();
    let outcome = resolve_scope(&client, &scope, false).await;
    assert!(outcome.packages.is_empty());
    let failed: Vec<&str> = outcome.failures.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(failed, ["cookie@latest", "send@1.0.0"]);
    for (spec, err) in &outcome.failures {
        let name = spec.split('@').next().unwrap();
        assert!(
            matches!(err, RegistryError::Dns { package, host, .. }
                if package == name && host == REGISTRY_HOST),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("could not resolve host `{REGISTRY_HOST}`")),
            "{text}"
        );
        assert!(text.contains(name), "{text}");
    }
    assert!(r.requests().is_empty(), "nothing reached the registry");
    assert!(resolver.lookups().iter().all(|h| h == REGISTRY_HOST));
}

#[tokio::test]
async fn a_host_in_the_resolver_table_reaches_the_registry() {
    // The control: the same client and names work once the table knows the host, so the
    // failures above are the resolution's and nothing else's.
    let r = TestRegistry::start().await.unwrap();
    r.add_package("send", "1.0.0", pkg("send"));
    let port = r.addr().port();
    let path = TestRegistry::tarball_path("send", "1.0.0");
    r.set_tarball_url(
        "send",
        "1.0.0",
        &format!("http://{TARBALL_HOST}:{port}{path}"),
    );
    let config = RegistryConfig::new(&format!("http://{REGISTRY_HOST}:{port}/")).unwrap();
    let resolver = TestResolver::new()
        .with_host(REGISTRY_HOST, LOOPBACK)
        .with_host(TARBALL_HOST, LOOPBACK);
    let client = RegistryClient::new(config, options(&resolver), None).unwrap();

    let scope = Scope::from_specs(&["send@^1"], false).unwrap();
    let outcome = resolve_scope(&client, &scope, false).await;
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let p = &outcome.packages[0];
    let t = client
        .fetch_tarball(&p.name, &p.version, &p.dist)
        .await
        .unwrap();
    assert_eq!(t.bytes, pkg("send"));
    assert_eq!(r.requests_to(&path).len(), 1);
    let lookups = resolver.lookups();
    assert!(lookups.iter().any(|h| h == REGISTRY_HOST), "{lookups:?}");
    assert!(lookups.iter().any(|h| h == TARBALL_HOST), "{lookups:?}");
}
