//! `tarsier server`: the Language Server of `tarsier-lsp` on standard input/output. This module
//! only turns flags into the server's options.

use crate::EXIT_CLEAN;
use crate::args::ServerArgs;
use anyhow::{Context, Result};

/// Runs `tarsier server` until the editor says `exit`.
pub fn run(args: ServerArgs) -> Result<u8> {
    // The project configuration (`tarsier.toml`), once it exists, plugs in here: an engine
    // provider that reads it from the workspace root replaces `rules_engine`.
    let options = tarsier_lsp::ServerOptions::new(tarsier_lsp::rules_engine(args.rules));
    tarsier_lsp::run_stdio(options).context("the language server stopped")?;
    Ok(EXIT_CLEAN)
}
