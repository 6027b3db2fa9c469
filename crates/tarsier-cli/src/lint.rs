//! `tarsier lint`: the user's own checkout (suppressions and `tarsier.toml` honoured), packed
//! `.tgz` files and anything under `node_modules` (third-party code: neither honoured). A
//! directory with a `package.json` and every `.tgz` also get the package-level analysis,
//! through the same pipeline as `tarsier scan`.

use crate::args::{Format, LintArgs};
use crate::output::{self, RunContext};
use anyhow::{Context, Result};
use std::path::Path;
use tarsier_engine::ScanReport;
use tarsier_model::NotificationLevel;
use tarsier_scan::{LocalSource, Pipeline, PipelineOptions, Trust};

/// Runs `tarsier lint`.
pub fn run(args: LintArgs) -> Result<u8> {
    let mut report_args = args.report.clone();
    report_args.show_notes |= args.verbose > 0;
    let mut rules = output::load_rules(&report_args)?;
    let config = match (&args.config, args.no_config) {
        (Some(file), _) => Some(tarsier_config::load(file)?),
        (None, true) => None,
        (None, false) => {
            let start = args.paths.first().map_or(Path::new("."), |p| p.as_path());
            tarsier_config::discover(start)?
        }
    };
    if let Some(config) = &config {
        config.apply_to_rules(&mut rules, &report_args.only_rules)?;
        report_args.fail_on = report_args
            .fail_on
            .or(config.fail_on.map(output::fail_on_of));
    }
    let pipeline = Pipeline::new(
        &rules,
        PipelineOptions {
            max_file_bytes: report_args.max_file_bytes,
            ..PipelineOptions::default()
        },
    )
    .context("compiling the rules")?;

    let mut report = ScanReport::default();
    let mut plain = Vec::new();
    for path in &args.paths {
        match LocalSource::classify(path, true) {
            Some(source) => {
                report.extend(pipeline.scan_local(&source).report);
                let installed = path.join("node_modules");
                if args.include_node_modules
                    && matches!(
                        source,
                        LocalSource::PackageDir {
                            trust: Trust::Own { .. },
                            ..
                        }
                    )
                    && installed.is_dir()
                {
                    report.extend(
                        pipeline
                            .scan_local(&LocalSource::NodeModules(installed))
                            .report,
                    );
                }
            }
            None => plain.push(path.clone()),
        }
    }
    if !plain.is_empty() {
        report.extend(pipeline.scan_checkout(&plain, args.include_node_modules));
    }
    if let Some(config) = &config {
        config.apply_to_findings(&mut report.findings);
    }
    pipeline.finish(&mut report);
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
    output::emit(&report_args, pipeline.engine(), &report, &context)
}
