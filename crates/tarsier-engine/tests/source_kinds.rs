//! Issue 14 item 4: files that packages ship without a JavaScript extension but with a `node`
//! shebang are scanned, `.ts` files are scanned, and TSX files are reported as not scanned,
//! never skipped in silence, both for in-memory files (tarballs) and for a walked directory
//! (`lint`). The rules (written against JavaScript node kinds, which TypeScript shares) find
//! the same things in `.ts` files; type annotations do not hide request objects.
#![allow(clippy::unwrap_used)]

mod common;

use common::{engine, rule_cases};
use tarsier_engine::{SourceKind, source_kind, walk};

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
    assert_eq!(source_kind("src/App.tsx", b""), SourceKind::TypeScriptJsx);
    assert_eq!(source_kind("src/x.MTS", b""), SourceKind::TypeScript);
    assert_eq!(source_kind("index.d.ts", b""), SourceKind::TypeDeclarations);
}

#[test]
fn tarball_files_node_scripts_and_typescript_scanned_tsx_noted() {
    let files = vec![
        ("package/bin/cli".to_string(), SCRIPT.as_bytes().to_vec()),
        ("package/README".to_string(), b"exec(x)\n".to_vec()),
        (
            "package/src/a.ts".to_string(),
            b"export const a: number = 1;\n".to_vec(),
        ),
        (
            "package/src/b.tsx".to_string(),
            b"export const B = () => <b/>;\n".to_vec(),
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
    assert_eq!(report.files_scanned, 2);
    let notes: Vec<&str> = report
        .notifications
        .iter()
        .filter(|n| n.code == "typescript-not-scanned")
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", report.notifications);
    assert!(notes[0].contains("package/src/b.tsx"), "{}", notes[0]);
    assert!(!notes[0].contains("a.ts"), "{}", notes[0]);
    assert!(notes[0].contains("1 declaration file"), "{}", notes[0]);
}

#[test]
fn walked_directory_node_scripts_and_typescript_scanned_tsx_noted() {
    let tmp = tempfile::Builder::new()
        .prefix("tarsier-source-kinds-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(dir.join("bin/cli"), SCRIPT).unwrap();
    std::fs::write(dir.join("bin/helper"), "#!/bin/sh\nexec \"$@\"\n").unwrap();
    std::fs::write(
        dir.join("index.ts"),
        "import { exec } from 'child_process';\nexec(process.argv[2] as string);\n",
    )
    .unwrap();
    std::fs::write(dir.join("view.tsx"), "export default () => <i/>;\n").unwrap();
    let (files, problems) =
        walk::collect(std::slice::from_ref(&dir), &walk::WalkOptions::default());
    assert!(problems.is_empty());
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.display.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, vec!["cli", "index.ts", "view.tsx"]);
    let report = engine().scan_walked(&files);
    let hits: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.path.rsplit('/').next().unwrap(), f.rule_id.as_str()))
        .collect();
    assert_eq!(
        hits,
        vec![
            ("cli", "node/command-exec"),
            ("index.ts", "node/command-exec")
        ]
    );
    assert!(
        report
            .notifications
            .iter()
            .any(|n| n.code == "typescript-not-scanned" && n.message.contains("view.tsx"))
    );
}

fn hits(report: &tarsier_engine::ScanReport) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = report
        .findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.span.start_line))
        .collect();
    out.sort();
    out
}

#[test]
fn rule_cases_find_the_same_in_typescript() {
    let rules = tarsier_rules::embedded().unwrap();
    let e = engine();
    let (mut compared, mut with_findings) = (0, 0);
    let mut differences = Vec::new();
    for rule in &rules.rules {
        for code in rule_cases(rule) {
            // Only code that is TypeScript as well (JSX and `<T>x` casts are not).
            let tree = tarsier_parse::parse_as(code, tarsier_parse::Dialect::TypeScript).unwrap();
            if tree.root_node().has_error() {
                continue;
            }
            let js = hits(&e.scan_source("case.js", code.as_bytes()));
            let ts = hits(&e.scan_source("case.ts", code.as_bytes()));
            compared += 1;
            with_findings += usize::from(!js.is_empty());
            if js != ts {
                differences.push(format!("{}:\n{code}\njs {js:?}\nts {ts:?}", rule.meta.id));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
    assert!(compared > 150, "{compared} cases compared");
    assert!(with_findings > 60, "{with_findings} cases with findings");
}

#[test]
fn annotated_and_destructured_handlers_are_request_handlers() {
    let src = r#"import { Request, Response } from 'express';
import * as fs from 'fs';
app.get('/a', (req: Request, res: Response) => {
  res.redirect(req.query.next as string);
});
app.get('/b', ({ query }: Request, res: Response) => {
  fs.readFileSync(query.file as string);
});
export function handler(incoming: Request, response: Response): void {
  response.send('<p>' + incoming.params.name! + '</p>');
}
const rx: RegExp = /(\s*,\s*)*$/;
app.get('/c', (req: Request, res: Response) => res.json(rx.test(req.headers.accept!)));
"#;
    let report = engine().scan_source("app.ts", src.as_bytes());
    let got: Vec<(&str, usize)> = report
        .findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.span.start_line))
        .collect();
    assert_eq!(
        got,
        vec![
            ("express/open-redirect", 4),
            ("express/path-traversal", 7),
            ("express/reflected-xss", 10),
            ("redos/exponential", 12),
        ],
        "{:#?}",
        report.findings
    );
    assert!(report.findings.iter().all(|f| !f.flow.is_empty()));
}

#[test]
fn typescript_module_extensions_are_parsed_and_tsx_is_noted() {
    let files = vec![
        (
            "package/src/a.mts".to_string(),
            b"const x: string = eval(input as string);\n".to_vec(),
        ),
        (
            "package/src/b.cts".to_string(),
            b"function f<T>(v: T): T { return v; }\n".to_vec(),
        ),
        (
            "package/src/View.tsx".to_string(),
            b"export const V = () => <div>{eval(x)}</div>;\n".to_vec(),
        ),
    ];
    let report = engine().scan_files(&files);
    assert_eq!(report.files_scanned, 2);
    let got: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.rule_id.as_str()))
        .collect();
    assert_eq!(got, vec![("package/src/a.mts", "node/dynamic-code")]);
    let notes: Vec<&str> = report
        .notifications
        .iter()
        .filter(|n| n.code == "typescript-not-scanned")
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("View.tsx"), "{}", notes[0]);
}
