//! A parser for JavaScript (ECMAScript 2025) regular-expression syntax, including the Annex B
//! leniencies of non-`u` patterns, producing an [`Ast`].
//!
//! Case-insensitivity (`i`, also as a `(?i:...)` modifier) is applied while parsing: character
//! sets are folded over ASCII, so later stages never look at the flag for sets. Unicode property
//! escapes (`\p{..}`) are parsed but treated as "any character" (an over-approximation), and
//! `v`-mode string literals (`\q{..}`) contribute their characters. Nesting is limited to
//! [`MAX_DEPTH`] groups and classes, so hostile input errors instead of overflowing the stack.
//! A group name may repeat only in different alternatives (ECMAScript 2025); a named
//! backreference then refers to the first group of that name.

use std::collections::BTreeMap;

use crate::RegexError;
use crate::charset::CharSet;

/// The deepest nesting of groups (and `v`-mode classes) accepted.
pub const MAX_DEPTH: usize = 200;

/// Parsed flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct Flags {
    /// `d`: produce match indices (no effect on matching).
    pub has_indices: bool,
    /// `g`: global.
    pub global: bool,
    /// `i`: ignore case.
    pub ignore_case: bool,
    /// `m`: `^` and `$` also match at line terminators.
    pub multiline: bool,
    /// `s`: `.` matches line terminators too.
    pub dot_all: bool,
    /// `u`: Unicode mode.
    pub unicode: bool,
    /// `v`: Unicode sets mode (implies the strictness of `u`).
    pub unicode_sets: bool,
    /// `y`: sticky (the match is anchored at `lastIndex`).
    pub sticky: bool,
}

impl Flags {
    /// Parses a flags string such as `"gi"`.
    ///
    /// # Errors
    /// An unknown or repeated flag, or `u` together with `v`.
    pub fn parse(flags: &str) -> Result<Self, RegexError> {
        let mut f = Self::default();
        for c in flags.chars() {
            let slot = match c {
                'd' => &mut f.has_indices,
                'g' => &mut f.global,
                'i' => &mut f.ignore_case,
                'm' => &mut f.multiline,
                's' => &mut f.dot_all,
                'u' => &mut f.unicode,
                'v' => &mut f.unicode_sets,
                'y' => &mut f.sticky,
                _ => return Err(flag_err(flags, format!("unknown flag {c:?}"))),
            };
            if *slot {
                return Err(flag_err(flags, format!("flag {c:?} given twice")));
            }
            *slot = true;
        }
        if f.unicode && f.unicode_sets {
            return Err(flag_err(
                flags,
                "flags 'u' and 'v' cannot be combined".into(),
            ));
        }
        Ok(f)
    }

    /// True in `u` or `v` mode (no Annex B leniency).
    #[must_use]
    pub fn strict(&self) -> bool {
        self.unicode || self.unicode_sets
    }
}

fn flag_err(flags: &str, reason: String) -> RegexError {
    RegexError::Flags {
        flags: flags.to_owned(),
        reason,
    }
}

/// A zero-width assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertKind {
    /// `^`; `multiline` when the `m` flag is in effect.
    Start {
        /// Also true after a line terminator.
        multiline: bool,
    },
    /// `$`; `multiline` when the `m` flag is in effect.
    End {
        /// Also true before a line terminator.
        multiline: bool,
    },
    /// `\b`.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
}

/// A node of the regular-expression syntax tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Matches the empty string.
    Empty,
    /// One character from the set (literals, classes, escapes, `.`), already case-folded.
    Set(CharSet),
    /// A sequence.
    Concat(Vec<Node>),
    /// Alternatives, tried left to right.
    Alt(Vec<Node>),
    /// A group; `index` is the capture number (from 1) for capturing groups.
    Group {
        /// Capture number, `None` for `(?:...)`.
        index: Option<u32>,
        /// The contents.
        node: Box<Node>,
    },
    /// A quantified node.
    Repeat {
        /// What is repeated.
        node: Box<Node>,
        /// Minimum count.
        min: u32,
        /// Maximum count, `None` for unbounded.
        max: Option<u32>,
        /// Greedy (`*`) or lazy (`*?`).
        greedy: bool,
    },
    /// An anchor or word-boundary assertion.
    Assert(AssertKind),
    /// A lookaround.
    Look {
        /// Lookahead (`(?=`, `(?!`) or lookbehind (`(?<=`, `(?<!`).
        ahead: bool,
        /// Negative lookaround.
        negate: bool,
        /// The contents.
        node: Box<Node>,
    },
    /// A backreference to capture group `index` (from 1); `ignore_case` compares ASCII
    /// case-insensitively.
    BackRef {
        /// The capture number.
        index: u32,
        /// Case-insensitive comparison.
        ignore_case: bool,
    },
}

/// A parsed regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ast {
    /// The root node.
    pub root: Node,
    /// The flags.
    pub flags: Flags,
    /// Number of capture groups.
    pub group_count: u32,
    /// Named groups and their capture numbers.
    pub names: BTreeMap<String, u32>,
}

/// Parses `pattern` (the text between the slashes) with `flags`.
///
/// # Errors
/// [`RegexError::Syntax`] with the character position and reason, or [`RegexError::Flags`].
pub fn parse(pattern: &str, flags: &str) -> Result<Ast, RegexError> {
    let flags = Flags::parse(flags)?;
    let chars: Vec<char> = pattern.chars().collect();
    let (group_total, names) = prescan(&chars);
    let mut p = Parser {
        pattern,
        chars,
        pos: 0,
        flags,
        ignore_case: flags.ignore_case,
        multiline: flags.multiline,
        dot_all: flags.dot_all,
        depth: 0,
        group_count: 0,
        group_total,
        names,
        seen_names: BTreeMap::new(),
        alt_path: Vec::new(),
        disjunctions: 0,
    };
    let root = p.disjunction()?;
    if p.pos < p.chars.len() {
        return Err(p.err(if p.peek() == Some(')') {
            "unmatched ')'"
        } else {
            "unexpected character"
        }));
    }
    Ok(Ast {
        root,
        flags,
        group_count: p.group_count,
        names: p
            .seen_names
            .into_iter()
            .filter_map(|(name, defs)| defs.first().map(|&(index, _)| (name, index)))
            .collect(),
    })
}

/// Counts capture groups and collects group names ahead of parsing, as the specification does
/// (a backreference may precede its group).
fn prescan(chars: &[char]) -> (u32, BTreeMap<String, u32>) {
    let mut count = 0u32;
    let mut names = BTreeMap::new();
    let mut i = 0;
    let mut in_class = 0usize;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => i += 1,
            '[' => in_class += 1,
            ']' if in_class > 0 => in_class -= 1,
            '(' if in_class == 0 => {
                if chars.get(i + 1) != Some(&'?') {
                    count = count.saturating_add(1);
                } else if chars.get(i + 2) == Some(&'<')
                    && !matches!(chars.get(i + 3), Some('=' | '!'))
                {
                    count = count.saturating_add(1);
                    let name: String = chars
                        .iter()
                        .skip(i + 3)
                        .take_while(|&&c| c != '>')
                        .collect();
                    names.entry(name).or_insert(count);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (count, names)
}

struct Parser<'a> {
    pattern: &'a str,
    chars: Vec<char>,
    pos: usize,
    flags: Flags,
    ignore_case: bool,
    multiline: bool,
    dot_all: bool,
    depth: usize,
    group_count: u32,
    group_total: u32,
    names: BTreeMap<String, u32>,
    /// Every definition of each group name: capture number and the alternatives it sits in.
    seen_names: BTreeMap<String, Vec<(u32, AltPath)>>,
    /// The (disjunction id, alternative index) pairs enclosing the cursor.
    alt_path: Vec<(u32, u32)>,
    disjunctions: u32,
}

/// The (disjunction id, alternative index) pairs enclosing a point of the pattern.
type AltPath = Vec<(u32, u32)>;

/// Two definitions of a group name may coexist only in different alternatives of a common
/// disjunction (ECMAScript 2025 duplicate named groups).
fn in_different_alternatives(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x.0 != y.0 {
            return false;
        }
        if x.1 != y.1 {
            return true;
        }
    }
    false
}

/// A class atom: a single character (may be a range end) or a set (may not).
enum ClassAtom {
    Char(u32),
    Set(CharSet),
}

impl Parser<'_> {
    fn err(&self, reason: &str) -> RegexError {
        self.err_at(self.pos, reason)
    }

    fn err_at(&self, position: usize, reason: &str) -> RegexError {
        RegexError::Syntax {
            pattern: self.pattern.chars().take(80).collect(),
            position,
            reason: reason.to_owned(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn looking_at(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(k, c)| self.peek_at(k) == Some(c))
    }

    fn strict(&self) -> bool {
        self.flags.strict()
    }

    fn fold(&self, set: CharSet) -> CharSet {
        if self.ignore_case {
            set.fold_ascii()
        } else {
            set
        }
    }

    fn enter(&mut self) -> Result<(), RegexError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        Ok(())
    }

    fn disjunction(&mut self) -> Result<Node, RegexError> {
        self.disjunctions = self.disjunctions.saturating_add(1);
        self.alt_path.push((self.disjunctions, 0));
        let mut alts = vec![self.alternative()?];
        while self.eat('|') {
            if let Some(last) = self.alt_path.last_mut() {
                last.1 += 1;
            }
            alts.push(self.alternative()?);
        }
        self.alt_path.pop();
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alts)
        })
    }

    fn alternative(&mut self) -> Result<Node, RegexError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let start = self.pos;
            let (atom, quantifiable) = self.term()?;
            let atom = self.quantifier(atom, quantifiable, start)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    /// Parses a quantifier after `atom` if one follows.
    fn quantifier(
        &mut self,
        atom: Node,
        quantifiable: bool,
        start: usize,
    ) -> Result<Node, RegexError> {
        let at = self.pos;
        let (min, max) = match self.peek() {
            Some('*') => {
                self.pos += 1;
                (0, None)
            }
            Some('+') => {
                self.pos += 1;
                (1, None)
            }
            Some('?') => {
                self.pos += 1;
                (0, Some(1))
            }
            Some('{') => match self.braces()? {
                Some(q) => q,
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        if !quantifiable {
            return Err(self.err_at(at, "nothing to repeat"));
        }
        if max.is_some_and(|m| m < min) {
            return Err(self.err_at(at, "numbers out of order in {} quantifier"));
        }
        let greedy = !self.eat('?');
        if matches!(self.peek(), Some('*' | '+' | '?')) {
            return Err(self.err("nothing to repeat"));
        }
        let _ = start;
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
            greedy,
        })
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at the cursor. Returns `None` (cursor unchanged) when
    /// the brace is not a quantifier and Annex B lets it be a literal.
    #[allow(clippy::type_complexity)]
    fn braces(&mut self) -> Result<Option<(u32, Option<u32>)>, RegexError> {
        let save = self.pos;
        self.pos += 1;
        let min = self.number();
        let result = match min {
            None => None,
            Some(min) => {
                if self.eat('}') {
                    Some((min, Some(min)))
                } else if self.eat(',') {
                    if self.eat('}') {
                        Some((min, None))
                    } else {
                        match self.number() {
                            Some(max) if self.eat('}') => Some((min, Some(max))),
                            _ => None,
                        }
                    }
                } else {
                    None
                }
            }
        };
        if result.is_none() {
            self.pos = save;
            if self.strict() {
                return Err(self.err("incomplete quantifier"));
            }
        }
        Ok(result)
    }

    fn number(&mut self) -> Option<u32> {
        let mut n: Option<u32> = None;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d));
            self.pos += 1;
        }
        n
    }

    /// Parses one term; returns the node and whether a quantifier may follow it.
    fn term(&mut self) -> Result<(Node, bool), RegexError> {
        let at = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.err("unexpected end of pattern"));
        };
        match c {
            '^' => {
                self.pos += 1;
                Ok((
                    Node::Assert(AssertKind::Start {
                        multiline: self.multiline,
                    }),
                    false,
                ))
            }
            '$' => {
                self.pos += 1;
                Ok((
                    Node::Assert(AssertKind::End {
                        multiline: self.multiline,
                    }),
                    false,
                ))
            }
            '(' => self.group(),
            '[' => {
                self.pos += 1;
                let set = if self.flags.unicode_sets {
                    self.class_v()?
                } else {
                    self.class()?
                };
                Ok((Node::Set(set), true))
            }
            '.' => {
                self.pos += 1;
                let set = if self.dot_all {
                    CharSet::any()
                } else {
                    CharSet::line_terminators().negate()
                };
                Ok((Node::Set(set), true))
            }
            '\\' => self.atom_escape(),
            '*' | '+' | '?' => Err(self.err("nothing to repeat")),
            '{' => {
                if self.strict() {
                    return Err(self.err("nothing to repeat"));
                }
                if self.braces()?.is_some() {
                    return Err(self.err_at(at, "nothing to repeat"));
                }
                self.pos += 1;
                Ok((self.literal('{'), true))
            }
            '}' | ']' if self.strict() => Err(self.err("lone quantifier bracket")),
            _ => {
                self.pos += 1;
                Ok((self.literal(c), true))
            }
        }
    }

    fn literal(&self, c: char) -> Node {
        Node::Set(self.fold(CharSet::single(u32::from(c))))
    }

    fn group(&mut self) -> Result<(Node, bool), RegexError> {
        let open = self.pos;
        self.enter()?;
        self.pos += 1;
        let saved = (self.ignore_case, self.multiline, self.dot_all);
        let mut kind: Result<Option<u32>, (bool, bool)> = Ok(None); // Ok(capture) or Err(look)
        if self.eat('?') {
            if self.eat(':') {
            } else if self.eat('=') {
                kind = Err((true, false));
            } else if self.eat('!') {
                kind = Err((true, true));
            } else if self.looking_at("<=") {
                self.pos += 2;
                kind = Err((false, false));
            } else if self.looking_at("<!") {
                self.pos += 2;
                kind = Err((false, true));
            } else if self.eat('<') {
                let name_at = self.pos;
                let name = self.group_name()?;
                self.group_count = self.group_count.saturating_add(1);
                let defs = self.seen_names.entry(name).or_default();
                if defs
                    .iter()
                    .any(|(_, path)| !in_different_alternatives(path, &self.alt_path))
                {
                    return Err(self.err_at(name_at, "duplicate capture group name"));
                }
                defs.push((self.group_count, self.alt_path.clone()));
                kind = Ok(Some(self.group_count));
            } else {
                self.modifiers()?;
            }
        } else {
            self.group_count = self.group_count.saturating_add(1);
            kind = Ok(Some(self.group_count));
        }
        let inner = self.disjunction()?;
        (self.ignore_case, self.multiline, self.dot_all) = saved;
        if !self.eat(')') {
            return Err(self.err_at(open, "unterminated group"));
        }
        self.depth -= 1;
        Ok(match kind {
            Ok(index) => (
                Node::Group {
                    index,
                    node: Box::new(inner),
                },
                true,
            ),
            Err((ahead, negate)) => (
                Node::Look {
                    ahead,
                    negate,
                    node: Box::new(inner),
                },
                ahead && !self.strict(),
            ),
        })
    }

    /// Parses `(?ims-ims:` modifiers (ECMAScript 2025); the cursor is after `?`.
    fn modifiers(&mut self) -> Result<(), RegexError> {
        let at = self.pos;
        let mut on = true;
        let mut any = false;
        while let Some(c) = self.peek() {
            match c {
                'i' => self.ignore_case = on,
                'm' => self.multiline = on,
                's' => self.dot_all = on,
                '-' if on => on = false,
                ':' if any || !on => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => break,
            }
            any = true;
            self.pos += 1;
        }
        Err(self.err_at(at, "invalid group"))
    }

    fn group_name(&mut self) -> Result<String, RegexError> {
        let at = self.pos;
        let mut name = String::new();
        loop {
            match self.peek() {
                Some('>') => {
                    self.pos += 1;
                    break;
                }
                Some(c) if c == '$' || c == '_' || c.is_alphanumeric() => {
                    if name.is_empty() && c.is_ascii_digit() {
                        return Err(self.err("invalid capture group name"));
                    }
                    name.push(c);
                    self.pos += 1;
                }
                _ => return Err(self.err("invalid capture group name")),
            }
        }
        if name.is_empty() {
            return Err(self.err_at(at, "empty capture group name"));
        }
        Ok(name)
    }

    fn atom_escape(&mut self) -> Result<(Node, bool), RegexError> {
        let at = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Err(self.err_at(at, "\\ at end of pattern"));
        };
        match c {
            'b' => {
                self.pos += 1;
                return Ok((Node::Assert(AssertKind::WordBoundary), false));
            }
            'B' => {
                self.pos += 1;
                return Ok((Node::Assert(AssertKind::NotWordBoundary), false));
            }
            '1'..='9' => {
                let save = self.pos;
                let n = self.number().unwrap_or(0);
                if n <= self.group_total {
                    return Ok((
                        Node::BackRef {
                            index: n,
                            ignore_case: self.ignore_case,
                        },
                        true,
                    ));
                }
                if self.strict() {
                    return Err(self.err_at(at, "invalid escape: no such group"));
                }
                self.pos = save;
                if c >= '8' {
                    self.pos += 1;
                    return Ok((self.literal(c), true));
                }
                let v = self.legacy_octal();
                return Ok((Node::Set(self.fold(CharSet::single(v))), true));
            }
            'k' if self.strict() || !self.names.is_empty() => {
                self.pos += 1;
                if !self.eat('<') {
                    return Err(self.err_at(at, "invalid named reference"));
                }
                let name = self.group_name()?;
                let Some(&index) = self.names.get(&name) else {
                    return Err(self.err_at(at, "invalid named capture referenced"));
                };
                return Ok((
                    Node::BackRef {
                        index,
                        ignore_case: self.ignore_case,
                    },
                    true,
                ));
            }
            _ => {}
        }
        match self.class_escape(false)? {
            ClassAtom::Char(v) => Ok((Node::Set(self.fold(CharSet::single(v))), true)),
            ClassAtom::Set(s) => Ok((Node::Set(self.fold(s)), true)),
        }
    }

    /// Legacy octal escape (Annex B): up to three octal digits, value at most 0o377.
    fn legacy_octal(&mut self) -> u32 {
        let mut v = 0u32;
        for k in 0..3 {
            match self.peek().and_then(|c| c.to_digit(8)) {
                Some(d) if k < 2 || v < 0o40 => {
                    v = v * 8 + d;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        v
    }

    /// Parses the escape after a backslash (the cursor is on the character after `\`),
    /// shared by atoms and classes.
    fn class_escape(&mut self, in_class: bool) -> Result<ClassAtom, RegexError> {
        let at = self.pos.saturating_sub(1);
        let Some(c) = self.peek() else {
            return Err(self.err_at(at, "\\ at end of pattern"));
        };
        self.pos += 1;
        let ch = |v: u32| Ok(ClassAtom::Char(v));
        match c {
            'd' => Ok(ClassAtom::Set(CharSet::digit())),
            'D' => Ok(ClassAtom::Set(CharSet::digit().negate())),
            'w' => Ok(ClassAtom::Set(CharSet::word())),
            'W' => Ok(ClassAtom::Set(CharSet::word().negate())),
            's' => Ok(ClassAtom::Set(CharSet::space())),
            'S' => Ok(ClassAtom::Set(CharSet::space().negate())),
            'p' | 'P' if self.strict() => {
                if !self.eat('{') {
                    return Err(self.err_at(at, "invalid property name"));
                }
                let mut ok = false;
                while let Some(d) = self.peek() {
                    self.pos += 1;
                    if d == '}' {
                        ok = true;
                        break;
                    }
                    if !(d.is_ascii_alphanumeric() || d == '_' || d == '=') {
                        break;
                    }
                }
                if !ok {
                    return Err(self.err_at(at, "invalid property name"));
                }
                // Conservative: a property escape may match any character.
                Ok(ClassAtom::Set(CharSet::any()))
            }
            'f' => ch(0x0C),
            'n' => ch(0x0A),
            'r' => ch(0x0D),
            't' => ch(0x09),
            'v' => ch(0x0B),
            'b' if in_class => ch(0x08),
            '-' if in_class && self.strict() => ch(u32::from('-')),
            'c' => match self.peek() {
                Some(l) if l.is_ascii_alphabetic() => {
                    self.pos += 1;
                    ch(u32::from(l) % 32)
                }
                Some(l) if in_class && !self.strict() && (l.is_ascii_digit() || l == '_') => {
                    self.pos += 1;
                    ch(u32::from(l) % 32)
                }
                _ if self.strict() => Err(self.err_at(at, "invalid unicode escape")),
                _ => {
                    // Annex B: `\c` is a literal backslash followed by `c`.
                    self.pos -= 1;
                    ch(u32::from('\\'))
                }
            },
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => ch(0),
            '0'..='7' if !self.strict() => {
                self.pos -= 1;
                Ok(ClassAtom::Char(self.legacy_octal()))
            }
            '1'..='9' if in_class && !self.strict() => ch(u32::from(c)),
            'x' => {
                let save = self.pos;
                match (self.hex_digit(), self.hex_digit()) {
                    (Some(a), Some(b)) => ch(a * 16 + b),
                    _ if self.strict() => Err(self.err_at(at, "invalid escape")),
                    _ => {
                        self.pos = save;
                        ch(u32::from('x'))
                    }
                }
            }
            'u' => self.unicode_escape(at),
            _ => {
                let syntax = "^$\\.*+?()[]{}|/".contains(c);
                if self.strict() && !syntax && !(in_class && c == '-') {
                    Err(self.err_at(at, "invalid escape"))
                } else if !self.strict() && c == 'k' && !self.names.is_empty() {
                    Err(self.err_at(at, "invalid named reference"))
                } else {
                    ch(u32::from(c))
                }
            }
        }
    }

    fn hex_digit(&mut self) -> Option<u32> {
        let d = self.peek()?.to_digit(16)?;
        self.pos += 1;
        Some(d)
    }

    fn hex4(&mut self) -> Option<u32> {
        let save = self.pos;
        let mut v = 0;
        for _ in 0..4 {
            match self.hex_digit() {
                Some(d) => v = v * 16 + d,
                None => {
                    self.pos = save;
                    return None;
                }
            }
        }
        Some(v)
    }

    fn unicode_escape(&mut self, at: usize) -> Result<ClassAtom, RegexError> {
        if self.strict() && self.eat('{') {
            let mut v: u32 = 0;
            let mut digits = 0;
            while let Some(d) = self.hex_digit() {
                v = v.saturating_mul(16).saturating_add(d);
                digits += 1;
            }
            if digits == 0 || v > crate::charset::MAX_CP || !self.eat('}') {
                return Err(self.err_at(at, "invalid Unicode escape"));
            }
            return Ok(ClassAtom::Char(v));
        }
        match self.hex4() {
            Some(hi) => {
                if self.strict() && (0xD800..0xDC00).contains(&hi) && self.looking_at("\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    match self.hex4() {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            return Ok(ClassAtom::Char(
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                            ));
                        }
                        _ => self.pos = save,
                    }
                }
                Ok(ClassAtom::Char(hi))
            }
            None if self.strict() => Err(self.err_at(at, "invalid Unicode escape")),
            None => Ok(ClassAtom::Char(u32::from('u'))),
        }
    }

    /// Parses a class body after `[` (non-`v` mode).
    fn class(&mut self) -> Result<CharSet, RegexError> {
        let open = self.pos - 1;
        let negated = self.eat('^');
        let mut set = CharSet::empty();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err_at(open, "unterminated character class"));
            };
            if c == ']' {
                self.pos += 1;
                break;
            }
            let left_at = self.pos;
            let left = self.class_atom()?;
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']') {
                self.pos += 1;
                let right = self.class_atom()?;
                match (left, right) {
                    (ClassAtom::Char(a), ClassAtom::Char(b)) => {
                        if a > b {
                            return Err(
                                self.err_at(left_at, "range out of order in character class")
                            );
                        }
                        set = set.union(&CharSet::range(a, b));
                    }
                    (l, r) => {
                        if self.strict() {
                            return Err(self.err_at(left_at, "invalid character class range"));
                        }
                        // Annex B: `[\d-z]` is the union of \d, '-' and 'z'.
                        for atom in [l, r] {
                            set = set.union(&atom_set(atom));
                        }
                        set = set.union(&CharSet::single(u32::from('-')));
                    }
                }
            } else {
                set = set.union(&atom_set(left));
            }
        }
        let set = self.fold(set);
        Ok(if negated { set.negate() } else { set })
    }

    fn class_atom(&mut self) -> Result<ClassAtom, RegexError> {
        let Some(c) = self.peek() else {
            return Err(self.err("unterminated character class"));
        };
        self.pos += 1;
        if c == '\\' {
            self.class_escape(true)
        } else {
            Ok(ClassAtom::Char(u32::from(c)))
        }
    }

    /// Parses a `v`-mode class body after `[`: nested classes, ranges, `--` and `&&`, `\q{}`.
    fn class_v(&mut self) -> Result<CharSet, RegexError> {
        let open = self.pos - 1;
        self.enter()?;
        let negated = self.eat('^');
        let mut acc: Option<CharSet> = None;
        let mut op: Option<char> = None; // '-' subtract, '&' intersect, None union
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err_at(open, "unterminated character class"));
            };
            if c == ']' {
                self.pos += 1;
                break;
            }
            if self.looking_at("--") || self.looking_at("&&") {
                op = Some(c);
                self.pos += 2;
                continue;
            }
            let operand = if c == '[' {
                self.pos += 1;
                self.class_v()?
            } else if self.looking_at("\\q{") {
                self.pos += 3;
                let mut s = CharSet::empty();
                loop {
                    match self.peek() {
                        None => return Err(self.err_at(open, "unterminated \\q{}")),
                        Some('}') => {
                            self.pos += 1;
                            break;
                        }
                        Some('|') => self.pos += 1,
                        Some(_) => s = s.union(&atom_set(self.class_atom()?)),
                    }
                }
                s
            } else {
                let left_at = self.pos;
                let left = self.class_atom()?;
                if self.peek() == Some('-') && !self.looking_at("--") {
                    self.pos += 1;
                    match (left, self.class_atom()?) {
                        (ClassAtom::Char(a), ClassAtom::Char(b)) if a <= b => CharSet::range(a, b),
                        _ => {
                            return Err(self.err_at(left_at, "invalid character class range"));
                        }
                    }
                } else {
                    atom_set(left)
                }
            };
            let operand = self.fold(operand);
            acc = Some(match (acc, op) {
                (None, _) => operand,
                (Some(a), Some('-')) => a.subtract(&operand),
                (Some(a), Some('&')) => a.intersect(&operand),
                (Some(a), _) => a.union(&operand),
            });
        }
        self.depth -= 1;
        let set = acc.unwrap_or_default();
        Ok(if negated { set.negate() } else { set })
    }
}

fn atom_set(a: ClassAtom) -> CharSet {
    match a {
        ClassAtom::Char(v) => CharSet::single(v),
        ClassAtom::Set(s) => s,
    }
}
