//! The crate's single error type.
//!
//! Every variant names what it was about (a package, a file or a URL) and why it failed, so a
//! caller can turn it into a notification without more context. URLs in errors are always
//! passed through [`crate::redact_url`] first, and tokens never appear in any message.

use std::path::PathBuf;

/// Everything that can go wrong while configuring, fetching, caching or resolving.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No registry URL was found in any of the places npm users configure it.
    #[error(
        "no npm registry configured (looked at: {searched}); set one with `--registry <url>`, \
         the environment variable NPM_CONFIG_REGISTRY, or a line `registry=<url>` in .npmrc"
    )]
    NoRegistry {
        /// The places that were looked at, in order.
        searched: String,
    },

    /// A configured registry URL is not a usable http(s) URL.
    #[error("invalid registry URL `{url}` from {origin}: {reason}")]
    InvalidRegistryUrl {
        /// The URL, credentials removed.
        url: String,
        /// Where it came from (flag, variable or file).
        origin: String,
        /// Why it is unusable.
        reason: String,
    },

    /// A configuration file (such as `.npmrc`) could not be read.
    #[error("cannot read config file {}: {reason}", path.display())]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },

    /// A scope file is not valid.
    #[error("invalid scope file {file}: {reason}")]
    Scope {
        /// The file (or `<default scope>`).
        file: String,
        /// What is wrong.
        reason: String,
    },

    /// A package specification such as `send@0.18.0` could not be understood.
    #[error("invalid package spec `{spec}`: {reason}")]
    InvalidSpec {
        /// The spec as given.
        spec: String,
        /// What is wrong.
        reason: String,
    },

    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {reason}")]
    Client {
        /// Why.
        reason: String,
    },

    /// A request failed at the network level (after all retries).
    #[error("request for {package} to {url} failed after {tries} tries: {reason}")]
    Network {
        /// The package the request was for.
        package: String,
        /// The URL, credentials removed.
        url: String,
        /// How many attempts were made.
        tries: u32,
        /// The last failure.
        reason: String,
    },

    /// The host of a request (the registry's, or a tarball's) could not be resolved to an
    /// address (after all retries).
    #[error(
        "could not resolve host `{host}` (request for {package} to {url}, {tries} tries): {reason}"
    )]
    Dns {
        /// The package the request was for.
        package: String,
        /// The host name that did not resolve.
        host: String,
        /// The URL, credentials removed.
        url: String,
        /// How many attempts were made.
        tries: u32,
        /// What the resolver said.
        reason: String,
    },

    /// A request timed out (after all retries).
    #[error("request for {package} to {url} timed out after {tries} tries")]
    Timeout {
        /// The package the request was for.
        package: String,
        /// The URL, credentials removed.
        url: String,
        /// How many attempts were made.
        tries: u32,
    },

    /// The registry answered with an unexpected HTTP status (after all retries).
    #[error("request for {package} to {url} failed with HTTP status {status}")]
    Status {
        /// The package the request was for.
        package: String,
        /// The URL, credentials removed.
        url: String,
        /// The HTTP status code.
        status: u16,
    },

    /// The registry does not know the package, or no longer has the version's tarball (HTTP 404).
    #[error("{package}: not found on the registry (HTTP 404 from {url})")]
    NotFound {
        /// The package.
        package: String,
        /// The URL, credentials removed.
        url: String,
    },

    /// A packument is not valid JSON or lacks required fields.
    #[error("malformed packument for {package} from {url}: {reason}")]
    MalformedPackument {
        /// The package.
        package: String,
        /// The URL (credentials removed) or cache file it came from.
        url: String,
        /// What is wrong.
        reason: String,
    },

    /// The registry's signing keys (`/-/npm/v1/keys`) are not a valid key document.
    #[error("malformed signing keys from {url}: {reason}")]
    MalformedKeys {
        /// The URL (credentials removed) the keys came from.
        url: String,
        /// What is wrong.
        reason: String,
    },

    /// The requested version (or tag) is not in the packument.
    #[error("{package}: no version matches `{wanted}`")]
    NoMatchingVersion {
        /// The package.
        package: String,
        /// The version, range or tag that was asked for.
        wanted: String,
    },

    /// A dependency is not on the registry (git, file, URL, ... specifiers).
    #[error("{package}: dependency spec `{spec}` is not a registry version range; skipped")]
    NonRegistryDependency {
        /// The dependency's name.
        package: String,
        /// Its specifier.
        spec: String,
    },

    /// A body was larger than allowed.
    #[error("response for {package} from {url} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The package.
        package: String,
        /// The URL, credentials removed.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// The downloaded tarball does not match the integrity in the packument.
    #[error("integrity mismatch for {package}: expected {expected}, got {actual}")]
    IntegrityMismatch {
        /// `name@version`.
        package: String,
        /// The expected SRI (or shasum).
        expected: String,
        /// What the downloaded bytes hash to, in the same algorithm.
        actual: String,
    },

    /// The packument gives no usable integrity or shasum for a tarball.
    #[error("{package}: no usable integrity in the packument ({reason})")]
    MissingIntegrity {
        /// `name@version`.
        package: String,
        /// Why (absent, unknown algorithm, bad encoding...).
        reason: String,
    },

    /// A tarball URL is unusable or points to a host other than the registry.
    #[error("refusing tarball URL {url} for {package}: {reason}")]
    TarballUrl {
        /// `name@version`.
        package: String,
        /// The URL, credentials removed.
        url: String,
        /// Why it is refused.
        reason: String,
    },

    /// Offline mode and the cache does not have what was asked for.
    #[error("offline: {what} for {package} is not in the cache")]
    Offline {
        /// The package.
        package: String,
        /// What was missing (packument, tarball).
        what: String,
    },

    /// The on-disk cache failed.
    #[error("cache error at {}: {reason}", path.display())]
    Cache {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },

    /// Version selection failed (bad range, ...).
    #[error("{package}: cannot select versions for `{wanted}`: {reason}")]
    Selection {
        /// The package.
        package: String,
        /// The selector.
        wanted: String,
        /// Why.
        reason: String,
    },
}
