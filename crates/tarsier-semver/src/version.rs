//! Versions the way npm reads and orders them.
//!
//! `semver::Version` is the version type; this module adds npm's parsing (a leading `v` or `=`,
//! components capped at JavaScript's `Number.MAX_SAFE_INTEGER`, at most 256 characters) and npm's
//! order, which unlike `semver::Version`'s `Ord` ignores build metadata.

use std::cmp::Ordering;

use semver::{BuildMetadata, Prerelease, Version};

use crate::error::{SemverError, shown};
use crate::re::{self, Grammar, LOOSE, MAX_LENGTH, MAX_SAFE_INTEGER, STRICT};

/// Parses a version as npm does, also accepting the loose leading `v` or `=` (`v1.2.3`,
/// `=1.2.3`) and surrounding whitespace.
///
/// Rejects what node-semver rejects: more than 256 characters, a component above
/// 2<sup>53</sup>-1, leading zeros, partial versions such as `1.2`.
///
/// ```
/// let v = tarsier_semver::parse_version("v1.2.3-beta.1")?;
/// assert_eq!(v, semver::Version::parse("1.2.3-beta.1").unwrap());
/// assert!(tarsier_semver::parse_version("1.2").is_err());
/// # Ok::<(), tarsier_semver::SemverError>(())
/// ```
pub fn parse_version(s: &str) -> Result<Version, SemverError> {
    let invalid = |reason: String| SemverError::InvalidVersion {
        input: shown(s),
        reason,
    };
    if s.len() > MAX_LENGTH {
        return Err(invalid(format!("longer than {MAX_LENGTH} characters")));
    }
    let trimmed = re::js_trim(s).trim_start_matches(['v', '=']);
    npm_version(trimmed, &STRICT).map_err(invalid)
}

/// Parses a version in node-semver's loose mode (`semver.valid(s, true)`, which
/// npm-package-arg uses): on top of [`parse_version`], leading zeros (`01.02.03` is `1.2.3`),
/// a prerelease without its hyphen (`1.2.3beta` is `1.2.3-beta`), and any mix of `v`, `=` and
/// whitespace before the version.
///
/// ```
/// let v = tarsier_semver::parse_version_loose("= v01.2.3beta.01")?;
/// assert_eq!(v, semver::Version::parse("1.2.3-beta.1").unwrap());
/// # Ok::<(), tarsier_semver::SemverError>(())
/// ```
pub fn parse_version_loose(s: &str) -> Result<Version, SemverError> {
    let invalid = |reason: String| SemverError::InvalidVersion {
        input: shown(s),
        reason,
    };
    if s.len() > MAX_LENGTH {
        return Err(invalid(format!("longer than {MAX_LENGTH} characters")));
    }
    npm_version(re::js_trim(s), &LOOSE).map_err(invalid)
}

/// node-semver's `new SemVer(s)` after its length check: matches `FULL` (or `LOOSE`) and
/// applies its component limits. Errors are reasons, for the caller to wrap.
pub(crate) fn npm_version(s: &str, grammar: &Grammar) -> Result<Version, String> {
    let caps = grammar
        .version
        .captures(s)
        .ok_or_else(|| "not of the form MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]".to_owned())?;
    let component = |i: usize, name: &str| -> Result<u64, String> {
        let digits = caps.get(i).map_or("", |m| m.as_str());
        match digits.parse::<u64>() {
            Ok(n) if n <= MAX_SAFE_INTEGER => Ok(n),
            _ => Err(format!("{name} version is above {MAX_SAFE_INTEGER}")),
        }
    };
    let major = component(1, "major")?;
    let minor = component(2, "minor")?;
    let patch = component(3, "patch")?;
    let pre = match caps.get(4) {
        None => Prerelease::EMPTY,
        Some(m) => {
            // node-semver turns numeric identifiers into numbers, which drops the leading zeros
            // loose mode lets through (`01` is `1`). It keeps identifiers of 2^53-1 and above
            // as text, leading zeros included, which `semver::Prerelease` cannot hold; we drop
            // those zeros too (the only place where our normal form can differ from npm's, and
            // only in loose mode: strict mode has no leading zeros).
            let ids: Vec<&str> = m
                .as_str()
                .split('.')
                .map(|id| {
                    if id.len() > 1 && id.bytes().all(|b| b.is_ascii_digit()) {
                        let trimmed = id.trim_start_matches('0');
                        if trimmed.is_empty() { "0" } else { trimmed }
                    } else {
                        id
                    }
                })
                .collect();
            Prerelease::new(&ids.join(".")).map_err(|e| format!("prerelease: {e}"))?
        }
    };
    let build = match caps.get(5) {
        None => BuildMetadata::EMPTY,
        Some(m) => BuildMetadata::new(m.as_str()).map_err(|e| format!("build metadata: {e}"))?,
    };
    Ok(Version {
        major,
        minor,
        patch,
        pre,
        build,
    })
}

/// npm's version order (`semver.compare`): major, minor, patch, then prerelease (a release sorts
/// after its prereleases). Build metadata is ignored, so `1.2.3+a` and `1.2.3+b` are equal.
///
/// ```
/// use semver::Version;
/// use std::cmp::Ordering;
/// let a = Version::parse("1.2.3+a").unwrap();
/// let b = Version::parse("1.2.3+b").unwrap();
/// assert_eq!(tarsier_semver::compare(&a, &b), Ordering::Equal);
/// ```
pub fn compare(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        // `Prerelease`'s order is SemVer's, which is npm's: the empty prerelease sorts last,
        // numeric identifiers numerically and below alphanumeric ones, shorter lists first.
        .then_with(|| a.pre.cmp(&b.pre))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn loose_prefixes_and_whitespace_are_accepted() {
        for s in [
            "1.2.3",
            "v1.2.3",
            "=1.2.3",
            "=v1.2.3",
            "  v1.2.3\t",
            "\u{FEFF}1.2.3",
        ] {
            assert_eq!(parse_version(s).unwrap(), v("1.2.3"), "{s:?}");
        }
        assert_eq!(
            parse_version("1.2.3-beta.1+sha.5").unwrap(),
            v("1.2.3-beta.1+sha.5")
        );
    }

    #[test]
    fn what_npm_rejects_is_rejected() {
        for s in [
            "",
            "1.2",
            "1",
            "01.2.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1.2.3 4",
            "^1.2.3",
            "9007199254740992.0.0",
            "99999999999999999999999.0.0",
            "1.2.3beta",
            "x.2.3",
            "١.2.3",
        ] {
            assert!(parse_version(s).is_err(), "{s:?} should be rejected");
        }
        assert!(parse_version("9007199254740991.0.0").is_ok());
        let long = format!("1.2.3-{}", "a".repeat(300));
        let err = parse_version(&long).unwrap_err().to_string();
        assert!(err.contains("longer than 256"), "{err}");
    }

    #[test]
    fn loose_mode_reads_what_npm_package_arg_reads() {
        for (s, want) in [
            ("01.02.03", "1.2.3"),
            ("1.2.3beta", "1.2.3-beta"),
            ("1.2.3-beta.01", "1.2.3-beta.1"),
            ("1.2.3-00", "1.2.3-0"),
            (
                "1.2.3-beta.09007199254740993",
                "1.2.3-beta.9007199254740993",
            ),
            (" =v 1.2.3", "1.2.3"),
            ("1.2.3+build.01", "1.2.3+build.01"),
        ] {
            assert_eq!(parse_version_loose(s).unwrap(), v(want), "{s:?}");
        }
        for s in ["1.2", "1.2.3.4", "^1.2.3", "", "9007199254740992.0.0"] {
            assert!(parse_version_loose(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn errors_name_input_and_reason() {
        let err = parse_version("1.2").unwrap_err().to_string();
        assert!(err.contains("`1.2`"), "{err}");
        assert!(err.contains("MAJOR.MINOR.PATCH"), "{err}");
        let err = parse_version("9007199254740992.0.0")
            .unwrap_err()
            .to_string();
        assert!(err.contains("major version"), "{err}");
    }

    #[test]
    fn npm_order_ignores_build_and_puts_releases_after_prereleases() {
        assert_eq!(compare(&v("1.2.3+a"), &v("1.2.3+b")), Ordering::Equal);
        assert_eq!(compare(&v("1.2.3-alpha"), &v("1.2.3")), Ordering::Less);
        assert_eq!(
            compare(&v("1.2.3-alpha.2"), &v("1.2.3-alpha.10")),
            Ordering::Less
        );
        assert_eq!(
            compare(&v("1.2.3-alpha.10"), &v("1.2.3-alpha.beta")),
            Ordering::Less
        );
        assert_eq!(
            compare(&v("1.2.3-alpha"), &v("1.2.3-alpha.1")),
            Ordering::Less
        );
        assert_eq!(compare(&v("1.2.3-B"), &v("1.2.3-a")), Ordering::Less);
        assert_eq!(compare(&v("1.10.0"), &v("1.9.9")), Ordering::Greater);
    }
}
