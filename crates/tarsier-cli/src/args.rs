//! Flag definitions: every command and option of `tarsier`, and nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// tarsier finds security flaws in Express middleware and npm packages that look compromised.
///
/// Lint your own code: request data reaching redirects, HTML, headers, file paths, prototypes
/// or slow regular expressions (`tarsier lint .`, honouring your `tarsier.toml` and suppression
/// comments). Check other people's packages before you trust them: install scripts that reach
/// the network, obfuscated or exfiltrating code, bundled binaries and suspicious changes since
/// the previous release, in a tarball, a `node_modules` tree, the exact versions of a
/// `package-lock.json` or `yarn.lock`, or straight from the registry (`tarsier scan`). Reports are text,
/// SARIF for code scanning, JSON or HTML; the exit code says whether anything was found.
#[derive(Debug, Parser)]
#[command(
    name = "tarsier",
    version,
    about = "Finds security flaws in Express middleware and compromised-looking npm packages: \
             your own code (`lint`), tarballs, node_modules, lockfiles and registry versions (`scan`).",
    max_term_width = 100,
    after_help = "Examples:\n  tarsier lint .                            your checkout, as you commit it\n  tarsier lint suspicious-1.0.0.tgz         a package someone handed you\n  tarsier scan --lockfile package-lock.json the exact versions your app installs\n  tarsier scan node_modules                 what is installed\n  tarsier scan --package express@latest     a package from the registry"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint your own checkout (suppression comments and `tarsier.toml` honoured); a directory
    /// with a `package.json` and a packed `.tgz` also get the package checks (install scripts,
    /// obfuscation, exfiltration, bundled binaries).
    Lint(LintArgs),
    /// Scan other people's packages: local `.tgz` files, package directories, `node_modules`,
    /// the versions of a lockfile, or registry versions (the embedded Express scope by default).
    /// Their suppression comments and configuration are reported, never honoured.
    Scan(ScanArgs),
    /// Re-fetch the exact tarball of a finding (by integrity; cache first) and re-run that one
    /// rule on that one file. Exit 0 when the same fingerprint is found again, 1 when not, 2 on error.
    Reproduce(ReproduceArgs),
    /// List, explain and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Compare two SARIF reports: writes HEAD with `baselineState` on every result (and the
    /// base-only results as absent) and prints a summary.
    Diff(DiffArgs),
    /// Combine SARIF reports (e.g. the shards of a CI matrix) into one run.
    Merge(MergeArgs),
    /// Record triage decisions (accepted risk, false positive, fixed upstream) by fingerprint.
    #[command(subcommand)]
    Triage(TriageCommand),
    /// Run the Language Server on standard input/output, for editors: diagnostics on open,
    /// change and save (suppression comments honoured, as in `lint`), "suppress with a reason".
    Server(ServerArgs),
}

/// `tarsier server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Rules to use: a rules directory or a single rule file (default: the packs built in).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub rules: Option<PathBuf>,
    /// Accepted for editors that pass it (the server always speaks over standard input/output).
    #[arg(long, hide = true)]
    pub stdio: bool,
}

/// `tarsier diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report.
    pub base: PathBuf,
    /// The later report.
    pub head: PathBuf,
    /// Write the compared SARIF here (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when HEAD has new unsuppressed results (of `--fail-on` level or above).
    #[arg(long)]
    pub fail_on_new: bool,
    /// Severity threshold for `--fail-on-new`.
    #[arg(long, value_enum, default_value = "warning")]
    pub fail_on: FailOn,
}

/// `tarsier merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The reports to combine.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write the merged SARIF here (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `tarsier triage ...`.
#[derive(Debug, Subcommand)]
pub enum TriageCommand {
    /// Add (or replace) the decision for one finding.
    Add {
        /// The finding's `partialFingerprints["tarsier/v1"]`.
        fingerprint: String,
        /// The decision: accepted-risk, false-positive or fixed-upstream.
        #[arg(long)]
        status: String,
        /// Why (required: a decision without a reason cannot be reviewed).
        #[arg(long)]
        why: String,
        /// Who decided (default: `$USER`).
        #[arg(long)]
        who: Option<String>,
        /// A SARIF report containing the finding, to record its rule and location for readers.
        #[arg(long, value_name = "FILE")]
        sarif: Option<PathBuf>,
        /// The triage file.
        #[arg(long, default_value = "tarsier-triage.toml")]
        file: PathBuf,
    },
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable, with code frames.
    Text,
    /// SARIF 2.1.0.
    Sarif,
    /// tarsier's own JSON (findings and notifications as the engine reports them).
    Json,
    /// One self-contained HTML page (no network fetches): totals, chart, sortable findings.
    Html,
    /// GitHub Actions workflow commands (`::error file=...,line=...::message`), shown as
    /// annotations; the default instead of `text` on standard output when `GITHUB_ACTIONS=true`.
    Github,
}

/// Severity threshold for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on anything.
    Note,
    /// Never fail because of findings.
    Never,
}

/// Options shared by commands that report findings.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of standard output (written atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when an unsuppressed finding of this severity or above exists (default:
    /// the project configuration's `fail-on`, else warning).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Rules to use: a rules directory or a single rule file (default: the packs built in).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub rules: Option<PathBuf>,
    /// Run only these rules or packs (repeatable; `express`, `node/dynamic-code`).
    #[arg(long = "rule", value_name = "ID")]
    pub only_rules: Vec<String>,
    /// SARIF for GitHub code scanning: leave suppressed results out, stay within its limits.
    #[arg(long)]
    pub upload: bool,
    /// Compare with a previous SARIF report: results get `baselineState` (new, unchanged,
    /// updated, absent) and a summary is printed.
    #[arg(long, value_name = "PREV.sarif")]
    pub baseline: Option<PathBuf>,
    /// SARIF `runAutomationDetails.id`, which GitHub code scanning reads as the upload's
    /// category (a trailing `/` is added): give each shard and tool its own, since code scanning
    /// no longer combines runs of one category (default: `tarsier/lint/`, `tarsier/scan/`).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// With `--baseline`: the exit code depends on new findings only.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Triage decisions to apply as external suppressions (default: `tarsier-triage.toml` in the
    /// current directory, when it exists).
    #[arg(long, value_name = "FILE")]
    pub triage: Option<PathBuf>,
    /// Skip files larger than this many bytes (with a notification).
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_file_bytes: u64,
    /// List note-level findings and notifications one by one in text output (by default they
    /// are summed up in one line per rule).
    #[arg(long)]
    pub show_notes: bool,
    /// Print nothing but the report (no summary, no progress).
    #[arg(short, long)]
    pub quiet: bool,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `tarsier lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, directories or `.tgz` packages to lint.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Also lint inside `node_modules` directories (as third-party code: suppression comments
    /// there are not honoured).
    #[arg(long)]
    pub include_node_modules: bool,
    /// The project configuration to use (default: `tarsier.toml`, or the `"tarsier"` key of a
    /// `package.json`, found from the first path upwards).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use no project configuration.
    #[arg(long)]
    pub no_config: bool,
    /// Show more: note-level findings one by one (as `--show-notes`).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `tarsier scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Local packages to scan: `.tgz` files, package directories, `node_modules` trees. With
    /// paths or `--lockfile`, the default scope is not scanned.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan the exact versions a lockfile installs (`package-lock.json` v2/v3, yarn v1
    /// `yarn.lock`), each fetched from the configured registry and verified against the
    /// lockfile's integrity.
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
    /// A project configuration (`tarsier.toml`) for rule selection, severities and `fail-on`;
    /// `scan` reads none unless given one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A scope file (TOML: `[[package]] name = "..." version = "..."`); default: the embedded
    /// Express security working group scope, `latest` of each.
    #[arg(long, value_name = "FILE")]
    pub scope: Option<PathBuf>,
    /// Scan this package (repeatable): `send@0.18.0`, `@scope/x@^2`, `express` (latest),
    /// `cookie@all`, `send@last:3`. Replaces the default scope; adds to `--scope`.
    #[arg(long = "package", value_name = "NAME@SELECTOR")]
    pub packages: Vec<String>,
    /// Also scan the production dependency closure (npm's resolution: highest matching version).
    #[arg(long)]
    pub with_deps: bool,
    /// Let ranges, `all` and `last:N` select prereleases too.
    #[arg(long)]
    pub include_prerelease: bool,
    /// The npm registry URL (default: `NPM_CONFIG_REGISTRY`, `.npmrc`, then `npm config get registry`).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// The cache directory (default: the user's cache directory, `tarsier/`).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Use only the cache; never touch the network.
    #[arg(long)]
    pub offline: bool,
    /// Tarballs downloaded at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub jobs: usize,
    /// Accept tarball URLs on hosts other than the registry's.
    #[arg(long)]
    pub allow_foreign_tarball_hosts: bool,
    /// Scan only shard K of N (1-based), by a stable hash of `name@version`, for CI matrices;
    /// combine the shards' outputs with `tarsier merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Do not reuse cached results of unchanged packages (tarball, rules and engine all equal).
    #[arg(long)]
    pub no_result_cache: bool,
    /// Keep the rules' severity for findings in a package's own tests, benchmarks and examples
    /// (by default it is lowered one level: the package's users do not run that code).
    #[arg(long)]
    pub keep_test_severity: bool,
    /// Log what happens (`-v` debug, `-vv` trace) on standard error.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `K/N` with 1 <= K <= N.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}`: expected K/N, e.g. 2/8"))?;
    let k: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("`{k}` is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a number"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("`{text}`: need 1 <= K <= N"));
    }
    Ok((k, n))
}

/// `tarsier reproduce`.
#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// The SARIF file the finding is in.
    pub sarif: PathBuf,
    /// The result's index in `runs[0].results` (0-based, as SARIF viewers number them).
    #[arg(
        long,
        conflicts_with = "fingerprint",
        required_unless_present = "fingerprint"
    )]
    pub result: Option<usize>,
    /// The result's `partialFingerprints["tarsier/v1"]`.
    #[arg(long)]
    pub fingerprint: Option<String>,
    /// The npm registry URL (as for `scan`).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// The cache directory (as for `scan`).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Use only the cache.
    #[arg(long)]
    pub offline: bool,
    /// Rules directory or file (default: the packs built in).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub rules: Option<PathBuf>,
}

/// `tarsier rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List rules: id, severity, CWE, pack.
    List {
        /// Rules directory or file (default: the packs built in).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Print a rule's help and examples.
    Explain {
        /// The rule id.
        id: String,
        /// Rules directory or file (default: the packs built in).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Write one Markdown page per rule (and an index) generated from the rule files.
    Docs {
        /// Output directory.
        #[arg(long, default_value = "docs/rules")]
        out: PathBuf,
        /// Rules directory or file (default: the packs built in).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Do not write; exit 1 if the files on disk differ from what would be written.
        #[arg(long)]
        check: bool,
    },
    /// Validate rules and run every rule's inline test cases.
    Test {
        /// Rules directory or file (default: the packs built in).
        path: Option<PathBuf>,
    },
}
