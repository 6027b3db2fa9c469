//! `tarsier lint`: the user's own checkout (or packed `.tgz` files), suppressions honoured.

use crate::args::{Format, LintArgs};
use crate::output::{self, RunContext};
use anyhow::{Context, Result};
use std::path::Path;
use tarsier_engine::walk::{self, WalkOptions};
use tarsier_engine::{Engine, EngineOptions, ScanReport, SuppressionMode};
use tarsier_model::{Notification, NotificationLevel};

/// Largest `.tgz` read from disk for linting.
const MAX_TGZ_BYTES: u64 = 256 * 1024 * 1024;

/// Runs `tarsier lint`.
pub fn run(args: LintArgs) -> Result<u8> {
    let rules = output::load_rules(&args.report)?;
    let engine = Engine::new(
        &rules,
        EngineOptions {
            max_file_bytes: args.report.max_file_bytes,
            suppressions: SuppressionMode::Honour,
            ..EngineOptions::default()
        },
    )
    .context("compiling the rules")?;

    let (tarballs, others): (Vec<_>, Vec<_>) = args.paths.iter().cloned().partition(|p| is_tgz(p));
    let mut report = ScanReport::default();
    if !others.is_empty() || tarballs.is_empty() {
        let (files, problems) = walk::collect(
            &others,
            &WalkOptions {
                include_node_modules: args.include_node_modules,
            },
        );
        for problem in problems {
            report.notifications.push(Notification::for_file(
                NotificationLevel::Error,
                "walk-failed",
                &problem.path,
                format!("{}: {}", problem.path, problem.reason),
            ));
        }
        report.extend(engine.scan_walked(&files));
    }
    for tgz in &tarballs {
        report.extend(lint_tarball(&engine, tgz));
    }
    report.sort();
    let context = RunContext {
        command: "lint",
        default_format: Format::Text,
        default_output: None,
        automation_id: "tarsier/lint/".to_string(),
        execution_successful: !report
            .notifications
            .iter()
            .any(|n| n.level == NotificationLevel::Error),
    };
    output::emit(&args.report, &engine, &report, &context)
}

fn is_tgz(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    path.is_file() && (name.ends_with(".tgz") || name.ends_with(".tar.gz"))
}

/// Unpacks a packed package in memory and scans its files, named `<tgz>/<path in package>`.
fn lint_tarball(engine: &Engine, tgz: &Path) -> ScanReport {
    let shown = tgz.display().to_string();
    let mut report = ScanReport::default();
    let fail = |report: &mut ScanReport, code: &str, reason: String| {
        report.notifications.push(Notification::for_file(
            NotificationLevel::Error,
            code,
            &shown,
            format!("{shown}: {reason}"),
        ));
    };
    let bytes = match std::fs::metadata(tgz) {
        Ok(m) if m.len() > MAX_TGZ_BYTES => {
            fail(
                &mut report,
                "tarball-too-large",
                format!("{} bytes is over the {MAX_TGZ_BYTES}-byte limit", m.len()),
            );
            return report;
        }
        Ok(_) => match std::fs::read(tgz) {
            Ok(b) => b,
            Err(e) => {
                fail(&mut report, "read-failed", format!("cannot read: {e}"));
                return report;
            }
        },
        Err(e) => {
            fail(&mut report, "read-failed", format!("cannot read: {e}"));
            return report;
        }
    };
    let unpacked = match tarsier_tarball::unpack(&bytes, &tarsier_tarball::Limits::default()) {
        Ok(u) => u,
        Err(e) => {
            fail(&mut report, "unpack-failed", e.to_string());
            return report;
        }
    };
    for skipped in &unpacked.skipped {
        report.notifications.push(Notification::for_file(
            NotificationLevel::Note,
            "entry-skipped",
            &format!("{shown}/{}", skipped.path),
            format!(
                "{shown}: entry `{}` skipped: {}",
                skipped.path, skipped.reason
            ),
        ));
    }
    let files: Vec<(String, Vec<u8>)> = unpacked
        .files
        .into_iter()
        .map(|f| (format!("{shown}/{}", f.path), f.data))
        .collect();
    report.extend(engine.scan_files(&files));
    report
}
