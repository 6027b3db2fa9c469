//! `Selector::parse` and `select`: classification, tags, ranges, `all`, `last:N`, ordering.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use semver::Version;
use tarsier_semver::{Selector, SemverError, select};

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

/// Deliberately unordered, with prereleases and a build-metadata twin.
fn versions() -> Vec<Version> {
    [
        "4.21.2",
        "3.0.0",
        "5.0.0-beta.1",
        "4.17.1",
        "4.0.0",
        "5.1.0",
        "4.21.2-rc.0",
        "0.14.1",
        "5.0.0",
        "4.17.1+rebuild",
    ]
    .iter()
    .map(|s| v(s))
    .collect()
}

fn tags() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("latest".to_owned(), "5.1.0".to_owned()),
        ("next".to_owned(), "5.0.0-beta.1".to_owned()),
        ("v4-latest".to_owned(), "v4.21.2".to_owned()),
        ("broken".to_owned(), "not a version".to_owned()),
        ("gone".to_owned(), "9.9.9".to_owned()),
    ])
}

fn pick(selector: &str, incpr: bool) -> Result<Vec<String>, SemverError> {
    let selector = Selector::parse(selector)?;
    Ok(select(&selector, &versions(), &tags(), incpr)?
        .iter()
        .map(ToString::to_string)
        .collect())
}

#[test]
fn parse_classifies_like_npm_package_arg() {
    assert_eq!(Selector::parse("").unwrap(), Selector::Tag("latest".into()));
    assert_eq!(
        Selector::parse("   ").unwrap(),
        Selector::Tag("latest".into())
    );
    assert_eq!(Selector::parse("all").unwrap(), Selector::All);
    assert_eq!(Selector::parse("last:1").unwrap(), Selector::Last(1));
    assert_eq!(Selector::parse("last:25").unwrap(), Selector::Last(25));
    assert_eq!(
        Selector::parse("4.21.2").unwrap(),
        Selector::Version(v("4.21.2"))
    );
    assert_eq!(
        Selector::parse(" =v4.21.2 ").unwrap(),
        Selector::Version(v("4.21.2"))
    );
    for range in ["^4", "4.x", "*", ">=1.19.0 <2", "1.2.3 - 2", "~4.17 || 5"] {
        match Selector::parse(range).unwrap() {
            Selector::Range(r) => assert_eq!(r.raw(), range),
            other => panic!("{range:?} classified as {other:?}"),
        }
    }
    for tag in ["latest", "next", "beta-2", "v4-latest", "release_1.x!"] {
        assert_eq!(Selector::parse(tag).unwrap(), Selector::Tag(tag.into()));
    }
}

#[test]
fn parse_uses_node_semver_loose_mode_like_npm_package_arg() {
    // Answers of semver.valid(spec, true) / semver.validRange(spec, true), as npm-package-arg
    // classifies them.
    assert_eq!(
        Selector::parse("1.2.3beta").unwrap(),
        Selector::Version(v("1.2.3-beta"))
    );
    assert_eq!(
        Selector::parse("01.02.03").unwrap(),
        Selector::Version(v("1.2.3"))
    );
    for (spec, normal) in [
        ("01.x", ">=1.0.0 <2.0.0-0"),
        ("v1", ">=1.0.0 <2.0.0-0"),
        ("1.2.3 foo", "1.2.3"),
    ] {
        match Selector::parse(spec).unwrap() {
            Selector::Range(r) => assert_eq!(r.to_string(), normal, "{spec:?}"),
            other => panic!("{spec:?} classified as {other:?}"),
        }
    }
    for tag in ["next-2", "beta", "canary", "rc", "nxt"] {
        assert_eq!(Selector::parse(tag).unwrap(), Selector::Tag(tag.into()));
    }
}

#[test]
fn parse_rejects_bad_selectors_naming_them() {
    for bad in [
        "last:0",
        "last:",
        "last:x",
        "last:-1",
        "last:99999999999999999999999",
        "no/slash",
        "spaced tag",
        "tag@1",
        "é",
    ] {
        let err = Selector::parse(bad).unwrap_err();
        assert!(
            matches!(err, SemverError::InvalidSelector { .. }),
            "{bad:?}: {err:?}"
        );
        assert!(err.to_string().contains(bad), "{bad:?}: {err}");
    }
}

#[test]
fn display_round_trips() {
    for s in ["all", "last:3", "latest", "4.21.2", ">=4.0.0 <5.0.0-0"] {
        let sel = Selector::parse(s).unwrap();
        assert_eq!(sel.to_string(), s);
        assert_eq!(Selector::parse(&sel.to_string()).unwrap(), sel);
    }
}

#[test]
fn range_picks_every_match_in_ascending_order() {
    assert_eq!(
        pick("^4", false).unwrap(),
        ["4.0.0", "4.17.1", "4.17.1+rebuild", "4.21.2"]
    );
    assert_eq!(
        pick("^4", true).unwrap(),
        ["4.0.0", "4.17.1", "4.17.1+rebuild", "4.21.2-rc.0", "4.21.2"]
    );
    // A range naming a prerelease admits prereleases of that same version only.
    assert_eq!(
        pick(">=4.21.2-rc.0 <6", false).unwrap(),
        ["4.21.2-rc.0", "4.21.2", "5.0.0", "5.1.0"]
    );
    assert_eq!(pick("<1 || 3", false).unwrap(), ["0.14.1", "3.0.0"]);
}

#[test]
fn exact_version_must_exist() {
    assert_eq!(pick("4.21.2", false).unwrap(), ["4.21.2"]);
    // Exact prereleases need no include_prerelease.
    assert_eq!(pick("5.0.0-beta.1", false).unwrap(), ["5.0.0-beta.1"]);
    let err = pick("4.22.0", false).unwrap_err();
    assert!(matches!(err, SemverError::NoMatch { .. }), "{err:?}");
    assert!(err.to_string().contains("4.22.0"), "{err}");
}

#[test]
fn tags_resolve_and_unknown_tags_list_the_known_ones() {
    assert_eq!(pick("", false).unwrap(), ["5.1.0"]);
    assert_eq!(pick("latest", false).unwrap(), ["5.1.0"]);
    assert_eq!(pick("next", false).unwrap(), ["5.0.0-beta.1"]);
    assert_eq!(pick("v4-latest", false).unwrap(), ["4.21.2"]);

    let err = pick("nxt", false).unwrap_err();
    assert_eq!(
        err,
        SemverError::UnknownTag {
            tag: "nxt".into(),
            known: "broken, gone, latest, next, v4-latest".into()
        }
    );
    assert!(err.to_string().contains("nxt"), "{err}");
    assert!(err.to_string().contains("latest, next"), "{err}");

    let err = select(
        &Selector::parse("").unwrap(),
        &versions(),
        &BTreeMap::new(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("known tags: none"), "{err}");
}

#[test]
fn tags_pointing_nowhere_are_errors() {
    let err = pick("broken", false).unwrap_err();
    assert!(matches!(err, SemverError::BadTagTarget { .. }), "{err:?}");
    assert!(err.to_string().contains("not a version"), "{err}");
    let err = pick("gone", false).unwrap_err();
    assert!(err.to_string().contains("9.9.9"), "{err}");
    assert!(err.to_string().contains("not in the package"), "{err}");
}

#[test]
fn all_and_last_are_ascending_and_skip_prereleases_unless_asked() {
    assert_eq!(
        pick("all", false).unwrap(),
        [
            "0.14.1",
            "3.0.0",
            "4.0.0",
            "4.17.1",
            "4.17.1+rebuild",
            "4.21.2",
            "5.0.0",
            "5.1.0"
        ]
    );
    assert_eq!(pick("all", true).unwrap().len(), versions().len());
    assert_eq!(pick("last:2", false).unwrap(), ["5.0.0", "5.1.0"]);
    assert_eq!(
        pick("last:3", true).unwrap(),
        ["5.0.0-beta.1", "5.0.0", "5.1.0"]
    );
    assert_eq!(
        pick("last:100", false).unwrap(),
        pick("all", false).unwrap()
    );
}

#[test]
fn output_does_not_depend_on_input_order() {
    let mut reversed = versions();
    reversed.reverse();
    for s in ["all", "^4", "last:4"] {
        let sel = Selector::parse(s).unwrap();
        assert_eq!(
            select(&sel, &versions(), &tags(), true).unwrap(),
            select(&sel, &reversed, &tags(), true).unwrap(),
            "{s}"
        );
    }
}

#[test]
fn empty_picks_are_errors() {
    for s in ["^9", "all", "last:3"] {
        let sel = Selector::parse(s).unwrap();
        let err = select(&sel, &[], &tags(), false).unwrap_err();
        assert!(matches!(err, SemverError::NoMatch { .. }), "{s}: {err:?}");
    }
    let only_pre = [v("1.0.0-rc.1")];
    let err = select(&Selector::All, &only_pre, &tags(), false).unwrap_err();
    assert!(err.to_string().contains("prereleases excluded"), "{err}");
    assert_eq!(
        select(&Selector::All, &only_pre, &tags(), true).unwrap(),
        only_pre
    );
}
