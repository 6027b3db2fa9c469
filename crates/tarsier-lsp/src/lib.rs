//! tarsier's Language Server: an editor opens, changes or saves a JavaScript file and gets
//! tarsier's findings as diagnostics — the rule id as the code, the severity, the message, and
//! the taint path as related information — with a "suppress with a reason" code action that
//! inserts the `// tarsier-ignore-next-line RULE -- reason` comment the engine honours.
//!
//! The server lints like `tarsier lint` (the user's own code: suppression comments honoured) and
//! gets its [`Engine`] from an [`EngineProvider`], a function of the workspace root, so the
//! project's configuration decides the rules: the server calls it at `initialize` and again when
//! a file named in [`ServerOptions::config_file_names`] is saved.
//!
//! ```no_run
//! use tarsier_lsp::{ServerOptions, rules_engine};
//! let options = ServerOptions::new(rules_engine(None));
//! tarsier_lsp::run_stdio(options).expect("the language server failed");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod convert;
mod server;

pub use convert::{SUPPRESS_REASON_PLACEHOLDER, suppression_edit};
pub use server::run;

use lsp_server::Connection;
use std::path::{Path, PathBuf};
use tarsier_engine::{Engine, EngineOptions, SuppressionMode};

/// Builds the engine for a workspace root (`None`: no folder open). Returns a message on failure,
/// which the server shows to the user while keeping the engine it had.
pub type EngineProvider = Box<dyn Fn(Option<&Path>) -> Result<Engine, String> + Send>;

/// How the server is set up.
pub struct ServerOptions {
    /// Where the engine comes from.
    pub engine: EngineProvider,
    /// File names whose save rebuilds the engine (the project configuration), e.g.
    /// `tarsier.toml`.
    pub config_file_names: Vec<String>,
}

impl ServerOptions {
    /// Options with `engine`, rebuilt when `tarsier.toml` is saved.
    pub fn new(engine: EngineProvider) -> ServerOptions {
        ServerOptions {
            engine,
            config_file_names: vec!["tarsier.toml".to_string()],
        }
    }
}

/// Errors of the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LspError {
    /// The client broke the protocol (or went away during the handshake).
    #[error("language server protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    /// A message's parameters did not have the expected shape.
    #[error("malformed {method} parameters: {source}")]
    Params {
        /// The request or notification.
        method: String,
        /// Why.
        source: serde_json::Error,
    },
    /// The first engine could not be built.
    #[error("cannot build the engine: {0}")]
    Engine(String),
    /// Standard input or output failed.
    #[error("standard input/output: {0}")]
    Io(#[from] std::io::Error),
    /// The connection to the client closed.
    #[error("the connection to the editor closed")]
    Disconnected,
}

/// An [`EngineProvider`] with the rules of `rules` (a directory or file) or, when `None`, the
/// packs built in; suppression comments honoured, as in `tarsier lint`. The workspace root is not
/// consulted: a provider that reads the project configuration builds on [`load_rules`] and
/// [`editor_engine`] (as `tarsier server` does).
pub fn rules_engine(rules: Option<PathBuf>) -> EngineProvider {
    Box::new(move |_root: Option<&Path>| editor_engine(&load_rules(rules.as_deref())?))
}

/// The rules of `rules` (a directory or file) or, when `None`, the packs built in; an error
/// says which could not be loaded and why.
pub fn load_rules(rules: Option<&Path>) -> Result<tarsier_rules::RuleSet, String> {
    match rules {
        Some(path) => tarsier_rules::load_path(path)
            .map_err(|e| format!("loading rules from {}: {e}", path.display())),
        None => tarsier_rules::embedded().map_err(|e| format!("built-in rules: {e}")),
    }
}

/// The engine the editor's diagnostics come from: `rules`, with suppression comments honoured
/// as in `tarsier lint`.
pub fn editor_engine(rules: &tarsier_rules::RuleSet) -> Result<Engine, String> {
    Engine::new(
        rules,
        EngineOptions {
            suppressions: SuppressionMode::Honour,
            ..EngineOptions::default()
        },
    )
    .map_err(|e| format!("compiling the rules: {e}"))
}

/// Runs the server on standard input and output until the editor says `exit`.
pub fn run_stdio(options: ServerOptions) -> Result<(), LspError> {
    let (connection, io_threads) = Connection::stdio();
    run(connection, options)?;
    io_threads.join()?;
    Ok(())
}
