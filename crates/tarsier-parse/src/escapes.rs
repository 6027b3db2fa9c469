//! Decoding the escapes of JavaScript string literals: one decoder for every crate that needs a
//! literal's value (the ReDoS analyzer reading `new RegExp('...')`, the deobfuscator reading
//! `'\x68\x74\x74\x70'`, rule predicates written as string literals).

use std::iter::Peekable;
use std::str::Chars;

/// The value of a JavaScript string literal's body (the text between its quotes), escapes
/// decoded as a sloppy-mode script decodes them:
///
/// - single-character escapes `\n \t \r \b \f \v`, and `\'`, `\"`, `\\`;
/// - `\0` (NUL) and legacy octal escapes `\101`, `\7`, `\0dd` (at most `\377`);
/// - `\xHH`, `\uHHHH` and `\u{H+}`; a surrogate pair written as two escapes (`\uD83D\uDE00`)
///   is joined into one character;
/// - line continuations: a backslash before LF, CR, CR LF, U+2028 or U+2029 adds nothing;
/// - any other escaped character stands for itself (`\q` is `q`, `\8` is `8`).
///
/// The text is attacker-controlled, so malformed escapes (a syntax error in JavaScript) never
/// panic and keep the rest of the text: a `\x` or `\u` escape without its hex digits, or naming
/// no Unicode code point (`\u{110000}`), loses its backslash and letter and keeps what follows
/// as plain text (`\xZZ` is `ZZ`, `\x4` is `4`); a lone surrogate (`\uD800`), which a Rust
/// string cannot hold, becomes U+FFFD; a trailing lone backslash is dropped.
///
/// ```
/// use tarsier_parse::unescape_js_string;
/// assert_eq!(unescape_js_string(r"\x68\u0074\u{74}p\163"), "https");
/// assert_eq!(unescape_js_string(r"\\d+\.x"), r"\d+.x");
/// ```
pub fn unescape_js_string(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { break };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '0'..='7' => out.push(octal_escape(e, &mut chars)),
            'x' => match fixed_hex(&mut chars, 2) {
                Ok(code) => out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)),
                Err(text) => out.push_str(&text),
            },
            'u' => match unicode_escape(&mut chars) {
                Ok(code) => out.push(unicode_char(code, &mut chars)),
                Err(text) => out.push_str(&text),
            },
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            other => out.push(other),
        }
    }
    out
}

/// A legacy octal escape whose first digit is `first`: up to three digits, value at most `\377`.
fn octal_escape(first: char, chars: &mut Peekable<Chars<'_>>) -> char {
    let mut n = first.to_digit(8).unwrap_or(0);
    for _ in 0..2 {
        match chars.peek().and_then(|c| c.to_digit(8)) {
            Some(d) if n * 8 + d <= 0o377 => {
                n = n * 8 + d;
                chars.next();
            }
            _ => break,
        }
    }
    // At most 0o377: always a character.
    char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Exactly `count` hex digits; on failure, the digits consumed (as text to keep).
fn fixed_hex(chars: &mut Peekable<Chars<'_>>, count: usize) -> Result<u32, String> {
    let mut digits = String::with_capacity(count);
    while digits.len() < count {
        match chars.next_if(char::is_ascii_hexdigit) {
            Some(d) => digits.push(d),
            None => return Err(digits),
        }
    }
    u32::from_str_radix(&digits, 16).map_err(|_| digits)
}

/// The code of a `\u` escape after its `u`: `HHHH` or `{H+}` (at most U+10FFFF); on failure,
/// the text consumed.
fn unicode_escape(chars: &mut Peekable<Chars<'_>>) -> Result<u32, String> {
    if chars.next_if_eq(&'{').is_none() {
        return fixed_hex(chars, 4);
    }
    let mut text = String::from('{');
    while let Some(d) = chars.next_if(char::is_ascii_hexdigit) {
        text.push(d);
    }
    if chars.next_if_eq(&'}').is_none() {
        return Err(text);
    }
    let code = u32::from_str_radix(&text[1..], 16).ok();
    text.push('}');
    code.filter(|&c| c <= 0x10_FFFF).ok_or(text)
}

/// The character of a decoded `\u` escape `code`; a high surrogate followed by a `\u` escape of
/// a low surrogate takes that escape too and makes one character.
fn unicode_char(code: u32, chars: &mut Peekable<Chars<'_>>) -> char {
    if let Some(c) = char::from_u32(code) {
        return c;
    }
    if (0xD800..0xDC00).contains(&code) {
        let mut ahead = chars.clone();
        if ahead.next() == Some('\\')
            && ahead.next() == Some('u')
            && let Ok(low @ 0xDC00..0xE000) = unicode_escape(&mut ahead)
            && let Some(c) = char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        {
            *chars = ahead;
            return c;
        }
    }
    char::REPLACEMENT_CHARACTER
}

#[cfg(test)]
mod tests {
    use super::unescape_js_string as unescape;

    #[test]
    fn single_character_escapes() {
        assert_eq!(unescape(r"\n\t\r\b\f\v"), "\n\t\r\u{8}\u{c}\u{b}");
        assert_eq!(unescape(r#"a\'b\"c\\d"#), "a'b\"c\\d");
        assert_eq!(unescape(r"\\d+\.x"), r"\d+.x");
        assert_eq!(unescape("plain é text"), "plain é text");
    }

    #[test]
    fn nul_and_legacy_octal() {
        assert_eq!(unescape(r"\0"), "\0");
        assert_eq!(unescape(r"a\0b"), "a\0b");
        assert_eq!(unescape(r"\08"), "\08");
        assert_eq!(unescape(r"\150ttp"), "http");
        assert_eq!(unescape(r"\101\7"), "A\u{7}");
        // At most \377: \400 is \40 then '0'.
        assert_eq!(unescape(r"\400"), " 0");
        assert_eq!(unescape(r"\377"), "\u{ff}");
        assert_eq!(unescape(r"\8\9"), "89");
    }

    #[test]
    fn hex_and_unicode_escapes() {
        assert_eq!(unescape(r"\x41\u0042\u{43}\n"), "ABC\n");
        assert_eq!(unescape(r"\x68\x74\x74\x70\x73"), "https");
        assert_eq!(unescape(r"\u{1F600}\u{0000041}"), "\u{1F600}A");
        assert_eq!(unescape(r"\u00e9"), "é");
    }

    #[test]
    fn surrogate_pairs_join_and_lone_surrogates_are_replaced() {
        assert_eq!(unescape(r"\uD83D\uDE00"), "\u{1F600}");
        assert_eq!(unescape(r"\uD83D\u{DE00}!"), "\u{1F600}!");
        assert_eq!(unescape(r"\uD800x"), "\u{FFFD}x");
        assert_eq!(unescape(r"\uDE00"), "\u{FFFD}");
        assert_eq!(unescape(r"\uD83D\n"), "\u{FFFD}\n");
        assert_eq!(unescape(r"\uD83D\u0041"), "\u{FFFD}A");
    }

    #[test]
    fn line_continuations_add_nothing() {
        assert_eq!(unescape("a\\\nb"), "ab");
        assert_eq!(unescape("a\\\r\nb"), "ab");
        assert_eq!(unescape("a\\\rb"), "ab");
        assert_eq!(unescape("a\\\u{2028}b\\\u{2029}c"), "abc");
    }

    #[test]
    fn unknown_escapes_stand_for_themselves() {
        assert_eq!(unescape(r"\q\-\/\$"), "q-/$");
        assert_eq!(unescape(r"\é"), "é");
    }

    #[test]
    fn malformed_escapes_keep_their_text_and_never_panic() {
        assert_eq!(unescape(r"\xZZ"), "ZZ");
        assert_eq!(unescape(r"\x4"), "4");
        assert_eq!(unescape(r"\x4\n"), "4\n");
        assert_eq!(unescape(r"\x+1"), "+1");
        assert_eq!(unescape(r"\x"), "");
        assert_eq!(unescape(r"\u12"), "12");
        assert_eq!(unescape(r"\u+041"), "+041");
        assert_eq!(unescape(r"\u{110000}"), "{110000}");
        assert_eq!(unescape(r"\u{FFFFFFFFFFFF}"), "{FFFFFFFFFFFF}");
        assert_eq!(unescape(r"\u{41"), "{41");
        assert_eq!(unescape(r"\u{}"), "{}");
        assert_eq!(unescape(r"\u{"), "{");
        assert_eq!(unescape("bad\\"), "bad");
        assert_eq!(unescape("\\"), "");
        assert_eq!(unescape(""), "");
    }
}
