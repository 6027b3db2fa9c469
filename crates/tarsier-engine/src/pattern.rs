//! tarsier's own matcher for rule queries: the subset of tree-sitter's query language that rules
//! use, parsed once and matched during ONE walk of the tree per file.
//!
//! tree-sitter's query cursor advances every pattern's state machine at every node, and
//! evaluates text predicates (`#eq?`, `#any-of?`, `#match?`) only once a match is complete; with
//! some fifty patterns that cost more than the parse itself. Here a file's tree is walked once,
//! each node is dispatched by its kind to the patterns rooted at that kind (of the rules the
//! file's pre-filter enabled) and, through [dispatch keys](Pattern::dispatch_keys), only to those
//! whose callee, method or operator it has. Equality predicates (and regexes on short texts)
//! are checked as soon as their capture is bound, so a failing candidate is dropped early.
//!
//! Supported syntax: `(kind child ...)`, `(_)`, `_`, `"anonymous"`, `[alternatives]`,
//! `field: pattern`, the `?` quantifier, `.` anchors (first, between and last), captures
//! `@name` (several per node), and predicates `(#op? @capture "string" ...)`. The text
//! predicates `eq?`, `not-eq?`, `any-of?`, `not-any-of?`, `match?` and `not-match?` are
//! evaluated here; the others (tarsier's structural and taint predicates) are handed to the
//! engine with the match. Matching follows tree-sitter's semantics: child patterns match
//! children in order, anchors ignore anonymous nodes, `(_)` matches named nodes, every
//! combination of children that satisfies a pattern is a match of its own. Comments and
//! other extras never match a child pattern.

use crate::anchor::Anchor;
use regex::Regex;
use std::num::NonZeroU16;
use tree_sitter::{Language, Node, TreeCursor};

/// The tree walks the matcher runs in (tarsier-parse's; the engine's callers use them from here).
pub use tarsier_parse::{Entry, walk, walk_where};

/// A query that does not parse, with the byte offset inside the query text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {reason}")]
pub struct PatternError {
    /// Byte offset inside the query text.
    pub offset: usize,
    /// What is wrong.
    pub reason: String,
}

/// An argument of a predicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PredicateArg {
    /// `@name`, as the rule's capture index.
    Capture(u32),
    /// `"text"` (or a bare word).
    String(String),
}

/// A predicate the matcher does not evaluate itself: `(#operator? args...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralPredicate {
    /// The operator without `#` (`request-derived?`).
    pub operator: String,
    /// Its arguments in order.
    pub args: Vec<PredicateArg>,
}

/// A text predicate on captured source text.
#[derive(Debug, Clone)]
enum TextPredicate {
    /// `#eq?` / `#not-eq?` / `#any-of?` / `#not-any-of?` against strings.
    OneOf {
        capture: u32,
        values: Vec<String>,
        negate: bool,
    },
    /// `#eq?` / `#not-eq?` between two captures.
    SameText { a: u32, b: u32, negate: bool },
    /// `#match?` / `#not-match?`.
    Matches {
        capture: u32,
        regex: Regex,
        negate: bool,
    },
}

#[derive(Debug, Clone)]
enum KindTest {
    /// A named node of this kind.
    Named(u16),
    /// `(_)`: any named node.
    AnyNamed,
    /// `_`: any node.
    Any,
    /// `"text"`: an anonymous node of this kind.
    Anonymous(u16),
    /// `[a b ...]`: any of these.
    Alternation(Vec<NodePattern>),
}

/// One node of a pattern, with its children.
#[derive(Debug, Clone)]
struct NodePattern {
    kind: KindTest,
    field: Option<NonZeroU16>,
    optional: bool,
    captures: Vec<u32>,
    children: Vec<NodePattern>,
    /// A `.` before this child: it is the first named child (or the named sibling right after
    /// the previous child pattern's node).
    anchored: bool,
    /// A `.` after the last child: it is the last named child.
    anchor_last: bool,
}

/// One top-level pattern of a rule's query.
#[derive(Debug, Clone)]
pub struct Pattern {
    root: NodePattern,
    /// The grammar the pattern's kind and field ids belong to.
    dialect: tarsier_parse::Dialect,
    /// Text predicates that are cheap: checked when their capture is bound.
    eager: Vec<TextPredicate>,
    /// Text predicates checked once the structure matched (regexes, two captures).
    deferred: Vec<TextPredicate>,
    /// The other predicates, for the engine.
    pub general: Vec<GeneralPredicate>,
}

impl Pattern {
    /// The node kinds (ids) a match can start at; empty when any node can.
    pub fn root_kinds(&self) -> Vec<u16> {
        let mut out = Vec::new();
        if collect_kinds(&self.root, &mut out) {
            out.sort_unstable();
            out.dedup();
            out
        } else {
            Vec::new()
        }
    }

    /// Necessary conditions for a match that are cheap to test before matching: a match needs
    /// the source text of the node reached from the root by one of these paths of fields to
    /// be one of that path's strings. They come from a non-negated `#eq?` or `#any-of?` on a
    /// capture along a chain of field-constrained, non-optional child patterns (through
    /// alternations: one key per alternative). `None` when there is no such chain.
    ///
    /// Without such a chain, the key is the kind of the root's first required child in a
    /// single-valued field (`operator: ["===" "=="]`, `left: (subscript_expression)`).
    pub fn dispatch_keys(&self) -> Option<Vec<DispatchKey>> {
        let mut keys = Vec::new();
        if keys_below(self, &self.root, &mut Vec::new(), &mut keys) {
            return Some(keys);
        }
        self.root.children.iter().find_map(|child| {
            let field = single_field(child, self.dialect)?;
            let kinds = named_kinds(child)?;
            Some(vec![(vec![field], KeyValues::Kinds(kinds))])
        })
    }

    /// The pattern's clause: anchors of which every match contains one inside its root node
    /// (see [`crate::anchor`]), the best of those its text predicates, anonymous tokens and
    /// node kinds give; `None` when it has none.
    pub fn clause(&self, language: &Language) -> Option<Vec<Anchor>> {
        let mut clauses = Vec::new();
        clauses_of(self, &self.root, false, language, &mut clauses);
        best_clause(clauses)
    }

    /// Whether a match can start at any kind of node (a `(_)` or `_` root).
    pub fn starts_anywhere(&self) -> bool {
        !collect_kinds(&self.root, &mut Vec::new())
    }
}

/// What a dispatch key allows at the end of its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValues {
    /// The node's source text is one of these.
    Texts(Vec<String>),
    /// The node's kind id is one of these.
    Kinds(Vec<u16>),
}

/// A path of single-valued fields from a pattern's root node and what is allowed at its end.
pub type DispatchKey = (Vec<NonZeroU16>, KeyValues);

/// The node reached from `node` by a path of single-valued fields.
pub fn node_at<'t>(node: Node<'t>, path: &[NonZeroU16]) -> Option<Node<'t>> {
    let mut current = node;
    for field in path {
        current = current.child_by_field_id(field.get())?;
    }
    Some(current)
}

/// Adds to `keys` the text keys of `node` (reached by `path`); false when some way of matching
/// `node` has none.
fn keys_below(
    pattern: &Pattern,
    node: &NodePattern,
    path: &mut Vec<NonZeroU16>,
    keys: &mut Vec<DispatchKey>,
) -> bool {
    for capture in &node.captures {
        for p in &pattern.eager {
            if let TextPredicate::OneOf {
                capture: c,
                values,
                negate: false,
            } = p
                && c == capture
            {
                keys.push((path.clone(), KeyValues::Texts(values.clone())));
                return true;
            }
        }
    }
    if let KindTest::Alternation(alternatives) = &node.kind {
        let mark = keys.len();
        if alternatives
            .iter()
            .all(|a| keys_below(pattern, a, path, keys))
        {
            return true;
        }
        keys.truncate(mark);
    }
    for child in &node.children {
        let Some(field) = single_field(child, pattern.dialect) else {
            continue;
        };
        if path.len() >= 2 {
            continue;
        }
        path.push(field);
        let mark = keys.len();
        if keys_below(pattern, child, path, keys) {
            path.pop();
            return true;
        }
        keys.truncate(mark);
        path.pop();
    }
    false
}

/// The clause [`crate::anchor::clause_rank`] ranks best, among those without an empty text
/// (which occurs everywhere and says nothing).
fn best_clause(clauses: Vec<Vec<Anchor>>) -> Option<Vec<Anchor>> {
    clauses
        .into_iter()
        .filter(|c| !c.is_empty() && !c.iter().any(Anchor::is_empty))
        .max_by_key(|c| crate::anchor::clause_rank(c))
}

/// Adds to `out` the clauses of `node`, a node pattern every match of the whole pattern
/// matches (a required node: not under `?`, not one alternative among others): the text
/// predicates on its captures, its token or kind, and those of its required children.
///
/// `callee`: the node is the callee of a call (or of a `new` with arguments), or the property
/// that ends one, so its text is followed by the arguments ([`Anchor::Callee`]).
fn clauses_of(
    pattern: &Pattern,
    node: &NodePattern,
    callee: bool,
    language: &Language,
    out: &mut Vec<Vec<Anchor>>,
) {
    let identifier_node = is_identifier_pattern(node, language);
    let kind = match node.kind {
        KindTest::Named(k) => language.node_kind_for_id(k).unwrap_or(""),
        _ => "",
    };
    let field = |child: &NodePattern| {
        child
            .field
            .and_then(|f| language.field_name_for_id(f.get()))
    };
    let text_anchor = |text: &str| {
        let anchor = Anchor::for_node_text(text, identifier_node);
        match anchor {
            Anchor::Word(word) if callee => Anchor::Callee(word),
            other => other,
        }
    };
    for capture in &node.captures {
        for predicate in pattern.eager.iter().chain(&pattern.deferred) {
            match predicate {
                TextPredicate::OneOf {
                    capture: c,
                    values,
                    negate: false,
                } if c == capture => out.push(values.iter().map(|v| text_anchor(v)).collect()),
                TextPredicate::Matches {
                    capture: c,
                    regex,
                    negate: false,
                } if c == capture => out.extend(crate::anchor::regex_clause(regex.as_str())),
                _ => {}
            }
        }
    }
    match &node.kind {
        KindTest::Anonymous(k) => {
            if let Some(token) = language.node_kind_for_id(*k).filter(|t| !t.is_empty()) {
                out.push(vec![Anchor::for_node_text(token, true)]);
            }
        }
        KindTest::Named(_) => {
            out.extend(crate::anchor::kind_anchor(kind).map(|a| vec![a]));
            let subscript_left = node.children.iter().any(|c| {
                !c.optional
                    && field(c) == Some("left")
                    && matches!(c.kind, KindTest::Named(ck)
                        if language.node_kind_for_id(ck) == Some("subscript_expression"))
            });
            if kind == "assignment_expression" && subscript_left {
                out.push(vec![Anchor::IndexAssign]);
            }
            // `x = y[k]`: the subscript of a name, assigned.
            let named_kind = |c: &NodePattern, want: &str| {
                !c.optional
                    && matches!(c.kind, KindTest::Named(ck)
                        if language.node_kind_for_id(ck) == Some(want))
            };
            let subscript_of_name_right = node.children.iter().any(|c| {
                field(c) == Some("right")
                    && named_kind(c, "subscript_expression")
                    && c.children
                        .iter()
                        .any(|o| field(o) == Some("object") && named_kind(o, "identifier"))
            });
            if kind == "assignment_expression" && subscript_of_name_right {
                out.push(vec![Anchor::AssignedSubscript]);
            }
        }
        KindTest::Alternation(alternatives) => {
            // Every alternative must bring a clause; their union is one.
            let mut union = Vec::new();
            for alternative in alternatives {
                let mut own = Vec::new();
                clauses_of(pattern, alternative, callee, language, &mut own);
                match best_clause(own) {
                    Some(clause) => union.extend(clause),
                    None => {
                        union.clear();
                        break;
                    }
                }
            }
            if !union.is_empty() {
                union.sort();
                union.dedup();
                out.push(union);
            }
        }
        KindTest::AnyNamed | KindTest::Any => {}
    }
    let with_arguments = node
        .children
        .iter()
        .any(|c| !c.optional && field(c) == Some("arguments"));
    for child in node.children.iter().filter(|c| !c.optional) {
        let child_callee = match (kind, field(child)) {
            ("call_expression", Some("function")) => true,
            ("new_expression", Some("constructor")) => with_arguments,
            ("member_expression", Some("property")) => callee,
            _ => false,
        };
        clauses_of(pattern, child, child_callee, language, out);
    }
}

/// Whether every node `pattern` matches is an identifier-like token (its text is one word).
fn is_identifier_pattern(pattern: &NodePattern, language: &Language) -> bool {
    match &pattern.kind {
        KindTest::Named(k) => language.node_kind_for_id(*k).is_some_and(|name| {
            name.ends_with("identifier") && name != "private_property_identifier"
        }),
        KindTest::Alternation(alternatives) => alternatives
            .iter()
            .all(|a| is_identifier_pattern(a, language)),
        _ => false,
    }
}

/// The field of a required child pattern when it is single-valued in the grammar (dispatch
/// keys read such fields with `child_by_field_id` before any matching, so they must be exact).
fn single_field(child: &NodePattern, dialect: tarsier_parse::Dialect) -> Option<NonZeroU16> {
    child
        .field
        .filter(|f| !child.optional && tarsier_parse::field_is_single_in(dialect, f.get()))
}

/// The kind ids `pattern` matches, when it names them (not `(_)`/`_`).
fn named_kinds(pattern: &NodePattern) -> Option<Vec<u16>> {
    match &pattern.kind {
        KindTest::Named(k) | KindTest::Anonymous(k) => Some(vec![*k]),
        KindTest::AnyNamed | KindTest::Any => None,
        KindTest::Alternation(alternatives) => {
            let mut out = Vec::new();
            for a in alternatives {
                out.extend(named_kinds(a)?);
            }
            Some(out)
        }
    }
}

/// Adds the kinds `pattern` can match to `out`; false when it matches any kind.
fn collect_kinds(pattern: &NodePattern, out: &mut Vec<u16>) -> bool {
    match &pattern.kind {
        KindTest::Named(k) | KindTest::Anonymous(k) => {
            out.push(*k);
            true
        }
        KindTest::AnyNamed | KindTest::Any => false,
        KindTest::Alternation(alts) => alts.iter().all(|a| collect_kinds(a, out)),
    }
}

/// A rule's query, parsed: its patterns and capture names (indexes in first-use order, as
/// tree-sitter numbers them).
#[derive(Debug, Clone)]
pub struct RuleQuery {
    /// The top-level patterns in order.
    pub patterns: Vec<Pattern>,
    /// Capture names by index.
    pub capture_names: Vec<String>,
}

impl RuleQuery {
    /// The index of capture `name`.
    pub fn capture_index(&self, name: &str) -> Option<u32> {
        self.capture_names
            .iter()
            .position(|n| n == name)
            .and_then(|i| u32::try_from(i).ok())
    }
}

/// Parses a rule's query text against `language` (node kinds and fields are checked).
pub fn parse_query(source: &str, language: &Language) -> Result<RuleQuery, PatternError> {
    let mut parser = QueryParser {
        src: source,
        pos: 0,
        language,
        captures: Vec::new(),
    };
    let mut patterns = Vec::new();
    loop {
        parser.skip_trivia();
        if parser.pos >= source.len() {
            break;
        }
        let mut raw = Vec::new();
        let start = parser.pos;
        let root = if parser.at_group() {
            parser.group(&mut raw)?
        } else {
            parser.node(&mut raw)?
        };
        if root.anchored {
            return Err(parser.error_at(start, "an anchor `.` outside a parent pattern"));
        }
        patterns.push(parser.finish_pattern(root, raw, start)?);
    }
    if patterns.is_empty() {
        return Err(PatternError {
            offset: 0,
            reason: "the query has no pattern".to_string(),
        });
    }
    Ok(RuleQuery {
        patterns,
        capture_names: parser.captures,
    })
}

struct QueryParser<'s, 'l> {
    src: &'s str,
    pos: usize,
    language: &'l Language,
    captures: Vec<String>,
}

/// A predicate as written, before it is sorted into text and general predicates.
struct RawPredicate {
    offset: usize,
    operator: String,
    args: Vec<PredicateArg>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'?' | b'!')
}

impl QueryParser<'_, '_> {
    fn error_at(&self, offset: usize, reason: impl Into<String>) -> PatternError {
        PatternError {
            offset,
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + ahead).copied()
    }

    /// Skips whitespace and `;` comments.
    fn skip_trivia(&mut self) {
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else if b == b';' {
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == b'\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    /// Whether a `((pattern) (#predicate?))` group starts here.
    fn at_group(&self) -> bool {
        if self.peek() != Some(b'(') {
            return false;
        }
        let rest = &self.src.as_bytes()[self.pos + 1..];
        let first = rest.iter().find(|b| !b.is_ascii_whitespace());
        let second = rest.iter().skip_while(|b| b.is_ascii_whitespace()).nth(1);
        matches!(first, Some(b'(' | b'[' | b'"')) && second != Some(&b'#')
    }

    /// A top-level group: one node pattern and predicates in parentheses (groups of several
    /// sibling patterns are not supported).
    fn group(&mut self, predicates: &mut Vec<RawPredicate>) -> Result<NodePattern, PatternError> {
        let start = self.pos;
        self.pos += 1;
        let mut inner: Option<NodePattern> = None;
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return Err(self.error_at(start, "unclosed `(`")),
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                Some(b'(') if self.peek_at(1) == Some(b'#') => predicates.push(self.predicate()?),
                Some(_) if inner.is_some() => {
                    return Err(
                        self.error_at(self.pos, "groups of sibling patterns are not supported")
                    );
                }
                Some(_) => inner = Some(self.node(predicates)?),
            }
        }
        let mut node = inner.ok_or_else(|| self.error_at(start, "an empty group"))?;
        // Captures after the group apply to its pattern.
        let outer = self.node_captures()?;
        node.captures.extend(outer);
        Ok(node)
    }

    /// A run of identifier characters (node kinds, fields, capture and predicate names).
    fn word(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(is_word_byte) {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// A `"..."` string with tree-sitter's escapes; `self.pos` is at the opening quote.
    fn string(&mut self) -> Result<String, PatternError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let rest = &self.src[self.pos..];
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, '0')) => out.push('\0'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                other => out.push(other),
            }
        }
        Err(self.error_at(start, "unterminated string"))
    }

    fn capture_index(&mut self, name: &str) -> u32 {
        let index = match self.captures.iter().position(|c| c == name) {
            Some(i) => i,
            None => {
                self.captures.push(name.to_string());
                self.captures.len() - 1
            }
        };
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// One node pattern (with its field, quantifier and captures); predicates found inside
    /// go to `predicates`.
    fn node(&mut self, predicates: &mut Vec<RawPredicate>) -> Result<NodePattern, PatternError> {
        self.skip_trivia();
        let start = self.pos;
        // `field: pattern`
        let mut field = None;
        if self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            let word = self.word().to_string();
            self.skip_trivia();
            if self.peek() != Some(b':') {
                return Err(self.error_at(start, format!("unexpected `{word}`")));
            }
            self.pos += 1;
            field = Some(
                self.language
                    .field_id_for_name(&word)
                    .ok_or_else(|| self.error_at(start, format!("unknown field `{word}`")))?,
            );
            self.skip_trivia();
        }
        let here = self.pos;
        let mut children = Vec::new();
        let mut anchor_last = false;
        let kind = match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                self.skip_trivia();
                if self.peek() == Some(b'#') {
                    return Err(self.error_at(here, "a predicate where a node pattern belongs"));
                }
                let name_at = self.pos;
                let name = self.word().to_string();
                let kind = match name.as_str() {
                    "" => return Err(self.error_at(name_at, "expected a node kind")),
                    "_" => KindTest::AnyNamed,
                    kind => {
                        let id = self.language.id_for_node_kind(kind, true);
                        if id == 0 {
                            return Err(
                                self.error_at(name_at, format!("unknown node kind `{kind}`"))
                            );
                        }
                        KindTest::Named(id)
                    }
                };
                let mut pending_anchor = false;
                loop {
                    self.skip_trivia();
                    match self.peek() {
                        None => return Err(self.error_at(here, "unclosed `(`")),
                        Some(b')') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b'.') => {
                            self.pos += 1;
                            pending_anchor = true;
                        }
                        Some(b'!') => {
                            return Err(self.error_at(self.pos, "negated fields are not supported"));
                        }
                        Some(b'(') if self.peek_at(1) == Some(b'#') => {
                            predicates.push(self.predicate()?);
                        }
                        Some(_) => {
                            let mut child = self.node(predicates)?;
                            child.anchored = pending_anchor;
                            pending_anchor = false;
                            children.push(child);
                        }
                    }
                }
                if pending_anchor {
                    if children.is_empty() {
                        return Err(self.error_at(here, "an anchor `.` with no child pattern"));
                    }
                    anchor_last = true;
                }
                kind
            }
            Some(b'[') => {
                self.pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    self.skip_trivia();
                    match self.peek() {
                        None => return Err(self.error_at(here, "unclosed `[`")),
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(_) => {
                            let alternative = self.node(predicates)?;
                            if alternative.field.is_some() {
                                return Err(self.error_at(here, "a field inside an alternation"));
                            }
                            alternatives.push(alternative);
                        }
                    }
                }
                if alternatives.is_empty() {
                    return Err(self.error_at(here, "an empty alternation"));
                }
                KindTest::Alternation(alternatives)
            }
            Some(b'"') => {
                let text = self.string()?;
                let id = self.language.id_for_node_kind(&text, false);
                if id == 0 {
                    return Err(self.error_at(here, format!("unknown anonymous node \"{text}\"")));
                }
                KindTest::Anonymous(id)
            }
            Some(b'_') if !self.peek_at(1).is_some_and(is_word_byte) => {
                self.pos += 1;
                KindTest::Any
            }
            _ => return Err(self.error_at(here, "expected `(`, `[`, `\"` or `_`")),
        };
        let mut optional = false;
        match self.peek() {
            Some(b'?') => {
                self.pos += 1;
                optional = true;
            }
            Some(b'*' | b'+') => {
                return Err(
                    self.error_at(self.pos, "the `*` and `+` quantifiers are not supported")
                );
            }
            _ => {}
        }
        let captures = self.node_captures()?;
        Ok(NodePattern {
            kind,
            field,
            optional,
            captures,
            children,
            anchored: false,
            anchor_last,
        })
    }

    /// The `@name` captures after a node pattern.
    fn node_captures(&mut self) -> Result<Vec<u32>, PatternError> {
        let mut captures = Vec::new();
        loop {
            let save = self.pos;
            self.skip_trivia();
            if self.peek() == Some(b'@') {
                self.pos += 1;
                let name = self.word().to_string();
                if name.is_empty() {
                    return Err(self.error_at(self.pos, "expected a capture name after `@`"));
                }
                captures.push(self.capture_index(&name));
            } else {
                self.pos = save;
                return Ok(captures);
            }
        }
    }

    /// `(#operator? args...)`; `self.pos` is at the `(`.
    fn predicate(&mut self) -> Result<RawPredicate, PatternError> {
        let offset = self.pos;
        self.pos += 2;
        let operator = self.word().to_string();
        if operator.is_empty() {
            return Err(self.error_at(offset, "expected a predicate name after `#`"));
        }
        let mut args = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return Err(self.error_at(offset, "unclosed predicate")),
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                Some(b'@') => {
                    self.pos += 1;
                    let name = self.word().to_string();
                    if name.is_empty() {
                        return Err(self.error_at(self.pos, "expected a capture name after `@`"));
                    }
                    args.push(PredicateArg::Capture(self.capture_index(&name)));
                }
                Some(b'"') => args.push(PredicateArg::String(self.string()?)),
                Some(b) if is_word_byte(b) => {
                    args.push(PredicateArg::String(self.word().to_string()))
                }
                Some(_) => {
                    return Err(self.error_at(self.pos, "unexpected character in a predicate"));
                }
            }
        }
        Ok(RawPredicate {
            offset,
            operator,
            args,
        })
    }

    /// Sorts a pattern's predicates into text predicates (eager or deferred) and general ones.
    fn finish_pattern(
        &self,
        root: NodePattern,
        raw: Vec<RawPredicate>,
        start: usize,
    ) -> Result<Pattern, PatternError> {
        let mut eager = Vec::new();
        let mut deferred = Vec::new();
        let mut general = Vec::new();
        let mut bound = Vec::new();
        collect_captures(&root, &mut bound);
        for p in raw {
            for arg in &p.args {
                if let PredicateArg::Capture(c) = arg
                    && !bound.contains(c)
                {
                    let name = self.captures.get(*c as usize).map_or("?", String::as_str);
                    return Err(self.error_at(
                        p.offset,
                        format!(
                            "#{} names @{name}, which this pattern does not capture",
                            p.operator
                        ),
                    ));
                }
            }
            let bad = |what: &str| self.error_at(p.offset, format!("#{} needs {what}", p.operator));
            let (negate, op) = match p.operator.strip_prefix("not-") {
                Some(rest) => (true, rest),
                None => (false, p.operator.as_str()),
            };
            match (op, p.args.as_slice()) {
                ("eq?", [PredicateArg::Capture(a), PredicateArg::Capture(b)]) => {
                    deferred.push(TextPredicate::SameText {
                        a: *a,
                        b: *b,
                        negate,
                    });
                }
                ("eq?", [PredicateArg::Capture(c), PredicateArg::String(s)]) => {
                    eager.push(TextPredicate::OneOf {
                        capture: *c,
                        values: vec![s.clone()],
                        negate,
                    });
                }
                ("eq?", _) => return Err(bad("a capture and a string or capture")),
                ("any-of?", [PredicateArg::Capture(c), rest @ ..]) if !rest.is_empty() => {
                    let mut values = Vec::new();
                    for arg in rest {
                        match arg {
                            PredicateArg::String(s) => values.push(s.clone()),
                            PredicateArg::Capture(_) => {
                                return Err(bad("strings after the capture"));
                            }
                        }
                    }
                    eager.push(TextPredicate::OneOf {
                        capture: *c,
                        values,
                        negate,
                    });
                }
                ("any-of?", _) => return Err(bad("a capture and at least one string")),
                ("match?", [PredicateArg::Capture(c), PredicateArg::String(s)])
                    if exact_alternatives(s).is_some() =>
                {
                    // `^(a|b)$` is set membership: cheaper, and usable as a dispatch key.
                    eager.push(TextPredicate::OneOf {
                        capture: *c,
                        values: exact_alternatives(s).unwrap_or_default(),
                        negate,
                    });
                }
                ("match?", [PredicateArg::Capture(c), PredicateArg::String(s)]) => {
                    let regex = Regex::new(s).map_err(|e| {
                        self.error_at(p.offset, format!("#{}: invalid regex: {e}", p.operator))
                    })?;
                    deferred.push(TextPredicate::Matches {
                        capture: *c,
                        regex,
                        negate,
                    });
                }
                ("match?", _) => return Err(bad("a capture and a regex string")),
                _ => general.push(GeneralPredicate {
                    operator: p.operator,
                    args: p.args,
                }),
            }
        }
        if bound.is_empty() && !general.is_empty() {
            return Err(self.error_at(start, "predicates on a pattern without captures"));
        }
        Ok(Pattern {
            root,
            dialect: tarsier_parse::Dialect::of_language(self.language),
            eager,
            deferred,
            general,
        })
    }
}

/// The words of a regex that is exactly `^(w1|w2|...)$` (or `^w$`, or with `(?:`), where the
/// words are plain identifier characters; `None` for anything else.
fn exact_alternatives(regex: &str) -> Option<Vec<String>> {
    let inner = regex.strip_prefix('^')?.strip_suffix('$')?;
    let inner = match inner
        .strip_prefix("(?:")
        .or_else(|| inner.strip_prefix('('))
    {
        Some(rest) => rest.strip_suffix(')')?,
        None => inner,
    };
    let words: Vec<String> = inner.split('|').map(str::to_string).collect();
    let plain =
        |w: &String| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    words.iter().all(plain).then_some(words)
}

fn collect_captures(pattern: &NodePattern, out: &mut Vec<u32>) {
    out.extend(pattern.captures.iter().copied());
    if let KindTest::Alternation(alts) = &pattern.kind {
        for a in alts {
            collect_captures(a, out);
        }
    }
    for c in &pattern.children {
        collect_captures(c, out);
    }
}

/// The captures of one match: (capture index, node), in binding order.
pub type Captures<'t> = [(u32, Node<'t>)];

/// A child of a node as the matcher sees it.
#[derive(Clone, Copy)]
struct Kid<'t> {
    node: Node<'t>,
    field: Option<NonZeroU16>,
    named: bool,
}

/// Matching state for one file: the captures bound so far, a reusable tree cursor and buffers,
/// and the step budget that bounds the time a file can take.
pub struct MatchState<'t, 's> {
    source: &'s str,
    captures: Vec<(u32, Node<'t>)>,
    cursor: Option<TreeCursor<'t>>,
    /// Children of nodes already listed for the current root node: the patterns that start
    /// at one node look at the same few nodes (a call's callee and arguments).
    /// (node id, start, length) of each listed node's children in `arena`.
    kids: Vec<(usize, usize, usize)>,
    /// The children listed for the current root, end to end: reused, so matching allocates
    /// nothing once the buffers have grown.
    arena: Vec<Kid<'t>>,
    kids_root: Option<usize>,
    steps_left: u64,
    exceeded: bool,
}

/// Steps a file may take: a base plus this many per source byte. Ordinary code takes a few
/// steps per byte; only pathological nesting or repetition comes near.
pub const STEPS_PER_BYTE: u64 = 64;
const BASE_STEPS: u64 = 1_000_000;

impl<'t, 's> MatchState<'t, 's> {
    /// A state for matching in the tree of `source`.
    pub fn new(source: &'s str) -> Self {
        MatchState {
            source,
            captures: Vec::new(),
            cursor: None,
            kids: Vec::new(),
            arena: Vec::new(),
            kids_root: None,
            steps_left: BASE_STEPS
                .saturating_add(STEPS_PER_BYTE.saturating_mul(source.len() as u64)),
            exceeded: false,
        }
    }

    /// Whether the step budget ran out (some matches may be missing).
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    fn spend(&mut self, steps: u64) -> bool {
        if self.steps_left < steps {
            self.exceeded = true;
            self.steps_left = 0;
            false
        } else {
            self.steps_left -= steps;
            true
        }
    }

    fn text(&self, node: Node<'_>) -> &'s str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    /// The children of `node` as a (start, length) span of `arena`, listed once per root.
    fn children_of(&mut self, node: Node<'t>) -> (usize, usize) {
        let id = node.id();
        if let Some(&(_, start, len)) = self.kids.iter().find(|(n, _, _)| *n == id) {
            return (start, len);
        }
        let start = self.arena.len();
        let cursor = self.cursor.get_or_insert_with(|| node.walk());
        cursor.reset(node);
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if !child.is_extra() {
                    self.arena.push(Kid {
                        node: child,
                        field: cursor.field_id(),
                        named: child.is_named(),
                    });
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        let len = self.arena.len() - start;
        self.kids.push((id, start, len));
        (start, len)
    }

    fn kid(&self, kids: (usize, usize), j: usize) -> Option<Kid<'t>> {
        if j < kids.1 {
            self.arena.get(kids.0 + j).copied()
        } else {
            None
        }
    }

    /// Does the text of every node bound to the predicate's capture(s) satisfy it? An unbound
    /// capture (an optional node that is absent) satisfies it.
    fn holds(&mut self, predicate: &TextPredicate) -> bool {
        match predicate {
            TextPredicate::OneOf {
                capture,
                values,
                negate,
            } => self
                .captures
                .iter()
                .filter(|(c, _)| c == capture)
                .all(|&(_, node)| {
                    let text = self.text(node);
                    values.iter().any(|v| v == text) != *negate
                }),
            TextPredicate::SameText { a, b, negate } => {
                let first = |c: u32| self.captures.iter().find(|(i, _)| *i == c).map(|&(_, n)| n);
                match (first(*a), first(*b)) {
                    (Some(x), Some(y)) => (self.text(x) == self.text(y)) != *negate,
                    _ => true,
                }
            }
            TextPredicate::Matches {
                capture,
                regex,
                negate,
            } => {
                // By index: `spend` needs `self` mutably while the captures are read.
                for i in 0..self.captures.len() {
                    let (c, node) = self.captures[i];
                    if c != *capture {
                        continue;
                    }
                    let text = self.text(node);
                    // A regex costs about one step per 64 bytes it may read.
                    if !(self.spend(1 + text.len() as u64 / 64) && regex.is_match(text) != *negate)
                    {
                        return false;
                    }
                }
                true
            }
        }
    }
}

/// Calls `on_match` for every match of `pattern` rooted at `node`.
pub fn match_at<'t>(
    pattern: &Pattern,
    node: Node<'t>,
    state: &mut MatchState<'t, '_>,
    on_match: &mut dyn FnMut(&Captures<'t>),
) {
    state.captures.clear();
    if state.kids_root != Some(node.id()) {
        state.kids.clear();
        state.arena.clear();
        state.kids_root = Some(node.id());
    }
    let mut emit = |st: &mut MatchState<'t, '_>| {
        for p in &pattern.deferred {
            if !st.holds(p) {
                return;
            }
        }
        on_match(&st.captures);
    };
    match_node(pattern, &pattern.root, node, state, &mut emit);
}

/// Binds `captures` to `node`, checking the eager predicates on them; false (and nothing bound)
/// when one fails.
fn bind<'t>(
    pattern: &Pattern,
    captures: &[u32],
    node: Node<'t>,
    state: &mut MatchState<'t, '_>,
) -> bool {
    let mark = state.captures.len();
    for &c in captures {
        state.captures.push((c, node));
    }
    for p in &pattern.eager {
        let TextPredicate::OneOf { capture, .. } = p else {
            continue;
        };
        if captures.contains(capture) && !state.holds(p) {
            state.captures.truncate(mark);
            return false;
        }
    }
    // A regex on a short text (a name, an operand) is cheap: checked now, it prunes the match
    // before its children are looked at. On long texts it waits for the end of the match.
    if node.byte_range().len() <= EAGER_REGEX_BYTES {
        for p in &pattern.deferred {
            let TextPredicate::Matches { capture, .. } = p else {
                continue;
            };
            if captures.contains(capture) && !state.holds(p) {
                state.captures.truncate(mark);
                return false;
            }
        }
    }
    true
}

/// Captures at most this long have their `#match?` checked as soon as they are bound.
const EAGER_REGEX_BYTES: usize = 256;

type Continue<'a, 't, 's> = dyn FnMut(&mut MatchState<'t, 's>) + 'a;

fn match_node<'t, 's>(
    pattern: &Pattern,
    np: &NodePattern,
    node: Node<'t>,
    state: &mut MatchState<'t, 's>,
    k: &mut Continue<'_, 't, 's>,
) {
    if !state.spend(1) {
        return;
    }
    let mark = state.captures.len();
    match &np.kind {
        KindTest::Alternation(alternatives) => {
            for alternative in alternatives {
                match_node(pattern, alternative, node, state, &mut |st| {
                    let inner = st.captures.len();
                    if bind(pattern, &np.captures, node, st) {
                        k(st);
                        st.captures.truncate(inner);
                    }
                });
                state.captures.truncate(mark);
                if state.exceeded {
                    return;
                }
            }
            return;
        }
        KindTest::Named(kind) => {
            if !node.is_named() || node.kind_id() != *kind {
                return;
            }
        }
        KindTest::Anonymous(kind) => {
            if node.is_named() || node.kind_id() != *kind {
                return;
            }
        }
        KindTest::AnyNamed => {
            if !node.is_named() {
                return;
            }
        }
        KindTest::Any => {}
    }
    if !bind(pattern, &np.captures, node, state) {
        return;
    }
    if np.children.is_empty() {
        k(state);
    } else {
        let kids = state.children_of(node);
        match_children(
            pattern,
            &np.children,
            np.anchor_last,
            kids,
            0,
            None,
            state,
            k,
        );
    }
    state.captures.truncate(mark);
}

/// Matches child patterns `pats` against the kids from `start` on (`kids` is a span of the
/// state's arena); `previous` is the index of the kid the previous child pattern matched.
#[allow(clippy::too_many_arguments)]
fn match_children<'t, 's>(
    pattern: &Pattern,
    pats: &[NodePattern],
    anchor_last: bool,
    kids: (usize, usize),
    start: usize,
    previous: Option<usize>,
    state: &mut MatchState<'t, 's>,
    k: &mut Continue<'_, 't, 's>,
) {
    let Some((first, rest)) = pats.split_first() else {
        let later_named = previous.map_or(0, |p| p + 1);
        if anchor_last && (later_named..kids.1).any(|j| state.kid(kids, j).is_some_and(|k| k.named))
        {
            return;
        }
        k(state);
        return;
    };
    let wants_named = only_named(first);
    let mut matched = false;
    for j in start..kids.1 {
        if state.exceeded {
            return;
        }
        let Some(kid) = state.kid(kids, j) else {
            break;
        };
        if wants_named && !kid.named {
            continue;
        }
        if first.field.is_none_or(|f| kid.field == Some(f)) {
            match_node(pattern, first, kid.node, state, &mut |st| {
                matched = true;
                match_children(pattern, rest, anchor_last, kids, j + 1, Some(j), st, k);
            });
        }
        // An anchored child pattern may only take the first named kid it reaches.
        if first.anchored && kid.named {
            break;
        }
    }
    // `?`: without the node, only when it matched nowhere (the longer match wins).
    if first.optional && !matched && !state.exceeded {
        match_children(pattern, rest, anchor_last, kids, start, previous, state, k);
    }
}

/// Whether `pattern` can only match named nodes.
fn only_named(pattern: &NodePattern) -> bool {
    match &pattern.kind {
        KindTest::Named(_) | KindTest::AnyNamed => true,
        KindTest::Anonymous(_) | KindTest::Any => false,
        KindTest::Alternation(alts) => alts.iter().all(only_named),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(query: &str, code: &str) -> Vec<Vec<(String, String)>> {
        let language = tarsier_parse::language();
        let q = parse_query(query, &language).expect("query parses");
        let tree = tarsier_parse::parse(code).expect("parses");
        let mut out = Vec::new();
        let mut state = MatchState::new(code);
        walk(tree.root_node(), &mut |node, _| {
            for p in &q.patterns {
                match_at(p, node, &mut state, &mut |caps| {
                    out.push(
                        caps.iter()
                            .map(|(c, n)| {
                                (
                                    q.capture_names[*c as usize].clone(),
                                    code[n.byte_range()].to_string(),
                                )
                            })
                            .collect(),
                    );
                });
            }
        });
        out
    }

    #[test]
    fn fields_captures_and_eager_predicates() {
        let q = r#"(call_expression
            function: (member_expression object: (_) @obj property: (property_identifier) @m)
            arguments: (arguments . (_) @arg)
            (#any-of? @m "send" "end")) @call"#;
        let found = matches(q, "res.send(a, b); res.write(c); x.end(d);");
        let args: Vec<&str> = found
            .iter()
            .filter_map(|m| m.iter().find(|(n, _)| n == "arg").map(|(_, t)| t.as_str()))
            .collect();
        assert_eq!(args, ["a", "d"]);
    }

    #[test]
    fn unanchored_children_give_every_combination() {
        let q = "(arguments (_) @a)";
        assert_eq!(matches(q, "f(x, y, z)").len(), 3);
        let anchored = "(arguments . (_) @a . (_) @b)";
        let found = matches(anchored, "f(x, y, z)");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0][1].1, "y");
        let last = "(arguments . (_) @a .)";
        assert!(matches(last, "f(x, y)").is_empty());
        assert_eq!(matches(last, "f(x)").len(), 1);
    }

    #[test]
    fn alternations_anonymous_nodes_and_regexes() {
        let q = r#"(binary_expression
            left: (_) @l
            operator: ["===" "=="] @op
            right: (_) @r
            (#match? @l "(?i)token"))"#;
        assert_eq!(
            matches(q, "a.token === b; a.token !== b; x === y;").len(),
            1
        );
        let alt = r#"(call_expression function: [(identifier) @f (member_expression property: (property_identifier) @f)] (#eq? @f "spawn"))"#;
        assert_eq!(matches(alt, "spawn(a); cp.spawn(b); cp.exec(c);").len(), 2);
    }

    #[test]
    fn optional_nodes_prefer_the_longer_match() {
        let q = r#"(call_expression function: (identifier) @f arguments: (arguments . (_)? @arg) (#eq? @f "Buffer"))"#;
        let found = matches(q, "Buffer(1); Buffer();");
        assert_eq!(found.len(), 2);
        assert!(found[0].iter().any(|(n, t)| n == "arg" && t == "1"));
        assert!(!found[1].iter().any(|(n, _)| n == "arg"));
    }

    #[test]
    fn comments_are_not_children() {
        let q = "(arguments . (identifier) @a .)";
        assert_eq!(matches(q, "f(/* note */ x)").len(), 1);
    }

    #[test]
    fn bad_queries_are_errors_with_positions() {
        let language = tarsier_parse::language();
        for (query, needle) in [
            ("(no_such_kind)", "unknown node kind"),
            ("(call_expression nofield: (_))", "unknown field"),
            ("(call_expression", "unclosed"),
            ("(identifier)*", "not supported"),
            ("((identifier) @a (#match? @a \"(\"))", "invalid regex"),
            ("(identifier) @a (#eq? @b \"x\")", "predicate where"),
            ("((identifier) @a (#eq? @b \"x\"))", "does not capture"),
            (
                "((identifier) @a) (identifier) (#eq? @a \"x\")",
                "predicate where",
            ),
        ] {
            let e = parse_query(query, &language).expect_err(query);
            assert!(e.reason.contains(needle), "{query}: {e}");
        }
    }

    #[test]
    fn anchored_word_alternations_are_sets() {
        assert_eq!(
            exact_alternatives("^(jwt|JWT|json_webtoken)$"),
            Some(vec!["jwt".into(), "JWT".into(), "json_webtoken".into()])
        );
        assert_eq!(
            exact_alternatives("^(?:a|b)$"),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(exact_alternatives("^URL$"), Some(vec!["URL".into()]));
        for not_a_set in [
            "(?i)session",
            "^(a|b)",
            "^(a|b.c)$",
            "^(a|)$",
            "^(a)(b)$",
            "^a+$",
        ] {
            assert_eq!(exact_alternatives(not_a_set), None, "{not_a_set}");
        }
        let q = r#"(call_expression function: (identifier) @f (#match? @f "^(foo|bar)$"))"#;
        assert_eq!(matches(q, "foo(); bar(); foobar(); baz();").len(), 2);
        let negated =
            r#"(call_expression function: (identifier) @f (#not-match? @f "^(foo|bar)$"))"#;
        assert_eq!(matches(negated, "foo(); bar(); foobar(); baz();").len(), 2);
    }

    #[test]
    fn budget_stops_pathological_input() {
        let q = "(binary_expression left: (_) @l right: (_) @r (#match? @l \"zzz\"))";
        let language = tarsier_parse::language();
        let query = parse_query(q, &language).expect("parses");
        let code = format!("x{}", " === a".repeat(20_000));
        let tree = tarsier_parse::parse(&code).expect("parses");
        let mut state = MatchState::new(&code);
        state.steps_left = 10_000;
        walk(tree.root_node(), &mut |node, _| {
            match_at(&query.patterns[0], node, &mut state, &mut |_| {});
        });
        assert!(state.exceeded());
    }
}
