//! Which packages cost the most beyond parsing: `cargo run --release -p tarsier-benches
//! --example cost_by_package -- DIR [TOP]`, with `RAYON_NUM_THREADS=1` (a package's files
//! are scanned in parallel, and parsed here one after the other). Each package is parsed
//! alone and scanned alone, best of three; the packages are listed by what the scan costs
//! beyond the parse, most first, with the ratio. It shows whether the cost beyond parsing
//! sits in a few packages or is spread over all of them.

use std::hint::black_box;
use std::time::{Duration, Instant};

fn best_of(rounds: usize, mut f: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: cost_by_package DIR [TOP]");
        std::process::exit(2);
    };
    let top: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(25);
    let rules = match tarsier_rules::embedded() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rules: {e}");
            std::process::exit(2);
        }
    };
    // Versions of one package repeat files: each must cost what its analysis costs.
    let options = tarsier_engine::EngineOptions {
        reuse_reports: false,
        ..tarsier_engine::EngineOptions::default()
    };
    let engine = match tarsier_engine::Engine::new(&rules, options) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("engine: {e}");
            std::process::exit(2);
        }
    };
    let packages = tarsier_benches::named_packages(std::path::Path::new(&dir));
    let mut rows = Vec::new();
    let (mut total_parse, mut total_scan) = (Duration::ZERO, Duration::ZERO);
    for (name, files) in &packages {
        let parse = best_of(3, || {
            for (path, bytes) in files {
                if path != "package.json" {
                    let text = tarsier_parse::decode_source(bytes).unwrap_or_default();
                    black_box(tarsier_parse::parse(text).ok());
                }
            }
        });
        let scan = best_of(3, || {
            black_box(engine.scan_files(files));
        });
        total_parse += parse;
        total_scan += scan;
        rows.push((scan.saturating_sub(parse), parse, scan, name.clone()));
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    println!(
        "total: parse {:.1} ms, scan {:.1} ms, ratio {:.2}",
        total_parse.as_secs_f64() * 1e3,
        total_scan.as_secs_f64() * 1e3,
        total_scan.as_secs_f64() / total_parse.as_secs_f64().max(1e-9)
    );
    for (extra, parse, scan, name) in rows.iter().take(top) {
        println!(
            "{:>8.2} ms beyond parse  {:>8.2} / {:>8.2} ms  ratio {:>5.2}  {name}",
            extra.as_secs_f64() * 1e3,
            parse.as_secs_f64() * 1e3,
            scan.as_secs_f64() * 1e3,
            scan.as_secs_f64() / parse.as_secs_f64().max(1e-9)
        );
    }
}
