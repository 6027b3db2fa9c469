//! Lockfiles: the exact versions an application installs, each to be fetched from the
//! configured registry and verified against the lockfile's own `integrity` (or, in old yarn
//! lockfiles without one, the sha1 in the `resolved` URL's fragment).
//!
//! npm (`package-lock.json`, `npm-shrinkwrap.json`, versions 2 and 3) and yarn v1 (`yarn.lock`)
//! are read; yarn berry and pnpm lockfiles are refused with a clear error.
//!
//! Only the `packages` map is read (version 1 lockfiles have none and are refused with how to
//! upgrade them). Entries outside `node_modules/` (the project, its workspaces), links to them,
//! and packages bundled inside another package's tarball are not fetched; entries resolved from
//! git, a file or a URL that is not a registry tarball get a notification naming the entry.

use crate::registry::Wanted;
use std::collections::BTreeMap;
use std::path::Path;
use tarsier_model::{Notification, NotificationLevel};
use tarsier_registry::{Dist, RegistryConfig, ResolvedPackage};

/// Why a lockfile could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockfileError {
    /// The file could not be read.
    #[error("cannot read the lockfile {path}: {reason}")]
    Read {
        /// The lockfile.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not valid JSON of a lockfile's shape.
    #[error("{path}: not a valid npm lockfile: {reason}")]
    Invalid {
        /// The lockfile.
        path: String,
        /// What the parser said (with line and column).
        reason: String,
    },
    /// A lockfile format tarsier does not read.
    #[error(
        "{path}: {what} is not supported; tarsier reads npm lockfiles (v2, v3) and yarn v1 `yarn.lock`"
    )]
    UnsupportedFormat {
        /// The lockfile.
        path: String,
        /// What it is.
        what: String,
    },
    /// A lockfile version without a `packages` map.
    #[error(
        "{path}: lockfileVersion {version} is not supported (it has no `packages` map); tarsier reads versions 2 and 3: run `npm install --lockfile-version 3` to upgrade it"
    )]
    Unsupported {
        /// The lockfile.
        path: String,
        /// Its `lockfileVersion`.
        version: u64,
    },
}

/// One entry of the `packages` map.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockEntry {
    /// Its key: the install path (`node_modules/a/node_modules/@s/b`).
    pub key: String,
    /// The package name (the entry's `name` for aliases, else the key's last component).
    pub name: String,
    /// The exact version.
    pub version: Option<String>,
    /// Where npm got the tarball.
    pub resolved: Option<String>,
    /// The SRI integrity of the tarball.
    pub integrity: Option<String>,
    /// A link to a directory (a workspace), not a package from the registry.
    pub link: bool,
    /// Bundled inside its parent's tarball.
    pub in_bundle: bool,
    /// The project itself or one of its workspaces (the user's own code).
    pub project: bool,
    /// The legacy sha1 (hex) of the tarball, when no `integrity` is given (yarn v1).
    pub shasum: Option<String>,
}

#[derive(serde::Deserialize)]
struct RawLockfile {
    #[serde(rename = "lockfileVersion", default)]
    lockfile_version: u64,
    packages: Option<BTreeMap<String, RawEntry>>,
}

#[derive(serde::Deserialize)]
struct RawEntry {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    #[serde(default)]
    link: bool,
    #[serde(rename = "inBundle", default)]
    in_bundle: bool,
}

/// Reads the entries of the lockfile at `path`, sorted by key: `yarn.lock` as yarn v1,
/// `pnpm-lock.yaml` is refused, anything else is read as an npm lockfile.
pub fn read(path: &Path) -> Result<Vec<LockEntry>, LockfileError> {
    let shown = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| LockfileError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.as_str() {
        "yarn.lock" => parse_yarn_v1(&String::from_utf8_lossy(&text), &shown),
        "pnpm-lock.yaml" => Err(LockfileError::UnsupportedFormat {
            path: shown,
            what: "a pnpm lockfile".to_string(),
        }),
        _ => parse(&text, &shown),
    }
}

/// Parses a yarn v1 `yarn.lock`: blocks headed by the specifiers they satisfy
/// (`"a@^1", a@~1.2:`), with `version`, `resolved` and `integrity` lines.
pub fn parse_yarn_v1(text: &str, shown: &str) -> Result<Vec<LockEntry>, LockfileError> {
    if text.contains("\n__metadata:") || text.starts_with("__metadata:") {
        return Err(LockfileError::UnsupportedFormat {
            path: shown.to_string(),
            what: "a yarn berry (v2+) lockfile".to_string(),
        });
    }
    let unquote = |v: &str| v.trim().trim_matches('"').to_string();
    let mut entries: Vec<LockEntry> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            let Some(header) = line.trim_end().strip_suffix(':') else {
                return Err(LockfileError::Invalid {
                    path: shown.to_string(),
                    reason: format!("line {}: expected `specifier:`, found `{line}`", number + 1),
                });
            };
            let first = header.split(", ").next().map(unquote).unwrap_or_default();
            // `alias@npm:real@^1` installs `real`.
            let target = first
                .split_once("@npm:")
                .map_or(first.as_str(), |(_, real)| real);
            let name = match target.get(1..).and_then(|rest| rest.rfind('@')) {
                Some(at) => target[..at + 1].to_string(),
                None => target.to_string(),
            };
            entries.push(LockEntry {
                key: first.clone(),
                name,
                ..LockEntry::default()
            });
            continue;
        }
        if indent != 2 {
            continue; // dependency lists and the like
        }
        let Some(entry) = entries.last_mut() else {
            continue;
        };
        let (key, value) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
        match key {
            "version" => entry.version = Some(unquote(value)),
            "integrity" => entry.integrity = Some(unquote(value)),
            "resolved" => {
                let url = unquote(value);
                if let Some((_, fragment)) = url.split_once('#')
                    && fragment.len() == 40
                    && fragment.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    entry.shasum = Some(fragment.to_string());
                }
                entry.resolved = Some(url);
            }
            _ => {}
        }
    }
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(entries)
}

/// Parses lockfile text; `shown` names the file in errors.
pub fn parse(text: &[u8], shown: &str) -> Result<Vec<LockEntry>, LockfileError> {
    let raw: RawLockfile = serde_json::from_slice(text).map_err(|e| LockfileError::Invalid {
        path: shown.to_string(),
        reason: e.to_string(),
    })?;
    let Some(packages) = raw.packages else {
        return Err(LockfileError::Unsupported {
            path: shown.to_string(),
            version: raw.lockfile_version,
        });
    };
    Ok(packages
        .into_iter()
        .map(|(key, entry)| {
            let name = entry.name.clone().unwrap_or_else(|| name_of_key(&key));
            LockEntry {
                project: !key.contains("node_modules/"),
                key,
                name,
                version: entry.version,
                resolved: entry.resolved,
                integrity: entry.integrity,
                link: entry.link,
                in_bundle: entry.in_bundle,
                shasum: None,
            }
        })
        .collect())
}

/// `node_modules/a/node_modules/@s/b` -> `@s/b`.
fn name_of_key(key: &str) -> String {
    key.rsplit_once("node_modules/")
        .map_or(key, |(_, name)| name)
        .to_string()
}

/// The registry versions the entries name, each with its tarball on the configured registry
/// and the lockfile's integrity to verify it against; what cannot be fetched from a registry
/// becomes a notification naming the entry. `shown` names the lockfile.
pub fn wanted(
    entries: &[LockEntry],
    shown: &str,
    config: &RegistryConfig,
) -> (Vec<Wanted>, Vec<Notification>) {
    let mut wanted: BTreeMap<String, Wanted> = BTreeMap::new();
    let mut notes = Vec::new();
    for entry in entries {
        let asked_by = format!("{shown}: {}", entry.key);
        if entry.project || entry.link || entry.in_bundle {
            // The project, its workspaces and links to them are the user's own code; bundled
            // packages are scanned inside their parent's tarball.
            continue;
        }
        let note = |level, reason: &str| Notification {
            level,
            code: "lockfile-entry-skipped".to_string(),
            message: format!("{asked_by}: {reason}; not scanned"),
            package: None,
            path: Some(shown.to_string()),
        };
        let Some(version) = entry.version.clone() else {
            notes.push(note(NotificationLevel::Warning, "the entry has no version"));
            continue;
        };
        if let Some(resolved) = &entry.resolved
            && !(resolved.starts_with("https://") || resolved.starts_with("http://"))
        {
            notes.push(note(
                NotificationLevel::Warning,
                &format!("resolved from `{resolved}`, not a registry tarball"),
            ));
            continue;
        }
        if tarsier_registry::scope::validate_package_name(&entry.name).is_err() {
            notes.push(note(
                NotificationLevel::Warning,
                &format!("`{}` is not a valid package name", entry.name),
            ));
            continue;
        }
        let base = entry.name.rsplit('/').next().unwrap_or(&entry.name);
        let Ok(tarball) = config
            .registry_for(&entry.name)
            .join(&format!("{}/-/{base}-{version}.tgz", entry.name))
        else {
            notes.push(note(
                NotificationLevel::Warning,
                "no tarball URL can be made for it",
            ));
            continue;
        };
        let id = format!("{}@{version}", entry.name);
        wanted.entry(id).or_insert_with(|| Wanted {
            package: ResolvedPackage {
                name: entry.name.clone(),
                version,
                dist: Dist {
                    tarball: tarball.to_string(),
                    integrity: entry.integrity.clone(),
                    shasum: entry.shasum.clone(),
                    ..Dist::default()
                },
                dependencies: BTreeMap::new(),
                scripts: BTreeMap::new(),
                deprecated: None,
                direct: true,
            },
            asked_by: Some(asked_by),
        });
    }
    (wanted.into_values().collect(), notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
      "name": "app", "lockfileVersion": 3, "requires": true,
      "packages": {
        "": {"name": "app", "dependencies": {"a": "^1"}},
        "node_modules/a": {"version": "1.0.0", "resolved": "https://elsewhere.invalid/a/-/a-1.0.0.tgz", "integrity": "sha512-AAAA"},
        "node_modules/a/node_modules/@s/b": {"version": "2.0.0", "integrity": "sha512-BBBB"},
        "node_modules/alias": {"name": "c", "version": "3.0.0", "integrity": "sha512-CCCC"},
        "node_modules/c": {"version": "3.0.0", "integrity": "sha512-CCCC"},
        "node_modules/ws": {"resolved": "packages/ws", "link": true},
        "packages/ws": {"name": "ws-local", "version": "0.0.1"},
        "node_modules/g": {"version": "1.0.0", "resolved": "git+ssh://git@example.invalid/g.git#abc"},
        "node_modules/bundled": {"version": "1.0.0", "inBundle": true}
      }
    }"#;

    #[test]
    fn lockfile_entries_become_registry_versions_with_the_lockfile_integrity() {
        let entries = parse(LOCK.as_bytes(), "package-lock.json").expect("valid lockfile");
        let config = RegistryConfig::new("http://127.0.0.1:9/").expect("a registry URL");
        let (wanted, notes) = wanted(&entries, "package-lock.json", &config);
        let got: Vec<(String, String, Option<String>)> = wanted
            .iter()
            .map(|w| {
                (
                    w.package.id(),
                    w.package.dist.tarball.clone(),
                    w.package.dist.integrity.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "@s/b@2.0.0".to_string(),
                    "http://127.0.0.1:9/@s/b/-/b-2.0.0.tgz".to_string(),
                    Some("sha512-BBBB".to_string())
                ),
                (
                    "a@1.0.0".to_string(),
                    "http://127.0.0.1:9/a/-/a-1.0.0.tgz".to_string(),
                    Some("sha512-AAAA".to_string())
                ),
                (
                    "c@3.0.0".to_string(),
                    "http://127.0.0.1:9/c/-/c-3.0.0.tgz".to_string(),
                    Some("sha512-CCCC".to_string())
                ),
            ]
        );
        assert_eq!(
            wanted[0].asked_by.as_deref(),
            Some("package-lock.json: node_modules/a/node_modules/@s/b")
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].message.contains("node_modules/g"));
        assert!(notes[0].message.contains("not a registry tarball"));
    }

    #[test]
    fn yarn_v1_lockfiles_give_the_same_registry_versions() {
        let text = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@s/b@^2.0.0":
  version "2.0.0"
  resolved "https://elsewhere.invalid/@s/b/-/b-2.0.0.tgz#0123456789abcdef0123456789abcdef01234567"
  integrity sha512-BBBB

a@^1.0.0, a@~1.0.0:
  version "1.0.0"
  resolved "https://elsewhere.invalid/a/-/a-1.0.0.tgz#89abcdef0123456789abcdef0123456789abcdef"
  dependencies:
    "@s/b" "^2.0.0"

alias@npm:c@^3:
  version "3.0.0"
  integrity sha512-CCCC
"#;
        let entries = parse_yarn_v1(text, "yarn.lock").expect("valid yarn.lock");
        let config = RegistryConfig::new("http://127.0.0.1:9/").expect("a registry URL");
        let (wanted, notes) = wanted(&entries, "yarn.lock", &config);
        assert!(notes.is_empty(), "{notes:?}");
        let got: Vec<(String, Option<String>, Option<String>)> = wanted
            .iter()
            .map(|w| {
                (
                    w.package.id(),
                    w.package.dist.integrity.clone(),
                    w.package.dist.shasum.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "@s/b@2.0.0".to_string(),
                    Some("sha512-BBBB".to_string()),
                    Some("0123456789abcdef0123456789abcdef01234567".to_string())
                ),
                (
                    "a@1.0.0".to_string(),
                    None,
                    Some("89abcdef0123456789abcdef0123456789abcdef".to_string())
                ),
                ("c@3.0.0".to_string(), Some("sha512-CCCC".to_string()), None),
            ]
        );
        assert_eq!(wanted[1].asked_by.as_deref(), Some("yarn.lock: a@^1.0.0"));
        assert!(parse_yarn_v1("__metadata:\n  version: 6\n", "yarn.lock").is_err());
    }

    #[test]
    fn lockfile_v1_is_refused_with_how_to_upgrade() {
        let err = parse(br#"{"lockfileVersion": 1, "dependencies": {}}"#, "p.json")
            .expect_err("v1 has no packages map");
        assert!(err.to_string().contains("--lockfile-version 3"), "{err}");
        let err = parse(b"{\n  \"packages\": [", "p.json").expect_err("broken JSON");
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
