//! Parse-only versus full-scan throughput on the corpus (bytes per second), so the cost of the
//! rules on top of tree-sitter's parse is visible: `cargo bench -p tarsier-benches`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use std::hint::black_box;
use tarsier_engine::{Engine, EngineOptions};

fn engine_benches(c: &mut Criterion) {
    let files = tarsier_benches::corpus_files(200);
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let rules = tarsier_rules::embedded().expect("built-in rules");
    // Every iteration scans the same files: each must do the work, not reuse the last report.
    let fresh = EngineOptions {
        reuse_reports: false,
        ..EngineOptions::default()
    };
    let engine = Engine::new(&rules, fresh).expect("rules compile");
    // What a file scanned before under the same inputs costs (hashing them and a lookup).
    let reusing = Engine::new(&rules, EngineOptions::default()).expect("rules compile");
    black_box(reusing.scan_files(&files));

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(20);
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            files.par_iter().for_each(|(_, bytes)| {
                let text = tarsier_parse::decode_source(bytes).unwrap_or_default();
                black_box(tarsier_parse::parse(text).ok());
            })
        })
    });
    group.bench_function("full_scan", |b| {
        b.iter(|| black_box(engine.scan_files(&files)))
    });
    group.bench_function("full_scan_unchanged_files", |b| {
        b.iter(|| black_box(reusing.scan_files(&files)))
    });
    group.finish();

    c.bench_function("compile_rules", |b| {
        b.iter(|| black_box(Engine::new(&rules, EngineOptions::default()).ok()))
    });
}

criterion_group!(benches, engine_benches);
criterion_main!(benches);
