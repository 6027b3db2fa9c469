//! Selectors: what a scope entry asks for, and the versions of a package it picks.
//!
//! A selector is classified the way npm-package-arg classifies a registry spec: an exact
//! version, else a range, else a dist-tag; tarsier adds `all` and `last:N` for scans of a
//! package's history.

use std::collections::BTreeMap;
use std::fmt;

use semver::Version;

use crate::error::{SemverError, shown};
use crate::range::Range;
use crate::version::{compare, parse_version, parse_version_loose};

/// What a scope entry asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// One exact version (`4.21.2`, `v4.21.2`, `=4.21.2`).
    Version(Version),
    /// Every version in a range (`^4`, `>=1.19.0 <2`, `*`).
    Range(Range),
    /// The version a dist-tag points to (`latest`, `next`).
    Tag(String),
    /// Every version (`all`).
    All,
    /// The N highest versions (`last:N`, N at least 1).
    Last(usize),
}

/// Can `c` appear in a dist-tag name? npm-package-arg accepts a tag only if
/// `encodeURIComponent` leaves it unchanged, i.e. it is made of these characters.
fn is_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c)
}

impl Selector {
    /// Classifies a selector: `all`, `last:N`, an empty string (the `latest` tag), an exact
    /// version, a range, or else a dist-tag name.
    ///
    /// ```
    /// use tarsier_semver::Selector;
    /// assert_eq!(Selector::parse("last:3")?, Selector::Last(3));
    /// assert_eq!(Selector::parse("")?, Selector::Tag("latest".into()));
    /// assert!(matches!(Selector::parse("v4.21.2")?, Selector::Version(_)));
    /// assert!(matches!(Selector::parse("^4")?, Selector::Range(_)));
    /// assert_eq!(Selector::parse("next")?, Selector::Tag("next".into()));
    /// assert!(Selector::parse("no/such tag").is_err());
    /// # Ok::<(), tarsier_semver::SemverError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Selector, SemverError> {
        let spec = s.trim();
        if spec.is_empty() {
            return Ok(Selector::Tag("latest".to_owned()));
        }
        if spec == "all" {
            return Ok(Selector::All);
        }
        if let Some(n) = spec.strip_prefix("last:") {
            return match n.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(Selector::Last(n)),
                _ => Err(SemverError::InvalidSelector {
                    input: shown(s),
                    reason: "`last:` must be followed by a whole number of at least 1".to_owned(),
                }),
            };
        }
        // npm-package-arg reads specs in node-semver's loose mode.
        if let Ok(version) = parse_version_loose(spec) {
            return Ok(Selector::Version(version));
        }
        if let Ok(range) = Range::parse_loose(spec) {
            return Ok(Selector::Range(range));
        }
        if spec.chars().all(is_tag_char) {
            return Ok(Selector::Tag(spec.to_owned()));
        }
        Err(SemverError::InvalidSelector {
            input: shown(s),
            reason: "not a version, a version range, `all`, `last:N` or a dist-tag name".to_owned(),
        })
    }
}

impl fmt::Display for Selector {
    /// The selector in the syntax [`Selector::parse`] reads (a range in its normalised form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Version(v) => write!(f, "{v}"),
            Selector::Range(r) => write!(f, "{r}"),
            Selector::Tag(t) => f.write_str(t),
            Selector::All => f.write_str("all"),
            Selector::Last(n) => write!(f, "last:{n}"),
        }
    }
}

/// Picks versions of a package: `versions` is its version list (a packument's `versions` keys),
/// `dist_tags` its `dist-tags`.
///
/// - `Version`: that version, which must be listed (build metadata is ignored when looking it up).
/// - `Tag`: the version the tag points to, which must be listed; prereleases are allowed, since a
///   tag names them on purpose.
/// - `Range`: **every** matching version, not only the highest: a scan of `^4` scans every 4.x.
/// - `All`: every version; `Last(n)`: the `n` highest.
///
/// `Range`, `All` and `Last` skip prereleases unless `include_prerelease` (a range can still
/// admit a prerelease it names, as in npm), and return versions in ascending npm order. An empty
/// pick is an error, so a typo in a scope never scans nothing silently.
pub fn select(
    selector: &Selector,
    versions: &[Version],
    dist_tags: &BTreeMap<String, String>,
    include_prerelease: bool,
) -> Result<Vec<Version>, SemverError> {
    let no_match = |reason: String| SemverError::NoMatch {
        selector: shown(&selector.to_string()),
        reason,
    };
    let mut sorted: Vec<&Version> = versions.iter().collect();
    // npm's order first; semver's full order (which also compares build metadata) breaks ties
    // so the output does not depend on the input order.
    sorted.sort_by(|a, b| compare(a, b).then_with(|| a.cmp(b)));
    sorted.dedup();
    let release_or_allowed = |v: &&Version| include_prerelease || v.pre.is_empty();

    let picked: Vec<&Version> = match selector {
        Selector::Version(wanted) => {
            let found = sorted
                .iter()
                .copied()
                .find(|v| *v == wanted)
                .or_else(|| sorted.iter().copied().find(|v| compare(v, wanted).is_eq()));
            match found {
                Some(v) => vec![v],
                None => {
                    return Err(no_match(format!(
                        "the package has no version {wanted} ({} versions listed)",
                        versions.len()
                    )));
                }
            }
        }
        Selector::Tag(tag) => {
            let Some(target) = dist_tags.get(tag) else {
                let known: Vec<&str> = dist_tags.keys().map(String::as_str).collect();
                return Err(SemverError::UnknownTag {
                    tag: shown(tag),
                    known: if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    },
                });
            };
            let bad_target = |reason: String| SemverError::BadTagTarget {
                tag: shown(tag),
                target: shown(target),
                reason,
            };
            let wanted = parse_version(target)
                .map_err(|e| bad_target(format!("which is not a valid version ({e})")))?;
            match sorted.iter().copied().find(|v| compare(v, &wanted).is_eq()) {
                Some(v) => vec![v],
                None => {
                    return Err(bad_target(
                        "which is not in the package's version list".to_owned(),
                    ));
                }
            }
        }
        Selector::Range(range) => sorted
            .iter()
            .copied()
            .filter(|v| range.matches(v, include_prerelease))
            .collect(),
        Selector::All => sorted.iter().copied().filter(release_or_allowed).collect(),
        Selector::Last(n) => {
            let eligible: Vec<&Version> =
                sorted.iter().copied().filter(release_or_allowed).collect();
            let skip = eligible.len().saturating_sub(*n);
            eligible.into_iter().skip(skip).collect()
        }
    };

    if picked.is_empty() {
        let prereleases = if include_prerelease {
            ""
        } else {
            " (prereleases excluded)"
        };
        return Err(no_match(format!(
            "none of the package's {} versions is selected{prereleases}",
            versions.len()
        )));
    }
    Ok(picked.into_iter().cloned().collect())
}
