//! Taint across the files of one package.
//!
//! A file that calls a function of another file of its package (through a relative `require` or
//! `import`: `const read = require('./read'); read(req.headers.cookie)`,
//! `require('./lib/parse').parse(str)`, `import { parse } from './parse.js'`) with request data
//! or a library input hands that data to the callee's parameter. The engine scans the package's
//! files once, collects these calls ([`PassedOut`]), resolves each module specifier to a file of
//! the package ([`resolve_module`]), and scans again the files that received data, whose
//! exported functions' parameters are then sources ([`PassedIn`]) with the caller's path
//! (in the caller's file) before them. That repeats for a few rounds ([`MAX_ROUNDS`]), so data
//! can go through a chain of files; every fact is kept once, so the rounds end. A function an
//! entry point re-exports (`exports.parse = require('./parse')`) is the package's API too: its
//! parameters are library inputs, as an entry point's own exported functions' are.

use crate::taint::Origin;
use tarsier_model::FlowStep;

/// Most rounds of re-scanning: the longest chain of files data is followed through.
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
    ["require('.", "require(\".", "from '.", "from \"."]
        .iter()
        .any(|needle| source.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(list: &'a [&'a str]) -> impl Fn(&str) -> bool + 'a {
        move |p: &str| list.contains(&p)
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
