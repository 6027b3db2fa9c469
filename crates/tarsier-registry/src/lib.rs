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
//! - [`cache`]: the content-addressed cache directory;
//! - [`signatures`]: the registry's signing keys, `dist.signatures` verification (ECDSA P-256)
//!   and provenance (`dist.attestations`) across versions.
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
//! Fetching needs a tokio runtime and a registry. With the `test-registry` feature,
//! `test_registry` provides an in-process loopback registry with fault injection, which this
//! example (compiled with that feature, as the crate's own tests are) uses:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use tarsier_registry::test_registry::{TestRegistry, tgz};
//! use tarsier_registry::{Cache, ClientOptions, RegistryClient, Scope, resolve_scope};
//!
//! let registry = TestRegistry::start().await?;
//! registry.add_package("send", "1.0.0", tgz(&[("package/index.js", b"module.exports = 1")]));
//!
//! let cache_dir = tempfile::tempdir()?;
//! let client = RegistryClient::new(
//!     registry.config()?,
//!     ClientOptions::default(),
//!     Some(Cache::new(cache_dir.path())?),
//! )?;
//! let scope = Scope::from_specs(&["send@^1"], false)?;
//! let outcome = resolve_scope(&client, &scope, false).await;
//! assert!(outcome.failures.is_empty());
//! for package in &outcome.packages {
//!     let tarball = client
//!         .fetch_tarball(&package.name, &package.version, &package.dist)
//!         .await?;
//!     assert!(tarball.integrity.starts_with("sha512-"));
//! }
//! # Ok(()) }
//! ```
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
pub mod signatures;
#[cfg(feature = "test-registry")]
pub mod test_registry;

pub use cache::{Cache, CacheProblem, CacheProblemKind, Lookup, default_cache_dir};
pub use client::{ClientOptions, RegistryClient};
pub use config::{ConfigSource, RegistryConfig, Token, resolve_registry};
pub use error::RegistryError;
pub use fetch::FetchedTarball;
pub use packument::{Dist, Packument, PackumentVersion};
/// The URL type used in configurations (re-exported so callers need no HTTP dependency).
pub use reqwest::Url;
pub use resolve::{ResolveOutcome, ResolvedPackage, resolve_scope};
pub use scope::{DEFAULT_SCOPE, Scope, ScopeEntry, parse_package_spec};
pub use signatures::{
    Provenance, PublisherSignals, RegistryKey, RegistryKeys, SignatureStatus, provenance,
    publisher_signals, verify_signatures,
};
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
