//! tarsier's matching engine.
//!
//! An [`Engine`] holds a rule set compiled once (queries cost milliseconds to build) and scans
//! files: each file is decoded and parsed once, then every rule whose pre-filter words occur in it
//! runs its query over the one tree. Custom predicates (`#not-literal?`, `#request-derived?`) are
//! evaluated here, with the per-file taint state of [`taint`]. Files are scanned in parallel with
//! rayon; results are sorted so the output is the same whatever the thread scheduling.
//!
//! Nothing a file contains can stop a scan: unreadable, binary, huge or mostly unparsable files
//! become [`Notification`]s and the other files' results are complete.
//!
//! ```
//! use tarsier_engine::{Engine, EngineOptions};
//! let rules = tarsier_rules::embedded().unwrap();
//! let engine = Engine::new(&rules, EngineOptions::default()).unwrap();
//! let report = engine.scan_source("app.js", b"app.get('/', (req, res) => res.redirect(req.query.to));\n");
//! assert_eq!(report.findings[0].rule_id, "express/open-redirect");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod anchor;
pub mod charclass;
pub mod compiled;
pub mod crossfile;
pub mod exports;
pub mod literal;
mod memo;
pub mod models;
pub mod pattern;
pub mod redos;
pub mod selftest;
pub mod structure;
pub mod suppress;
pub mod taint;
pub mod walk;

use anchor::{Anchor, AnchorIndex, FileAnchors, Owner, OwnerSpec};
use compiled::{CompiledRule, MessagePart, PatternIndex, Predicate};
use crossfile::{PassedIn, PassedOut};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use taint::{FileTaint, Origin, PackageFile, Step, TaintModel};
use tarsier_model::{
    Finding, FlowStep, Notification, NotificationLevel, RuleMeta, Severity, Span, Suppression,
    SuppressionKind,
};
use tarsier_parse::LineIndex;
use tarsier_rules::RuleSet;
use tree_sitter::Node;

/// Errors building an engine (scanning itself never fails: problems become notifications).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A rule's query could not be compiled or uses something the engine does not know.
    #[error("rule {rule} ({file}): {reason}")]
    Query {
        /// Rule id.
        rule: String,
        /// Rule file.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

/// What to do with `tarsier-ignore` comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SuppressionMode {
    /// Honour them (the user's own code, `tarsier lint`).
    #[default]
    Honour,
    /// Do not honour them, and report each one that would have hidden a finding (registry
    /// packages, `tarsier scan`: the package is the attacker's text).
    Report,
}

/// Limits and policies of a scan.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Files larger than this are skipped with a notification.
    pub max_file_bytes: u64,
    /// Files whose share of syntax-error bytes exceeds this get a notification (their findings
    /// are still reported).
    pub max_error_ratio: f32,
    /// Suppression comments policy.
    pub suppressions: SuppressionMode,
    /// Walk only the nodes that contain a rule's text anchor ([`anchor`]); off, every node of
    /// every tree is visited. The results are the same either way (tests compare them).
    pub sparse_walk: bool,
    /// Give a file scanned before under the same inputs (its bytes, path, grammar, suppression
    /// mode, package and what other files pass it) the report it got then: the versions of a
    /// package repeat most of their files. Benchmarks that scan the same files again and again
    /// turn it off.
    pub reuse_reports: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            // Large enough for real minified bundles (a few MiB), small enough to bound time.
            max_file_bytes: 16 * 1024 * 1024,
            max_error_ratio: 0.5,
            suppressions: SuppressionMode::Honour,
            sparse_walk: true,
            reuse_reports: true,
        }
    }
}

/// The outcome of scanning files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    /// Findings, sorted by path, position and rule.
    pub findings: Vec<Finding>,
    /// Files that could not be (fully) scanned, and other remarks.
    pub notifications: Vec<Notification>,
    /// Number of files parsed.
    pub files_scanned: usize,
    /// Bytes of source parsed.
    pub bytes_scanned: u64,
}

impl ScanReport {
    /// Appends another report.
    pub fn extend(&mut self, other: ScanReport) {
        self.findings.extend(other.findings);
        self.notifications.extend(other.notifications);
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
    }

    /// Sorts findings and notifications into their canonical order.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.path, a.span.start_byte, a.span.end_byte, &a.rule_id).cmp(&(
                &b.path,
                b.span.start_byte,
                b.span.end_byte,
                &b.rule_id,
            ))
        });
        self.notifications.sort();
    }
}

/// A compiled rule set, ready to scan files from many threads.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<CompiledRule>,
    index: PatternIndex,
    /// The same rules compiled against the TypeScript grammar (same order, so rule indexes and
    /// anchor owners agree); `None` when one of them does not compile there.
    typescript: Option<(Vec<CompiledRule>, PatternIndex)>,
    /// The text anchors of the query rules (owners `0..rules.len()`) and of the ReDoS
    /// analyzer (owner `rules.len()`).
    anchors: AnchorIndex,
    redos: Vec<RedosRule>,
    /// ReDoS verdicts by (pattern, flags), shared by all files of a scan: bundles repeat the
    /// same expressions many times.
    redos_cache: Mutex<RedosCache>,
    /// Reports of the files scanned so far, by everything a report depends on.
    memo: memo::ReportMemo,
    metas: Vec<RuleMeta>,
    taint: TaintModel,
    options: EngineOptions,
}

/// An analyzer rule backed by [`redos`].
#[derive(Debug)]
struct RedosRule {
    meta: RuleMeta,
    exponential: bool,
    message: String,
    tainted_severity: Option<Severity>,
    sanitizers: Vec<String>,
}

/// ReDoS analyses by (pattern, flags); `None` for patterns that are not valid JavaScript.
/// Keyed by flags, then pattern: a lookup borrows both and allocates nothing.
type RedosCache = HashMap<String, HashMap<String, Option<Arc<tarsier_redos::Analysis>>>>;

/// Most entries kept in the ReDoS verdict cache before it is cleared.
const REDOS_CACHE_LIMIT: usize = 50_000;

/// Types a tree-walk visitor for the nodes of `root`'s tree (a closure's parameters would
/// otherwise get lifetimes of their own).
fn visitor_of<'t, F: FnMut(Node<'t>, &[Node<'t>])>(_root: Node<'t>, visit: F) -> F {
    visit
}

/// The anchor index of `rules` (owners `0..rules.len()`, with their pre-filter words) and,
/// when `redos`, of the ReDoS analyzer (owner `rules.len()`: regex literals, `RegExp` and the
/// methods that apply one).
fn anchor_index(
    rules: &[CompiledRule],
    redos: bool,
    language: &tree_sitter::Language,
) -> Result<AnchorIndex, EngineError> {
    if rules.len() >= usize::from(Owner::MAX) {
        return Err(EngineError::Query {
            rule: rules.last().map_or_else(String::new, |r| r.meta.id.clone()),
            file: String::new(),
            reason: format!("more than {} query rules", Owner::MAX - 1),
        });
    }
    let mut owners: Vec<OwnerSpec> = rules
        .iter()
        .map(|rule| OwnerSpec {
            requires: rule.requires.clone(),
            clauses: rule
                .query
                .patterns
                .iter()
                .map(|p| p.clause(language))
                .collect(),
        })
        .collect();
    if redos {
        let mut clause = vec![Anchor::RegexStart];
        clause.extend(redos::anchor_words().map(|w| Anchor::Callee(w.to_string())));
        owners.push(OwnerSpec {
            requires: Vec::new(),
            clauses: vec![Some(clause)],
        });
    }
    Ok(AnchorIndex::build(&owners))
}

/// Whether the engine runs `rule` (a query rule, or an analyzer it implements); other analyzers
/// (package-level supply-chain checks) run elsewhere.
pub fn runs_rule(rule: &tarsier_rules::Rule) -> bool {
    rule.query.is_some()
        || rule
            .analyzer
            .as_deref()
            .is_some_and(|a| redos::ANALYZERS.contains(&a))
}

/// Directories whose files are a package's own tests, benchmarks, fixtures or examples.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "__mocks__",
    "fixtures",
    "__fixtures__",
    "bench",
    "benches",
    "benchmark",
    "benchmarks",
    "example",
    "examples",
];

/// For each file of a package, the other files of the package it may call (see
/// [`crossfile::relative_specifiers`]); none for files that are not scanned, test code (which
/// passes nothing out) and files that load no relative module.
fn relative_calls(
    files: &[(String, Vec<u8>)],
    scanned: &[usize],
    by_path: &HashMap<&str, usize>,
) -> Vec<Vec<usize>> {
    let mut calls = vec![Vec::new(); files.len()];
    for &i in scanned {
        let (path, bytes) = &files[i];
        if is_test_code(path) {
            continue;
        }
        let specifiers = crossfile::relative_specifiers(bytes);
        if specifiers.is_empty() || !crossfile::loads_relative_modules_bytes(bytes) {
            continue;
        }
        calls[i] = specifiers
            .into_iter()
            .filter_map(|specifier| crossfile::resolve_file(path, specifier, by_path))
            .collect();
    }
    calls
}

/// Whether `path` (relative to the package root) is a package's own test, benchmark or example
/// code: under a directory named `test`, `tests`, `__tests__`, `spec`, `fixtures`, `examples`,
/// `bench`, `benchmarks` and the like (any case), or a file named `*.test.js`, `*.spec.js`,
/// `*.bench.js` (any extension), `test.js` or `tests.js`.
pub fn is_test_code(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or_default();
    if parts.any(|dir| TEST_DIRS.iter().any(|t| dir.eq_ignore_ascii_case(t))) {
        return true;
    }
    let stem = file.split_once('.').map_or(file, |(stem, _)| stem);
    let inner = file
        .rsplit_once('.')
        .map_or("", |(rest, _)| rest)
        .rsplit_once('.')
        .map_or("", |(_, kind)| kind);
    matches!(inner, "test" | "spec" | "bench")
        || stem.eq_ignore_ascii_case("test")
        || stem.eq_ignore_ascii_case("tests")
}

/// Is this a file the engine parses as JavaScript, by its name alone?
pub fn is_javascript_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".js", ".cjs", ".mjs", ".jsx"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// What the engine does with a file, by its name and first bytes (see [`source_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Parsed as JavaScript: a JavaScript extension, or a file without an extension whose first
    /// line is a `node` shebang (the `bin/` scripts of packages).
    JavaScript,
    /// TypeScript source (`.ts`, `.mts`, `.cts`): parsed with the TypeScript grammar.
    TypeScript,
    /// TypeScript with JSX (`.tsx`): not parsed (no TSX grammar is loaded), reported as not
    /// scanned.
    TypeScriptJsx,
    /// TypeScript declarations (`.d.ts`, `.d.mts`, `.d.cts`): types only, no code to scan;
    /// counted in the same report.
    TypeDeclarations,
    /// Anything else (data, docs, other languages).
    Other,
}

/// Whether `path`'s last component has no extension (`bin/cli`, not `bin/cli.sh` or `.npmrc`).
pub fn has_no_extension(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !name.is_empty() && !name.contains('.')
}

/// Whether `head` (a file's first bytes) starts with a shebang line that runs `node`
/// (`#!/usr/bin/env node`, `#!/usr/local/bin/node --flag`, `#!/usr/bin/env -S nodejs`).
pub fn is_node_shebang(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"#!") else {
        return false;
    };
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = String::from_utf8_lossy(&rest[..line_end.min(256)]);
    line.split(|c: char| c.is_whitespace() || c == '/')
        .any(|word| word == "node" || word == "nodejs")
}

/// Whether `kind` is TypeScript source (parsed or not).
fn is_typescript(kind: SourceKind) -> bool {
    matches!(kind, SourceKind::TypeScript | SourceKind::TypeScriptJsx)
}

/// How the engine treats the file at `path` whose content starts with `head`.
pub fn source_kind(path: &str, head: &[u8]) -> SourceKind {
    let lower = path.to_ascii_lowercase();
    if is_javascript_path(&lower) {
        SourceKind::JavaScript
    } else if [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        SourceKind::TypeDeclarations
    } else if [".ts", ".mts", ".cts"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        SourceKind::TypeScript
    } else if lower.ends_with(".tsx") {
        SourceKind::TypeScriptJsx
    } else if has_no_extension(&lower) && is_node_shebang(head) {
        SourceKind::JavaScript
    } else {
        SourceKind::Other
    }
}

/// Reports the TypeScript files of one scanned set that were not parsed (one note per set, so a
/// package shipping its sources next to its build output is not a wall of notes).
fn typescript_not_scanned(sources: &[&str], declarations: usize) -> Option<Notification> {
    let first = sources.first()?;
    let shown: Vec<&str> = sources.iter().take(5).copied().collect();
    let more = sources.len().saturating_sub(shown.len());
    let mut message = format!(
        "{} TypeScript file(s) not scanned (TSX is not parsed; .ts, .mts and .cts are): {}",
        sources.len(),
        shown.join(", ")
    );
    if more > 0 {
        message.push_str(&format!(" and {more} more"));
    }
    if declarations > 0 {
        message.push_str(&format!(
            "; {declarations} declaration file(s) (.d.ts) hold types only"
        ));
    }
    Some(Notification::for_file(
        NotificationLevel::Note,
        "typescript-not-scanned",
        first,
        message,
    ))
}

impl Engine {
    /// Compiles every query rule of `rules`.
    pub fn new(rules: &RuleSet, options: EngineOptions) -> Result<Engine, EngineError> {
        let language = tarsier_parse::language();
        let mut compiled = Vec::new();
        let mut redos = Vec::new();
        for rule in &rules.rules {
            if let Some(analyzer) = rule
                .analyzer
                .as_deref()
                .filter(|a| redos::ANALYZERS.contains(a))
            {
                redos.push(RedosRule {
                    meta: rule.meta.clone(),
                    exponential: analyzer == "redos-exponential",
                    message: rule.message.clone(),
                    tainted_severity: rule.tainted_severity,
                    sanitizers: taint::taint_key(
                        &rule.sanitizers,
                        &rule.sink_kinds,
                        rule.library_inputs,
                    ),
                });
            } else if let Some(c) = CompiledRule::compile(rule, &language)? {
                compiled.push(c);
            }
        }
        let anchors = anchor_index(&compiled, !redos.is_empty(), &language)?;
        // Rule queries name JavaScript node kinds, which the TypeScript grammar shares; the
        // anchors are texts, so the JavaScript anchor index serves both.
        let ts_language = tarsier_parse::Dialect::TypeScript.language();
        let typescript = rules
            .rules
            .iter()
            .filter(|r| {
                !r.analyzer
                    .as_deref()
                    .is_some_and(|a| redos::ANALYZERS.contains(&a))
            })
            .map(|rule| CompiledRule::compile(rule, &ts_language))
            .filter_map(Result::transpose)
            .collect::<Result<Vec<_>, _>>()
            .ok()
            .filter(|ts| ts.len() == compiled.len())
            .map(|ts| {
                let index = PatternIndex::build(&ts);
                (ts, index)
            });
        Ok(Engine {
            typescript,
            index: PatternIndex::build(&compiled),
            anchors,
            rules: compiled,
            redos,
            redos_cache: Mutex::new(HashMap::new()),
            memo: memo::ReportMemo::default(),
            metas: rules.rules.iter().map(|r| r.meta.clone()).collect(),
            taint: TaintModel::new(&rules.taint),
            options,
        })
    }

    /// Metadata of every rule in the set (for output formats).
    pub fn rule_metas(&self) -> &[RuleMeta] {
        &self.metas
    }

    /// The options in force.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// Scans in-memory files in parallel; `files` are (path, bytes). JavaScript files (see
    /// [`source_kind`]: also `node` scripts without an extension) are scanned; TypeScript files
    /// are reported in one note; other files are ignored. A `package.json` among them names the
    /// package (for the models of its own API) and its entry points (whose exported functions
    /// take library inputs).
    pub fn scan_files(&self, files: &[(String, Vec<u8>)]) -> ScanReport {
        self.scan_files_with(files, self.options.suppressions)
    }

    /// [`Engine::scan_files`] with suppression comments treated as `mode` says, whatever the
    /// engine's options: one engine serves the user's own files and third-party packages.
    pub fn scan_files_with(
        &self,
        files: &[(String, Vec<u8>)],
        mode: SuppressionMode,
    ) -> ScanReport {
        let package = files
            .iter()
            .find(|(path, _)| path == "package.json")
            .and_then(|(_, bytes)| PackageInfo::from_manifest(bytes));
        let kinds: Vec<SourceKind> = files
            .iter()
            .map(|(path, bytes)| source_kind(path, bytes))
            .collect();
        let mut report = match &package {
            Some(package) => self.scan_package_files(files, &kinds, mode, package),
            None => files
                .par_iter()
                .zip(kinds.par_iter())
                .filter(|(_, kind)| self.parses(**kind))
                .map(|((path, bytes), kind)| self.scan_as(path, bytes, *kind, mode, None))
                .reduce(ScanReport::default, |mut a, b| {
                    a.extend(b);
                    a
                }),
        };
        let typescript: Vec<&str> = files
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| is_typescript(**k) && !self.parses(**k))
            .map(|((path, _), _)| path.as_str())
            .collect();
        let declarations = kinds
            .iter()
            .filter(|k| **k == SourceKind::TypeDeclarations)
            .count();
        report
            .notifications
            .extend(typescript_not_scanned(&typescript, declarations));
        report.sort();
        report
    }

    /// Scans the files of `package` in parallel, then again (for up to
    /// [`crossfile::MAX_ROUNDS`] rounds) those whose exported functions other files pass
    /// request data or library inputs to: a file's report from its last scan is kept.
    fn scan_package_files(
        &self,
        files: &[(String, Vec<u8>)],
        kinds: &[SourceKind],
        mode: SuppressionMode,
        package: &PackageInfo,
    ) -> ScanReport {
        let scanned: Vec<usize> = (0..files.len())
            .filter(|&i| kinds.get(i).is_some_and(|k| self.parses(*k)))
            .collect();
        // A package's tests and examples neither pass data to its library code nor are
        // called by it: taint that starts in a test harness is not request data.
        let scan = |i: usize, incoming: &[PassedIn]| {
            let (path, bytes) = &files[i];
            let kind = kinds.get(i).copied().unwrap_or(SourceKind::JavaScript);
            let cross = (!is_test_code(path)).then_some(incoming);
            self.scan_file(path, bytes, kind, mode, Some(package), cross)
        };
        let by_path: HashMap<&str, usize> =
            scanned.iter().map(|&i| (files[i].0.as_str(), i)).collect();
        let mut incoming = self.reexported(files, &scanned, package, &by_path);
        let mut results: Vec<Option<(ScanReport, Vec<PassedOut>)>> =
            (0..files.len()).map(|_| None).collect();
        // Callers before the files they call: each level receives what the levels before it
        // pass out, so most files are scanned once, already knowing it.
        let level = crossfile::levels(&relative_calls(files, &scanned, &by_path));
        let deepest = scanned.iter().map(|&i| level[i]).max().unwrap_or(0);
        for depth in 0..=deepest {
            let here: Vec<usize> = scanned
                .iter()
                .copied()
                .filter(|&i| level[i] == depth)
                .collect();
            for &i in scanned.iter().filter(|&&i| level[i] < depth) {
                let Some((_, passed_out)) = &results[i] else {
                    continue;
                };
                for out in passed_out {
                    if let Some(target) =
                        crossfile::resolve_file(&files[i].0, &out.specifier, &by_path)
                        && level[target] == depth
                    {
                        crossfile::merge(&mut incoming[target], out.passed.clone());
                    }
                }
            }
            for (i, result) in here
                .par_iter()
                .map(|&i| (i, scan(i, &incoming[i])))
                .collect::<Vec<_>>()
            {
                results[i] = Some(result);
            }
        }
        // What a file passes to one at its own level or before it (a cycle, a specifier the
        // text scan missed): scanned again, for a few rounds.
        let mut pending = scanned;
        for _ in 0..crossfile::MAX_ROUNDS {
            let mut grown = std::collections::BTreeSet::new();
            for &i in &pending {
                let Some((_, passed_out)) = &results[i] else {
                    continue;
                };
                for out in passed_out {
                    if let Some(target) =
                        crossfile::resolve_file(&files[i].0, &out.specifier, &by_path)
                        && crossfile::merge(&mut incoming[target], out.passed.clone())
                    {
                        grown.insert(target);
                    }
                }
            }
            if grown.is_empty() {
                break;
            }
            pending = grown.into_iter().collect();
            for (i, result) in pending
                .par_iter()
                .map(|&i| (i, scan(i, &incoming[i])))
                .collect::<Vec<_>>()
            {
                results[i] = Some(result);
            }
        }
        let mut report = ScanReport::default();
        for (one, _) in results.into_iter().flatten() {
            report.extend(one);
        }
        report
    }

    /// What each file receives before any is scanned: the functions the package's entry points
    /// re-export (and those that those files re-export, [`crossfile::MAX_ROUNDS`] deep) are its
    /// API too, so their parameters are library inputs. Read from the text, so that those files
    /// are scanned once, already knowing it.
    fn reexported(
        &self,
        files: &[(String, Vec<u8>)],
        scanned: &[usize],
        package: &PackageInfo,
        by_path: &HashMap<&str, usize>,
    ) -> Vec<Vec<PassedIn>> {
        let mut incoming: Vec<Vec<PassedIn>> = vec![Vec::new(); files.len()];
        let mut queue: Vec<usize> = scanned
            .iter()
            .copied()
            .filter(|&i| package.is_entry(&files[i].0) && !is_test_code(&files[i].0))
            .collect();
        let mut public: std::collections::HashSet<usize> = queue.iter().copied().collect();
        for _ in 0..crossfile::MAX_ROUNDS {
            let mut next = Vec::new();
            for &i in &queue {
                let (path, bytes) = &files[i];
                let Ok(text) = tarsier_parse::decode_source(bytes) else {
                    continue;
                };
                let found = crossfile::reexports(text);
                if found.is_empty() {
                    continue;
                }
                let lines = LineIndex::new(text);
                for (specifier, export, at) in found {
                    let Some(target) = crossfile::resolve_file(path, &specifier, by_path) else {
                        continue;
                    };
                    let (line, column) = lines.line_col(text, at);
                    let step = FlowStep {
                        path: Some(path.clone()),
                        span: Span {
                            start_line: line,
                            start_column: column,
                            end_line: line,
                            end_column: column,
                            start_byte: at,
                            end_byte: at,
                        },
                        message: format!(
                            "`{specifier}` re-exported by `{path}`, part of the package's API"
                        ),
                    };
                    let passed = PassedIn {
                        export,
                        argument: None,
                        origin: Origin::LibraryInput,
                        steps: vec![step],
                    };
                    crossfile::merge(&mut incoming[target], passed);
                    if public.insert(target) {
                        next.push(target);
                    }
                }
            }
            queue = next;
        }
        incoming
    }

    /// Reads and scans files found by [`walk::collect`] in parallel, one file in memory per
    /// worker at a time. Unreadable files become notifications; TypeScript files are reported
    /// in one note.
    pub fn scan_walked(&self, files: &[walk::WalkedFile]) -> ScanReport {
        self.scan_walked_with(files, self.options.suppressions)
    }

    /// [`Engine::scan_walked`] with suppression comments treated as `mode` says.
    pub fn scan_walked_with(
        &self,
        files: &[walk::WalkedFile],
        mode: SuppressionMode,
    ) -> ScanReport {
        // The walk keeps files without an extension only when they start with a `node`
        // shebang.
        let kind = |f: &walk::WalkedFile| {
            if has_no_extension(&f.display) {
                SourceKind::JavaScript
            } else {
                source_kind(&f.display, b"")
            }
        };
        let mut report = files
            .par_iter()
            .filter(|f| self.parses(kind(f)))
            .map(|f| self.read_and_scan(f, kind(f), mode))
            .reduce(ScanReport::default, |mut a, b| {
                a.extend(b);
                a
            });
        let typescript: Vec<&str> = files
            .iter()
            .filter(|f| is_typescript(kind(f)) && !self.parses(kind(f)))
            .map(|f| f.display.as_str())
            .collect();
        let declarations = files
            .iter()
            .filter(|f| kind(f) == SourceKind::TypeDeclarations)
            .count();
        report
            .notifications
            .extend(typescript_not_scanned(&typescript, declarations));
        report.sort();
        report
    }

    /// Whether files of `kind` are parsed and scanned.
    fn parses(&self, kind: SourceKind) -> bool {
        match kind {
            SourceKind::JavaScript => true,
            SourceKind::TypeScript => self.typescript.is_some(),
            _ => false,
        }
    }

    fn read_and_scan(
        &self,
        file: &walk::WalkedFile,
        kind: SourceKind,
        mode: SuppressionMode,
    ) -> ScanReport {
        let path = file.display.as_str();
        let unreadable = |reason: String| {
            let mut report = ScanReport::default();
            report.notifications.push(Notification::for_file(
                NotificationLevel::Warning,
                "read-failed",
                path,
                format!("{path}: cannot read: {reason}"),
            ));
            report
        };
        match std::fs::metadata(&file.path) {
            Ok(meta) if meta.len() > self.options.max_file_bytes => {
                // Refuse before reading, so a huge file costs nothing.
                return self.scan_oversized(path, meta.len());
            }
            Ok(_) => {}
            Err(e) => return unreadable(e.to_string()),
        }
        match std::fs::read(&file.path) {
            Ok(bytes) => self.scan_as(path, &bytes, kind, mode, None),
            Err(e) => unreadable(e.to_string()),
        }
    }

    fn scan_oversized(&self, path: &str, len: u64) -> ScanReport {
        let mut report = ScanReport::default();
        report.notifications.push(Notification::for_file(
            NotificationLevel::Warning,
            "file-too-large",
            path,
            format!(
                "{path}: skipped, {len} bytes is over the {}-byte limit (--max-file-bytes)",
                self.options.max_file_bytes
            ),
        ));
        report
    }

    /// Scans one file, as TypeScript when its name says so (`.ts`, `.mts`, `.cts`), as
    /// JavaScript otherwise. Never fails: problems are notifications in the report.
    pub fn scan_source(&self, path: &str, bytes: &[u8]) -> ScanReport {
        self.scan_source_with(path, bytes, self.options.suppressions)
    }

    /// [`Engine::scan_source`] with suppression comments treated as `mode` says.
    pub fn scan_source_with(&self, path: &str, bytes: &[u8], mode: SuppressionMode) -> ScanReport {
        self.scan_as(path, bytes, source_kind(path, b""), mode, None)
    }

    /// Scans one file of `package` (an entry point of it when `package.entries` names `path`).
    pub fn scan_source_in(
        &self,
        path: &str,
        bytes: &[u8],
        package: Option<&PackageInfo>,
    ) -> ScanReport {
        let kind = source_kind(path, b"");
        self.scan_as(path, bytes, kind, self.options.suppressions, package)
    }

    /// Scans one file of `kind` (TypeScript with the TypeScript grammar, anything else as
    /// JavaScript) of `package`, suppression comments treated as `mode` says.
    fn scan_as(
        &self,
        path: &str,
        bytes: &[u8],
        kind: SourceKind,
        mode: SuppressionMode,
        package: Option<&PackageInfo>,
    ) -> ScanReport {
        self.scan_file(path, bytes, kind, mode, package, None).0
    }

    /// [`Engine::scan_as`] for a file among the other files of its package: its exported
    /// functions receive what `cross` says other files pass them, and the data it passes to
    /// other files of the package is returned beside the report (see [`crossfile`]). Without
    /// `cross`, nothing is collected. A file this engine has already scanned under the same
    /// inputs gets the report it got then (see [`memo`]).
    fn scan_file(
        &self,
        path: &str,
        bytes: &[u8],
        kind: SourceKind,
        mode: SuppressionMode,
        package: Option<&PackageInfo>,
        cross: Option<&[PassedIn]>,
    ) -> (ScanReport, Vec<PassedOut>) {
        if !self.options.reuse_reports {
            return self.analyse_file(path, bytes, kind, mode, package, cross);
        }
        let key = memo::ReportMemo::key(&memo::FileInputs {
            path,
            bytes,
            kind,
            mode,
            package,
            cross,
        });
        if let Some(outcome) = self.memo.get(&key) {
            return (*outcome).clone();
        }
        let outcome = self.analyse_file(path, bytes, kind, mode, package, cross);
        self.memo.put(key, Arc::new(outcome.clone()));
        outcome
    }

    /// [`Engine::scan_file`] without the memo: parses and analyses the file.
    fn analyse_file(
        &self,
        path: &str,
        bytes: &[u8],
        kind: SourceKind,
        mode: SuppressionMode,
        package: Option<&PackageInfo>,
        cross: Option<&[PassedIn]>,
    ) -> (ScanReport, Vec<PassedOut>) {
        let (dialect, rules, index) = match (&self.typescript, kind) {
            (Some((rules, index)), SourceKind::TypeScript) => {
                (tarsier_parse::Dialect::TypeScript, rules, index)
            }
            _ => (tarsier_parse::Dialect::JavaScript, &self.rules, &self.index),
        };
        let mut report = ScanReport::default();
        if bytes.len() as u64 > self.options.max_file_bytes {
            return (self.scan_oversized(path, bytes.len() as u64), Vec::new());
        }
        let source = match tarsier_parse::decode_source(bytes) {
            Ok(s) => s,
            Err(e) => {
                report.notifications.push(Notification::for_file(
                    NotificationLevel::Warning,
                    "file-not-text",
                    path,
                    format!("{path}: skipped, {e}"),
                ));
                return (report, Vec::new());
            }
        };
        // Offsets below are relative to the decoded text (BOM stripped).
        let tree = match tarsier_parse::parse_as(source, dialect) {
            Ok(t) => t,
            Err(e) => {
                report.notifications.push(Notification::for_file(
                    NotificationLevel::Warning,
                    "parse-failed",
                    path,
                    format!("{path}: not parsed, {e}"),
                ));
                return (report, Vec::new());
            }
        };
        report.files_scanned = 1;
        report.bytes_scanned = bytes.len() as u64;
        let ratio = tarsier_parse::error_ratio(&tree);
        if ratio > self.options.max_error_ratio {
            report.notifications.push(Notification::for_file(
                NotificationLevel::Warning,
                "mostly-unparsable",
                path,
                format!(
                    "{path}: {:.0}% of the file is syntax errors; results for it may be incomplete",
                    ratio * 100.0
                ),
            ));
        }
        let root = tree.root_node();
        let file = FileContext {
            path,
            source,
            lines: std::cell::OnceCell::new(),
            taint: match package {
                Some(p) => FileTaint::new(&self.taint, source, root)
                    .with_package(PackageFile {
                        name: &p.name,
                        path,
                        entry: p.is_entry(path),
                    })
                    .with_incoming(cross.unwrap_or_default()),
                None => FileTaint::new(&self.taint, source, root),
            },
        };
        // One pass over the text decides which rules' pre-filters let them run and where their
        // anchors are (see [`anchor`]); one walk of the tree then serves every enabled rule and
        // collects the ReDoS analyzer's candidate nodes on the way.
        let FileAnchors { enabled, hot } = self.anchors.scan(source);
        let enabled = enabled.get(..rules.len()).unwrap_or_default();
        let any_enabled = enabled.iter().any(|&e| e);
        let want_redos = !self.redos.is_empty();
        let mut found: BTreeMap<(usize, usize, usize), Finding> = BTreeMap::new();
        let mut regex_candidates: Vec<redos::Candidate<'_>> = Vec::new();
        let mut state = pattern::MatchState::new(source);
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        // Only the nodes around the anchors of the enabled rules can matter; trees with
        // syntax errors are walked whole.
        let hot = hot.filter(|_| self.options.sparse_walk && !root.has_error());
        let mut visit = visitor_of(root, |node, ancestors| {
            let kind = node.kind_id();
            if want_redos && redos::is_candidate_kind_in(dialect, kind) {
                regex_candidates.push(redos::candidate(node, ancestors));
            }
            if !any_enabled || !index.has_kind(kind) {
                return;
            }
            index.candidates(node, kind, source, &mut candidates);
            for &(rule_index, pattern_index) in &candidates {
                if !enabled.get(rule_index).copied().unwrap_or(false) {
                    continue;
                }
                let Some(pattern) = rules
                    .get(rule_index)
                    .and_then(|r| r.query.patterns.get(pattern_index))
                else {
                    continue;
                };
                pattern::match_at(pattern, node, &mut state, &mut |captures| {
                    // Taint finds a capture's scope from this node's ancestors, known here,
                    // instead of searching down from the root (only for structural matches).
                    file.taint.set_anchor(node, ancestors);
                    let rule = rules.get(rule_index);
                    let at = structure::Located {
                        root,
                        node,
                        ancestors,
                    };
                    self.on_match(
                        rule,
                        rule_index,
                        pattern_index,
                        captures,
                        &at,
                        &file,
                        &mut found,
                    );
                });
            }
        });
        match &hot {
            Some(hot) => anchor::walk_sparse(root, hot, &mut visit),
            None => pattern::walk(root, &mut visit),
        }
        file.taint.clear_anchor();
        report.findings.extend(found.into_values());
        if state.exceeded() {
            report.notifications.push(Notification::for_file(
                NotificationLevel::Warning,
                "match-limit",
                path,
                format!(
                    "{path}: matching stopped after {} steps per byte (pathological nesting or repetition); some findings in this file may be missing",
                    pattern::STEPS_PER_BYTE
                ),
            ));
        }
        if want_redos {
            self.run_redos(&regex_candidates, &file, &mut report.findings);
        }
        self.apply_suppressions(&file, &mut report, mode);
        report.sort();
        let passed_out = match cross {
            Some(_) => file.passed_out(),
            None => Vec::new(),
        };
        (report, passed_out)
    }

    /// Checks one structural match of pattern `local_pattern` of rule `rule_index` against
    /// the rule's custom predicates and records the finding (one per rule and flagged node: the
    /// most severe of several matches of the same node).
    #[allow(clippy::too_many_arguments)]
    fn on_match<'t>(
        &self,
        rule: Option<&CompiledRule>,
        rule_index: usize,
        local_pattern: usize,
        captures: &pattern::Captures<'t>,
        at: &structure::Located<'_, 't>,
        file: &FileContext<'t>,
        found: &mut BTreeMap<(usize, usize, usize), Finding>,
    ) {
        let Some(rule) = rule else {
            return;
        };
        let capture = |index: u32| {
            captures
                .iter()
                .find(|(c, _)| *c == index)
                .map(|&(_, node)| node)
        };
        let mut flow = Vec::new();
        let mut origin = Origin::Request;
        let mut ok = true;
        for predicate in rule.predicates.get(local_pattern).into_iter().flatten() {
            let holds = match *predicate {
                Predicate::NotInTry(c) => capture(c).is_some_and(|n| structure::not_in_try(at, n)),
                Predicate::FunctionHas(c, ref words) => {
                    capture(c).is_some_and(|n| structure::function_has(at, n, file.source, words))
                }
                Predicate::AssignedFrom(c, ref words) => {
                    capture(c).is_some_and(|n| structure::assigned_from(at, n, file.source, words))
                }
                Predicate::FunctionLacks(c, ref words) => {
                    capture(c).is_some_and(|n| !structure::function_has(at, n, file.source, words))
                }
                Predicate::BoundTo(c, ref words) => capture(c).is_some_and(|n| {
                    // `sink:command`: whatever the models say is a sink of that kind.
                    let modelled = words.iter().filter_map(|w| w.strip_prefix(SINK_WORD));
                    let mut modelled = modelled.peekable();
                    if modelled.peek().is_some()
                        && modelled.any(|k| file.taint.is_modelled_sink(n, k))
                    {
                        return true;
                    }
                    file.taint.binding_of(n).is_some_and(|b| {
                        words.iter().any(|w| {
                            *w == b.package
                                || (!b.path.is_empty() && *w == format!("{}.{}", b.package, b.path))
                        })
                    })
                }),
                Predicate::FileHas(c, ref words) => capture(c)
                    .is_some_and(|_| words.iter().any(|w| file.source.contains(w.as_str()))),
                Predicate::FileLacks(c, ref words) => capture(c)
                    .is_some_and(|_| !words.iter().any(|w| file.source.contains(w.as_str()))),
                Predicate::WritesByKey(c) => {
                    capture(c).is_some_and(|n| structure::writes_by_key(at, n, file.source))
                }
                Predicate::IteratedKey(c) => {
                    capture(c).is_some_and(|n| structure::iterated_key(at, n, file.source))
                }
                Predicate::ClassAdmits(c, ref chars) => {
                    capture(c).is_some_and(|n| charclass::class_admits(n, file.source, chars))
                }
                Predicate::InRecursiveFunction(c) => {
                    capture(c).is_some_and(|n| structure::in_recursive_function(at, n, file.source))
                }
                Predicate::HtmlFlow(c) => match capture(c).and_then(|n| {
                    let path = file.taint.request_derived(n, &rule.sanitizers)?;
                    structure::html_in_flow(at, n, &path, file.source).then_some(path)
                }) {
                    Some(path) => {
                        flow = path;
                        true
                    }
                    None => false,
                },
                Predicate::ConstantString(c) => {
                    capture(c).is_some_and(|n| structure::constant_string(at, n, file.source))
                }
                Predicate::CallerRequestDerived(c) => match capture(c).and_then(|n| {
                    structure::caller_arguments(at, n, file.source, file.taint.call_index())
                        .into_iter()
                        .find_map(|arg| {
                            let mut path = file.taint.request_derived(arg, &rule.sanitizers)?;
                            path.push(Step {
                                start: arg.start_byte(),
                                end: arg.end_byte(),
                                message: "request data passed to a local function".to_string(),
                                elsewhere: None,
                            });
                            Some(path)
                        })
                }) {
                    Some(path) => {
                        flow = path;
                        true
                    }
                    None => false,
                },
                Predicate::Literal(c) => {
                    capture(c).is_some_and(|n| literal::is_literal(n, file.source))
                }
                Predicate::NotLiteral(c) => {
                    capture(c).is_some_and(|n| !literal::is_literal(n, file.source))
                }
                // Request data only: a library input does not make a pattern match, it only
                // explains and rates a finding the pattern gives anyway (`@arg` below).
                Predicate::RequestDerived(c) => {
                    match capture(c)
                        .and_then(|n| file.taint.derived_with_origin(n, &rule.sanitizers))
                    {
                        Some((path, Origin::Request)) => {
                            flow = path;
                            true
                        }
                        _ => false,
                    }
                }
                Predicate::NotRequestDerived(c) => capture(c).is_none_or(|n| {
                    file.taint
                        .derived_with_origin(n, &rule.sanitizers)
                        .is_none_or(|(_, from)| from != Origin::Request)
                }),
            };
            if !holds {
                ok = false;
                break;
            }
        }
        if !ok {
            return;
        }
        // A rule about a call outside `try` (an exception that escapes): data that came through
        // a call site inside a `try` is caught there.
        let about_try = rule
            .predicates
            .get(local_pattern)
            .is_some_and(|ps| ps.iter().any(|p| matches!(p, Predicate::NotInTry(_))));
        if about_try
            && flow.iter().any(|step| {
                taint::is_call_site_step(step)
                    && at
                        .root
                        .descendant_for_byte_range(step.start, step.end)
                        .is_some_and(|n| !structure::not_in_try(at, n))
            })
        {
            return;
        }
        let Some(node) = capture(rule.finding) else {
            return;
        };
        let mut severity = rule.meta.severity;
        if let Some(lower) = rule.untainted_severity.filter(|_| flow.is_empty()) {
            match rule
                .arg
                .and_then(capture)
                .and_then(|n| file.taint.derived_with_origin(n, &rule.sanitizers))
            {
                Some((path, from)) => {
                    flow = path;
                    origin = from;
                }
                None => severity = lower,
            }
        }
        let mut message = render_message(&rule.message, &capture, file.source);
        if origin == Origin::LibraryInput && !flow.is_empty() {
            // Input from the calling application: the threat model trusts it, so the finding
            // is rated below one from request data, and says why.
            severity = rule
                .untainted_severity
                .unwrap_or_else(|| lower_one(rule.meta.severity))
                .min(severity);
            message.push_str(LIBRARY_INPUT_NOTE);
        }
        let key = (rule_index, node.start_byte(), node.end_byte());
        let keep_existing = found
            .get(&key)
            .is_some_and(|existing| existing.severity >= severity);
        if keep_existing {
            return;
        }
        found.insert(
            key,
            file.finding(&rule.meta.id, severity, message, node, &flow),
        );
    }

    /// The ReDoS analyzer rules: every regular expression with a constant pattern, analysed once
    /// per scan; a finding per vulnerable expression and matching rule.
    fn run_redos<'t>(
        &self,
        candidates: &[redos::Candidate<'t>],
        file: &FileContext<'t>,
        out: &mut Vec<Finding>,
    ) {
        for site in redos::sites_among(candidates, file.source) {
            let Some(analysis) = self.redos_analysis(&site.pattern, &site.flags) else {
                continue;
            };
            let exponential = match analysis.verdict {
                tarsier_redos::Verdict::Exponential => true,
                tarsier_redos::Verdict::Polynomial { .. } => false,
                _ => continue,
            };
            for rule in self.redos.iter().filter(|r| r.exponential == exponential) {
                let mut severity = rule.meta.severity;
                let mut flow: Vec<Step> = Vec::new();
                let mut applied_at = None;
                let tainted = site.subjects.iter().filter_map(|s| {
                    file.taint
                        .derived_with_origin(*s, &rule.sanitizers)
                        .map(|p| (*s, p))
                });
                // Request data on any subject wins over a library input on another.
                let mut best: Option<(Node<'_>, (Vec<Step>, Origin))> = None;
                for (subject, found) in tainted {
                    let request = found.1 == Origin::Request;
                    if best.is_none() || request {
                        best = Some((subject, found));
                    }
                    if request {
                        break;
                    }
                }
                let mut origin = Origin::Request;
                if let Some((subject, (path, from))) = best {
                    flow = path;
                    origin = from;
                    flow.push(Step {
                        start: subject.start_byte(),
                        end: subject.end_byte(),
                        message: "matched against the regular expression".to_string(),
                        elsewhere: None,
                    });
                    if from == Origin::Request {
                        severity = severity.max(rule.tainted_severity.unwrap_or(severity));
                    }
                    applied_at = Some(subject.start_position().row + 1);
                }
                let mut message = redos_message(&rule.message, &site, &analysis);
                // The finding sits on the definition; the message names the use too, which may
                // be far away (a regex from a table of patterns, a module constant).
                match (applied_at, origin) {
                    (Some(line), Origin::Request) => {
                        message.push_str(&format!("; applied to request data on line {line}"))
                    }
                    (Some(line), Origin::LibraryInput) => {
                        message.push_str(&format!(
                            "; applied on line {line} to a parameter of an exported function (the Express threat model trusts input from application code)"
                        ));
                    }
                    (None, _) => {}
                }
                out.push(file.finding(&rule.meta.id, severity, message, site.node, &flow));
            }
        }
    }

    /// The (cached) analysis of one pattern; `None` when it is not valid JavaScript.
    fn redos_analysis(&self, pattern: &str, flags: &str) -> Option<Arc<tarsier_redos::Analysis>> {
        if let Some(hit) = self
            .redos_cache
            .lock()
            .ok()?
            .get(flags)
            .and_then(|by_pattern| by_pattern.get(pattern))
        {
            return hit.clone();
        }
        // Analysed outside the lock, so threads do not wait on each other's patterns.
        let result = tarsier_redos::analyze(pattern, flags, &tarsier_redos::Budget::default())
            .ok()
            .map(Arc::new);
        if let Ok(mut cache) = self.redos_cache.lock() {
            if cache.values().map(HashMap::len).sum::<usize>() >= REDOS_CACHE_LIMIT {
                cache.clear();
            }
            cache
                .entry(flags.to_string())
                .or_default()
                .insert(pattern.to_string(), result.clone());
        }
        result
    }

    fn apply_suppressions(
        &self,
        file: &FileContext<'_>,
        report: &mut ScanReport,
        mode: SuppressionMode,
    ) {
        if report.findings.is_empty() {
            return;
        }
        let directives = suppress::directives(file.source);
        if directives.is_empty() {
            return;
        }
        for finding in &mut report.findings {
            let Some(directive) = directives
                .iter()
                .find(|d| d.target_line == finding.span.start_line && d.covers(&finding.rule_id))
            else {
                continue;
            };
            match mode {
                SuppressionMode::Honour => {
                    finding.suppression = Some(Suppression {
                        kind: SuppressionKind::InSource,
                        justification: directive.reason.clone(),
                    });
                }
                SuppressionMode::Report => {
                    report.notifications.push(Notification::for_file(
                        NotificationLevel::Note,
                        "suppression-not-honoured",
                        file.path,
                        format!(
                            "{}:{}: a `tarsier-ignore` comment tries to hide {} at line {}; comments in scanned packages are not honoured",
                            file.path, directive.comment_line, finding.rule_id, finding.span.start_line
                        ),
                    ));
                }
            }
        }
    }
}

/// What the engine needs to know of the package a file belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo {
    /// The package's name.
    pub name: String,
    /// Paths (inside the package) of its entry points: `main` and `index.js`. Empty: every
    /// file counts as one.
    pub entries: Vec<String>,
}

impl PackageInfo {
    /// Reads a `package.json`; `None` when it has no name (or is not JSON).
    pub fn from_manifest(bytes: &[u8]) -> Option<PackageInfo> {
        let manifest: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let name = manifest.get("name")?.as_str()?.to_string();
        let mut entries = vec!["index.js".to_string()];
        if let Some(main) = manifest.get("main").and_then(|m| m.as_str()) {
            let main = main.trim_start_matches("./").trim_end_matches('/');
            if !main.is_empty() {
                entries.push(main.to_string());
                entries.push(format!("{main}.js"));
                entries.push(format!("{main}/index.js"));
            }
        }
        Some(PackageInfo { name, entries })
    }

    /// Whether `path` is an entry point.
    pub fn is_entry(&self, path: &str) -> bool {
        self.entries.is_empty() || self.entries.iter().any(|e| e == path)
    }
}

struct FileContext<'a> {
    path: &'a str,
    source: &'a str,
    /// Line starts, found when the first finding needs them (most files have none).
    lines: std::cell::OnceCell<LineIndex>,
    taint: FileTaint<'a>,
}

/// How a `#bound-to?` word names the sinks of a kind in the models (`sink:command`).
const SINK_WORD: &str = "sink:";

/// Longest code-frame line kept; minified files have megabyte-long lines.
const MAX_SNIPPET_LINE: usize = 240;
/// Most lines kept in a code frame.
const MAX_SNIPPET_LINES: usize = 5;

impl FileContext<'_> {
    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(self.source))
    }

    /// A finding at `node`, with the taint path (if any) as its code flow.
    fn finding(
        &self,
        rule_id: &str,
        severity: Severity,
        message: String,
        node: Node<'_>,
        flow: &[Step],
    ) -> Finding {
        let mut steps: Vec<FlowStep> = flow.iter().map(|s| self.flow_step(s, None)).collect();
        if !steps.is_empty() {
            steps.push(FlowStep {
                path: None,
                span: self.span(node.start_byte(), node.end_byte()),
                message: format!("reaches the sink ({rule_id})"),
            });
        }
        let span = self.span(node.start_byte(), node.end_byte());
        Finding {
            rule_id: rule_id.to_string(),
            severity,
            message,
            path: self.path.to_string(),
            snippet: self.snippet(&span),
            matched_text: normalized(literal::node_text(node, self.source)),
            span,
            package: None,
            flow: steps,
            suppression: None,
        }
    }

    /// `step` as a step of a finding's code flow; `path` names this file (for a path that goes
    /// on in another file), or is `None` (the finding's own file).
    fn flow_step(&self, step: &Step, path: Option<&str>) -> FlowStep {
        match &step.elsewhere {
            Some(elsewhere) => FlowStep::clone(elsewhere),
            None => FlowStep {
                path: path.map(str::to_string),
                span: self.span(step.start, step.end),
                message: step.message.clone(),
            },
        }
    }

    /// The data this file passes to other files of its package, with the path so far.
    fn passed_out(&self) -> Vec<PassedOut> {
        self.taint
            .passed_out()
            .into_iter()
            .map(|out| {
                let mut steps: Vec<FlowStep> = out
                    .steps
                    .iter()
                    .map(|s| self.flow_step(s, Some(self.path)))
                    .collect();
                let at = out.at;
                let callee = if out.export.is_empty() {
                    format!("`{}`", out.specifier)
                } else {
                    format!("`{}` of `{}`", out.export, out.specifier)
                };
                steps.push(FlowStep {
                    path: Some(self.path.to_string()),
                    span: self.span(at.start_byte(), at.end_byte()),
                    message: format!("passed to {callee} as argument {}", out.argument + 1),
                });
                steps.truncate(crossfile::MAX_STEPS);
                PassedOut {
                    specifier: out.specifier,
                    passed: PassedIn {
                        export: out.export,
                        argument: Some(out.argument),
                        origin: out.origin,
                        steps,
                    },
                }
            })
            .collect()
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let (start_line, start_column) = self.lines().line_col(self.source, start);
        let (end_line, end_column) = self.lines().line_col(self.source, end);
        Span {
            start_line,
            start_column,
            end_line,
            end_column,
            start_byte: start,
            end_byte: end,
        }
    }

    /// The flagged lines, each clipped around the match when very long.
    fn snippet(&self, span: &Span) -> String {
        let last = span.end_line.min(span.start_line + MAX_SNIPPET_LINES - 1);
        let mut out = String::new();
        for line in span.start_line..=last {
            let range = self.lines().line_range(self.source, line);
            let (mut from, mut to) = (range.start, range.end);
            if to - from > MAX_SNIPPET_LINE {
                let anchor = span.start_byte.clamp(from, to);
                from = floor_char(
                    self.source,
                    anchor.saturating_sub(MAX_SNIPPET_LINE / 2).max(from),
                );
                to = floor_char(self.source, (from + MAX_SNIPPET_LINE).min(to));
            }
            out.push_str(self.source.get(from..to).unwrap_or(""));
            out.push('\n');
        }
        out
    }
}

fn floor_char(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Whitespace runs collapsed, truncated to 200 characters: stable text for fingerprints.
fn normalized(text: &str) -> String {
    let mut out = String::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > 400 {
            break;
        }
    }
    out.chars().take(200).collect()
}

fn render_message<'t>(
    parts: &[MessagePart],
    capture: &dyn Fn(u32) -> Option<Node<'t>>,
    source: &str,
) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            MessagePart::Text(t) => out.push_str(t),
            MessagePart::Capture(i) => {
                let text = capture(*i)
                    .map(|n| normalized(literal::node_text(n, source)))
                    .unwrap_or_default();
                if text.chars().count() > 60 {
                    out.extend(text.chars().take(57));
                    out.push_str("...");
                } else {
                    out.push_str(&text);
                }
            }
        }
    }
    out
}

/// Fills a ReDoS rule's message: `{{kind}}` (exponential, quadratic, ...), `{{pattern}}`,
/// `{{flags}}`, `{{pump}}` and `{{attack}}` (an example attack string), each escaped and cut.
fn redos_message(
    template: &str,
    site: &redos::Site<'_>,
    analysis: &tarsier_redos::Analysis,
) -> String {
    let (pump, attack) = match &analysis.witness {
        Some(w) => {
            let reps = (24 / w.pump.chars().count().max(1)).max(2);
            (
                redos::display(&w.pump, 20),
                redos::display(&w.attack_string(reps), 48),
            )
        }
        None => (String::new(), String::new()),
    };
    template
        .replace("{{kind}}", &analysis.verdict.to_string())
        .replace("{{pattern}}", &redos::display(&site.pattern, 60))
        .replace("{{flags}}", &site.flags)
        .replace("{{pump}}", &pump)
        .replace("{{attack}}", &attack)
}

/// What a finding whose data is a library input adds to its message.
pub const LIBRARY_INPUT_NOTE: &str = " (from a parameter of an exported function; the Express threat model trusts input from application code)";

/// One level lower (a library input is rated below request data).
fn lower_one(severity: Severity) -> Severity {
    match severity {
        Severity::Error => Severity::Warning,
        Severity::Warning | Severity::Note => Severity::Note,
    }
}

/// Lowest severity that counts, for `--fail-on`.
pub fn count_at_or_above(findings: &[Finding], level: Severity) -> usize {
    findings
        .iter()
        .filter(|f| f.suppression.is_none() && f.severity >= level)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass text scan decides the pre-filters exactly as each rule's own
    /// [`CompiledRule::may_match`] does, on every corpus file and rule case.
    #[test]
    fn text_scan_enables_the_rules_their_pre_filters_enable() {
        let rules = tarsier_rules::embedded().expect("rules");
        let engine = Engine::new(&rules, EngineOptions::default()).expect("engine");
        let mut texts: Vec<String> = rules
            .rules
            .iter()
            .flat_map(|r| {
                r.tests
                    .invalid
                    .iter()
                    .map(|c| c.code.clone())
                    .chain(r.tests.valid.iter().cloned())
            })
            .collect();
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        let (files, _) = walk::collect(&[corpus], &walk::WalkOptions::default());
        texts.extend(
            files
                .iter()
                .filter_map(|f| std::fs::read_to_string(&f.path).ok()),
        );
        assert!(texts.len() > 150);
        let mut enabled_somewhere = vec![false; engine.rules.len()];
        for text in &texts {
            let scan = engine.anchors.scan(text);
            for (i, rule) in engine.rules.iter().enumerate() {
                let by_rule = rule.may_match(text);
                assert_eq!(
                    scan.enabled.get(i),
                    Some(&by_rule),
                    "{}\n{text}",
                    rule.meta.id
                );
                enabled_somewhere[i] |= by_rule;
            }
            // The ReDoS analyzer has no pre-filter.
            assert_eq!(scan.enabled.get(engine.rules.len()), Some(&true));
        }
        assert!(enabled_somewhere.iter().all(|&e| e));
        // And some rule stays off somewhere, or the comparison proves little.
        assert!(
            texts
                .iter()
                .any(|t| engine.anchors.scan(t).enabled.contains(&false))
        );
    }
}
