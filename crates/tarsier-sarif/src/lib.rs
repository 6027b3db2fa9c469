//! SARIF 2.1.0 model and writer for tarsier findings, with stable partial fingerprints.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
