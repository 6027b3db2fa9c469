//! Reporting: rule loading shared by commands, the text printer (code frames, colour on a TTY
//! only), tarsier's JSON, SARIF through `tarsier-sarif`, and the exit code from `--fail-on`.

use crate::args::{ColorChoice, FailOn, Format, ReportArgs};
use crate::{EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use tarsier_engine::{Engine, ScanReport};
use tarsier_model::{
    Finding, Notification, NotificationLevel, Severity, Suppression, SuppressionKind,
};
use tarsier_rules::RuleSet;

/// The project's home page, recorded in SARIF.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// What a command tells the reporter about its run.
pub struct RunContext {
    /// `lint` or `scan`.
    pub command: &'static str,
    /// Format when `--format` is not given.
    pub default_format: Format,
    /// Output file when `-o` is not given (`None`: standard output).
    pub default_output: Option<PathBuf>,
    /// SARIF `automationDetails.id`.
    pub automation_id: String,
    /// Whether the scan ran to completion.
    pub execution_successful: bool,
}

/// Loads the rules `--rules` names (or the embedded packs), narrowed by `--rule`.
pub fn load_rules(args: &ReportArgs) -> Result<RuleSet> {
    let mut rules = match &args.rules {
        Some(path) => tarsier_rules::load_path(path)
            .with_context(|| format!("loading rules from {}", path.display()))?,
        None => tarsier_rules::embedded().context("loading the built-in rules")?,
    };
    if !args.only_rules.is_empty() {
        rules.retain_ids(&args.only_rules);
        anyhow::ensure!(
            !rules.rules.is_empty(),
            "no rule matches --rule {}",
            args.only_rules.join(", ")
        );
    }
    Ok(rules)
}

/// Writes the report in the chosen format and returns the exit code: triage decisions are
/// applied, the baseline compared, then the report rendered as text, JSON, SARIF or HTML.
pub fn emit(
    args: &ReportArgs,
    engine: &Engine,
    report: &ScanReport,
    context: &RunContext,
) -> Result<u8> {
    let mut report = report.clone();
    apply_triage(args, &mut report)?;
    let output = args
        .output
        .clone()
        .or_else(|| context.default_output.clone());
    let format = match args.format {
        Some(format) => format,
        None if context.default_format == Format::Text
            && output.is_none()
            && crate::github::running_in_github_actions() =>
        {
            Format::Github
        }
        None => context.default_format,
    };
    let automation_id = match &args.category {
        Some(category) => category_id(category)?,
        None => context.automation_id.clone(),
    };
    let mut log = tarsier_sarif::build_log(&tarsier_sarif::RunInput {
        tool_version: env!("CARGO_PKG_VERSION"),
        information_uri: INFORMATION_URI,
        rules: engine.rule_metas(),
        findings: &report.findings,
        notifications: &report.notifications,
        automation_id,
        execution_successful: context.execution_successful,
        command_line: Some(format!("tarsier {}", context.command)),
        mode: if args.upload {
            tarsier_sarif::OutputMode::Upload
        } else {
            tarsier_sarif::OutputMode::Full
        },
        ..tarsier_sarif::RunInput::default()
    });
    let mut baseline_summary = None;
    if let Some(base_path) = &args.baseline {
        let base = tarsier_sarif::from_path(base_path)
            .with_context(|| format!("reading the baseline {}", base_path.display()))?;
        let outcome = tarsier_triage::diff(&base, &log);
        log = outcome.log;
        baseline_summary = Some(outcome.summary);
    }
    let mut bytes = Vec::new();
    match format {
        Format::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    output.is_none()
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            write_text(&mut bytes, &report, color, args.show_notes)?;
        }
        Format::Json => write_json(&mut bytes, &report)?,
        Format::Github => crate::github::write_annotations(&mut bytes, &report)?,
        Format::Sarif => {
            if args.upload {
                for problem in tarsier_sarif::check_github_limits(&log) {
                    eprintln!("tarsier: warning: {problem}");
                }
            }
            tarsier_sarif::to_writer(&log, &mut bytes).context("serialising SARIF")?;
        }
        Format::Html => {
            let html = tarsier_report::render_html(
                &log,
                &tarsier_report::HtmlOptions {
                    title: format!("tarsier {} report", context.command),
                    generated_at: None,
                },
            );
            bytes.extend_from_slice(html.as_bytes());
        }
    }
    match &output {
        Some(path) => write_atomic(path, &bytes)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .context("writing to standard output")?;
            stdout.flush().context("writing to standard output")?;
        }
    }
    if !matches!(format, Format::Text | Format::Github) || output.is_some() {
        // The text and annotation printers report problems inline; other formats carry them
        // in the file.
        print_notifications(&report, args.quiet, args.show_notes);
    }
    if !args.quiet {
        let mut summary = summary_line(&report);
        if let Some(b) = &baseline_summary {
            summary.push_str(&format!("; against the baseline: {b}"));
        }
        match &output {
            Some(path) => eprintln!("{summary}; report written to {}", path.display()),
            None if format != Format::Text || baseline_summary.is_some() => eprintln!("{summary}"),
            None => {}
        }
    }
    let failing = match threshold(args.fail_on.unwrap_or(FailOn::Warning)) {
        None => 0,
        Some(t) if args.fail_on_new => count_new(&log, t),
        Some(t) => tarsier_engine::count_at_or_above(&report.findings, t),
    };
    Ok(if failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// `--category` as a SARIF `runAutomationDetails.id`: GitHub takes the part up to the last `/`
/// as the category, so the id ends with one.
fn category_id(category: &str) -> Result<String> {
    let category = category.trim();
    anyhow::ensure!(!category.is_empty(), "--category must not be empty");
    Ok(if category.ends_with('/') {
        category.to_string()
    } else {
        format!("{category}/")
    })
}

/// The severity `--fail-on` names (`None` for `never`).
pub fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    }
}

/// The threshold a project configuration's `fail-on` names.
pub fn fail_on_of(fail_on: tarsier_config::FailOn) -> FailOn {
    match fail_on {
        tarsier_config::FailOn::Error => FailOn::Error,
        tarsier_config::FailOn::Warning => FailOn::Warning,
        tarsier_config::FailOn::Note => FailOn::Note,
        _ => FailOn::Never,
    }
}

/// Unsuppressed results marked `new` at or above `level`.
pub fn count_new(log: &tarsier_sarif::model::SarifLog, level: Severity) -> usize {
    use tarsier_sarif::model::{BaselineState, Level};
    log.runs
        .iter()
        .flat_map(|run| &run.results)
        .filter(|r| r.baseline_state == Some(BaselineState::New) && r.suppressions.is_empty())
        .filter(|r| {
            let severity = match r.level {
                Some(Level::Error) => Severity::Error,
                Some(Level::Note) | Some(Level::None) => Severity::Note,
                _ => Severity::Warning,
            };
            severity >= level
        })
        .count()
}

/// Applies the triage file's decisions as external suppressions; decisions that match nothing
/// are reported as notes, so stale entries get cleaned up.
fn apply_triage(args: &ReportArgs, report: &mut ScanReport) -> Result<()> {
    let path = match &args.triage {
        Some(path) => path.clone(),
        None => {
            let default = PathBuf::from(tarsier_triage::TRIAGE_FILE_NAME);
            if !default.is_file() {
                return Ok(());
            }
            default
        }
    };
    let triage = tarsier_triage::TriageFile::load(&path)?;
    if triage.decisions.is_empty() {
        return Ok(());
    }
    let fingerprints = tarsier_sarif::fingerprints(&report.findings);
    let mut used = std::collections::BTreeSet::new();
    for (finding, fingerprint) in report.findings.iter_mut().zip(&fingerprints) {
        if let Some(decision) = triage.get(fingerprint) {
            used.insert(fingerprint.clone());
            finding.suppression = Some(Suppression {
                kind: SuppressionKind::External,
                justification: Some(decision.suppression_justification()),
            });
        }
    }
    for decision in &triage.decisions {
        if !used.contains(&decision.fingerprint) {
            report.notifications.push(Notification {
                level: NotificationLevel::Note,
                code: "triage-stale".to_string(),
                message: format!(
                    "{}: the decision for {} ({}) matches no finding any more; remove it if the code is gone",
                    path.display(),
                    decision.fingerprint,
                    decision.rule.as_deref().unwrap_or("rule unknown")
                ),
                package: None,
                path: None,
            });
        }
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place, so a killed
/// run never leaves a partial report under the output name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".to_string());
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let unique = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp-{}-{unique}", std::process::id()));
    // On a full disk the write fails: the temporary file goes, the report stays absent (or as
    // the previous run left it), never truncated.
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("could not write {}", path.display()));
    }
    Ok(())
}

fn print_notifications(report: &ScanReport, quiet: bool, show_notes: bool) {
    if quiet {
        return;
    }
    for (level, line) in notification_lines(report, show_notes) {
        eprintln!("{}: {line}", level_word(level));
    }
}

/// The notifications as lines, errors first, then by package and path; unless `show_notes`,
/// notes are summed up in one line per kind.
fn notification_lines(report: &ScanReport, show_notes: bool) -> Vec<(NotificationLevel, String)> {
    let mut sorted: Vec<&Notification> = report.notifications.iter().collect();
    sorted.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| package_of(&a.package).cmp(&package_of(&b.package)))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.message.cmp(&b.message))
    });
    let mut lines = Vec::new();
    let mut notes: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for n in sorted {
        if n.level == NotificationLevel::Note && !show_notes {
            notes.entry(n.code.as_str()).or_insert((0, &n.message)).0 += 1;
        } else {
            lines.push((n.level, n.message.clone()));
        }
    }
    for (code, (count, example)) in notes {
        lines.push((
            NotificationLevel::Note,
            if count == 1 {
                example.to_string()
            } else {
                format!("{count} notes `{code}`, e.g. {example} (--show-notes lists them)")
            },
        ));
    }
    lines
}

/// `name@version`, or empty for the user's own files (which come first).
fn package_of(package: &Option<tarsier_model::PackageOrigin>) -> String {
    package.as_ref().map(|p| p.spec()).unwrap_or_default()
}

fn level_word(level: NotificationLevel) -> &'static str {
    match level {
        NotificationLevel::Note => "note",
        NotificationLevel::Warning => "warning",
        NotificationLevel::Error => "error",
    }
}

/// `3 findings (1 error, 2 warnings, 0 notes) in 12 files, 1 suppressed, 2 notifications`.
pub fn summary_line(report: &ScanReport) -> String {
    let active: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    let count = |s: Severity| active.iter().filter(|f| f.severity == s).count();
    let suppressed = report.findings.len() - active.len();
    let mut line = format!(
        "{} finding{} ({} error{}, {} warning{}, {} note{}) in {} file{}",
        active.len(),
        plural(active.len()),
        count(Severity::Error),
        plural(count(Severity::Error)),
        count(Severity::Warning),
        plural(count(Severity::Warning)),
        count(Severity::Note),
        plural(count(Severity::Note)),
        report.files_scanned,
        plural(report.files_scanned),
    );
    if suppressed > 0 {
        line.push_str(&format!(", {suppressed} suppressed"));
    }
    if !report.notifications.is_empty() {
        line.push_str(&format!(
            ", {} notification{}",
            report.notifications.len(),
            plural(report.notifications.len())
        ));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// `path:line:col  severity  rule-id  message`, a code frame with a caret, the taint path, then
/// notifications and the summary line. Errors come first, then warnings, then notes, each by
/// package and file; unless `show_notes`, note-level findings are summed up in one line per
/// rule and note-level notifications in one line per kind.
fn write_text(out: &mut Vec<u8>, report: &ScanReport, color: bool, show_notes: bool) -> Result<()> {
    let mut shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    shown.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| package_of(&a.package).cmp(&package_of(&b.package)))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.span.start_byte.cmp(&b.span.start_byte))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    let (listed, summed): (Vec<&Finding>, Vec<&Finding>) = shown
        .into_iter()
        .partition(|f| show_notes || f.severity != Severity::Note);
    write_findings(out, &listed, color)?;
    let paint = Paint { on: color };
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in summed {
        *per_rule.entry(f.rule_id.as_str()).or_default() += 1;
    }
    for (rule, count) in per_rule {
        writeln!(
            out,
            "{}: {rule}: {count} note-level finding{} (--show-notes lists them)",
            paint.wrap("1;36", "note"),
            plural(count)
        )?;
    }
    for (level, line) in notification_lines(report, show_notes) {
        let word = match level {
            NotificationLevel::Error => paint.wrap("1;31", "error"),
            NotificationLevel::Warning => paint.wrap("1;33", "warning"),
            NotificationLevel::Note => paint.wrap("1;36", "note"),
        };
        writeln!(out, "{word}: {line}")?;
    }
    writeln!(out, "{}", summary_line(report))?;
    Ok(())
}

/// The findings part of the text format (unsuppressed findings, each with its code frame).
pub fn write_finding_text(out: &mut Vec<u8>, report: &ScanReport, color: bool) -> Result<()> {
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    write_findings(out, &shown, color)
}

fn write_findings(out: &mut Vec<u8>, findings: &[&Finding], color: bool) -> Result<()> {
    let paint = Paint { on: color };
    for &f in findings {
        let severity = match f.severity {
            Severity::Error => paint.wrap("1;31", "error"),
            Severity::Warning => paint.wrap("1;33", "warning"),
            Severity::Note => paint.wrap("1;36", "note"),
        };
        let location = match &f.package {
            Some(p) => format!("{}@{}/{}", p.name, p.version, f.path),
            None => f.path.clone(),
        };
        writeln!(
            out,
            "{}:{}:{}  {}  {}  {}",
            paint.wrap("1", &location),
            f.span.start_line,
            f.span.start_column,
            severity,
            paint.wrap("2", &f.rule_id),
            f.message
        )?;
        let width = (f.span.start_line + 4).to_string().len();
        let first = f.snippet.lines().next().unwrap_or("");
        let column = caret_column(first, f);
        let caret_len = if f.span.end_line == f.span.start_line {
            f.span.end_column.saturating_sub(f.span.start_column).max(1)
        } else {
            first.chars().count().saturating_sub(column).max(1)
        }
        .min(first.chars().count().saturating_sub(column).max(1));
        writeln!(out, "{:width$} |", "")?;
        for (i, line) in f.snippet.lines().enumerate() {
            writeln!(out, "{:>width$} | {}", f.span.start_line + i, line)?;
            if i == 0 {
                writeln!(
                    out,
                    "{:width$} | {}{}",
                    "",
                    " ".repeat(column),
                    paint.wrap("1;31", &"^".repeat(caret_len))
                )?;
            }
        }
        if !f.flow.is_empty() {
            writeln!(out, "{:width$} = taint path:", "")?;
            for step in &f.flow {
                writeln!(
                    out,
                    "{:width$}     {}:{}  {}",
                    "",
                    step.path.as_deref().unwrap_or(&f.path),
                    step.span.start_line,
                    step.message
                )?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Where the caret starts in the first snippet line (which may be clipped for long lines).
fn caret_column(line: &str, f: &Finding) -> usize {
    let probe: String = f.matched_text.chars().take(24).collect();
    if let Some(byte) = Some(&probe)
        .filter(|p| !p.is_empty())
        .and_then(|p| line.find(p.as_str()))
    {
        return line[..byte].chars().count();
    }
    f.span
        .start_column
        .saturating_sub(1)
        .min(line.chars().count())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    tool: &'static str,
    version: &'static str,
    files_scanned: usize,
    bytes_scanned: u64,
    findings: &'a [Finding],
    notifications: &'a [Notification],
}

fn write_json(out: &mut Vec<u8>, report: &ScanReport) -> Result<()> {
    let json = JsonReport {
        tool: "tarsier",
        version: env!("CARGO_PKG_VERSION"),
        files_scanned: report.files_scanned,
        bytes_scanned: report.bytes_scanned,
        findings: &report.findings,
        notifications: &report.notifications,
    };
    serde_json::to_writer_pretty(&mut *out, &json).context("serialising JSON")?;
    out.push(b'\n');
    Ok(())
}
