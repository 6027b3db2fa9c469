//! Text anchors and the sparse walk they allow.
//!
//! Walking every node of a tree costs a fifth of parsing it, and most nodes cannot start a
//! match of any rule. So the engine reads the text first: each pattern has a *clause*, a set of
//! [`Anchor`]s of which every match contains at least one inside the matched node (the method
//! name of `res.send(...)` where arguments may follow it, the `==` of a comparison, a literal of
//! a `#match?` regex, a `/` that can begin a regex literal). One automaton pass over a file's
//! bytes ([`AnchorIndex::scan`]) decides which rules' pre-filter words occur and where the
//! anchors of those rules are (the *hot positions*); the walk ([`walk_sparse`]) visits and
//! descends only into nodes that contain a hot position: a node that contains none cannot be,
//! nor contain, the root of a match. Nothing is lost by construction; the results equal those
//! of a walk of every node, which tests check on every rule case and corpus file, the
//! `engine_scan` fuzz target on every input, and the `scan_cost` benchmark on real packages.
//!
//! A full walk is still used for a file when some rule enabled for it has a pattern without a
//! clause, and for trees with syntax errors (error recovery can insert zero-width tokens that
//! are in the tree but not in the text, and lexes regex literals where valid code could not
//! have them).

use aho_corasick::AhoCorasick;
use tree_sitter::Node;

/// A piece of text every match of a pattern contains inside the matched node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Anchor {
    /// A whole identifier or keyword token (`send`, `true`): an occurrence counts unless an
    /// ASCII identifier character (`A-Z a-z 0-9 _ $`) touches it.
    Word(String),
    /// A [`Anchor::Word`] that ends a callee: after it come blanks and then the arguments
    /// (`(`, a template's `` ` ``, `?.(`), or a comment that may stand before them.
    Callee(String),
    /// Text anywhere, even inside a longer word.
    Text {
        /// The text (lowercase when `ignore_case`).
        text: String,
        /// Compare ignoring ASCII case.
        ignore_case: bool,
    },
    /// A `/` that can begin a regular-expression literal (see [`regex_starts`]).
    RegexStart,
    /// An assignment to a subscript, `x[k] = v`: a `]` followed by blanks and a `=` that is not
    /// `==` or `=>` (or by a comment, which may hide the `=`).
    IndexAssign,
    /// A subscript of a name assigned with `=`, `x = y[k]`: a `[` after a name (and perhaps a
    /// `?.`) after a `=` that ends no other operator (or a comment, which may hide either).
    AssignedSubscript,
}

impl Anchor {
    /// The anchor for text a node must equal: a [`Anchor::Word`] when the node is an
    /// identifier-like token and the text an identifier, else exact [`Anchor::Text`].
    pub fn for_node_text(text: &str, identifier_node: bool) -> Anchor {
        if identifier_node && !text.is_empty() && text.bytes().all(is_ident_byte) {
            Anchor::Word(text.to_string())
        } else {
            Anchor::Text {
                text: text.to_string(),
                ignore_case: false,
            }
        }
    }

    /// Whether the anchor is an empty text (which says nothing about where a match is).
    pub fn is_empty(&self) -> bool {
        match self {
            Anchor::Word(t) | Anchor::Callee(t) | Anchor::Text { text: t, .. } => t.is_empty(),
            Anchor::RegexStart | Anchor::IndexAssign | Anchor::AssignedSubscript => false,
        }
    }

    /// A rough rank of how rarely the anchor occurs in code: longer is rarer, whole words are
    /// rarer than text, punctuation is common.
    fn rarity(&self) -> usize {
        match self {
            Anchor::Word(w) => 2 * w.len() + 2,
            Anchor::Callee(w) => 2 * w.len() + 3,
            Anchor::Text { text, .. } => 2 * text.len(),
            // Rarer in code than the two-character texts it competes with (`||`, `==`), and
            // the recursive-merge rules make its offsets hot anyway.
            Anchor::IndexAssign => 5,
            Anchor::AssignedSubscript => 6,
            Anchor::RegexStart => 1,
        }
    }
}

/// Ranks a clause (higher is better: fewer hot positions expected): its most common anchor
/// decides, then the number of anchors.
pub fn clause_rank(clause: &[Anchor]) -> (usize, std::cmp::Reverse<usize>) {
    let weakest = clause.iter().map(Anchor::rarity).min().unwrap_or(0);
    (weakest, std::cmp::Reverse(clause.len()))
}

/// The clause a `#match?` regex gives its capture: the literal prefixes of its matches (every
/// match begins with one), compared ignoring ASCII case; Unicode case folding spells some
/// variants with non-ASCII letters (`ſecret`), which are needles of their own. When a match
/// can begin with anything (`^.__proto__.$`), the longest literal that every match contains,
/// if any. `None` without either.
pub fn regex_clause(regex: &str) -> Option<Vec<Anchor>> {
    let hir = regex_syntax::parse(regex).ok()?;
    prefix_clause(&hir).or_else(|| inner_literal_clause(&hir))
}

/// The longest literal of a regex that is a sequence at its top (`^.__proto__.$` gives
/// `__proto__`): every match spells it. Case-insensitive letters are classes, not literals, so
/// the text found is exact; it is compared ignoring case like the prefixes (a superset).
fn inner_literal_clause(hir: &regex_syntax::hir::Hir) -> Option<Vec<Anchor>> {
    use regex_syntax::hir::HirKind;
    let mut hir = hir;
    while let HirKind::Capture(capture) = hir.kind() {
        hir = &capture.sub;
    }
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let text = parts
        .iter()
        .filter_map(|part| match part.kind() {
            HirKind::Literal(literal) => std::str::from_utf8(&literal.0).ok(),
            _ => None,
        })
        .max_by_key(|text| text.len())
        .filter(|text| !text.is_empty())?;
    Some(vec![Anchor::Text {
        text: text.to_ascii_lowercase(),
        ignore_case: true,
    }])
}

/// The clause of a regex's literal prefixes (see [`regex_clause`]).
fn prefix_clause(hir: &regex_syntax::hir::Hir) -> Option<Vec<Anchor>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut extractor = Extractor::new();
    // Case-insensitive words spell out every case variant (Unicode folding adds `ſ` for `s`
    // and the Kelvin sign for `k`) before they are lowercased and merged below: room for that.
    extractor
        .kind(ExtractKind::Prefix)
        .limit_total(8192)
        .limit_literal_len(64);
    let seq = extractor.extract(hir);
    let literals = seq.literals()?;
    let mut texts: Vec<String> = Vec::new();
    for literal in literals {
        let text = std::str::from_utf8(literal.as_bytes()).ok()?;
        if text.is_empty() {
            return None;
        }
        texts.push(text.to_ascii_lowercase());
    }
    texts.sort();
    texts.dedup();
    // A text that contains another of the set adds nothing: the shorter one occurs too.
    let all = texts.clone();
    texts.retain(|t| !all.iter().any(|u| u != t && t.contains(u.as_str())));
    if texts.is_empty() {
        return None;
    }
    Some(
        texts
            .into_iter()
            .map(|text| Anchor::Text {
                text,
                ignore_case: true,
            })
            .collect(),
    )
}

/// An anchor every node of a named kind contains, for the kinds rules name whose text always
/// holds a fixed token.
pub fn kind_anchor(kind: &str) -> Option<Anchor> {
    let word = |w: &str| Some(Anchor::Word(w.to_string()));
    let text = |t: &str| {
        Some(Anchor::Text {
            text: t.to_string(),
            ignore_case: false,
        })
    };
    match kind {
        "true" | "false" | "null" | "this" | "super" | "undefined" => word(kind),
        "new_expression" => word("new"),
        "for_in_statement" => word("for"),
        "regex" => Some(Anchor::RegexStart),
        "subscript_expression" | "array" => text("["),
        "template_string" => text("`"),
        "arrow_function" => text("=>"),
        _ => None,
    }
}

/// Whether `word` occurs in `text` as a whole word: with no ASCII identifier character on either
/// side (as [`Anchor::Word`] occurrences are counted).
pub fn contains_word(text: &str, word: &str) -> bool {
    !word.is_empty()
        && word_starts(text.as_bytes(), word.as_bytes())
            .next()
            .is_some()
}

/// Whether `bytes[start..end]` has no ASCII identifier character on either side.
fn whole_word(bytes: &[u8], start: usize, end: usize) -> bool {
    !start
        .checked_sub(1)
        .and_then(|p| bytes.get(p))
        .is_some_and(|&b| is_ident_byte(b))
        && !bytes.get(end).is_some_and(|&b| is_ident_byte(b))
}

/// Whether what follows offset `at`, after ASCII blanks, may begin a call's arguments: `(`, a
/// template's `` ` ``, the `?.` of an optional call, a comment's `/`, or non-ASCII text (which
/// may be a Unicode blank).
fn before_arguments(bytes: &[u8], at: usize) -> bool {
    let mut i = at;
    while bytes.get(i).is_some_and(|&b| is_blank(b)) {
        i += 1;
    }
    bytes
        .get(i)
        .is_some_and(|&b| matches!(b, b'(' | b'`' | b'?' | b'/') || b >= 0x80)
}

/// JavaScript's ASCII white space and line terminators (Unicode ones are non-ASCII bytes,
/// which every check here accepts).
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// An ASCII identifier byte (`A-Z a-z 0-9 _ $`).
pub(crate) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Who needs an anchor: an index into the engine's owners (its query rules, then the ReDoS
/// analyzer), so a file's hot positions come only from the rules enabled for it.
pub type Owner = u16;

/// A text to find, and who needs its occurrences, by how each is checked.
#[derive(Debug, Default)]
struct Needle {
    /// The text (lowercase when only `folded` owners need it).
    text: String,
    /// Owners of the text as an [`Anchor::Text`] that ignores ASCII case.
    folded: Vec<Owner>,
    /// Owners of the text as an [`Anchor::Word`].
    words: Vec<Owner>,
    /// Owners of the text as an [`Anchor::Callee`].
    callees: Vec<Owner>,
    /// Owners of the text as an exact [`Anchor::Text`].
    texts: Vec<Owner>,
    /// Owners whose pre-filter word it is (`requires` in the rule file).
    requires: Vec<Owner>,
}

/// What one owner asks of a file's text.
#[derive(Debug, Clone, Default)]
pub struct OwnerSpec {
    /// Pre-filter words: the owner runs on a file only when one occurs (always when empty).
    pub requires: Vec<String>,
    /// The clause of each of its patterns; `None` for a pattern without one.
    pub clauses: Vec<Option<Vec<Anchor>>>,
}

/// What a file's text says before its tree is walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAnchors {
    /// Per owner, whether its pre-filter lets it run on the file.
    pub enabled: Vec<bool>,
    /// The sorted byte offsets where an anchor of an enabled owner occurs; `None` when an
    /// enabled owner has a pattern without a clause (walk everything).
    pub hot: Option<Vec<usize>>,
}

/// The anchors and pre-filter words of every owner, found in a file's text in one pass.
#[derive(Debug, Default)]
pub struct AnchorIndex {
    /// Every text ([`Needle`]), found ignoring ASCII case with every overlapping occurrence: a
    /// hit is checked afterwards (exact case, whole word, followed by arguments), so none may
    /// hide another.
    automaton: Option<AhoCorasick>,
    /// The patterns of `automaton`, by pattern id.
    needles: Vec<Needle>,
    /// Per owner, whether it has pre-filter words.
    filtered: Vec<bool>,
    /// Owners of [`Anchor::RegexStart`].
    regex_owners: Vec<Owner>,
    /// Owners of [`Anchor::IndexAssign`].
    index_assign_owners: Vec<Owner>,
    /// Owners of [`Anchor::AssignedSubscript`].
    assigned_subscript_owners: Vec<Owner>,
    /// Owners with a pattern without a clause: a file that enables one gets the full walk.
    unanchored: Vec<Owner>,
}

fn add_owner(list: &mut Vec<Owner>, owner: Owner) {
    if !list.contains(&owner) {
        list.push(owner);
    }
}

impl AnchorIndex {
    /// Indexes the owners (owner `i` is `owners[i]`).
    pub fn build(owners: &[OwnerSpec]) -> Self {
        let mut index = AnchorIndex {
            filtered: owners.iter().map(|o| !o.requires.is_empty()).collect(),
            ..AnchorIndex::default()
        };
        for (i, spec) in owners.iter().enumerate() {
            let owner = Owner::try_from(i).unwrap_or(Owner::MAX);
            for word in spec.requires.iter().filter(|w| !w.is_empty()) {
                add_owner(&mut index.needle(word).requires, owner);
            }
            for clause in &spec.clauses {
                let Some(clause) = clause else {
                    add_owner(&mut index.unanchored, owner);
                    continue;
                };
                for anchor in clause {
                    match anchor {
                        Anchor::Word(w) => add_owner(&mut index.needle(w).words, owner),
                        Anchor::Callee(w) => add_owner(&mut index.needle(w).callees, owner),
                        Anchor::Text {
                            text,
                            ignore_case: false,
                        } => add_owner(&mut index.needle(text).texts, owner),
                        Anchor::Text {
                            text,
                            ignore_case: true,
                        } => {
                            let text = text.to_ascii_lowercase();
                            add_owner(&mut index.needle(&text).folded, owner);
                        }
                        Anchor::RegexStart => add_owner(&mut index.regex_owners, owner),
                        Anchor::IndexAssign => add_owner(&mut index.index_assign_owners, owner),
                        Anchor::AssignedSubscript => {
                            add_owner(&mut index.assigned_subscript_owners, owner)
                        }
                    }
                }
            }
        }
        index.automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(index.needles.iter().map(|n| n.text.as_str()))
            .ok();
        if index.automaton.is_none() && !index.needles.is_empty() {
            // Cannot happen for these small sets; never lose a match over it: every owner
            // runs, on the full walk.
            index.filtered.iter_mut().for_each(|f| *f = false);
            index.unanchored = (0..owners.len())
                .filter_map(|i| Owner::try_from(i).ok())
                .collect();
        }
        index
    }

    /// The needle for `text`, added if new.
    fn needle(&mut self, text: &str) -> &mut Needle {
        let i = match self.needles.iter().position(|n| n.text == text) {
            Some(i) => i,
            None => {
                self.needles.push(Needle {
                    text: text.to_string(),
                    ..Needle::default()
                });
                self.needles.len() - 1
            }
        };
        &mut self.needles[i]
    }

    /// Which owners run on `source`, and where their anchors are.
    pub fn scan(&self, source: &str) -> FileAnchors {
        let bytes = source.as_bytes();
        let mut enabled: Vec<bool> = self.filtered.iter().map(|f| !f).collect();
        // Anchor hits before the owners are known: (offset, owners).
        let mut hits: Vec<(usize, &[Owner])> = Vec::new();
        for m in self
            .automaton
            .iter()
            .flat_map(|a| a.find_overlapping_iter(source))
        {
            let Some(needle) = self.needles.get(m.pattern().as_usize()) else {
                continue;
            };
            if !needle.folded.is_empty() {
                hits.push((m.start(), &needle.folded));
            }
            if bytes.get(m.range()) != Some(needle.text.as_bytes()) {
                continue;
            }
            for &o in &needle.requires {
                if let Some(e) = enabled.get_mut(usize::from(o)) {
                    *e = true;
                }
            }
            if !needle.texts.is_empty() {
                hits.push((m.start(), &needle.texts));
            }
            if (needle.words.is_empty() && needle.callees.is_empty())
                || !whole_word(bytes, m.start(), m.end())
            {
                continue;
            }
            if !needle.words.is_empty() {
                hits.push((m.start(), &needle.words));
            }
            if !needle.callees.is_empty() && before_arguments(bytes, m.end()) {
                hits.push((m.start(), &needle.callees));
            }
        }
        let on = |o: &Owner| enabled.get(usize::from(*o)).copied().unwrap_or(false);
        if self.unanchored.iter().any(on) {
            return FileAnchors { enabled, hot: None };
        }
        let mut hot: Vec<usize> = hits
            .into_iter()
            .filter(|(_, owners)| owners.iter().any(on))
            .map(|(at, _)| at)
            .collect();
        if self.regex_owners.iter().any(on) {
            hot.extend(regex_starts(bytes));
        }
        if self.index_assign_owners.iter().any(on) {
            hot.extend(index_assigns(bytes));
        }
        if self.assigned_subscript_owners.iter().any(on) {
            hot.extend(assigned_subscripts(bytes));
        }
        hot.sort_unstable();
        hot.dedup();
        FileAnchors {
            enabled,
            hot: Some(hot),
        }
    }
}

/// Every `/` that can begin a regular-expression literal, and more. A regex literal's first
/// `/` is followed by a pattern character, never `/` (that is a line comment); it is not the
/// second `/` of a `//` unless that `/` closes a block comment (`*//re/`); `/*` begins a
/// comment, unless the comment is never closed (the lexer then falls back to `/`); and what
/// comes before it must allow an expression to start (after a name, a number, a string or a
/// `]`, a `/` divides, unless the name is a keyword such as `return`).
pub fn regex_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let last_close = memchr::memmem::rfind(bytes, b"*/");
    memchr::memchr_iter(b'/', bytes).filter(move |&i| {
        let next = bytes.get(i + 1).copied();
        if next == Some(b'/') {
            return false;
        }
        if next == Some(b'*') && last_close.is_some_and(|c| c >= i + 2) {
            return false;
        }
        let prev = i.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        let before_prev = i.checked_sub(2).and_then(|p| bytes.get(p)).copied();
        if prev == Some(b'/') && before_prev != Some(b'*') {
            return false;
        }
        may_precede_regex(bytes, i)
    })
}

/// Keywords after which an expression, so a regex literal, can start.
const KEYWORDS_BEFORE_EXPRESSION: &[&[u8]] = &[
    b"return",
    b"typeof",
    b"instanceof",
    b"in",
    b"of",
    b"new",
    b"delete",
    b"void",
    b"throw",
    b"case",
    b"do",
    b"else",
    b"yield",
    b"await",
    b"extends",
    b"default",
];

/// Whether the text before the `/` at `slash` lets it begin a regex literal. Only the same line
/// is read (a line comment could hide what ends the previous one), blanks skipped: after an
/// identifier, a number, a string or a `]`, a `/` divides, unless the identifier is a keyword
/// that expects an expression (`return /x/`). Anything else, or a line start, may precede a
/// regex.
fn may_precede_regex(bytes: &[u8], slash: usize) -> bool {
    let mut j = slash;
    while let Some(&b) = j.checked_sub(1).and_then(|p| bytes.get(p)) {
        match b {
            b' ' | b'\t' | 0x0B | 0x0C => j -= 1,
            b'\n' | b'\r' => return true,
            _ => break,
        }
    }
    let Some(&before) = j.checked_sub(1).and_then(|p| bytes.get(p)) else {
        return true;
    };
    match before {
        b']' | b'\'' | b'"' | b'`' => false,
        b if is_ident_byte(b) => {
            let end = j;
            let mut start = end;
            while start > 0 && bytes.get(start - 1).is_some_and(|&b| is_ident_byte(b)) {
                start -= 1;
            }
            // A word glued to non-ASCII text may be part of a longer identifier or follow a
            // Unicode blank: keep it.
            let glued = start > 0 && bytes.get(start - 1).is_some_and(|&b| b >= 0x80);
            glued
                || bytes
                    .get(start..end)
                    .is_some_and(|w| KEYWORDS_BEFORE_EXPRESSION.contains(&w))
        }
        _ => true,
    }
}

/// Every `]` followed by blanks and then a `=` that is not `==` or `=>`, or by a `/` (a comment
/// may stand between the subscript and its `=`) or non-ASCII text (a Unicode blank may).
pub fn index_assigns(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b']', bytes).filter(move |&i| {
        let mut j = i + 1;
        while bytes.get(j).is_some_and(|&b| is_blank(b)) {
            j += 1;
        }
        match bytes.get(j) {
            // A comment, or non-ASCII text that may be a Unicode blank, may come before the `=`.
            Some(b'/') => true,
            Some(&b) if b >= 0x80 => true,
            Some(b'=') => !matches!(bytes.get(j + 1), Some(b'=' | b'>')),
            _ => false,
        }
    })
}

/// Every `[` of a subscript of a name that is assigned with a plain `=` (`x = y[k]`, `x =
/// y?.[k]`): before the `[`, blanks, perhaps `?.`, a name, blanks and a `=` that is not the end
/// of `==`, `!=`, `<=`, `>=` or a compound assignment. A comment's `/`, a `\` (an escape in a
/// name) or non-ASCII text (a Unicode name or blank) on the way may hide any of those: such a
/// `[` counts too.
pub fn assigned_subscripts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let before = move |at: usize| at.checked_sub(1).and_then(|p| bytes.get(p)).copied();
    let skip_blanks = move |mut at: usize| {
        while before(at).is_some_and(is_blank) {
            at -= 1;
        }
        at
    };
    memchr::memchr_iter(b'[', bytes).filter(move |&open| {
        let mut at = skip_blanks(open);
        if before(at) == Some(b'.') && at >= 2 && bytes.get(at - 2) == Some(&b'?') {
            at = skip_blanks(at - 2);
        }
        let end = at;
        while let Some(b) = before(at) {
            if is_ident_byte(b) {
                at -= 1;
            } else if b == b'\\' || b >= 0x80 {
                return true;
            } else {
                break;
            }
        }
        if at == end {
            // No name right before: only a comment may stand between it and the `[`.
            return before(at) == Some(b'/');
        }
        at = skip_blanks(at);
        match before(at) {
            Some(b'/') => true,
            Some(b) if b >= 0x80 => true,
            Some(b'=') => !matches!(
                at.checked_sub(2).and_then(|p| bytes.get(p)),
                Some(
                    b'=' | b'!'
                        | b'<'
                        | b'>'
                        | b'+'
                        | b'-'
                        | b'*'
                        | b'%'
                        | b'&'
                        | b'|'
                        | b'^'
                        | b'?'
                )
            ),
            _ => false,
        }
    })
}

/// Visits, in document order, the nodes under `root` (itself included) that contain one of the
/// sorted byte offsets `hot`, with their ancestors (root first). Other nodes, and everything
/// below them, are skipped.
pub fn walk_sparse<'t>(
    root: Node<'t>,
    hot: &[usize],
    visit: &mut dyn FnMut(Node<'t>, &[Node<'t>]),
) {
    walk_sparse_pruned(root, hot, |_| false, visit);
}

/// Like [`walk_sparse`], but a node below `root` for which `prune` holds is neither visited nor
/// entered, even when it contains a hot offset (the nested functions of a function body).
pub fn walk_sparse_pruned<'t>(
    root: Node<'t>,
    hot: &[usize],
    prune: impl FnMut(Node<'t>) -> bool,
    visit: &mut dyn FnMut(Node<'t>, &[Node<'t>]),
) {
    tarsier_parse::walk_around(root, hot, prune, visit);
}

/// Where `word` occurs in `bytes` as a whole word (not glued to ASCII identifier bytes; a
/// neighbour outside ASCII counts as a boundary, so no keyword is ever missed).
pub fn word_starts<'b>(bytes: &'b [u8], word: &'b [u8]) -> impl Iterator<Item = usize> + 'b {
    memchr::memmem::find_iter(bytes, word).filter(move |&i| whole_word(bytes, i, i + word.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regex_literal_start_is_a_candidate() {
        let code = "a = b / c; x = /re/g; /* c *//after-comment/.test(s);\n\
                    if (ok) /x/.test(s); y = [/a/, 1 / 2]; q = s // trailing /not/\n\
                    w = /[/]/; z = `${/t/}`; http = 'http://x/y';\n\
                    function f() { return /ret/.test(s) || typeof /t/ === 'x'; }\n\
                    export default /d/;\n";
        let tree = tarsier_parse::parse(code).expect("parses");
        assert!(!tree.root_node().has_error());
        let starts: Vec<usize> = regex_starts(code.as_bytes()).collect();
        let mut regexes = 0;
        crate::pattern::walk(tree.root_node(), &mut |node, _| {
            if node.kind() == "regex" {
                regexes += 1;
                assert!(
                    starts.contains(&node.start_byte()),
                    "{}",
                    &code[node.byte_range()]
                );
            }
        });
        assert_eq!(regexes, 9);
        // Comment openers and the second `/` of `//` are not candidates.
        let comment = code.find("// trailing").expect("comment");
        assert!(!starts.contains(&comment) && !starts.contains(&(comment + 1)));
        let after_close = code.find("*//after").expect("close") + 1;
        assert!(!starts.contains(&after_close) && starts.contains(&(after_close + 1)));
        // An unclosed `/*` may be lexed as `/`, so it stays a candidate.
        assert_eq!(regex_starts(b"x = /*a/;").collect::<Vec<_>>(), vec![4]);
        // After a name, a number, a string or a `]`, a `/` divides; after a keyword that
        // expects an expression, or at a line start, it may begin a regex.
        let code = b"a / b; 2 / c; 's' / d; e[0] / f; return /g/; typeof /h/;\n/i/.test(s); x\n/j/";
        let found: Vec<u8> = regex_starts(code)
            .filter_map(|i| code.get(i + 1).copied())
            .collect();
        assert_eq!(found, b"ghij".to_vec());
    }

    #[test]
    fn assigned_subscripts_are_found_through_blanks_and_comments() {
        let code = "a = o[k]; b =\n\to [k]; c = /* */ o[k]; d == o[k]; e = o?.[k]; f += o[k]; \
                    g = o.p[k]; h = o(k)[j]; i = (o)[k]; j => o[k]; l = [k]; m >= o[k]; n = é[k]; \
                    p = o /* */ [k]; q ||= o[k]; r = \\u0061[k]; s = [o[k]]"
            .as_bytes();
        let found: Vec<&str> = assigned_subscripts(code)
            .map(|at| {
                let start = code[..at]
                    .iter()
                    .rposition(|&b| b == b';')
                    .map_or(0, |p| p + 2);
                std::str::from_utf8(&code[start..start + 1]).unwrap_or("?")
            })
            .collect();
        // `s = [o[k]]`: the `[` of `o[k]` follows `[`, not `=`; the array's own `[` follows
        // no name.
        assert_eq!(found, vec!["a", "b", "c", "e", "n", "p", "r"]);
    }

    #[test]
    fn index_assignments_are_found_through_blanks_and_comments() {
        let code = "a[k] = 1; b[k]\n\t= 2; c[k] /* */ = 3; d[k] == 4; e[k] => 5; f[k]=6; g[k]+=7; h[k]\u{a0}= 8"
            .as_bytes();
        let found: Vec<usize> = index_assigns(code).collect();
        let at = |s: &str| {
            code.windows(s.len())
                .position(|w| w == s.as_bytes())
                .expect("present")
                + 3
        };
        assert_eq!(
            found,
            vec![at("a[k]"), at("b[k]"), at("c[k]"), at("f[k]"), at("h[k]")]
        );
    }

    #[test]
    fn regex_clauses_are_necessary_literals() {
        let words = |r: &str| {
            regex_clause(r).map(|c| {
                c.into_iter()
                    .map(|a| match a {
                        Anchor::Text { text, .. } => text,
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(words("^(res|response)$"), Some(vec!["res".to_string()]));
        // Unicode folding gives `ſecret` too.
        assert_eq!(
            words("(?i)secret"),
            Some(vec!["secret".to_string(), "ſecret".to_string()])
        );
        // A literal that contains another adds nothing.
        assert_eq!(
            words("^(token|tokens|csrf)$"),
            Some(vec!["csrf".to_string(), "token".to_string()])
        );
        assert_eq!(words(".*x"), Some(vec!["x".to_string()]));
        assert_eq!(words(".*"), None);
        // A literal inside the match when none begins it.
        assert_eq!(words("^.__proto__.$"), Some(vec!["__proto__".to_string()]));
        assert_eq!(words("^.(a|b)cd"), Some(vec!["cd".to_string()]));
        assert_eq!(words("^.(?i:ab)"), None);
        assert_eq!(words("a?b"), Some(vec!["b".to_string()]));
    }

    #[test]
    fn the_sparse_walk_visits_exactly_the_nodes_around_hot_offsets() {
        let code = "function f(a) { return a + 1; }\nconst x = g(2, [3, 4]);\nh();\n";
        let tree = tarsier_parse::parse(code).expect("parses");
        let visits = |hot: &[usize]| {
            let mut sparse = Vec::new();
            walk_sparse(tree.root_node(), hot, &mut |node, ancestors| {
                sparse.push((node.id(), ancestors.len()));
            });
            let mut expected = Vec::new();
            crate::pattern::walk(tree.root_node(), &mut |node, ancestors| {
                if hot
                    .iter()
                    .any(|&h| node.start_byte() <= h && h < node.end_byte())
                {
                    expected.push((node.id(), ancestors.len()));
                }
            });
            assert_eq!(sparse, expected, "hot offsets {hot:?}");
            sparse
        };
        // Every offset alone and with a later one (the walk leaves a list of siblings early
        // once the next offset lies past their parent).
        for first in 0..=code.len() {
            visits(&[first]);
            visits(&[first, (first + 9).min(code.len())]);
        }
        let hot = vec![code.find("1;").expect("1"), code.find("h(").expect("h")];
        let sparse = visits(&hot);
        let mut all = 0;
        crate::pattern::walk(tree.root_node(), &mut |_, _| all += 1);
        assert!(sparse.len() * 2 < all, "{} of {all}", sparse.len());
    }
}
