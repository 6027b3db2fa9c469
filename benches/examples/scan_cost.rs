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
//! `SCAN_COST_ONLY=full` (or `parse`) runs one phase alone, for profiling it.
//! `SCAN_COST_FINDINGS=FILE` writes what the full scan found (every finding with its flow
//! path, and the notifications) to FILE, one line each, to compare two builds of the engine:
//! a change made for speed must leave it byte for byte the same.

use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tarsier_engine::{Engine, EngineOptions};

fn engine(rules: &tarsier_rules::RuleSet, sparse_walk: bool) -> Engine {
    let options = EngineOptions {
        sparse_walk,
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
    let every_node = engine(&rules, false);
    let only = std::env::var("SCAN_COST_ONLY").unwrap_or_default();
    let run = |phase: &str| only.is_empty() || only == phase;

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
