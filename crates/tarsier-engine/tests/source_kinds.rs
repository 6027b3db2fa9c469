//! Issue 14 item 4: files that packages ship without a JavaScript extension but with a `node`
//! shebang are scanned, and TypeScript files are reported as not scanned, never skipped in
//! silence, both for in-memory files (tarballs) and for a walked directory (`lint`).
#![allow(clippy::unwrap_used)]

use tarsier_engine::{Engine, EngineOptions, SourceKind, source_kind, walk};

fn engine() -> Engine {
    Engine::new(
        &tarsier_rules::embedded().unwrap(),
        EngineOptions::default(),
    )
    .unwrap()
}

const SCRIPT: &str =
    "#!/usr/bin/env node\nconst cp = require('child_process');\ncp.exec(process.argv[2]);\n";

#[test]
fn kinds_by_name_and_shebang() {
    assert_eq!(source_kind("lib/a.js", b""), SourceKind::JavaScript);
    assert_eq!(
        source_kind("bin/cli", SCRIPT.as_bytes()),
        SourceKind::JavaScript
    );
    assert_eq!(
        source_kind(
            "bin/cli",
            b"#!/usr/local/bin/node --max-old-space-size=100\n"
        ),
        SourceKind::JavaScript
    );
    assert_eq!(
        source_kind("bin/cli", b"#!/bin/sh\nnode x.js\n"),
        SourceKind::Other
    );
    assert_eq!(
        source_kind("bin/nodemon", b"#!/bin/bash\n"),
        SourceKind::Other
    );
    assert_eq!(
        source_kind("bin/cli.sh", SCRIPT.as_bytes()),
        SourceKind::Other
    );
    assert_eq!(source_kind("LICENSE", b"MIT License\n"), SourceKind::Other);
    assert_eq!(source_kind("src/index.ts", b""), SourceKind::TypeScript);
    assert_eq!(source_kind("src/App.tsx", b""), SourceKind::TypeScript);
    assert_eq!(source_kind("src/x.MTS", b""), SourceKind::TypeScript);
    assert_eq!(source_kind("index.d.ts", b""), SourceKind::TypeDeclarations);
}

#[test]
fn tarball_files_node_scripts_scanned_typescript_noted() {
    let files = vec![
        ("package/bin/cli".to_string(), SCRIPT.as_bytes().to_vec()),
        ("package/README".to_string(), b"exec(x)\n".to_vec()),
        (
            "package/src/a.ts".to_string(),
            b"export const a: number = 1;\n".to_vec(),
        ),
        (
            "package/index.d.ts".to_string(),
            b"export declare const a: number;\n".to_vec(),
        ),
    ];
    let report = engine().scan_files(&files);
    let hits: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.rule_id.as_str()))
        .collect();
    assert_eq!(hits, vec![("package/bin/cli", "node/command-exec")]);
    assert_eq!(report.files_scanned, 1);
    let notes: Vec<&str> = report
        .notifications
        .iter()
        .filter(|n| n.code == "typescript-not-scanned")
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", report.notifications);
    assert!(notes[0].contains("package/src/a.ts"), "{}", notes[0]);
    assert!(notes[0].contains("1 declaration file"), "{}", notes[0]);
}

#[test]
fn walked_directory_node_scripts_scanned_typescript_noted() {
    let dir = std::env::temp_dir().join(format!("tarsier-source-kinds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(dir.join("bin/cli"), SCRIPT).unwrap();
    std::fs::write(dir.join("bin/helper"), "#!/bin/sh\nexec \"$@\"\n").unwrap();
    std::fs::write(dir.join("index.ts"), "export default 1;\n").unwrap();
    let (files, problems) =
        walk::collect(std::slice::from_ref(&dir), &walk::WalkOptions::default());
    assert!(problems.is_empty());
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.display.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, vec!["cli", "index.ts"]);
    let report = engine().scan_walked(&files);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].rule_id, "node/command-exec");
    assert!(
        report
            .notifications
            .iter()
            .any(|n| n.code == "typescript-not-scanned" && n.message.contains("index.ts"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
