//! Analyzes many patterns at once: JSON lines in, JSON lines out (the agreement check against
//! recheck in `benches/redos-agreement/` drives it).
//!
//! Each input line is an object with `pattern` and `flags` (strings); every other field is
//! copied to the output line unchanged. The output line adds
//! - `verdict`: `safe`, `exponential`, `polynomial`, `unknown` or `parse-error`;
//! - `degree` (polynomial), `reason` (unknown), `error` (parse-error);
//! - `confirmed`, `witness` (`{prefix, pump, suffix}` or null) and `steps_at` (`[[n, steps]]`);
//! - `micros`: the time of [`tarsier_redos::analyze`] alone (parsing included, I/O excluded).
//!
//! An input line may also carry `attack`: `{"prefix": "..", "pump": "..", "suffix": ".."}` or
//! recheck's form `{"pumps": [{"prefix": "..", "pump": ".."}, ..], "suffix": ".."}` (an attack
//! found by another tool). The step-counting matcher then runs it with every pump repeated `n`
//! times for doubling `n`, and the output gains `attack_steps` (`[[n, steps, matched]]`,
//! `matched` null where the step limit stopped it), so that another tool's witness is judged by
//! the same matcher as tarsier's.
//!
//! At the end, the number of patterns and the total and largest analysis times go to stderr.
//! A line that is not a JSON object with string `pattern` and `flags` becomes an output line
//! with `verdict: "bad-input"`; nothing stops the run.
//!
//! Usage: `cargo run --release -p tarsier-redos --example batch < patterns.jsonl > out.jsonl`

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tarsier_redos::matcher::Matcher;
use tarsier_redos::{Budget, Verdict, analyze, parse};

/// Matcher steps after which an `attack` stops growing.
const ATTACK_STEP_LIMIT: u64 = 50_000_000;

fn main() {
    let budget = Budget::default();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut count = 0usize;
    let mut total = Duration::ZERO;
    let mut slowest = (Duration::ZERO, String::new());
    for line in stdin.lock().lines() {
        let Ok(line) = line else {
            eprintln!("batch: stdin is not readable UTF-8; stopping");
            break;
        };
        if line.trim().is_empty() {
            continue;
        }
        let mut obj = match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(m)) => m,
            _ => {
                let bad = json!({"verdict": "bad-input", "error": "not a JSON object"});
                if writeln!(out, "{bad}").is_err() {
                    return;
                }
                continue;
            }
        };
        let (Some(pattern), Some(flags)) = (
            obj.get("pattern")
                .and_then(Value::as_str)
                .map(str::to_owned),
            obj.get("flags").and_then(Value::as_str).map(str::to_owned),
        ) else {
            obj.insert("verdict".into(), "bad-input".into());
            obj.insert(
                "error".into(),
                "`pattern` and `flags` must be strings".into(),
            );
            if writeln!(out, "{}", Value::Object(obj)).is_err() {
                return;
            }
            continue;
        };
        let started = Instant::now();
        let result = analyze(&pattern, &flags, &budget);
        let took = started.elapsed();
        count += 1;
        total += took;
        if took > slowest.0 {
            slowest = (took, format!("/{pattern}/{flags}"));
        }
        record(&mut obj, result, took);
        if let Some(attack) = obj.get("attack").cloned() {
            let steps = attack_steps(&pattern, &flags, &attack, &budget);
            obj.insert("attack_steps".into(), steps);
        }
        if writeln!(out, "{}", Value::Object(obj)).is_err() {
            // Broken pipe: the reader has gone, which is not an error.
            return;
        }
    }
    if out.flush().is_err() {
        return;
    }
    eprintln!(
        "batch: {count} patterns analysed in {:.3} ms total ({:.1} us mean); slowest {:.3} ms: {}",
        total.as_secs_f64() * 1e3,
        if count == 0 {
            0.0
        } else {
            total.as_secs_f64() * 1e6 / count as f64
        },
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
}

/// Adds the analysis result to the output object.
fn record(
    obj: &mut Map<String, Value>,
    result: Result<tarsier_redos::Analysis, tarsier_redos::RegexError>,
    took: Duration,
) {
    let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
    obj.insert("micros".into(), micros.into());
    let a = match result {
        Ok(a) => a,
        Err(e) => {
            obj.insert("verdict".into(), "parse-error".into());
            obj.insert("error".into(), e.to_string().into());
            return;
        }
    };
    match &a.verdict {
        Verdict::Safe => {
            obj.insert("verdict".into(), "safe".into());
        }
        Verdict::Exponential => {
            obj.insert("verdict".into(), "exponential".into());
        }
        Verdict::Polynomial { degree } => {
            obj.insert("verdict".into(), "polynomial".into());
            obj.insert("degree".into(), (*degree).into());
        }
        Verdict::Unknown { reason } => {
            obj.insert("verdict".into(), "unknown".into());
            obj.insert("reason".into(), reason.clone().into());
        }
    }
    obj.insert("confirmed".into(), a.confirmed.into());
    let witness = a.witness.as_ref().map_or(
        Value::Null,
        |w| json!({"prefix": w.prefix, "pump": w.pump, "suffix": w.suffix}),
    );
    obj.insert("witness".into(), witness);
    let steps: Vec<Value> = a.steps_at.iter().map(|(n, s)| json!([n, s])).collect();
    obj.insert("steps_at".into(), steps.into());
}

/// The parts of an attack: `[(prefix, pump)]` and the suffix. Accepts tarsier's
/// `{prefix, pump, suffix}` and recheck's `{pumps: [{prefix, pump}], suffix}`.
fn attack_parts(attack: &Value) -> Option<(Vec<(String, String)>, String)> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let suffix = text(attack, "suffix").unwrap_or_default();
    let pumps = match attack.get("pumps") {
        Some(Value::Array(list)) => list
            .iter()
            .map(|p| Some((text(p, "prefix").unwrap_or_default(), text(p, "pump")?)))
            .collect::<Option<Vec<_>>>()?,
        _ => vec![(
            text(attack, "prefix").unwrap_or_default(),
            text(attack, "pump")?,
        )],
    };
    if pumps.is_empty() || pumps.iter().all(|(_, pump)| pump.is_empty()) {
        return None;
    }
    Some((pumps, suffix))
}

/// Runs the step-counting matcher on the attack string with `n` repetitions of every pump, for
/// doubling `n`, until the step limit.
fn attack_steps(pattern: &str, flags: &str, attack: &Value, budget: &Budget) -> Value {
    let Some((pumps, suffix)) = attack_parts(attack) else {
        return json!({"error": "no pump"});
    };
    let Ok(ast) = parse::parse(pattern, flags) else {
        return json!({"error": "pattern does not parse"});
    };
    let Ok(matcher) = Matcher::new(&ast, budget.max_states.saturating_mul(4)) else {
        return json!({"error": "matcher program too big"});
    };
    let mut rows = Vec::new();
    let mut n = 4usize;
    while n <= 4096 {
        let mut input = String::new();
        for (prefix, pump) in &pumps {
            input.push_str(prefix);
            input.push_str(&pump.repeat(n));
        }
        input.push_str(&suffix);
        let mut steps = 0u64;
        let outcome = matcher.search(&input, &mut steps, ATTACK_STEP_LIMIT);
        let matched = match outcome {
            Ok(m) => Value::Bool(m),
            Err(_) => Value::Null,
        };
        rows.push(json!([n, steps, matched]));
        if outcome.is_err() {
            break;
        }
        n *= 2;
    }
    Value::Array(rows)
}
