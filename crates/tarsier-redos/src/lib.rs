//! ReDoS analysis of JavaScript regular expressions, with attack-string witnesses.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
