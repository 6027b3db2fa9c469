//! Typosquats: a package whose name is a small edit away from an in-scope package's name
//! (`expres`, `body-parsr`, `cookie-parserr`), the classic way to catch a mistyped install.
//!
//! The distance is the optimal string alignment distance (insertions, deletions, substitutions
//! and transpositions of neighbours), on lowercased names. Names of fewer than 4 characters are
//! never compared (every short name is one edit from another); a distance of 2 counts only for
//! names of 9 characters or more. A few pairs of well-known, distinct packages that are this close
//! are listed in [`KNOWN_DISTINCT`].

use tarsier_model::Severity;

use crate::Ctx;
use crate::rule_ids::TYPOSQUAT;

/// Pairs of real, unrelated packages whose names are close; never reported against each other.
pub const KNOWN_DISTINCT: &[(&str, &str)] = &[
    ("cookie", "cookies"),
    ("safe-buffer", "safer-buffer"),
    ("method", "methods"),
    ("inherit", "inherits"),
    ("status", "statuses"),
    ("mime", "mimer"),
    ("path-to-regexp", "path-to-regex"),
];

/// The optimal string alignment distance between `a` and `b`, counted in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    // Three rows suffice: the current, the previous and the one before (for transpositions).
    let mut rows = vec![vec![0usize; width]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d;
        }
    }
    rows[a.len() % 3][b.len()]
}

/// The in-scope name `name` most likely imitates, and the edit distance, when it is within the
/// threshold and not equal. Ties go to the first in `in_scope`.
///
/// ```
/// use tarsier_supply::typosquat;
/// assert_eq!(typosquat("expres", &["express", "send"]), Some(("express", 1)));
/// assert_eq!(typosquat("express", &["express"]), None);
/// assert_eq!(typosquat("left-pad", &["express"]), None);
/// ```
pub fn typosquat<'s>(name: &str, in_scope: &[&'s str]) -> Option<(&'s str, usize)> {
    let lower = name.to_lowercase();
    if in_scope.iter().any(|s| s.to_lowercase() == lower) {
        return None;
    }
    let mut best: Option<(&'s str, usize)> = None;
    for &candidate in in_scope {
        let other = candidate.to_lowercase();
        let shorter = lower.chars().count().min(other.chars().count());
        if shorter < 4 {
            continue;
        }
        if KNOWN_DISTINCT
            .iter()
            .any(|&(x, y)| (x == lower && y == other) || (y == lower && x == other))
        {
            continue;
        }
        let limit = if shorter >= 9 { 2 } else { 1 };
        // Lengths differing by more than the limit cannot be within it.
        if lower.chars().count().abs_diff(other.chars().count()) > limit {
            continue;
        }
        let d = distance(&lower, &other);
        if (1..=limit).contains(&d) && best.is_none_or(|(_, b)| d < b) {
            best = Some((candidate, d));
        }
    }
    best
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let scope: Vec<&str> = ctx.options.in_scope.iter().map(String::as_str).collect();
    let Some((target, d)) = typosquat(ctx.package.name, &scope) else {
        return;
    };
    let message = format!(
        "the package name `{}` is {d} edit{} away from the in-scope package `{target}`",
        ctx.package.name,
        if d == 1 { "" } else { "s" }
    );
    let matched = format!("{} ~ {target}", ctx.package.name);
    ctx.report_manifest(
        TYPOSQUAT,
        Severity::Warning,
        message,
        Some(("\"name\"", None)),
        &matched,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("express", "express"), 0);
        assert_eq!(distance("express", "expres"), 1);
        assert_eq!(
            distance("express", "exrpess"),
            1,
            "a transposition is one edit"
        );
        assert_eq!(distance("body-parser", "bodyparser"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("é", "e"), 1);
    }

    #[test]
    fn thresholds_and_exceptions() {
        let scope = ["express", "body-parser", "cookie", "qs", "safe-buffer"];
        assert_eq!(typosquat("body-prasr", &scope), Some(("body-parser", 2)));
        assert_eq!(typosquat("expresss", &scope), Some(("express", 1)));
        assert_eq!(typosquat("Express", &scope), None, "case-insensitive equal");
        assert_eq!(typosquat("qz", &scope), None, "too short to compare");
        assert_eq!(
            typosquat("exprezz", &scope),
            None,
            "two edits on a short name"
        );
        assert_eq!(
            typosquat("cookies", &scope),
            None,
            "a known distinct package"
        );
        assert_eq!(typosquat("safer-buffer", &scope), None);
    }
}
