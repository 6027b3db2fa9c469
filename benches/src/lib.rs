//! Benchmarks of tarsier live in `benches/benches/`.
#![forbid(unsafe_code)]
