//! `tarsier scan`: turns flags into sources (registry scope, lockfile, local tarballs, package
//! directories, `node_modules`) and hands them to the one package pipeline (`tarsier-scan`),
//! then prints. Third-party code throughout: suppression comments and configuration inside
//! packages are reported, not honoured.

use crate::EXIT_ERROR;
use crate::args::{Format, ScanArgs};
use crate::output::{self, RunContext};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::RefCell;
use std::path::PathBuf;
use tarsier_engine::ScanReport;
use tarsier_model::{Notification, NotificationLevel};
use tarsier_registry::{Cache, ClientOptions, RegistryClient, RegistryConfig, Scope};
use tarsier_scan::registry::{RegistryRun, in_shard};
use tarsier_scan::{LocalSource, Pipeline, PipelineOptions, Wanted};

/// Exit code after Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

/// Runs `tarsier scan`.
pub fn run(args: ScanArgs) -> Result<u8> {
    init_logging(args.verbose);
    let mut report_args = args.report.clone();
    let mut rules = output::load_rules(&report_args)?;
    let config = match &args.config {
        Some(file) => Some(tarsier_config::load(file)?),
        None => None,
    };
    if let Some(config) = &config {
        config.apply_to_rules(&mut rules, &report_args.only_rules)?;
        report_args.fail_on = report_args
            .fail_on
            .or(config.fail_on.map(output::fail_on_of));
    }
    report_args.show_notes |= args.verbose > 0;
    let cache = match &args.cache_dir {
        Some(dir) => Cache::new(dir),
        None => Cache::open_default(),
    }
    .context("opening the cache")?;
    // What killed runs left half-written (never read as entries); a concurrent run's are young.
    cache.clean_temp_files(std::time::Duration::from_secs(3600));
    let pipeline = Pipeline::new(
        &rules,
        PipelineOptions {
            max_file_bytes: report_args.max_file_bytes,
            keep_test_severity: args.keep_test_severity,
            result_cache_dir: (!args.no_result_cache).then(|| cache.root().to_path_buf()),
            ..PipelineOptions::default()
        },
    )
    .context("compiling the rules")?;

    let mut report = ScanReport::default();
    let mut total = 0usize;
    let mut scanned = 0usize;
    for path in &args.paths {
        match LocalSource::classify(path, false) {
            Some(source) => {
                let local = pipeline.scan_local(&source);
                total += local.packages;
                scanned += local.scanned;
                report.extend(local.report);
            }
            None => {
                total += 1;
                let hint = if path.to_string_lossy().ends_with("lock.json") {
                    " (for a lockfile, use --lockfile)"
                } else {
                    ""
                };
                report.notifications.push(Notification::for_file(
                    NotificationLevel::Error,
                    "not-a-package",
                    &path.display().to_string(),
                    format!(
                        "{}: not a .tgz, a package directory (with a package.json) or a node_modules directory; not scanned{hint}",
                        path.display()
                    ),
                ));
            }
        }
    }

    let use_scope = args.scope.is_some()
        || !args.packages.is_empty()
        || (args.paths.is_empty() && args.lockfile.is_none());
    let mut interrupted = None;
    if use_scope || args.lockfile.is_some() {
        let registry = RegistryConfig::from_environment(args.registry.as_deref())
            .context("finding the npm registry to scan from")?;
        let options = ClientOptions {
            offline: args.offline,
            allow_foreign_tarball_hosts: args.allow_foreign_tarball_hosts,
            ..ClientOptions::default()
        };
        let client = RegistryClient::new(registry, options, Some(cache))
            .context("building the HTTP client")?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let scope = if use_scope {
            Some(build_scope(&args)?)
        } else {
            None
        };
        let progress = Bars::new(report_args.quiet);
        let run = RegistryRun {
            client: &client,
            runtime: &runtime,
            jobs: args.jobs,
            in_scope: scope
                .iter()
                .flat_map(|s| s.packages.iter().map(|p| p.name.clone()))
                .collect(),
            progress: &progress,
        };
        let mut wanted: Vec<Wanted> = Vec::new();
        if let Some(scope) = &scope {
            let (packages, notes) = tarsier_scan::registry::resolve(&run, scope, args.with_deps);
            report.notifications.extend(notes);
            wanted.extend(packages.into_iter().map(Wanted::from));
        }
        if let Some(lockfile) = &args.lockfile {
            let entries = tarsier_scan::lockfile::read(lockfile)?;
            let shown = lockfile.display().to_string();
            let (from_lockfile, notes) =
                tarsier_scan::lockfile::wanted(&entries, &shown, client.config());
            report.notifications.extend(notes);
            wanted.extend(from_lockfile);
        }
        if let Some((k, n)) = args.shard {
            wanted.retain(|w| in_shard(&w.package.name, &w.package.version, k, n));
        }
        let outcome = pipeline.scan_registry(&run, wanted);
        runtime.shutdown_background();
        total += outcome.total;
        scanned += outcome.scanned;
        report.extend(outcome.report);
        if outcome.interrupted {
            interrupted = Some(outcome.not_scanned.len());
        }
    }
    if let Some(config) = &config {
        config.apply_to_findings(&mut report.findings);
    }
    pipeline.finish(&mut report);

    let failed_packages = report
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .count();
    let context = RunContext {
        command: "scan",
        default_format: Format::Sarif,
        default_output: Some(PathBuf::from("tarsier.sarif")),
        automation_id: "tarsier/scan/".to_string(),
        execution_successful: failed_packages == 0,
    };
    if !report_args.quiet {
        eprintln!(
            "scanned {scanned} of {total} package version{} ({failed_packages} failed)",
            if total == 1 { "" } else { "s" }
        );
    }
    let code = output::emit(&report_args, pipeline.engine(), &report, &context)?;
    if let Some(not_scanned) = interrupted {
        eprintln!("tarsier: interrupted; {not_scanned} package versions were not scanned");
        return Ok(EXIT_INTERRUPTED);
    }
    // Exit 2 only when nothing at all could be scanned; otherwise findings decide.
    Ok(if scanned == 0 && failed_packages > 0 {
        EXIT_ERROR
    } else {
        code
    })
}

/// Progress bars on standard error (hidden with `-q`), one stage at a time.
struct Bars {
    quiet: bool,
    bar: RefCell<Option<ProgressBar>>,
}

impl Bars {
    fn new(quiet: bool) -> Self {
        Bars {
            quiet,
            bar: RefCell::new(None),
        }
    }
}

impl tarsier_scan::Progress for Bars {
    fn begin(&self, stage: &'static str, len: u64) {
        let bar = ProgressBar::with_draw_target(
            Some(len),
            if self.quiet {
                ProgressDrawTarget::hidden()
            } else {
                ProgressDrawTarget::stderr()
            },
        );
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(stage);
        *self.bar.borrow_mut() = Some(bar);
    }

    fn step(&self, message: &str) {
        if let Some(bar) = self.bar.borrow().as_ref() {
            bar.set_message(message.to_string());
            bar.inc(1);
        }
    }

    fn end(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

fn build_scope(args: &ScanArgs) -> Result<Scope> {
    let mut scope = match &args.scope {
        Some(path) => Scope::from_file(path)
            .with_context(|| format!("reading the scope file {}", path.display()))?,
        None if !args.packages.is_empty() => Scope {
            include_prerelease: false,
            packages: Vec::new(),
        },
        None => Scope::default_scope().context("the embedded default scope")?,
    };
    if !args.packages.is_empty() {
        let extra = Scope::from_specs(&args.packages, args.include_prerelease)
            .context("parsing --package")?;
        scope.packages.extend(extra.packages);
    }
    scope.include_prerelease |= args.include_prerelease;
    Ok(scope)
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "tarsier={level},tarsier_registry={level},tarsier_scan={level}"
        ))
    });
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_writer(std::io::stderr)
        .try_init();
}
