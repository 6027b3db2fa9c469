//! The soak run of issue 19: a loopback registry serving thousands of synthetic package
//! versions, a share of all requests failing in every way the fault injector knows, and the
//! verdict: every failed package named once, every other package's results equal to a
//! fault-free run's. `tests/tests/soak.rs` runs a small one; `benches/soak.sh` (through the
//! `soak` binary of this crate) the full one, with its figures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tarsier_registry::test_registry::{Fault, TestRegistry};

/// The name of synthetic package `i`.
pub fn package_name(i: usize) -> String {
    format!("soak-pkg-{i:05}")
}

/// The version of synthetic package `i` (one version per package, so a failure names exactly one
/// package version and there is no release diff to lose).
pub fn package_version(i: usize) -> String {
    format!("1.{}.{}", i % 7, i % 3)
}

/// Route handlers of the synthetic packages: some with findings, some clean.
const HANDLERS: &[&str] = &[
    "app.get('/go', (req, res) => res.redirect(req.query.to));",
    "app.get('/ok', (req, res) => res.send('ok'));",
    "app.post('/run', (req, res) => { res.send(String(eval(req.body.code))); });",
    "app.get('/file', (req, res) => res.sendFile(path.join(__dirname, req.params.name)));",
    "app.get('/check', (req, res) => res.send(/^(a+)+$/.test(req.query.s) ? 'y' : 'n'));",
];

/// The `.tgz` of synthetic package `i`: a `package.json`, an Express app whose handler depends on
/// `i`, and a helper module; deterministic, different for every `i`.
pub fn package_tgz(i: usize) -> Vec<u8> {
    let name = package_name(i);
    let version = package_version(i);
    let manifest = format!(r#"{{"name":"{name}","version":"{version}","main":"index.js"}}"#);
    let index = format!(
        "'use strict';\nconst express = require('express');\nconst path = require('path');\n\
         const app = express();\n{}\n{}\nmodule.exports = app;\n",
        HANDLERS[i % HANDLERS.len()],
        HANDLERS[(i / HANDLERS.len()) % HANDLERS.len()],
    );
    let mut helper = String::new();
    for k in 0..20 {
        helper.push_str(&format!(
            "function helper{i}_{k}(list) {{\n  return list.map((x) => x * {k} + {i}).filter(Boolean);\n}}\n"
        ));
    }
    helper.push_str("module.exports = { helper0: typeof helper0 };\n");
    tarsier_registry::test_registry::tgz(&[
        ("package/package.json", manifest.as_bytes()),
        ("package/index.js", index.as_bytes()),
        ("package/lib/helpers.js", helper.as_bytes()),
    ])
}

/// Publishes synthetic packages `0..versions` on `registry`.
pub fn populate(registry: &TestRegistry, versions: usize) {
    for i in 0..versions {
        registry.add_package(&package_name(i), &package_version(i), package_tgz(i));
    }
}

/// A scope file naming every synthetic package at its version.
pub fn write_scope(path: &Path, versions: usize) -> std::io::Result<()> {
    let mut text = String::new();
    for i in 0..versions {
        text.push_str(&format!(
            "[[package]]\nname = \"{}\"\nversion = \"{}\"\n\n",
            package_name(i),
            package_version(i)
        ));
    }
    std::fs::write(path, text)
}

/// What a soak run did and whether it kept its promises.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Package versions in the scope.
    pub versions: usize,
    /// Requests the faulty registry answered (with a random draw).
    pub requests: usize,
    /// Faults drawn, by kind (`Status(500)`, `WrongIntegrity`, ...).
    pub faults: BTreeMap<String, usize>,
    /// Packages named by error notifications, with how many times.
    pub named: BTreeMap<String, usize>,
    /// Packages that must have failed: the last request to their packument or tarball got a
    /// fault that is not merely slow (a final fault, or a transient one after the last retry).
    pub expected_failed: BTreeSet<String>,
    /// Packages not named and whose results equal the fault-free run's.
    pub healthy_equal: usize,
    /// Broken promises, one line each.
    pub problems: Vec<String>,
}

/// Short name of a fault, for counting.
fn fault_kind(fault: &Fault) -> String {
    let text = format!("{fault:?}");
    text.split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The package a notification message names (`name@version: ...` or `name: ...`).
fn named_package(message: &str) -> Option<String> {
    let spec = message.split(": ").next()?;
    let name = match spec.get(1..).and_then(|rest| rest.find('@')) {
        Some(at) => &spec[..=at],
        None => spec,
    };
    Some(name.to_string())
}

/// Results of one package, each as canonical JSON text, sorted; the tarball URL's registry (the
/// two runs use two registries) is left out.
fn results_of(log: &serde_json::Value, package: &str) -> Vec<String> {
    let mut results: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|r| r["properties"]["package"] == package)
        .map(|r| {
            let mut r = r.clone();
            if let Some(url) = r["properties"]["tarball"].as_str() {
                let path = url.splitn(4, '/').nth(3).unwrap_or_default().to_string();
                r["properties"]["tarball"] = serde_json::Value::String(path);
            }
            r.to_string()
        })
        .collect();
    results.sort();
    results
}

/// Error notifications of a log, by the package they name.
fn errors_by_package(log: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut named = BTreeMap::new();
    for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if n["level"] != "error" {
            continue;
        }
        let package = n["message"]["text"]
            .as_str()
            .and_then(named_package)
            .unwrap_or_else(|| "<unnamed>".to_string());
        *named.entry(package).or_insert(0) += 1;
    }
    named
}

/// Judges a faulty run (`faulty`) against a fault-free one (`clean`) of the same `versions`
/// synthetic packages, knowing what the registry drew for each request (`drawn`).
pub fn judge(
    clean: &serde_json::Value,
    faulty: &serde_json::Value,
    versions: usize,
    drawn: &BTreeMap<String, Vec<Option<Fault>>>,
) -> Verdict {
    let mut verdict = Verdict {
        versions,
        named: errors_by_package(faulty),
        ..Verdict::default()
    };
    for faults in drawn.values() {
        verdict.requests += faults.len();
        for fault in faults.iter().flatten() {
            *verdict.faults.entry(fault_kind(fault)).or_insert(0) += 1;
        }
    }
    let clean_errors = errors_by_package(clean);
    if !clean_errors.is_empty() {
        verdict
            .problems
            .push(format!("the fault-free run failed: {clean_errors:?}"));
    }
    if clean["runs"][0]["results"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        verdict
            .problems
            .push("the fault-free run found nothing".to_string());
    }
    for i in 0..versions {
        let name = package_name(i);
        let paths = [
            TestRegistry::packument_path(&name),
            TestRegistry::tarball_path(&name, &package_version(i)),
        ];
        let failed_for_good = paths.iter().any(|p| {
            drawn
                .get(p)
                .and_then(|faults| faults.last())
                .is_some_and(|last| {
                    last.as_ref()
                        .is_some_and(|f| !matches!(f, Fault::Slow(_) | Fault::SlowBody(_)))
                })
        });
        if failed_for_good {
            verdict.expected_failed.insert(name.clone());
        }
        match verdict.named.get(&name) {
            Some(1) if failed_for_good => {
                if !results_of(faulty, &name).is_empty() {
                    verdict
                        .problems
                        .push(format!("{name}: failed but has results"));
                }
            }
            Some(1) => verdict.problems.push(format!(
                "{name}: named as failed, but every request to it was finally served whole"
            )),
            Some(n) => verdict
                .problems
                .push(format!("{name}: named {n} times, not once")),
            None if failed_for_good => verdict
                .problems
                .push(format!("{name}: failed for good but not named")),
            None => {
                if results_of(faulty, &name) == results_of(clean, &name) {
                    verdict.healthy_equal += 1;
                } else {
                    verdict.problems.push(format!(
                        "{name}: healthy, but its results differ from the fault-free run's"
                    ));
                }
            }
        }
    }
    for name in verdict.named.keys() {
        if !name.starts_with("soak-pkg-") {
            verdict
                .problems
                .push(format!("an error names no synthetic package: {name}"));
        }
    }
    verdict
}
