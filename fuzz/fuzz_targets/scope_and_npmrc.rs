//! Fuzzes the scope-file parser and the `.npmrc` parser on the same text.
//!
//! `.npmrc` is parsed twice: with no environment (`${VAR}` unset) and with an environment that
//! defines every variable whose name starts with `T`, so both branches of the expansion run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tarsier_registry::{Scope, config::Npmrc};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Scope::parse(text, "f.toml");
    let _ = Npmrc::parse(text, &|_| None);
    let _ = Npmrc::parse(text, &|name| {
        name.starts_with('T').then(|| format!("<{name}>"))
    });
});
