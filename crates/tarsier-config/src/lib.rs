//! Project configuration for tarsier: a `tarsier.toml`, or a `"tarsier"` object in
//! `package.json`, kept in the user's repository.
//!
//! [`discover`] looks for it from a path upwards, the way ruff and ESLint do: in each directory
//! `tarsier.toml` first, then a `package.json` with a `"tarsier"` key; the first found wins.
//! Directories inside `node_modules` are never searched: configuration inside a third-party
//! package is that package's text (the scanner notes it, see `tarsier-scan`). [`load`] reads a
//! file named explicitly (`--config`). Both `tarsier lint` and the editor server use this API,
//! so they honour the same file.
//!
//! ```toml
//! select = ["express", "node"]           # rules or packs to run (default: all)
//! ignore = ["node/dynamic-code"]         # rules or packs to leave out
//! exclude = ["dist/**", "test/fixtures"] # paths (relative to this file) not reported
//! fail-on = "error"                      # error | warning | note | never
//! extra-rules = ["tools/tarsier-rules"]  # more rule folders (or files)
//! extra-models = ["tools/models"]        # folders of models (API models, a taint.toml) to add
//!
//! [severity]                             # per-rule overrides
//! "express/open-redirect" = "warning"
//! ```
//!
//! Unknown keys and bad values are errors naming the file, the line and what is allowed.
//!
//! ```
//! let tmp = tempfile::tempdir().unwrap();
//! let dir = tmp.path();
//! std::fs::create_dir_all(dir.join("src")).unwrap();
//! std::fs::write(dir.join("tarsier.toml"), "fail-on = \"error\"\nignore = [\"node\"]\n").unwrap();
//! let config = tarsier_config::discover(&dir.join("src")).unwrap().expect("found upwards");
//! assert_eq!(config.fail_on, Some(tarsier_config::FailOn::Error));
//! assert_eq!(config.ignore, ["node"]);
//! std::fs::write(dir.join("tarsier.toml"), "fail_on = \"error\"\n").unwrap();
//! let err = tarsier_config::discover(&dir).unwrap_err().to_string();
//! assert!(err.contains("line 1") && err.contains("fail-on"), "{err}");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use tarsier_model::{Finding, Severity};
use tarsier_rules::RuleSet;

/// The configuration file's name.
pub const FILE_NAME: &str = "tarsier.toml";

/// The key of `package.json` that may hold the configuration instead.
pub const PACKAGE_JSON_KEY: &str = "tarsier";

/// Why configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Not valid TOML/JSON, an unknown key, or a bad value (the message has line, column and
    /// what is allowed).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, where, and what is allowed.
        message: String,
    },
    /// A rule id or pack that the rule set does not have.
    #[error("{}:{line}: `{key}` names `{id}`, which is neither a rule nor a pack; allowed: a rule id (`tarsier rules list`) or one of the packs {packs}", path.display())]
    UnknownRule {
        /// The file.
        path: PathBuf,
        /// 1-based line where the id is written (0 when it cannot be told).
        line: usize,
        /// The key (`select`, `ignore`, `severity`).
        key: String,
        /// The unknown id.
        id: String,
        /// The packs there are.
        packs: String,
    },
    /// A path or folder that does not exist, or a glob that is not valid.
    #[error("{}:{line}: `{key}`: {reason}", path.display())]
    BadPath {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// Rules or models from an extra folder could not be loaded.
    #[error("{}: {key} {}: {reason}", path.display(), folder.display())]
    Rules {
        /// The configuration file.
        path: PathBuf,
        /// `extra-rules` or `extra-models`.
        key: String,
        /// The folder.
        folder: PathBuf,
        /// What the loader said.
        reason: String,
    },
}

/// The exit-code threshold a configuration may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// The keys of a configuration, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    fail_on: Option<FailOn>,
    #[serde(default)]
    extra_rules: Vec<String>,
    #[serde(default)]
    extra_models: Vec<String>,
}

/// A loaded project configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from (`tarsier.toml` or `package.json`).
    pub file: PathBuf,
    /// The directory it applies to: the file's directory. Relative paths are relative to it.
    pub root: PathBuf,
    /// Rules or packs to run (empty: all).
    pub select: Vec<String>,
    /// Rules or packs to leave out.
    pub ignore: Vec<String>,
    /// Glob patterns of paths (relative to [`Config::root`]) whose findings are not reported;
    /// a pattern naming a directory covers everything below it.
    pub exclude: Vec<String>,
    /// Severity per rule id.
    pub severity: BTreeMap<String, Severity>,
    /// The exit-code threshold, unless `--fail-on` is given.
    pub fail_on: Option<FailOn>,
    /// More rule folders or files, absolute.
    pub extra_rules: Vec<PathBuf>,
    /// More model folders (each with a `taint.toml`), absolute.
    pub extra_models: Vec<PathBuf>,
    text: String,
    excludes: globset::GlobSet,
}

/// Finds the configuration that applies to `path` (a file or directory): `tarsier.toml`, then
/// a `package.json` with a `"tarsier"` key, in the path's directory and each parent in turn.
/// Directories inside `node_modules` are skipped. `Ok(None)` when there is none.
pub fn discover(path: &Path) -> Result<Option<Config>, ConfigError> {
    let start = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut dir = if start.is_file() {
        start.parent().map(Path::to_path_buf)
    } else {
        Some(start)
    };
    while let Some(current) = dir {
        if !inside_node_modules(&current) {
            let toml = current.join(FILE_NAME);
            if toml.is_file() {
                return load(&toml).map(Some);
            }
            let manifest = current.join("package.json");
            if manifest.is_file() && package_json_has_key(&manifest) {
                return load(&manifest).map(Some);
            }
        }
        dir = current.parent().map(Path::to_path_buf);
    }
    Ok(None)
}

fn inside_node_modules(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c, Component::Normal(n) if n == "node_modules"))
}

fn package_json_has_key(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get(PACKAGE_JSON_KEY).is_some())
}

/// Loads the configuration in `file`: a `package.json` (its `"tarsier"` object) or a TOML file.
pub fn load(file: &Path) -> Result<Config, ConfigError> {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let text = std::fs::read_to_string(&file).map_err(|e| ConfigError::Read {
        path: file.clone(),
        reason: e.to_string(),
    })?;
    let invalid = |message: String| ConfigError::Invalid {
        path: file.clone(),
        message,
    };
    let is_manifest = file.file_name().is_some_and(|n| n == "package.json");
    let raw: RawConfig = if is_manifest {
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let section = value.get(PACKAGE_JSON_KEY).cloned().ok_or_else(|| {
            invalid(format!(
                "no `{PACKAGE_JSON_KEY}` key with tarsier's configuration"
            ))
        })?;
        serde_json::from_value(section).map_err(|e| {
            // serde_json cannot tell lines inside a sub-value; point at the key.
            invalid(format!(
                "line {}: in the `{PACKAGE_JSON_KEY}` object: {e}; allowed keys: {ALLOWED_KEYS}",
                line_of(&text, &format!("\"{PACKAGE_JSON_KEY}\""))
            ))
        })?
    } else {
        toml::from_str(&text).map_err(|e| invalid(format!("{e}; allowed keys: {ALLOWED_KEYS}")))?
    };
    let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in &raw.exclude {
        let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
        for form in [trimmed.to_string(), format!("{trimmed}/**")] {
            let glob = globset::GlobBuilder::new(&form)
                .literal_separator(true)
                .build()
                .map_err(|e| ConfigError::BadPath {
                    path: file.clone(),
                    line: line_of(&text, pattern),
                    key: "exclude".to_string(),
                    reason: format!("`{pattern}` is not a valid glob: {e}"),
                })?;
            builder.add(glob);
        }
    }
    let excludes = builder.build().map_err(|e| invalid(e.to_string()))?;
    let folders = |key: &str, list: &[String]| -> Result<Vec<PathBuf>, ConfigError> {
        list.iter()
            .map(|folder| {
                let path = root.join(folder);
                if path.exists() {
                    Ok(path)
                } else {
                    Err(ConfigError::BadPath {
                        path: file.clone(),
                        line: line_of(&text, folder),
                        key: key.to_string(),
                        reason: format!(
                            "`{folder}` does not exist (relative to {})",
                            root.display()
                        ),
                    })
                }
            })
            .collect()
    };
    Ok(Config {
        extra_rules: folders("extra-rules", &raw.extra_rules)?,
        extra_models: folders("extra-models", &raw.extra_models)?,
        file,
        root,
        select: raw.select,
        ignore: raw.ignore,
        exclude: raw.exclude,
        severity: raw.severity,
        fail_on: raw.fail_on,
        text,
        excludes,
    })
}

/// The keys a configuration may have, for error messages.
const ALLOWED_KEYS: &str = "select, ignore, exclude, severity, fail-on (error|warning|note|never), extra-rules, extra-models";

/// The 1-based line of the first occurrence of `needle` in `text` (1 when absent).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

impl Config {
    /// Adds the extra rule and model folders to `rules`, then keeps the selected rules and
    /// drops the ignored ones. Every id in `select`, `ignore` and `severity` must name a rule
    /// or a pack of the result. `explicit` rules (`--rule`) replace `select` when given.
    pub fn apply_to_rules(
        &self,
        rules: &mut RuleSet,
        explicit: &[String],
    ) -> Result<(), ConfigError> {
        for folder in &self.extra_rules {
            let extra = tarsier_rules::load_path(folder).map_err(|e| ConfigError::Rules {
                path: self.file.clone(),
                key: "extra-rules".to_string(),
                folder: folder.clone(),
                reason: e.to_string(),
            })?;
            rules
                .rules
                .retain(|r| !extra.rules.iter().any(|x| x.meta.id == r.meta.id));
            rules.rules.extend(extra.rules);
        }
        rules.rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        for folder in &self.extra_models {
            self.add_model(rules, folder)?;
        }
        let packs: std::collections::BTreeSet<&str> =
            rules.rules.iter().map(|r| r.meta.pack.as_str()).collect();
        let known = |id: &str| packs.contains(id) || rules.rules.iter().any(|r| r.meta.id == id);
        let lists = [
            ("select", self.select.iter().collect::<Vec<_>>()),
            ("ignore", self.ignore.iter().collect()),
            ("severity", self.severity.keys().collect()),
        ];
        for (key, ids) in lists {
            if let Some(id) = ids.into_iter().find(|id| !known(id)) {
                return Err(ConfigError::UnknownRule {
                    path: self.file.clone(),
                    line: line_of(&self.text, id),
                    key: key.to_string(),
                    id: id.clone(),
                    packs: packs.iter().copied().collect::<Vec<_>>().join(", "),
                });
            }
        }
        let select = if explicit.is_empty() {
            &self.select
        } else {
            explicit
        };
        if !select.is_empty() {
            rules.retain_ids(select);
        }
        rules.rules.retain(|r| {
            !self
                .ignore
                .iter()
                .any(|id| *id == r.meta.id || *id == r.meta.pack)
        });
        Ok(())
    }

    /// Adds one `extra-models` entry: a folder's `taint.toml` (request names and properties,
    /// sanitizers) and its API models (every other `*.toml`, the shape of `rules/models/`), or
    /// one such file. API models are validated as the shipped ones are.
    fn add_model(&self, rules: &mut RuleSet, folder: &Path) -> Result<(), ConfigError> {
        let error = |reason: String| ConfigError::Rules {
            path: self.file.clone(),
            key: "extra-models".to_string(),
            folder: folder.to_path_buf(),
            reason,
        };
        let mut api_models: Vec<PathBuf> = Vec::new();
        let mut taint_file = None;
        if folder.is_dir() {
            let entries = std::fs::read_dir(folder)
                .map_err(|e| error(format!("{}: {e}", folder.display())))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.file_name().is_some_and(|n| n == "taint.toml") {
                    taint_file = Some(path);
                } else if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                    api_models.push(path);
                }
            }
            api_models.sort();
        } else if folder.file_name().is_some_and(|n| n == "taint.toml") {
            taint_file = Some(folder.to_path_buf());
        } else {
            api_models.push(folder.to_path_buf());
        }
        if api_models.is_empty() && taint_file.is_none() {
            return Err(error(
                "no taint.toml and no model files (*.toml) in it".to_string(),
            ));
        }
        let rule_ids: Vec<String> = rules.rules.iter().map(|r| r.meta.id.clone()).collect();
        let rule_ids: Vec<&str> = rule_ids.iter().map(String::as_str).collect();
        for file in api_models {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| error(format!("{}: {e}", file.display())))?;
            let model: tarsier_rules::ModelFile =
                toml::from_str(&text).map_err(|e| error(format!("{}: {e}", file.display())))?;
            let display = file.display().to_string();
            let problems = tarsier_rules::models::validate_model(&display, &model, &rule_ids);
            if !problems.is_empty() {
                let reasons: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
                return Err(error(format!("{display}: {}", reasons.join("; "))));
            }
            rules.taint.models.files.push((display, model));
        }
        let Some(file) = taint_file else {
            return Ok(());
        };
        let text = std::fs::read_to_string(&file)
            .map_err(|e| error(format!("{}: {e}", file.display())))?;
        let extra: tarsier_rules::TaintSpec =
            toml::from_str(&text).map_err(|e| error(format!("{}: {e}", file.display())))?;
        let taint = &mut rules.taint;
        for (into, from) in [
            (&mut taint.request_names, extra.request_names),
            (&mut taint.response_names, extra.response_names),
            (&mut taint.request_properties, extra.request_properties),
            (&mut taint.request_methods, extra.request_methods),
            (&mut taint.sanitizers, extra.sanitizers),
            (&mut taint.path_normalizers, extra.path_normalizers),
            (&mut taint.containment_methods, extra.containment_methods),
            (&mut taint.negotiators, extra.negotiators),
        ] {
            for name in from {
                if !into.contains(&name) {
                    into.push(name);
                }
            }
        }
        Ok(())
    }

    /// Whether the file at `path` (absolute, or relative to the current directory) is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let Ok(relative) = absolute.strip_prefix(&self.root) else {
            return false;
        };
        self.excludes.is_match(relative)
    }

    /// Drops findings in excluded paths of the user's own files (findings that name a package
    /// have paths inside that package, which `exclude` does not describe) and applies the
    /// severity overrides to every finding.
    pub fn apply_to_findings(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| f.package.is_some() || !self.is_excluded(Path::new(&f.path)));
        for finding in findings.iter_mut() {
            if let Some(&severity) = self.severity.get(&finding.rule_id) {
                finding.severity = severity;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh temporary directory, removed when the guard is dropped.
    fn temp(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("tarsier-config-{name}-"))
            .tempdir()
            .expect("a temporary directory")
    }

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(path, text);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_file_line_and_what_is_allowed() {
        let tmp = temp("errors");
        let dir = tmp.path();
        let file = dir.join(FILE_NAME);
        write(&file, "select = [\"express\"]\nfail-on = \"sometimes\"\n");
        let err = load(&file).expect_err("bad value").to_string();
        assert!(err.contains("tarsier.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("`error`, `warning`, `note`, `never`"), "{err}");
        write(&file, "\n\nexclued = [\"dist\"]\n");
        let err = load(&file).expect_err("unknown key").to_string();
        assert!(
            err.contains("line 3") && err.contains("unknown field `exclued`"),
            "{err}"
        );
        assert!(err.contains("exclude"), "{err}");
        write(&file, "[severity]\n\"express/open-redirect\" = \"fatal\"\n");
        let err = load(&file).expect_err("bad severity").to_string();
        assert!(err.contains("line 2") && err.contains("`warning`"), "{err}");
    }

    #[test]
    fn unknown_rule_ids_are_errors_with_their_line() {
        let tmp = temp("rules");
        let dir = tmp.path();
        let file = dir.join(FILE_NAME);
        write(
            &file,
            "select = [\"express\"]\nignore = [\n  \"node/no-such-rule\",\n]\n",
        );
        let config = load(&file).expect("valid TOML");
        let mut rules = tarsier_rules::embedded().expect("embedded rules");
        let err = config
            .apply_to_rules(&mut rules, &[])
            .expect_err("unknown id")
            .to_string();
        assert!(err.contains("tarsier.toml:3"), "{err}");
        assert!(
            err.contains("node/no-such-rule") && err.contains("express"),
            "{err}"
        );
    }

    #[test]
    fn select_ignore_and_severity_shape_the_rule_set_and_findings() {
        let tmp = temp("apply");
        let dir = tmp.path();
        let file = dir.join(FILE_NAME);
        write(
            &file,
            "select = [\"express\"]\nignore = [\"express/open-redirect\"]\nexclude = [\"dist\", \"**/*.min.js\"]\n[severity]\n\"express/reflected-xss\" = \"note\"\n",
        );
        let config = load(&file).expect("valid");
        let mut rules = tarsier_rules::embedded().expect("embedded rules");
        config.apply_to_rules(&mut rules, &[]).expect("known ids");
        assert!(!rules.rules.is_empty());
        assert!(rules.rules.iter().all(|r| r.meta.pack == "express"));
        assert!(
            !rules
                .rules
                .iter()
                .any(|r| r.meta.id == "express/open-redirect")
        );
        assert!(config.is_excluded(&dir.join("dist/a.js")));
        assert!(config.is_excluded(&dir.join("lib/x/app.min.js")));
        assert!(!config.is_excluded(&dir.join("lib/dist.js")));
        assert!(!config.is_excluded(Path::new("/elsewhere/dist/a.js")));
    }

    /// A user's API models (the shape of `rules/models/*.toml`) join the shipped ones, and a
    /// model with an unknown kind is an error naming its file.
    #[test]
    fn extra_models_add_api_models_and_report_bad_ones() {
        let tmp = temp("models");
        let dir = tmp.path();
        write(
            &dir.join("models/my-parser.toml"),
            "description = \"my-parser: parse(header) takes the raw header\"\n\n[[source]]\npackage = \"my-parser\"\npath = \"parse\"\naccess = \"Argument[0]\"\nkind = \"header-string\"\n\n[[tests.invalid]]\nrule = \"redos/exponential\"\npackage = \"my-parser\"\ncode = \"exports.parse = function (str) { return /^(a+)+$/.test(str) }\"\nlines = [1]\n\n[[tests.valid]]\nrule = \"redos/exponential\"\npackage = \"my-parser\"\ncode = \"exports.parse = function (str) { return /^a+$/.test(str) }\"\n",
        );
        let file = dir.join(FILE_NAME);
        write(&file, "extra-models = [\"models\"]\n");
        let config = load(&file).expect("valid");
        let mut rules = tarsier_rules::embedded().expect("embedded rules");
        let shipped = rules.taint.models.files.len();
        config
            .apply_to_rules(&mut rules, &[])
            .expect("a valid model");
        assert_eq!(rules.taint.models.files.len(), shipped + 1);
        assert!(
            rules
                .taint
                .models
                .sources()
                .any(|s| s.package == "my-parser" && s.path == "parse")
        );

        write(
            &dir.join("models/my-parser.toml"),
            "[[source]]\npackage = \"my-parser\"\npath = \"parse\"\naccess = \"Argument[0]\"\nkind = \"no-such-kind\"\n\n[[tests.invalid]]\nrule = \"redos/exponential\"\ncode = \"/^(a+)+$/.test(x)\"\nlines = [1]\n\n[[tests.valid]]\nrule = \"redos/exponential\"\ncode = \"1\"\n",
        );
        let mut rules = tarsier_rules::embedded().expect("embedded rules");
        let error = config
            .apply_to_rules(&mut rules, &[])
            .expect_err("an unknown kind")
            .to_string();
        assert!(error.contains("my-parser.toml"), "{error}");
    }

    #[test]
    fn discovery_walks_up_prefers_tarsier_toml_and_skips_node_modules() {
        let tmp = temp("discover");
        let dir = tmp.path();
        write(
            &dir.join("package.json"),
            "{\"name\":\"app\",\"tarsier\":{\"ignore\":[\"node\"]}}",
        );
        write(&dir.join("src/lib/a.js"), "1");
        let found = discover(&dir.join("src/lib/a.js"))
            .expect("valid")
            .expect("found");
        assert_eq!(found.file, dir.join("package.json"));
        assert_eq!(found.ignore, ["node"]);
        write(&dir.join("src/tarsier.toml"), "fail-on = \"never\"\n");
        let found = discover(&dir.join("src/lib"))
            .expect("valid")
            .expect("found");
        assert_eq!(found.file, dir.join("src/tarsier.toml"));
        // A package's own configuration under node_modules is never read.
        write(
            &dir.join("node_modules/evil/tarsier.toml"),
            "ignore = [\"express\"]\n",
        );
        let found = discover(&dir.join("node_modules/evil"))
            .expect("valid")
            .expect("found");
        assert_eq!(found.file, dir.join("package.json"));
        write(&dir.join("package.json"), "{\"tarsier\":{\"selct\":[]}}");
        let err = discover(dir).expect_err("unknown key").to_string();
        assert!(
            err.contains("package.json") && err.contains("selct"),
            "{err}"
        );
    }
}
