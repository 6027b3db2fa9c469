//! Tarball download: cache first, then a size-capped download verified before it is returned.
//!
//! The expected digest comes from `dist.integrity` (the strongest algorithm listed); the legacy
//! `dist.shasum` is used only when there is no usable integrity, and a tarball with neither is
//! refused unless [`ClientOptions::allow_missing_integrity`](crate::ClientOptions) is set. Bytes
//! that do not match are an [`RegistryError::IntegrityMismatch`] and are never cached. A tarball
//! URL on a host (or port) other than the package's registry is refused unless
//! [`ClientOptions::allow_foreign_tarball_hosts`](crate::ClientOptions) is set.

use reqwest::{StatusCode, Url};

use crate::cache::{CacheProblem, Lookup};
use crate::client::RegistryClient;
use crate::error::RegistryError;
use crate::integrity::{Algorithm, ExpectedIntegrity, Integrity};
use crate::packument::Dist;
use crate::redact_url;

/// A verified tarball.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedTarball {
    /// The `.tgz` bytes.
    pub bytes: Vec<u8>,
    /// Their integrity in SRI form (the algorithm that was checked; sha512 when nothing was).
    pub integrity: String,
    /// Whether the bytes came from the cache.
    pub from_cache: bool,
    /// What the cache could not do for this tarball (a poisoned entry discarded, an entry not
    /// written), each naming the package, for the caller to report.
    pub cache_problems: Vec<CacheProblem>,
}

impl RegistryClient {
    /// Fetches the tarball of `name@version` described by `dist`, verifying it.
    pub async fn fetch_tarball(
        &self,
        name: &str,
        version: &str,
        dist: &Dist,
    ) -> Result<FetchedTarball, RegistryError> {
        let package = format!("{name}@{version}");
        let opts = self.options();
        let expected = self.expected_integrity(&package, dist)?;
        let url = self.check_tarball_url(name, &package, &dist.tarball)?;

        let mut cache_problems = Vec::new();
        if let Some(expected) = &expected {
            for digest in &expected.digests {
                let key = Integrity {
                    algorithm: expected.algorithm,
                    digest: digest.clone(),
                };
                let max = opts.max_tarball_bytes;
                let lookup = key.clone();
                match self
                    .blocking("reading a tarball", move |c| c.get_tarball(&lookup, max))
                    .await
                {
                    Some(Ok(Lookup::Hit(bytes))) => {
                        tracing::debug!(package = %package, "tarball from cache");
                        return Ok(FetchedTarball {
                            bytes,
                            integrity: key.to_sri(),
                            from_cache: true,
                            cache_problems,
                        });
                    }
                    Some(Ok(Lookup::Discarded(problem))) => {
                        cache_problems.push(problem.for_package(&package));
                    }
                    Some(Err(e)) => {
                        tracing::warn!(package = %package, error = %e, "tarball cache unusable")
                    }
                    _ => {}
                }
            }
        }
        if opts.offline {
            return Err(RegistryError::Offline {
                package,
                what: "the tarball".to_owned(),
            });
        }

        let resp = self
            .get(
                &package,
                &url,
                "application/octet-stream",
                None,
                opts.max_tarball_bytes,
            )
            .await?;
        if resp.status != StatusCode::OK {
            return Err(RegistryError::Status {
                package,
                url: redact_url(&url),
                status: resp.status.as_u16(),
            });
        }
        let bytes = resp.body;
        let Some(expected) = expected else {
            tracing::warn!(package = %package, "tarball accepted without integrity check");
            return Ok(FetchedTarball {
                integrity: Integrity::compute(Algorithm::Sha512, &bytes).to_sri(),
                bytes,
                from_cache: false,
                cache_problems,
            });
        };
        let (ok, actual) = expected.check(&bytes);
        if !ok {
            return Err(RegistryError::IntegrityMismatch {
                package,
                expected: expected.describe(),
                actual: actual.to_sri(),
            });
        }
        let stored = bytes.clone();
        let key = actual.clone();
        if let Some(Err(e)) = self
            .blocking("writing a tarball", move |c| c.put_tarball(&key, &stored))
            .await
        {
            tracing::warn!(package = %package, error = %e, "cannot cache tarball");
            cache_problems.push(CacheProblem::not_written(&e).for_package(&package));
        }
        Ok(FetchedTarball {
            bytes,
            integrity: actual.to_sri(),
            from_cache: false,
            cache_problems,
        })
    }

    /// What the tarball must hash to; `None` only when that is allowed to be unknown.
    fn expected_integrity(
        &self,
        package: &str,
        dist: &Dist,
    ) -> Result<Option<ExpectedIntegrity>, RegistryError> {
        let sri = dist.integrity.as_deref().map(ExpectedIntegrity::parse_sri);
        let result = match (sri, dist.shasum.as_deref()) {
            (Some(Ok(e)), _) => Ok(e),
            (Some(Err(sri_err)), Some(shasum)) => ExpectedIntegrity::from_shasum(shasum)
                .map_err(|e| format!("integrity: {sri_err}; shasum: {e}")),
            (Some(Err(sri_err)), None) => Err(format!("integrity: {sri_err}")),
            (None, Some(shasum)) => {
                ExpectedIntegrity::from_shasum(shasum).map_err(|e| format!("shasum: {e}"))
            }
            (None, None) => Err("neither integrity nor shasum is given".to_owned()),
        };
        match result {
            Ok(e) => Ok(Some(e)),
            Err(_) if self.options().allow_missing_integrity => Ok(None),
            Err(reason) => Err(RegistryError::MissingIntegrity {
                package: package.to_owned(),
                reason,
            }),
        }
    }

    /// Parses the tarball URL and applies the host policy.
    fn check_tarball_url(
        &self,
        name: &str,
        package: &str,
        raw: &str,
    ) -> Result<Url, RegistryError> {
        let refuse = |url: String, reason: &str| RegistryError::TarballUrl {
            package: package.to_owned(),
            url,
            reason: reason.to_owned(),
        };
        let url = Url::parse(raw).map_err(|e| refuse("<unparsable>".to_owned(), &e.to_string()))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(refuse(
                redact_url(&url),
                "only http and https are supported",
            ));
        }
        let registry = self.config().registry_for(name);
        let same_host = url.host_str() == registry.host_str()
            && url.port_or_known_default() == registry.port_or_known_default();
        if !same_host && !self.options().allow_foreign_tarball_hosts {
            return Err(refuse(
                redact_url(&url),
                &format!(
                    "it is not on the registry's host ({}); allow foreign tarball hosts to accept it",
                    registry.host_str().unwrap_or_default()
                ),
            ));
        }
        Ok(url)
    }
}
