//! tarsier rule packs: the TOML rule schema, loading, validation and the embedded default packs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
