//! Parse only versus full scan on a directory of JavaScript, in one run, with the ratio:
//! `cargo run --release -p tarsier-benches --example scan_cost -- [DIR] [ROUNDS]`.
//! Without DIR it uses the corpus repeated 200 times. Each phase runs ROUNDS times (default 5) on
//! all cores and the fastest round is kept, so background load inflates both sides alike.
//! `SCAN_COST_ONLY=full` (or `parse`) skips the other phases, for profiling one alone. The full
//! scan also runs once with the sparse walk off (every node visited), and the two reports must
//! be equal.

use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tarsier_engine::{Engine, EngineOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let files = match args.next().filter(|d| !d.is_empty()) {
        Some(dir) => tarsier_benches::javascript_files(std::path::Path::new(&dir)),
        None => tarsier_benches::corpus_files(200),
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let rules = match tarsier_rules::embedded() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rules: {e}");
            std::process::exit(2);
        }
    };
    let engine = match Engine::new(&rules, EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("engine: {e}");
            std::process::exit(2);
        }
    };
    let best = |run: &dyn Fn()| -> Duration {
        (0..rounds.max(1))
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let only = std::env::var("SCAN_COST_ONLY").unwrap_or_default();
    let full_only = only == "full";
    let parse_only = only == "parse";
    let parse = best(&|| {
        if full_only {
            return;
        }
        files.par_iter().for_each(|(_, bytes)| {
            let text = tarsier_parse::decode_source(bytes).unwrap_or_default();
            black_box(tarsier_parse::parse(text).ok());
        })
    });
    // The floor of any rule engine on tree-sitter: parse, then visit every node once.
    let walk = best(&|| {
        if full_only || parse_only {
            return;
        }
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
    });
    let full = best(&|| {
        if parse_only {
            return;
        }
        black_box(engine.scan_files(&files));
    });
    let every_node = match Engine::new(
        &rules,
        EngineOptions {
            sparse_walk: false,
            ..EngineOptions::default()
        },
    ) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("engine: {e}");
            std::process::exit(2);
        }
    };
    let full_walk = best(&|| {
        if full_only || parse_only {
            return;
        }
        black_box(every_node.scan_files(&files));
    });
    if only.is_empty() && engine.scan_files(&files) != every_node.scan_files(&files) {
        eprintln!("the sparse walk and the full walk found different things");
        std::process::exit(1);
    }
    let mib = bytes as f64 / (1024.0 * 1024.0);
    let rate = |d: Duration| mib / d.as_secs_f64().max(1e-9);
    println!(
        "{} files, {:.1} MiB, {} threads, best of {rounds}",
        files.len(),
        mib,
        rayon::current_num_threads()
    );
    println!(
        "parse only  {:>8.1} ms  {:>6.2} MiB/s",
        parse.as_secs_f64() * 1e3,
        rate(parse)
    );
    println!(
        "parse + walk {:>7.1} ms  {:>6.2} MiB/s  (every node visited once: the floor of a full walk)",
        walk.as_secs_f64() * 1e3,
        rate(walk)
    );
    println!(
        "full scan   {:>8.1} ms  {:>6.2} MiB/s",
        full.as_secs_f64() * 1e3,
        rate(full)
    );
    println!(
        "full scan, every node walked {:>8.1} ms  {:>6.2} MiB/s  (same results)",
        full_walk.as_secs_f64() * 1e3,
        rate(full_walk)
    );
    let parse_s = parse.as_secs_f64().max(1e-9);
    println!(
        "full / parse {:.2}   (parse + walk) / parse {:.2}",
        full.as_secs_f64() / parse_s,
        walk.as_secs_f64() / parse_s
    );
}
