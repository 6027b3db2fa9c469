//! Issue 15: shapes taken from real advisories that the rules and predicates must keep seeing
//! (a ReDoS regex defined in one place and applied to request data in another, recursive merges
//! through local copies).
#![allow(clippy::unwrap_used)]

use tarsier_engine::{Engine, EngineOptions};
use tarsier_model::Finding;

fn scan(src: &str) -> Vec<Finding> {
    let engine = Engine::new(
        &tarsier_rules::embedded().unwrap(),
        EngineOptions::default(),
    )
    .unwrap();
    engine.scan_source("t.js", src.as_bytes()).findings
}

#[test]
fn redos_on_request_data_names_the_definition_and_the_use() {
    let src = "var TOKEN_LIST = / *, */;\n\nmodule.exports = function (req) {\n  return req.headers['x-forwarded-for'].split(TOKEN_LIST);\n};\n";
    let found = scan(src);
    let redos = found
        .iter()
        .find(|f| f.rule_id == "redos/polynomial")
        .expect("a ReDoS finding");
    assert_eq!(redos.span.start_line, 1, "reported at the definition");
    assert!(
        redos.message.ends_with("applied to request data on line 4"),
        "{}",
        redos.message
    );
    assert_eq!(redos.severity, tarsier_model::Severity::Error);
}

#[test]
fn jquery_style_extend_through_local_copies_is_a_recursive_merge() {
    let src = "jQuery.extend = jQuery.fn.extend = function () {\n  var target = arguments[0], options = arguments[1], name, src, copy;\n  for (name in options) {\n    src = target[ name ];\n    copy = options[ name ];\n    if (copy && typeof copy === 'object') {\n      target[ name ] = jQuery.extend(true, src || {}, copy);\n    } else {\n      target[ name ] = copy;\n    }\n  }\n  return target;\n};\n";
    let lines: Vec<usize> = scan(src)
        .iter()
        .filter(|f| f.rule_id == "node/prototype-pollution")
        .map(|f| f.span.start_line)
        .collect();
    assert_eq!(lines, vec![7, 9]);
}
