//! The HTTP client: packuments, with bounded concurrency, timeouts, retries and revalidation.
//!
//! Every request goes through one retry loop: at most [`ClientOptions::max_tries`] attempts,
//! retrying 5xx and 429 (honouring `Retry-After` seconds, capped by
//! [`ClientOptions::max_retry_after`]), timeouts, connection failures and bodies cut short, with
//! exponential backoff plus jitter in between. A host name that does not resolve is retried too
//! (resolution failures are often transient) and then reported as [`RegistryError::Dns`], naming
//! the host. 404 is final. A semaphore bounds the requests in flight (a permit is held for one
//! attempt, never during a backoff). Packuments are revalidated against the cache with
//! `If-None-Match`; a 304 reuses the cached body. A token is sent as `Authorization: Bearer`
//! only to URLs its `.npmrc` prefix covers, and never appears in errors or logs: URLs are passed
//! through [`crate::redact_url`] and `reqwest` errors are stripped of their URL.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{StatusCode, Url, header};
use tokio::sync::{OnceCell, Semaphore};

use crate::cache::{Cache, CacheProblem, CachedPackument, Lookup};
use crate::config::RegistryConfig;
use crate::error::RegistryError;
use crate::packument::Packument;
use crate::redact_url;
use crate::scope::validate_package_name;

/// Redirects followed at most per request.
const MAX_REDIRECTS: usize = 10;

/// Tuning and policy of a [`RegistryClient`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Requests in flight at most (default 16).
    pub concurrency: usize,
    /// TCP/TLS connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Whole-request timeout, body included (default 60 s).
    pub request_timeout: Duration,
    /// Attempts per request, first included (default 4).
    pub max_tries: u32,
    /// The first backoff delay; doubled per retry, plus up to 100% jitter (default 250 ms).
    pub retry_base_delay: Duration,
    /// The longest backoff delay (default 10 s).
    pub max_retry_delay: Duration,
    /// The longest `Retry-After` honoured (default 30 s).
    pub max_retry_after: Duration,
    /// The largest tarball accepted (default 256 MiB).
    pub max_tarball_bytes: u64,
    /// The largest packument accepted (default 128 MiB).
    pub max_packument_bytes: u64,
    /// Accept tarball URLs on hosts other than the package's registry, and redirects to other
    /// hosts (default false).
    pub allow_foreign_tarball_hosts: bool,
    /// Accept tarballs whose packument gives neither integrity nor shasum (default false).
    pub allow_missing_integrity: bool,
    /// Use only the cache, never the network (default false).
    pub offline: bool,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Resolve host names with this table instead of the system resolver, and use no proxy
    /// (default `None`). For tests only, so that a host that does not resolve can be tested
    /// without a DNS query leaving the machine.
    #[cfg(feature = "test-registry")]
    pub test_resolver: Option<crate::test_registry::TestResolver>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            concurrency: 16,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_tries: 4,
            retry_base_delay: Duration::from_millis(250),
            max_retry_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(30),
            max_tarball_bytes: 256 * 1024 * 1024,
            max_packument_bytes: 128 * 1024 * 1024,
            allow_foreign_tarball_hosts: false,
            allow_missing_integrity: false,
            offline: false,
            user_agent: concat!("tarsier/", env!("CARGO_PKG_VERSION")).to_owned(),
            #[cfg(feature = "test-registry")]
            test_resolver: None,
        }
    }
}

/// A registry client. Cheap to clone: clones share the connection pool, the concurrency limit,
/// the cache and the in-memory packument memo.
#[derive(Clone)]
pub struct RegistryClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("config", &self.inner.config)
            .field("cache", &self.inner.cache)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) config: RegistryConfig,
    pub(crate) cache: Option<Cache>,
    pub(crate) options: ClientOptions,
    semaphore: Semaphore,
    /// One cell per package name, so concurrent requests for one packument fetch it once.
    memo: Mutex<HashMap<String, Arc<OnceCell<Arc<Packument>>>>>,
    /// What the cache could not do for packuments, until [`RegistryClient::take_cache_problems`].
    problems: Mutex<Vec<CacheProblem>>,
}

/// A successful (200 or 304) response.
pub(crate) struct HttpOk {
    pub(crate) status: StatusCode,
    pub(crate) etag: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// How one attempt failed.
enum Attempt {
    /// Worth another try, after at least this long (from `Retry-After`).
    Retry(RegistryError, Option<Duration>),
    /// Final.
    Fail(RegistryError),
}

/// A `reqwest` error as text, without the URL (which may carry credentials), sources included.
fn describe(e: &reqwest::Error) -> String {
    let text = chain_text(std::error::Error::source(e));
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "reading the body failed"
    } else if e.is_redirect() {
        "redirect failed"
    } else {
        "request failed"
    };
    if text.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {text}")
    }
}

/// The sources of an error, joined with `: `.
fn chain_text(mut source: Option<&(dyn std::error::Error + 'static)>) -> String {
    let mut text = String::new();
    while let Some(s) = source {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// What the resolver said, when `e` failed because a host name could not be resolved.
///
/// `reqwest` says only "error sending request" and hides the cause in its source chain, where
/// the connector reports a failed lookup as a connect error reading "dns error" whose own
/// source is the resolver's error (for the system resolver, `getaddrinfo`'s message).
fn dns_failure(e: &reqwest::Error) -> Option<String> {
    if !e.is_connect() {
        return None;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.to_string() == "dns error" {
            let reason = chain_text(s.source());
            return Some(if reason.is_empty() {
                "the resolver found no address".to_owned()
            } else {
                reason
            });
        }
        source = s.source();
    }
    None
}

/// A number in `[0, 1)` that differs from call to call (jitter needs no stronger randomness).
fn jitter() -> f64 {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let bits = std::collections::hash_map::RandomState::new().hash_one(seed);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The packument URL of a package: `{registry}{name}`, with `@scope/x` as `@scope%2fx`.
pub(crate) fn packument_url(registry: &Url, name: &str) -> Result<Url, RegistryError> {
    let encoded = name.replacen('/', "%2f", 1);
    registry
        .join(&encoded)
        .map_err(|e| RegistryError::InvalidSpec {
            spec: name.to_owned(),
            reason: format!("cannot build its URL: {e}"),
        })
}

impl RegistryClient {
    /// A client for `config`, caching in `cache` when given.
    pub fn new(
        config: RegistryConfig,
        options: ClientOptions,
        cache: Option<Cache>,
    ) -> Result<Self, RegistryError> {
        let allow_foreign = options.allow_foreign_tarball_hosts;
        // Redirects stay on the host of the original request unless foreign hosts are allowed
        // (reqwest drops the Authorization header on a cross-host redirect either way).
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            let same_host = attempt.previous().first().is_none_or(|first| {
                first.host_str() == attempt.url().host_str()
                    && first.port_or_known_default() == attempt.url().port_or_known_default()
            });
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if !same_host && !allow_foreign {
                attempt.error("refusing a redirect to another host")
            } else {
                attempt.follow()
            }
        });
        let builder = reqwest::Client::builder()
            .redirect(redirects)
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(options.user_agent.clone());
        // A proxy would resolve names itself, so a test resolver implies no proxy.
        #[cfg(feature = "test-registry")]
        let builder = match &options.test_resolver {
            Some(resolver) => builder.dns_resolver(Arc::new(resolver.clone())).no_proxy(),
            None => builder,
        };
        let http = builder.build().map_err(|e| RegistryError::Client {
            reason: describe(&e),
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                semaphore: Semaphore::new(options.concurrency.max(1)),
                config,
                cache,
                options,
                memo: Mutex::new(HashMap::new()),
                problems: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &RegistryConfig {
        &self.inner.config
    }

    /// The options.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// The cache, if any.
    pub fn cache(&self) -> Option<&Cache> {
        self.inner.cache.as_ref()
    }

    /// What the cache could not do for packuments since the last call (an unusable entry
    /// discarded, an entry not written), each naming its package. Tarballs carry theirs in
    /// [`FetchedTarball::cache_problems`](crate::FetchedTarball).
    pub fn take_cache_problems(&self) -> Vec<CacheProblem> {
        std::mem::take(
            &mut *self
                .inner
                .problems
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    fn record_cache_problem(&self, problem: CacheProblem) {
        self.inner
            .problems
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(problem);
    }

    /// GETs `url` with retries; returns 200 or (when `if_none_match` was sent) 304.
    pub(crate) async fn get(
        &self,
        package: &str,
        url: &Url,
        accept: &str,
        if_none_match: Option<&str>,
        max_bytes: u64,
    ) -> Result<HttpOk, RegistryError> {
        let opts = &self.inner.options;
        let tries = opts.max_tries.max(1);
        let mut attempt = 1;
        loop {
            let outcome =
                {
                    let _permit = self.inner.semaphore.acquire().await.map_err(|_| {
                        RegistryError::Client {
                            reason: "the client is shutting down".to_owned(),
                        }
                    })?;
                    self.attempt(package, url, accept, if_none_match, max_bytes, attempt)
                        .await
                };
            match outcome {
                Ok(ok) => return Ok(ok),
                Err(Attempt::Fail(e)) => return Err(e),
                Err(Attempt::Retry(e, _)) if attempt >= tries => return Err(e),
                Err(Attempt::Retry(e, retry_after)) => {
                    let exp = opts
                        .retry_base_delay
                        .saturating_mul(1u32 << (attempt - 1).min(16));
                    let backoff = Duration::try_from_secs_f64(exp.as_secs_f64() * (1.0 + jitter()))
                        .unwrap_or(opts.max_retry_delay)
                        .min(opts.max_retry_delay);
                    let delay = match retry_after {
                        Some(ra) => ra.min(opts.max_retry_after),
                        None => backoff,
                    };
                    tracing::debug!(
                        package,
                        url = %redact_url(url),
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %e,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(
        &self,
        package: &str,
        url: &Url,
        accept: &str,
        if_none_match: Option<&str>,
        max_bytes: u64,
        attempt: u32,
    ) -> Result<HttpOk, Attempt> {
        let redacted = redact_url(url);
        let network = |e: &reqwest::Error| {
            if let Some(reason) = dns_failure(e) {
                // The host that failed: after a redirect it is not the first URL's.
                let host = e
                    .url()
                    .and_then(Url::host_str)
                    .or_else(|| url.host_str())
                    .unwrap_or_default()
                    .to_owned();
                RegistryError::Dns {
                    package: package.to_owned(),
                    host,
                    url: redacted.clone(),
                    tries: attempt,
                    reason,
                }
            } else if e.is_timeout() {
                RegistryError::Timeout {
                    package: package.to_owned(),
                    url: redacted.clone(),
                    tries: attempt,
                }
            } else {
                RegistryError::Network {
                    package: package.to_owned(),
                    url: redacted.clone(),
                    tries: attempt,
                    reason: describe(e),
                }
            }
        };
        let mut req = self
            .inner
            .http
            .get(url.clone())
            .header(header::ACCEPT, accept);
        if let Some(etag) = if_none_match {
            req = req.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(token) = self.inner.config.token_for(url) {
            let mut value =
                header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                    .map_err(|_| {
                        Attempt::Fail(RegistryError::Client {
                            reason: format!(
                                "the token configured for {redacted} is not a valid header value"
                            ),
                        })
                    })?;
            value.set_sensitive(true);
            req = req.header(header::AUTHORIZATION, value);
        }
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_builder() || e.is_redirect() => return Err(Attempt::Fail(network(&e))),
            Err(e) => return Err(Attempt::Retry(network(&e), None)),
        };
        let status = resp.status();
        let status_err = || RegistryError::Status {
            package: package.to_owned(),
            url: redacted.clone(),
            status: status.as_u16(),
        };
        match status {
            StatusCode::OK | StatusCode::NOT_MODIFIED => {}
            StatusCode::NOT_FOUND => {
                return Err(Attempt::Fail(RegistryError::NotFound {
                    package: package.to_owned(),
                    url: redacted.clone(),
                }));
            }
            s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
                // `Retry-After` in seconds; the HTTP-date form falls back to the backoff.
                let retry_after = resp
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                return Err(Attempt::Retry(status_err(), retry_after));
            }
            _ => return Err(Attempt::Fail(status_err())),
        }
        let etag = resp
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let too_large = || RegistryError::TooLarge {
            package: package.to_owned(),
            url: redacted.clone(),
            limit: max_bytes,
        };
        if resp.content_length().is_some_and(|len| len > max_bytes) {
            return Err(Attempt::Fail(too_large()));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > max_bytes {
                        return Err(Attempt::Fail(too_large()));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(Attempt::Retry(network(&e), None)),
            }
        }
        Ok(HttpOk { status, etag, body })
    }

    /// Runs blocking cache work off the async threads.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce(&Cache) -> Result<T, RegistryError> + Send + 'static,
    ) -> Option<Result<T, RegistryError>> {
        let cache = self.inner.cache.clone()?;
        let what = what.to_owned();
        Some(
            tokio::task::spawn_blocking(move || f(&cache))
                .await
                .unwrap_or_else(|e| {
                    Err(RegistryError::Cache {
                        path: std::path::PathBuf::from("<cache>"),
                        reason: format!("{what}: the cache task failed: {e}"),
                    })
                }),
        )
    }

    /// Fetches (or reads from cache) the packument of `name`.
    ///
    /// Within one client a packument is fetched at most once per name (concurrent callers wait
    /// for the same fetch) and then shared; a failed fetch is not remembered.
    pub async fn packument(&self, name: &str) -> Result<Arc<Packument>, RegistryError> {
        validate_package_name(name)?;
        let cell = {
            let mut memo = self
                .inner
                .memo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(memo.entry(name.to_owned()).or_default())
        };
        cell.get_or_try_init(|| self.load_packument(name))
            .await
            .cloned()
    }

    async fn load_packument(&self, name: &str) -> Result<Arc<Packument>, RegistryError> {
        let registry = self.inner.config.registry_for(name).clone();
        let url = packument_url(&registry, name)?;
        let registry_key = redact_url(&registry);
        let max = self.inner.options.max_packument_bytes;

        let owned = name.to_owned();
        let cached = match self
            .blocking("reading a packument", move |c| c.get_packument(&owned, max))
            .await
        {
            Some(Ok(Lookup::Hit(entry))) if entry.registry == registry_key => Some(entry),
            Some(Ok(Lookup::Discarded(problem))) => {
                self.record_cache_problem(problem.for_package(name));
                None
            }
            Some(Err(e)) => {
                tracing::warn!(package = name, error = %e, "packument cache unusable");
                None
            }
            _ => None,
        };

        if self.inner.options.offline {
            let entry = cached.ok_or_else(|| RegistryError::Offline {
                package: name.to_owned(),
                what: "the packument".to_owned(),
            })?;
            let p = self.parse_packument(name, &entry.body, "the cache")?;
            return Ok(Arc::new(p));
        }

        let accept = "application/json";
        let etag = cached.as_ref().and_then(|c| c.etag.clone());
        let resp = self.get(name, &url, accept, etag.as_deref(), max).await?;
        if resp.status == StatusCode::NOT_MODIFIED {
            if let Some(entry) = cached {
                match self.parse_packument(name, &entry.body, "the cache") {
                    Ok(p) => {
                        tracing::debug!(package = name, "packument not modified; cached copy used");
                        return Ok(Arc::new(p));
                    }
                    Err(e) => {
                        tracing::warn!(package = name, error = %e, "cached packument unusable; fetching again");
                        let owned = name.to_owned();
                        self.blocking("removing a packument", move |c| {
                            c.remove_packument(&owned);
                            Ok(())
                        })
                        .await;
                    }
                }
            }
            // No usable cached body: ask again, unconditionally.
            let resp = self.get(name, &url, accept, None, max).await?;
            return self.store_packument(name, &url, registry_key, resp).await;
        }
        self.store_packument(name, &url, registry_key, resp).await
    }

    async fn store_packument(
        &self,
        name: &str,
        url: &Url,
        registry_key: String,
        resp: HttpOk,
    ) -> Result<Arc<Packument>, RegistryError> {
        if resp.status != StatusCode::OK {
            return Err(RegistryError::Status {
                package: name.to_owned(),
                url: redact_url(url),
                status: resp.status.as_u16(),
            });
        }
        let body = String::from_utf8(resp.body).map_err(|_| RegistryError::MalformedPackument {
            package: name.to_owned(),
            url: redact_url(url),
            reason: "the body is not UTF-8".to_owned(),
        })?;
        let p = self.parse_packument(name, &body, &redact_url(url))?;
        let entry = CachedPackument {
            registry: registry_key,
            etag: resp.etag,
            body,
        };
        let owned = name.to_owned();
        if let Some(Err(e)) = self
            .blocking("writing a packument", move |c| {
                c.put_packument(&owned, &entry)
            })
            .await
        {
            tracing::warn!(package = name, error = %e, "cannot cache packument");
            self.record_cache_problem(CacheProblem::not_written(&e).for_package(name));
        }
        Ok(Arc::new(p))
    }

    fn parse_packument(
        &self,
        name: &str,
        body: &str,
        from: &str,
    ) -> Result<Packument, RegistryError> {
        let malformed = |reason: String| RegistryError::MalformedPackument {
            package: name.to_owned(),
            url: from.to_owned(),
            reason,
        };
        let p = Packument::from_json(body.as_bytes()).map_err(malformed)?;
        if p.name != name {
            return Err(malformed(format!("it describes `{}`", p.name)));
        }
        Ok(p)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn scoped_names_are_encoded() {
        let r = Url::parse("http://127.0.0.1:9/npm/").unwrap();
        assert_eq!(
            packument_url(&r, "@s/x").unwrap().as_str(),
            "http://127.0.0.1:9/npm/@s%2fx"
        );
        assert_eq!(
            packument_url(&r, "send").unwrap().as_str(),
            "http://127.0.0.1:9/npm/send"
        );
    }

    #[test]
    fn jitter_in_range() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
