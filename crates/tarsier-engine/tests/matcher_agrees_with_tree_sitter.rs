//! tarsier's own matcher (`tarsier_engine::pattern`) implements tree-sitter's query semantics for
//! the part of the language that rules use. This differential test runs every shipped rule query
//! both ways, with tree-sitter's `QueryCursor` (which evaluates the text predicates `#eq?`,
//! `#any-of?`, `#match?` and their `not-` forms, and ignores tarsier's own predicates) and with
//! `pattern::match_at` at every node, over every rule case and every corpus file, and requires the
//! same matches: the same pattern with the same nodes bound to the same captures.
//!
//! One difference is by design: tarsier's child patterns and `.` anchors never see comments (nor
//! other extras), so `/* x */` before an argument cannot hide it from a rule, while tree-sitter
//! counts a comment as a named child. So tree-sitter is run on the file with its comments blanked
//! out (each byte replaced by a space, offsets kept), where the two semantics coincide: tarsier
//! must find on the original exactly what tree-sitter finds there, and the same on the blanked
//! text.
//!
//! Set `TARSIER_AGREEMENT_DIR` to a directory of real JavaScript files (an unpacked scope, say) to
//! run the same comparison on them: `TARSIER_AGREEMENT_DIR=target/peers-input cargo test -p
//! tarsier-engine --release --test matcher_agrees_with_tree_sitter -- --nocapture`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{corpus_dir, javascript_files, rule_cases};
use std::collections::BTreeSet;
use std::path::Path;
use tarsier_engine::pattern::{self, MatchState, RuleQuery};
use tree_sitter::{Query, QueryCursor, StreamingIterator, Tree};

/// One match, as the pattern's index and each capture's (index, start byte, end byte), sorted.
type Match = (usize, Vec<(u32, usize, usize)>);

/// A rule query compiled both ways.
struct Both {
    id: String,
    ours: RuleQuery,
    theirs: Query,
}

fn queries() -> Vec<Both> {
    let rules = tarsier_rules::embedded().unwrap();
    let language = tarsier_parse::language();
    rules
        .rules
        .iter()
        .filter_map(|rule| {
            let source = rule.query.as_ref()?;
            Some(Both {
                id: rule.meta.id.clone(),
                ours: pattern::parse_query(source, &language).unwrap(),
                theirs: tarsier_parse::compile_query(source).unwrap(),
            })
        })
        .collect()
}

fn normalise(pattern: usize, captures: impl Iterator<Item = (u32, usize, usize)>) -> Match {
    let mut captures: Vec<_> = captures.collect();
    captures.sort_unstable();
    captures.dedup();
    (pattern, captures)
}

/// tree-sitter's matches of `query` in `tree`.
fn theirs(query: &Query, tree: &Tree, source: &str) -> BTreeSet<Match> {
    let mut cursor = QueryCursor::new();
    let mut out = BTreeSet::new();
    let mut matches = cursor.matches(query, tree.root_node(), source.as_bytes());
    while let Some(m) = matches.next() {
        out.insert(normalise(
            m.pattern_index,
            m.captures
                .iter()
                .map(|c| (c.index, c.node.start_byte(), c.node.end_byte())),
        ));
    }
    assert!(
        !cursor.did_exceed_match_limit(),
        "tree-sitter's match limit was exceeded"
    );
    out
}

/// tarsier's matches of `query` in `tree`: every pattern tried at every node.
fn ours(query: &RuleQuery, tree: &Tree, source: &str) -> BTreeSet<Match> {
    let mut out = BTreeSet::new();
    let mut state = MatchState::new(source);
    pattern::walk(tree.root_node(), &mut |node, _| {
        for (index, pattern) in query.patterns.iter().enumerate() {
            pattern::match_at(pattern, node, &mut state, &mut |captures| {
                out.insert(normalise(
                    index,
                    captures
                        .iter()
                        .map(|&(c, n)| (c, n.start_byte(), n.end_byte())),
                ));
            });
        }
    });
    assert!(!state.exceeded(), "tarsier's step budget was exceeded");
    out
}

/// `source` with every comment (and other extra) replaced by spaces, line breaks kept.
fn blank_comments(source: &str, tree: &Tree) -> String {
    let mut bytes = source.as_bytes().to_vec();
    pattern::walk(tree.root_node(), &mut |node, _| {
        if node.is_extra() {
            for b in &mut bytes[node.byte_range()] {
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
        }
    });
    // Only whole comments were replaced, and by ASCII, so the text is still UTF-8.
    String::from_utf8(bytes).unwrap()
}

fn assert_same(
    id: &str,
    label: &str,
    want: &BTreeSet<Match>,
    got: &BTreeSet<Match>,
    names: &[String],
) {
    if want != got {
        let missing: Vec<_> = want.difference(got).collect();
        let extra: Vec<_> = got.difference(want).collect();
        panic!(
            "{id}: {label}: the matchers disagree\nonly tree-sitter: {missing:?}\nonly tarsier: {extra:?}\ncaptures: {names:?}"
        );
    }
}

/// Compares every query on `source`; returns the number of matches compared.
fn agree(queries: &[Both], label: &str, source: &str) -> usize {
    let tree = tarsier_parse::parse(source).unwrap();
    let blanked = blank_comments(source, &tree);
    let blanked_tree = tarsier_parse::parse(&blanked).unwrap();
    let mut compared = 0;
    for q in queries {
        let want = theirs(&q.theirs, &blanked_tree, &blanked);
        let names = &q.ours.capture_names;
        assert_same(&q.id, label, &want, &ours(&q.ours, &tree, source), names);
        let blanked_label = format!("{label} (comments blanked)");
        let got = ours(&q.ours, &blanked_tree, &blanked);
        assert_same(&q.id, &blanked_label, &want, &got, names);
        compared += want.len();
    }
    compared
}

#[test]
fn same_matches_on_every_rule_case() {
    let queries = queries();
    assert!(queries.len() >= 16, "{} query rules", queries.len());
    let rules = tarsier_rules::embedded().unwrap();
    let mut matches = 0;
    let mut inputs = 0;
    for rule in &rules.rules {
        for (i, code) in rule_cases(rule).enumerate() {
            matches += agree(&queries, &format!("{} case {i}", rule.meta.id), code);
            inputs += 1;
        }
    }
    // Every rule has invalid cases, so structural matches must have been compared.
    assert!(inputs >= 100, "{inputs} cases");
    assert!(matches >= 100, "{matches} matches compared");
}

#[test]
fn same_matches_on_every_corpus_file() {
    let queries = queries();
    let files = javascript_files(&corpus_dir());
    assert!(files.len() >= 10, "{} corpus files", files.len());
    let mut matches = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        matches += agree(&queries, &file.display().to_string(), &source);
    }
    assert!(matches > 0);
}

#[test]
fn hand_written_queries_agree() {
    // Shapes where a matcher's semantics are easy to get subtly wrong: several children of one
    // kind (every combination is a match), optional children, anchors, alternations with
    // captures, comments between children, and negated predicates on optional captures.
    let language = tarsier_parse::language();
    let cases: &[(&str, &str)] = &[
        (
            "(arguments (identifier) @a (identifier) @b)",
            "f(a, b, c, d); g(x /* c */, y);",
        ),
        (
            "(arguments . (identifier) @first)",
            "f(/* lead */ a, b); g('s', c);",
        ),
        (
            "(arguments (identifier) @last .)",
            "f(a, b /* trail */); g(c, 's');",
        ),
        (
            "(call_expression function: (identifier) @f arguments: (arguments (string)? @s))",
            "f(); f('x'); f(1, 'y', 'z');",
        ),
        ("[(identifier) @id (number) @n] @any", "a + 1; [b, 2, 'c'];"),
        (
            "((identifier) @x (#not-eq? @x \"skip\"))",
            "skip; keep; skip.keep;",
        ),
        (
            "((call_expression function: (member_expression object: (_) @o property: (property_identifier) @p)) (#match? @p \"^(send|end)$\"))",
            "res.send(a); res.end(); res.write(b); a.b.send(c);",
        ),
        (
            "(binary_expression left: (_) @l operator: [\"==\" \"===\"] right: (_) @r)",
            "a == b; c === d; e !== f; (g == h) == i;",
        ),
    ];
    for (query, code) in cases {
        let both = [Both {
            id: (*query).to_string(),
            ours: pattern::parse_query(query, &language).unwrap(),
            theirs: tarsier_parse::compile_query(query).unwrap(),
        }];
        assert!(agree(&both, code, code) > 0, "{query}: nothing matched");
    }
}

#[test]
fn same_matches_on_real_files_when_given() {
    let Some(dir) = std::env::var_os("TARSIER_AGREEMENT_DIR") else {
        eprintln!("TARSIER_AGREEMENT_DIR unset: real-file agreement not run");
        return;
    };
    let queries = queries();
    let files = javascript_files(Path::new(&dir));
    let (mut compared, mut matches, mut skipped) = (0, 0, 0);
    for file in &files {
        let Ok(source) = std::fs::read_to_string(file) else {
            skipped += 1;
            continue;
        };
        // The engine refuses files above its size limit; keep the comparison to what it scans.
        if source.len() as u64 > tarsier_engine::EngineOptions::default().max_file_bytes {
            skipped += 1;
            continue;
        }
        matches += agree(&queries, &file.display().to_string(), &source);
        compared += 1;
    }
    eprintln!("{compared} files compared ({skipped} skipped), {matches} matches agree");
    assert!(compared > 0, "no JavaScript files under {dir:?}");
}
