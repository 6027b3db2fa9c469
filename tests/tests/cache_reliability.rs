//! Issue 19: the cache of a nightly scan on shared CI runners. Two runs on one `--cache-dir` at
//! once, a disk that fills up while the cache or the report is written, and a cache restored
//! with a corrupted or hand-edited entry. Every run is against the loopback test registry.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tarsier_registry::test_registry::TestRegistry;
use tarsier_tests::{
    Place, SmallFileSystem, TempDir, child_main, files_named, lint_places, pack_corpus,
    package_results, read_json, result_places, spawn_tarsier, start_registry, tarsier, temp_dir,
};

/// The test a child process runs (see [`spawn_tarsier`]); a no-op in the normal run.
#[test]
fn cli_child() {
    child_main();
}

/// The corpus packages the registry serves, as (name, version, corpus dir).
const PACKAGES: &[(&str, &str, &str)] = &[
    ("redirect-guard", "1.0.0", "redirect-guard"),
    ("redirect-guard", "1.1.0", "redirect-guard"),
    ("static-serve", "2.1.0", "static-serve"),
    ("legacy-utils", "0.9.4", "legacy-utils"),
    ("clean-parser", "3.0.0", "clean-parser"),
    ("middleware-kit", "1.2.0", "middleware-kit"),
];

/// One test's setting: a loopback registry serving [`PACKAGES`] (keep it alive for the test)
/// and a fresh directory for its cache and reports.
struct Setting {
    _runtime: tokio::runtime::Runtime,
    registry: TestRegistry,
    dir: TempDir,
}

impl Setting {
    fn new(label: &str) -> Self {
        let (_runtime, registry) = start_registry();
        for (name, version, dir) in PACKAGES {
            registry.add_package(name, version, pack_corpus(dir));
        }
        let dir = temp_dir(label);
        Setting {
            _runtime,
            registry,
            dir,
        }
    }

    /// A scan of every package with `cache`, in process, writing `out`: its exit code.
    fn scan(&self, cache: &Path, out: &Path) -> u8 {
        let args = scan_args(&self.registry, cache, out);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tarsier(&args)
    }

    /// The same scan in a child process (see [`spawn_tarsier`]).
    fn spawn_scan(&self, cache: &Path, out: &Path) -> std::process::Child {
        let args = scan_args(&self.registry, cache, out);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        spawn_tarsier("cli_child", &args).unwrap()
    }
}

/// Arguments of a scan of every package in [`PACKAGES`] (all versions).
fn scan_args(registry: &TestRegistry, cache: &Path, out: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "scan",
        "--registry",
        &registry.url(),
        "--cache-dir",
        cache.to_str().unwrap(),
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    let names: BTreeSet<&str> = PACKAGES.iter().map(|(n, _, _)| *n).collect();
    for name in names {
        args.push("--package".to_string());
        args.push(format!("{name}@*"));
    }
    args
}

/// The places of the results of `name@version` in a log.
fn version_places(log: &serde_json::Value, name: &str, version: &str) -> BTreeSet<Place> {
    result_places(
        package_results(log, name)
            .into_iter()
            .filter(|r| r["properties"]["version"] == version),
    )
}

/// (package, version) -> places of its results, for every package version of the log.
fn results_by_version(log: &serde_json::Value) -> Vec<(String, String, BTreeSet<Place>)> {
    PACKAGES
        .iter()
        .map(|(name, version, _)| {
            (
                (*name).to_string(),
                (*version).to_string(),
                version_places(log, name, version),
            )
        })
        .collect()
}

/// Every package version has the results `tarsier lint corpus/<dir>` gives.
fn assert_complete(log: &serde_json::Value) {
    for (name, version, dir) in PACKAGES {
        let code: BTreeSet<Place> = version_places(log, name, version)
            .into_iter()
            .filter(|(rule, _, _)| !rule.starts_with("supply-chain/"))
            .collect();
        assert_eq!(code, lint_places("cache", dir), "{name}@{version}");
    }
}

/// (descriptor id, level, message) of the tool execution notifications.
fn notes(log: &serde_json::Value) -> Vec<(String, String, String)> {
    log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|n| {
            (
                n["descriptor"]["id"].as_str().unwrap_or("").to_string(),
                n["level"].as_str().unwrap_or("").to_string(),
                n["message"]["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The notifications about the cache or failures (the corpus packages have notes of their own,
/// such as suppressions that are not honoured).
fn problems(log: &serde_json::Value) -> Vec<(String, String, String)> {
    notes(log)
        .into_iter()
        .filter(|n| n.0.starts_with("cache-") || n.1 == "error")
        .collect()
}

fn notes_with(log: &serde_json::Value, code: &str) -> Vec<(String, String, String)> {
    notes(log).into_iter().filter(|n| n.0 == code).collect()
}

/// Every tarball the registry serves is in the cache, whole, and no temporary file is left.
fn assert_cache_complete(registry: &TestRegistry, cache_dir: &Path) {
    let cache = tarsier_registry::Cache::new(cache_dir).unwrap();
    for (name, version, _) in PACKAGES {
        let sri = registry.integrity(name, version).unwrap();
        let integrity = tarsier_registry::integrity::ExpectedIntegrity::parse_sri(&sri).unwrap();
        let key = tarsier_registry::integrity::Integrity {
            algorithm: integrity.algorithm,
            digest: integrity.digests[0].clone(),
        };
        assert!(
            matches!(
                cache.get_tarball(&key, 1 << 30).unwrap(),
                tarsier_registry::Lookup::Hit(_)
            ),
            "{name}@{version} cached whole"
        );
    }
    assert_no_files_named(cache_dir, ".tmp-");
}

/// No file under `dir` has a name starting with `prefix` (no temporary file is left).
fn assert_no_files_named(dir: &Path, prefix: &str) {
    assert_eq!(files_named(dir, prefix), Vec::<PathBuf>::new());
}

#[test]
fn issue_19_two_runs_sharing_one_cache_at_once_both_complete() {
    let setting = Setting::new("cache-concurrent");
    let dir = &setting.dir;
    let cache = dir.join("cache");
    let outs = [dir.join("a.sarif"), dir.join("b.sarif")];
    let children: Vec<_> = outs
        .iter()
        .map(|out| setting.spawn_scan(&cache, out))
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "findings expected; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let logs: Vec<serde_json::Value> = outs.iter().map(|o| read_json(o)).collect();
    for log in &logs {
        assert_complete(log);
        assert!(
            problems(log).is_empty(),
            "no failure, nothing discarded: {:#?}",
            problems(log)
        );
    }
    assert_eq!(results_by_version(&logs[0]), results_by_version(&logs[1]));
    assert_cache_complete(&setting.registry, &cache);

    // A third run reads everything the two wrote: nothing is discarded, nothing downloaded.
    setting.registry.clear_log();
    let out = dir.join("c.sarif");
    assert_eq!(setting.scan(&cache, &out), 1);
    let log = read_json(&out);
    assert!(problems(&log).is_empty(), "{:#?}", problems(&log));
    assert_eq!(results_by_version(&log), results_by_version(&logs[0]));
    assert!(
        setting
            .registry
            .requests()
            .iter()
            .all(|r| !r.path.ends_with(".tgz")),
        "every tarball came from the shared cache"
    );
}

#[test]
fn issue_19_poisoned_tarball_in_the_cache_is_discarded_fetched_again_and_noted() {
    let setting = Setting::new("cache-poisoned-tarball");
    let dir = &setting.dir;
    let cache = dir.join("cache");
    let first = dir.join("first.sarif");
    assert_eq!(setting.scan(&cache, &first), 1);
    let first = read_json(&first);

    // Replace one cached tarball with another package's (valid gzip, wrong content address).
    let sri = setting.registry.integrity("static-serve", "2.1.0").unwrap();
    let parsed = tarsier_registry::integrity::ExpectedIntegrity::parse_sri(&sri).unwrap();
    let key = tarsier_registry::integrity::Integrity {
        algorithm: parsed.algorithm,
        digest: parsed.digests[0].clone(),
    };
    let path = tarsier_registry::Cache::new(&cache)
        .unwrap()
        .tarball_path(&key);
    std::fs::write(&path, pack_corpus("redirect-guard")).unwrap();
    setting.registry.clear_log();

    let second = dir.join("second.sarif");
    assert_eq!(setting.scan(&cache, &second), 1);
    let second = read_json(&second);
    let discarded = notes_with(&second, "cache-entry-discarded");
    assert_eq!(discarded.len(), 1, "{:#?}", problems(&second));
    let (_, level, text) = &discarded[0];
    assert_eq!(level, "note");
    assert!(text.starts_with("static-serve@2.1.0: "), "{text}");
    assert!(
        text.contains(&sri) && text.contains("content address"),
        "{text}"
    );
    // Fetched again, once, and the results are those of the real package.
    assert_eq!(
        setting
            .registry
            .requests_to(&TestRegistry::tarball_path("static-serve", "2.1.0"))
            .len(),
        1
    );
    assert_eq!(results_by_version(&second), results_by_version(&first));
    assert_complete(&second);
    assert_cache_complete(&setting.registry, &cache);
}

#[test]
fn issue_19_hand_edited_result_cache_entry_is_discarded_rescanned_and_noted() {
    let setting = Setting::new("cache-edited-result");
    let dir = &setting.dir;
    let cache = dir.join("cache");
    let first = dir.join("first.sarif");
    assert_eq!(setting.scan(&cache, &first), 1);
    let first = read_json(&first);
    let entries = files_named(&cache.join("results"), "");
    assert_eq!(
        entries.len(),
        PACKAGES.len(),
        "one result entry per version"
    );

    // Someone "fixes" a result by hand: the findings of one entry are emptied.
    let edited = entries
        .iter()
        .find(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.contains("\"findings\":[{")
        })
        .unwrap();
    let text = std::fs::read_to_string(edited).unwrap();
    let (digest, payload) = text.split_once('\n').unwrap();
    let start = payload.find("\"findings\":[").unwrap() + "\"findings\":[".len();
    let end = payload.find("],\"notifications\"").unwrap();
    let forged = format!("{digest}\n{}{}", &payload[..start], &payload[end..]);
    std::fs::write(edited, forged).unwrap();

    let second = dir.join("second.sarif");
    assert_eq!(setting.scan(&cache, &second), 1);
    let second = read_json(&second);
    let discarded = notes_with(&second, "cache-entry-discarded");
    assert_eq!(discarded.len(), 1, "{:#?}", problems(&second));
    let (_, level, text) = &discarded[0];
    assert_eq!(level, "note");
    assert!(text.contains("edited or corrupted"), "{text}");
    assert!(text.contains(&edited.display().to_string()), "{text}");
    // The package was scanned again: the same results as the first run, none lost.
    assert_eq!(results_by_version(&second), results_by_version(&first));
    assert_complete(&second);
    // And the entry was written back, valid: a third run discards nothing.
    let third = dir.join("third.sarif");
    assert_eq!(setting.scan(&cache, &third), 1);
    assert!(problems(&read_json(&third)).is_empty());
}

#[test]
fn issue_19_full_disk_under_the_cache_is_noted_and_the_next_run_recovers() {
    let Some(fs) = SmallFileSystem::mount("cache-full", 512) else {
        eprintln!("skipped: mounting a tmpfs is not permitted here");
        return;
    };
    let setting = Setting::new("cache-disk-full");
    let dir = &setting.dir;
    let cache = fs.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    fs.fill().unwrap();

    let out = dir.join("full.sarif");
    assert_eq!(setting.scan(&cache, &out), 1);
    let log = read_json(&out);
    // The scan itself is complete; what could not be written is named, as warnings.
    assert_complete(&log);
    let not_written = notes_with(&log, "cache-not-written");
    assert!(!not_written.is_empty(), "{:#?}", problems(&log));
    for (_, level, text) in &not_written {
        assert_eq!(level, "warning");
        assert!(text.contains("No space left on device"), "{text}");
        assert!(text.contains(cache.to_str().unwrap()), "{text}");
    }
    for (name, version, _) in PACKAGES {
        let id = format!("{name}@{version}: ");
        assert!(
            not_written.iter().any(|(_, _, t)| t.starts_with(&id)),
            "{id} named; {not_written:#?}"
        );
    }
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    assert_no_files_named(&cache, ".tmp-");

    // Space again: the next run fills the cache, reports nothing, finds the same.
    fs.free().unwrap();
    let again = dir.join("again.sarif");
    assert_eq!(setting.scan(&cache, &again), 1);
    let again = read_json(&again);
    assert!(problems(&again).is_empty(), "{:#?}", problems(&again));
    assert_eq!(results_by_version(&again), results_by_version(&log));
    assert_cache_complete(&setting.registry, &cache);
}

#[test]
fn issue_19_full_disk_under_the_report_leaves_it_whole_or_absent() {
    let Some(fs) = SmallFileSystem::mount("report-full", 512) else {
        eprintln!("skipped: mounting a tmpfs is not permitted here");
        return;
    };
    let setting = Setting::new("report-disk-full");
    let dir = &setting.dir;
    let cache = dir.join("cache");
    let out = fs.path().join("scan.sarif");
    let scan = |out: &Path| setting.spawn_scan(&cache, out).wait_with_output().unwrap();
    fs.fill().unwrap();

    // No report yet: it stays absent, and the error names the file.
    let output = scan(&out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("could not write {}", out.display())),
        "{stderr}"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!out.exists(), "no partial report");
    assert_no_files_named(fs.path(), ".scan.sarif");

    // With space: a complete report. Then full again: the earlier report stays as it was.
    fs.free().unwrap();
    let output = scan(&out);
    assert_eq!(output.status.code(), Some(1));
    let complete = std::fs::read(&out).unwrap();
    assert_complete(&read_json(&out));
    fs.fill().unwrap();
    let output = scan(&out);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read(&out).unwrap(), complete, "never truncated");
    assert_no_files_named(fs.path(), ".scan.sarif");

    // The next run with space recovers.
    fs.free().unwrap();
    std::fs::remove_file(&out).unwrap();
    let output = scan(&out);
    assert_eq!(output.status.code(), Some(1));
    assert_complete(&read_json(&out));
}

#[test]
fn issue_19_temporary_files_of_a_killed_run_are_removed_by_the_next() {
    let setting = Setting::new("cache-killed-run");
    let dir = &setting.dir;
    let cache = dir.join("cache");
    assert_eq!(setting.scan(&cache, &dir.join("a.sarif")), 1);
    // What a run killed between write and rename leaves: an old one and a fresh one (which
    // could be a concurrent run's, so it stays).
    let results = cache.join("results");
    let (old, fresh) = (results.join(".tmp-1-0"), results.join(".tmp-1-1"));
    std::fs::write(&old, b"half").unwrap();
    std::fs::write(&fresh, b"half").unwrap();
    let touched = std::process::Command::new("touch")
        .args(["-d", "2 hours ago"])
        .arg(&old)
        .status()
        .unwrap();
    assert!(touched.success());
    let out = dir.join("b.sarif");
    assert_eq!(setting.scan(&cache, &out), 1);
    assert!(!old.exists(), "an hour-old temporary file is removed");
    assert!(fresh.exists(), "a young one may be another run's");
    assert!(problems(&read_json(&out)).is_empty());
}
