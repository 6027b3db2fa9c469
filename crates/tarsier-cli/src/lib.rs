//! The tarsier command line, as a library: [`main_with_args`] parses flags and runs a command,
//! so tests can drive the CLI in-process and `main.rs` stays three lines.
//!
//! Exit codes follow ripgrep's convention: 0 when nothing at or above `--fail-on` was found,
//! 1 when something was, 2 on usage or fatal errors. A closed pipe (`tarsier lint | head`) exits 0.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod args;
mod compare;
mod github;
mod lint;
mod output;
mod reproduce;
mod rules_cmd;
mod scan;
mod server;

pub use args::Cli;

use clap::Parser;
use std::ffi::OsString;
use std::process::ExitCode;

/// Exit code: no findings at or above the threshold.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error or fatal error.
pub const EXIT_ERROR: u8 = 2;

/// Parses `args` (including the program name) and runs the command.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ExitCode::from(run_with_args(args))
}

/// Like [`main_with_args`], returning the numeric exit code (for in-process tests).
pub fn run_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return EXIT_CLEAN;
            }
            eprintln!("tarsier: error: {e:#}");
            EXIT_ERROR
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        args::Command::Lint(a) => lint::run(a),
        args::Command::Rules(a) => rules_cmd::run(a),
        args::Command::Scan(a) => scan::run(a),
        args::Command::Reproduce(a) => reproduce::run(a),
        args::Command::Diff(a) => compare::diff(a),
        args::Command::Merge(a) => compare::merge(a),
        args::Command::Triage(a) => compare::triage(a),
        args::Command::Server(a) => server::run(a),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
