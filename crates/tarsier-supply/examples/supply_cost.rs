//! Times the supply-chain capability scan, deobfuscation and move search over every JavaScript
//! file under a directory: `cargo run --release -p tarsier-supply --example supply_cost -- <dir>`.

use std::time::{Duration, Instant};

fn files(dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if ["js", "cjs", "mjs"]
            .iter()
            .any(|x| p.extension().is_some_and(|e| e == *x))
            && let Ok(t) = std::fs::read_to_string(&p)
        {
            out.push(t);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let mut texts = Vec::new();
    files(std::path::Path::new(&dir), &mut texts);
    let bytes: usize = texts.iter().map(String::len).sum();
    let time = |f: &dyn Fn(&str)| {
        let t = Instant::now();
        for text in &texts {
            f(text);
        }
        t.elapsed()
    };
    let plain = time(&|t| {
        tarsier_supply::caps::scan_js(t);
    });
    let gated = texts
        .iter()
        .filter(|t| tarsier_supply::deobfuscate::needs_decoding(t))
        .count();
    if std::env::var_os("SUPPLY_COST_LIST").is_some() {
        for t in texts
            .iter()
            .filter(|t| tarsier_supply::deobfuscate::needs_decoding(t))
        {
            let s = Instant::now();
            let d = tarsier_supply::deobfuscate::decode(t);
            println!(
                "{} bytes, _0x {}, {:?}, {} decodings",
                t.len(),
                t.contains("_0x"),
                s.elapsed(),
                d.map_or(0, |d| d.decodings.len())
            );
        }
    }
    let gate = time(&|t| {
        tarsier_supply::deobfuscate::needs_decoding(t);
    });
    let decode = time(&|t| {
        tarsier_supply::deobfuscate::decode(t);
    });
    let moves = time(&|t| {
        tarsier_supply::moves::worm_moves(t, &Default::default());
        tarsier_supply::moves::global_hooks(t);
    });
    let obf = time(&|t| {
        tarsier_supply::obfuscation::signals("a.js", t);
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} files, {} bytes; {gated} pass the decode gate\nscan_js {:.0} ms, gate {:.0} ms, decode {:.0} ms, moves+hooks {:.0} ms, obfuscation signals {:.0} ms",
        texts.len(),
        bytes,
        ms(plain),
        ms(gate),
        ms(decode),
        ms(moves),
        ms(obf)
    );
}
