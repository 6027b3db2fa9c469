//! Builds an epsilon-free NFA from the [`Ast`]: a position (Glushkov) automaton whose edges
//! carry path multiplicities, so that two ways of reaching the same state (as in `(a+)+`) stay
//! visible to the ambiguity analysis.
//!
//! Every state except the initial one is entered by reading a character of its label (the
//! automaton is homogeneous). Modelling choices, all documented approximations:
//! - loops follow JavaScript's rule that an iteration beyond the minimum must consume input;
//! - `^` and `$` (without `m`) are tracked exactly; with `m`, `^` is ignored and `$` is treated
//!   as end of input;
//! - `\b`, `\B` and lookarounds are treated as always true (epsilon), except that a
//!   positive lookahead at the very end of the pattern is treated as consuming its contents,
//!   and that [`build_strict`] reads the other assertions at the very end as `$` (and `^`
//!   under `m` as the start of the input);
//! - a backreference is replaced by a copy of the group it refers to (any string the group
//!   could match), or by the empty string when it refers to an enclosing group;
//! - an unanchored, non-sticky pattern gets a search state that loops on every character in
//!   front of it, modelling the matcher retrying at every start position (the lazy `[^]*?`
//!   prefix of the literature).

use std::collections::BTreeMap;

use crate::charset::CharSet;
use crate::parse::{AssertKind, Ast, Node};

/// How deeply backreference copies may nest (a copied group that itself holds a
/// backreference) before the build gives up; keeps the recursion shallow.
const MAX_BACKREF_NESTING: usize = 16;

/// The initial state.
pub const INITIAL: usize = 0;

/// An epsilon-free NFA with edge multiplicities (1 or 2, meaning "two or more").
#[derive(Debug, Clone)]
pub struct Nfa {
    /// Label of each state: the characters that enter it (empty for the initial state).
    pub labels: Vec<CharSet>,
    /// Successors with multiplicity.
    pub succ: Vec<Vec<(usize, u8)>>,
    /// Entering this state completes a match (the matcher stops with success).
    pub accept_now: Vec<bool>,
    /// This state accepts when the input ends here.
    pub accept_end: Vec<bool>,
    /// The search state, when the pattern is tried at every start position.
    pub search: Option<usize>,
    /// The pattern matches the empty string at the start of any input, so it never fails.
    pub always_matches: bool,
}

/// Why the NFA could not be built within the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooBig(pub &'static str);

#[derive(Debug, Default, Clone)]
struct Frag {
    /// (state, passed a `^`, multiplicity)
    first: Vec<(usize, bool, u8)>,
    /// (state, passes a `$` afterwards, multiplicity)
    last: Vec<(usize, bool, u8)>,
    /// Number of empty paths by kind: bit 0 = passes `^`, bit 1 = passes `$`.
    null: [u8; 4],
}

fn add(a: u8, b: u8) -> u8 {
    a.saturating_add(b).min(2)
}

fn mul(a: u8, b: u8) -> u8 {
    a.saturating_mul(b).min(2)
}

fn merge(v: Vec<(usize, bool, u8)>) -> Vec<(usize, bool, u8)> {
    let mut m: BTreeMap<(usize, bool), u8> = BTreeMap::new();
    for (s, f, c) in v {
        if c > 0 {
            let e = m.entry((s, f)).or_insert(0);
            *e = add(*e, c);
        }
    }
    m.into_iter().map(|((s, f), c)| (s, f, c)).collect()
}

impl Frag {
    fn empty() -> Self {
        Self {
            null: [1, 0, 0, 0],
            ..Self::default()
        }
    }

    fn null_total(&self) -> u8 {
        self.null.iter().fold(0, |a, &b| add(a, b))
    }
}

struct Builder<'a> {
    labels: Vec<CharSet>,
    follow: Vec<BTreeMap<usize, u8>>,
    groups: BTreeMap<u32, &'a Node>,
    open: Vec<u32>,
    copies: usize,
    max_states: usize,
    work: u64,
    max_work: u64,
    /// `^` under `m` holds only at the start of the input (see [`build_strict`]).
    strict: bool,
}

/// Builds the NFA of `ast` with at most `max_states` states and `max_work` construction steps.
///
/// # Errors
/// [`TooBig`] when a limit is exceeded.
pub fn build(ast: &Ast, max_states: usize, max_work: u64) -> Result<Nfa, TooBig> {
    build_tree(
        &tail_lookaheads(&ast.root, false),
        ast,
        false,
        max_states,
        max_work,
    )
}

/// Like [`build`], but with the assertions that [`build`] lets hold too often read strictly:
/// every assertion in tail position that can fail (a negative lookahead, a lookbehind, `\b`,
/// `\B`) as `$`, and `^` under the `m` flag as the start of the input. Holding too often, such
/// an assertion lets a run succeed at once, and the trimming then hides the backtracking that
/// happens where it fails (`\((?:\?<(.*?)>)?(?!\?)` on `"(?<?(?<?..."`; `^\s+|\s+$` with `m`
/// on `"a\t\t..\ta"`). Read strictly they under-approximate where the match succeeds, so a
/// witness found this way must be confirmed before it is believed; [`crate::analyze`] uses
/// this build only when the first one finds nothing.
///
/// # Errors
/// [`TooBig`] when a limit is exceeded.
pub fn build_strict(ast: &Ast, max_states: usize, max_work: u64) -> Result<Nfa, TooBig> {
    build_tree(
        &tail_lookaheads(&ast.root, true),
        ast,
        true,
        max_states,
        max_work,
    )
}

/// True when [`build_strict`] may build a different automaton from [`build`]: `ast` ends with an
/// assertion that can fail, or has the `m` flag.
#[must_use]
pub fn has_loose_assertions(ast: &Ast) -> bool {
    ast.flags.multiline || tail_lookaheads(&ast.root, true) != tail_lookaheads(&ast.root, false)
}

fn build_tree(
    tree: &Node,
    ast: &Ast,
    strict: bool,
    max_states: usize,
    max_work: u64,
) -> Result<Nfa, TooBig> {
    let mut groups = BTreeMap::new();
    collect_groups(tree, &mut groups);
    let search = !ast.flags.sticky;
    let mut b = Builder {
        labels: vec![CharSet::empty()],
        follow: vec![BTreeMap::new()],
        groups,
        open: Vec::new(),
        copies: 0,
        max_states,
        work: 0,
        max_work,
        strict,
    };
    let search_state = if search {
        Some(b.new_state(CharSet::any())?)
    } else {
        None
    };
    let root = b.frag(tree)?;
    let n = b.labels.len();
    let mut accept_now = vec![false; n];
    let mut accept_end = vec![false; n];
    for &(p, dollar, _) in &root.last {
        if dollar {
            accept_end[p] = true;
        } else {
            accept_now[p] = true;
        }
    }
    let always_matches = root.null[0] > 0 || root.null[1] > 0;
    if root.null[2] > 0 || root.null[3] > 0 {
        accept_end[INITIAL] = true;
    }
    if let Some(s) = search_state {
        if root.null[2] > 0 {
            accept_end[s] = true;
        }
        b.link(INITIAL, s, 1);
        b.link(s, s, 1);
    }
    for &(q, caret, m) in &root.first {
        b.link(INITIAL, q, m);
        if let (Some(s), false) = (search_state, caret) {
            b.link(s, q, m);
        }
    }
    let succ = b
        .follow
        .into_iter()
        .map(|m| m.into_iter().collect())
        .collect();
    Ok(Nfa {
        labels: b.labels,
        succ,
        accept_now,
        accept_end,
        search: search_state,
        always_matches,
    })
}

/// Replaces each positive lookahead in tail position (nothing of the pattern follows it) by
/// its contents, consumed. As epsilon it would let the match succeed before the lookahead is
/// checked, hiding attacks such as an unanchored `\s+(?=$)` or `\d+(?=px)`; consumed, success
/// requires what the lookahead requires. Lookaheads elsewhere stay epsilon. With `strict`, the
/// other assertions in tail position become `$` (see [`build_strict`]).
fn tail_lookaheads(node: &Node, strict: bool) -> Node {
    match node {
        Node::Look {
            ahead: true,
            negate: false,
            node,
        } => tail_lookaheads(node, strict),
        Node::Look { .. }
        | Node::Assert(AssertKind::WordBoundary | AssertKind::NotWordBoundary)
            if strict =>
        {
            Node::Assert(AssertKind::End { multiline: false })
        }
        Node::Concat(v) => {
            let mut v = v.clone();
            if let Some(last) = v.last_mut() {
                *last = tail_lookaheads(last, strict);
            }
            Node::Concat(v)
        }
        Node::Alt(v) => Node::Alt(v.iter().map(|n| tail_lookaheads(n, strict)).collect()),
        Node::Group { index, node } => Node::Group {
            index: *index,
            node: Box::new(tail_lookaheads(node, strict)),
        },
        other => other.clone(),
    }
}

fn collect_groups<'a>(node: &'a Node, out: &mut BTreeMap<u32, &'a Node>) {
    match node {
        Node::Concat(v) | Node::Alt(v) => v.iter().for_each(|n| collect_groups(n, out)),
        Node::Group { index, node } => {
            if let Some(i) = index {
                out.insert(*i, node);
            }
            collect_groups(node, out);
        }
        Node::Repeat { node, .. } | Node::Look { node, .. } => collect_groups(node, out),
        Node::Empty | Node::Set(_) | Node::Assert(_) | Node::BackRef { .. } => {}
    }
}

impl<'a> Builder<'a> {
    fn new_state(&mut self, label: CharSet) -> Result<usize, TooBig> {
        if self.labels.len() >= self.max_states {
            return Err(TooBig("state budget exceeded while building the NFA"));
        }
        self.labels.push(label);
        self.follow.push(BTreeMap::new());
        Ok(self.labels.len() - 1)
    }

    fn link(&mut self, p: usize, q: usize, m: u8) {
        if let Some(f) = self.follow.get_mut(p) {
            let e = f.entry(q).or_insert(0);
            *e = add(*e, m);
        }
    }

    /// Adds the edges `last(a) x first(b)` (dropping paths that consume after `$` or before
    /// `^`).
    fn connect(&mut self, last: &[(usize, bool, u8)], first: &[(usize, bool, u8)]) {
        for &(p, dollar, m1) in last {
            for &(q, caret, m2) in first {
                if !dollar && !caret {
                    self.link(p, q, mul(m1, m2));
                }
            }
        }
    }

    fn concat(&mut self, a: Frag, b: Frag) -> Frag {
        self.connect(&a.last, &b.first);
        let mut first = a.first.clone();
        for (k, &na) in a.null.iter().enumerate() {
            if na == 0 || k & 2 != 0 {
                continue;
            }
            for &(q, caret, m) in &b.first {
                first.push((q, caret || k & 1 != 0, mul(m, na)));
            }
        }
        let mut last = b.last.clone();
        for (k, &nb) in b.null.iter().enumerate() {
            if nb == 0 || k & 1 != 0 {
                continue;
            }
            for &(p, dollar, m) in &a.last {
                last.push((p, dollar || k & 2 != 0, mul(m, nb)));
            }
        }
        let mut null = [0u8; 4];
        for (i, &x) in a.null.iter().enumerate() {
            for (j, &y) in b.null.iter().enumerate() {
                null[i | j] = add(null[i | j], mul(x, y));
            }
        }
        Frag {
            first: merge(first),
            last: merge(last),
            null,
        }
    }

    fn frag(&mut self, node: &'a Node) -> Result<Frag, TooBig> {
        self.work += 1;
        if self.work > self.max_work {
            return Err(TooBig("step budget exceeded while building the NFA"));
        }
        Ok(match node {
            Node::Empty
            | Node::Assert(AssertKind::WordBoundary | AssertKind::NotWordBoundary)
            | Node::Look { .. } => Frag::empty(),
            Node::Assert(AssertKind::Start { multiline }) => Frag {
                null: if *multiline && !self.strict {
                    [1, 0, 0, 0]
                } else {
                    [0, 1, 0, 0]
                },
                ..Frag::default()
            },
            Node::Assert(AssertKind::End { .. }) => Frag {
                null: [0, 0, 1, 0],
                ..Frag::default()
            },
            Node::Set(s) => {
                if s.is_empty() {
                    Frag::default()
                } else {
                    let p = self.new_state(s.clone())?;
                    Frag {
                        first: vec![(p, false, 1)],
                        last: vec![(p, false, 1)],
                        null: [0; 4],
                    }
                }
            }
            Node::Concat(v) => {
                let mut acc = Frag::empty();
                for n in v {
                    let f = self.frag(n)?;
                    acc = self.concat(acc, f);
                }
                acc
            }
            Node::Alt(v) => {
                let mut acc = Frag::default();
                for n in v {
                    let f = self.frag(n)?;
                    acc.first.extend(f.first);
                    acc.last.extend(f.last);
                    for (a, b) in acc.null.iter_mut().zip(f.null) {
                        *a = add(*a, b);
                    }
                }
                acc.first = merge(acc.first);
                acc.last = merge(acc.last);
                acc
            }
            Node::Group { index, node } => {
                if let Some(i) = index {
                    self.open.push(*i);
                }
                let f = self.frag(node);
                if index.is_some() {
                    self.open.pop();
                }
                f?
            }
            Node::BackRef { index, .. } => {
                let target = self.groups.get(index).copied();
                if self.copies >= MAX_BACKREF_NESTING {
                    return Err(TooBig("backreferences nested too deeply"));
                }
                match target {
                    Some(g) if !self.open.contains(index) => {
                        self.copies += 1;
                        let f = self.copy_group(*index, g);
                        self.copies -= 1;
                        f?
                    }
                    _ => Frag::empty(),
                }
            }
            Node::Repeat { node, min, max, .. } => self.repeat(node, *min, *max)?,
        })
    }

    /// Builds a fresh copy of group `index` for a backreference to it.
    fn copy_group(&mut self, index: u32, g: &'a Node) -> Result<Frag, TooBig> {
        self.open.push(index);
        let f = self.frag(g);
        self.open.pop();
        f
    }

    fn repeat(&mut self, node: &'a Node, min: u32, max: Option<u32>) -> Result<Frag, TooBig> {
        let copies = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
        let budget_left = self.max_states.saturating_sub(self.labels.len()).max(1);
        if copies(min) > budget_left
            || max.is_some_and(|m| copies(m.saturating_sub(min)) > budget_left)
        {
            return Err(TooBig("counted repetition exceeds the state budget"));
        }
        if max == Some(0) {
            return Ok(Frag::empty());
        }
        let mut acc = Frag::empty();
        let mandatory = if max.is_none() && min > 0 {
            min - 1
        } else {
            min
        };
        for _ in 0..mandatory {
            let f = self.frag(node)?;
            acc = self.concat(acc, f);
        }
        let tail = match max {
            None if min > 0 => {
                // E+ : the first iteration may be empty, later ones must consume.
                let f = self.frag(node)?;
                self.connect(&f.last, &f.first);
                let extra = add(1, f.null_total());
                Frag {
                    first: f
                        .first
                        .iter()
                        .map(|&(q, c, m)| (q, c, mul(m, extra)))
                        .collect(),
                    last: f.last,
                    null: f.null,
                }
            }
            None => {
                let f = self.frag(node)?;
                self.connect(&f.last, &f.first);
                Frag {
                    first: f.first,
                    last: f.last,
                    null: [1, 0, 0, 0],
                }
            }
            Some(m) => {
                // (E(E(E)?)?)? with every optional iteration non-empty: copy i+1 follows
                // copy i, any copy may be the last, and the empty path skips them all.
                // Built left to right in linear time.
                let mut first = Vec::new();
                let mut last = Vec::new();
                let mut prev: Option<Vec<(usize, bool, u8)>> = None;
                for _ in min..m {
                    let f = self.frag(node)?;
                    match &prev {
                        Some(p) => self.connect(p, &f.first),
                        None => first.clone_from(&f.first),
                    }
                    last.extend(f.last.iter().copied());
                    prev = Some(f.last);
                }
                Frag {
                    first,
                    last: merge(last),
                    null: [1, 0, 0, 0],
                }
            }
        };
        Ok(self.concat(acc, tail))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::parse::parse;

    fn nfa(p: &str, f: &str) -> Nfa {
        build(&parse(p, f).unwrap(), 1000, 100_000).unwrap()
    }

    fn edge(n: &Nfa, p: usize, q: usize) -> Option<u8> {
        n.succ[p].iter().find(|&&(t, _)| t == q).map(|&(_, m)| m)
    }

    #[test]
    fn nested_plus_doubles_the_loop() {
        let n = nfa("(a+)+", "y");
        assert_eq!(n.labels.len(), 2);
        assert_eq!(edge(&n, 1, 1), Some(2));
        let n = nfa("a+", "y");
        assert_eq!(edge(&n, 1, 1), Some(1));
    }

    #[test]
    fn strict_build_reads_tail_assertions_as_end_and_caret_as_input_start() {
        let strict = |p: &str, f: &str| build_strict(&parse(p, f).unwrap(), 1000, 100_000).unwrap();
        // `a(?!b)`, sticky: state 1 reads `a`; the loose build accepts on entering it.
        let ast = parse("a(?!b)", "y").unwrap();
        assert!(has_loose_assertions(&ast));
        assert!(nfa("a(?!b)", "y").accept_now[1]);
        let n = strict("a(?!b)", "y");
        assert!(!n.accept_now[1] && n.accept_end[1]);
        // `\b` at the end too; a positive lookahead is consumed in both builds.
        assert!(!strict("a\\b", "y").accept_now[1]);
        assert!(!has_loose_assertions(&parse("a(?=b)", "y").unwrap()));
        assert!(!has_loose_assertions(&parse("a(?!b)c", "y").unwrap()));
        // `^` under `m`: the loose build lets the search state enter `a`, the strict one not.
        let loose = nfa("^a", "m");
        let s = loose.search.unwrap();
        assert!(edge(&loose, s, 2).is_some());
        let n = strict("^a", "m");
        assert!(edge(&n, n.search.unwrap(), 2).is_none());
        assert!(edge(&n, INITIAL, 2).is_some());
    }

    #[test]
    fn anchors_restrict_entry_and_acceptance() {
        let n = nfa("^a", "");
        let s = n.search.unwrap();
        assert_eq!(edge(&n, INITIAL, 2), Some(1));
        assert_eq!(edge(&n, s, 2), None);
        assert!(n.accept_now[2]);
        let n = nfa("a$", "");
        assert!(n.accept_end[2] && !n.accept_now[2]);
        assert_eq!(edge(&n, n.search.unwrap(), 2), Some(1));
        // Something consumed after `$` can never match.
        let n = nfa("a$b", "");
        assert_eq!(edge(&n, 2, 3), None);
    }

    #[test]
    fn empty_matches_and_counted_copies() {
        assert!(nfa("a*", "").always_matches);
        assert!(nfa("^", "").always_matches);
        assert!(!nfa("$", "").always_matches);
        assert!(nfa("$", "").accept_end[INITIAL]);
        assert_eq!(nfa("a{2,4}", "y").labels.len(), 5);
        // Optional iterations must consume: (a?){0,3} has one empty path, not many.
        let n = nfa("((a?){0,3}b)*c", "y");
        let b = n
            .labels
            .iter()
            .position(|l| l.contains(u32::from('b')))
            .unwrap();
        assert_eq!(edge(&n, b, b), Some(1));
    }

    #[test]
    fn backreference_copies_its_group() {
        let n = nfa("(ab)\\1", "y");
        assert_eq!(n.labels.len(), 5);
        // A reference inside its own group is empty.
        assert_eq!(nfa("(a\\1)", "y").labels.len(), 2);
    }

    #[test]
    fn budgets_are_enforced() {
        let ast = parse("a{500}", "").unwrap();
        assert!(build(&ast, 100, 1_000_000).is_err());
        let ast = parse("(?:(?:(?:a|b)*)*)*", "").unwrap();
        assert!(build(&ast, 1000, 3).is_err());
    }
}
