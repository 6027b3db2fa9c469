//! The tarsier command line: lint, scan, rules, as a library with a thin main.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
