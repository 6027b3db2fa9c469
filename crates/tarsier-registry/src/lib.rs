//! The only tarsier crate that touches the network: npm configuration, the scan scope,
//! packuments, tarball download with integrity verification, and the on-disk cache.
//!
//! The pieces, in the order a scan uses them:
//!
//! - [`config`]: the registry URL, scoped registries and tokens, from the flag, the environment,
//!   `.npmrc` files or `npm` itself, as npm users expect;
//! - [`scope`]: which packages and versions to scan (a TOML file or the embedded default);
//! - [`client`]: the HTTP client (bounded concurrency, timeouts, retries, ETag revalidation);
//! - [`resolve`]: scope entries (and optionally their dependencies) to concrete versions;
//! - [`fetch`]: tarballs, verified against the packument's integrity before they are returned;
//! - [`cache`]: the content-addressed cache directory.
//!
//! # Example
//!
//! ```
//! use tarsier_registry::{RegistryConfig, Scope, parse_package_spec};
//!
//! let config = RegistryConfig::new("http://127.0.0.1:4873/").unwrap();
//! assert_eq!(config.registry_for("express").as_str(), "http://127.0.0.1:4873/");
//!
//! let scope = Scope::default_scope().unwrap();
//! assert!(scope.packages.iter().any(|p| p.name == "express"));
//!
//! let entry = parse_package_spec("@scope/x@^2").unwrap();
//! assert_eq!(entry.name, "@scope/x");
//! ```
//!
//! Fetching needs a runtime and a registry; see [`resolve::resolve_scope`] and
//! [`RegistryClient::fetch_tarball`]. With the `test-registry` feature, `test_registry` provides
//! an in-process loopback registry with fault injection for tests.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cache;
pub mod client;
pub mod config;
pub mod error;
pub mod fetch;
pub mod integrity;
pub mod packument;
pub mod resolve;
pub mod scope;
#[cfg(feature = "test-registry")]
pub mod test_registry;

pub use cache::{Cache, default_cache_dir};
pub use client::{ClientOptions, RegistryClient};
pub use config::{ConfigSource, RegistryConfig, Token, resolve_registry};
pub use error::RegistryError;
pub use fetch::FetchedTarball;
pub use packument::{Dist, Packument, PackumentVersion};
pub use resolve::{ResolveOutcome, ResolvedPackage, resolve_scope};
pub use scope::{DEFAULT_SCOPE, Scope, ScopeEntry, parse_package_spec};
pub use tarsier_semver::Selector;

/// A URL as it may appear in messages and logs: user name, password and query removed.
pub fn redact_url(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    if u.query().is_some() {
        u.set_query(Some("***"));
    }
    u.to_string()
}
