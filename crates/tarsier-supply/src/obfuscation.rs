//! Obfuscated JavaScript: the signs that code was made unreadable on purpose, as opposed to
//! minified for size.
//!
//! Signals, each enough alone:
//! - packers: `eval(atob(...))`, `eval(Buffer.from(...))`, `Function(Buffer.from(...).toString())`,
//!   `eval(function(p,a,c,k,e,...`, `eval(String.fromCharCode(...))`;
//! - `_0x`-style identifier tables (javascript-obfuscator): five or more distinct `_0x1a2b`
//!   names;
//! - dense `\xNN` / `\uNNNN` escapes of printable ASCII (`\x70\x6f\x73\x74` for `post`): at
//!   least 50 of them, making up a fifth of the file. Escapes of other characters are how
//!   tables of accented letters or control characters are written (lodash's `_deburrLetter.js`),
//!   and do not count;
//! - a string literal of 200+ characters with more than 5.2 bits of entropy per character that
//!   is not a `data:` URL;
//! - a line of 4,000+ characters with few JavaScript keywords (under 2 per 1,000 characters) in
//!   a file that is not build output. Minified code (terser, esbuild, webpack) keeps `function`,
//!   `return`, `var`, `this` and property names, so it stays above that density; code hidden
//!   in one big string or array does not.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use tarsier_model::Severity;

use crate::rule_ids::OBFUSCATED_CODE;
use crate::{Ctx, text};

static PACKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\beval\s*\(\s*(?:atob|Buffer\s*\.\s*from|unescape|decodeURIComponent|String\s*\.\s*fromCharCode|function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e)\b|\b(?:new\s+)?Function\s*\(\s*(?:atob\s*\(|Buffer\s*\.\s*from\s*\(|unescape\s*\(|String\s*\.\s*fromCharCode\s*\()",
    )
    .unwrap_or_else(|_| never())
});

static HEX_IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b_0x[0-9a-fA-F]{3,8}\b").unwrap_or_else(|_| never()));

static ESCAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\u\{[0-9a-fA-F]{1,6}\}")
        .unwrap_or_else(|_| never())
});

/// Characters a long string literal is made of at least (Unicode scalar values).
const LONG_STRING_CHARS: usize = 200;

/// The string literals of `code` with at least [`LONG_STRING_CHARS`] characters and no
/// backslash or line break inside (in a template: no backslash or `$`), as byte ranges with
/// their quotes, leftmost first and not overlapping. This is what the regex in the test below
/// finds, written by hand: a lazy DFA for the counted repetition is slow on every quote of a file.
fn long_strings(code: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let bytes = code.as_bytes();
    let mut resume = 0;
    memchr::memchr3_iter(b'"', b'\'', b'`', bytes).filter_map(move |open| {
        if open < resume {
            return None;
        }
        let quote = bytes.get(open).copied()?;
        let stop =
            |b: u8| b == quote || b == b'\\' || if quote == b'`' { b == b'$' } else { b == b'\n' };
        let mut chars = 0usize;
        let mut end = open + 1;
        while let Some(&b) = bytes.get(end) {
            if stop(b) {
                break;
            }
            // Count characters, not bytes: skip UTF-8 continuation bytes.
            if b & 0xC0 != 0x80 {
                chars += 1;
            }
            end += 1;
        }
        (bytes.get(end) == Some(&quote) && chars >= LONG_STRING_CHARS).then(|| {
            resume = end + 1;
            open..end + 1
        })
    })
}

static KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:function|return|var|let|const|this|new|typeof|if|else|for|while|prototype|exports|null|void)\b")
        .unwrap_or_else(|_| never())
});

fn never() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!())
}

/// Minimum entropy (bits per character) of a long string literal to count as packed data.
const STRING_ENTROPY: f64 = 5.2;
/// Line length from which a line counts as huge.
const HUGE_LINE: usize = 4000;

/// One sign of obfuscation in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// What was seen, stable across versions of the same code (`packer eval(atob`).
    pub what: String,
    /// Where it starts (byte offset).
    pub start: usize,
    /// Where it ends.
    pub end: usize,
}

/// The obfuscation signals of a JavaScript file, strongest first.
pub fn signals(path: &str, code: &str) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(m) = PACKER.find(code) {
        let what: String = m.as_str().split_whitespace().collect();
        out.push(Signal {
            what: format!("a packer ({what}…)"),
            start: m.start(),
            end: m.end(),
        });
    }
    let mut names = BTreeSet::new();
    let mut first_hex = None;
    for m in HEX_IDENT.find_iter(code) {
        names.insert(m.as_str());
        first_hex.get_or_insert((m.start(), m.end()));
        if names.len() >= 5 {
            break;
        }
    }
    if let (true, Some((start, end))) = (names.len() >= 5, first_hex) {
        out.push(Signal {
            what: "an `_0x` identifier table".to_owned(),
            start,
            end,
        });
    }
    let mut escapes = 0usize;
    let mut escaped_bytes = 0usize;
    let mut first_escape = None;
    for m in ESCAPE.find_iter(code) {
        let digits = m
            .as_str()
            .trim_start_matches(['\\', 'x', 'u', '{'])
            .trim_end_matches('}');
        let printable = u32::from_str_radix(digits, 16).is_ok_and(|c| (0x20..0x7f).contains(&c));
        if !printable {
            continue;
        }
        escapes += 1;
        escaped_bytes += m.len();
        first_escape.get_or_insert((m.start(), m.end()));
    }
    if let Some((start, end)) = first_escape
        && escapes >= 50
        && escaped_bytes * 5 >= code.len()
    {
        out.push(Signal {
            what: format!("dense escapes ({escapes} `\\x`/`\\u` escapes of plain ASCII)"),
            start,
            end,
        });
    }
    for m in long_strings(code) {
        let body = code
            .get(m.start + 1..m.end.saturating_sub(1))
            .unwrap_or_default();
        if body.starts_with("data:") || body.contains(' ') {
            continue;
        }
        let e = text::entropy(body.as_bytes());
        if e > STRING_ENTROPY {
            out.push(Signal {
                what: format!(
                    "a high-entropy string of {} characters ({e:.1} bits per character)",
                    body.chars().count()
                ),
                start: m.start,
                end: m.start + 1,
            });
            break;
        }
    }
    if !text::is_build_output_path(path) {
        let mut offset = 0;
        for line in code.split_inclusive('\n') {
            if line.len() >= HUGE_LINE {
                let keywords = KEYWORD.find_iter(line).count();
                if keywords * 1000 < 2 * line.len() {
                    out.push(Signal {
                        what: format!(
                            "a line of {} characters that is not ordinary minified code ({keywords} keywords)",
                            line.len()
                        ),
                        start: offset,
                        end: offset,
                    });
                    break;
                }
            }
            offset += line.len();
        }
    }
    out
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let mut reports = Vec::new();
    for (path, code) in ctx.js_files() {
        let found = signals(path, code);
        let Some(first) = found.first() else { continue };
        let whats: Vec<&str> = found.iter().map(|s| s.what.as_str()).collect();
        let decoded = ctx.decoded(path).map_or_else(String::new, |d| {
            let shown: Vec<String> = d.decodings.iter().take(4).map(|x| x.describe()).collect();
            format!(
                "; {} expressions decoded, e.g. {}",
                d.decodings.len(),
                shown.join(", ")
            )
        });
        let message = format!(
            "{path} in {} looks obfuscated: {}{decoded}",
            ctx.package.spec(),
            whats.join("; ")
        );
        // Stable across versions: the kinds of signal, not their counts.
        let matched = found
            .iter()
            .map(|s| s.what.split(" (").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ");
        reports.push((path, first.start, first.end, message, matched));
    }
    for (path, start, end, message, matched) in reports {
        ctx.obfuscated.insert(path.to_owned());
        ctx.report_in(
            OBFUSCATED_CODE,
            Severity::Warning,
            message,
            path,
            start,
            end,
            &matched,
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {

    /// `long_strings` finds exactly what the regex it replaces finds.
    #[test]
    fn long_strings_match_the_regex() {
        let regex = Regex::new(r#""[^"\\\n]{200,}"|'[^'\\\n]{200,}'|`[^`\\$]{200,}`"#).unwrap();
        let long = "a".repeat(200);
        let wide = "é".repeat(200);
        let inputs = [
            format!("x = \"{long}\";"),
            format!("x = '{}';", "a".repeat(199)),
            format!("x = \"{wide}\" + '{}'", "é".repeat(199)),
            format!("s = `{long}\n{long}`; t = `{long}${{x}}`"),
            format!("\"{long}'{long}\" '{long}\"{long}'"),
            format!("'{long}\\n{long}' \"{long}\n{long}\""),
            format!("\"{long}"),
            format!("'\"{long}\"' `{long}` \"\" ''"),
        ];
        let mut found = 0;
        for input in &inputs {
            let ours: Vec<_> = long_strings(input).collect();
            let theirs: Vec<_> = regex.find_iter(input).map(|m| m.range()).collect();
            assert_eq!(ours, theirs, "{input}");
            found += ours.len();
        }
        assert!(found >= 6, "{found}");
    }
    use super::*;

    fn whats(path: &str, code: &str) -> Vec<String> {
        signals(path, code).into_iter().map(|s| s.what).collect()
    }

    #[test]
    fn packers() {
        assert_eq!(whats("a.js", "eval(atob('YWxlcnQoMSk='))").len(), 1);
        assert_eq!(
            whats(
                "a.js",
                "new Function(Buffer.from(s, 'base64').toString())()"
            )
            .len(),
            1
        );
        assert_eq!(
            whats(
                "a.js",
                "eval(function(p,a,c,k,e,d){return p}('x',1,1,'x'.split('|')))"
            )
            .len(),
            1
        );
        assert!(whats("a.js", "eval(code)").is_empty());
        assert!(whats("a.js", "const fn = new Function('a', 'return a')").is_empty());
    }

    #[test]
    fn hex_identifier_tables() {
        let code = "var _0x1a2b=['a'],_0x2b3c=1,_0x3c4d=2,_0x4d5e=3;function _0x5e6f(){}";
        assert_eq!(whats("a.js", code), vec!["an `_0x` identifier table"]);
        assert!(whats("a.js", "var _0x1a2b = 1;").is_empty());
    }

    #[test]
    fn dense_escapes_but_not_a_unicode_table_in_a_big_file() {
        let dense = "var s='".to_owned() + &"\\x63".repeat(60) + "';";
        assert_eq!(signals("a.js", &dense).len(), 1);
        let sparse = "var r=/[".to_owned()
            + &"\\u0300-\\u036f".repeat(30)
            + "]/;\n"
            + &"function f(a) { return a + 1; }\n".repeat(200);
        assert!(whats("a.js", &sparse).is_empty());
    }

    #[test]
    fn escaped_accented_letters_are_not_obfuscation() {
        // lodash's _deburrLetter.js (regression: flagged in a measurement on real packages).
        let table = "var deburredLetters = {\n".to_owned()
            + &"  '\\xc0': 'A',  '\\xc1': 'A', '\\xe0': 'a', '\\u0100': 'A',\n".repeat(40)
            + "};\n";
        assert!(whats("_deburrLetter.js", &table).is_empty());
        let ascii = "var s = '".to_owned() + &"\\x70\\x6f\\u0073\\x74".repeat(20) + "';";
        assert_eq!(whats("a.js", &ascii).len(), 1);
    }

    #[test]
    fn high_entropy_strings() {
        let b64: String = (0..300u32)
            .map(|i| {
                let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                char::from(alphabet[((i * 37 + i / 7) % 64) as usize])
            })
            .collect();
        let code = format!("const payload = \"{b64}\";");
        assert_eq!(
            signals("a.js", &code).len(),
            1,
            "{:?}",
            whats("a.js", &code)
        );
        let data_url = format!("const icon = 'data:image/png;base64,{b64}';");
        assert!(whats("a.js", &data_url).is_empty());
        let prose = format!("const m = '{}';", "the quick brown fox ".repeat(20));
        assert!(whats("a.js", &prose).is_empty());
    }

    #[test]
    fn minified_code_is_not_obfuscation() {
        let minified = "!function(e,t){\"object\"==typeof exports?module.exports=t():e.lib=t()}(this,function(){var n={};function r(e){if(n[e])return n[e].exports;var t=n[e]={exports:{}};return t.exports}return r.prototype.x=function(e){return this.y(e)},r});".repeat(40);
        assert!(minified.len() > HUGE_LINE);
        assert!(whats("lib/index.js", &minified).is_empty());
        assert!(whats("dist/lib.min.js", &minified).is_empty());
        let hidden = format!("module.exports=[{}];", "'aGVsbG8gd29ybGQ',".repeat(400));
        assert_eq!(whats("lib/index.js", &hidden).len(), 1);
        // The same line in build output is left alone.
        assert!(whats("dist/index.js", &hidden).is_empty());
    }
}
