//! Times the analysis of single hostile files (a development aid for the bounds in
//! `tests/robustness.rs`): `cargo run -p tarsier-supply --example time_files`.

use std::time::Instant;

use tarsier_supply::{Options, PackageInput, analyze};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "requires",
            "require('a' + b);\n".repeat(180_000).into_bytes(),
        ),
        (
            "env",
            "process.env.SECRET_TOKEN; fetch(x); dns.lookup(a + b);\n"
                .repeat(55_000)
                .into_bytes(),
        ),
        ("line", "x".repeat(3 << 20).into_bytes()),
        ("quotes", "'".repeat(3 << 20).into_bytes()),
        ("escapes", "\\x41".repeat(800_000).into_bytes()),
        ("nul", vec![0; 3 << 20]),
        (
            "binary",
            (0..(3u32 << 20)).map(|i| (i % 256) as u8).collect(),
        ),
    ];
    for (name, data) in &cases {
        let files: Vec<(&str, &[u8])> = vec![("package.json", b"{}"), ("f.js", data)];
        let p = PackageInput::from_files("t", "1.0.0", &files)?;
        let start = Instant::now();
        let report = analyze(&p, None, &Options::default());
        println!(
            "{name}: {:?}, {} findings",
            start.elapsed(),
            report.findings.len()
        );
    }
    Ok(())
}
