//! Models as data (in the manner of CodeQL's JavaScript "models as data"): `rules/models/*.toml`
//! say, in terms of a package's API rather than its source text, where request data enters
//! (sources), where it must not go (sinks), what makes it safe for which kind of sink
//! (sanitizers) and how it passes through a call (summaries).
//!
//! A row names a package, an export path (`""` for what `require('pkg')` returns, `parse` for
//! `require('pkg').parse`, `Busboy` for a constructor) and an access path into a call of it:
//!
//! | access path | means |
//! | --- | --- |
//! | `Argument[0]` | the call's first argument (for a source: the exported function's first parameter, when the package itself is scanned) |
//! | `Argument[1].Parameter[0]` | the first parameter of a callback given as the second argument |
//! | `Argument[0].Member[filename].Parameter[1]` | the second parameter of the `filename` function of an options object |
//! | `ReturnValue` | what the call returns |
//! | `Event[field].Parameter[0]` | the first parameter of a listener `x.on('field', listener)` |
//!
//! ```toml
//! [[source]]
//! package = "cookie"
//! path = "parse"
//! access = "Argument[0]"
//! kind = "cookie-string"
//!
//! [[sanitizer]]
//! package = "escape-html"
//! path = ""
//! kinds = ["html-text"]
//! ```
//!
//! Every problem of every model file is reported at once, like rule problems.

use crate::RuleProblem;
use serde::Deserialize;

/// Kinds of request data a source row may give.
pub const SOURCE_KINDS: &[&str] = &[
    // One name per line, so additions from different branches merge cleanly.
    "request-object",
    "header-string",
    "header-object",
    "cookie-string",
    "query-string",
    "url",
    "url-path",
    "parsed-body",
    "parsed-query",
    "multipart-field-name",
    "multipart-field-value",
    "multipart-file",
    "media-type",
    "range",
    "remote-input",
];

/// Kinds of sinks, shared by sink rows, sanitizer rows and the rules' `sink-kinds`.
pub const SINK_KINDS: &[&str] = &[
    // One name per line, so additions from different branches merge cleanly.
    "command",
    "code",
    "path",
    "html-text",
    "url-in-attribute",
    "redirect",
    "header",
    "regexp",
    "log",
    "sql",
    "url-request",
    "object-key",
];

/// One model file as written on disk.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// What the file models, in one line.
    pub description: String,
    /// Where request data enters.
    #[serde(default)]
    pub source: Vec<SourceRow>,
    /// Where data must not go unchecked.
    #[serde(default)]
    pub sink: Vec<SinkRow>,
    /// Calls whose result is safe for some kinds of sink.
    #[serde(default)]
    pub sanitizer: Vec<SanitizerRow>,
    /// How data passes through a call.
    #[serde(default)]
    pub summary: Vec<SummaryRow>,
    /// Inline cases run by the engine's self-test.
    pub tests: ModelTests,
}

/// A source row.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SourceRow {
    /// The npm package (`cookie`, `@scope/name`) or Node built-in module.
    pub package: String,
    /// The export path inside it (`""`, `parse`, `Busboy`).
    pub path: String,
    /// Where in a call the data is (see the module docs).
    pub access: String,
    /// What the data is (one of [`SOURCE_KINDS`]).
    pub kind: String,
}

/// A sink row.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SinkRow {
    /// The package.
    pub package: String,
    /// The export path.
    pub path: String,
    /// The argument that must not carry untrusted data (`Argument[0]`).
    pub access: String,
    /// The sink kind (one of [`SINK_KINDS`]).
    pub kind: String,
}

/// A sanitizer row: the call's return value is safe for `kinds`, and only for those.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SanitizerRow {
    /// The package.
    pub package: String,
    /// The export path.
    pub path: String,
    /// The sink kinds the result is safe for.
    pub kinds: Vec<String>,
}

/// A summary row: data in `input` of a call reaches `output`. A modelled function with summary
/// rows passes data only along them (`fresh(reqHeaders, resHeaders)` returns a boolean: no row).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SummaryRow {
    /// The package.
    pub package: String,
    /// The export path.
    pub path: String,
    /// `Argument[N]`.
    pub input: String,
    /// `ReturnValue`, or `none` when nothing of the inputs reaches the result.
    pub output: String,
}

/// A model file's inline cases: code with the findings a rule must (or must not) give there.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModelTests {
    /// Cases that must give findings of `rule` on `lines`.
    #[serde(default)]
    pub invalid: Vec<ModelCase>,
    /// Cases that must give no finding of `rule`.
    #[serde(default)]
    pub valid: Vec<ModelCase>,
}

/// One model case.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModelCase {
    /// The rule whose findings are checked.
    pub rule: String,
    /// The name of the package being scanned (so that its own exported functions' parameters
    /// named by a model are sources); absent for application code.
    #[serde(default)]
    pub package: Option<String>,
    /// The file's path inside the package (`index.js` when absent).
    #[serde(default)]
    pub file: Option<String>,
    /// The code.
    pub code: String,
    /// Lines of the expected findings (`invalid` cases only).
    #[serde(default)]
    pub lines: Vec<usize>,
    /// The severity every expected finding must have (`invalid` cases only): shows that the
    /// model made the data request data (an escalation) or a library input (lowered).
    #[serde(default)]
    pub severity: Option<tarsier_model::Severity>,
}

/// One step of an access path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccessStep {
    /// `Argument[N]`.
    Argument(usize),
    /// `Parameter[N]`.
    Parameter(usize),
    /// `Member[name]`.
    Member(String),
    /// `ReturnValue`.
    ReturnValue,
    /// `Event[name]`: a listener registered with `.on('name', listener)`.
    Event(String),
}

/// Parses an access path (`Argument[1].Parameter[0]`).
pub fn parse_access(text: &str) -> Result<Vec<AccessStep>, String> {
    let mut steps = Vec::new();
    for token in text.split('.') {
        let (name, arg) = match token.split_once('[') {
            Some((name, rest)) => match rest.strip_suffix(']') {
                Some(arg) => (name, Some(arg)),
                None => return Err(format!("`{token}` lacks its closing `]`")),
            },
            None => (token, None),
        };
        let number = |arg: Option<&str>| {
            arg.and_then(|a| a.parse::<usize>().ok())
                .ok_or_else(|| format!("`{token}` needs a number in brackets"))
        };
        let word = |arg: Option<&str>| {
            arg.filter(|a| !a.is_empty() && !a.contains(['[', ']']))
                .map(str::to_string)
                .ok_or_else(|| format!("`{token}` needs a name in brackets"))
        };
        steps.push(match name {
            "Argument" => AccessStep::Argument(number(arg)?),
            "Parameter" => AccessStep::Parameter(number(arg)?),
            "Member" => AccessStep::Member(word(arg)?),
            "Event" => AccessStep::Event(word(arg)?),
            "ReturnValue" if arg.is_none() => AccessStep::ReturnValue,
            _ => {
                return Err(format!(
                    "unknown access-path step `{token}` (known: Argument[N], Parameter[N], Member[name], Event[name], ReturnValue)"
                ));
            }
        });
    }
    Ok(steps)
}

/// The models of every file, merged, with the file each row came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Models {
    /// `(file, model)` pairs, sorted by file.
    pub files: Vec<(String, ModelFile)>,
}

impl Models {
    /// Every source row.
    pub fn sources(&self) -> impl Iterator<Item = &SourceRow> {
        self.files.iter().flat_map(|(_, f)| &f.source)
    }
    /// Every sink row.
    pub fn sinks(&self) -> impl Iterator<Item = &SinkRow> {
        self.files.iter().flat_map(|(_, f)| &f.sink)
    }
    /// Every sanitizer row.
    pub fn sanitizers(&self) -> impl Iterator<Item = &SanitizerRow> {
        self.files.iter().flat_map(|(_, f)| &f.sanitizer)
    }
    /// Every summary row.
    pub fn summaries(&self) -> impl Iterator<Item = &SummaryRow> {
        self.files.iter().flat_map(|(_, f)| &f.summary)
    }
}

/// Checks one model file; `rule_ids` are the rules its cases may name.
pub fn validate_model(display: &str, model: &ModelFile, rule_ids: &[&str]) -> Vec<RuleProblem> {
    let mut problems = Vec::new();
    let mut problem = |message: String| {
        problems.push(RuleProblem {
            file: display.to_string(),
            rule_id: None,
            message,
        })
    };
    if model.description.trim().is_empty() {
        problem("`description` is empty".into());
    }
    let rows = model.source.len() + model.sink.len() + model.sanitizer.len() + model.summary.len();
    if rows == 0 {
        problem("a model file needs at least one row".into());
    }
    let check_package = |what: &str, i: usize, package: &str, problem: &mut dyn FnMut(String)| {
        if package.trim().is_empty() || package.contains(char::is_whitespace) {
            problem(format!(
                "{what} {}: `package` must be a package name",
                i + 1
            ));
        }
    };
    for (i, row) in model.source.iter().enumerate() {
        check_package("source", i, &row.package, &mut problem);
        match parse_access(&row.access) {
            Err(e) => problem(format!("source {}: {e}", i + 1)),
            Ok(steps) => {
                let ends_well = matches!(
                    steps.last(),
                    Some(AccessStep::Parameter(_) | AccessStep::ReturnValue)
                ) || matches!(steps.as_slice(), [AccessStep::Argument(_)]);
                if !ends_well {
                    problem(format!(
                        "source {}: `{}` must end in `Parameter[N]` or `ReturnValue`, or be a single `Argument[N]`",
                        i + 1,
                        row.access
                    ));
                }
            }
        }
        if !SOURCE_KINDS.contains(&row.kind.as_str()) {
            problem(format!(
                "source {}: unknown kind `{}` (known: {})",
                i + 1,
                row.kind,
                SOURCE_KINDS.join(", ")
            ));
        }
    }
    for (i, row) in model.sink.iter().enumerate() {
        check_package("sink", i, &row.package, &mut problem);
        match parse_access(&row.access) {
            Ok(steps) if matches!(steps.as_slice(), [AccessStep::Argument(_)]) => {}
            Ok(_) => problem(format!(
                "sink {}: `{}` must be a single `Argument[N]`",
                i + 1,
                row.access
            )),
            Err(e) => problem(format!("sink {}: {e}", i + 1)),
        }
        if !SINK_KINDS.contains(&row.kind.as_str()) {
            problem(format!(
                "sink {}: unknown kind `{}` (known: {})",
                i + 1,
                row.kind,
                SINK_KINDS.join(", ")
            ));
        }
    }
    for (i, row) in model.sanitizer.iter().enumerate() {
        check_package("sanitizer", i, &row.package, &mut problem);
        if row.kinds.is_empty() {
            problem(format!(
                "sanitizer {}: `kinds` must name the sink kinds it makes safe",
                i + 1
            ));
        }
        for kind in &row.kinds {
            if !SINK_KINDS.contains(&kind.as_str()) {
                problem(format!(
                    "sanitizer {}: unknown sink kind `{kind}` (known: {})",
                    i + 1,
                    SINK_KINDS.join(", ")
                ));
            }
        }
    }
    for (i, row) in model.summary.iter().enumerate() {
        check_package("summary", i, &row.package, &mut problem);
        match parse_access(&row.input) {
            Ok(steps) if matches!(steps.as_slice(), [AccessStep::Argument(_)]) => {}
            Ok(_) => problem(format!(
                "summary {}: `input` must be a single `Argument[N]`",
                i + 1
            )),
            Err(e) => problem(format!("summary {}: {e}", i + 1)),
        }
        if !matches!(row.output.as_str(), "ReturnValue" | "none") {
            problem(format!(
                "summary {}: `output` must be `ReturnValue` or `none`",
                i + 1
            ));
        }
    }
    if model.tests.invalid.is_empty() {
        problem("`tests.invalid` needs at least one case that must give a finding".into());
    }
    if model.tests.valid.is_empty() {
        problem("`tests.valid` needs at least one case that must give none".into());
    }
    for (kind, cases) in [
        ("invalid", &model.tests.invalid),
        ("valid", &model.tests.valid),
    ] {
        for (i, case) in cases.iter().enumerate() {
            if !rule_ids.contains(&case.rule.as_str()) {
                problem(format!(
                    "{kind} case {}: no rule `{}` in this rule set",
                    i + 1,
                    case.rule
                ));
            }
            if kind == "invalid" && case.lines.is_empty() {
                problem(format!(
                    "invalid case {}: say where the findings are with `lines`",
                    i + 1
                ));
            }
            if kind == "valid" && !case.lines.is_empty() {
                problem(format!("valid case {}: `lines` has no meaning here", i + 1));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_paths_parse_and_refuse_what_is_unknown() {
        assert_eq!(
            parse_access("Argument[1].Parameter[0]"),
            Ok(vec![AccessStep::Argument(1), AccessStep::Parameter(0)])
        );
        assert_eq!(
            parse_access("Event[field].Parameter[0]"),
            Ok(vec![
                AccessStep::Event("field".into()),
                AccessStep::Parameter(0)
            ])
        );
        assert!(parse_access("Argument[x]").is_err());
        assert!(parse_access("Argument[0").is_err());
        assert!(parse_access("Returnvalue").is_err());
        assert!(parse_access("Member[]").is_err());
    }

    #[test]
    fn every_problem_of_a_model_is_reported() {
        let text = r#"
description = ""
[[source]]
package = "x"
path = "parse"
access = "Argument[0].Member[a]"
kind = "nonsense"
[[sanitizer]]
package = "y"
path = ""
kinds = []
[tests]
invalid = [{ rule = "no/such", code = "x" }]
"#;
        let model: ModelFile = toml::from_str(text).expect("parses");
        let problems = validate_model("m.toml", &model, &["express/reflected-xss"]);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`description` is empty"))
        );
        assert!(messages.iter().any(|m| m.contains("must end in")));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("unknown kind `nonsense`"))
        );
        assert!(messages.iter().any(|m| m.contains("`kinds` must name")));
        assert!(messages.iter().any(|m| m.contains("no rule `no/such`")));
        assert!(messages.iter().any(|m| m.contains("with `lines`")));
        assert!(messages.iter().any(|m| m.contains("`tests.valid` needs")));
        assert_eq!(problems.len(), 7, "{messages:#?}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = "description = \"d\"\n[[source]]\npackage = \"x\"\npath = \"\"\naccess = \"ReturnValue\"\nkind = \"url\"\nkindd = 1\n[tests]\n";
        assert!(toml::from_str::<ModelFile>(text).is_err());
    }
}
