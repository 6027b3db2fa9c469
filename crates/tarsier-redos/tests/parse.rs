//! Parser tests: every supported syntax form parses, malformed patterns fail with a position,
//! and hostile input (random strings, deep nesting) never panics or overflows the stack.
#![allow(clippy::unwrap_used)]

use tarsier_redos::parse::{AssertKind, Node, parse};
use tarsier_redos::{Budget, RegexError, analyze};

#[test]
fn every_syntax_form_parses() {
    let ok: &[(&str, &str)] = &[
        ("a|b|", ""),
        ("(a)(?:b)(?<name>c)", ""),
        ("[a-z0-9_]", ""),
        ("[^\\d\\s]", ""),
        ("\\d\\w\\s\\D\\W\\S", ""),
        ("\\bword\\B", ""),
        ("\\x41\\u0041", ""),
        ("\\u{1F600}", "u"),
        ("\\uD83D\\uDE00", "u"),
        ("\\cJ\\cj", ""),
        ("\\0", ""),
        ("\\0", "u"),
        ("\\101\\7", ""),
        ("\\8\\9", ""),
        ("\\q\\y\\e", ""),
        ("\\/\\.\\*", "u"),
        (".", "s"),
        ("^a$", "m"),
        ("a*b+c?d{2}e{2,}f{2,3}", ""),
        ("a*?b+?c??d{2}?e{2,}?f{2,3}?", ""),
        ("(a)\\1", ""),
        ("(?<n>a)\\k<n>", ""),
        ("\\k<n>(?<n>a)", "u"),
        ("\\k", ""),
        ("(?=a)(?!b)(?<=c)(?<!d)", ""),
        ("(?=a)*", ""),
        ("x", "dgimsuy"),
        ("x", "v"),
        ("{", ""),
        ("a{", ""),
        ("a{1", ""),
        ("a{1,", ""),
        ("a{,2}", ""),
        ("}", ""),
        ("]", ""),
        ("[]", ""),
        ("[^]", ""),
        ("[\\d-z]", ""),
        ("[a-]", ""),
        ("[-a]", ""),
        ("[\\b]", ""),
        ("[\\c1]", ""),
        ("\\c", ""),
        ("\\p{L}+\\P{Lu}", "u"),
        ("[\\p{Script=Greek}]", "u"),
        ("[[a-z]--[aeiou]]", "v"),
        ("[[a-z]&&[a-f]]", "v"),
        ("[\\q{abc|d}x]", "v"),
        ("(?i:a)b", ""),
        ("(?-i:a)b", "i"),
        ("(?ms-i:.)", ""),
        ("\\2(a)(b)", ""),
        ("(a)|\\1", ""),
        ("(?<y>\\d{4})-\\d\\d|\\d\\d-(?<y>\\d{4})", "u"),
        ("(?:(?<n>a)|(?<n>b))\\k<n>", ""),
    ];
    for &(p, f) in ok {
        assert!(
            parse(p, f).is_ok(),
            "/{p}/{f} should parse: {:?}",
            parse(p, f)
        );
    }
}

#[test]
fn parse_shapes() {
    let ast = parse("^(a)+?$", "m").unwrap();
    let Node::Concat(items) = &ast.root else {
        panic!("concat expected: {:?}", ast.root)
    };
    assert_eq!(
        items[0],
        Node::Assert(AssertKind::Start { multiline: true })
    );
    assert!(matches!(
        items[1],
        Node::Repeat {
            min: 1,
            max: None,
            greedy: false,
            ..
        }
    ));
    assert_eq!(ast.group_count, 1);
    // Annex B: \1 without a group is an octal escape; \k without named groups is literal.
    let ast = parse("\\1", "").unwrap();
    assert!(matches!(&ast.root, Node::Set(s) if s.contains(1)));
    let ast = parse("\\k", "").unwrap();
    assert!(matches!(&ast.root, Node::Set(s) if s.contains(u32::from('k'))));
    // The i flag folds ASCII case.
    let ast = parse("[a-c]", "i").unwrap();
    assert!(matches!(&ast.root, Node::Set(s) if s.contains(u32::from('B'))));
    // A modifier group applies only inside.
    let ast = parse("(?i:a)b", "").unwrap();
    let Node::Concat(items) = &ast.root else {
        panic!()
    };
    assert!(matches!(&items[1], Node::Set(s) if !s.contains(u32::from('B'))));
    // Surrogate pairs combine in u-mode.
    let ast = parse("\\uD83D\\uDE00", "u").unwrap();
    assert!(matches!(&ast.root, Node::Set(s) if s.contains(0x1F600)));
    // v-mode set operations.
    let ast = parse("[[a-z]--[aeiou]]", "v").unwrap();
    assert!(
        matches!(&ast.root, Node::Set(s) if s.contains(u32::from('b')) && !s.contains(u32::from('e')))
    );
    // Named references resolve to the group number.
    let ast = parse("(x)(?<n>a)\\k<n>", "").unwrap();
    let Node::Concat(items) = &ast.root else {
        panic!()
    };
    assert!(matches!(items[2], Node::BackRef { index: 2, .. }));
}

#[test]
fn malformed_patterns_report_a_position() {
    let bad: &[(&str, &str, usize)] = &[
        ("(", "", 0),
        ("a(b", "", 1),
        (")", "", 0),
        ("[z-a]", "", 1),
        ("a{2,1}", "", 1),
        ("(?<n>a)(?<n>b)", "u", 10),
        ("(?<n>a)(?<n>b)", "", 10),
        ("(?:(?<n>a)|b)(?<n>c)", "", 16),
        ("(?<n>(?<n>a)|b)", "", 8),
        ("*a", "", 0),
        ("a**", "", 2),
        ("a{1}{2}", "", 4),
        ("[a", "", 0),
        ("\\", "", 0),
        ("a{", "u", 1),
        ("\\u{110000}", "u", 0),
        ("\\1", "u", 0),
        ("\\k<x>", "u", 0),
        ("(?<=a)*", "", 6),
        ("(?=a)*", "u", 5),
        ("[\\d-z]", "u", 1),
        ("(?<1a>x)", "", 3),
        ("(?x)", "", 2),
        ("\\q", "u", 0),
    ];
    for &(p, f, pos) in bad {
        match parse(p, f) {
            Err(RegexError::Syntax {
                position, reason, ..
            }) => {
                assert_eq!(position, pos, "/{p}/{f}: {reason}");
                assert!(!reason.is_empty());
            }
            other => panic!("/{p}/{f} should fail to parse, got {other:?}"),
        }
    }
    let e = parse("(", "").unwrap_err();
    assert!(
        e.to_string().contains("/(/") && e.to_string().contains("character 0"),
        "{e}"
    );
    for flags in ["x", "gg", "uv"] {
        assert!(
            matches!(parse("a", flags), Err(RegexError::Flags { .. })),
            "{flags}"
        );
    }
}

#[test]
fn deep_nesting_errors_instead_of_overflowing() {
    for open in ["(", "(?:", "(?=", "[", "(?<n>"] {
        let p = open.repeat(10_000);
        assert!(parse(&p, "").is_err());
        assert!(parse(&p, "v").is_err());
    }
    let deep = format!("{}a{}", "(?:".repeat(10_000), ")".repeat(10_000));
    let e = parse(&deep, "").unwrap_err();
    assert!(e.to_string().contains("nesting too deep"), "{e}");
    assert!(
        parse(
            &format!("{}[a]{}", "[".repeat(10_000), "]".repeat(10_000)),
            "v"
        )
        .is_err()
    );
    // Just inside the limit, the whole pipeline runs.
    let ok = format!("^{}a+{}$", "(?:".repeat(150), ")+".repeat(150));
    let a = analyze(&ok, "", &Budget::default()).unwrap();
    assert!(a.witness.is_some() || matches!(a.verdict, tarsier_redos::Verdict::Unknown { .. }));
}

/// A small deterministic generator (xorshift), so the "random" inputs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

#[test]
fn random_inputs_never_panic() {
    const PIECES: &[&str] = &[
        "a",
        "b",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "*",
        "+",
        "?",
        "|",
        "^",
        "$",
        ".",
        "\\",
        "-",
        ",",
        "1",
        "2",
        "\\d",
        "\\w",
        "\\s",
        "\\b",
        "(?:",
        "(?=",
        "(?!",
        "(?<=",
        "(?<!",
        "(?<n>",
        "\\k<n>",
        "\\1",
        "{2,}",
        "{1,3}",
        "\\u{",
        "\\x4",
        "\\c",
        "[^",
        "--",
        "&&",
        "\\q{",
        "é",
        "\u{1F600}",
        "\0",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let flag_sets = ["", "i", "u", "v", "m", "s", "y", "iu", "gimsy"];
    let budget = Budget {
        max_states: 300,
        max_steps: 200_000,
    };
    let (mut parsed, mut analyzed, mut flagged) = (0, 0, 0);
    for round in 0..3000 {
        let len = rng.below(14);
        let mut p = String::new();
        for _ in 0..len {
            p.push_str(PIECES[rng.below(PIECES.len())]);
        }
        let flags = flag_sets[rng.below(flag_sets.len())];
        if parse(&p, flags).is_ok() {
            parsed += 1;
        }
        if round % 3 == 0
            && let Ok(a) = analyze(&p, flags, &budget)
        {
            analyzed += 1;
            if a.verdict != tarsier_redos::Verdict::Safe {
                flagged += 1;
            }
        }
    }
    // The generator must exercise the analysis, not only the error paths.
    assert!(
        parsed > 600 && analyzed > 200 && flagged > 2,
        "{parsed} {analyzed} {flagged}"
    );
    // Arbitrary code points, including controls and unpaired-looking escapes.
    for _ in 0..2000 {
        let len = rng.below(12);
        let p: String = (0..len)
            .filter_map(|_| char::from_u32(u32::try_from(rng.next() % 0x300).unwrap()))
            .collect();
        let _ = parse(&p, "");
        let _ = parse(&p, "u");
    }
}
