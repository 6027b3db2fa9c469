//! GitHub code scanning's limits on uploaded SARIF, checked before an upload.
//!
//! GitHub rejects a whole file that breaks one of these limits, so the CLI's upload mode checks
//! them first and reports every problem at once. Numbers are from GitHub's documentation of SARIF
//! support ("SARIF results exceed hard limit").

use crate::model::{ResultProperties, SarifLog};
use crate::write::to_writer;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::{self, Write};

/// Most results GitHub accepts in one run.
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
/// Most runs GitHub accepts in one file.
pub const MAX_RUNS: usize = 20;
/// Most rules GitHub accepts in one run.
pub const MAX_RULES_PER_RUN: usize = 25_000;
/// Most tags GitHub accepts on one rule.
pub const MAX_TAGS_PER_RULE: usize = 20;
/// Most locations GitHub accepts on one result.
pub const MAX_LOCATIONS_PER_RESULT: usize = 1_000;
/// Most thread-flow locations GitHub accepts on one result.
pub const MAX_THREAD_FLOW_LOCATIONS_PER_RESULT: usize = 10_000;
/// Largest gzipped file GitHub accepts. GitHub says "10 MB"; the decimal reading is the safe one.
pub const MAX_GZIP_BYTES: u64 = 10_000_000;

/// Checks a log against GitHub code scanning's upload limits.
///
/// Returns one message per problem found (empty when the log can be uploaded): too many runs,
/// results, rules, tags, locations or flow steps; a `security-severity` that is not a number from
/// 0.0 to 10.0; `tags` that are not all strings; a gzipped size of 10 MB or more.
///
/// ```
/// use tarsier_sarif::{build_log, check_github_limits, RunInput};
/// let log = build_log(&RunInput { tool_version: "0.1.0", ..RunInput::default() });
/// assert!(check_github_limits(&log).is_empty());
/// ```
pub fn check_github_limits(log: &SarifLog) -> Vec<String> {
    let mut problems = Vec::new();
    if log.runs.len() > MAX_RUNS {
        problems.push(format!(
            "the file has {} runs; GitHub accepts at most {MAX_RUNS}",
            log.runs.len()
        ));
    }
    for (r, run) in log.runs.iter().enumerate() {
        if run.results.len() > MAX_RESULTS_PER_RUN {
            problems.push(format!(
                "run {r} has {} results; GitHub accepts at most {MAX_RESULTS_PER_RUN}",
                run.results.len()
            ));
        }
        let rules = &run.tool.driver.rules;
        if rules.len() > MAX_RULES_PER_RUN {
            problems.push(format!(
                "run {r} has {} rules; GitHub accepts at most {MAX_RULES_PER_RUN}",
                rules.len()
            ));
        }
        for rule in rules {
            let Some(props) = &rule.properties else {
                continue;
            };
            if props.tags.len() > MAX_TAGS_PER_RULE {
                problems.push(format!(
                    "rule `{}` has {} tags; GitHub accepts at most {MAX_TAGS_PER_RULE}",
                    rule.id,
                    props.tags.len()
                ));
            }
            if let Some(score) = &props.security_severity {
                let valid = score
                    .parse::<f64>()
                    .is_ok_and(|s| (0.0..=10.0).contains(&s));
                if !valid {
                    problems.push(format!(
                        "rule `{}` has security-severity `{score}`; GitHub needs a number from 0.0 to 10.0",
                        rule.id
                    ));
                }
            }
        }
        for (i, result) in run.results.iter().enumerate() {
            let what = || {
                format!(
                    "result {i} of run {r} (rule `{}`)",
                    result.rule_id.as_deref().unwrap_or("?")
                )
            };
            if result.locations.len() > MAX_LOCATIONS_PER_RESULT {
                problems.push(format!(
                    "{} has {} locations; GitHub accepts at most {MAX_LOCATIONS_PER_RESULT}",
                    what(),
                    result.locations.len()
                ));
            }
            let steps: usize = result
                .code_flows
                .iter()
                .flat_map(|c| &c.thread_flows)
                .map(|t| t.locations.len())
                .sum();
            if steps > MAX_THREAD_FLOW_LOCATIONS_PER_RESULT {
                problems.push(format!(
                    "{} has {steps} thread-flow locations; GitHub accepts at most \
                     {MAX_THREAD_FLOW_LOCATIONS_PER_RESULT}",
                    what()
                ));
            }
            if result
                .properties
                .as_ref()
                .is_some_and(|p| !tags_are_strings(p))
            {
                problems.push(format!("{} has `tags` that are not all strings", what()));
            }
        }
    }
    match upload_size(log) {
        Ok(size) => problems.extend(size_problem(size)),
        Err(e) => problems.push(format!("cannot measure the gzipped size: {e}")),
    }
    problems
}

fn tags_are_strings(props: &ResultProperties) -> bool {
    match props.other.get("tags") {
        None => true,
        Some(serde_json::Value::Array(tags)) => tags.iter().all(serde_json::Value::is_string),
        Some(_) => false,
    }
}

fn size_problem(gzipped: u64) -> Option<String> {
    (gzipped >= MAX_GZIP_BYTES).then(|| {
        format!("the gzipped file is {gzipped} bytes; GitHub accepts less than {MAX_GZIP_BYTES}")
    })
}

/// An upper bound of the gzipped size that is exact when it matters: gzip never grows data by
/// more than a few bytes per 16 KiB block plus its header, so a log whose plain size is well
/// under the limit is not compressed at all (compressing tens of megabytes is slow).
fn upload_size(log: &SarifLog) -> io::Result<u64> {
    let mut plain = CountingWriter(0);
    to_writer(log, &mut plain).map_err(io::Error::other)?;
    let bound = plain.0.saturating_add(plain.0 / 1000).saturating_add(1024);
    if bound < MAX_GZIP_BYTES {
        Ok(bound)
    } else {
        gzipped_size(log)
    }
}

/// Size of the log as [`to_writer`] writes it, gzipped, without holding either in memory.
pub fn gzipped_size(log: &SarifLog) -> io::Result<u64> {
    let mut gz = GzEncoder::new(CountingWriter(0), Compression::default());
    to_writer(log, &mut gz).map_err(io::Error::other)?;
    Ok(gz.finish()?.0)
}

struct CountingWriter(u64);

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len() as u64);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{
        CodeFlow, Location, ReportingDescriptor, RuleProperties, Run, SarifResult, ThreadFlow,
        ThreadFlowLocation,
    };
    use crate::{RunInput, build_log};

    fn empty_log() -> SarifLog {
        build_log(&RunInput {
            tool_version: "0.0.0-test",
            ..RunInput::default()
        })
    }

    #[test]
    fn an_ordinary_log_passes() {
        assert_eq!(check_github_limits(&empty_log()), Vec::<String>::new());
    }

    #[test]
    fn too_many_runs() {
        let mut log = empty_log();
        log.runs = vec![Run::default(); MAX_RUNS + 1];
        let problems = check_github_limits(&log);
        assert_eq!(
            problems,
            ["the file has 21 runs; GitHub accepts at most 20"]
        );
    }

    #[test]
    fn too_many_results() {
        let mut log = empty_log();
        log.runs[0].results = vec![SarifResult::default(); MAX_RESULTS_PER_RUN + 1];
        let problems = check_github_limits(&log);
        assert_eq!(
            problems,
            ["run 0 has 25001 results; GitHub accepts at most 25000"]
        );
        log.runs[0].results.pop();
        assert!(check_github_limits(&log).is_empty());
    }

    #[test]
    fn rule_problems_are_all_reported() {
        let mut log = empty_log();
        let rule = |id: &str, tags: usize, score: &str| ReportingDescriptor {
            id: id.to_string(),
            properties: Some(RuleProperties {
                tags: (0..tags).map(|i| format!("t{i}")).collect(),
                security_severity: Some(score.to_string()),
                ..RuleProperties::default()
            }),
            ..ReportingDescriptor::default()
        };
        log.runs[0].tool.driver.rules = vec![
            rule("ok/rule", 20, "10.0"),
            rule("many/tags", 21, "5.0"),
            rule("bad/score", 1, "high"),
            rule("big/score", 1, "11"),
        ];
        let problems = check_github_limits(&log);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("`many/tags` has 21 tags"));
        assert!(problems[1].contains("`bad/score` has security-severity `high`"));
        assert!(problems[2].contains("`big/score` has security-severity `11`"));
    }

    #[test]
    fn result_problems() {
        let mut log = empty_log();
        let step = ThreadFlowLocation::default();
        let mut r = SarifResult {
            rule_id: Some("a/b".to_string()),
            locations: vec![Location::default(); MAX_LOCATIONS_PER_RESULT + 1],
            code_flows: vec![CodeFlow {
                thread_flows: vec![
                    ThreadFlow {
                        locations: vec![step.clone(); 6000],
                    },
                    ThreadFlow {
                        locations: vec![step; 6000],
                    },
                ],
            }],
            ..SarifResult::default()
        };
        let mut props = ResultProperties::default();
        props
            .other
            .insert("tags".to_string(), serde_json::json!(["x", 1]));
        r.properties = Some(props);
        log.runs[0].results = vec![r];
        let problems = check_github_limits(&log);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("result 0 of run 0 (rule `a/b`) has 1001 locations"));
        assert!(problems[1].contains("12000 thread-flow locations"));
        assert!(problems[2].contains("`tags` that are not all strings"));
    }

    #[test]
    fn gzipped_size_is_measured() {
        let log = empty_log();
        let mut plain = Vec::new();
        to_writer(&log, &mut plain).unwrap();
        let gz = gzipped_size(&log).unwrap();
        assert!(gz > 20, "{gz}");
        assert!(upload_size(&log).unwrap() >= gz);
        assert_eq!(size_problem(MAX_GZIP_BYTES - 1), None);
        assert_eq!(
            size_problem(12_345_678).as_deref(),
            Some("the gzipped file is 12345678 bytes; GitHub accepts less than 10000000")
        );
    }
}
