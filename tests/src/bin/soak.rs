//! The full soak run of issue 19 (run by `benches/soak.sh`): two loopback registries serving the
//! same synthetic package versions, one of them failing a share of all requests; the release
//! `tarsier` scans each in its own process, the faulty run under `/usr/bin/time -v`; then the
//! verdict of [`tarsier_tests::soak::judge`] and the figures are printed.
//!
//! Usage: `soak <tarsier binary> <work dir> [versions (3000)] [fault rate (0.05)] [seed (19)]`.
//! Exits 1 when a promise is broken or the peak memory reaches 512 MiB.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use tarsier_registry::test_registry::Fault;
use tarsier_tests::soak::{judge, populate, write_scope};
use tarsier_tests::{read_json, start_registry};

/// The peak memory the run must stay under.
const MAX_RSS_KIB: u64 = 512 * 1024;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(tarsier), Some(work)) = (args.first(), args.get(1)) else {
        eprintln!("usage: soak <tarsier binary> <work dir> [versions] [fault rate] [seed]");
        return ExitCode::from(2);
    };
    let versions: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(3000);
    let rate: f64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(0.05);
    let seed: u64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(19);
    let work = PathBuf::from(work);
    let _ = std::fs::remove_dir_all(&work);
    if let Err(e) = std::fs::create_dir_all(&work) {
        eprintln!("soak: cannot create {}: {e}", work.display());
        return ExitCode::from(2);
    }

    let (_clean_runtime, clean) = start_registry();
    let (_faulty_runtime, faulty) = start_registry();
    populate(&clean, versions);
    populate(&faulty, versions);
    let scope = work.join("scope.toml");
    if let Err(e) = write_scope(&scope, versions) {
        eprintln!("soak: cannot write the scope: {e}");
        return ExitCode::from(2);
    }

    println!("soak: {versions} package versions, fault rate {rate}, seed {seed}");
    let started = Instant::now();
    let clean_run = scan(tarsier, &work, &scope, &clean.url(), "clean", false);
    println!(
        "soak: fault-free run: exit {:?}, {:.1} s",
        clean_run.code,
        started.elapsed().as_secs_f64()
    );

    faulty.set_random_faults(rate, seed, Fault::soak_kinds());
    let faulty_run = scan(tarsier, &work, &scope, &faulty.url(), "faulty", true);
    let verdict = judge(
        &read_json(&work.join("clean.sarif")),
        &read_json(&work.join("faulty.sarif")),
        versions,
        &faulty.random_faults_drawn(),
    );

    println!("soak: faulty run: exit {:?}", faulty_run.code);
    println!(
        "  wall time:            {}",
        faulty_run.wall.as_deref().unwrap_or("?")
    );
    match faulty_run.peak_rss_kib {
        Some(kib) => println!("  peak RSS:             {} MiB ({kib} KiB)", kib / 1024),
        None => println!("  peak RSS:             unknown (no /usr/bin/time -v)"),
    }
    println!("  requests answered:    {}", verdict.requests);
    let drawn: usize = verdict.faults.values().sum();
    println!("  faults injected:      {drawn} {:?}", verdict.faults);
    println!(
        "  packages failed:      {} expected, {} named",
        verdict.expected_failed.len(),
        verdict.named.len()
    );
    let named: Vec<&str> = verdict.named.keys().map(String::as_str).collect();
    println!("  named:                {}", named.join(", "));
    println!(
        "  healthy, results equal to the fault-free run: {}",
        verdict.healthy_equal
    );
    let mut ok = verdict.problems.is_empty();
    for problem in &verdict.problems {
        println!("  PROBLEM: {problem}");
    }
    if faulty_run
        .peak_rss_kib
        .is_some_and(|kib| kib >= MAX_RSS_KIB)
    {
        println!("  PROBLEM: peak RSS at or over 512 MiB");
        ok = false;
    }
    if !matches!(faulty_run.code, Some(0 | 1)) {
        println!("  PROBLEM: the faulty run did not finish normally");
        ok = false;
    }
    println!("soak: {}", if ok { "PASSED" } else { "FAILED" });
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What one scan process did.
struct Run {
    code: Option<i32>,
    wall: Option<String>,
    peak_rss_kib: Option<u64>,
}

/// Scans `scope` on `registry` with a fresh cache; measured with `/usr/bin/time -v` when asked.
fn scan(
    tarsier: &str,
    work: &Path,
    scope: &Path,
    registry: &str,
    name: &str,
    measure: bool,
) -> Run {
    let out = work.join(format!("{name}.sarif"));
    let cache = work.join(format!("cache-{name}"));
    let time = Path::new("/usr/bin/time");
    let mut command = if measure && time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(tarsier);
        c
    } else {
        Command::new(tarsier)
    };
    command
        .arg("scan")
        .arg("--scope")
        .arg(scope)
        .arg("--registry")
        .arg(registry)
        .arg("--cache-dir")
        .arg(&cache)
        .arg("-q")
        .arg("-o")
        .arg(&out);
    let output = match command.output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("soak: cannot run {tarsier}: {e}");
            return Run {
                code: None,
                wall: None,
                peak_rss_kib: None,
            };
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let _ = std::fs::write(work.join(format!("{name}.stderr")), stderr.as_bytes());
    let field = |label: &str| {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .map(|v| v.trim().to_string())
    };
    Run {
        code: output.status.code(),
        wall: field("Elapsed (wall clock) time (h:mm:ss or m:ss):"),
        peak_rss_kib: field("Maximum resident set size (kbytes):").and_then(|v| v.parse().ok()),
    }
}
