//! Escaping of untrusted text for HTML text, HTML attributes and JSON inside a `<script>` element.
//!
//! Everything in a SARIF log may come from a scanned package (messages quote code, snippets are
//! code), so every string is escaped on the way out, with no exception.

/// Escapes `&`, `<`, `>`, `"` and `'`, which makes the text safe both as element content and
/// inside a quoted attribute value.
///
/// ```
/// assert_eq!(tarsier_report::escape::html("<a href=\"x\">'&'</a>"),
///            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
/// ```
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_html(&mut out, text);
    out
}

/// Appends the escaped form of `text` to `out`; see [`html`].
pub fn push_html(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline have no business in a report and
            // some (NUL) are parse errors; show them as the replacement character.
            c if c.is_control() && c != '\n' && c != '\t' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Makes serialized JSON safe to embed in a `<script type="application/json">` element: `<`, `>`
/// and `&` become `\u003c`, `\u003e` and `\u0026` (so no `</script>` or `<!--` can appear), and
/// the line separators U+2028 and U+2029 are escaped too. JSON only allows these characters
/// inside strings, where the escapes mean the same thing.
///
/// ```
/// assert_eq!(tarsier_report::escape::json_for_script(r#"["</script>"]"#),
///            r#"["\u003c/script\u003e"]"#);
/// ```
pub fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        let s = html("<script>alert(\"x\")</script> & 'y'");
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('"') && !s.contains('\''));
        assert_eq!(
            s,
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(html("a\u{0}b\u{1b}c\nd\te"), "a\u{FFFD}b\u{FFFD}c\nd\te");
    }

    #[test]
    fn json_cannot_close_the_script() {
        let out = json_for_script("[\"</script><!-- \u{2028} &amp;\"]");
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        assert!(!out.contains('\u{2028}'));
        let back: Vec<String> = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(back, ["</script><!-- \u{2028} &amp;"]);
    }
}
