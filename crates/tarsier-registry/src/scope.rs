//! The scan scope: which packages and versions to fetch, from a TOML file or the command line.
//!
//! # Scope file format
//!
//! ```toml
//! include-prerelease = false            # optional, default false
//!
//! [[package]]
//! name = "express"
//! version = "latest"                    # a dist-tag, an npm range ("^4 || ^5", "4.x",
//!                                       # "1.2.3 - 2.3.4", "*"), an exact version, or "all"
//! [[package]]
//! name = "send"
//! last = 3                              # the 3 highest versions (instead of `version`)
//! ```
//!
//! Each `[[package]]` has a `name` and at most one of `version` (read by
//! [`tarsier_semver::Selector::parse`]) and `last`; with neither it means `latest`. Unknown keys are errors (`deny_unknown_fields`), and so are invalid package names,
//! duplicated packages with the same selector, and `last = 0`. [`Scope::parse`] reports every
//! problem of a file at once.
//!
//! [`DEFAULT_SCOPE`] is the embedded default: the latest version of each package of the
//! expressjs, jshttp and pillarjs organisations. [`parse_package_spec`] reads the command-line
//! form: `send@0.18.0`, `@scope/x@^2`, `express` (= latest).

use std::path::Path;

use serde::Deserialize;
use tarsier_semver::Selector;

use crate::error::RegistryError;

/// The embedded default scope file (the Express ecosystem, `latest` of each).
pub const DEFAULT_SCOPE: &str = include_str!("../default-scope.toml");

/// One package of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeEntry {
    /// The package name.
    pub name: String,
    /// Which of its versions.
    pub selector: Selector,
}

impl ScopeEntry {
    /// The entry as a spec string, `name@selector` (`send@last:3`, `express@latest`).
    pub fn spec(&self) -> String {
        format!("{}@{}", self.name, self.selector)
    }
}

/// A scan scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Whether ranges and `all`/`last` also match prereleases.
    pub include_prerelease: bool,
    /// The packages, in file order.
    pub packages: Vec<ScopeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawScope {
    #[serde(default)]
    include_prerelease: bool,
    #[serde(default)]
    package: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    version: Option<String>,
    last: Option<usize>,
}

impl Scope {
    /// Parses scope TOML; `file` names it in errors. Every problem is reported at once.
    pub fn parse(text: &str, file: &str) -> Result<Self, RegistryError> {
        let err = |reason: String| RegistryError::Scope {
            file: file.to_owned(),
            reason,
        };
        let raw: RawScope = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut problems = Vec::new();
        let mut packages: Vec<ScopeEntry> = Vec::new();
        for (i, entry) in raw.package.into_iter().enumerate() {
            let at = format!("package #{} (`{}`)", i + 1, entry.name);
            if let Err(e) = validate_package_name(&entry.name) {
                problems.push(format!("{at}: {e}"));
                continue;
            }
            let selector = match (entry.version, entry.last) {
                (Some(_), Some(_)) => {
                    problems.push(format!("{at}: give `version` or `last`, not both"));
                    continue;
                }
                (None, Some(0)) => {
                    problems.push(format!("{at}: `last` must be at least 1"));
                    continue;
                }
                (None, Some(n)) => Selector::Last(n),
                (Some(v), None) if v.trim().is_empty() => {
                    problems.push(format!("{at}: `version` is empty"));
                    continue;
                }
                (Some(v), None) => match Selector::parse(&v) {
                    Ok(s) => s,
                    Err(e) => {
                        problems.push(format!("{at}: {e}"));
                        continue;
                    }
                },
                (None, None) => Selector::Tag("latest".to_owned()),
            };
            let entry = ScopeEntry {
                name: entry.name,
                selector,
            };
            if packages.contains(&entry) {
                problems.push(format!("{at}: listed twice"));
                continue;
            }
            packages.push(entry);
        }
        if !problems.is_empty() {
            return Err(err(problems.join("; ")));
        }
        Ok(Self {
            include_prerelease: raw.include_prerelease,
            packages,
        })
    }

    /// Reads and parses a scope file.
    pub fn from_file(path: &Path) -> Result<Self, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|e| RegistryError::Scope {
            file: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The embedded default scope.
    pub fn default_scope() -> Result<Self, RegistryError> {
        Self::parse(DEFAULT_SCOPE, "<default scope>")
    }

    /// A scope from command-line specs (see [`parse_package_spec`]).
    pub fn from_specs<S: AsRef<str>>(
        specs: &[S],
        include_prerelease: bool,
    ) -> Result<Self, RegistryError> {
        let mut packages = Vec::new();
        for spec in specs {
            let entry = parse_package_spec(spec.as_ref())?;
            if !packages.contains(&entry) {
                packages.push(entry);
            }
        }
        Ok(Self {
            include_prerelease,
            packages,
        })
    }
}

/// Parses `name`, `name@wanted` or `@scope/name@wanted` (no `@wanted` means `latest`).
pub fn parse_package_spec(spec: &str) -> Result<ScopeEntry, RegistryError> {
    let trimmed = spec.trim();
    // The version separator is the first `@` after the (optional) scope's leading `@`.
    let search_from = usize::from(trimmed.starts_with('@'));
    let (name, wanted) = match trimmed
        .get(search_from..)
        .and_then(|rest| rest.find('@'))
        .map(|i| i + search_from)
    {
        Some(i) => (
            trimmed.get(..i).unwrap_or_default(),
            trimmed.get(i + 1..).unwrap_or_default().trim(),
        ),
        None => (trimmed, "latest"),
    };
    validate_package_name(name).map_err(|e| match e {
        RegistryError::InvalidSpec { reason, .. } => RegistryError::InvalidSpec {
            spec: spec.to_owned(),
            reason,
        },
        other => other,
    })?;
    if wanted.is_empty() {
        return Err(RegistryError::InvalidSpec {
            spec: spec.to_owned(),
            reason: "nothing after `@`".to_owned(),
        });
    }
    let selector = Selector::parse(wanted).map_err(|e| RegistryError::InvalidSpec {
        spec: spec.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(ScopeEntry {
        name: name.to_owned(),
        selector,
    })
}

/// Checks an npm package name: `name` or `@scope/name`, at most 214 characters, each part
/// non-empty, not starting with `.`, and made only of URL-safe characters (`A-Z a-z 0-9 - . _ ~
/// ! ' ( ) *`). Names are used in URLs and cache file names, so this is a safety check too.
pub fn validate_package_name(name: &str) -> Result<(), RegistryError> {
    let bad = |reason: &str| RegistryError::InvalidSpec {
        spec: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.is_empty() {
        return Err(bad("the package name is empty"));
    }
    if name.len() > 214 {
        return Err(bad("the package name is longer than 214 characters"));
    }
    let parts: Vec<&str> = match name.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((scope, pkg)) => vec![scope, pkg],
            None => return Err(bad("a scoped name must look like @scope/name")),
        },
        None => vec![name],
    };
    for part in parts {
        if part.is_empty() {
            return Err(bad("a part of the name is empty"));
        }
        if part.starts_with('.') {
            return Err(bad("a name may not start with `.`"));
        }
        if let Some(c) = part
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-._~!'()*".contains(*c)))
        {
            return Err(bad(&format!(
                "the character {c:?} is not allowed in a name"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EXPECTED: &[&str] = &[
        "basic-auth-connect",
        "body-parser",
        "compression",
        "cookie-parser",
        "cookie-session",
        "cors",
        "errorhandler",
        "express",
        "express-generator",
        "method-override",
        "morgan",
        "multer",
        "response-time",
        "serve-favicon",
        "serve-index",
        "serve-static",
        "express-session",
        "connect-timeout",
        "vhost",
        "accepts",
        "basic-auth",
        "compressible",
        "content-disposition",
        "content-type",
        "cookie",
        "etag",
        "forwarded",
        "fresh",
        "http-assert",
        "http-errors",
        "media-typer",
        "methods",
        "mime-db",
        "mime-types",
        "negotiator",
        "on-finished",
        "on-headers",
        "proxy-addr",
        "range-parser",
        "statuses",
        "type-is",
        "vary",
        "cookies",
        "csrf",
        "encodeurl",
        "finalhandler",
        "hbs",
        "multiparty",
        "parseurl",
        "path-to-regexp",
        "resolve-path",
        "router",
        "send",
    ];

    #[test]
    fn default_scope_has_every_package_at_latest() {
        let s = Scope::default_scope().unwrap();
        assert!(!s.include_prerelease);
        let names: Vec<&str> = s.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, EXPECTED);
        assert!(
            s.packages
                .iter()
                .all(|p| p.selector == Selector::Tag("latest".into()))
        );
    }

    #[test]
    fn parses_file() {
        let s = Scope::parse(
            "include-prerelease = true\n[[package]]\nname = \"express\"\nversion = \"^4 || ^5\"\n\
             [[package]]\nname = \"send\"\nlast = 3\n[[package]]\nname = \"@s/x\"\n",
            "t.toml",
        )
        .unwrap();
        assert!(s.include_prerelease);
        assert!(matches!(s.packages[0].selector, Selector::Range(_)));
        assert_eq!(s.packages[1].selector, Selector::Last(3));
        assert_eq!(s.packages[2].selector, Selector::Tag("latest".into()));
        assert_eq!(s.packages[1].spec(), "send@last:3");
    }

    #[test]
    fn reports_all_problems() {
        let err = Scope::parse(
            "[[package]]\nname = \"a\"\nversion = \"1\"\nlast = 2\n\
             [[package]]\nname = \"../x\"\n[[package]]\nname = \"b\"\nlast = 0\n\
             [[package]]\nname = \"c\"\nversion = \"no such/tag\"\n",
            "bad.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("bad.toml"), "{err}");
        assert!(err.contains("not both") && err.contains("../x") && err.contains("at least 1"));
        assert!(err.contains("no such/tag"), "{err}");
    }

    #[test]
    fn unknown_fields_rejected() {
        assert!(Scope::parse("[[package]]\nname = \"a\"\nversoin = \"1\"\n", "f").is_err());
        assert!(Scope::parse("includeprerelease = true\n", "f").is_err());
    }

    #[test]
    fn package_specs() {
        let e = parse_package_spec("send@0.18.0").unwrap();
        assert_eq!(e.name, "send");
        assert_eq!(
            e.selector,
            Selector::Version(semver::Version::new(0, 18, 0))
        );
        let e = parse_package_spec("@scope/x@^2").unwrap();
        assert_eq!(e.name, "@scope/x");
        assert!(matches!(e.selector, Selector::Range(_)));
        let e = parse_package_spec("express").unwrap();
        assert_eq!(e.selector, Selector::Tag("latest".into()));
        let e = parse_package_spec("@scope/x").unwrap();
        assert_eq!(e.name, "@scope/x");
        assert_eq!(
            parse_package_spec("send@last:2").unwrap().selector,
            Selector::Last(2)
        );
        assert_eq!(
            parse_package_spec("send@all").unwrap().selector,
            Selector::All
        );
        for bad in [
            "", "@", "@scope", "x@", "../etc", "a/b", "x@last:0", "a b", ".x", "x@no/tag",
        ] {
            assert!(parse_package_spec(bad).is_err(), "{bad}");
        }
        assert!(
            parse_package_spec("x y")
                .unwrap_err()
                .to_string()
                .contains("x y")
        );
    }
}
