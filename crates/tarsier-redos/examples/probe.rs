//! Prints the ReDoS analysis of each pattern given on the command line.
//!
//! Usage: `cargo run --release -p tarsier-redos --example probe -- '^(a+)+$' 'a*b/i'`
//! (a trailing `/flags` part is split off when it holds only flag letters).

use tarsier_redos::{Budget, analyze};

fn main() {
    for arg in std::env::args().skip(1) {
        let (pattern, flags) = match arg.rsplit_once('/') {
            Some((p, f)) if f.chars().all(|c| "dgimsuvy".contains(c)) => (p, f),
            _ => (arg.as_str(), ""),
        };
        let started = std::time::Instant::now();
        match analyze(pattern, flags, &Budget::default()) {
            Ok(a) => {
                println!(
                    "/{pattern}/{flags}: {:?} confirmed={} in {:?}",
                    a.verdict,
                    a.confirmed,
                    started.elapsed()
                );
                if let Some(w) = a.witness {
                    println!(
                        "  prefix {:?} pump {:?} suffix {:?}",
                        w.prefix, w.pump, w.suffix
                    );
                }
                if let Some((n, steps)) = a.steps_at.last() {
                    println!("  {steps} steps at n = {n}");
                }
            }
            Err(e) => println!("{e}"),
        }
    }
}
