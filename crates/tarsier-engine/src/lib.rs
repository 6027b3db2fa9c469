//! tarsier's matching engine: runs compiled rules over parsed files in parallel.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
