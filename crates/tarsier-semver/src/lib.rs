//! npm's semver range semantics over the [`semver`] crate: ranges, dist-tags, version selection.
//!
//! Cargo's `VersionReq` reads ranges differently from npm (`^0.x`, hyphen ranges, `||`,
//! x-ranges, loose forms such as `v1.2.3`, the prerelease rules), so this crate ports
//! node-semver's range layer and checks itself against a table of node-semver's own answers.
//! [`semver::Version`] stays the version type.
//!
//! - [`Range`]: parse (`semver.validRange`, strict or loose), normalise
//!   ([`Display`](std::fmt::Display)) and match (`semver.satisfies`); [`max_satisfying`].
//! - [`parse_version`], [`parse_version_loose`] and [`compare`]: npm's version syntax and order.
//! - [`Selector`] and [`select()`]: what a scope entry asks for (`4.21.2`, `^4`, `latest`, `all`,
//!   `last:3`) and the versions of a package it picks.
//!
//! Fidelity: `tests/npm_answers.json` holds node-semver 7.8.6's answers (normal form,
//! `satisfies` with and without `includePrerelease`, `maxSatisfying`, strict and loose) for
//! ~190 hand-written ranges and 600 seeded random token strings over 44 versions; every one
//! is checked. The one known difference: in loose mode a numeric prerelease identifier of
//! 2<sup>53</sup>-1 or more written with leading zeros (`1.2.3-beta.09007199254740993`) loses
//! the zeros in the normal form, because `semver::Prerelease` cannot hold them.
//!
//! ```
//! use std::collections::BTreeMap;
//! use semver::Version;
//! use tarsier_semver::{Range, Selector, select};
//!
//! let range: Range = "^4.17 || 5.0.0-beta.1".parse()?;
//! assert_eq!(range.to_string(), ">=4.17.0 <5.0.0-0||5.0.0-beta.1");
//!
//! let versions: Vec<Version> = ["4.16.4", "4.17.1", "4.21.2", "5.0.0-beta.1", "5.1.0"]
//!     .iter()
//!     .map(|v| Version::parse(v).unwrap())
//!     .collect();
//! let tags = BTreeMap::from([("latest".to_owned(), "5.1.0".to_owned())]);
//!
//! let picked = select(&Selector::parse("^4.17")?, &versions, &tags, false)?;
//! assert_eq!(picked, [Version::new(4, 17, 1), Version::new(4, 21, 2)]);
//! let latest = select(&Selector::parse("")?, &versions, &tags, false)?;
//! assert_eq!(latest, [Version::new(5, 1, 0)]);
//! assert!(select(&Selector::parse("next")?, &versions, &tags, false).is_err());
//! # Ok::<(), tarsier_semver::SemverError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod range;
mod re;
mod select;
mod version;

pub use error::SemverError;
pub use range::{Range, max_satisfying};
pub use select::{Selector, select};
pub use version::{compare, parse_version, parse_version_loose};
