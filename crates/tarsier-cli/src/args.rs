//! Flag definitions: every command and option of `tarsier`, and nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// tarsier: a supply-chain and security scanner for Express-ecosystem npm packages.
#[derive(Debug, Parser)]
#[command(name = "tarsier", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint local files, directories or packed `.tgz` packages (your own checkout: suppression
    /// comments are honoured).
    Lint(LintArgs),
    /// List, explain and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
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
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of standard output (written atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when an unsuppressed finding of this severity or above exists.
    #[arg(long, value_enum, default_value = "warning")]
    pub fail_on: FailOn,
    /// Rules to use: a rules directory or a single rule file (default: the packs built in).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub rules: Option<PathBuf>,
    /// Run only these rules or packs (repeatable; `express`, `node/dynamic-code`).
    #[arg(long = "rule", value_name = "ID")]
    pub only_rules: Vec<String>,
    /// SARIF for GitHub code scanning: leave suppressed results out, stay within its limits.
    #[arg(long)]
    pub upload: bool,
    /// Skip files larger than this many bytes (with a notification).
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_file_bytes: u64,
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
    /// Also lint inside `node_modules` directories.
    #[arg(long)]
    pub include_node_modules: bool,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
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
    /// Validate rules and run every rule's inline test cases.
    Test {
        /// Rules directory or file (default: the packs built in).
        path: Option<PathBuf>,
    },
}
