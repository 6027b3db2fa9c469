//! Text helpers shared by the checks: byte offsets to spans, snippets, normalised matched text,
//! Shannon entropy, and the classification of file paths (JavaScript, build output).

use tarsier_model::Span;

/// Longest snippet kept in a finding, in characters.
const MAX_SNIPPET_CHARS: usize = 400;
/// Longest matched text kept in a finding, in characters.
const MAX_MATCHED_CHARS: usize = 200;

/// The largest index `<= i` that is a char boundary of `s`.
pub(crate) fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The span of bytes `start..end` in `text`; lines and columns 1-based, columns in Unicode
/// scalar values. Out-of-range offsets are clamped.
pub(crate) fn span_of(text: &str, start: usize, end: usize) -> Span {
    let start = floor_boundary(text, start);
    let end = floor_boundary(text, end.max(start));
    let (start_line, start_column) = line_col(text, start);
    let (end_line, end_column) = line_col(text, end);
    Span {
        start_line,
        start_column,
        end_line,
        end_column,
        start_byte: start,
        end_byte: end,
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// The span for a package-level fact: line 1, column 1, empty.
pub(crate) fn file_span() -> Span {
    Span {
        start_line: 1,
        start_column: 1,
        end_line: 1,
        end_column: 1,
        start_byte: 0,
        end_byte: 0,
    }
}

/// The whole lines of `text` that `span` covers, truncated.
pub(crate) fn snippet(text: &str, span: &Span) -> String {
    let start = floor_boundary(text, span.start_byte);
    let end = floor_boundary(text, span.end_byte.max(start));
    let line_start = text
        .get(..start)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(end..)
        .and_then(|a| a.find('\n'))
        .map_or(text.len(), |i| end + i);
    truncate(
        text.get(line_start..line_end).unwrap_or_default(),
        MAX_SNIPPET_CHARS,
    )
}

/// Whitespace collapsed to single spaces and truncated: stable input for fingerprints.
pub(crate) fn normalise(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&collapsed, MAX_MATCHED_CHARS)
}

/// At most `max` characters of `s`, with `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or_default()),
        None => s.to_owned(),
    }
}

/// Shannon entropy of `s` in bits per byte.
pub(crate) fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in s {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// Whether the path names a JavaScript (or TypeScript) source file.
pub(crate) fn is_js_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        && !lower.ends_with(".d.ts")
}

/// Whether the path looks like build output (a minified file or a bundle directory), where one
/// long line is expected.
pub(crate) fn is_build_output_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".min.js")
        || lower.ends_with(".min.mjs")
        || lower.ends_with(".min.cjs")
        || lower.contains(".bundle.")
        || lower
            .split('/')
            .rev()
            .skip(1)
            .any(|dir| matches!(dir, "dist" | "build" | "umd" | "bundle" | "bundles" | "min"))
}

/// Line starts of a text, for many offset-to-line lookups in `O(log n)` each.
pub(crate) struct LineIndex(Vec<usize>);

impl LineIndex {
    /// Indexes `text`.
    pub(crate) fn new(text: &str) -> Self {
        Self(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// The 1-based line of byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset).max(1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_unicode_columns() {
        let text = "ab\né x = 1\n";
        let start = text.find('x').unwrap();
        let span = span_of(text, start, start + 1);
        assert_eq!((span.start_line, span.start_column), (2, 3));
        assert_eq!(snippet(text, &span), "é x = 1");
        // Offsets inside a character or past the end are clamped, not a panic.
        let span = span_of(text, 4, 1000);
        assert_eq!(span.end_byte, text.len());
    }

    #[test]
    fn entropy_separates_text_from_random() {
        assert!(entropy(b"aaaaaaaa") < 0.01);
        let b64 = b"q83vEjRWeJq8DDFmUmNkdG9YbG9XNDJwdEtzUVpHd0RwN0dhZ1RpZ3VFR3pOYk1hZ2dQTA==";
        assert!(entropy(b64) > 5.0, "{}", entropy(b64));
        assert!(entropy(b"the quick brown fox jumps over the lazy dog") < 4.5);
    }

    #[test]
    fn classifies_paths() {
        assert!(is_js_path("lib/a.mjs"));
        assert!(!is_js_path("types/a.d.ts"));
        assert!(!is_js_path("README.md"));
        assert!(is_build_output_path("dist/index.js"));
        assert!(is_build_output_path("lib/x.min.js"));
        assert!(!is_build_output_path("dist.js"));
        assert!(!is_build_output_path("lib/index.js"));
    }

    #[test]
    fn line_index() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(1), 1, "the newline belongs to its line");
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(6), 4);
        assert_eq!(idx.line(1000), 4);
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(normalise("a \n\t b"), "a b");
    }
}
