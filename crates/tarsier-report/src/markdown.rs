//! A small, safe Markdown subset for rule help: headings, fenced code, lists, paragraphs, inline
//! code and bold.
//!
//! The text is escaped first and only then given markup, so nothing in the input can produce an
//! element or an attribute. Links are shown as their text followed by the address in
//! parentheses, never as `<a href>`, because a report must not lead anywhere by itself.

use crate::escape;

/// Renders `markdown` as HTML.
///
/// ```
/// let html = tarsier_report::markdown::render("## Why\nUse `res.redirect` <b>carefully</b>.");
/// assert_eq!(html, "<h5>Why</h5>\n<p>Use <code>res.redirect</code> &lt;b&gt;carefully&lt;/b&gt;.</p>\n");
/// ```
pub fn render(markdown: &str) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut in_list = false;
    let mut fence: Option<String> = None;

    for line in markdown.lines() {
        if let Some(code) = fence.as_mut() {
            if line.trim_start().starts_with("```") {
                out.push_str("<pre><code>");
                out.push_str(&escape::html(code));
                out.push_str("</code></pre>\n");
                fence = None;
            } else {
                code.push_str(line);
                code.push('\n');
            }
            continue;
        }
        let trimmed = line.trim();
        let is_item = trimmed.starts_with("- ") || trimmed.starts_with("* ");
        if trimmed.starts_with("```") || trimmed.is_empty() || heading(trimmed).is_some() || is_item
        {
            flush_paragraph(&mut out, &mut paragraph);
        }
        if in_list && !is_item {
            out.push_str("</ul>\n");
            in_list = false;
        }
        if trimmed.starts_with("```") {
            fence = Some(String::new());
        } else if trimmed.is_empty() {
        } else if let Some((level, text)) = heading(trimmed) {
            // Rule help starts at `##`; keep the page's outline below the finding headings.
            let tag = (level + 3).min(6);
            out.push_str(&format!("<h{tag}>{}</h{tag}>\n", inline(text)));
        } else if is_item {
            if !in_list {
                out.push_str("<ul>\n");
                in_list = true;
            }
            let text = trimmed.get(2..).unwrap_or("");
            out.push_str(&format!("<li>{}</li>\n", inline(text)));
        } else {
            paragraph.push(trimmed);
        }
    }
    if let Some(code) = fence {
        // An unclosed fence: show what there is.
        out.push_str("<pre><code>");
        out.push_str(&escape::html(&code));
        out.push_str("</code></pre>\n");
    }
    flush_paragraph(&mut out, &mut paragraph);
    if in_list {
        out.push_str("</ul>\n");
    }
    out
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&level) {
        let rest = line.get(level..)?;
        if let Some(text) = rest.strip_prefix(' ') {
            return Some((level, text.trim()));
        }
    }
    None
}

fn flush_paragraph(out: &mut String, paragraph: &mut Vec<&str>) {
    if paragraph.is_empty() {
        return;
    }
    out.push_str("<p>");
    out.push_str(&inline(&paragraph.join(" ")));
    out.push_str("</p>\n");
    paragraph.clear();
}

/// Inline markup on escaped text: `code`, **bold**, and `[text](url)` shown as `text (url)`.
fn inline(text: &str) -> String {
    let escaped = escape::html(text);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    let mut bold = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`')
            && let Some(end) = after.find('`')
        {
            out.push_str("<code>");
            out.push_str(after.get(..end).unwrap_or(""));
            out.push_str("</code>");
            rest = after.get(end + 1..).unwrap_or("");
            continue;
        }
        if let Some(after) = rest.strip_prefix("**") {
            // Only open bold when it is closed later, so tags always balance.
            if bold || after.contains("**") {
                out.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
                rest = after;
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix('[')
            && let Some((label, url)) = link(after)
        {
            out.push_str(label);
            out.push_str(" (");
            out.push_str(url);
            out.push(')');
            // `[`, label, `](`, url, `)`.
            rest = after.get(label.len() + 2 + url.len() + 1..).unwrap_or("");
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}

/// Longest label and address of a link; looking further would make text with many `[` quadratic.
const MAX_LINK: usize = 512;

/// The label and address of `label](url)` at the start of `text`, if it is one.
fn link(text: &str) -> Option<(&str, &str)> {
    let mut limit = text.len().min(MAX_LINK);
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = text.get(..limit)?;
    let (label, tail) = window.split_once("](")?;
    let (url, _) = tail.split_once(')')?;
    (!label.contains('[') && !label.contains(']')).then_some((label, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset() {
        let md = "## What it does\nFinds **open** redirects\nin `send`.\n\n- one\n- two <x>\n\n```js\nres.redirect(\"<a>\")\n```\nSee [docs](https://example.invalid/x).";
        let html = render(md);
        assert_eq!(
            html,
            "<h5>What it does</h5>\n<p>Finds <strong>open</strong> redirects in <code>send</code>.</p>\n\
             <ul>\n<li>one</li>\n<li>two &lt;x&gt;</li>\n</ul>\n\
             <pre><code>res.redirect(&quot;&lt;a&gt;&quot;)\n</code></pre>\n\
             <p>See docs (https://example.invalid/x).</p>\n"
        );
        assert!(!html.contains("href"));
    }

    #[test]
    fn hostile_input_stays_text() {
        for md in [
            "<script>alert(1)</script>",
            "# <img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "```\n</code></pre><script>\n",
            "**unclosed <b>",
            "`",
        ] {
            let html = render(md);
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<b>"), "{html}");
            assert!(!html.contains("href"), "{html}");
            assert_eq!(
                html.matches("<strong>").count(),
                html.matches("</strong>").count()
            );
        }
    }

    #[test]
    fn pathological_input_is_linear() {
        let start = std::time::Instant::now();
        for md in [
            "[".repeat(1 << 18),
            "[a](".repeat(1 << 16),
            "**`".repeat(1 << 16),
            "#".repeat(1 << 18),
        ] {
            let html = render(&md);
            assert!(html.len() >= md.len() / 2);
        }
        // Quadratic behaviour would take hours; linear takes well under a second.
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn multibyte_text_near_links() {
        let md = format!("[{}](x) \u{e9}[\u{e9}](\u{e9}) [", "\u{e9}".repeat(300));
        let html = render(&md);
        // The label is longer than a link may be: left as text.
        assert!(html.starts_with("<p>[\u{e9}"), "{html}");
        assert!(
            html.ends_with("](x) \u{e9}\u{e9} (\u{e9}) [</p>\n"),
            "{html}"
        );
    }
}
