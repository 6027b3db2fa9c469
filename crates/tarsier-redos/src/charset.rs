//! Sets of code points as sorted, disjoint, inclusive ranges: the labels of the NFA.

/// The largest code point.
pub const MAX_CP: u32 = 0x10FFFF;

/// A set of code points, stored as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct CharSet {
    ranges: Vec<(u32, u32)>,
}

impl CharSet {
    /// The empty set.
    #[must_use]
    pub fn empty() -> Self {
        Self { ranges: Vec::new() }
    }

    /// Every code point.
    #[must_use]
    pub fn any() -> Self {
        Self {
            ranges: vec![(0, MAX_CP)],
        }
    }

    /// A single code point.
    #[must_use]
    pub fn single(c: u32) -> Self {
        Self::range(c, c)
    }

    /// An inclusive range (empty when `lo > hi`).
    #[must_use]
    pub fn range(lo: u32, hi: u32) -> Self {
        if lo > hi {
            return Self::empty();
        }
        Self {
            ranges: vec![(lo, hi.min(MAX_CP))],
        }
    }

    /// Builds a set from arbitrary ranges.
    #[must_use]
    pub fn from_ranges(mut v: Vec<(u32, u32)>) -> Self {
        v.retain(|&(a, b)| a <= b);
        v.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        Self { ranges: out }
    }

    /// The ranges, sorted and disjoint.
    #[must_use]
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    /// True when the set has no member.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Membership test.
    #[must_use]
    pub fn contains(&self, c: u32) -> bool {
        self.ranges
            .binary_search_by(|&(a, b)| {
                if b < c {
                    std::cmp::Ordering::Less
                } else if a > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// Set union.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        let mut v = self.ranges.clone();
        v.extend_from_slice(&other.ranges);
        Self::from_ranges(v)
    }

    /// Complement with respect to all code points.
    #[must_use]
    pub fn negate(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = 0u32;
        for &(a, b) in &self.ranges {
            if a > next {
                out.push((next, a - 1));
            }
            next = b.saturating_add(1);
        }
        if next <= MAX_CP {
            out.push((next, MAX_CP));
        }
        Self { ranges: out }
    }

    /// Set intersection.
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while let (Some(&(a, b)), Some(&(c, d))) = (self.ranges.get(i), other.ranges.get(j)) {
            let lo = a.max(c);
            let hi = b.min(d);
            if lo <= hi {
                out.push((lo, hi));
            }
            if b < d {
                i += 1;
            } else {
                j += 1;
            }
        }
        Self { ranges: out }
    }

    /// Set difference.
    #[must_use]
    pub fn subtract(&self, other: &Self) -> Self {
        self.intersect(&other.negate())
    }

    /// True when the two sets share a member.
    #[must_use]
    pub fn intersects(&self, other: &Self) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a, b)), Some(&(c, d))) = (self.ranges.get(i), other.ranges.get(j)) {
            if a.max(c) <= b.min(d) {
                return true;
            }
            if b < d {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// Adds the other ASCII case of every ASCII letter in the set (the `i` flag; non-ASCII
    /// case folding is not modelled).
    #[must_use]
    pub fn fold_ascii(&self) -> Self {
        let lower = self.intersect(&Self::range(u32::from(b'a'), u32::from(b'z')));
        let upper = self.intersect(&Self::range(u32::from(b'A'), u32::from(b'Z')));
        let mut v = self.ranges.clone();
        v.extend(lower.ranges.iter().map(|&(a, b)| (a - 32, b - 32)));
        v.extend(upper.ranges.iter().map(|&(a, b)| (a + 32, b + 32)));
        Self::from_ranges(v)
    }

    /// A readable member, preferring lowercase letters, digits, uppercase letters, space and
    /// other printable ASCII; never a surrogate. `None` when no such member exists.
    #[must_use]
    pub fn pick(&self) -> Option<char> {
        const PREFS: [(u32, u32); 6] = [
            (0x61, 0x7A),
            (0x30, 0x39),
            (0x41, 0x5A),
            (0x20, 0x20),
            (0x21, 0x7E),
            (0x00, 0x7F),
        ];
        for (lo, hi) in PREFS {
            let hit = self.intersect(&Self::range(lo, hi));
            if let Some(&(a, _)) = hit.ranges.first() {
                return char::from_u32(a);
            }
        }
        self.ranges.iter().find_map(|&(a, b)| {
            char::from_u32(a).or_else(|| (a..=b).take(0x900).find_map(char::from_u32))
        })
    }

    /// Characters matched by `\d`.
    #[must_use]
    pub fn digit() -> Self {
        Self::range(u32::from(b'0'), u32::from(b'9'))
    }

    /// Characters matched by `\w`.
    #[must_use]
    pub fn word() -> Self {
        Self::from_ranges(vec![(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
    }

    /// Characters matched by `\s` (ECMAScript WhiteSpace and LineTerminator).
    #[must_use]
    pub fn space() -> Self {
        Self::from_ranges(vec![
            (0x09, 0x0D),
            (0x20, 0x20),
            (0xA0, 0xA0),
            (0x1680, 0x1680),
            (0x2000, 0x200A),
            (0x2028, 0x2029),
            (0x202F, 0x202F),
            (0x205F, 0x205F),
            (0x3000, 0x3000),
            (0xFEFF, 0xFEFF),
        ])
    }

    /// Line terminators (what `.` does not match without the `s` flag).
    #[must_use]
    pub fn line_terminators() -> Self {
        Self::from_ranges(vec![(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)])
    }
}

/// Splits the alphabet into classes that every given set either fully contains or avoids,
/// returning one readable representative per class (classes without one are skipped).
#[must_use]
pub fn partition_representatives<'a>(sets: impl Iterator<Item = &'a CharSet>) -> Vec<char> {
    let mut cuts: Vec<u32> = vec![0];
    for s in sets {
        for &(a, b) in s.ranges() {
            cuts.push(a);
            if b < MAX_CP {
                cuts.push(b + 1);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut reps = Vec::with_capacity(cuts.len());
    for (i, &lo) in cuts.iter().enumerate() {
        let hi = cuts.get(i + 1).map_or(MAX_CP, |&n| n - 1);
        if let Some(c) = CharSet::range(lo, hi).pick() {
            reps.push(c);
        }
    }
    reps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_algebra() {
        let a = CharSet::from_ranges(vec![(5, 10), (1, 3), (4, 4)]);
        assert_eq!(a.ranges(), &[(1, 10)]);
        let b = CharSet::range(8, 20);
        assert_eq!(a.intersect(&b).ranges(), &[(8, 10)]);
        assert_eq!(a.subtract(&b).ranges(), &[(1, 7)]);
        assert!(a.negate().contains(0) && !a.negate().contains(5));
        assert!(a.negate().negate() == a);
        assert!(a.intersects(&b) && !a.intersects(&CharSet::single(11)));
        assert_eq!(
            CharSet::single(u32::from(b'k')).fold_ascii().ranges().len(),
            2
        );
        assert_eq!(CharSet::any().pick(), Some('a'));
        assert_eq!(CharSet::range(0xD800, 0xDFFF).pick(), None);
    }

    #[test]
    fn partition_has_one_rep_per_class() {
        let sets = [CharSet::range(0x61, 0x7A), CharSet::single(0x62)];
        let reps = partition_representatives(sets.iter());
        assert!(reps.contains(&'a') && reps.contains(&'b') && reps.contains(&'c'));
    }
}
