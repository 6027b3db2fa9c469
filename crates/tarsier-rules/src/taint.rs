//! The request-data model of `rules/taint.toml`: which expressions carry data from the network
//! (the Express threat model's untrusted input) and which calls make it safe.

use serde::Deserialize;

/// Sources and sanitizers for taint tracking, as data.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TaintSpec {
    /// Names a request object goes by in handlers (`req`, `request`). The first parameter of a
    /// function whose second parameter is named like a response is treated as a request too.
    pub request_names: Vec<String>,
    /// Names a response object goes by (`res`, `response`), used to recognise handlers.
    pub response_names: Vec<String>,
    /// Properties of the request that hold network data (`query`, `body`, `headers`, `url`, ...).
    pub request_properties: Vec<String>,
    /// Methods of the request that return network data (`get`, `header`, `param`).
    pub request_methods: Vec<String>,
    /// Calls whose result is safe whatever their argument (`encodeURIComponent`, `parseInt`,
    /// `escapeHtml`); matched against the callee's last name.
    pub sanitizers: Vec<String>,
}
