//! Issue 4: statement guards, containment checks, string-method propagation, per-rule sanitizers
//! on assignments, the structural predicates, and hostile nesting for each of them.
#![allow(clippy::unwrap_used)]

mod common;

use common::engine;

/// (rule id, line) of every finding.
fn findings(src: &str) -> Vec<(String, usize)> {
    engine()
        .scan_source("t.js", src.as_bytes())
        .findings
        .into_iter()
        .map(|f| (f.rule_id, f.span.start_line))
        .collect()
}

fn has(src: &str, rule: &str) -> bool {
    findings(src).iter().any(|(r, _)| r == rule)
}

#[test]
fn containment_check_after_resolve_sanitizes_path_traversal() {
    let checked = "function s(req, res) {\n  const p = path.resolve(root, req.query.f);\n  if (!p.startsWith(root)) return res.end();\n  fs.readFile(p, cb);\n}\n";
    assert!(!has(checked, "express/path-traversal"));
    // Before the guard the path is still tainted (and the guard, a prefix without a trailing
    // separator, is its own warning).
    let before = "function s(req, res) {\n  const p = path.resolve(root, req.query.f);\n  fs.readFile(p, cb);\n  if (!p.startsWith(root)) return res.end();\n}\n";
    assert_eq!(
        findings(before),
        vec![
            ("express/path-traversal".into(), 3),
            ("node/path-prefix-containment".into(), 4)
        ]
    );
    // A prefix check on an unnormalised path is bypassed with `../`: still flagged.
    let raw = "function s(req, res) {\n  const p = root + req.query.f;\n  if (!p.startsWith(root)) return res.end();\n  fs.readFile(p, cb);\n}\n";
    assert_eq!(findings(raw), vec![("express/path-traversal".into(), 4)]);
    // The `indexOf(root) !== 0` spelling of the same check.
    let index_of = "function s(req, res) {\n  const p = path.join(root, req.params.f);\n  if (p.indexOf(root) !== 0) { res.statusCode = 403; return res.end(); }\n  fs.createReadStream(p).pipe(res);\n}\n";
    assert!(!has(index_of, "express/path-traversal"));
    // A guard that does not exit does not protect what follows.
    let no_exit = "function s(req, res) {\n  const p = path.resolve(root, req.query.f);\n  if (!p.startsWith(root)) log('outside');\n  fs.readFile(p, cb);\n}\n";
    assert!(has(no_exit, "express/path-traversal"));
}

#[test]
fn containment_is_rule_specific() {
    // `startsWith` sanitises paths, not HTML (the prefix check itself lacks a separator).
    let src = "function s(req, res) {\n  const p = path.resolve(root, req.query.f);\n  if (!p.startsWith(root)) return res.end();\n  res.end('<p>' + p + '</p>');\n}\n";
    assert_eq!(
        findings(src),
        vec![
            ("node/path-prefix-containment".into(), 3),
            ("express/reflected-xss".into(), 4)
        ]
    );
    // With the separator, only the HTML sink is left.
    let fixed = src.replace("startsWith(root)", "startsWith(root + path.sep)");
    assert_eq!(findings(&fixed), vec![("express/reflected-xss".into(), 4)]);
}

#[test]
fn allow_list_guards_sanitize_for_every_rule() {
    let has_guard = "app.get('/', (req, res) => {\n  const { to } = req.query;\n  if (!allowed.has(to)) return res.sendStatus(400);\n  res.redirect(to);\n});\n";
    assert!(!has(has_guard, "express/open-redirect"));
    let index_of = "app.get('/', (req, res) => {\n  const to = req.query.to;\n  if (pages.indexOf(to) === -1) { return res.sendStatus(404); }\n  res.redirect('/' + to);\n});\n";
    assert!(!has(index_of, "express/open-redirect"));
    let either = "app.get('/', (req, res) => {\n  const to = req.query.to;\n  if (!to || !pages.includes(to)) return next();\n  const target = '/p/' + to;\n  res.redirect(target);\n});\n";
    assert!(!has(either, "express/open-redirect"));
    // A check of another variable protects nothing.
    let other = "app.get('/', (req, res) => {\n  const to = req.query.to;\n  if (!allowed.has(from)) return;\n  res.redirect(to);\n});\n";
    assert!(has(other, "express/open-redirect"));
}

#[test]
fn string_methods_and_arrays_propagate() {
    for expr in [
        "q.split('/')[0]",
        "q.slice(1)",
        "q.substring(2).toLowerCase().trim()",
        "q.replace(/\\.\\./g, '.')",
        "[base, q].join('/')",
        "`${q}`.padStart(3)",
    ] {
        let src = format!(
            "app.get('/', (req, res) => {{\n  const q = req.query.q;\n  res.redirect({expr});\n}});\n"
        );
        assert!(has(&src, "express/open-redirect"), "{expr}");
    }
}

#[test]
fn deleting_everything_outside_a_class_sanitizes() {
    let src = "app.get('/', (req, res) => {\n  const id = req.params.id.replace(/[^a-z0-9_-]/g, '');\n  res.redirect('/items/' + id);\n  fs.readFile(path.join(dir, id), cb);\n});\n";
    assert!(findings(src).is_empty(), "{:?}", findings(src));
    // Without the `g` flag only the first bad character goes.
    let once = "app.get('/', (req, res) => res.redirect(req.params.id.replace(/[^a-z]/, '')));\n";
    assert!(has(once, "express/open-redirect"));
    // Two classes are not one allow-list.
    let two =
        "app.get('/', (req, res) => res.redirect(req.params.id.replace(/[^a-z][/]/g, '')));\n";
    assert!(has(two, "express/open-redirect"));
}

#[test]
fn rule_sanitizers_apply_to_assignments() {
    // `escapeHtml` makes HTML safe: the assignment is clean for reflected XSS...
    let src = "function page(req, res) {\n  const safe = escapeHtml(req.originalUrl);\n  res.end('<p>' + safe + '</p>');\n  res.redirect(safe);\n}\n";
    // ...but not for a redirect, whose sanitizers do not include it.
    assert_eq!(findings(src), vec![("express/open-redirect".into(), 4)]);
}

#[test]
fn numbers_do_not_carry_request_text() {
    let src = "app.get('/', (req, res) => {\n  const n = req.query.a - 1;\n  res.setHeader('X-Count', n * 2);\n  res.setHeader('X-Len', req.query.b.length);\n  res.setHeader('X-Max', Math.max(0, req.query.c));\n});\n";
    assert!(findings(src).is_empty(), "{:?}", findings(src));
}

#[test]
fn xss_needs_markup_on_the_way_and_reports_the_flow() {
    assert!(!has(
        "app.get('/', (req, res) => res.send(req.query.q));\n",
        "express/reflected-xss"
    ));
    let src = "app.get('/', (req, res) => {\n  const name = req.query.name;\n  const html = `<b>${name}</b>`;\n  res.send(html);\n});\n";
    let report = engine().scan_source("t.js", src.as_bytes());
    let f = report
        .findings
        .iter()
        .find(|f| f.rule_id == "express/reflected-xss")
        .unwrap();
    let lines: Vec<usize> = f.flow.iter().map(|s| s.span.start_line).collect();
    assert_eq!(lines, vec![2, 2, 3, 4]);
}

#[test]
fn try_only_counts_in_the_same_function() {
    let caught = "app.get('/', (req, res) => {\n  try {\n    if (x) { JSON.parse(req.query.f); }\n  } catch (e) {}\n});\n";
    assert!(!has(caught, "express/uncaught-exception"));
    let in_handler = "app.get('/', (req, res) => {\n  try {\n    req.on('end', () => JSON.parse(req.query.f));\n  } catch (e) {}\n});\n";
    assert!(has(in_handler, "express/uncaught-exception"));
    // The `catch` block itself is not protected.
    let in_catch = "app.get('/', (req, res) => {\n  try { a(); } catch (e) { decodeURIComponent(req.path); }\n});\n";
    assert!(has(in_catch, "express/uncaught-exception"));
}

#[test]
fn hostile_nesting_does_not_overflow() {
    let e = engine();
    // 10k nested blocks around a decoder, inside 10k nested `try`s.
    let tries = format!(
        "app.get('/', (req, res) => {{ {} JSON.parse(req.query.f); {} }});\n",
        "try { ".repeat(10_000),
        "} catch (e) {} ".repeat(10_000)
    );
    let report = e.scan_source("tries.js", tries.as_bytes());
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.rule_id == "express/uncaught-exception")
    );
    // 10k nested arrays of request data sent as HTML.
    let arrays = format!(
        "app.get('/', (req, res) => res.send('<p>' + {}req.query.q{}));\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let report = e.scan_source("arrays.js", arrays.as_bytes());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "express/reflected-xss")
    );
    // 5k nested functions around a recursive merge; 10k nested guards.
    let functions = format!(
        "{} function merge(t, s) {{ for (const k in s) t[k] = merge(t[k], s[k]); }} {}",
        "function f() { ".repeat(5_000),
        "} ".repeat(5_000)
    );
    let report = e.scan_source("functions.js", functions.as_bytes());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "node/prototype-pollution")
    );
    let guards = format!(
        "function s(req, res) {{ const p = path.resolve(r, req.query.f); {} if (!p.startsWith(r)) return; fs.readFile(p); {} }}",
        "if (a) { ".repeat(10_000),
        "} ".repeat(10_000)
    );
    let report = e.scan_source("guards.js", guards.as_bytes());
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.rule_id != "express/path-traversal")
    );
    // Controls: the same hostile files without the protection are flagged, so the negative
    // results above are not parse failures.
    let report = e.scan_source("guards.js", guards.replace("return;", "log();").as_bytes());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "express/path-traversal")
    );
    let untried = tries
        .replace("try { ", "{ ")
        .replace("} catch (e) {} ", "} ");
    let report = e.scan_source("untried.js", untried.as_bytes());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "express/uncaught-exception")
    );
}

#[test]
fn redos_escalates_on_request_data_and_names_the_pump() {
    use tarsier_model::Severity;
    let src = "const LIST = /\\s*,\\s*/;\nfunction a(s) { return s.split(LIST); }\napp.get('/', (req, res) => res.json(req.headers.accept.split(LIST)));\nconst NESTED = new RegExp('^(a|a)+$');\n";
    let report = engine().scan_source("r.js", src.as_bytes());
    let got: Vec<(&str, usize, Severity, bool)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.as_str(),
                f.span.start_line,
                f.severity,
                f.flow.is_empty(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("redos/polynomial", 1, Severity::Error, false),
            ("redos/exponential", 4, Severity::Error, true),
        ]
    );
    let poly = &report.findings[0];
    assert!(poly.message.contains("quadratic"), "{}", poly.message);
    assert!(poly.flow[0].message.contains("req.headers.accept"));
    // Source, the use of the expression on line 3, then the expression itself.
    let lines: Vec<usize> = poly.flow.iter().map(|s| s.span.start_line).collect();
    assert_eq!(lines, vec![3, 3, 1]);
    let exp = &report.findings[1];
    assert!(exp.message.contains("repeating `a"), "{}", exp.message);
    // The same quadratic pattern on data that is not the request's stays a warning.
    let plain = engine().scan_source("p.js", b"const parts = s.split(/\\s*,\\s*/);\n");
    assert_eq!(plain.findings.len(), 1);
    assert_eq!(plain.findings[0].severity, Severity::Warning);
}

#[test]
fn redos_survives_hostile_files() {
    let e = engine();
    // Thousands of distinct expressions: analysed up to the per-file cap, without panicking.
    let many: String = (0..3_000)
        .map(|i| format!("var r{i} = /^(a{i}|b)+$/;\n"))
        .collect();
    let report = e.scan_source("many.js", many.as_bytes());
    assert!(report.findings.len() <= tarsier_engine::redos::MAX_SITES_PER_FILE);
    // Invalid patterns and flags, and a huge nested pattern, are skipped or bounded.
    let odd = format!(
        "var a = /(?<n>x)\\k<m>/u; var b = new RegExp('(', 'g'); var c = RegExp('a', 'zz'); var d = /{}a{}/;\n",
        "(".repeat(3_000),
        ")*".repeat(3_000)
    );
    let report = e.scan_source("odd.js", odd.as_bytes());
    assert!(report.findings.len() <= 4);
}

#[test]
fn whole_request_objects_and_middleware_fields_are_sources() {
    // A function of the whole request returns request data.
    let passed = "module.exports = function (req, res) {\n  const url = parseUrl(req);\n  res.redirect(url.query);\n};\n";
    assert_eq!(findings(passed), vec![("express/open-redirect".into(), 3)]);
    // `this.req.url` in a middleware object's method.
    let field = "Stream.prototype.redirect = function () {\n  const loc = this.req.url + '/';\n  this.res.end('<a href=\"' + loc + '\">moved</a>');\n};\n";
    // (The URL in `href` is also a `javascript:` URL risk of its own.)
    assert_eq!(
        findings(field),
        vec![
            ("express/reflected-xss".into(), 3),
            ("express/url-in-html-attribute".into(), 3)
        ]
    );
    // `this.res` without a request field is not a source.
    assert!(findings("function f() { this.res.end('<p>' + this.body + '</p>'); }\n").is_empty());
}

#[test]
fn negotiation_with_literal_choices_is_not_request_text() {
    let src = "module.exports = function (req, res) {\n  const accept = accepts(req);\n  const method = accept.encoding(['gzip', 'identity']);\n  res.setHeader('Content-Encoding', method);\n  res.setHeader('Content-Type', accept.type(custom));\n};\n";
    // The literal choice is clean; a choice among non-literals is not.
    assert_eq!(findings(src), vec![("express/header-injection".into(), 5)]);
}

#[test]
fn hand_written_prefix_checks_are_containment_checks() {
    let src = "function s(req, res, next) {\n  const p = normalize(join(root, req.path));\n  if ((p + sep).substr(0, root.length) !== root) return next(403);\n  fs.stat(p, function (err) {\n    fs.readdir(p, cb);\n  });\n}\n";
    assert!(findings(src).is_empty(), "{:?}", findings(src));
    let wrong = src.replace("substr(0,", "substr(1,");
    assert_eq!(
        findings(&wrong),
        vec![
            ("express/path-traversal".into(), 4),
            ("express/path-traversal".into(), 5)
        ]
    );
}

/// Taint is skipped in files that name no request or response object; every way a request
/// object can be named must still count (a request name, `this['req']`, a handler whose second
/// parameter is a response name, a destructured request).
#[test]
fn request_objects_named_in_any_form_keep_taint_on() {
    let cases = [
        "function h(rq, response) {\n  eval(rq.query.code);\n}\n",
        "function M() {}\nM.prototype.run = function () {\n  eval(this['req'].query.code);\n};\n",
        "module.exports = ({ query }, res) => {\n  eval(query.code);\n};\n",
        "var request = getIt();\neval(request.body.code);\n",
    ];
    for src in cases {
        let report = engine().scan_source("t.js", src.as_bytes());
        let finding = report
            .findings
            .iter()
            .find(|f| f.rule_id == "node/dynamic-code")
            .unwrap_or_else(|| panic!("no finding in\n{src}"));
        assert!(!finding.flow.is_empty(), "not request data in\n{src}");
    }
    // Without any such name, the same code is untainted (a lower severity, no flow).
    let report = engine().scan_source("t.js", b"function h(rq, rs) {\n  eval(rq.query.code);\n}\n");
    assert!(report.findings.iter().all(|f| f.flow.is_empty()));
    assert!(!report.findings.is_empty());
}

/// Issue 15: a vulnerable expression taken from a table of patterns, or built with `new
/// RegExp` from a constant of the file, is an error when applied to request data; the finding
/// sits on the definition and its message names the line of the use.
#[test]
fn redos_from_tables_and_constants_names_definition_and_use() {
    use tarsier_model::Severity;
    let src = "const PATTERNS = {\n  list: /\\s*,\\s*/,\n};\nconst TAIL = '\\\\s+$';\nconst TRIM = new RegExp('^\\\\s*[^]*?' + TAIL);\napp.get('/', (req, res) => {\n  const parts = req.headers.accept.split(PATTERNS.list);\n  res.send(TRIM.test(req.query.q));\n});\n";
    let report = engine().scan_source("t.js", src.as_bytes());
    let got: Vec<(&str, usize, Severity)> = report
        .findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.span.start_line, f.severity))
        .collect();
    assert_eq!(
        got,
        vec![
            ("redos/polynomial", 2, Severity::Error),
            ("redos/polynomial", 5, Severity::Error),
        ],
        "{:#?}",
        report.findings
    );
    assert!(
        report.findings[0].message.contains("line 7"),
        "{}",
        report.findings[0].message
    );
    assert!(
        report.findings[1].message.contains("line 8"),
        "{}",
        report.findings[1].message
    );
    assert!(report.findings[1].flow[0].message.contains("req.query.q"));
}
