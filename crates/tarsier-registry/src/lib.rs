//! The only tarsier crate that touches the network: npm configuration, packuments, tarballs, cache.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
