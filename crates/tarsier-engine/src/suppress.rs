//! Inline suppression comments.
//!
//! `// tarsier-ignore-next-line RULE_ID[, RULE_ID...] -- reason` suppresses the named rules on the
//! next line; `// tarsier-ignore RULE_ID -- reason` at the end of a line suppresses them on that
//! line. A rule is named by its id or by its pack (`express`). Block comments work too. Only the
//! user's own checkout is trusted with these: `scan` of registry packages reports them instead.

/// The same-line marker.
pub const SAME_LINE: &str = "tarsier-ignore";
/// The next-line marker.
pub const NEXT_LINE: &str = "tarsier-ignore-next-line";

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The line the directive applies to (1-based).
    pub target_line: usize,
    /// The line the comment is on.
    pub comment_line: usize,
    /// Rule ids or pack names.
    pub rules: Vec<String>,
    /// Text after `--`.
    pub reason: Option<String>,
}

impl Directive {
    /// Does this directive cover `rule_id`?
    pub fn covers(&self, rule_id: &str) -> bool {
        let pack = rule_id.split('/').next().unwrap_or(rule_id);
        self.rules.iter().any(|r| r == rule_id || r == pack)
    }
}

/// Finds every directive in `source`. Cheap when there is none (one substring search).
pub fn directives(source: &str) -> Vec<Directive> {
    if !source.contains(SAME_LINE) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let Some(at) = line.find(SAME_LINE) else {
            continue;
        };
        let before = &line[..at];
        if !(before.contains("//") || before.contains("/*")) {
            continue;
        }
        let rest = &line[at..];
        let (next_line, rest) = match rest.strip_prefix(NEXT_LINE) {
            Some(r) => (true, r),
            None => (false, &rest[SAME_LINE.len()..]),
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let rest = rest.split("*/").next().unwrap_or(rest);
        let (ids, reason) = match rest.split_once("--") {
            Some((ids, reason)) => (ids, Some(reason.trim().to_string())),
            None => (rest, None),
        };
        let rules: Vec<String> = ids
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let comment_line = index + 1;
        out.push(Directive {
            target_line: if next_line {
                comment_line + 1
            } else {
                comment_line
            },
            comment_line,
            rules,
            reason: reason.filter(|r| !r.is_empty()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let src = "a();\n// tarsier-ignore-next-line express/open-redirect, node -- checked by the router\nres.redirect(x);\neval(y); /* tarsier-ignore node/dynamic-code */\n";
        let d = directives(src);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].target_line, 3);
        assert_eq!(d[0].rules, vec!["express/open-redirect", "node"]);
        assert_eq!(d[0].reason.as_deref(), Some("checked by the router"));
        assert!(d[0].covers("node/dynamic-code"));
        assert_eq!(d[1].target_line, 4);
        assert!(d[1].covers("node/dynamic-code"));
        assert_eq!(d[1].reason, None);
    }

    #[test]
    fn ignores_markers_outside_comments_and_without_ids() {
        assert!(directives("const s = 'tarsier-ignore x';\n").is_empty());
        assert!(directives("// tarsier-ignore\n").is_empty());
        assert!(directives("// tarsier-ignored foo\n").is_empty());
    }
}
