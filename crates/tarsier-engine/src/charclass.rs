//! "Which characters does this validator admit?": the `#class-admits? @re "chars"` predicate.
//! A validator here is a regex literal whose whole pattern is one anchored, repeated character
//! class (`/^[\u0009\u0020-\u007e]+$/`, `/^[^;\r\n]*$/`), the shape used to check a header or
//! cookie attribute value before it is written. The predicate holds when the class admits one
//! of the given characters (`;` ends a cookie attribute, CR and LF end a header line).

use crate::literal::node_text;
use tarsier_parse::{NodeExt, unescape_js_string};
use tree_sitter::Node;

/// Whether `node` is a regex literal of the form `^[class]+$` (or `*`, or `{n,m}`) whose class
/// admits one of the characters of `chars` (decoded like a string literal: `"\r"` is CR).
pub fn class_admits(node: Node<'_>, source: &str, chars: &[String]) -> bool {
    if node.kind_name() != "regex" {
        return false;
    }
    let Some(pattern) = node.field("pattern").map(|p| node_text(p, source)) else {
        return false;
    };
    let Some(class) = anchored_class(pattern) else {
        return false;
    };
    chars
        .iter()
        .flat_map(|c| unescape_js_string(c).chars().collect::<Vec<_>>())
        .any(|c| class.admits(c))
}

/// A parsed character class: ranges of code points, possibly negated.
#[derive(Debug)]
struct Class {
    negated: bool,
    ranges: Vec<(u32, u32)>,
}

impl Class {
    fn admits(&self, c: char) -> bool {
        let code = u32::from(c);
        let inside = self.ranges.iter().any(|&(lo, hi)| lo <= code && code <= hi);
        inside != self.negated
    }
}

/// `^[...]+$`, `^("?)[...]*\1$`-free simple forms only: anything else is not a validator.
fn anchored_class(pattern: &str) -> Option<Class> {
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let body = body.strip_prefix('[')?;
    // Find the closing `]` of the class (skipping escapes).
    let mut end = None;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ']' => {
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = end?;
    let quantifier = body.get(end + 1..)?;
    let repeated = matches!(quantifier, "+" | "*")
        || (quantifier.starts_with('{') && quantifier.ends_with('}'));
    if !repeated {
        return None;
    }
    parse_class(body.get(..end)?)
}

fn parse_class(inner: &str) -> Option<Class> {
    let (negated, inner) = match inner.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let mut items: Vec<Item> = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            items.push(Item::Char(u32::from(c)));
            continue;
        }
        let e = chars.next()?;
        let item = match e {
            'n' => Item::Char(0x0a),
            'r' => Item::Char(0x0d),
            't' => Item::Char(0x09),
            'f' => Item::Char(0x0c),
            'v' => Item::Char(0x0b),
            '0' => Item::Char(0),
            'x' => Item::Char(hex(&mut chars, 2)?),
            'u' if chars.peek() == Some(&'{') => {
                chars.next();
                let digits: String = chars.by_ref().take_while(|&c| c != '}').collect();
                Item::Char(u32::from_str_radix(&digits, 16).ok()?)
            }
            'u' => Item::Char(hex(&mut chars, 4)?),
            // `\s` admits CR and LF; `\S`, `\w`, `\d` admit neither nor `;` except `\S`.
            's' => Item::Set(vec![(0x09, 0x0d), (0x20, 0x20)]),
            'S' => Item::Set(vec![(0x21, 0x10ffff)]),
            'w' => Item::Set(vec![(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)]),
            'd' => Item::Set(vec![(0x30, 0x39)]),
            'W' | 'D' => Item::Set(vec![(0, 0x10ffff)]),
            // An escaped punctuation character (`\-`, `\]`) is itself, never a range's dash.
            other => Item::Set(vec![(u32::from(other), u32::from(other))]),
        };
        items.push(item);
    }
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < items.len() {
        match (items.get(i), items.get(i + 1), items.get(i + 2)) {
            (Some(Item::Char(lo)), Some(Item::Char(dash)), Some(Item::Char(hi)))
                if *dash == u32::from('-') =>
            {
                ranges.push((*lo, *hi));
                i += 3;
            }
            (Some(Item::Char(c)), _, _) => {
                ranges.push((*c, *c));
                i += 1;
            }
            (Some(Item::Set(set)), _, _) => {
                ranges.extend_from_slice(set);
                i += 1;
            }
            _ => break,
        }
    }
    Some(Class { negated, ranges })
}

/// One element of a class before ranges are joined.
enum Item {
    Char(u32),
    Set(Vec<(u32, u32)>),
}

fn hex(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize) -> Option<u32> {
    let digits: String = chars.by_ref().take(n).collect();
    u32::from_str_radix(&digits, 16).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn admits(regex: &str, chars: &[&str]) -> bool {
        let src = format!("var r = {regex};");
        let tree = tarsier_parse::parse(&src).unwrap();
        let mut found = None;
        crate::pattern::walk(tree.root_node(), &mut |n, _| {
            if n.kind_name() == "regex" {
                found = Some(n);
            }
        });
        let words: Vec<String> = chars.iter().map(|s| s.to_string()).collect();
        class_admits(found.unwrap(), &src, &words)
    }

    #[test]
    fn field_content_class_admits_semicolon_not_newline() {
        let re = r"/^[\u0009\u0020-\u007e\u0080-\u00ff]+$/";
        assert!(admits(re, &[";"]));
        assert!(!admits(re, &[r"\r", r"\n"]));
    }

    #[test]
    fn cookie_octet_and_negated_classes() {
        assert!(!admits(r"/^[\u0020-\u003A\u003D-\u007E]*$/", &[";"]));
        assert!(!admits(r"/^[^;\r\n]*$/", &[";", r"\r"]));
        assert!(admits(r"/^[^;]*$/", &[r"\n"]));
        assert!(admits(r"/^[\s\w]+$/", &[r"\r"]));
        // Not a lone anchored class: not a validator of this shape.
        assert!(!admits(r"/^a[;]+$/", &[";"]));
        assert!(!admits(r"/[;]+/", &[";"]));
    }
}
