//! Parse only versus full scan on a directory of JavaScript, in one run, with the ratio:
//! `cargo run --release -p tarsier-benches --example scan_cost -- [DIR] [ROUNDS]`.
//! Without DIR it uses the corpus repeated 200 times. Each round times every phase once, one
//! after the other, on all cores; the fastest round of each phase is kept (default 5 rounds), so
//! background load that comes and goes inflates both sides alike.
//!
//! The phases: parse only; parse plus a walk of every node (the floor of an engine that visits
//! every node); the full scan (every rule, the sparse walk); the full scan with every node
//! walked. The two full scans must find the same; the run fails otherwise.
//!
//! A DIR of packages (`<name>@<version>/`, as `benches/peers/make-input.sh` makes it) is scanned
//! as `tarsier scan` scans them, package by package with each `package.json` (entry points,
//! library inputs, taint across the files of a package); packages run in parallel.
//! `SCAN_COST_ONLY=full` (or `parse`) runs one phase alone, for profiling it; a list
//! (`SCAN_COST_ONLY=parse,full`) runs those phases interleaved, so that many rounds of the two
//! the ratio needs fit in a few minutes on a machine whose speed comes and goes.
//! `SCAN_COST_PAIRED=N` measures the ratio another way, for a machine whose speed drifts from
//! one second to the next: N rounds (after one that fills the ReDoS verdict cache) in which each
//! worker parses one package's files and then scans the package, timing each; the sums of the
//! two over all packages give the ratio, so a slow spell weighs on both sides alike.
//! `SCAN_COST_FINDINGS=FILE` writes what the full scan found (every finding with its flow
//! path, and the notifications) to FILE, one line each, to compare two builds of the engine:
//! a change made for speed must leave it byte for byte the same.

use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tarsier_engine::{Engine, EngineOptions};

fn engine(rules: &tarsier_rules::RuleSet, sparse_walk: bool) -> Engine {
    // Every round scans the same files again: each scan must do the work.
    let options = EngineOptions {
        sparse_walk,
        reuse_reports: false,
        ..EngineOptions::default()
    };
    match Engine::new(rules, options) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("engine: {e}");
            std::process::exit(2);
        }
    }
}

/// CPU time of the whole process (every thread) so far, from `/proc/self/stat` (user plus
/// system, in the kernel's 1/100 s ticks); `None` off Linux.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let packages: Vec<Vec<(String, Vec<u8>)>> = match args.next().filter(|d| !d.is_empty()) {
        Some(dir) => tarsier_benches::packages(std::path::Path::new(&dir)),
        None => vec![tarsier_benches::corpus_files(200)],
    };
    // Parse only is timed on the same JavaScript files the scans parse.
    let files: Vec<&(String, Vec<u8>)> = packages
        .iter()
        .flatten()
        .filter(|(path, _)| path != "package.json")
        .collect();
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let rules = match tarsier_rules::embedded() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rules: {e}");
            std::process::exit(2);
        }
    };
    let sparse = engine(&rules, true);
    if let Some(rounds) = std::env::var("SCAN_COST_PAIRED")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
    {
        paired(&packages, &sparse, rounds);
        return;
    }
    let every_node = engine(&rules, false);
    let only = std::env::var("SCAN_COST_ONLY").unwrap_or_default();
    let run = |phase: &str| only.is_empty() || only.split(',').any(|p| p == phase);

    let parse_only = || {
        files.par_iter().for_each(|(_, bytes)| {
            let text = tarsier_parse::decode_source(bytes).unwrap_or_default();
            black_box(tarsier_parse::parse(text).ok());
        })
    };
    let parse_and_walk = || {
        files.par_iter().for_each(|(_, bytes)| {
            let text = tarsier_parse::decode_source(bytes).unwrap_or_default();
            if let Ok(tree) = tarsier_parse::parse(text) {
                let mut kinds = 0u64;
                tarsier_engine::pattern::walk(tree.root_node(), &mut |node, _| {
                    kinds += u64::from(node.kind_id());
                });
                black_box(kinds);
            }
        })
    };
    let scan_all = |engine: &Engine| -> Vec<tarsier_engine::ScanReport> {
        packages.par_iter().map(|p| engine.scan_files(p)).collect()
    };
    let full = || {
        black_box(scan_all(&sparse));
    };
    let full_every_node = || {
        black_box(scan_all(&every_node));
    };
    let phases: [(&str, &dyn Fn()); 4] = [
        ("parse", &parse_only),
        ("walk", &parse_and_walk),
        ("full", &full),
        ("full-walk", &full_every_node),
    ];
    let mut best = [Duration::MAX; 4];
    let mut best_cpu = [Duration::MAX; 4];
    for _ in 0..rounds.max(1) {
        for (i, (name, phase)) in phases.iter().enumerate() {
            if !run(name) {
                continue;
            }
            let cpu = cpu_time();
            let start = Instant::now();
            phase();
            best[i] = best[i].min(start.elapsed());
            if let (Some(before), Some(after)) = (cpu, cpu_time()) {
                best_cpu[i] = best_cpu[i].min(after.saturating_sub(before));
            }
        }
    }
    if only.is_empty() && scan_all(&sparse) != scan_all(&every_node) {
        eprintln!("the sparse walk and the full walk found different things");
        std::process::exit(1);
    }

    if let Some(out) = std::env::var_os("SCAN_COST_FINDINGS") {
        let mut text = String::new();
        for report in scan_all(&sparse) {
            for finding in &report.findings {
                text.push_str(&format!("{finding:?}\n"));
            }
            for note in &report.notifications {
                text.push_str(&format!("{note:?}\n"));
            }
        }
        if let Err(e) = std::fs::write(&out, text) {
            eprintln!("{}: {e}", std::path::Path::new(&out).display());
            std::process::exit(2);
        }
    }

    let mib = bytes as f64 / (1024.0 * 1024.0);
    println!(
        "{} files in {} packages, {:.1} MiB, {} threads, best of {rounds} interleaved rounds",
        files.len(),
        packages.len(),
        mib,
        rayon::current_num_threads()
    );
    let labels = [
        "parse only",
        "parse + walk of every node",
        "full scan",
        "full scan, every node walked",
    ];
    for (i, (name, _)) in phases.iter().enumerate() {
        if run(name) {
            println!(
                "{:<30} {:>8.1} ms  {:>6.2} MiB/s   CPU {:>8.1} ms",
                labels[i],
                best[i].as_secs_f64() * 1e3,
                mib / best[i].as_secs_f64().max(1e-9),
                best_cpu[i].as_secs_f64() * 1e3
            );
        }
    }
    if !only.is_empty() && run("parse") && run("full") {
        println!(
            "full / parse {:.3}   in CPU time: full / parse {:.3}",
            best[2].as_secs_f64() / best[0].as_secs_f64().max(1e-9),
            best_cpu[2].as_secs_f64() / best_cpu[0].as_secs_f64().max(1e-9)
        );
    }
    if only.is_empty() {
        let ratio = |d: Duration| d.as_secs_f64() / best[0].as_secs_f64().max(1e-9);
        println!(
            "full / parse {:.2}   (parse + walk) / parse {:.2}   full, every node walked / parse {:.2}   (the two full scans found the same)",
            ratio(best[2]),
            ratio(best[1]),
            ratio(best[3])
        );
        let cpu_ratio = |d: Duration| d.as_secs_f64() / best_cpu[0].as_secs_f64().max(1e-9);
        println!(
            "in CPU time: full / parse {:.2}   (parse + walk) / parse {:.2}   full, every node walked / parse {:.2}",
            cpu_ratio(best_cpu[2]),
            cpu_ratio(best_cpu[1]),
            cpu_ratio(best_cpu[3])
        );
    }
}

/// `SCAN_COST_PAIRED`: per package, parse only then the full scan on the same worker, summed.
/// Each worker is a rayon pool of one thread of its own (one per core), so the engine's own
/// parallel work within a package stays on it and its clock times that package alone.
fn paired(packages: &[Vec<(String, Vec<u8>)>], engine: &Engine, rounds: usize) {
    let one_package = |files: &Vec<(String, Vec<u8>)>| {
        let start = Instant::now();
        for (path, bytes) in files {
            if path != "package.json" {
                let text = tarsier_parse::decode_source(bytes).unwrap_or_default();
                black_box(tarsier_parse::parse(text).ok());
            }
        }
        let parsed = Instant::now();
        black_box(engine.scan_files(files));
        (parsed - start, parsed.elapsed())
    };
    let round = || -> (Duration, Duration) {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let worker = || {
            let pool = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                Ok(pool) => pool,
                Err(e) => {
                    eprintln!("thread pool: {e}");
                    std::process::exit(2);
                }
            };
            pool.install(|| {
                let mut sums = (Duration::ZERO, Duration::ZERO);
                while let Some(files) =
                    packages.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let (p, f) = one_package(files);
                    sums = (sums.0 + p, sums.1 + f);
                }
                sums
            })
        };
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..rayon::current_num_threads())
                .map(|_| scope.spawn(worker))
                .collect();
            workers
                .into_iter()
                .filter_map(|w| w.join().ok())
                .fold((Duration::ZERO, Duration::ZERO), |a, b| {
                    (a.0 + b.0, a.1 + b.1)
                })
        })
    };
    black_box(round());
    let (mut parse, mut full) = (Duration::ZERO, Duration::ZERO);
    for i in 1..=rounds.max(1) {
        let (p, f) = round();
        println!(
            "round {i}: parse only {:>8.1} ms, full scan {:>8.1} ms (summed over workers), full / parse {:.3}",
            p.as_secs_f64() * 1e3,
            f.as_secs_f64() * 1e3,
            f.as_secs_f64() / p.as_secs_f64().max(1e-9)
        );
        parse += p;
        full += f;
    }
    println!(
        "paired, {} rounds: full / parse {:.3}",
        rounds.max(1),
        full.as_secs_f64() / parse.as_secs_f64().max(1e-9)
    );
}
