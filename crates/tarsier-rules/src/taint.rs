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
    /// Calls that normalise a file path (`path.resolve`, `path.join`, `fs.realpathSync`): a
    /// containment check only counts on a variable that holds their result.
    #[serde(default)]
    pub path_normalizers: Vec<String>,
    /// Methods that check containment (`startsWith`): as a statement-level guard
    /// (`if (!p.startsWith(root)) return`) they sanitise `p` for the rules that list them among
    /// their `sanitizers`, but only when `p` was assigned from one of `path-normalizers`, since
    /// a prefix check on an unnormalised path is bypassed with `../`.
    #[serde(default)]
    pub containment_methods: Vec<String>,
    /// Content-negotiation methods (`accepts(req).type(['html', 'json'])`): called with only
    /// literal choices, they return one of those literals, so the result is not request data.
    #[serde(default)]
    pub negotiators: Vec<String>,
    /// The models of `rules/models/*.toml` (sources, sinks, sanitizers and summaries of
    /// packages' APIs); not part of `taint.toml` itself.
    #[serde(skip)]
    pub models: crate::models::Models,
}
