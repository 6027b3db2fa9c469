//! Stable partial fingerprints (`partialFingerprints["tarsier/v1"]`).
//!
//! GitHub code scanning computes its own fingerprints only for files it can read in the checkout,
//! which excludes every file inside an npm package. tarsier therefore computes one itself, so that an
//! alert survives a rescan, and `diff` can match results between two SARIF files.
//!
//! # Recipe, `tarsier/v1`
//!
//! For each finding, SHA-256 over these fields, each followed by one NUL byte:
//!
//! 1. the literal `tarsier/v1`;
//! 2. the rule id;
//! 3. the package **name** (not its version), or the empty string for a local file;
//! 4. the file path (`Finding.path`, relative to the package or scan root);
//! 5. `Finding.matched_text` with every run of whitespace collapsed to one space and the ends
//!    trimmed;
//! 6. the occurrence index, in decimal: among the findings in the same file (same package name and
//!    version, same path) that share fields 2 to 5, the 0-based rank of this one in position order
//!    (start line, start column, then the rest of the span).
//!
//! The fingerprint is the lowercase hex digest, cut to its first 32 characters.
//!
//! What follows from the recipe: neither line nor column is hashed, so a finding keeps its
//! fingerprint when lines above it are inserted or removed, or when unrelated code in the file
//! changes; the version is not hashed, so a finding keeps it across package versions when the
//! flagged code does not change; and two findings of one rule with the same text in one file differ
//! by their occurrence index. Suppressed findings are counted too, so suppressing one finding never
//! changes another's fingerprint.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tarsier_model::Finding;

/// Key of the fingerprint in `result.partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "tarsier/v1";

/// Number of hex characters kept from the digest.
const FINGERPRINT_LEN: usize = 32;

/// Collapses every run of whitespace to one space and trims the ends.
pub fn normalize_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Computes the `tarsier/v1` fingerprint of each finding, in the order of `findings`.
///
/// The result does not depend on the order of `findings`: the occurrence index is taken in
/// position order within each file.
///
/// ```
/// use tarsier_sarif::fingerprint::fingerprints;
/// assert!(fingerprints(&[]).is_empty());
/// ```
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    // The normalised text of each finding, computed once.
    let texts: Vec<String> = findings
        .iter()
        .map(|f| normalize_text(&f.matched_text))
        .collect();

    // Group findings by (rule, package name, package version, path, text). The version is part of
    // the group so that two versions of one package in the same run count separately, but it is
    // not hashed.
    let mut groups: HashMap<GroupKey<'_>, Vec<usize>> = HashMap::new();
    for (i, (f, text)) in findings.iter().zip(&texts).enumerate() {
        let key = GroupKey {
            rule: &f.rule_id,
            package: f.package.as_ref().map(|p| p.name.as_str()).unwrap_or(""),
            version: f.package.as_ref().map(|p| p.version.as_str()),
            path: &f.path,
            text,
        };
        groups.entry(key).or_default().push(i);
    }

    let mut out = vec![String::new(); findings.len()];
    for (key, mut members) in groups {
        // Position order; the whole finding breaks ties between identical positions, so the
        // result never depends on input order.
        members.sort_by(|&a, &b| {
            let (fa, fb) = (&findings[a], &findings[b]);
            fa.span.cmp(&fb.span).then_with(|| fa.cmp(fb))
        });
        for (occurrence, i) in members.into_iter().enumerate() {
            if let Some(slot) = out.get_mut(i) {
                *slot = digest(key.rule, key.package, key.path, key.text, occurrence);
            }
        }
    }
    out
}

/// Computes one fingerprint from its already normalised parts; see the module docs.
pub fn digest(rule: &str, package: &str, path: &str, text: &str, occurrence: usize) -> String {
    let mut hasher = Sha256::new();
    for part in [
        FINGERPRINT_KEY,
        rule,
        package,
        path,
        text,
        &occurrence.to_string(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let mut hex = hex::encode(hasher.finalize());
    hex.truncate(FINGERPRINT_LEN);
    hex
}

#[derive(PartialEq, Eq, Hash)]
struct GroupKey<'a> {
    rule: &'a str,
    package: &'a str,
    version: Option<&'a str>,
    path: &'a str,
    text: &'a str,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tarsier_model::{PackageOrigin, Severity, Span};

    fn finding(rule: &str, path: &str, line: usize, col: usize, text: &str) -> Finding {
        Finding {
            rule_id: rule.to_string(),
            severity: Severity::Error,
            message: "m".to_string(),
            path: path.to_string(),
            span: Span {
                start_line: line,
                start_column: col,
                end_line: line,
                end_column: col + text.len(),
                start_byte: line * 100 + col,
                end_byte: line * 100 + col + text.len(),
            },
            snippet: text.to_string(),
            matched_text: text.to_string(),
            package: None,
            flow: Vec::new(),
            suppression: None,
        }
    }

    fn in_package(mut f: Finding, version: &str) -> Finding {
        f.package = Some(PackageOrigin {
            name: "send".to_string(),
            version: version.to_string(),
            tarball: None,
            integrity: None,
        });
        f
    }

    #[test]
    fn shape_is_32_lowercase_hex() {
        let fp = fingerprints(&[finding("a/b", "x.js", 1, 1, "eval(x)")]);
        assert_eq!(fp.len(), 1);
        assert_eq!(fp[0].len(), 32);
        assert!(
            fp[0]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn stable_when_lines_shift() {
        let before = fingerprints(&[finding("a/b", "x.js", 3, 5, "eval(x)")]);
        let after = fingerprints(&[finding("a/b", "x.js", 40, 9, "eval(x)")]);
        assert_eq!(before, after);
    }

    #[test]
    fn stable_when_unrelated_code_changes() {
        // Another finding of a different rule appears in the same file, and the flagged code's
        // whitespace is reformatted.
        let before = fingerprints(&[finding(
            "a/b",
            "x.js",
            3,
            5,
            "res.redirect(req.query.to, 302)",
        )]);
        let after = fingerprints(&[
            finding("a/other", "x.js", 1, 1, "eval(y)"),
            finding("a/b", "x.js", 7, 5, "res.redirect(req.query.to,\n    302)"),
        ]);
        assert_eq!(before[0], after[1]);
        assert_ne!(after[0], after[1]);
    }

    #[test]
    fn stable_across_package_versions() {
        let old = fingerprints(&[in_package(
            finding("a/b", "lib/x.js", 3, 5, "eval(x)"),
            "1.0.0",
        )]);
        let new = fingerprints(&[in_package(
            finding("a/b", "lib/x.js", 9, 5, "eval(x)"),
            "1.2.0",
        )]);
        assert_eq!(old, new);
        // But a local file at the same path is a different thing.
        let local = fingerprints(&[finding("a/b", "lib/x.js", 3, 5, "eval(x)")]);
        assert_ne!(old, local);
    }

    #[test]
    fn same_text_twice_in_one_file_differs() {
        let fp = fingerprints(&[
            finding("a/b", "x.js", 10, 1, "eval(x)"),
            finding("a/b", "x.js", 2, 1, "eval(x)"),
        ]);
        assert_ne!(fp[0], fp[1]);
        // The first in position order has occurrence 0 whatever the input order.
        let swapped = fingerprints(&[
            finding("a/b", "x.js", 2, 1, "eval(x)"),
            finding("a/b", "x.js", 10, 1, "eval(x)"),
        ]);
        assert_eq!(fp[1], swapped[0]);
        assert_eq!(fp[0], swapped[1]);
        assert_eq!(swapped[0], digest("a/b", "", "x.js", "eval(x)", 0));
        assert_eq!(swapped[1], digest("a/b", "", "x.js", "eval(x)", 1));
    }

    #[test]
    fn two_versions_in_one_run_count_separately() {
        let fp = fingerprints(&[
            in_package(finding("a/b", "x.js", 1, 1, "eval(x)"), "1.0.0"),
            in_package(finding("a/b", "x.js", 1, 1, "eval(x)"), "2.0.0"),
        ]);
        assert_eq!(fp[0], fp[1]);
    }

    #[test]
    fn every_field_matters() {
        let base = digest("r", "p", "f", "t", 0);
        assert_ne!(base, digest("r2", "p", "f", "t", 0));
        assert_ne!(base, digest("r", "p2", "f", "t", 0));
        assert_ne!(base, digest("r", "p", "f2", "t", 0));
        assert_ne!(base, digest("r", "p", "f", "t2", 0));
        assert_ne!(base, digest("r", "p", "f", "t", 1));
        // Field boundaries are unambiguous.
        assert_ne!(digest("ab", "", "f", "t", 0), digest("a", "b", "f", "t", 0));
    }

    #[test]
    fn normalize_collapses_whitespace() {
        assert_eq!(normalize_text("  a\n\t b  c "), "a b c");
        assert_eq!(normalize_text(""), "");
    }
}
