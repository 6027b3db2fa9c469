//! Issue 14: request data that reaches a sink through a parameter of a local function, a
//! promise or array callback, a modelled callback; library inputs for the rules that opt in,
//! rated below request data; sanitizers of models by sink kind.
#![allow(clippy::unwrap_used)]

mod common;

use common::engine;
use tarsier_engine::{Engine, EngineOptions, PackageInfo};
use tarsier_model::{Finding, Severity};

fn scan(src: &str) -> Vec<Finding> {
    engine().scan_source("t.js", src.as_bytes()).findings
}

fn of<'f>(findings: &'f [Finding], rule: &str) -> Vec<&'f Finding> {
    findings.iter().filter(|f| f.rule_id == rule).collect()
}

#[test]
fn request_data_passed_to_a_local_function_reaches_its_sink() {
    let src = "\
const fs = require('fs');
function readUpload(name) {
  return fs.createReadStream('/uploads/' + name);
}
app.get('/f', (req, res) => {
  readUpload(req.query.file).pipe(res);
});
";
    let findings = scan(src);
    let hits = of(&findings, "express/path-traversal");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].span.start_line, 3);
    // The path names the call site and the parameter.
    let steps: Vec<&str> = hits[0].flow.iter().map(|s| s.message.as_str()).collect();
    assert!(
        steps.iter().any(|m| m.contains("passed to `readUpload`")),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|m| m.contains("parameter `name`")),
        "{steps:?}"
    );
    // Control: called only with a constant, the function is clean.
    let constant = src.replace("req.query.file", "'report.pdf'");
    assert!(of(&scan(&constant), "express/path-traversal").is_empty());
}

#[test]
fn two_levels_of_local_calls_are_followed() {
    let src = "\
const { exec } = require('child_process');
function runGit(args) { exec('git ' + args); }
function log(branch) { runGit('log ' + branch); }
app.get('/log', (req, res) => { log(req.query.branch); });
";
    let findings = scan(src);
    let hits = of(&findings, "node/command-exec");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].severity, Severity::Error);
}

#[test]
fn promise_and_array_callbacks_receive_the_data() {
    let src = "\
app.get('/a', (req, res) => {
  Promise.resolve(req.query.name).then((name) => res.send('<p>' + name + '</p>'));
  req.query.tags.forEach((tag) => res.write('<li>' + tag + '</li>'));
});
";
    let findings = scan(src);
    let lines: Vec<usize> = of(&findings, "express/reflected-xss")
        .iter()
        .map(|f| f.span.start_line)
        .collect();
    assert_eq!(lines, vec![2, 3], "{findings:#?}");
}

#[test]
fn a_library_input_is_reported_lower_and_says_so() {
    let src = "\
module.exports = function compile(format) {
  return new Function('tokens', 'return \"' + format + '\"');
};
";
    let findings = scan(src);
    let hits = of(&findings, "node/dynamic-code");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].severity, Severity::Warning);
    assert!(
        hits[0]
            .message
            .contains("the Express threat model trusts input from application code"),
        "{}",
        hits[0].message
    );
    assert!(!hits[0].flow.is_empty());
    // Not exported: no library input, no flow, no note.
    let internal = src.replace("module.exports = function compile", "function compile");
    let findings = scan(&internal);
    let hits = of(&findings, "node/dynamic-code");
    assert_eq!(hits.len(), 1);
    assert!(hits[0].flow.is_empty());
    assert!(!hits[0].message.contains("threat model"));
}

#[test]
fn library_inputs_count_only_in_a_package_s_entry_points() {
    let src = "\
exports.run = function (cmd) {
  require('child_process').exec('sh -c ' + cmd);
};
";
    let engine = engine();
    let package = PackageInfo {
        name: "tool".into(),
        entries: vec!["index.js".into()],
    };
    let entry = engine.scan_source_in("index.js", src.as_bytes(), Some(&package));
    let inner = engine.scan_source_in("lib/run.js", src.as_bytes(), Some(&package));
    let noted = |r: &tarsier_engine::ScanReport| {
        r.findings
            .iter()
            .any(|f| f.rule_id == "node/command-exec" && f.message.contains("exported function"))
    };
    assert!(noted(&entry), "{:#?}", entry.findings);
    assert!(!noted(&inner), "{:#?}", inner.findings);
}

#[test]
fn a_redos_regex_applied_to_a_library_input_stays_a_warning_with_the_reason() {
    let src = "\
module.exports = function parse(str) {
  return str.split(/ *; */);
};
";
    let findings = scan(src);
    let hits = of(&findings, "redos/polynomial");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].severity, Severity::Warning);
    assert!(
        hits[0]
            .message
            .contains("to a parameter of an exported function")
    );
}

#[test]
fn a_model_sanitizer_stops_only_its_sink_kinds() {
    let xss = "\
const esc = require('escape-html');
app.get('/a', (req, res) => {
  res.send('<p>' + esc(req.query.q) + '</p>');
  res.send('<a href=\"' + esc(req.query.next) + '\">go</a>');
});
";
    let findings = scan(xss);
    assert!(
        of(&findings, "express/reflected-xss").is_empty(),
        "{findings:#?}"
    );
    assert_eq!(
        of(&findings, "express/url-in-html-attribute")
            .iter()
            .map(|f| f.span.start_line)
            .collect::<Vec<_>>(),
        vec![4]
    );
    // Without the import, `esc` is an unknown call and the data goes through it.
    let unbound = xss.replace("const esc = require('escape-html');\n", "");
    assert!(!of(&scan(&unbound), "express/reflected-xss").is_empty());
}

#[test]
fn babel_interop_and_sequence_calls_resolve_to_the_module() {
    let src = "\
var _cookie = _interopRequireDefault(require('cookie'));
function show(header, res) {
  const cookies = (0, _cookie.default.parse)(header);
  res.send('<p>' + cookies.sid + '</p>');
}
";
    let findings = scan(src);
    assert_eq!(
        of(&findings, "express/reflected-xss").len(),
        1,
        "{findings:#?}"
    );
}

#[test]
fn a_call_site_inside_try_catches_what_the_callee_throws() {
    let src = "\
function decode(str) {
  return decodeURIComponent(str);
}
app.get('/a', (req, res) => {
  try {
    res.json(decode(req.query.q));
  } catch (e) {
    res.sendStatus(400);
  }
});
";
    assert!(of(&scan(src), "express/uncaught-exception").is_empty());
    let unguarded = "\
function decode(str) {
  return decodeURIComponent(str);
}
app.get('/a', (req, res) => {
  res.json(decode(req.query.q));
});
";
    let findings = scan(unguarded);
    assert_eq!(
        of(&findings, "express/uncaught-exception")
            .iter()
            .map(|f| f.span.start_line)
            .collect::<Vec<_>>(),
        vec![2],
        "{findings:#?}"
    );
}

#[test]
fn a_method_of_another_object_is_not_a_call_site() {
    // `res.setHeader(...)` calls the response's method, not this object's `setHeader`.
    let src = "\
Stream.prototype.setHeader = function (path, stat) {
  this.res.setHeader('Last-Modified', stat.mtime);
};
Stream.prototype.pipe = function (res) {
  res.setHeader('Content-Range', this.req.headers.range);
};
";
    let findings = scan(src);
    let lines: Vec<usize> = of(&findings, "express/header-injection")
        .iter()
        .map(|f| f.span.start_line)
        .collect();
    assert_eq!(lines, vec![5], "{findings:#?}");
}

#[test]
fn indirect_eval_is_eval() {
    let src = "app.get('/a', (req, res) => { (0, eval)(req.query.code); });\n";
    let findings = scan(src);
    let hits = of(&findings, "node/dynamic-code");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].severity, Severity::Error);
    assert!(of(&scan("(0, evaluate)(x);\n"), "node/dynamic-code").is_empty());
}

/// Every pattern of the rules this issue touched keeps a text anchor, so the sparse walk (and
/// the scan's cost) is unchanged for them.
#[test]
fn the_new_patterns_have_text_anchors() {
    let rules = tarsier_rules::embedded().unwrap();
    let language = tarsier_parse::language();
    for id in [
        "node/dynamic-code",
        "node/command-exec",
        "express/path-traversal",
    ] {
        let rule = rules.rules.iter().find(|r| r.meta.id == id).unwrap();
        let compiled = tarsier_engine::compiled::CompiledRule::compile(rule, &language)
            .unwrap()
            .unwrap();
        for (i, pattern) in compiled.query.patterns.iter().enumerate() {
            assert!(pattern.clause(&language).is_some(), "{id} pattern {i}");
        }
    }
}

#[test]
fn a_library_input_never_makes_a_request_data_pattern_match() {
    // `setTimeout(fn)` with a function from the caller is not code from anywhere.
    let src = "\
module.exports = function randomBytes(size, callback) {
  setTimeout(callback, 10);
  setTimeout(generate.bind(null, size, callback), 10);
};
";
    assert!(of(&scan(src), "node/dynamic-code").is_empty());
}

#[test]
fn a_buffer_made_from_request_text_with_an_encoding_is_not_escalated() {
    let src = "\
Response.prototype.send = function (body) {
  var chunk = body;
  return new Buffer(chunk, 'utf8');
};
Response.prototype.jsonp = function () {
  return this.send(this.req.query.callback + '({})');
};
";
    let findings = scan(src);
    let hits = of(&findings, "node/deprecated-buffer");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].severity, Severity::Warning);
    // A size from the request is the dangerous form: escalated, through the call site.
    let sized = src.replace("new Buffer(chunk, 'utf8')", "new Buffer(chunk)");
    let findings = scan(&sized);
    let hits = of(&findings, "node/deprecated-buffer");
    assert_eq!(hits[0].severity, Severity::Error, "{findings:#?}");
}

#[test]
fn a_users_sink_model_makes_a_wrapper_package_a_command_sink() {
    // `run-shell` is a made-up wrapper: no rule names it, only a model added here.
    let src = "\
const shell = require('run-shell');
module.exports = function (req, res) { shell.exec('ls ' + req.query.dir); };
";
    assert!(of(&scan(src), "node/command-exec").is_empty());
    let mut rules = tarsier_rules::embedded().unwrap();
    let model = tarsier_rules::models::ModelFile {
        sink: vec![tarsier_rules::models::SinkRow {
            package: "run-shell".into(),
            path: "exec".into(),
            access: "Argument[0]".into(),
            kind: "command".into(),
        }],
        ..Default::default()
    };
    rules
        .taint
        .models
        .files
        .push(("run-shell.toml".into(), model));
    let engine = Engine::new(&rules, EngineOptions::default()).unwrap();
    let findings = engine.scan_source("t.js", src.as_bytes()).findings;
    let hits = of(&findings, "node/command-exec");
    assert_eq!(hits.len(), 1, "{findings:#?}");
    assert_eq!(hits[0].severity, Severity::Error);
    // A method the model does not name stays quiet.
    let other = src.replace("shell.exec(", "shell.echo(");
    assert!(
        of(
            &engine.scan_source("t.js", other.as_bytes()).findings,
            "node/command-exec"
        )
        .is_empty()
    );
}
