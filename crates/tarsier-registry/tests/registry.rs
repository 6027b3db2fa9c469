//! End-to-end tests of the client against the loopback test registry (no internet).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use tarsier_registry::test_registry::{Fault, TestRegistry, tgz};
use tarsier_registry::{
    Cache, ClientOptions, Dist, RegistryClient, RegistryConfig, RegistryError, Scope,
    parse_package_spec, resolve_scope,
};

fn fast() -> ClientOptions {
    ClientOptions {
        retry_base_delay: Duration::from_millis(5),
        max_retry_delay: Duration::from_millis(50),
        request_timeout: Duration::from_secs(10),
        ..ClientOptions::default()
    }
}

fn pkg(name: &str, version: &str) -> Vec<u8> {
    tgz(&[(
        "package/package.json",
        format!("{{\"name\":\"{name}\",\"version\":\"{version}\"}}").as_bytes(),
    )])
}

async fn registry_with(packages: &[(&str, &str)]) -> TestRegistry {
    let r = TestRegistry::start().await.unwrap();
    for (n, v) in packages {
        r.add_package(n, v, pkg(n, v));
    }
    r
}

fn client(r: &TestRegistry, options: ClientOptions, cache: Option<Cache>) -> RegistryClient {
    RegistryClient::new(r.config().unwrap(), options, cache).unwrap()
}

async fn dist_of(c: &RegistryClient, name: &str, version: &str) -> Dist {
    c.packument(name).await.unwrap().versions[version]
        .dist
        .clone()
}

fn cached_tarballs(cache: &Cache) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&cache.root().join("tarballs"))
}

#[tokio::test]
async fn fetches_packument_and_tarball() {
    let r = registry_with(&[("send", "1.0.0"), ("send", "1.1.0")]).await;
    let c = client(&r, fast(), None);
    let p = c.packument("send").await.unwrap();
    assert_eq!(p.name, "send");
    assert_eq!(p.dist_tags["latest"], "1.1.0");
    assert_eq!(p.versions.len(), 2);
    let req = &r.requests_to("/send")[0];
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!(req.header("authorization"), None);

    let t = c
        .fetch_tarball("send", "1.0.0", &p.versions["1.0.0"].dist)
        .await
        .unwrap();
    assert_eq!(t.bytes, pkg("send", "1.0.0"));
    assert_eq!(Some(t.integrity), r.integrity("send", "1.0.0"));
    assert!(!t.from_cache);
}

#[tokio::test]
async fn scoped_names_are_encoded() {
    let r = registry_with(&[("@acme/util", "2.0.0")]).await;
    let c = client(&r, fast(), None);
    let p = c.packument("@acme/util").await.unwrap();
    assert_eq!(p.name, "@acme/util");
    assert_eq!(r.requests()[0].path, "/@acme%2futil");
    let t = c
        .fetch_tarball("@acme/util", "2.0.0", &p.versions["2.0.0"].dist)
        .await
        .unwrap();
    assert_eq!(t.bytes, pkg("@acme/util", "2.0.0"));
    assert_eq!(r.requests()[1].path, "/@acme/util/-/util-2.0.0.tgz");
}

#[tokio::test]
async fn retries_server_errors_then_succeeds() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    r.inject("/send", Fault::Status(500), 2);
    r.inject("/send", Fault::Status(503), 1);
    let c = client(&r, fast(), None);
    assert_eq!(c.packument("send").await.unwrap().name, "send");
    assert_eq!(r.requests_to("/send").len(), 4);
}

#[tokio::test]
async fn gives_up_after_max_tries() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    r.inject("/send", Fault::Status(502), 100);
    let c = client(&r, fast(), None);
    let err = c.packument("send").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 502, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("send"), "{err}");
    assert_eq!(r.requests_to("/send").len(), 4);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    r.inject("/send", Fault::Status(403), 100);
    let c = client(&r, fast(), None);
    let err = c.packument("send").await.unwrap_err();
    assert!(matches!(err, RegistryError::Status { status: 403, .. }));
    assert_eq!(r.requests_to("/send").len(), 1);
}

#[tokio::test]
async fn honours_retry_after() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    r.inject(
        "/send",
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        1,
    );
    let c = client(&r, fast(), None);
    let start = Instant::now();
    c.packument("send").await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(r.requests_to("/send").len(), 2);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    r.inject(
        "/send",
        Fault::TooManyRequests {
            retry_after_secs: 3600,
        },
        1,
    );
    let options = ClientOptions {
        max_retry_after: Duration::from_millis(100),
        ..fast()
    };
    let c = client(&r, options, None);
    let start = Instant::now();
    c.packument("send").await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn reset_mid_body_is_retried() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let c = client(&r, fast(), None);
    let dist = dist_of(&c, "send", "1.0.0").await;
    let path = TestRegistry::tarball_path("send", "1.0.0");
    r.inject(&path, Fault::ResetMidBody, 2);
    let t = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    assert_eq!(t.bytes, pkg("send", "1.0.0"));
    assert_eq!(r.requests_to(&path).len(), 3);

    // A packument cut short is retried too.
    let c = client(&r, fast(), None);
    r.inject("/send", Fault::ResetMidBody, 1);
    c.packument("send").await.unwrap();
}

#[tokio::test]
async fn wrong_integrity_is_an_error_and_not_cached() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path()).unwrap();
    let c = client(&r, fast(), Some(cache.clone()));
    let dist = dist_of(&c, "send", "1.0.0").await;
    let path = TestRegistry::tarball_path("send", "1.0.0");
    r.inject(&path, Fault::WrongIntegrity, 1);
    let err = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap_err();
    match &err {
        RegistryError::IntegrityMismatch {
            package,
            expected,
            actual,
        } => {
            assert_eq!(package, "send@1.0.0");
            assert_eq!(Some(expected.clone()), r.integrity("send", "1.0.0"));
            assert!(actual.starts_with("sha512-") && actual != expected);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(cached_tarballs(&cache), 0, "nothing cached");
    assert_eq!(r.requests_to(&path).len(), 1, "a mismatch is not retried");
    // The next (good) download works and is cached.
    let t = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    assert!(!t.from_cache);
    assert_eq!(cached_tarballs(&cache), 1);
}

#[tokio::test]
async fn not_found_is_final() {
    let r = registry_with(&[]).await;
    let c = client(&r, fast(), None);
    let err = c.packument("no-such-pkg").await.unwrap_err();
    assert!(matches!(err, RegistryError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-pkg"));
    assert_eq!(r.requests().len(), 1);

    let r = registry_with(&[("send", "1.0.0")]).await;
    r.inject("/send", Fault::NotFound, 1);
    let c = client(&r, fast(), None);
    assert!(matches!(
        c.packument("send").await,
        Err(RegistryError::NotFound { .. })
    ));
}

#[tokio::test]
async fn malformed_json_is_an_error_and_not_cached() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path()).unwrap();
    r.inject("/send", Fault::MalformedJson, 1);
    let c = client(&r, fast(), Some(cache.clone()));
    let err = c.packument("send").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::MalformedPackument { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("send"));
    assert!(
        cache
            .get_packument("send", 1 << 20)
            .unwrap()
            .hit()
            .is_none()
    );
    // Not memoised either: the next call fetches again and succeeds.
    assert_eq!(c.packument("send").await.unwrap().name, "send");
}

#[tokio::test]
async fn times_out_and_retries_slow_responses() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let options = ClientOptions {
        request_timeout: Duration::from_millis(200),
        max_tries: 2,
        ..fast()
    };
    r.inject("/send", Fault::Slow(Duration::from_secs(3)), 2);
    let c = client(&r, options.clone(), None);
    let start = Instant::now();
    let err = c.packument("send").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Timeout { tries: 2, .. }),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));

    // One slow answer, then a quick one: the retry succeeds.
    r.inject("/send", Fault::Slow(Duration::from_secs(3)), 1);
    let c = client(&r, options, None);
    assert_eq!(c.packument("send").await.unwrap().name, "send");
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let r = registry_with(&[("a", "1.0.0"), ("b", "1.0.0"), ("c", "1.0.0")]).await;
    for p in ["/a", "/b", "/c"] {
        r.inject(p, Fault::Slow(Duration::from_millis(200)), 1);
    }
    let options = ClientOptions {
        concurrency: 1,
        ..fast()
    };
    let c = client(&r, options, None);
    let start = Instant::now();
    let (a, b, d) = tokio::join!(c.packument("a"), c.packument("b"), c.packument("c"));
    assert!(a.is_ok() && b.is_ok() && d.is_ok());
    assert!(
        start.elapsed() >= Duration::from_millis(590),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn etag_revalidation_reuses_cached_body() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path()).unwrap();
    let first = client(&r, fast(), Some(cache.clone()))
        .packument("send")
        .await
        .unwrap();
    let entry = cache.get_packument("send", 1 << 20).unwrap().hit().unwrap();
    let etag = entry.etag.clone().unwrap();

    // A new client (no in-memory memo) revalidates and gets 304.
    let second = client(&r, fast(), Some(cache.clone()))
        .packument("send")
        .await
        .unwrap();
    assert_eq!(first, second);
    let reqs = r.requests_to("/send");
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("if-none-match"), None);
    assert_eq!(reqs[1].header("if-none-match"), Some(etag.as_str()));

    // The package changes: the ETag no longer matches and the new body is stored.
    r.add_package("send", "2.0.0", pkg("send", "2.0.0"));
    let third = client(&r, fast(), Some(cache.clone()))
        .packument("send")
        .await
        .unwrap();
    assert_eq!(third.dist_tags["latest"], "2.0.0");
    let entry = cache.get_packument("send", 1 << 20).unwrap().hit().unwrap();
    assert_ne!(entry.etag.unwrap(), etag);
}

#[tokio::test]
async fn corrupt_cached_packument_after_304_is_refetched() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path()).unwrap();
    client(&r, fast(), Some(cache.clone()))
        .packument("send")
        .await
        .unwrap();
    let mut entry = cache.get_packument("send", 1 << 20).unwrap().hit().unwrap();
    entry.body = "{broken".into();
    cache.put_packument("send", &entry).unwrap();
    let p = client(&r, fast(), Some(cache.clone()))
        .packument("send")
        .await
        .unwrap();
    assert_eq!(p.name, "send");
    let reqs = r.requests_to("/send");
    assert_eq!(reqs.len(), 3, "304, then an unconditional GET");
    assert_eq!(reqs[2].header("if-none-match"), None);
}

#[tokio::test]
async fn tarball_cache_and_offline_mode() {
    let r = registry_with(&[("send", "1.0.0"), ("vary", "1.0.0")]).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path()).unwrap();
    let c = client(&r, fast(), Some(cache.clone()));
    let dist = dist_of(&c, "send", "1.0.0").await;
    let vary = dist_of(&c, "vary", "1.0.0").await;
    assert!(
        !c.fetch_tarball("send", "1.0.0", &dist)
            .await
            .unwrap()
            .from_cache
    );
    let again = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(again.bytes, pkg("send", "1.0.0"));
    let path = TestRegistry::tarball_path("send", "1.0.0");
    assert_eq!(r.requests_to(&path).len(), 1);

    // Offline: only the cache; nothing reaches the server.
    r.clear_log();
    let offline = client(
        &r,
        ClientOptions {
            offline: true,
            ..fast()
        },
        Some(cache.clone()),
    );
    assert_eq!(offline.packument("send").await.unwrap().name, "send");
    assert!(
        offline
            .fetch_tarball("send", "1.0.0", &dist)
            .await
            .unwrap()
            .from_cache
    );
    let err = offline
        .fetch_tarball("vary", "1.0.0", &vary)
        .await
        .unwrap_err();
    assert!(matches!(err, RegistryError::Offline { .. }), "{err:?}");
    assert!(err.to_string().contains("vary@1.0.0"), "{err}");
    let err = offline.packument("etag").await.unwrap_err();
    assert!(matches!(err, RegistryError::Offline { .. }));
    assert!(r.requests().is_empty());
}

#[tokio::test]
async fn corrupt_cached_tarball_is_refetched() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path()).unwrap();
    let c = client(&r, fast(), Some(cache.clone()));
    let dist = dist_of(&c, "send", "1.0.0").await;
    c.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    let integrity = tarsier_registry::integrity::ExpectedIntegrity::parse_sri(
        dist.integrity.as_deref().unwrap(),
    )
    .unwrap()
    .primary();
    std::fs::write(cache.tarball_path(&integrity), b"garbage").unwrap();
    let t = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    assert!(!t.from_cache);
    assert_eq!(t.bytes, pkg("send", "1.0.0"));
    assert_eq!(
        std::fs::read(cache.tarball_path(&integrity)).unwrap(),
        t.bytes
    );
}

#[tokio::test]
async fn integrity_policy() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let c = client(&r, fast(), None);
    let dist = dist_of(&c, "send", "1.0.0").await;

    // shasum only: used when there is no integrity.
    let sha_only = Dist {
        integrity: None,
        ..dist.clone()
    };
    let t = c.fetch_tarball("send", "1.0.0", &sha_only).await.unwrap();
    assert!(t.integrity.starts_with("sha1-"));
    let bad_sha = Dist {
        integrity: None,
        shasum: Some("00".repeat(20)),
        ..dist.clone()
    };
    assert!(matches!(
        c.fetch_tarball("send", "1.0.0", &bad_sha).await,
        Err(RegistryError::IntegrityMismatch { .. })
    ));

    // Neither: refused unless allowed.
    let none = Dist {
        integrity: None,
        shasum: None,
        ..dist.clone()
    };
    let err = c.fetch_tarball("send", "1.0.0", &none).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::MissingIntegrity { .. }),
        "{err:?}"
    );
    let lenient = client(
        &r,
        ClientOptions {
            allow_missing_integrity: true,
            ..fast()
        },
        None,
    );
    let t = lenient.fetch_tarball("send", "1.0.0", &none).await.unwrap();
    assert!(t.integrity.starts_with("sha512-"));
}

#[tokio::test]
async fn foreign_tarball_hosts_are_refused_by_default() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let other = registry_with(&[("send", "1.0.0")]).await;
    let c = RegistryClient::new(
        other.config_with_token("secret-token").unwrap(),
        fast(),
        None,
    )
    .unwrap();
    let foreign = client(&r, fast(), None);
    let dist = dist_of(&foreign, "send", "1.0.0").await;
    // `dist` points at `r`, but `c` is configured for `other`.
    let err = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap_err();
    assert!(matches!(err, RegistryError::TarballUrl { .. }), "{err:?}");
    assert!(
        r.requests_to(&TestRegistry::tarball_path("send", "1.0.0"))
            .is_empty()
    );

    let allowed = RegistryClient::new(
        other.config_with_token("secret-token").unwrap(),
        ClientOptions {
            allow_foreign_tarball_hosts: true,
            ..fast()
        },
        None,
    )
    .unwrap();
    allowed.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    let reqs = r.requests_to(&TestRegistry::tarball_path("send", "1.0.0"));
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].header("authorization"),
        None,
        "the token is not sent to another host"
    );
}

#[tokio::test]
async fn token_is_sent_to_its_registry_and_never_shown() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    r.require_token(Some("s3cr3t-value"));
    let c =
        RegistryClient::new(r.config_with_token("s3cr3t-value").unwrap(), fast(), None).unwrap();
    let dist = dist_of(&c, "send", "1.0.0").await;
    c.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    for req in r.requests() {
        assert_eq!(req.header("authorization"), Some("Bearer s3cr3t-value"));
    }
    assert!(!format!("{c:?}").contains("s3cr3t"));

    // Without the token: 401, and errors never contain it.
    let anon = client(&r, fast(), None);
    let err = anon.packument("send").await.unwrap_err();
    assert!(matches!(err, RegistryError::Status { status: 401, .. }));
    r.inject("/vary", Fault::Status(500), 10);
    let err = c.packument("vary").await.unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    assert!(!format!("{err:?}").contains("s3cr3t"));

    // Credentials in the registry URL are not shown either.
    let url = r.url().replace("http://", "http://user:pw-s3cr3t@");
    let c = RegistryClient::new(RegistryConfig::new(&url).unwrap(), fast(), None).unwrap();
    let err = c.packument("nope").await.unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
}

#[tokio::test]
async fn resolves_tags_ranges_and_failures() {
    let r = registry_with(&[
        ("express", "4.17.0"),
        ("express", "4.21.2"),
        ("express", "5.0.0-beta.1"),
        ("express", "5.1.0"),
        ("send", "0.18.0"),
        ("send", "0.19.0"),
        ("send", "1.0.0"),
        ("send", "1.1.0"),
    ])
    .await;
    r.set_dist_tag("express", "latest", "4.21.2");
    r.set_dist_tag("express", "next", "5.1.0");
    let c = client(&r, fast(), None);
    let scope = Scope::parse(
        "[[package]]\nname = \"express\"\n\
         [[package]]\nname = \"express\"\nversion = \"next\"\n\
         [[package]]\nname = \"send\"\nversion = \"^0.18 || 1.0.0\"\n\
         [[package]]\nname = \"send\"\nlast = 1\n\
         [[package]]\nname = \"missing\"\n\
         [[package]]\nname = \"send\"\nversion = \"^9\"\n",
        "t",
    )
    .unwrap();
    let out = resolve_scope(&c, &scope, false).await;
    let ids: Vec<String> = out.packages.iter().map(|p| p.id()).collect();
    assert_eq!(
        ids,
        [
            "express@4.21.2",
            "express@5.1.0",
            "send@0.18.0",
            "send@1.0.0",
            "send@1.1.0"
        ]
    );
    assert!(out.packages.iter().all(|p| p.direct));
    let failed: Vec<&str> = out.failures.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(failed, ["missing@latest", "send@>=9.0.0 <10.0.0-0"]);
    assert!(matches!(out.failures[0].1, RegistryError::NotFound { .. }));
    assert!(matches!(out.failures[1].1, RegistryError::Selection { .. }));
    // One packument request per package, thanks to the memo.
    assert_eq!(r.requests_to("/send").len(), 1);
}

#[tokio::test]
async fn resolves_dependency_closure() {
    let r = TestRegistry::start().await.unwrap();
    r.add_package_with_deps(
        "app",
        "1.0.0",
        pkg("app", "1.0.0"),
        &[
            ("debug", "^2.6.0"),
            ("ms", "2.0.0"),
            ("alias", "npm:ms@^2.1"),
            ("gitdep", "github:user/repo"),
            ("ghost", "^1"),
        ],
    );
    r.add_package_with_deps("debug", "2.6.8", pkg("debug", "2.6.8"), &[("ms", "2.0.0")]);
    r.add_package_with_deps("debug", "2.6.9", pkg("debug", "2.6.9"), &[("ms", "2.0.0")]);
    r.add_package_with_deps("debug", "3.0.0", pkg("debug", "3.0.0"), &[("ms", "^2.1")]);
    // `latest` is 3.0.0, outside ^2.6.0: the highest non-deprecated match wins.
    r.set_deprecated("debug", "2.6.9", "broken");
    r.set_dist_tag("debug", "latest", "3.0.0");
    r.add_package("ms", "2.0.0", pkg("ms", "2.0.0"));
    r.add_package("ms", "2.1.2", pkg("ms", "2.1.2"));
    r.add_package("ms", "2.1.3", pkg("ms", "2.1.3"));
    // `latest` satisfies ^2.1, so npm takes it over the higher 2.1.3.
    r.set_dist_tag("ms", "latest", "2.1.2");

    let c = client(&r, fast(), None);
    let scope = Scope::from_specs(&["app"], false).unwrap();
    let out = resolve_scope(&c, &scope, true).await;
    let ids: Vec<(String, bool)> = out.packages.iter().map(|p| (p.id(), p.direct)).collect();
    assert_eq!(
        ids,
        [
            ("app@1.0.0".to_owned(), true),
            ("debug@2.6.8".to_owned(), false),
            ("ms@2.0.0".to_owned(), false),
            ("ms@2.1.2".to_owned(), false),
        ]
    );
    let failed: Vec<&str> = out.failures.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(failed, ["ghost@^1", "gitdep@github:user/repo"]);
    assert!(
        matches!(
            out.failures[1].1,
            RegistryError::NonRegistryDependency { .. }
        ),
        "{:?}",
        out.failures
    );
    // Without deps only the entry itself.
    let out = resolve_scope(&c, &scope, false).await;
    assert_eq!(out.packages.len(), 1);
}

#[tokio::test]
async fn resolve_with_scoped_and_exact_specs() {
    let r = registry_with(&[("@acme/x", "1.0.0"), ("@acme/x", "2.0.0")]).await;
    let c = client(&r, fast(), None);
    let scope = Scope {
        include_prerelease: false,
        packages: vec![parse_package_spec("@acme/x@1.0.0").unwrap()],
    };
    let out = resolve_scope(&c, &scope, false).await;
    assert_eq!(out.packages.len(), 1);
    assert_eq!(out.packages[0].id(), "@acme/x@1.0.0");
    assert!(out.failures.is_empty());
}

#[tokio::test]
async fn redirects_to_other_hosts_are_refused_and_never_carry_the_token() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let other = registry_with(&[("send", "1.0.0")]).await;
    let c = RegistryClient::new(r.config_with_token("tok-s3cr3t").unwrap(), fast(), None).unwrap();
    let dist = dist_of(&c, "send", "1.0.0").await;
    let path = TestRegistry::tarball_path("send", "1.0.0");
    let target = format!("{}{}", other.url().trim_end_matches('/'), path);
    r.inject(&path, Fault::Redirect(target.clone()), 1);
    let err = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap_err();
    assert!(err.to_string().contains("another host"), "{err}");
    assert!(!err.to_string().contains("s3cr3t"));
    assert!(other.requests().is_empty());

    // Allowed: followed, and the token stays behind.
    let c = RegistryClient::new(
        r.config_with_token("tok-s3cr3t").unwrap(),
        ClientOptions {
            allow_foreign_tarball_hosts: true,
            ..fast()
        },
        None,
    )
    .unwrap();
    r.inject(&path, Fault::Redirect(target), 1);
    let t = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap();
    assert_eq!(t.bytes, pkg("send", "1.0.0"));
    let reqs = other.requests_to(&path);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("authorization"), None);

    // A redirect on the same host is followed.
    let same = format!("{}{}", r.url().trim_end_matches('/'), path);
    r.inject("/send-moved", Fault::Redirect(same), 1);
    let moved = Dist {
        tarball: format!("{}send-moved", r.url()),
        ..dist.clone()
    };
    let c = RegistryClient::new(r.config().unwrap(), fast(), None).unwrap();
    assert!(c.fetch_tarball("send", "1.0.0", &moved).await.is_ok());
}

#[tokio::test]
async fn extreme_options_do_not_panic() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    r.inject("/send", Fault::Status(500), 1);
    let options = ClientOptions {
        retry_base_delay: Duration::MAX,
        max_retry_delay: Duration::from_millis(10),
        concurrency: 0,
        max_tries: 0,
        ..fast()
    };
    let c = client(&r, options.clone(), None);
    // max_tries 0 means one try: the 500 is final.
    assert!(matches!(
        c.packument("send").await,
        Err(RegistryError::Status { status: 500, .. })
    ));
    r.inject("/send", Fault::Status(500), 1);
    let c = client(
        &r,
        ClientOptions {
            max_tries: 2,
            ..options
        },
        None,
    );
    assert_eq!(c.packument("send").await.unwrap().name, "send");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let r = registry_with(&[("send", "1.0.0")]).await;
    let options = ClientOptions {
        max_tarball_bytes: 16,
        max_packument_bytes: 16,
        ..fast()
    };
    let c = client(&r, options, None);
    let err = c.packument("send").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::TooLarge { limit: 16, .. }),
        "{err:?}"
    );
    let dist = dist_of(&client(&r, fast(), None), "send", "1.0.0").await;
    let err = c.fetch_tarball("send", "1.0.0", &dist).await.unwrap_err();
    assert!(matches!(err, RegistryError::TooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn invalid_names_never_reach_the_network() {
    let r = registry_with(&[]).await;
    let c = client(&r, fast(), None);
    for bad in ["../etc/passwd", "a/b", "", "@x", "x y"] {
        assert!(matches!(
            c.packument(bad).await,
            Err(RegistryError::InvalidSpec { .. })
        ));
    }
    assert!(r.requests().is_empty());
}

#[tokio::test]
async fn scoped_registry_routing_and_token_per_host() {
    let public = registry_with(&[("send", "1.0.0")]).await;
    let private = registry_with(&[("@acme/x", "1.0.0")]).await;
    private.require_token(Some("private-tok"));
    let mut config = public.config().unwrap();
    config.scopes.insert(
        "@acme".into(),
        tarsier_registry::Url::parse(&private.url()).unwrap(),
    );
    config
        .add_token(&private.url(), tarsier_registry::Token::new("private-tok"))
        .unwrap();
    let c = RegistryClient::new(config, fast(), None).unwrap();
    let scope = Scope::from_specs(&["send", "@acme/x"], false).unwrap();
    let out = resolve_scope(&c, &scope, false).await;
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    for p in &out.packages {
        c.fetch_tarball(&p.name, &p.version, &p.dist).await.unwrap();
    }
    assert_eq!(public.requests().len(), 2);
    assert!(
        public
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
    assert_eq!(private.requests().len(), 2);
    assert!(
        private
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer private-tok"))
    );
}
