//! The regular expressions of node-semver (`internal/re.js`), ported token by token.
//!
//! node-semver defines its grammar as JavaScript regex sources built from named tokens, then
//! derives a "safe" variant of each in which unbounded repetitions get npm's length caps
//! (`\d*` becomes `\d{0,256}`, ...). Range parsing uses the safe variants, so we do too; keeping
//! the same sources and the same derivation is what makes our answers agree with npm's, edge
//! cases included. Two JavaScript-isms are translated when compiling: `\s` is JavaScript's
//! whitespace set (not Unicode's: it has U+FEFF and lacks U+0085), and `\d` is ASCII only.
//! The `regex` crate runs in linear time, so no input can make these expressions hang.

use regex::{Regex, RegexBuilder};
use std::sync::LazyLock;

/// The characters JavaScript's `\s` and `String.prototype.trim` treat as whitespace, written as
/// the inside of a regex character class.
const JS_WHITESPACE_CLASS: &str =
    r"\t\n\x0B\x0C\r \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// node-semver's `MAX_LENGTH`: the longest version string it accepts.
pub(crate) const MAX_LENGTH: usize = 256;

/// node-semver's `MAX_SAFE_BUILD_LENGTH`.
const MAX_SAFE_BUILD_LENGTH: usize = MAX_LENGTH - 6;

/// JavaScript's `Number.MAX_SAFE_INTEGER`, the largest version component npm accepts.
pub(crate) const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

const LETTERDASHNUMBER: &str = "[a-zA-Z0-9-]";

/// Is `c` whitespace for JavaScript (`\s`, `trim`)?
pub(crate) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// JavaScript's `String.prototype.trim`.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

/// node-semver's `makeSafeRegex`: caps the unbounded repetitions of a source.
fn make_safe(src: &str) -> String {
    let max_length = MAX_LENGTH.to_string();
    let max_build = MAX_SAFE_BUILD_LENGTH.to_string();
    let replacements = [
        (r"\s", "1"),
        (r"\d", max_length.as_str()),
        (LETTERDASHNUMBER, max_build.as_str()),
    ];
    let mut value = src.to_owned();
    for (token, max) in replacements {
        value = value
            .replace(&format!("{token}*"), &format!("{token}{{0,{max}}}"))
            .replace(&format!("{token}+"), &format!("{token}{{1,{max}}}"));
    }
    value
}

/// Translates a JavaScript regex source to the `regex` crate's dialect (see the module docs).
fn to_rust(src: &str) -> String {
    src.replace(r"[v=\s]", &format!("[v={JS_WHITESPACE_CLASS}]"))
        .replace(r"\s", &format!("[{JS_WHITESPACE_CLASS}]"))
        .replace(r"\d", "[0-9]")
}

// The sources are constants of this file, so a failure here is a bug in this file, caught by
// every test; there is no input that can reach it.
#[allow(clippy::expect_used)]
fn compile(rust_src: &str) -> Regex {
    RegexBuilder::new(rust_src)
        .size_limit(64 << 20)
        .dfa_size_limit(16 << 20)
        .build()
        .expect("node-semver regex sources compile")
}

/// Compiles the safe variant of a JavaScript source, as `safeRe` does.
fn safe(src: &str) -> Regex {
    compile(&to_rust(&make_safe(src)))
}

/// The JavaScript regex sources (`src` in `re.js`).
struct Sources {
    full_plain: String,
    loose_plain: String,
    xrange_plain: String,
    xrange_plain_loose: String,
    build: String,
}

/// node-semver's `GTLT` token: an optional comparison operator.
const GTLT: &str = r"((?:<|>)?=?)";

static SRC: LazyLock<Sources> = LazyLock::new(|| {
    let numeric = r"0|[1-9]\d*";
    let numeric_loose = r"\d+";
    let non_numeric = format!(r"\d*[a-zA-Z-]{LETTERDASHNUMBER}*");
    let main_version = format!(r"({numeric})\.({numeric})\.({numeric})");
    let main_version_loose = format!(r"({numeric_loose})\.({numeric_loose})\.({numeric_loose})");
    let pre_id = format!("(?:{non_numeric}|{numeric})");
    let pre_id_loose = format!("(?:{non_numeric}|{numeric_loose})");
    let prerelease = format!(r"(?:-({pre_id}(?:\.{pre_id})*))");
    let prerelease_loose = format!(r"(?:-?({pre_id_loose}(?:\.{pre_id_loose})*))");
    let build_id = format!("{LETTERDASHNUMBER}+");
    let build = format!(r"(?:\+({build_id}(?:\.{build_id})*))");
    let full_plain = format!("v?{main_version}{prerelease}?{build}?");
    let loose_plain = format!(r"[v=\s]*{main_version_loose}{prerelease_loose}?{build}?");
    let xrange_plain_of =
        |id: &str, pre: &str| format!(r"[v=\s]*({id})(?:\.({id})(?:\.({id})(?:{pre})?{build}?)?)?");
    let xrange_plain = xrange_plain_of(&format!(r"{numeric}|x|X|\*"), &prerelease);
    let xrange_plain_loose =
        xrange_plain_of(&format!(r"{numeric_loose}|x|X|\*"), &prerelease_loose);
    Sources {
        full_plain,
        loose_plain,
        xrange_plain,
        xrange_plain_loose,
        build,
    }
});

/// The expressions that differ between node-semver's strict and loose modes.
pub(crate) struct Grammar {
    /// `FULL` / `LOOSE`: a whole version. Groups: 1-3 major, minor, patch; 4 prerelease; 5 build.
    pub(crate) version: Regex,
    /// `XRANGE`: an operator and a partial version. Groups: 1 operator; 2-4 major, minor, patch;
    /// 5 prerelease; 6 build.
    pub(crate) xrange: Regex,
    /// `TILDE`: `~` or `~>` and a partial version. Groups: 1-3 major, minor, patch; 4 prerelease.
    pub(crate) tilde: Regex,
    /// `CARET`: `^` and a partial version. Groups: 1-3 major, minor, patch; 4 prerelease.
    pub(crate) caret: Regex,
    /// `COMPARATOR`: an operator and a full version, or nothing. Groups: 1 operator; 2 version.
    pub(crate) comparator: Regex,
    /// `HYPHENRANGE`: `a - b`. Groups: 1 from (2-6 its parts); 7 to (8-12 its parts).
    pub(crate) hyphen_range: Regex,
}

impl Grammar {
    fn new(loose: bool) -> Grammar {
        let (plain, xplain) = if loose {
            (&SRC.loose_plain, &SRC.xrange_plain_loose)
        } else {
            (&SRC.full_plain, &SRC.xrange_plain)
        };
        Grammar {
            version: safe(&format!("^{plain}$")),
            xrange: safe(&format!(r"^{GTLT}\s*{xplain}$")),
            tilde: safe(&format!("^(?:~>?){xplain}$")),
            caret: safe(&format!(r"^(?:\^){xplain}$")),
            comparator: safe(&format!(r"^{GTLT}\s*({plain})$|^$")),
            hyphen_range: safe(&format!(r"^\s*({xplain})\s+-\s+({xplain})\s*$")),
        }
    }
}

/// node-semver's strict grammar (the default).
pub(crate) static STRICT: LazyLock<Grammar> = LazyLock::new(|| Grammar::new(false));

/// node-semver's loose grammar (`{ loose: true }`), which npm-package-arg uses.
pub(crate) static LOOSE: LazyLock<Grammar> = LazyLock::new(|| Grammar::new(true));

/// `TILDETRIM`: whitespace after a tilde (replaced by `$1~`).
pub(crate) static TILDE_TRIM: LazyLock<Regex> = LazyLock::new(|| safe(r"(\s*)(?:~>?)\s+"));

/// `CARETTRIM`: whitespace after a caret (replaced by `$1^`).
pub(crate) static CARET_TRIM: LazyLock<Regex> = LazyLock::new(|| safe(r"(\s*)(?:\^)\s+"));

/// `COMPARATORTRIM`: whitespace between an operator and its version (replaced by `$1$2$3`).
pub(crate) static COMPARATOR_TRIM: LazyLock<Regex> = LazyLock::new(|| {
    safe(&format!(
        r"(\s*){GTLT}\s*({}|{})",
        SRC.loose_plain, SRC.xrange_plain
    ))
});

/// `STAR`: a `*`, possibly after an operator.
pub(crate) static STAR: LazyLock<Regex> = LazyLock::new(|| safe(r"(<|>)?=?\s*\*"));

/// `GTE0`: `>=0.0.0`, which means any version.
pub(crate) static GTE0: LazyLock<Regex> = LazyLock::new(|| safe(r"^\s*>=\s*0\.0\.0\s*$"));

/// `GTE0PRE`: `>=0.0.0-0`, which means any version when prereleases are included.
pub(crate) static GTE0_PRE: LazyLock<Regex> = LazyLock::new(|| safe(r"^\s*>=\s*0\.0\.0-0\s*$"));

/// The build-metadata stripper of `Range.parseRange` (unbounded, global, like npm's).
pub(crate) static BUILD_STRIP: LazyLock<Regex> = LazyLock::new(|| compile(&to_rust(&SRC.build)));

/// The safe `BUILD` token, as `parseComparator` uses it (first match only).
pub(crate) static BUILD: LazyLock<Regex> = LazyLock::new(|| safe(&SRC.build));

/// A run of JavaScript whitespace (`/\s+/`).
pub(crate) static WHITESPACE_RUN: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!("[{JS_WHITESPACE_CLASS}]+")));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_expression_compiles() {
        for g in [&*STRICT, &*LOOSE] {
            for re in [
                &g.version,
                &g.xrange,
                &g.tilde,
                &g.caret,
                &g.comparator,
                &g.hyphen_range,
            ] {
                assert!(!re.as_str().is_empty());
            }
        }
        for re in [
            &TILDE_TRIM,
            &CARET_TRIM,
            &COMPARATOR_TRIM,
            &STAR,
            &GTE0,
            &GTE0_PRE,
            &BUILD_STRIP,
            &BUILD,
            &WHITESPACE_RUN,
        ] {
            assert!(!re.as_str().is_empty());
        }
    }

    #[test]
    fn make_safe_caps_repetitions_like_node_semver() {
        assert_eq!(make_safe(r"\s*x\s+"), r"\s{0,1}x\s{1,1}");
        assert_eq!(make_safe(r"[1-9]\d*"), r"[1-9]\d{0,256}");
        assert_eq!(make_safe("[a-zA-Z0-9-]+"), "[a-zA-Z0-9-]{1,250}");
    }

    #[test]
    fn whitespace_is_javascripts_not_unicodes() {
        assert!(is_js_whitespace('\u{FEFF}'));
        assert!(!is_js_whitespace('\u{85}'));
        assert_eq!(js_trim("\u{FEFF} 1.2.3\u{3000}"), "1.2.3");
        assert!(WHITESPACE_RUN.is_match("\u{FEFF}"));
        assert!(!WHITESPACE_RUN.is_match("\u{85}"));
    }

    #[test]
    fn digits_are_ascii_only() {
        assert!(STRICT.version.is_match("1.2.3"));
        assert!(!STRICT.version.is_match("\u{661}.2.3"));
        assert!(!LOOSE.version.is_match("\u{661}.2.3"));
    }
}
