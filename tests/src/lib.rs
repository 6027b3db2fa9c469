//! Integration tests of tarsier live in `tests/tests/`; this library holds shared helpers.
#![forbid(unsafe_code)]
