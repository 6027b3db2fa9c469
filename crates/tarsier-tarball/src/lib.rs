//! Safe in-memory unpacking of untrusted npm tarballs (gzip + tar) with limits.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
