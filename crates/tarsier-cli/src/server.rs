//! `tarsier server`: the Language Server of `tarsier-lsp` on standard input/output. This module
//! only turns flags into the server's options, and gives the server its engine: the rules (the
//! built-in packs or `--rules`) with the project configuration of the workspace applied.

use crate::EXIT_CLEAN;
use crate::args::ServerArgs;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Runs `tarsier server` until the editor says `exit`.
pub fn run(args: ServerArgs) -> Result<u8> {
    let options = tarsier_lsp::ServerOptions::new(configured_engine(args.rules));
    tarsier_lsp::run_stdio(options).context("the language server stopped")?;
    Ok(EXIT_CLEAN)
}

/// The engine for a workspace: the rules, then the workspace's `tarsier.toml` (or the
/// `"tarsier"` key of its `package.json`), found from the root upwards as `lint` finds it: its
/// extra rule and model folders, `select`/`ignore` and severity overrides. The server calls this
/// again when the configuration file is saved; an error keeps the previous engine and is shown.
fn configured_engine(rules_path: Option<PathBuf>) -> tarsier_lsp::EngineProvider {
    Box::new(move |root: Option<&Path>| {
        let mut rules = tarsier_lsp::load_rules(rules_path.as_deref())?;
        if let Some(root) = root
            && let Some(config) = tarsier_config::discover(root).map_err(|e| e.to_string())?
        {
            config
                .apply_to_rules(&mut rules, &[])
                .map_err(|e| e.to_string())?;
            for rule in &mut rules.rules {
                if let Some(&severity) = config.severity.get(&rule.meta.id) {
                    rule.meta.severity = severity;
                }
            }
        }
        tarsier_lsp::editor_engine(&rules)
    })
}
