//! The crate's single error type: why a pattern could not be parsed.

/// Why a regular expression could not be analyzed.
///
/// Positions are zero-based character (code point) indices into the pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegexError {
    /// The pattern is not valid JavaScript regular-expression syntax.
    #[error("invalid regular expression /{pattern}/ at character {position}: {reason}")]
    Syntax {
        /// The pattern (shortened to 80 characters).
        pattern: String,
        /// Character index of the problem.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// The flags string is not valid.
    #[error("invalid regular expression flags {flags:?}: {reason}")]
    Flags {
        /// The flags as given.
        flags: String,
        /// What is wrong.
        reason: String,
    },
}

impl RegexError {
    /// The character index of a syntax error, if this is one.
    #[must_use]
    pub fn position(&self) -> Option<usize> {
        match self {
            Self::Syntax { position, .. } => Some(*position),
            Self::Flags { .. } => None,
        }
    }
}
