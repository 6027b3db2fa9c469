//! tree-sitter JavaScript parsing for tarsier: languages, per-thread parsers, compiled-query cache.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
