//! `tarsier scan` when the registry misbehaves in ways a retry cannot fix: packages that change
//! between resolution and download, and hosts that do not resolve. Every test is hermetic: the
//! registry is the loopback test registry, and the one host name that is looked up cannot be
//! sent to any DNS server (see [`unresolvable_host`]).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use tarsier_registry::test_registry::{PackageChange, TestRegistry};
use tarsier_tests::{
    Place, lint_places, pack_corpus, package_results, read_json, result_places, start_registry,
    tarsier, temp_dir,
};

/// The results of `package` in a SARIF log.
fn results_of<'a>(log: &'a serde_json::Value, package: &str) -> Vec<&'a serde_json::Value> {
    package_results(log, package)
}

/// (rule id, file, line) of results.
fn locations(results: &[&serde_json::Value]) -> BTreeSet<Place> {
    result_places(results.iter().copied())
}

/// (rule id, file, line) of `tarsier lint corpus/<dir>`, paths relative to the package.
fn lint_of(dir: &str) -> BTreeSet<Place> {
    lint_places("faults", dir)
}

/// Exactly one `code` notification names `package`, and it says `host` could not be resolved.
fn assert_one_unresolved_host(notes: &[serde_json::Value], code: &str, package: &str, host: &str) {
    let victim = notes_with(notes, code, package);
    assert_eq!(victim.len(), 1, "{notes:#?}");
    let text = victim[0]["message"]["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("could not resolve host `{host}`")),
        "{text}"
    );
}

/// The tool execution notifications of a SARIF log.
fn notifications(log: &serde_json::Value) -> Vec<serde_json::Value> {
    log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The notifications with descriptor `code` whose message mentions `needle`.
fn notes_with<'a>(
    notes: &'a [serde_json::Value],
    code: &str,
    needle: &str,
) -> Vec<&'a serde_json::Value> {
    notes
        .iter()
        .filter(|n| {
            n["descriptor"]["id"] == code
                && n["message"]["text"]
                    .as_str()
                    .is_some_and(|m| m.contains(needle))
        })
        .collect()
}

#[test]
fn packages_changed_after_resolution_are_scanned_as_resolved() {
    let (_runtime, registry) = start_registry();
    // Healthy all along.
    registry.add_package("steady", "2.1.0", pack_corpus("static-serve"));
    // Its tarball is replaced by one with findings once the scan has read the packument.
    registry.add_package("republished", "1.0.0", pack_corpus("clean-parser"));
    registry.after_packument_served(
        "republished",
        PackageChange::Republish {
            version: "1.0.0".to_string(),
            tgz: pack_corpus("redirect-guard"),
        },
    );
    // The version the scan picked is unpublished before its tarball is fetched.
    registry.add_package("unpublished", "1.0.0", pack_corpus("clean-parser"));
    registry.add_package("unpublished", "1.1.0", pack_corpus("clean-parser"));
    registry.after_packument_served(
        "unpublished",
        PackageChange::Unpublish {
            version: "1.1.0".to_string(),
        },
    );
    // A new `latest` appears after the scan resolved `latest`.
    registry.add_package("grows", "1.0.0", pack_corpus("redirect-guard"));
    registry.after_packument_served(
        "grows",
        PackageChange::Publish {
            version: "2.0.0".to_string(),
            tgz: pack_corpus("legacy-utils"),
        },
    );
    let resolved_republished = registry.integrity("republished", "1.0.0").unwrap();
    let resolved_unpublished = registry.integrity("unpublished", "1.1.0").unwrap();
    let resolved_grows = registry.integrity("grows", "1.0.0").unwrap();
    let resolved_steady = registry.integrity("steady", "2.1.0").unwrap();

    let dir = temp_dir("faults-changed");
    let out = dir.join("scan.sarif");
    let url = registry.url();
    let code = tarsier(&[
        "scan",
        "--registry",
        url.as_str(),
        "--cache-dir",
        dir.join("cache").to_str().unwrap(),
        "--package",
        "steady@^2",
        "--package",
        "republished@1.0.0",
        "--package",
        "unpublished@1.1.0",
        "--package",
        "grows@latest",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let log = read_json(&out);
    let notes = notifications(&log);
    assert_eq!(code, 1, "findings in the healthy packages; {notes:#?}");

    // The changes happened: the registry now serves something else than was resolved.
    assert_ne!(
        registry.integrity("republished", "1.0.0").unwrap(),
        resolved_republished
    );
    assert_eq!(registry.integrity("unpublished", "1.1.0"), None);
    assert!(registry.integrity("grows", "2.0.0").is_some());
    // Each packument was read once: nothing re-resolved behind the scan's back.
    for name in ["steady", "republished", "unpublished", "grows"] {
        assert_eq!(
            registry
                .requests_to(&TestRegistry::packument_path(name))
                .len(),
            1,
            "{name}"
        );
    }

    // Republished: the new bytes fail verification against the resolved integrity, are not
    // scanned (the replacement has findings; none may show), and the notification says so.
    assert!(results_of(&log, "republished").is_empty());
    let republished = notes_with(&notes, "fetch-failed", "republished@1.0.0");
    assert_eq!(republished.len(), 1, "{notes:#?}");
    let text = republished[0]["message"]["text"].as_str().unwrap();
    assert!(text.contains("integrity mismatch"), "{text}");
    assert!(text.contains(&resolved_republished), "{text}");
    assert_eq!(republished[0]["level"], "error");
    assert_eq!(
        republished[0]["properties"]["integrity"], resolved_republished,
        "the notification records the integrity that was resolved"
    );
    assert_eq!(republished[0]["properties"]["version"], "1.0.0");

    // Unpublished: a notification naming the version, no results, no fallback to 1.0.0.
    assert!(results_of(&log, "unpublished").is_empty());
    let unpublished = notes_with(&notes, "fetch-failed", "unpublished@1.1.0");
    assert_eq!(unpublished.len(), 1, "{notes:#?}");
    let text = unpublished[0]["message"]["text"].as_str().unwrap();
    assert!(text.contains("not found on the registry"), "{text}");
    assert_eq!(
        unpublished[0]["properties"]["integrity"],
        resolved_unpublished
    );
    assert!(
        registry
            .requests_to(&TestRegistry::tarball_path("unpublished", "1.0.0"))
            .is_empty()
    );

    // A new latest: the version that was resolved is the one scanned, with its integrity, and
    // the new version's tarball is never fetched.
    let grows = results_of(&log, "grows");
    assert_eq!(locations(&grows), lint_of("redirect-guard"));
    for r in &grows {
        assert_eq!(r["properties"]["version"], "1.0.0");
        assert_eq!(r["properties"]["integrity"], resolved_grows);
    }
    assert!(
        registry
            .requests_to(&TestRegistry::tarball_path("grows", "2.0.0"))
            .is_empty()
    );
    assert!(notes_with(&notes, "fetch-failed", "grows").is_empty());

    // The healthy package keeps complete results.
    let steady = results_of(&log, "steady");
    assert_eq!(locations(&steady), lint_of("static-serve"));
    assert!(
        steady
            .iter()
            .all(|r| r["properties"]["integrity"] == resolved_steady)
    );

    // Exactly two failures, both errors; the run is marked unsuccessful.
    let errors: Vec<_> = notes.iter().filter(|n| n["level"] == "error").collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

/// A host name that no resolver can send to a DNS server, so looking it up fails on the machine
/// itself: its first label is 72 bytes, and DNS labels hold at most 63 (RFC 1035, 2.3.4), so it
/// has no wire form. (It is not in `/etc/hosts`, and `.invalid` is reserved by RFC 6761.) The
/// system resolver refuses it before opening any socket; a shorter unknown name would be
/// forwarded to the configured name server, which may be off the machine. Checked with
/// `strace -e trace=connect,sendto,sendmmsg getent hosts <name>` (2026-12-07): no socket to port 53
/// for this name, one for a short `.invalid` name.
fn unresolvable_host() -> String {
    format!("{}.invalid", "unresolvable".repeat(6))
}

/// Whether a proxy is configured for the process: the request would then leave the machine for
/// the proxy, which resolves names itself, so the DNS tests do not run.
fn proxy_configured() -> bool {
    [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ]
    .iter()
    .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()))
}

#[test]
fn tarball_host_that_does_not_resolve_is_a_notification_naming_the_package() {
    if proxy_configured() {
        eprintln!("skipped: a proxy is configured, the request would leave the machine");
        return;
    }
    let host = unresolvable_host();
    assert!(host.split('.').next().unwrap().len() > 63);
    let (_runtime, registry) = start_registry();
    registry.add_package("steady", "2.1.0", pack_corpus("static-serve"));
    registry.add_package("dns-victim", "1.0.0", pack_corpus("redirect-guard"));
    let victim_path = TestRegistry::tarball_path("dns-victim", "1.0.0");
    let port = registry.addr().port();
    registry.set_tarball_url(
        "dns-victim",
        "1.0.0",
        &format!("http://{host}:{port}{victim_path}"),
    );

    let dir = temp_dir("faults-dns-tarball");
    let out = dir.join("scan.sarif");
    let url = registry.url();
    let code = tarsier(&[
        "scan",
        "--registry",
        url.as_str(),
        "--cache-dir",
        dir.join("cache").to_str().unwrap(),
        "--allow-foreign-tarball-hosts",
        "--package",
        "steady@^2",
        "--package",
        "dns-victim@1.0.0",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let log = read_json(&out);
    let notes = notifications(&log);
    assert_eq!(code, 1, "findings in the healthy package; {notes:#?}");

    assert_one_unresolved_host(&notes, "fetch-failed", "dns-victim@1.0.0", &host);
    assert!(results_of(&log, "dns-victim").is_empty());
    assert!(registry.requests_to(&victim_path).is_empty());
    assert_eq!(
        locations(&results_of(&log, "steady")),
        lint_of("static-serve")
    );
}

#[test]
fn registry_host_that_does_not_resolve_is_a_notification_naming_the_package() {
    if proxy_configured() {
        eprintln!("skipped: a proxy is configured, the request would leave the machine");
        return;
    }
    let host = unresolvable_host();
    let dir = temp_dir("faults-dns-registry");
    let out = dir.join("scan.sarif");
    let registry = format!("http://{host}:9/");
    let code = tarsier(&[
        "scan",
        "--registry",
        registry.as_str(),
        "--cache-dir",
        dir.join("cache").to_str().unwrap(),
        "--package",
        "dns-victim@latest",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let log = read_json(&out);
    let notes = notifications(&log);
    assert_eq!(code, 2, "nothing could be scanned; {notes:#?}");
    assert_one_unresolved_host(&notes, "resolve-failed", "dns-victim", &host);
}
