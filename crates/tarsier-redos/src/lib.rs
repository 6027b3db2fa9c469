//! ReDoS analysis of JavaScript regular expressions, with attack-string witnesses.
//!
//! [`analyze`] parses a pattern with JavaScript's syntax ([`parse`]), builds an epsilon-free
//! NFA with path multiplicities ([`nfa`]), looks for exponential (EDA) and polynomial (IDA)
//! ambiguity ([`analysis`]), and confirms every witness by counting the steps of a backtracking
//! matcher ([`matcher`]) on attack strings of growing size. Only confirmed witnesses are
//! reported as [`Verdict::Exponential`] or [`Verdict::Polynomial`]; an ambiguity that does not
//! confirm becomes [`Verdict::Unknown`]. Everything is bounded by a [`Budget`] and deterministic.
//!
//! The polynomial degree is the exponent of the matcher's step count in the attack length
//! (`^a*a*$` is 2, an unanchored `\s+$` is 2 because the matcher retries at every start
//! position, an unanchored `a*a*b` is 3).
//!
//! Approximations (all documented where they are made): the NFA treats lookarounds and word
//! boundaries as always true (a pattern that ends with one and comes out safe is analyzed again
//! with that assertion read as `$`), a backreference as a copy of its group, `^`/`$` under the `m`
//! flag loosely (a safe result is checked again with `^` strict), and `\p{..}` as any character;
//! case folding is ASCII only. Any of these can make the analysis see ambiguity the real matcher
//! does not have, which is why every witness is confirmed on the matcher (which implements them
//! exactly, except non-ASCII case folding) before it is reported. Polynomial pumps are found for
//! single characters and for words from the IDA pair search (under `m`, line terminators first;
//! with `\b`, an unconfirmed pump is retried with a word edge appended); a chain that only a
//! sequence of different pumps would exercise is reported with the degree a single pump
//! confirms.
//!
//! ```
//! use tarsier_redos::{analyze, Budget, Verdict};
//!
//! let a = analyze("^(a+)+$", "", &Budget::default()).unwrap();
//! assert_eq!(a.verdict, Verdict::Exponential);
//! assert!(a.confirmed);
//! let w = a.witness.unwrap();
//! assert!(w.attack_string(3).starts_with(&w.prefix));
//!
//! let a = analyze("^[a-z]+$", "i", &Budget::default()).unwrap();
//! assert_eq!(a.verdict, Verdict::Safe);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analysis;
pub mod charset;
mod error;
pub mod matcher;
pub mod nfa;
pub mod parse;

pub use error::RegexError;

use analysis::{Analyzer, Candidate, Claim, Meter};
use matcher::Matcher;

/// Limits for one regular expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Maximum NFA states (and a quarter of the maximum matcher program size).
    pub max_states: usize,
    /// Maximum analysis work units. The matcher that confirms witnesses may run
    /// `max_steps / 8` steps per attack string and `2 * max_steps` in total per pattern.
    pub max_steps: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_states: 4_000,
            max_steps: 2_400_000,
        }
    }
}

/// How matching time can grow with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No super-linear backtracking found.
    Safe,
    /// Backtracking steps grow like `n^degree` (degree at least 2).
    Polynomial {
        /// The exponent.
        degree: u32,
    },
    /// Backtracking steps grow exponentially.
    Exponential,
    /// The analysis could not decide (budget, or a witness that did not confirm).
    Unknown {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// True for a confirmed super-linear verdict (exponential or polynomial).
    #[must_use]
    pub fn is_vulnerable(&self) -> bool {
        matches!(self, Self::Exponential | Self::Polynomial { .. })
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Safe => f.write_str("safe"),
            Self::Polynomial { degree: 2 } => f.write_str("quadratic"),
            Self::Polynomial { degree: 3 } => f.write_str("cubic"),
            Self::Polynomial { degree } => write!(f, "polynomial of degree {degree}"),
            Self::Exponential => f.write_str("exponential"),
            Self::Unknown { reason } => write!(f, "unknown ({reason})"),
        }
    }
}

/// An attack: `prefix + pump.repeat(n) + suffix` makes the matcher backtrack.
///
/// The suffix is chosen so that no run of the pattern succeeds on the attack string when such
/// a short suffix exists; some patterns (`(a|a)*$` matches the empty string at the end of any
/// input) succeed eventually, but only after the super-linear work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// Reaches the ambiguous part of the pattern.
    pub prefix: String,
    /// Repeated `n` times.
    pub pump: String,
    /// Makes the overall match fail (where possible).
    pub suffix: String,
}

impl Witness {
    /// The attack string with `n` repetitions of the pump.
    #[must_use]
    pub fn attack_string(&self, n: usize) -> String {
        let mut s =
            String::with_capacity(self.prefix.len() + self.pump.len() * n + self.suffix.len());
        s.push_str(&self.prefix);
        for _ in 0..n {
            s.push_str(&self.pump);
        }
        s.push_str(&self.suffix);
        s
    }
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The verdict.
    pub verdict: Verdict,
    /// The attack, for exponential and polynomial verdicts (and for unconfirmed ones).
    pub witness: Option<Witness>,
    /// True when the witness was confirmed by the step-counting matcher.
    pub confirmed: bool,
    /// Matcher steps measured for `n` pump repetitions.
    pub steps_at: Vec<(usize, u64)>,
}

impl Analysis {
    fn plain(verdict: Verdict) -> Self {
        Self {
            verdict,
            witness: None,
            confirmed: false,
            steps_at: Vec::new(),
        }
    }

    fn unknown(reason: &str) -> Self {
        Self::plain(Verdict::Unknown {
            reason: reason.to_owned(),
        })
    }
}

/// Analyzes `pattern` (the text between the slashes of a literal) with `flags`.
///
/// # Errors
/// [`RegexError`] when the pattern or flags are not valid JavaScript.
pub fn analyze(pattern: &str, flags: &str, budget: &Budget) -> Result<Analysis, RegexError> {
    let ast = parse::parse(pattern, flags)?;
    Ok(analyze_ast(&ast, budget))
}

/// Analyzes an already parsed pattern.
///
/// A pattern that ends with an assertion that can fail (`(?!..)`, a lookbehind, `\b`) or has
/// the `m` flag, and comes out safe, is analyzed a second time with those assertions read
/// strictly ([`nfa::build_strict`]); only a confirmed witness from that second pass changes
/// the verdict.
#[must_use]
pub fn analyze_ast(ast: &parse::Ast, budget: &Budget) -> Analysis {
    let first = analyze_nfa(
        ast,
        nfa::build(ast, budget.max_states, budget.max_steps),
        budget,
    );
    if first.verdict == Verdict::Safe && nfa::has_loose_assertions(ast) {
        let second = analyze_nfa(
            ast,
            nfa::build_strict(ast, budget.max_states, budget.max_steps),
            budget,
        );
        if second.confirmed {
            return second;
        }
    }
    first
}

fn analyze_nfa(ast: &parse::Ast, nfa: Result<nfa::Nfa, nfa::TooBig>, budget: &Budget) -> Analysis {
    let nfa = match nfa {
        Ok(n) => n,
        Err(nfa::TooBig(reason)) => return Analysis::unknown(reason),
    };
    if nfa.always_matches {
        return Analysis::plain(Verdict::Safe);
    }
    let Ok(matcher) = Matcher::new(ast, budget.max_states.saturating_mul(4)) else {
        return Analysis::unknown("matcher program exceeds the state budget");
    };
    let analyzer = Analyzer::new(&nfa);
    let mut meter = Meter::new(budget.max_steps);
    let mut runner = Runner {
        matcher: &matcher,
        cap: (budget.max_steps / 8).max(1000),
        left: budget.max_steps.saturating_mul(2),
    };

    let mut candidates: Vec<Candidate> = Vec::new();
    let mut over = false;
    match analyzer.eda_words(&mut meter) {
        Ok(words) => {
            for w in words {
                match analyzer.evaluate(&w, &mut meter) {
                    Ok(found) => add_candidates(&mut candidates, found),
                    Err(analysis::Over) => over = true,
                }
            }
        }
        Err(analysis::Over) => over = true,
    }
    let mut fallback = None;
    if let Some(found) = confirm_best(
        &mut runner,
        &mut candidates,
        Claim::Exponential,
        &mut fallback,
    ) {
        return found;
    }
    // Under `m`, line terminators go first: among equal claims the earlier pump is confirmed
    // first, and only a few are.
    let mut words = if ast.flags.multiline {
        analyzer.line_words()
    } else {
        Vec::new()
    };
    words.extend(analyzer.char_words());
    if !over {
        match analyzer.ida_words(&mut meter) {
            Ok(more) => words.extend(more),
            Err(analysis::Over) => over = true,
        }
    }
    // Evaluating is cheap next to the searches, so the pumps found so far are evaluated with
    // a fresh allowance even when a search ran out.
    let mut eval_meter = Meter::new(budget.max_steps);
    for w in words {
        match analyzer.evaluate(&w, &mut eval_meter) {
            Ok(found) => add_candidates(&mut candidates, found),
            Err(analysis::Over) => {
                over = true;
                break;
            }
        }
    }
    if let Some(found) = confirm_best(
        &mut runner,
        &mut candidates,
        Claim::Polynomial(2),
        &mut fallback,
    ) {
        return found;
    }
    if let Some(found) = fallback {
        return found;
    }
    if over {
        return Analysis::unknown("analysis step budget exceeded");
    }
    // Ambiguity that only shows on inputs where some run of the pattern succeeds first (`a*.`:
    // the `.` matches right away) and that the matcher refutes is not reported.
    match candidates.into_iter().find(|c| !c.masked) {
        None => Analysis::plain(Verdict::Safe),
        Some(c) => {
            if has_word_boundary(&ast.root)
                && let Some(found) = confirm_with_word_edges(&mut runner, &witness(&c))
            {
                return found;
            }
            let what = match c.claim {
                Claim::Exponential => "exponential".to_owned(),
                Claim::Polynomial(k) => format!("degree-{k} polynomial"),
            };
            Analysis {
                verdict: Verdict::Unknown {
                    reason: format!("{what} ambiguity found but the witness did not confirm"),
                },
                witness: Some(witness(&c)),
                confirmed: false,
                steps_at: Vec::new(),
            }
        }
    }
}

/// True when `node` holds a `\b` or `\B` anywhere.
fn has_word_boundary(node: &parse::Node) -> bool {
    use parse::{AssertKind, Node};
    match node {
        Node::Assert(AssertKind::WordBoundary | AssertKind::NotWordBoundary) => true,
        Node::Concat(v) | Node::Alt(v) => v.iter().any(has_word_boundary),
        Node::Group { node, .. } | Node::Repeat { node, .. } | Node::Look { node, .. } => {
            has_word_boundary(node)
        }
        _ => false,
    }
}

/// The NFA reads `\b` as always true, so a pump of word characters alone (or of non-word
/// characters alone) gives a `\b` in front of a loop one start position only, and the witness
/// does not confirm. A pump that ends with a character of the other kind puts a word edge in
/// every repetition (`\b[\w-]{10,}\.x` on `"-a-a-a.."`): tried before giving up as unknown.
fn confirm_with_word_edges(runner: &mut Runner<'_>, w: &Witness) -> Option<Analysis> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let last_is_word = w.pump.chars().last().is_some_and(is_word);
    let extras: [char; 2] = if last_is_word { ['-', ' '] } else { ['a', '0'] };
    for extra in extras {
        let mut edged = w.clone();
        edged.pump.push(extra);
        let (steps, e) = measure_polynomial(runner, &edged);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let degree = e.round().max(0.0) as u32;
        if degree >= 2 {
            return Some(confirmed(Verdict::Polynomial { degree }, edged, steps));
        }
    }
    None
}

fn add_candidates(all: &mut Vec<Candidate>, found: Vec<Candidate>) {
    for c in found {
        if !all.contains(&c) {
            all.push(c);
        }
    }
}

fn witness(c: &Candidate) -> Witness {
    Witness {
        prefix: c.prefix.clone(),
        pump: c.pump.clone(),
        suffix: c.suffix.clone(),
    }
}

/// Tries the candidates claiming at least `at_least`, strongest first, and returns the first
/// one confirmed at its claimed class. A candidate confirmed only at a lower polynomial degree
/// becomes the `fallback` when it beats the one there; candidates that cannot beat the fallback
/// are skipped, and at most six confirmations (two per claim) run per call. Candidates tried
/// are removed.
fn confirm_best(
    runner: &mut Runner<'_>,
    candidates: &mut Vec<Candidate>,
    at_least: Claim,
    fallback: &mut Option<Analysis>,
) -> Option<Analysis> {
    // Strongest claim first; within a claim, unmasked and readable (ASCII, short) pumps first.
    candidates.sort_by_key(|c| {
        (
            std::cmp::Reverse(c.claim),
            c.masked,
            !c.pump.is_ascii(),
            c.pump.len(),
        )
    });
    let mut tried = 0;
    let mut tried_claim: Vec<Claim> = Vec::new();
    let mut keep = Vec::new();
    for c in std::mem::take(candidates) {
        let claimed = match c.claim {
            Claim::Exponential => u32::MAX,
            Claim::Polynomial(k) => k,
        };
        let beaten = fallback
            .as_ref()
            .is_some_and(|f| rank(&f.verdict) >= claimed);
        let same = tried_claim.iter().filter(|&&k| k == c.claim).count();
        if c.claim < at_least || tried >= 6 || same >= 2 || beaten {
            if !beaten {
                keep.push(c);
            }
            continue;
        }
        tried += 1;
        tried_claim.push(c.claim);
        let w = witness(&c);
        if c.claim == Claim::Exponential {
            let (steps, exp) = measure_exponential(runner, &w);
            if exp {
                return Some(confirmed(Verdict::Exponential, w, steps));
            }
        }
        let (steps, e) = measure_polynomial(runner, &w);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let measured = e.round().max(0.0) as u32;
        if e + 0.5 >= f64::from(claimed) {
            return Some(confirmed(Verdict::Polynomial { degree: claimed }, w, steps));
        }
        if measured >= 2
            && fallback
                .as_ref()
                .is_none_or(|f| rank(&f.verdict) < measured)
        {
            *fallback = Some(confirmed(
                Verdict::Polynomial { degree: measured },
                w,
                steps,
            ));
        }
        keep.push(c);
    }
    *candidates = keep;
    None
}

fn rank(v: &Verdict) -> u32 {
    match v {
        Verdict::Polynomial { degree } => *degree,
        Verdict::Exponential => u32::MAX,
        Verdict::Safe | Verdict::Unknown { .. } => 0,
    }
}

fn confirmed(verdict: Verdict, witness: Witness, steps_at: Vec<(usize, u64)>) -> Analysis {
    Analysis {
        verdict,
        witness: Some(witness),
        confirmed: true,
        steps_at,
    }
}

/// Steps of a search of the attack string; `None` when the step cap is reached. A search that
/// ends in a match still counts: `(a|a)*$` matches every string (at its end), but only after
/// exponential work at the earlier start positions, and a match found early keeps the step
/// count flat, which does not confirm.
fn steps_for(runner: &mut Runner<'_>, w: &Witness, n: usize) -> Option<u64> {
    let limit = runner.cap.min(runner.left);
    if limit == 0 {
        return None;
    }
    let mut steps = 0;
    let result = runner
        .matcher
        .search(&w.attack_string(n), &mut steps, limit);
    runner.left = runner.left.saturating_sub(steps);
    result.ok().map(|_| steps)
}

/// The matcher with its per-run cap and the steps left for all confirmations of one pattern.
struct Runner<'m> {
    matcher: &'m Matcher,
    cap: u64,
    left: u64,
}

#[allow(clippy::cast_precision_loss)]
fn log2_ratio(a: u64, b: u64) -> f64 {
    ((b.max(1) as f64) / (a.max(1) as f64)).log2()
}

/// Steps for n = 1, 2, ... until the cap; exponential when the growth per doubling of n keeps
/// accelerating (log-steps linear in n rather than in log n).
fn measure_exponential(runner: &mut Runner<'_>, w: &Witness) -> (Vec<(usize, u64)>, bool) {
    let mut steps = Vec::new();
    for n in 1..=64 {
        match steps_for(runner, w, n) {
            Some(s) => steps.push((n, s)),
            None => break,
        }
    }
    let at = |n: usize| steps.get(n.wrapping_sub(1)).map(|&(_, s)| s);
    let last = steps.len();
    if last < 4 {
        return (steps, false);
    }
    let (n1, n2, n3) = (last, last / 2, last / 4);
    // Doubling test: log-steps keep accelerating.
    let doubling = match (at(n1), at(n2.max(1)), at(n3.max(1))) {
        (Some(s1), Some(s2), Some(s3)) => {
            let g1 = log2_ratio(s2, s1);
            let g2 = log2_ratio(s3, s2);
            g1 >= 4.0 && g1 >= g2 + 1.0
        }
        _ => false,
    };
    // Ratio test: the step ratio between consecutive sizes stays large (it decays towards 1
    // for any polynomial).
    let ratio = |n: usize| match (at(n.wrapping_sub(1)), at(n)) {
        (Some(a), Some(b)) => 2f64.powf(log2_ratio(a, b)),
        _ => 0.0,
    };
    let steady = ratio(last) >= 1.5 && ratio(last) >= 0.9 * ratio(last - 2);
    let exp = doubling || steady;
    (steps, exp)
}

/// Steps for n = 4, 8, 16, ... until the cap; returns the measured exponent between the last
/// two sizes.
fn measure_polynomial(runner: &mut Runner<'_>, w: &Witness) -> (Vec<(usize, u64)>, f64) {
    let mut steps = Vec::new();
    let mut n = 4;
    while n <= 8192 && w.prefix.len() + w.pump.len() * n <= 200_000 {
        match steps_for(runner, w, n) {
            Some(s) => steps.push((n, s)),
            None => break,
        }
        n *= 2;
    }
    let e = match steps.as_slice() {
        [.., (_, a), (n2, b)] if *n2 >= 16 => log2_ratio(*a, *b),
        _ => 0.0,
    };
    (steps, e)
}
