//! Ambiguity analysis of the NFA (Weideman et al. 2016; Wüstholz et al. 2017).
//!
//! The analysis runs on the *trimmed* automaton: states whose entry completes a match are
//! removed, because a backtracking matcher stops at the first success and only the runs that
//! fail cost time.
//! - **EDA** (exponential degree of ambiguity): a state `q` with two different paths
//!   `q -w-> q`. Found in the product automaton restricted to one strongly connected component
//!   (SCC): an SCC of the product that contains a diagonal pair `(q, q)` together with an
//!   off-diagonal pair or a doubled (multiplicity 2) edge.
//! - **IDA** (infinite degree of ambiguity): distinct states `p`, `q` in different SCCs with
//!   loops on the same word `w` and a path `p -w-> q`. Pairs are found in the triple product
//!   (a path from `(p, p, q)` to `(p, q, q)`); every pair yields a candidate pump `w`.
//!
//! Each candidate pump `w` (from EDA, IDA, and every single character class) is then
//! evaluated on the *`w`-graph* (edge `p -> q` when reading `w` leads from `p` to `q`, with
//! multiplicity): an SCC that is not a simple cycle means exponential; otherwise the longest
//! chain of cyclic SCCs is the polynomial degree (the exponent of the matcher's step count).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::charset::{CharSet, partition_representatives};
use crate::nfa::{INITIAL, Nfa};

/// The analysis ran out of its step budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Over;

/// Counts analysis work against the budget.
#[derive(Debug)]
pub struct Meter {
    used: u64,
    limit: u64,
}

impl Meter {
    /// A meter allowing `limit` units of work.
    #[must_use]
    pub fn new(limit: u64) -> Self {
        Self { used: 0, limit }
    }

    /// Charges `n` units.
    ///
    /// # Errors
    /// [`Over`] when the budget is exhausted.
    pub fn tick(&mut self, n: usize) -> Result<(), Over> {
        self.used = self.used.saturating_add(n as u64);
        if self.used > self.limit {
            Err(Over)
        } else {
            Ok(())
        }
    }
}

/// What a candidate pump claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Claim {
    /// Polynomial of this degree (at least 2).
    Polynomial(u32),
    /// Exponential.
    Exponential,
}

/// A candidate attack: claim plus the three parts of the attack string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What the `w`-graph analysis claims for this pump.
    pub claim: Claim,
    /// Leads from the initial state to the ambiguous part.
    pub prefix: String,
    /// The pumped word.
    pub pump: String,
    /// Makes every run fail, when `masked` is false.
    pub suffix: String,
    /// Some run of the pattern succeeds while reading the prefix and pumps, or no short
    /// suffix makes every run fail: the ambiguity is likely hidden behind a match.
    pub masked: bool,
}

/// Iterative Tarjan: component id per node (ids in reverse topological order) and the count.
#[must_use]
pub fn scc(adj: &[Vec<usize>]) -> (Vec<usize>, usize) {
    let n = adj.len();
    let unset = usize::MAX;
    let (mut index, mut low) = (vec![unset; n], vec![0usize; n]);
    let mut on = vec![false; n];
    let mut comp = vec![unset; n];
    let (mut stack, mut call) = (Vec::new(), Vec::<(usize, usize)>::new());
    let (mut next, mut ncomp) = (0usize, 0usize);
    for root in 0..n {
        if index[root] != unset {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on[root] = true;
        call.push((root, 0));
        while let Some(top) = call.last_mut() {
            let v = top.0;
            if let Some(&w) = adj[v].get(top.1) {
                top.1 += 1;
                if index[w] == unset {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on[w] = true;
                    call.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(u, _)) = call.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on[w] = false;
                        comp[w] = ncomp;
                        if w == v {
                            break;
                        }
                    }
                    ncomp += 1;
                }
            }
        }
    }
    (comp, ncomp)
}

/// A node of the triple product.
type Triple = (usize, usize, usize);

/// The trimmed automaton with helpers.
pub struct Analyzer<'a> {
    nfa: &'a Nfa,
    alive: Vec<bool>,
    /// Trimmed successors with multiplicity.
    succ: Vec<Vec<(usize, u8)>>,
    comp: Vec<usize>,
    cyclic: Vec<bool>,
}

impl<'a> Analyzer<'a> {
    /// Prepares the trimmed automaton and its SCCs.
    #[must_use]
    pub fn new(nfa: &'a Nfa) -> Self {
        let n = nfa.labels.len();
        let alive: Vec<bool> = (0..n).map(|s| !nfa.accept_now[s]).collect();
        let succ: Vec<Vec<(usize, u8)>> = (0..n)
            .map(|p| {
                if alive[p] {
                    nfa.succ[p]
                        .iter()
                        .copied()
                        .filter(|&(q, _)| alive[q])
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        let adj: Vec<Vec<usize>> = succ
            .iter()
            .map(|v| v.iter().map(|&(q, _)| q).collect())
            .collect();
        let (comp, ncomp) = scc(&adj);
        let mut cyclic = vec![false; ncomp];
        let mut size = vec![0usize; ncomp];
        for p in 0..n {
            size[comp[p]] += 1;
        }
        for p in 0..n {
            for &q in &adj[p] {
                if comp[p] == comp[q] && (p == q || size[comp[p]] > 1) {
                    cyclic[comp[p]] = true;
                }
            }
        }
        Self {
            nfa,
            alive,
            succ,
            comp,
            cyclic,
        }
    }

    fn label(&self, s: usize) -> &CharSet {
        &self.nfa.labels[s]
    }

    /// States of each cyclic SCC.
    fn cyclic_components(&self) -> Vec<Vec<usize>> {
        let mut m: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (s, &c) in self.comp.iter().enumerate() {
            if self.cyclic[c] && self.alive[s] {
                m.entry(c).or_default().push(s);
            }
        }
        m.into_values().collect()
    }

    /// Pumps that make some state exponentially ambiguous (from the product automaton).
    ///
    /// # Errors
    /// [`Over`] when the budget runs out.
    pub fn eda_words(&self, meter: &mut Meter) -> Result<Vec<Vec<char>>, Over> {
        let mut words = Vec::new();
        for members in self.cyclic_components() {
            let k = members.len();
            meter.tick(k * k)?;
            let local: HashMap<usize, usize> =
                members.iter().enumerate().map(|(i, &s)| (s, i)).collect();
            let mut adj: Vec<Vec<usize>> = vec![Vec::new(); k * k];
            let mut divergent: Vec<(usize, usize)> = Vec::new();
            for (i, &p) in members.iter().enumerate() {
                for (j, &q) in members.iter().enumerate() {
                    let from = i * k + j;
                    for &(p2, m1) in &self.succ[p] {
                        let Some(&i2) = local.get(&p2) else { continue };
                        for &(q2, _) in &self.succ[q] {
                            let Some(&j2) = local.get(&q2) else { continue };
                            meter.tick(1)?;
                            if !self.label(p2).intersects(self.label(q2)) {
                                continue;
                            }
                            let to = i2 * k + j2;
                            adj[from].push(to);
                            if p == q && p2 == q2 && m1 >= 2 {
                                divergent.push((from, to));
                            }
                        }
                    }
                }
            }
            let (pc, _) = scc(&adj);
            let mut done: BTreeSet<usize> = BTreeSet::new();
            for d in (0..k).map(|i| i * k + i) {
                let c = pc[d];
                if !done.insert(c) {
                    continue;
                }
                let in_c = |x: usize| pc[x] == c;
                let off = (0..k * k).find(|&x| in_c(x) && x / k != x % k);
                let path = if let Some(x) = off {
                    let a = bfs(&adj, d, x, &in_c, meter)?;
                    let b = bfs(&adj, x, d, &in_c, meter)?;
                    a.zip(b).map(|(mut a, b)| {
                        a.extend(b.into_iter().skip(1));
                        a
                    })
                } else if let Some(&(u, v)) = divergent.iter().find(|&&(u, v)| in_c(u) && in_c(v)) {
                    let a = bfs(&adj, d, u, &in_c, meter)?;
                    let b = bfs(&adj, v, d, &in_c, meter)?;
                    a.zip(b).map(|(mut a, b)| {
                        a.extend(b);
                        a
                    })
                } else {
                    None
                };
                if let Some(path) = path {
                    let word: Option<Vec<char>> = path
                        .iter()
                        .skip(1)
                        .map(|&x| {
                            let (p2, q2) = (members[x / k], members[x % k]);
                            self.label(p2).intersect(self.label(q2)).pick()
                        })
                        .collect();
                    if let Some(w) = word.filter(|w| !w.is_empty()) {
                        words.push(w);
                    }
                }
                if words.len() >= 4 {
                    return Ok(words);
                }
            }
        }
        Ok(words)
    }

    /// Forward reachability (trimmed) from `start`.
    fn reach(&self, start: usize) -> Vec<bool> {
        let mut seen = vec![false; self.succ.len()];
        let mut q = vec![start];
        seen[start] = true;
        while let Some(p) = q.pop() {
            for &(t, _) in &self.succ[p] {
                if !seen[t] {
                    seen[t] = true;
                    q.push(t);
                }
            }
        }
        seen
    }

    /// One pump per character class of the labels (classes that some cycle can read first):
    /// they cover most real-world polynomial cases cheaply.
    #[must_use]
    pub fn char_words(&self) -> Vec<Vec<char>> {
        let on_cycles: Vec<&CharSet> = self
            .cyclic_components()
            .into_iter()
            .flatten()
            .map(|s| self.label(s))
            .collect();
        // All labels, accepting states included: a pump must be able to avoid them.
        let labels = self.nfa.labels.iter();
        let (mut first, mut rest): (Vec<char>, Vec<char>) = partition_representatives(labels)
            .into_iter()
            .partition(|&c| on_cycles.iter().any(|l| l.contains(u32::from(c))));
        first.append(&mut rest);
        first.into_iter().take(64).map(|c| vec![c]).collect()
    }

    /// Line-terminator pumps for a pattern with the `m` flag: the NFA ignores `^` there, so the
    /// class representatives of [`Self::char_words`] (a tab for `\s`) can pump a loop that only
    /// the starts after a line terminator reach (`^\s*\*` with `m` is quadratic on newlines).
    #[must_use]
    pub fn line_words(&self) -> Vec<Vec<char>> {
        let on_cycle = |c: char| {
            self.cyclic_components()
                .into_iter()
                .flatten()
                .any(|s| self.label(s).contains(u32::from(c)))
        };
        ['\n', '\r', '\u{2028}', '\u{2029}']
            .into_iter()
            .find(|&c| on_cycle(c))
            .map(|c| vec![c])
            .into_iter()
            .collect()
    }

    /// Pumps from IDA pairs (triple-product search), for loops on multi-character words.
    ///
    /// # Errors
    /// [`Over`] when the budget runs out.
    pub fn ida_words(&self, meter: &mut Meter) -> Result<Vec<Vec<char>>, Over> {
        let comps = self.cyclic_components();
        let mut words: Vec<Vec<char>> = Vec::new();
        for c1 in &comps {
            let Some(&p0) = c1.first() else { continue };
            meter.tick(self.succ.len())?;
            let fwd = self.reach(p0);
            for c2 in &comps {
                let Some(&q0) = c2.first() else { continue };
                if self.comp[p0] == self.comp[q0] || !fwd[q0] {
                    continue;
                }
                meter.tick(1)?;
                'pairs: for &p in c1 {
                    for &q in c2 {
                        if let Some(w) = self.triple(p, q, &fwd, meter)? {
                            if !words.contains(&w) {
                                words.push(w);
                            }
                            break 'pairs;
                        }
                    }
                }
            }
        }
        Ok(words)
    }

    /// BFS in the triple product from `(p, p, q)` to `(p, q, q)`; the middle track is kept to
    /// the states in `mid` (those reachable from `p`).
    fn triple(
        &self,
        p: usize,
        q: usize,
        mid: &[bool],
        meter: &mut Meter,
    ) -> Result<Option<Vec<char>>, Over> {
        let (cp, cq) = (self.comp[p], self.comp[q]);
        let start = (p, p, q);
        let goal = (p, q, q);
        let mut parent: HashMap<Triple, (Triple, char)> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            let (x, y, z) = node;
            for &(x2, _) in &self.succ[x] {
                if self.comp[x2] != cp {
                    continue;
                }
                for &(y2, _) in &self.succ[y] {
                    if !mid[y2] {
                        continue;
                    }
                    let xy = self.label(x2).intersect(self.label(y2));
                    if xy.is_empty() {
                        continue;
                    }
                    for &(z2, _) in &self.succ[z] {
                        meter.tick(1)?;
                        if self.comp[z2] != cq {
                            continue;
                        }
                        let next = (x2, y2, z2);
                        if next == start || parent.contains_key(&next) {
                            continue;
                        }
                        let Some(c) = xy.intersect(self.label(z2)).pick() else {
                            continue;
                        };
                        parent.insert(next, (node, c));
                        if next == goal {
                            let mut word = Vec::new();
                            let mut cur = goal;
                            while cur != start {
                                let Some(&(prev, ch)) = parent.get(&cur) else {
                                    break;
                                };
                                word.push(ch);
                                cur = prev;
                            }
                            word.reverse();
                            return Ok(Some(word));
                        }
                        queue.push_back(next);
                    }
                }
            }
        }
        Ok(None)
    }

    /// Evaluates pump `w` on the `w`-graph and builds candidates where it is ambiguous: the
    /// strongest claim first, then weaker ones until one is not masked.
    ///
    /// # Errors
    /// [`Over`] when the budget runs out.
    pub fn evaluate(&self, w: &[char], meter: &mut Meter) -> Result<Vec<Candidate>, Over> {
        let n = self.succ.len();
        let mut edges: Vec<Vec<(usize, u8)>> = vec![Vec::new(); n];
        let from_initial = self.reach(INITIAL);
        for p in 0..n {
            if !self.alive[p] || !from_initial[p] {
                continue;
            }
            let mut cur: BTreeMap<usize, u8> = BTreeMap::from([(p, 1)]);
            for &c in w {
                let mut next: BTreeMap<usize, u8> = BTreeMap::new();
                for (&s, &m) in &cur {
                    meter.tick(self.succ[s].len() + 1)?;
                    for &(t, m2) in &self.succ[s] {
                        if self.label(t).contains(u32::from(c)) {
                            let e = next.entry(t).or_insert(0);
                            *e = (*e).saturating_add(m.saturating_mul(m2)).min(2);
                        }
                    }
                }
                cur = next;
            }
            edges[p] = cur.into_iter().collect();
        }
        let adj: Vec<Vec<usize>> = edges
            .iter()
            .map(|v| v.iter().map(|&(q, _)| q).collect())
            .collect();
        let (comp, ncomp) = scc(&adj);
        let mut size = vec![0usize; ncomp];
        let mut inner_edges = vec![0usize; ncomp];
        let mut doubled = vec![false; ncomp];
        let mut cyclic = vec![false; ncomp];
        for p in 0..n {
            size[comp[p]] += 1;
        }
        for p in 0..n {
            for &(q, m) in &edges[p] {
                if comp[p] == comp[q] {
                    inner_edges[comp[p]] += 1;
                    cyclic[comp[p]] = true;
                    if m >= 2 {
                        doubled[comp[p]] = true;
                    }
                }
            }
        }
        // Exponential: a cyclic w-SCC that is not a simple cycle.
        let mut out = Vec::new();
        let mut seen_comps = BTreeSet::new();
        for p in 0..n {
            let c = comp[p];
            if from_initial[p]
                && self.alive[p]
                && cyclic[c]
                && (doubled[c] || inner_edges[c] > size[c])
                && seen_comps.insert(c)
                && let Some(cand) = self.candidate(Claim::Exponential, p, w)
            {
                let unmasked = !cand.masked;
                out.push(cand);
                if unmasked || seen_comps.len() >= 4 {
                    break;
                }
            }
        }
        // Polynomial: the longest chain of cyclic w-SCCs (ids are reverse topological).
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); ncomp];
        for p in 0..n {
            members[comp[p]].push(p);
        }
        let mut best = vec![0u32; ncomp];
        for c in 0..ncomp {
            let mut m = 0;
            for &p in &members[c] {
                for &q in &adj[p] {
                    if comp[q] != c {
                        m = m.max(best[comp[q]]);
                    }
                }
            }
            best[c] = m + u32::from(cyclic[c]);
        }
        // Longest chains first; a chain whose pumping lets the pattern succeed early (masked)
        // is followed by shorter ones that may not be.
        let mut starts: Vec<usize> = (0..ncomp)
            .filter_map(|c| {
                members[c]
                    .iter()
                    .copied()
                    .find(|&p| from_initial[p] && self.alive[p])
            })
            .filter(|&p| cyclic[comp[p]] && best[comp[p]] >= 2)
            .collect();
        starts.sort_by_key(|&p| (std::cmp::Reverse(best[comp[p]]), p));
        for p in starts.into_iter().take(6) {
            if let Some(cand) = self.candidate(Claim::Polynomial(best[comp[p]]), p, w) {
                let unmasked = !cand.masked;
                out.push(cand);
                if unmasked {
                    break;
                }
            }
        }
        Ok(out)
    }

    fn candidate(&self, claim: Claim, start: usize, w: &[char]) -> Option<Candidate> {
        let prefix = self.prefix_to(INITIAL, start)?;
        let pump: String = w.iter().collect();
        let (suffix, masked) = self.suffix(&prefix, w);
        if masked {
            // The shortest prefix may start a run that succeeds only at the first position
            // (`^[-_.]+|-+$`: at position 0 the `^` branch matches the pumped dashes at once).
            // Entering the ambiguous part through the search state, after one character that
            // starts no run, leaves those runs behind.
            if let Some(other) = self.prefix_via_search(start) {
                let (other_suffix, other_masked) = self.suffix(&other, w);
                if !other_masked {
                    return Some(Candidate {
                        claim,
                        prefix: other,
                        pump,
                        suffix: other_suffix,
                        masked: false,
                    });
                }
            }
        }
        Some(Candidate {
            claim,
            prefix,
            pump,
            suffix,
            masked,
        })
    }

    /// A prefix that first reads one character that leads from the initial state to the
    /// search state alone, then the shortest word from the search state to `target`.
    fn prefix_via_search(&self, target: usize) -> Option<String> {
        let search = self.nfa.search?;
        if !self.alive[search] {
            return None;
        }
        let mut starts = CharSet::empty();
        for &(t, _) in &self.nfa.succ[INITIAL] {
            if t != search {
                starts = starts.union(self.label(t));
            }
        }
        let junk = self.label(search).subtract(&starts).pick()?;
        let rest = if target == search {
            String::new()
        } else {
            self.prefix_to(search, target)?
        };
        Some(format!("{junk}{rest}"))
    }

    /// Shortest word from `from` (the initial or the search state) to `target` in the trimmed
    /// automaton. Its characters are chosen, where the labels allow, so that no run of the
    /// pattern completes a match on the way. The search state needs no prefix: the pattern is
    /// already tried at every start position.
    fn prefix_to(&self, from: usize, target: usize) -> Option<String> {
        if Some(target) == self.nfa.search {
            return Some(String::new());
        }
        let n = self.succ.len();
        let mut parent: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        *seen.get_mut(from)? = true;
        let mut q = VecDeque::from([from]);
        while let Some(p) = q.pop_front() {
            if p == target {
                let mut path = Vec::new();
                let mut cur = p;
                while let Some(prev) = parent[cur] {
                    path.push(cur);
                    cur = prev;
                }
                path.reverse();
                let mut set = BTreeSet::from([from]);
                let mut out = String::new();
                for s in path {
                    let mut avoid = CharSet::empty();
                    for &x in &set {
                        for &(t, _) in &self.nfa.succ[x] {
                            if self.nfa.accept_now[t] {
                                avoid = avoid.union(self.label(t));
                            }
                        }
                    }
                    let c = self
                        .label(s)
                        .subtract(&avoid)
                        .pick()
                        .or_else(|| self.label(s).pick())?;
                    out.push(c);
                    set = self.step(&set, c).0;
                }
                return Some(out);
            }
            for &(t, _) in &self.succ[p] {
                if !seen[t] && self.label(t).pick().is_some() {
                    seen[t] = true;
                    parent[t] = Some(p);
                    q.push_back(t);
                }
            }
        }
        None
    }

    /// One step of the full automaton on a set of states; also reports whether a state that
    /// completes a match was entered.
    fn step(&self, set: &BTreeSet<usize>, c: char) -> (BTreeSet<usize>, bool) {
        let mut next = BTreeSet::new();
        let mut accepted = false;
        for &s in set {
            for &(t, _) in &self.nfa.succ[s] {
                if self.label(t).contains(u32::from(c)) {
                    if self.nfa.accept_now[t] {
                        accepted = true;
                    } else {
                        next.insert(t);
                    }
                }
            }
        }
        (next, accepted)
    }

    /// Chooses a suffix after `prefix pump^n` that makes every run fail (falls back to a
    /// character outside every label, or nothing), and reports whether the ambiguity is
    /// masked: a run succeeds on the prefix and pumps, or no suffix was found.
    fn suffix(&self, prefix: &str, w: &[char]) -> (String, bool) {
        let mut set = BTreeSet::from([INITIAL]);
        let mut masked = false;
        for c in prefix.chars() {
            let (next, accepted) = self.step(&set, c);
            masked |= accepted;
            set = next;
        }
        let mut union = BTreeSet::new();
        let mut seen_sets = BTreeSet::new();
        for _ in 0..32 {
            for &c in w {
                let (next, accepted) = self.step(&set, c);
                masked |= accepted;
                set = next;
            }
            union.extend(set.iter().copied());
            if !seen_sets.insert(set.clone()) {
                break;
            }
        }
        // Runs that the search starts inside the suffix come after every earlier start has
        // failed, so their success does not cut the attack short: leave the search state out.
        if let Some(search) = self.nfa.search {
            union.remove(&search);
        }
        let all_labels = CharSet::from_ranges(
            self.nfa
                .labels
                .iter()
                .enumerate()
                .filter(|&(s, _)| Some(s) != self.nfa.search)
                .flat_map(|(_, l)| l.ranges().iter().copied())
                .collect(),
        );
        let outside = all_labels.negate().pick();
        let mut alphabet: Vec<char> = outside.into_iter().collect();
        alphabet.extend(
            partition_representatives(self.nfa.labels.iter())
                .into_iter()
                .take(48),
        );
        let good_end = |s: &BTreeSet<usize>| !s.iter().any(|&x| self.nfa.accept_end[x]);
        if good_end(&union) {
            return (String::new(), masked);
        }
        let mut queue = VecDeque::from([(union.clone(), String::new())]);
        let mut visited = BTreeSet::from([union.clone()]);
        while let Some((s, word)) = queue.pop_front() {
            if word.chars().count() >= 3 || visited.len() > 400 {
                break;
            }
            for &c in &alphabet {
                let (next, accepted) = self.step(&s, c);
                if accepted {
                    continue;
                }
                let mut w2 = word.clone();
                w2.push(c);
                if good_end(&next) {
                    return (w2, masked);
                }
                if visited.insert(next.clone()) {
                    queue.push_back((next, w2));
                }
            }
        }
        // No suffix makes every earlier run fail, so the pattern matches in the end; the
        // character that leaves the fewest runs alive may still delay that match until the
        // ambiguous part has been explored (`(\s|.)+?[ab]*?$` on "bbb!": success only at the
        // end, after every split of the b's failed at the `!`).
        let fewest = alphabet
            .iter()
            .map(|&c| {
                let (next, accepted) = self.step(&union, c);
                ((accepted, next.len()), c)
            })
            .min()
            .map(|(_, c)| c);
        (fewest.map(String::from).unwrap_or_default(), true)
    }
}

/// Breadth-first path from `from` to `to` over nodes accepted by `keep`, charging the meter.
fn bfs(
    adj: &[Vec<usize>],
    from: usize,
    to: usize,
    keep: &dyn Fn(usize) -> bool,
    meter: &mut Meter,
) -> Result<Option<Vec<usize>>, Over> {
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    let mut found = from == to;
    parent.insert(from, from);
    while let Some(x) = queue.pop_front() {
        if found {
            break;
        }
        for &y in &adj[x] {
            meter.tick(1)?;
            if keep(y) && !parent.contains_key(&y) {
                parent.insert(y, x);
                if y == to {
                    found = true;
                    break;
                }
                queue.push_back(y);
            }
        }
    }
    if !found {
        return Ok(None);
    }
    let mut path = vec![to];
    let mut cur = to;
    while cur != from {
        let Some(&p) = parent.get(&cur) else {
            return Ok(None);
        };
        path.push(p);
        cur = p;
    }
    path.reverse();
    Ok(Some(path))
}
