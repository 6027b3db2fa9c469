//! The one error type of this crate.

use thiserror::Error;

/// Longest excerpt of an input kept in an error message; longer inputs are cut with `...`.
const MAX_SHOWN: usize = 120;

/// Everything that can go wrong when parsing versions, ranges and selectors, or selecting versions.
///
/// Each variant names the offending text (cut to a readable length) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SemverError {
    /// The text is not a version npm accepts.
    #[error("invalid version `{input}`: {reason}")]
    InvalidVersion {
        /// The offending text.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The text is not a range npm accepts (`semver.validRange` would return `null`).
    #[error("invalid version range `{input}`: {reason}")]
    InvalidRange {
        /// The offending text.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The text is neither a version, a range, `all`, `last:N` nor a possible dist-tag name.
    #[error("invalid version selector `{input}`: {reason}")]
    InvalidSelector {
        /// The offending text.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The package has no dist-tag of this name.
    #[error("unknown dist-tag `{tag}` (known tags: {known})")]
    UnknownTag {
        /// The tag asked for.
        tag: String,
        /// The tags the package has, comma-separated, or `none`.
        known: String,
    },
    /// A dist-tag exists but does not point to a usable version.
    #[error("dist-tag `{tag}` points to `{target}`, {reason}")]
    BadTagTarget {
        /// The tag asked for.
        tag: String,
        /// What the tag points to.
        target: String,
        /// Why that cannot be used.
        reason: String,
    },
    /// The selector is valid but picks no version of the package.
    #[error("no version matches `{selector}`: {reason}")]
    NoMatch {
        /// The selector, as written.
        selector: String,
        /// Why nothing matched.
        reason: String,
    },
}

/// Cuts `s` to at most [`MAX_SHOWN`] characters for an error message.
pub(crate) fn shown(s: &str) -> String {
    match s.char_indices().nth(MAX_SHOWN) {
        None => s.to_owned(),
        Some((end, _)) => format!("{}...", s.get(..end).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_inputs_are_cut() {
        let long = "9".repeat(1000);
        let cut = shown(&long);
        assert_eq!(cut.len(), MAX_SHOWN + 3);
        assert!(cut.ends_with("..."));
        assert_eq!(shown("^1.2"), "^1.2");
        // Multi-byte characters are cut on a character boundary.
        assert_eq!(shown(&"é".repeat(200)).chars().count(), MAX_SHOWN + 3);
    }

    #[test]
    fn messages_name_the_input_and_the_reason() {
        let e = SemverError::UnknownTag {
            tag: "nxt".into(),
            known: "latest, next".into(),
        };
        assert_eq!(
            e.to_string(),
            "unknown dist-tag `nxt` (known tags: latest, next)"
        );
    }
}
