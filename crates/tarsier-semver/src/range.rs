//! npm version ranges: parsing (`semver.validRange`), normalising and matching (`semver.satisfies`).
//!
//! This is a port of node-semver's `classes/range.js` and `classes/comparator.js`. npm desugars a
//! range by rewriting the text in passes (hyphen ranges, operator whitespace, carets, tildes,
//! x-ranges, stars), then reads what is left as plain comparators such as `>=1.2.3` and
//! `<2.0.0-0`. We keep the same passes over the same regular expressions (see [`crate::re`]),
//! because npm's answers on odd input come from the exact order of those passes; a cleaner
//! grammar would disagree with npm on the edges, and agreeing with npm is the point.
//!
//! The desugaring depends on `includePrerelease` (it adds `-0` to lower bounds), so a [`Range`]
//! keeps both desugarings and [`Range::matches`] picks the one asked for.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use regex::Captures;
use semver::Version;

use crate::error::{SemverError, shown};
use crate::re::{
    self, BUILD, BUILD_STRIP, CARET_TRIM, COMPARATOR_TRIM, GTE0, GTE0_PRE, Grammar, LOOSE,
    MAX_LENGTH, MAX_SAFE_INTEGER, STAR, STRICT, TILDE_TRIM, WHITESPACE_RUN,
};
use crate::version::{compare, npm_version};

/// A parsed npm range: a disjunction (`||`) of comparator sets, each a conjunction.
///
/// Parse with [`Range::parse`] or [`str::parse`]; [`Display`](fmt::Display) gives npm's
/// normalised form, exactly what `semver.validRange` returns. Equality compares the text as
/// written (compare `to_string()` for equality of meaning as npm normalises it).
///
/// ```
/// use tarsier_semver::Range;
/// let r: Range = "^0.2.3 || 1.x".parse()?;
/// assert_eq!(r.to_string(), ">=0.2.3 <0.3.0-0||>=1.0.0 <2.0.0-0");
/// assert!(r.matches(&semver::Version::new(1, 9, 0), false));
/// assert!(!r.matches(&semver::Version::new(0, 3, 0), false));
/// # Ok::<(), tarsier_semver::SemverError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// The input, as written.
    raw: String,
    /// The desugaring without `includePrerelease`.
    sets: Vec<Vec<Comparator>>,
    /// The desugaring with `includePrerelease`.
    sets_including_prereleases: Vec<Vec<Comparator>>,
}

/// The operator of a comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// One comparator: `ANY` (matches everything, written as the empty string) or an operator and
/// a version (without build metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Comparator {
    Any,
    Cmp(Op, Version),
}

impl Comparator {
    /// node-semver's `Comparator.value`, also its identity for de-duplication.
    fn value(&self) -> String {
        match self {
            Comparator::Any => String::new(),
            Comparator::Cmp(op, v) => format!("{}{v}", op.as_str()),
        }
    }

    /// `<0.0.0-0`, which nothing satisfies.
    fn is_null_set(&self) -> bool {
        matches!(self, Comparator::Cmp(Op::Lt, v)
            if v.major == 0 && v.minor == 0 && v.patch == 0 && v.pre.as_str() == "0")
    }

    fn test(&self, version: &Version) -> bool {
        match self {
            Comparator::Any => true,
            Comparator::Cmp(op, v) => {
                let ord = compare(version, v);
                match op {
                    Op::Eq => ord.is_eq(),
                    Op::Lt => ord.is_lt(),
                    Op::Le => ord.is_le(),
                    Op::Gt => ord.is_gt(),
                    Op::Ge => ord.is_ge(),
                }
            }
        }
    }

    /// node-semver's `new Comparator(comp)`. Errors are reasons.
    fn parse(comp: &str, g: &Grammar) -> Result<Comparator, String> {
        let comp = re::js_trim(comp);
        let caps = g
            .comparator
            .captures(comp)
            .ok_or_else(|| format!("`{}` is not a valid comparator", shown(comp)))?;
        let op = match caps.get(1).map_or("", |m| m.as_str()) {
            "" | "=" => Op::Eq,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            other => return Err(format!("`{other}` is not an operator")),
        };
        let version = match caps.get(2).map(|m| m.as_str()) {
            None | Some("") => return Ok(Comparator::Any),
            Some(v) => v,
        };
        if version.len() > MAX_LENGTH {
            return Err(format!(
                "version `{}` is longer than {MAX_LENGTH} characters",
                shown(version)
            ));
        }
        let mut parsed = npm_version(re::js_trim(version), g)
            .map_err(|reason| format!("version `{}`: {reason}", shown(version)))?;
        // Build metadata never takes part in a comparison; npm drops it from the value too.
        parsed.build = semver::BuildMetadata::EMPTY;
        Ok(Comparator::Cmp(op, parsed))
    }
}

/// JavaScript's `isX`: a missing, `x`, `X` or `*` component.
fn is_x(id: Option<&str>) -> bool {
    matches!(id, None | Some("" | "x" | "X" | "*"))
}

/// The text of a capture group; `None` (JavaScript's `undefined`) when it did not take part.
fn group<'t>(caps: &Captures<'t>, i: usize) -> Option<&'t str> {
    caps.get(i).map(|m| m.as_str())
}

/// JavaScript's `+n + 1` on a version component, as text.
///
/// Any component above `Number.MAX_SAFE_INTEGER` or whose successor is above it makes the
/// comparator it ends up in invalid, as in npm (where the float arithmetic yields a number that
/// the version parser refuses). We return such a too-large number so the same check fails.
fn inc(n: Option<&str>) -> String {
    match n.unwrap_or("").parse::<u64>() {
        Ok(n) if n < MAX_SAFE_INTEGER => (n + 1).to_string(),
        _ => (MAX_SAFE_INTEGER + 1).to_string(),
    }
}

/// `-0` when prereleases are included, else nothing.
fn z(include_prerelease: bool) -> &'static str {
    if include_prerelease { "-0" } else { "" }
}

/// node-semver's `hyphenReplace`: `1.2 - 3.4` => `>=1.2.0 <3.5.0-0`.
fn hyphen_replace(caps: &Captures<'_>, incpr: bool) -> String {
    let g = |i| group(caps, i);
    let from = g(1).unwrap_or("");
    let (fmaj, fmin, fpat, fpr) = (g(2), g(3), g(4), g(5));
    let to = g(7).unwrap_or("");
    let (tmaj, tmin, tpat, tpr) = (g(8), g(9), g(10), g(11));
    let (fmaj_s, fmin_s) = (fmaj.unwrap_or(""), fmin.unwrap_or(""));
    let (tmaj_s, tmin_s, tpat_s) = (tmaj.unwrap_or(""), tmin.unwrap_or(""), tpat.unwrap_or(""));
    let z = z(incpr);

    let from = if is_x(fmaj) {
        String::new()
    } else if is_x(fmin) {
        format!(">={fmaj_s}.0.0{z}")
    } else if is_x(fpat) {
        format!(">={fmaj_s}.{fmin_s}.0{z}")
    } else if fpr.is_some_and(|p| !p.is_empty()) {
        format!(">={from}")
    } else {
        format!(">={from}{z}")
    };

    let to = if is_x(tmaj) {
        String::new()
    } else if is_x(tmin) {
        format!("<{}.0.0-0", inc(tmaj))
    } else if is_x(tpat) {
        format!("<{tmaj_s}.{}.0-0", inc(tmin))
    } else if let Some(tpr) = tpr.filter(|p| !p.is_empty()) {
        format!("<={tmaj_s}.{tmin_s}.{tpat_s}-{tpr}")
    } else if incpr {
        format!("<{tmaj_s}.{tmin_s}.{}-0", inc(tpat))
    } else {
        format!("<={to}")
    };

    format!("{from} {to}").trim().to_owned()
}

/// node-semver's `replaceCaret` on one token.
fn replace_caret(comp: &str, g: &Grammar, incpr: bool) -> String {
    let Some(caps) = g.caret.captures(comp) else {
        return comp.to_owned();
    };
    let (maj, min, pat, pr) = (
        group(&caps, 1),
        group(&caps, 2),
        group(&caps, 3),
        group(&caps, 4),
    );
    let (ms, ns, ps) = (maj.unwrap_or(""), min.unwrap_or(""), pat.unwrap_or(""));
    let z = z(incpr);
    if is_x(maj) {
        String::new()
    } else if is_x(min) {
        format!(">={ms}.0.0{z} <{}.0.0-0", inc(maj))
    } else if is_x(pat) {
        if ms == "0" {
            format!(">={ms}.{ns}.0{z} <{ms}.{}.0-0", inc(min))
        } else {
            format!(">={ms}.{ns}.0{z} <{}.0.0-0", inc(maj))
        }
    } else {
        let lower = match pr.filter(|p| !p.is_empty()) {
            Some(pr) => format!(">={ms}.{ns}.{ps}-{pr}"),
            None => format!(">={ms}.{ns}.{ps}"),
        };
        let upper = if ms == "0" {
            if ns == "0" {
                format!("<{ms}.{ns}.{}-0", inc(pat))
            } else {
                format!("<{ms}.{}.0-0", inc(min))
            }
        } else {
            format!("<{}.0.0-0", inc(maj))
        };
        format!("{lower} {upper}")
    }
}

/// node-semver's `replaceTilde` on one token.
fn replace_tilde(comp: &str, g: &Grammar, incpr: bool) -> String {
    let Some(caps) = g.tilde.captures(comp) else {
        return comp.to_owned();
    };
    let (maj, min, pat, pr) = (
        group(&caps, 1),
        group(&caps, 2),
        group(&caps, 3),
        group(&caps, 4),
    );
    let (ms, ns, ps) = (maj.unwrap_or(""), min.unwrap_or(""), pat.unwrap_or(""));
    let z = z(incpr);
    if is_x(maj) {
        String::new()
    } else if is_x(min) {
        format!(">={ms}.0.0{z} <{}.0.0-0", inc(maj))
    } else if is_x(pat) {
        format!(">={ms}.{ns}.0{z} <{ms}.{}.0-0", inc(min))
    } else if let Some(pr) = pr.filter(|p| !p.is_empty()) {
        format!(">={ms}.{ns}.{ps}-{pr} <{ms}.{}.0-0", inc(min))
    } else {
        format!(">={ms}.{ns}.{ps} <{ms}.{}.0-0", inc(min))
    }
}

/// node-semver's `replaceXRange` on one token.
fn replace_xrange(comp: &str, g: &Grammar, incpr: bool) -> String {
    let comp = re::js_trim(comp);
    let Some(caps) = g.xrange.captures(comp) else {
        return comp.to_owned();
    };
    let whole = caps.get(0).map_or("", |m| m.as_str());
    let mut gtlt = group(&caps, 1).unwrap_or("");
    let (maj, min, pat) = (group(&caps, 2), group(&caps, 3), group(&caps, 4));
    // invalidXRangeOrder: `x.1`, `1.x.1` and the like stay as they are (and fail later).
    if (is_x(maj) && !is_x(min)) || (is_x(min) && pat.is_some_and(|p| !p.is_empty()) && !is_x(pat))
    {
        return comp.to_owned();
    }
    let xmaj = is_x(maj);
    let xmin = xmaj || is_x(min);
    let xpat = xmin || is_x(pat);
    let any_x = xpat;
    if gtlt == "=" && any_x {
        gtlt = "";
    }
    let mut pr = z(incpr);

    if xmaj {
        if gtlt == ">" || gtlt == "<" {
            "<0.0.0-0".to_owned()
        } else {
            "*".to_owned()
        }
    } else if !gtlt.is_empty() && any_x {
        let mut major = maj.unwrap_or("").to_owned();
        let mut minor = if xmin {
            "0".to_owned()
        } else {
            min.unwrap_or("").to_owned()
        };
        let patch = "0";
        if gtlt == ">" {
            // >1 => >=2.0.0, >1.2 => >=1.3.0
            gtlt = ">=";
            if xmin {
                major = inc(maj);
                minor = "0".to_owned();
            } else {
                minor = inc(min);
            }
        } else if gtlt == "<=" {
            // <=0.7.x is <0.8.0-0, <=7.x is <8.0.0-0
            gtlt = "<";
            if xmin {
                major = inc(maj);
            } else {
                minor = inc(min);
            }
        }
        if gtlt == "<" {
            pr = "-0";
        }
        format!("{gtlt}{major}.{minor}.{patch}{pr}")
    } else if xmin {
        let ms = maj.unwrap_or("");
        format!(">={ms}.0.0{pr} <{}.0.0-0", inc(maj))
    } else if xpat {
        let (ms, ns) = (maj.unwrap_or(""), min.unwrap_or(""));
        format!(">={ms}.{ns}.0{pr} <{ms}.{}.0-0", inc(min))
    } else {
        whole.to_owned()
    }
}

/// JavaScript's `s.split(/\s+/)`.
fn split_whitespace_js(s: &str) -> impl Iterator<Item = &str> {
    WHITESPACE_RUN.split(s)
}

/// Applies `f` to each whitespace-separated token of `s` and joins the results with spaces.
fn map_tokens(s: &str, f: impl Fn(&str) -> String) -> String {
    split_whitespace_js(s).map(f).collect::<Vec<_>>().join(" ")
}

/// node-semver's `parseComparator`: desugars one space-free token into plain comparators.
fn parse_comparator(comp: &str, g: &Grammar, incpr: bool) -> String {
    let comp = BUILD.replace(comp, "");
    let comp = map_tokens(re::js_trim(&comp), |c| replace_caret(c, g, incpr));
    let comp = map_tokens(re::js_trim(&comp), |c| replace_tilde(c, g, incpr));
    let comp = map_tokens(&comp, |c| replace_xrange(c, g, incpr));
    STAR.replace(re::js_trim(&comp), "").into_owned()
}

/// node-semver's `Range.parseRange`: one `||` alternative to a comparator set.
fn parse_set(range: &str, loose: bool, incpr: bool) -> Result<Vec<Comparator>, String> {
    let g: &Grammar = if loose { &LOOSE } else { &STRICT };
    let range = BUILD_STRIP.replace_all(range, "");
    let range = g
        .hyphen_range
        .replace(&range, |caps: &Captures<'_>| hyphen_replace(caps, incpr));
    let range = COMPARATOR_TRIM.replace_all(&range, "${1}${2}${3}");
    let range = TILDE_TRIM.replace_all(&range, "${1}~");
    let range = CARET_TRIM.replace_all(&range, "${1}^");

    let desugared = range
        .split(' ')
        .map(|c| parse_comparator(c, g, incpr))
        .collect::<Vec<_>>()
        .join(" ");
    let gte0 = if incpr { &GTE0_PRE } else { &GTE0 };

    // Every comparator is parsed (and may fail) before a null set short-cuts the rest.
    let comparators = split_whitespace_js(&desugared)
        .map(|token| gte0.replace(re::js_trim(token), ""))
        // Loose mode silently drops what is not a comparator; strict mode fails on it below.
        .filter(|token| !loose || g.comparator.is_match(token))
        .map(|token| Comparator::parse(&token, g))
        .collect::<Result<Vec<_>, _>>()?;
    // npm keeps a Map keyed by value: a repeated comparator keeps its first position.
    let mut seen = HashSet::new();
    let mut set: Vec<Comparator> = Vec::new();
    for comparator in comparators {
        if comparator.is_null_set() {
            return Ok(vec![comparator]);
        }
        if seen.insert(comparator.value()) {
            set.push(comparator);
        }
    }
    if set.len() > 1 {
        set.retain(|c| *c != Comparator::Any);
    }
    Ok(set)
}

/// node-semver's `new Range(range)`, for one setting of `includePrerelease`.
fn parse_sets(raw: &str, loose: bool, incpr: bool) -> Result<Vec<Vec<Comparator>>, String> {
    let mut sets = Vec::new();
    for alternative in raw.split("||") {
        let set = parse_set(re::js_trim(alternative), loose, incpr)?;
        if !set.is_empty() {
            sets.push(set);
        }
    }
    if sets.is_empty() {
        return Err("no comparators".to_owned());
    }
    if sets.len() > 1 {
        // Drop alternatives that match nothing, unless that is all there is.
        let first = sets.first().cloned();
        sets.retain(|s| !s.first().is_some_and(Comparator::is_null_set));
        if sets.is_empty() {
            sets.extend(first);
        } else if sets.len() > 1 {
            // An alternative that matches everything makes the whole range `*`.
            if let Some(any) = sets
                .iter()
                .find(|s| matches!(s.as_slice(), [Comparator::Any]))
                .cloned()
            {
                sets = vec![any];
            }
        }
    }
    Ok(sets)
}

/// node-semver's `testSet`, including its prerelease rule.
fn test_set(set: &[Comparator], version: &Version, include_prerelease: bool) -> bool {
    if !set.iter().all(|c| c.test(version)) {
        return false;
    }
    if version.pre.is_empty() || include_prerelease {
        return true;
    }
    // A prerelease only matches if some comparator names a prerelease of the same
    // major.minor.patch: `>=1.2.3-beta.1 <2` admits `1.2.3-beta.2` but not `1.2.4-alpha`.
    set.iter().any(|c| match c {
        Comparator::Any => false,
        Comparator::Cmp(_, allowed) => {
            !allowed.pre.is_empty()
                && allowed.major == version.major
                && allowed.minor == version.minor
                && allowed.patch == version.patch
        }
    })
}

impl Range {
    /// Parses an npm range with `semver.validRange` semantics: whatever npm accepts is accepted
    /// and normalised the same way; whatever npm rejects is an error.
    ///
    /// Accepts every form npm does: `1.2.3`, `=1.2.3`, `v1.2.3`, `>=1.2.0 <2`, `1.2.3 - 2.3.4`,
    /// `1.x`, `1.2.*`, `*`, `""`, `~1.2`, `^0.0.3`, `a || b`, whitespace between an operator and
    /// its version, build metadata (ignored).
    pub fn parse(s: &str) -> Result<Range, SemverError> {
        Range::parse_with(s, false)
    }

    /// Parses an npm range in node-semver's loose mode (`semver.validRange(s, true)`, which
    /// npm-package-arg uses to classify specs): versions may have leading zeros or a prerelease
    /// without its hyphen (`1.2.3beta`), and tokens that are not comparators are dropped
    /// (`1.2.3 foo` is `1.2.3`) as long as something is left.
    ///
    /// ```
    /// use tarsier_semver::Range;
    /// assert_eq!(Range::parse_loose("~01.2.3beta")?.to_string(), ">=1.2.3-beta <1.3.0-0");
    /// assert!(Range::parse("~01.2.3beta").is_err());
    /// # Ok::<(), tarsier_semver::SemverError>(())
    /// ```
    pub fn parse_loose(s: &str) -> Result<Range, SemverError> {
        Range::parse_with(s, true)
    }

    fn parse_with(s: &str, loose: bool) -> Result<Range, SemverError> {
        // Collapse all whitespace first, as npm does, so the regexes only ever see single spaces.
        let raw = WHITESPACE_RUN.replace_all(re::js_trim(s), " ").into_owned();
        let invalid = |reason: String| SemverError::InvalidRange {
            input: shown(s),
            reason,
        };
        let sets = parse_sets(&raw, loose, false).map_err(invalid)?;
        let sets_including_prereleases = parse_sets(&raw, loose, true).map_err(invalid)?;
        Ok(Range {
            raw: s.to_owned(),
            sets,
            sets_including_prereleases,
        })
    }

    /// Does `version` satisfy the range (`semver.satisfies(version, range, { includePrerelease })`)?
    ///
    /// Without `include_prerelease`, a prerelease only matches when a comparator of the same
    /// alternative names a prerelease of the same `major.minor.patch`.
    ///
    /// ```
    /// use semver::Version;
    /// let r = tarsier_semver::Range::parse("^1.2.3-beta.1")?;
    /// assert!(r.matches(&Version::parse("1.2.3-beta.2").unwrap(), false));
    /// assert!(!r.matches(&Version::parse("1.2.4-beta.1").unwrap(), false));
    /// assert!(r.matches(&Version::parse("1.2.4-beta.1").unwrap(), true));
    /// # Ok::<(), tarsier_semver::SemverError>(())
    /// ```
    pub fn matches(&self, version: &Version, include_prerelease: bool) -> bool {
        let sets = if include_prerelease {
            &self.sets_including_prereleases
        } else {
            &self.sets
        };
        sets.iter()
            .any(|set| test_set(set, version, include_prerelease))
    }

    /// The range as it was written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Does the range match every release (`*`, `x`, `""`, `>=0.0.0`, ...)?
    pub fn is_any(&self) -> bool {
        matches!(self.sets.as_slice(), [set] if matches!(set.as_slice(), [Comparator::Any]))
    }
}

impl FromStr for Range {
    type Err = SemverError;

    fn from_str(s: &str) -> Result<Range, SemverError> {
        Range::parse(s)
    }
}

impl fmt::Display for Range {
    /// npm's normalised form, as `semver.validRange` returns it (`*` for "any version").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, set) in self.sets.iter().enumerate() {
            if i > 0 {
                out.push_str("||");
            }
            let values: Vec<String> = set.iter().map(Comparator::value).collect();
            out.push_str(&values.join(" "));
        }
        if out.is_empty() {
            out.push('*');
        }
        f.write_str(&out)
    }
}

/// The highest version satisfying `range` (`semver.maxSatisfying`), in npm's order (build
/// metadata ignored; of equal versions the first wins).
///
/// ```
/// use semver::Version;
/// let versions = [Version::new(1, 2, 0), Version::new(1, 9, 1), Version::new(2, 0, 0)];
/// let r = tarsier_semver::Range::parse("~1.9 || <1.5")?;
/// assert_eq!(tarsier_semver::max_satisfying(&versions, &r, false), Some(&versions[1]));
/// # Ok::<(), tarsier_semver::SemverError>(())
/// ```
pub fn max_satisfying<'a>(
    versions: impl IntoIterator<Item = &'a Version>,
    range: &Range,
    include_prerelease: bool,
) -> Option<&'a Version> {
    let mut max: Option<&Version> = None;
    for v in versions {
        if range.matches(v, include_prerelease) && max.is_none_or(|m| compare(m, v).is_lt()) {
            max = Some(v);
        }
    }
    max
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn norm(s: &str) -> String {
        Range::parse(s).unwrap().to_string()
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn desugars_like_npm() {
        assert_eq!(norm("^1.2.3"), ">=1.2.3 <2.0.0-0");
        assert_eq!(norm("^0.2.3"), ">=0.2.3 <0.3.0-0");
        assert_eq!(norm("^0.0.3"), ">=0.0.3 <0.0.4-0");
        assert_eq!(norm("~1.2"), ">=1.2.0 <1.3.0-0");
        assert_eq!(norm("1.2.3 - 2.3"), ">=1.2.3 <2.4.0-0");
        assert_eq!(norm(">= 1.2.3 < 2"), ">=1.2.3 <2.0.0-0");
        assert_eq!(norm(""), "*");
        assert_eq!(norm("1.2.3 || *"), "*");
        assert_eq!(norm(">1.x"), ">=2.0.0");
    }

    #[test]
    fn include_prerelease_desugaring_adds_lowest_prerelease() {
        let r = Range::parse("^1.2").unwrap();
        let Some(Comparator::Cmp(Op::Ge, lower)) =
            r.sets_including_prereleases.first().and_then(|s| s.first())
        else {
            panic!("expected a lower bound: {r:?}");
        };
        assert_eq!(lower.pre.as_str(), "0");
        assert!(r.matches(&v("1.2.0-rc.1"), true));
        assert!(!r.matches(&v("1.2.0-rc.1"), false));
    }

    #[test]
    fn is_any_recognises_every_spelling_of_any_version() {
        for s in ["*", "", "x", ">=0.0.0", "1.2.3 || *", "^*", "||"] {
            assert!(Range::parse(s).unwrap().is_any(), "{s:?}");
        }
        for s in [">=0.0.0-0", "1.x", "<0.0.0-0", ">=0.0.1"] {
            assert!(!Range::parse(s).unwrap().is_any(), "{s:?}");
        }
    }

    #[test]
    fn too_large_components_are_invalid() {
        assert!(Range::parse("^9007199254740991").is_err());
        assert!(Range::parse("^9007199254740990").is_ok());
        assert!(Range::parse(">=99999999999999999999999").is_err());
        // A component npm discards never gets checked.
        assert!(Range::parse("^x.99999999999999999999999").is_ok());
    }

    #[test]
    fn max_satisfying_keeps_the_first_of_equal_versions() {
        let versions = [v("1.0.0+a"), v("1.0.0+b")];
        let r = Range::parse("1").unwrap();
        let max = max_satisfying(&versions, &r, false).unwrap();
        assert_eq!(max.build.as_str(), "a");
    }
}
