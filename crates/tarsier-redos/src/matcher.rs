//! A small backtracking matcher over the [`Ast`] that counts steps instead of time, used to
//! confirm witnesses. It follows ECMAScript semantics closely: ordered alternation, greedy and
//! lazy quantifiers with per-loop counters, the rule that an optional iteration must consume
//! input, captures and backreferences, atomic lookarounds (lookbehind is evaluated by trying
//! every start position before the current one), anchors and word boundaries. It is iterative
//! (an explicit backtrack stack), so long inputs cannot overflow the call stack; only nested
//! lookarounds recurse, bounded by the parser's nesting limit.

use crate::charset::CharSet;
use crate::parse::{AssertKind, Ast, Node};

const UNSET: usize = usize::MAX;

#[derive(Debug, Clone)]
enum Inst {
    Char(usize),
    Split {
        first: usize,
        second: usize,
    },
    Jmp(usize),
    Save(usize),
    Assert(AssertKind),
    BackRef {
        index: usize,
        icase: bool,
    },
    Look {
        prog: usize,
        ahead: bool,
        negate: bool,
        /// Length bounds of the contents, to limit the start positions tried for lookbehind.
        min: usize,
        max: Option<usize>,
    },
    RepeatStart {
        counter: usize,
    },
    RepeatLoop {
        counter: usize,
        mark: usize,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        exit: usize,
    },
    RepeatEnd {
        counter: usize,
        mark: usize,
        min: u32,
        head: usize,
    },
    Match,
}

/// The step budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted;

/// A compiled backtracking program.
#[derive(Debug, Clone)]
pub struct Matcher {
    programs: Vec<Vec<Inst>>,
    sets: Vec<CharSet>,
    regs: usize,
    sticky: bool,
}

/// Too many instructions for the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramTooBig;

impl Matcher {
    /// Compiles `ast`, failing when the program would exceed `max_insts` instructions.
    ///
    /// # Errors
    /// [`ProgramTooBig`].
    pub fn new(ast: &Ast, max_insts: usize) -> Result<Self, ProgramTooBig> {
        let mut c = Compiler {
            programs: vec![Vec::new()],
            sets: Vec::new(),
            regs: 2 * (ast.group_count as usize + 1),
            size: 0,
            max_insts,
        };
        let mut main = Vec::new();
        c.node(&ast.root, &mut main)?;
        main.push(Inst::Match);
        if let Some(slot) = c.programs.first_mut() {
            *slot = main;
        }
        Ok(Self {
            programs: c.programs,
            sets: c.sets,
            regs: c.regs,
            sticky: ast.flags.sticky,
        })
    }

    /// Runs a search (every start position unless the pattern is sticky) of `input`, adding the
    /// executed instructions to `steps`.
    ///
    /// # Errors
    /// [`Exhausted`] when `steps` passes `limit`.
    pub fn search(&self, input: &str, steps: &mut u64, limit: u64) -> Result<bool, Exhausted> {
        let chars: Vec<u32> = input.chars().map(u32::from).collect();
        let last = if self.sticky { 0 } else { chars.len() };
        for start in 0..=last {
            let mut regs = vec![UNSET; self.regs];
            if self.run(0, &chars, start, None, &mut regs, steps, limit)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    fn run(
        &self,
        prog: usize,
        input: &[u32],
        start: usize,
        must_end: Option<usize>,
        regs: &mut [usize],
        steps: &mut u64,
        limit: u64,
    ) -> Result<bool, Exhausted> {
        let Some(code) = self.programs.get(prog) else {
            return Ok(false);
        };
        let mut stack: Vec<(usize, usize, usize)> = Vec::new();
        let mut undo: Vec<(usize, usize)> = Vec::new();
        let (mut pc, mut pos) = (0usize, start);
        let set_reg = |regs: &mut [usize], undo: &mut Vec<(usize, usize)>, r: usize, v: usize| {
            if let Some(slot) = regs.get_mut(r) {
                undo.push((r, *slot));
                *slot = v;
            }
        };
        loop {
            *steps += 1;
            if *steps > limit {
                return Err(Exhausted);
            }
            let mut ok = true;
            match code.get(pc) {
                None => ok = false,
                Some(Inst::Match) => {
                    if must_end.is_none_or(|e| e == pos) {
                        return Ok(true);
                    }
                    ok = false;
                }
                Some(Inst::Char(s)) => match (input.get(pos), self.sets.get(*s)) {
                    (Some(&c), Some(set)) if set.contains(c) => {
                        pos += 1;
                        pc += 1;
                    }
                    _ => ok = false,
                },
                Some(Inst::Split { first, second }) => {
                    stack.push((*second, pos, undo.len()));
                    pc = *first;
                }
                Some(Inst::Jmp(t)) => pc = *t,
                Some(Inst::Save(slot)) => {
                    set_reg(regs, &mut undo, *slot, pos);
                    pc += 1;
                }
                Some(Inst::Assert(k)) => {
                    if assert_holds(*k, input, pos) {
                        pc += 1;
                    } else {
                        ok = false;
                    }
                }
                Some(Inst::BackRef { index, icase }) => {
                    let s = regs.get(2 * index).copied().unwrap_or(UNSET);
                    let e = regs.get(2 * index + 1).copied().unwrap_or(UNSET);
                    if s == UNSET || e == UNSET || s > e {
                        pc += 1;
                    } else {
                        let len = e - s;
                        let same = |a: u32, b: u32| a == b || (*icase && fold(a) == fold(b));
                        let matches =
                            (0..len).all(|k| match (input.get(s + k), input.get(pos + k)) {
                                (Some(&a), Some(&b)) => same(a, b),
                                _ => false,
                            });
                        *steps += len as u64;
                        if matches {
                            pos += len;
                            pc += 1;
                        } else {
                            ok = false;
                        }
                    }
                }
                Some(Inst::Look {
                    prog: sub,
                    ahead,
                    negate,
                    min,
                    max,
                }) => {
                    let mut sub_regs = regs.to_vec();
                    let found = if *ahead {
                        self.run(*sub, input, pos, None, &mut sub_regs, steps, limit)?
                    } else {
                        let mut found = false;
                        let lowest = max.map_or(0, |m| pos.saturating_sub(m));
                        let highest = pos.saturating_sub(*min);
                        for from in (lowest..=highest).rev() {
                            if self.run(
                                *sub,
                                input,
                                from,
                                Some(pos),
                                &mut sub_regs,
                                steps,
                                limit,
                            )? {
                                found = true;
                                break;
                            }
                        }
                        found
                    };
                    if found != *negate {
                        pc += 1;
                    } else {
                        ok = false;
                    }
                }
                Some(Inst::RepeatStart { counter }) => {
                    set_reg(regs, &mut undo, *counter, 0);
                    pc += 1;
                }
                Some(Inst::RepeatLoop {
                    counter,
                    mark,
                    min,
                    max,
                    greedy,
                    exit,
                }) => {
                    let count = regs.get(*counter).copied().unwrap_or(0);
                    let count32 = u32::try_from(count).unwrap_or(u32::MAX);
                    if count32 < *min {
                        set_reg(regs, &mut undo, *mark, pos);
                        pc += 1;
                    } else if max.is_some_and(|m| count32 >= m) {
                        pc = *exit;
                    } else if *greedy {
                        stack.push((*exit, pos, undo.len()));
                        set_reg(regs, &mut undo, *mark, pos);
                        pc += 1;
                    } else {
                        // Lazy: exit first; the backtrack entry re-enters the body with the
                        // mark already set (the exit path ignores it).
                        set_reg(regs, &mut undo, *mark, pos);
                        stack.push((pc + 1, pos, undo.len()));
                        pc = *exit;
                    }
                }
                Some(Inst::RepeatEnd {
                    counter,
                    mark,
                    min,
                    head,
                }) => {
                    let count = regs.get(*counter).copied().unwrap_or(0);
                    let optional = u32::try_from(count).unwrap_or(u32::MAX) >= *min;
                    if optional && regs.get(*mark).copied() == Some(pos) {
                        ok = false;
                    } else {
                        set_reg(regs, &mut undo, *counter, count.saturating_add(1));
                        pc = *head;
                    }
                }
            }
            if !ok {
                let Some((npc, npos, ulen)) = stack.pop() else {
                    while let Some((r, v)) = undo.pop() {
                        if let Some(slot) = regs.get_mut(r) {
                            *slot = v;
                        }
                    }
                    return Ok(false);
                };
                while undo.len() > ulen {
                    if let Some((r, v)) = undo.pop()
                        && let Some(slot) = regs.get_mut(r)
                    {
                        *slot = v;
                    }
                }
                pc = npc;
                pos = npos;
            }
        }
    }
}

fn fold(c: u32) -> u32 {
    if (u32::from(b'A')..=u32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

fn is_word(input: &[u32], i: Option<usize>) -> bool {
    i.and_then(|i| input.get(i))
        .is_some_and(|&c| CharSet::word().contains(c))
}

fn is_lt(c: Option<&u32>) -> bool {
    c.is_some_and(|&c| CharSet::line_terminators().contains(c))
}

fn assert_holds(k: AssertKind, input: &[u32], pos: usize) -> bool {
    match k {
        AssertKind::Start { multiline } => {
            pos == 0 || (multiline && is_lt(input.get(pos.wrapping_sub(1))))
        }
        AssertKind::End { multiline } => pos == input.len() || (multiline && is_lt(input.get(pos))),
        AssertKind::WordBoundary | AssertKind::NotWordBoundary => {
            let b = is_word(input, pos.checked_sub(1)) != is_word(input, Some(pos));
            b == matches!(k, AssertKind::WordBoundary)
        }
    }
}

/// Minimum and maximum (`None` = unbounded or unknown) length of what `node` matches.
fn length_bounds(node: &Node) -> (usize, Option<usize>) {
    match node {
        Node::Empty | Node::Assert(_) | Node::Look { .. } => (0, Some(0)),
        Node::Set(_) => (1, Some(1)),
        Node::BackRef { .. } => (0, None),
        Node::Group { node, .. } => length_bounds(node),
        Node::Concat(v) => v.iter().fold((0, Some(0)), |(lo, hi), n| {
            let (a, b) = length_bounds(n);
            (
                lo.saturating_add(a),
                hi.zip(b).map(|(x, y)| x.saturating_add(y)),
            )
        }),
        Node::Alt(v) => {
            let mut lo = usize::MAX;
            let mut hi = Some(0);
            for n in v {
                let (a, b) = length_bounds(n);
                lo = lo.min(a);
                hi = hi.zip(b).map(|(x, y)| x.max(y));
            }
            (if v.is_empty() { 0 } else { lo }, hi)
        }
        Node::Repeat { node, min, max, .. } => {
            let (a, b) = length_bounds(node);
            let lo = a.saturating_mul(*min as usize);
            let hi = match (b, max) {
                (Some(0), _) => Some(0),
                (Some(b), Some(m)) => Some(b.saturating_mul(*m as usize)),
                _ => None,
            };
            (lo, hi)
        }
    }
}

struct Compiler {
    programs: Vec<Vec<Inst>>,
    sets: Vec<CharSet>,
    regs: usize,
    size: usize,
    max_insts: usize,
}

impl Compiler {
    fn emit(&mut self, out: &mut Vec<Inst>, i: Inst) -> Result<usize, ProgramTooBig> {
        self.size += 1;
        if self.size > self.max_insts {
            return Err(ProgramTooBig);
        }
        out.push(i);
        Ok(out.len() - 1)
    }

    fn node(&mut self, node: &Node, out: &mut Vec<Inst>) -> Result<(), ProgramTooBig> {
        match node {
            Node::Empty => {}
            Node::Set(s) => {
                self.sets.push(s.clone());
                let idx = self.sets.len() - 1;
                self.emit(out, Inst::Char(idx))?;
            }
            Node::Concat(v) => {
                for n in v {
                    self.node(n, out)?;
                }
            }
            Node::Alt(v) => {
                let mut jumps = Vec::new();
                for (k, n) in v.iter().enumerate() {
                    if k + 1 < v.len() {
                        let split = self.emit(
                            out,
                            Inst::Split {
                                first: 0,
                                second: 0,
                            },
                        )?;
                        self.node(n, out)?;
                        jumps.push(self.emit(out, Inst::Jmp(0))?);
                        let next = out.len();
                        if let Some(Inst::Split { first, second }) = out.get_mut(split) {
                            *first = split + 1;
                            *second = next;
                        }
                    } else {
                        self.node(n, out)?;
                    }
                }
                let end = out.len();
                for j in jumps {
                    if let Some(Inst::Jmp(t)) = out.get_mut(j) {
                        *t = end;
                    }
                }
            }
            Node::Group { index, node } => {
                if let Some(i) = index {
                    self.emit(out, Inst::Save(2 * *i as usize))?;
                    self.node(node, out)?;
                    self.emit(out, Inst::Save(2 * *i as usize + 1))?;
                } else {
                    self.node(node, out)?;
                }
            }
            Node::Assert(k) => {
                self.emit(out, Inst::Assert(*k))?;
            }
            Node::BackRef { index, ignore_case } => {
                self.emit(
                    out,
                    Inst::BackRef {
                        index: *index as usize,
                        icase: *ignore_case,
                    },
                )?;
            }
            Node::Look {
                ahead,
                negate,
                node,
            } => {
                let mut sub = Vec::new();
                self.node(node, &mut sub)?;
                self.emit(&mut sub, Inst::Match)?;
                self.programs.push(sub);
                let prog = self.programs.len() - 1;
                let (min, max) = length_bounds(node);
                self.emit(
                    out,
                    Inst::Look {
                        prog,
                        ahead: *ahead,
                        negate: *negate,
                        min,
                        max,
                    },
                )?;
            }
            Node::Repeat {
                node,
                min,
                max,
                greedy,
            } => {
                let counter = self.regs;
                let mark = self.regs + 1;
                self.regs += 2;
                self.emit(out, Inst::RepeatStart { counter })?;
                let head = self.emit(
                    out,
                    Inst::RepeatLoop {
                        counter,
                        mark,
                        min: *min,
                        max: *max,
                        greedy: *greedy,
                        exit: 0,
                    },
                )?;
                self.node(node, out)?;
                self.emit(
                    out,
                    Inst::RepeatEnd {
                        counter,
                        mark,
                        min: *min,
                        head,
                    },
                )?;
                let exit = out.len();
                if let Some(Inst::RepeatLoop { exit: e, .. }) = out.get_mut(head) {
                    *e = exit;
                }
            }
        }
        Ok(())
    }
}
