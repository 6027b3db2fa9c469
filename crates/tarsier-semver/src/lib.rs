//! npm's semver range semantics over the semver crate: ranges, dist-tags, version selection.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
