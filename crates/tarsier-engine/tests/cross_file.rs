//! Issue 14: taint across the files of one package. Request data (or a library input) that one
//! file passes to an exported function of another file, through a relative `require` or
//! `import`, reaches the sinks there, and the finding's path names both files.
#![allow(clippy::unwrap_used)]

mod common;

use common::engine;
use tarsier_model::{Finding, Severity};

/// Scans a package made of `files` (a `package.json` whose `main` is `index.js` is added).
fn scan_package(files: &[(&str, &str)]) -> Vec<Finding> {
    engine().scan_files(&package_files(files)).findings
}

fn of<'f>(findings: &'f [Finding], rule: &str) -> Vec<&'f Finding> {
    findings.iter().filter(|f| f.rule_id == rule).collect()
}

const SERVE: &str = "\
const fs = require('fs');
function serve(name, res) {
  fs.createReadStream('/srv/files/' + name).pipe(res);
}
module.exports = serve;
";

#[test]
fn request_data_passed_to_another_file_reaches_its_sink_with_both_files_in_the_path() {
    let index = "\
const serve = require('./lib/serve');
module.exports = function middleware(req, res, next) {
  serve(req.query.file, res);
};
";
    let findings = scan_package(&[("index.js", index), ("lib/serve.js", SERVE)]);
    let hits = of(&findings, "express/path-traversal");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    let hit = hits[0];
    assert_eq!(hit.path, "lib/serve.js");
    assert_eq!(hit.span.start_line, 3);
    assert_eq!(hit.severity, Severity::Error, "{hit:#?}");
    // The path starts at the source in index.js and ends at the sink in lib/serve.js.
    let first = &hit.flow[0];
    assert_eq!(first.path.as_deref(), Some("index.js"), "{:#?}", hit.flow);
    assert_eq!(first.span.start_line, 3);
    assert!(first.message.contains("req.query"), "{:#?}", hit.flow);
    assert!(
        hit.flow
            .iter()
            .any(|s| s.path.as_deref() == Some("index.js") && s.message.contains("./lib/serve")),
        "{:#?}",
        hit.flow
    );
    let last = hit.flow.last().unwrap();
    assert_eq!(last.path, None, "the sink is in the finding's own file");

    // Control: the same files, called with a constant, give nothing.
    let constant = index.replace("req.query.file", "'readme.txt'");
    let quiet = scan_package(&[("index.js", &constant), ("lib/serve.js", SERVE)]);
    assert!(
        of(&quiet, "express/path-traversal").is_empty(),
        "{quiet:#?}"
    );
}

#[test]
fn members_destructuring_and_esm_imports_name_the_callee() {
    let lib = "\
const fs = require('fs');
exports.serve = function (name, res) {
  fs.createReadStream('/srv/' + name).pipe(res);
};
";
    let esm_lib = "\
import fs from 'fs';
export function serve(name, res) {
  fs.createReadStream('/srv/' + name).pipe(res);
}
";
    for (index, lib_path, lib_src) in [
        (
            "const lib = require('./lib');\nmodule.exports = (req, res) => lib.serve(req.params.name, res);\n",
            "lib/index.js",
            lib,
        ),
        (
            "const { serve } = require('./lib/files.js');\nmodule.exports = (req, res) => serve(req.params.name, res);\n",
            "lib/files.js",
            lib,
        ),
        (
            "module.exports = (req, res) => require('./lib/files').serve(req.params.name, res);\n",
            "lib/files.js",
            lib,
        ),
        (
            "import { serve } from './lib/files.js';\nexport default function handler(req, res) { serve(req.params.name, res); }\n",
            "lib/files.js",
            esm_lib,
        ),
    ] {
        let findings = scan_package(&[("index.js", index), (lib_path, lib_src)]);
        let hits = of(&findings, "express/path-traversal");
        assert_eq!(hits.len(), 1, "{index}\n{findings:#?}");
        assert_eq!(hits[0].path, lib_path);
        assert_eq!(hits[0].flow[0].path.as_deref(), Some("index.js"));
    }
}

#[test]
fn data_is_followed_through_a_chain_of_files() {
    let index = "\
const route = require('./lib/route');
module.exports = function (req, res) { route(req.url, res); };
";
    let route = "\
const serve = require('./serve');
module.exports = function route(url, res) {
  const name = url.slice(1);
  serve(name, res);
};
";
    let findings = scan_package(&[
        ("index.js", index),
        ("lib/route.js", route),
        ("lib/serve.js", SERVE),
    ]);
    let hits = of(&findings, "express/path-traversal");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    let files: Vec<Option<&str>> = hits[0].flow.iter().map(|s| s.path.as_deref()).collect();
    assert!(files.contains(&Some("index.js")), "{:#?}", hits[0].flow);
    assert!(files.contains(&Some("lib/route.js")), "{:#?}", hits[0].flow);
}

#[test]
fn a_library_input_crosses_files_at_the_lower_rating() {
    // The entry point's exported function hands its caller's argument to an internal module
    // that builds a shell command: a library input, rated below request data.
    let index = "\
const run = require('./lib/run');
module.exports = function gitLog(branch) { return run('git log ' + branch); };
";
    let run = "\
const { exec } = require('child_process');
module.exports = function run(command) { return exec(command); };
";
    let findings = scan_package(&[("index.js", index), ("lib/run.js", run)]);
    let hits = of(&findings, "node/command-exec");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].path, "lib/run.js");
    assert!(hits[0].severity < Severity::Error, "{:#?}", hits[0]);
    assert!(
        hits[0].message.contains("threat model trusts"),
        "{}",
        hits[0].message
    );
    assert_eq!(hits[0].flow[0].path.as_deref(), Some("index.js"));
}

#[test]
fn a_module_outside_the_package_or_not_exported_receives_nothing() {
    // `../serve` leaves the package; `helper` is not exported by lib/serve.js.
    let index = "\
const serve = require('../serve');
const { helper } = require('./lib/serve');
module.exports = function (req, res) { serve(req.query.f, res); helper(req.query.f, res); };
";
    let findings = scan_package(&[("index.js", index), ("lib/serve.js", SERVE)]);
    assert!(
        of(&findings, "express/path-traversal").is_empty(),
        "{findings:#?}"
    );
}

#[test]
fn functions_an_entry_point_re_exports_take_library_inputs() {
    let compile = "\
module.exports = function compile(format) {
  return new Function('tokens', 'return \"' + format + '\"');
};
";
    let traced = |findings: &[Finding]| {
        of(findings, "node/dynamic-code")
            .iter()
            .any(|f| f.path == "lib/compile.js" && f.message.contains("threat model"))
    };
    for index in [
        "module.exports = require('./lib/compile');\n",
        "exports.compile = require('./lib/compile');\n",
        "var compile = require('./lib/compile');\nmodule.exports = { compile: compile };\n",
        "export { default as compile } from './lib/compile.js';\n",
    ] {
        let findings = scan_package(&[("index.js", index), ("lib/compile.js", compile)]);
        assert!(traced(&findings), "{index}\n{findings:#?}");
        let hit = of(&findings, "node/dynamic-code")[0];
        assert_eq!(hit.severity, Severity::Warning);
        assert_eq!(
            hit.flow[0].path.as_deref(),
            Some("index.js"),
            "{:#?}",
            hit.flow
        );
    }
    // Through a chain: index.js -> lib/index.js -> lib/compile.js.
    let findings = scan_package(&[
        ("index.js", "module.exports = require('./lib');\n"),
        ("lib/index.js", "exports.compile = require('./compile');\n"),
        ("lib/compile.js", compile),
    ]);
    assert!(traced(&findings), "{findings:#?}");
    // Not re-exported by an entry point (only used inside): no library input.
    let findings = scan_package(&[
        (
            "index.js",
            "var compile = require('./lib/compile');\nmodule.exports = function () { return compile('x'); };\n",
        ),
        ("lib/compile.js", compile),
    ]);
    assert!(!traced(&findings), "{findings:#?}");
}

/// The files of a chain are scanned callers first, so data goes down a chain of files to its
/// end (each file scanned once), deeper than the re-scan rounds alone would follow it.
#[test]
fn data_goes_down_a_chain_of_files_to_its_end() {
    const HOPS: usize = 7;
    let files = hop_chain(HOPS, false);
    let reached = reached(&files);
    let all: Vec<String> = (1..=HOPS).map(|i| format!("lib/f{i}.js")).collect();
    assert_eq!(reached, all);
}

/// A ring of files longer than the analysis follows: the scan ends and nothing is reported
/// twice. The ring's files share the last level (their callers never all come first); `f1`
/// receives from `index.js` before they are scanned, and the re-scans follow the data for
/// `crossfile::MAX_ROUNDS` more files.
#[test]
fn long_chains_and_cycles_of_files_are_bounded() {
    let files = hop_chain(40, true);
    assert_eq!(
        reached(&files),
        vec!["lib/f1.js", "lib/f2.js", "lib/f3.js", "lib/f4.js"]
    );
}

/// `index.js` passes request data to `lib/f1.js`, which opens it and passes it on to the next
/// file, up to `lib/f{hops}.js` (which passes it back to `f1` when `ring`).
fn hop_chain(hops: usize, ring: bool) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = vec![(
        "index.js".into(),
        "const next = require('./lib/f1');\nmodule.exports = function (req, res) { next(req.query.p, res); };\n".into(),
    )];
    for i in 1..=hops {
        let next = match (i == hops, ring) {
            (false, _) => format!("const next = require('./f{}');\n", i + 1),
            (true, true) => "const next = require('./f1');\n".to_string(),
            (true, false) => "function next() {}\n".to_string(),
        };
        files.push((
            format!("lib/f{i}.js"),
            format!(
                "const fs = require('fs');\n{next}module.exports = function hop(p, res) {{\n  fs.createReadStream('/srv/' + p).pipe(res);\n  next(p, res);\n}};\n"
            ),
        ));
    }
    files
}

/// The files in which the path-traversal rule reports, sorted; fails on a file reported twice.
fn reached(files: &[(String, String)]) -> Vec<String> {
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    let findings = scan_package(&borrowed);
    let mut reached: Vec<String> = of(&findings, "express/path-traversal")
        .iter()
        .map(|f| f.path.clone())
        .collect();
    reached.sort_unstable();
    let before = reached.len();
    reached.dedup();
    assert_eq!(reached.len(), before, "{findings:#?}");
    reached
}

/// `files` with the fixture's `package.json`, as the engine takes them.
fn package_files(files: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(p, s)| (p.to_string(), s.as_bytes().to_vec()))
        .collect();
    all.push((
        "package.json".into(),
        br#"{"name":"cross-file-fixture","version":"1.0.0","main":"index.js"}"#.to_vec(),
    ));
    all
}

/// One engine scans two versions of a package whose `lib/serve.js` is the same: in the
/// first, `index.js` passes it a constant; in the second, request data. The file's report
/// from the first version (nothing) must not stand for the second, whose caller differs.
#[test]
fn an_unchanged_file_called_with_other_data_is_reported_for_what_it_receives() {
    let engine = engine();
    let constant = "\
const serve = require('./lib/serve');
module.exports = function middleware(req, res, next) {
  serve('readme.txt', res);
};
";
    let request = constant.replace("'readme.txt'", "req.query.file");
    let first = engine.scan_files(&package_files(&[
        ("index.js", constant),
        ("lib/serve.js", SERVE),
    ]));
    assert!(
        of(&first.findings, "express/path-traversal").is_empty(),
        "{:#?}",
        first.findings
    );
    let second = engine.scan_files(&package_files(&[
        ("index.js", &request),
        ("lib/serve.js", SERVE),
    ]));
    let hits = of(&second.findings, "express/path-traversal");
    assert_eq!(hits.len(), 1, "{:#?}", second.findings);
    assert_eq!(hits[0].path, "lib/serve.js");
    // And the first version, scanned again by the same engine, is still clean.
    let again = engine.scan_files(&package_files(&[
        ("index.js", constant),
        ("lib/serve.js", SERVE),
    ]));
    assert_eq!(again, first);
}

/// A version that repeats another's files gets the same report from an engine that has seen
/// them as from a fresh one.
#[test]
fn a_repeated_version_gets_the_report_a_fresh_engine_gives() {
    let index = "\
const serve = require('./lib/serve');
module.exports = function middleware(req, res, next) {
  serve(req.query.file, res);
};
";
    let files = package_files(&[("index.js", index), ("lib/serve.js", SERVE)]);
    let seasoned = engine();
    let first = seasoned.scan_files(&files);
    let repeated = seasoned.scan_files(&files);
    let fresh = engine().scan_files(&files);
    assert!(!fresh.findings.is_empty());
    assert_eq!(repeated, fresh);
    assert_eq!(first, fresh);
}
