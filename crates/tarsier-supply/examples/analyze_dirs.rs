//! Runs the supply-chain analysis on unpacked packages on disk and prints the findings, one per
//! line: `cargo run -p tarsier-supply --example analyze_dirs -- <dir> [<previous dir>]`.
//! Each directory holds a package's files (`package.json` at its root), as `npm pack` and `tar
//! xzf` leave them under `package/`. The typosquat check uses the names in `TARSIER_SCOPE`
//! (comma-separated) when set. `node_modules` folders inside the directory are skipped.

use std::path::Path;

use tarsier_supply::{Options, PackageInput, analyze};

fn read_package(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                // Nested packages of an npm install tree are packages of their own.
                if path.file_name().is_some_and(|n| n != "node_modules") {
                    walk(root, &path, out)?;
                }
            } else if let Ok(rel) = path.strip_prefix(root) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&path)?));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: analyze_dirs <dir> [<previous dir>]");
        std::process::exit(2);
    };
    let files = read_package(Path::new(dir))?;
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let manifest: serde_json::Value = borrowed
        .iter()
        .find(|(p, _)| *p == "package.json")
        .and_then(|(_, d)| serde_json::from_slice(d).ok())
        .unwrap_or_default();
    let name = manifest["name"].as_str().unwrap_or("unknown").to_owned();
    let version = manifest["version"].as_str().unwrap_or("0.0.0").to_owned();
    let next = PackageInput::from_files(&name, &version, &borrowed)?;

    let prev_files = match args.get(1) {
        Some(p) => Some(read_package(Path::new(p))?),
        None => None,
    };
    let prev_borrowed: Option<Vec<(&str, &[u8])>> = prev_files
        .as_ref()
        .map(|f| f.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect());
    let prev_manifest: serde_json::Value = prev_borrowed
        .as_ref()
        .and_then(|b| b.iter().find(|(p, _)| *p == "package.json"))
        .and_then(|(_, d)| serde_json::from_slice(d).ok())
        .unwrap_or_default();
    let prev_version = prev_manifest["version"]
        .as_str()
        .unwrap_or("previous")
        .to_owned();
    let prev = match &prev_borrowed {
        Some(b) => Some(PackageInput::from_files(&name, &prev_version, b)?),
        None => None,
    };
    let options = Options {
        in_scope: std::env::var("TARSIER_SCOPE")
            .map(|s| s.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        ..Options::default()
    };
    let report = analyze(&next, prev.as_ref(), &options);
    for f in &report.findings {
        println!(
            "{} {}:{} [{}] {}",
            f.rule_id, f.path, f.span.start_line, f.severity, f.message
        );
    }
    for n in &report.notifications {
        println!("notification {}: {}", n.code, n.message);
    }
    Ok(())
}
