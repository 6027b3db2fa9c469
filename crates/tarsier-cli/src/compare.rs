//! `tarsier diff`, `tarsier merge` and `tarsier triage add`: commands over SARIF files, for the
//! nightly triage workflow.

use crate::args::{DiffArgs, MergeArgs, TriageCommand};
use crate::output::{self, count_new, threshold};
use crate::{EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::{Context, Result, anyhow};
use std::io::Write;
use std::path::Path;
use tarsier_sarif::model::SarifLog;
use tarsier_triage::{Decision, Status, TriageFile};

fn read(path: &Path) -> Result<SarifLog> {
    tarsier_sarif::from_path(path).with_context(|| format!("reading {}", path.display()))
}

fn write(log: &SarifLog, output: Option<&Path>) -> Result<()> {
    let mut bytes = Vec::new();
    tarsier_sarif::to_writer(log, &mut bytes).context("serialising SARIF")?;
    match output {
        Some(path) => output::write_atomic(path, &bytes),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .context("writing to standard output")?;
            Ok(())
        }
    }
}

/// Runs `tarsier diff`.
pub fn diff(args: DiffArgs) -> Result<u8> {
    let base = read(&args.base)?;
    let head = read(&args.head)?;
    let outcome = tarsier_triage::diff(&base, &head);
    write(&outcome.log, args.output.as_deref())?;
    eprintln!("{}", outcome.summary);
    let new = threshold(args.fail_on).map_or(0, |t| count_new(&outcome.log, t));
    Ok(if args.fail_on_new && new > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// Runs `tarsier merge`.
pub fn merge(args: MergeArgs) -> Result<u8> {
    let logs = args
        .inputs
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>>>()?;
    let merged = tarsier_triage::merge(&logs)?;
    let results: usize = merged.runs.iter().map(|r| r.results.len()).sum();
    write(&merged, args.output.as_deref())?;
    eprintln!("merged {} reports: {results} results", logs.len());
    Ok(EXIT_CLEAN)
}

/// Runs `tarsier triage ...`.
pub fn triage(command: TriageCommand) -> Result<u8> {
    match command {
        TriageCommand::Add {
            fingerprint,
            status,
            why,
            who,
            sarif,
            file,
        } => {
            let status: Status = status.parse().map_err(|e| anyhow!("--status: {e}"))?;
            let who = who
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "unknown".to_string());
            let mut decision = Decision {
                fingerprint: fingerprint.clone(),
                status,
                justification: why,
                who,
                when: today(),
                rule: None,
                location: None,
            };
            if let Some(path) = &sarif {
                let log = read(path)?;
                if !decision.fill_context(&log) {
                    eprintln!(
                        "tarsier: warning: no result in {} has fingerprint {fingerprint}",
                        path.display()
                    );
                }
            }
            decision.validate().map_err(|e| anyhow!("{e}"))?;
            let mut triage = TriageFile::load(&file)?;
            let replaced = triage.add(decision)?;
            triage.save(&file)?;
            eprintln!(
                "{} the decision for {fingerprint} in {}",
                if replaced.is_some() {
                    "replaced"
                } else {
                    "added"
                },
                file.display()
            );
            Ok(EXIT_CLEAN)
        }
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock (civil-from-days, Howard Hinnant's
/// algorithm), so no date crate is needed.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_a_date() {
        let t = super::today();
        assert_eq!(t.len(), 10);
        assert!(t.starts_with("20"), "{t}");
        assert_eq!(&t[4..5], "-");
    }
}
