//! Search for false negatives: for random small patterns the analysis calls safe, pump
//! strings of growing length must not make the step-counting matcher super-linear.
#![allow(clippy::unwrap_used)]

use tarsier_redos::matcher::Matcher;
use tarsier_redos::parse::parse;
use tarsier_redos::{Budget, Verdict, analyze};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[usize::try_from(self.next() % from.len() as u64).unwrap()]
    }
}

#[test]
fn safe_verdicts_stay_linear_on_pumped_inputs() {
    const ATOMS: &[&str] = &["a", "b", "[ab]", "[^a]", "\\d", ".", "\\s", " ", ","];
    const QUANTIFIERS: &[&str] = &["", "", "*", "+", "?", "*?", "+?", "{1,3}", "{2,}"];
    const PUMPS: &[&str] = &["a", "b", "1", " ", ",", "ab", "a "];
    const SUFFIXES: &[&str] = &["", "!", "\n", "b!"];
    let mut rng = Rng(0xDEAD_BEEF_1234_5678);
    let (mut safe, mut failures) = (0, Vec::new());
    for _ in 0..150 {
        let mut p = String::new();
        if matches!(rng.next() % 2, 0) {
            p.push('^');
        }
        for _ in 0..1 + rng.next() % 5 {
            let atom = rng.pick(ATOMS);
            if matches!(rng.next() % 5, 0) {
                p.push_str(&format!("(?:{atom}|{})", rng.pick(ATOMS)));
            } else {
                p.push_str(atom);
            }
            p.push_str(rng.pick(QUANTIFIERS));
        }
        if matches!(rng.next() % 2, 0) {
            p.push('$');
        }
        let a = analyze(&p, "", &Budget::default()).unwrap();
        if a.verdict != Verdict::Safe {
            continue;
        }
        safe += 1;
        let m = Matcher::new(&parse(&p, "").unwrap(), 100_000).unwrap();
        for pump in PUMPS {
            for suffix in SUFFIXES {
                let steps = |n: usize| {
                    let mut s = 0;
                    let _ = m.search(&format!("{}{suffix}", pump.repeat(n)), &mut s, 10_000_000);
                    s
                };
                let (s1, s2) = (steps(60), steps(120));
                if s2 > 3 * s1 && s2 > 5000 {
                    failures.push(format!(
                        "/{p}/ pump {pump:?} suffix {suffix:?}: {s1} -> {s2}"
                    ));
                }
            }
        }
    }
    assert!(safe > 30, "too few safe patterns to be meaningful: {safe}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
