//! Taint across the files of one package.
//!
//! A file that calls a function of another file of its package (through a relative `require` or
//! `import`: `const read = require('./read'); read(req.headers.cookie)`,
//! `require('./lib/parse').parse(str)`, `import { parse } from './parse.js'`) with request data
//! or a library input hands that data to the callee's parameter. Each scan of a file collects
//! these calls ([`PassedOut`]); the engine resolves each module specifier to a file of the
//! package ([`resolve_module`]) and hands the data to that file, whose exported functions'
//! parameters are then sources ([`PassedIn`]) with the caller's path (in the caller's file)
//! before them. The files are scanned in [`levels`], callers before the files they may call
//! (read from the text, [`relative_specifiers`]), so data goes down a chain of files with each
//! file scanned once; what reaches a file already scanned (a cycle, a chain deeper than
//! [`MAX_LEVEL`]) scans it again, for a few rounds ([`MAX_ROUNDS`]). Every fact is kept once, so
//! the rounds end. A function an
//! entry point re-exports (`exports.parse = require('./parse')`) is the package's API too: its
//! parameters are library inputs, as an entry point's own exported functions' are.

use crate::taint::Origin;
use tarsier_model::FlowStep;

/// Most rounds of re-scanning the files that receive data after their scan (see [`levels`]).
pub const MAX_ROUNDS: usize = 3;
/// Most facts one file receives (the first found are kept).
pub const MAX_PASSED_IN: usize = 64;
/// Most steps kept of a path that crosses files (the first ones, from the source).
pub const MAX_STEPS: usize = 32;

/// Data another file of the package passes to one of this file's exported functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedIn {
    /// The export path of the function called: `""` for the module itself, `parse`.
    pub export: String,
    /// The argument's position, from 0; `None` for every parameter (the function is
    /// re-exported by an entry point: its parameters are library inputs).
    pub argument: Option<usize>,
    /// Where the data comes from.
    pub origin: Origin,
    /// The path from the source to the argument, in the calling files (each step names its file).
    pub steps: Vec<FlowStep>,
}

impl PassedIn {
    /// Whether `self` says something `other` does not: another function or argument, or
    /// request data where `other` only has a library input.
    fn adds_to(&self, other: &PassedIn) -> bool {
        self.export != other.export
            || self.argument != other.argument
            || (self.origin == Origin::Request && other.origin == Origin::LibraryInput)
    }
}

/// A call out of a file to another file of its package, with data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedOut {
    /// The module as written (`./lib/read`), relative to the calling file.
    pub specifier: String,
    /// What the callee receives.
    pub passed: PassedIn,
}

/// The file of the package that `specifier` (relative, as written in `from`) names, as Node
/// resolves it: the file itself, with `.js`, `.cjs`, `.mjs`, `.ts` added, or the directory's
/// `index` file; a `.js` specifier may name a TypeScript source. `None` when no file of the
/// package is meant, or the specifier leaves the package.
pub fn resolve_module(
    from: &str,
    specifier: &str,
    exists: &dyn Fn(&str) -> bool,
) -> Option<String> {
    if !specifier.starts_with('.') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in specifier.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let base = parts.join("/");
    let mut candidates = Vec::new();
    if !base.is_empty() {
        candidates.push(base.clone());
        for ext in [".js", ".cjs", ".mjs", ".ts"] {
            candidates.push(format!("{base}{ext}"));
        }
        if let Some(stem) = base.strip_suffix(".js") {
            candidates.push(format!("{stem}.ts"));
        }
    }
    let dir = if base.is_empty() {
        String::new()
    } else {
        format!("{base}/")
    };
    for index in ["index.js", "index.cjs", "index.mjs", "index.ts"] {
        candidates.push(format!("{dir}{index}"));
    }
    candidates.into_iter().find(|c| exists(c))
}

/// The index, in `files` (paths of the package's scanned files to their index), of the other
/// file that `specifier`, written in `from`, names (see [`resolve_module`]).
pub fn resolve_file(
    from: &str,
    specifier: &str,
    files: &std::collections::HashMap<&str, usize>,
) -> Option<usize> {
    let target = resolve_module(from, specifier, &|p| files.contains_key(p))?;
    let index = files.get(target.as_str()).copied()?;
    (files.get(from) != Some(&index)).then_some(index)
}

/// Adds `passed` to `known` when it says something new (bounded by [`MAX_PASSED_IN`]);
/// whether it did.
pub fn merge(known: &mut Vec<PassedIn>, passed: PassedIn) -> bool {
    if let Some(existing) = known
        .iter_mut()
        .find(|k| k.export == passed.export && k.argument == passed.argument)
    {
        if passed.adds_to(existing) {
            *existing = passed;
            return true;
        }
        return false;
    }
    if known.len() >= MAX_PASSED_IN {
        return false;
    }
    known.push(passed);
    true
}

/// Whether `source` may load another file of its package (a cheap text test before any tree
/// is looked at).
pub fn loads_relative_modules(source: &str) -> bool {
    loads_relative_modules_bytes(source.as_bytes())
}

/// [`loads_relative_modules`] of text not yet decoded.
pub fn loads_relative_modules_bytes(source: &[u8]) -> bool {
    [&b"require('."[..], b"require(\".", b"from '.", b"from \"."]
        .iter()
        .any(|needle| memchr::memmem::find(source, needle).is_some())
}

/// The relative module specifiers a file's text may load (`./read`, `../lib/x.js`): every
/// string literal that begins with `./` or `../`, whatever it is used for. A superset of what
/// the file's relative `require`s and `import`s name; the engine orders the files of a
/// package by it (callers before the files they call), so a file is scanned once with all
/// it receives. A specifier this misses costs a re-scan, never a result.
pub fn relative_specifiers(source: &[u8]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for slash in memchr::memmem::find_iter(source, b"./") {
        let quote_at = |i: usize| {
            i.checked_sub(1)
                .and_then(|q| source.get(q))
                .filter(|&&q| matches!(q, b'\'' | b'"' | b'`'))
        };
        // `'./x'`, or the `./` of `'../x'`.
        let (start, quote) = match (quote_at(slash), source.get(slash.wrapping_sub(1))) {
            (Some(&q), _) => (slash, q),
            (None, Some(b'.')) => match quote_at(slash - 1) {
                Some(&q) => (slash - 1, q),
                None => continue,
            },
            _ => continue,
        };
        let rest = source.get(start..).unwrap_or_default();
        let Some(len) = rest
            .iter()
            .position(|&b| b == quote || b == b'\n' || b == b'\\')
        else {
            continue;
        };
        if rest.get(len) != Some(&quote) {
            continue;
        }
        if let Some(specifier) = rest.get(..len).and_then(|s| std::str::from_utf8(s).ok())
            && !out.contains(&specifier)
        {
            out.push(specifier);
        }
    }
    out
}

/// Levels of the files of a package for scanning them in order, given for each file the
/// files it may call (from [`relative_specifiers`]): a file's level is one more than the
/// highest level of the files that may call it, so every caller is scanned before its callee
/// and hands it its data before the callee's one scan. Files in a cycle, and chains longer
/// than [`MAX_LEVEL`], share the last level (the engine's re-scans cover them).
pub fn levels(calls: &[Vec<usize>]) -> Vec<usize> {
    let mut level = vec![0usize; calls.len()];
    for _ in 0..=MAX_LEVEL {
        let mut changed = false;
        for (from, targets) in calls.iter().enumerate() {
            let next = level.get(from).map_or(0, |l| (l + 1).min(MAX_LEVEL));
            for &to in targets {
                if let Some(l) = level.get_mut(to)
                    && *l < next
                {
                    *l = next;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    level
}

/// The deepest level [`levels`] gives.
pub const MAX_LEVEL: usize = 8;

/// What a file re-exports from other files of its package, read from its text: (the module as
/// written, the export path in it: `""` for the module, `*` for all of its exports, and the
/// offset of the statement). The forms:
/// `module.exports = require('./lib/x')`, `exports.parse = require('./parse')` (and a member
/// of the `require`), a name bound to a relative `require` or default `import` that is then
/// exported (`exports.parse = parse`, `module.exports = { parse: parse }`, `export { parse }`),
/// `export * from './x'` and `export { a as b } from './x'`. Read from the text, before any
/// file is parsed, so that the files they name are scanned once, already knowing it.
pub fn reexports(source: &str) -> Vec<(String, String, usize)> {
    use std::sync::LazyLock;
    const NAME: &str = r"[A-Za-z_$][\w$]*";
    const MODULE: &str = r#"['"](\.[^'"\n]*)['"]"#;
    static DIRECT: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(&format!(
            r"(?:module\.exports|\bexports)(?:\.{NAME})?\s*=\s*(?:(?:module\.exports|exports)\s*=\s*)?require\(\s*{MODULE}\s*\)(?:\.({NAME}))?"
        ))
        .ok()
    });
    static BOUND: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(&format!(
            r"(?:\b(?:var|let|const)\s+({NAME})\s*=\s*require\(\s*{MODULE}\s*\)(?:\.({NAME}))?)|(?:\bimport\s+({NAME})\s+from\s*{MODULE})"
        ))
        .ok()
    });
    static STAR: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(&format!(r"\bexport\s*\*\s*from\s*{MODULE}")).ok());
    static NAMED: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(&format!(r"\bexport\s*\{{([^}}]*)\}}\s*from\s*{MODULE}")).ok()
    });
    let mut out = Vec::new();
    if !source.contains("export") {
        return out;
    }
    fn group<'s>(c: &regex::Captures<'s>, i: usize) -> &'s str {
        c.get(i).map_or("", |m| m.as_str())
    }
    fn start(c: &regex::Captures<'_>) -> usize {
        c.get(0).map_or(0, |m| m.start())
    }
    if let Some(direct) = DIRECT.as_ref() {
        for c in direct.captures_iter(source) {
            out.push((
                group(&c, 1).to_string(),
                group(&c, 2).to_string(),
                start(&c),
            ));
        }
    }
    if let Some(bound) = BOUND.as_ref() {
        let mut sites = None;
        for c in bound.captures_iter(source) {
            let (name, module, path) = match c.get(1) {
                Some(name) => (name.as_str(), group(&c, 2), group(&c, 3)),
                None => (group(&c, 4), group(&c, 5), ""),
            };
            if exports_name(sites.get_or_insert_with(|| ExportSites::of(source)), name) {
                out.push((module.to_string(), path.to_string(), start(&c)));
            }
        }
    }
    if let Some(star) = STAR.as_ref() {
        for c in star.captures_iter(source) {
            out.push((group(&c, 1).to_string(), "*".to_string(), start(&c)));
        }
    }
    if let Some(named) = NAMED.as_ref() {
        for c in named.captures_iter(source) {
            for item in group(&c, 1).split(',') {
                let name = item.split_whitespace().next().unwrap_or("");
                if name.is_empty() {
                    continue;
                }
                let path = if name == "default" { "" } else { name };
                out.push((group(&c, 2).to_string(), path.to_string(), start(&c)));
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out
}

/// What follows each `exports` assignment and each `export` of a file's text, found once for
/// all the names [`exports_name`] asks about (a text search per name made entry files with many
/// `require`s quadratic).
struct ExportSites<'s> {
    /// After each `exports` (or `module.exports`, `exports.x`) followed by `=`: the value.
    assigned: Vec<&'s str>,
    /// After each `export`: the rest of the text, blanks skipped.
    exported: Vec<&'s str>,
}

impl<'s> ExportSites<'s> {
    fn of(source: &'s str) -> Self {
        let after = |at: usize, word: &str| source.get(at + word.len()..).unwrap_or("");
        let assigned = source
            .match_indices("exports")
            .filter_map(|(at, word)| {
                let rest = after(at, word).trim_start_matches(|c: char| {
                    c == '.' || c == '_' || c == '$' || c.is_alphanumeric()
                });
                Some(rest.trim_start().strip_prefix('=')?.trim_start())
            })
            .collect();
        let exported = source
            .match_indices("export")
            .map(|(at, word)| after(at, word).trim_start())
            .collect();
        ExportSites { assigned, exported }
    }
}

/// Whether the file whose export sites are `sites` exports the value of `name`: `exports.x =
/// name`, `module.exports = name`, `name` inside the object literal given to `module.exports`,
/// `export { name }`, `export default name`.
fn exports_name(sites: &ExportSites<'_>, name: &str) -> bool {
    let word = |text: &str| crate::anchor::contains_word(text, name);
    for value in &sites.assigned {
        // `exports.x = name` / `module.exports = name` (not `= name(` or `= name.x`).
        if let Some(object) = value.strip_prefix('{') {
            let end = object.find('}').unwrap_or(object.len());
            if word(object.get(..end).unwrap_or("")) {
                return true;
            }
        } else if let Some(after) = value.strip_prefix(name)
            && !after.starts_with(|c: char| {
                c == '(' || c == '.' || c == '_' || c == '$' || c.is_alphanumeric()
            })
        {
            return true;
        }
    }
    sites.exported.iter().any(|rest| {
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            let after = list.get(end + 1..).unwrap_or("").trim_start();
            return !after.starts_with("from") && word(list.get(..end).unwrap_or(""));
        }
        rest.strip_prefix("default")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix(name))
            .is_some_and(|after| {
                !after.starts_with(|c: char| c == '(' || c == '.' || c.is_alphanumeric())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(list: &'a [&'a str]) -> impl Fn(&str) -> bool + 'a {
        move |p: &str| list.contains(&p)
    }

    #[test]
    fn relative_specifiers_are_the_strings_that_begin_with_a_relative_path() {
        let text = "const a = require('./a');\nimport b from \"../lib/b.js\";\n\
                    const c = require(`./c`); require('./a');\n\
                    const d = '.hidden', e = 'x/./y', f = './unterminated\nnext';\n\
                    const g = 'a' + './g' /* after a quote and a plus */; x.y('.');";
        assert_eq!(
            relative_specifiers(text.as_bytes()),
            vec!["./a", "../lib/b.js", "./c", "./g"]
        );
        assert!(relative_specifiers(b"const x = 1.5 + '.' + '/.' + './").is_empty());
        assert_eq!(relative_specifiers(b"'./\xff', '../x'"), vec!["../x"]);
    }

    #[test]
    fn callers_come_at_a_lower_level_than_the_files_they_call() {
        // 0 calls 1 and 2, 1 calls 2: 2 comes after both.
        assert_eq!(levels(&[vec![1, 2], vec![2], vec![]]), vec![0, 1, 2]);
        // A file nobody calls is at level 0 whatever it calls.
        assert_eq!(levels(&[vec![], vec![0]]), vec![1, 0]);
        // A cycle ends at the last level; the files it calls sit there too.
        let cycle = levels(&[vec![1], vec![2], vec![1], vec![]]);
        assert_eq!(cycle, vec![0, MAX_LEVEL, MAX_LEVEL, 0]);
        // A chain deeper than the levels shares the last one.
        let chain: Vec<Vec<usize>> = (0..12).map(|i| vec![i + 1]).chain([vec![]]).collect();
        let level = levels(&chain);
        assert_eq!(level[..=MAX_LEVEL], (0..=MAX_LEVEL).collect::<Vec<_>>()[..]);
        assert!(level[MAX_LEVEL..].iter().all(|&l| l == MAX_LEVEL));
    }

    #[test]
    fn specifiers_resolve_as_node_resolves_them() {
        let exists = files(&["index.js", "lib/read.js", "lib/types/index.js", "src/a.ts"]);
        assert_eq!(
            resolve_module("index.js", "./lib/read", &exists).as_deref(),
            Some("lib/read.js")
        );
        assert_eq!(
            resolve_module("lib/read.js", "./types", &exists).as_deref(),
            Some("lib/types/index.js")
        );
        assert_eq!(
            resolve_module("lib/types/index.js", "../..", &exists).as_deref(),
            Some("index.js")
        );
        assert_eq!(
            resolve_module("src/b.ts", "./a.js", &exists).as_deref(),
            Some("src/a.ts")
        );
        assert_eq!(resolve_module("index.js", "../x", &exists), None);
        assert_eq!(resolve_module("index.js", "fs", &exists), None);
        assert_eq!(resolve_module("index.js", "./missing", &exists), None);
    }

    #[test]
    fn re_exports_are_read_from_the_text() {
        let found = |src: &str| -> Vec<(String, String)> {
            reexports(src).into_iter().map(|(m, p, _)| (m, p)).collect()
        };
        let pair = |m: &str, p: &str| (m.to_string(), p.to_string());
        assert_eq!(
            found("module.exports = require('./lib/x');"),
            vec![pair("./lib/x", "")]
        );
        assert_eq!(
            found("exports.parse = require(\"./parse\");\nmodule.exports.b = require('./b').run;"),
            vec![pair("./b", "run"), pair("./parse", "")]
        );
        assert_eq!(
            found(
                "var parse = require('./parse');\nvar fmt = require('./formats');\nmodule.exports = {\n  parse: parse\n};"
            ),
            vec![pair("./parse", "")]
        );
        assert_eq!(
            found("const p = require('./p');\nexports.p = p;"),
            vec![pair("./p", "")]
        );
        assert_eq!(
            found("export * from './a.js';\nexport { default as b, c } from './bc.js';"),
            vec![
                pair("./a.js", "*"),
                pair("./bc.js", ""),
                pair("./bc.js", "c")
            ]
        );
        assert_eq!(
            found("import parse from './parse.js';\nexport { parse };"),
            vec![pair("./parse.js", "")]
        );
        // Used, not exported; a package, not a file of this one.
        assert!(
            found("var p = require('./p');\nmodule.exports = function () { return p(); };")
                .is_empty()
        );
        assert!(found("module.exports = require('debug');").is_empty());
        assert!(found("exports.x = p;").is_empty());
    }

    #[test]
    fn request_data_replaces_a_library_input_and_repeats_are_dropped() {
        let fact = |origin| PassedIn {
            export: "parse".into(),
            argument: Some(0),
            origin,
            steps: Vec::new(),
        };
        let mut known = Vec::new();
        assert!(merge(&mut known, fact(Origin::LibraryInput)));
        assert!(!merge(&mut known, fact(Origin::LibraryInput)));
        assert!(merge(&mut known, fact(Origin::Request)));
        assert!(!merge(&mut known, fact(Origin::LibraryInput)));
        assert_eq!(known.len(), 1);
        assert_eq!(known[0].origin, Origin::Request);
    }
}
