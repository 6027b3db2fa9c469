//! An in-process loopback npm registry for tests, with fault injection and a request log.
//!
//! Enabled by the `test-registry` cargo feature, so other crates' tests can fetch hermetically.
//! The server is a small HTTP/1.1 implementation on a tokio [`TcpListener`] bound to
//! `127.0.0.1:0` (raw sockets make faults such as a reset in the middle of a body easy). It
//! answers one request per connection (`Connection: close`):
//!
//! - `GET /{name}` (scoped: `/@scope%2fname`): the packument, built from the added packages,
//!   with `dist.tarball` URLs pointing back at the server, correct `integrity` (sha512) and
//!   `shasum`, and an `ETag`; `If-None-Match` with that ETag gets `304`;
//! - `GET /{name}/-/{basename}-{version}.tgz`: the tarball;
//! - `GET /-/npm/v1/keys`: the signing keys, once [`TestRegistry::enable_signing`] (or
//!   [`TestRegistry::set_keys_document`]) set them; packuments then carry `dist.signatures`
//!   (ECDSA P-256 over `name@version:integrity`), and `dist.attestations` for versions marked
//!   with [`TestRegistry::set_attestations`].
//!
//! Faults are queued per path with [`TestRegistry::inject`] and consumed one per request, in
//! order; a path with no fault left is served normally. For soak runs,
//! [`TestRegistry::set_random_faults`] fails a given share of all requests, reproducibly, and
//! records what each request got. A package can also change under a client
//! between two requests: [`TestRegistry::after_packument_served`] applies a [`PackageChange`]
//! (a republished tarball, an unpublished or a new version) right after its packument is served.
//!
//! [`TestResolver`] is a host-name table for the client
//! ([`ClientOptions::test_resolver`](crate::ClientOptions)), so that a host which does not
//! resolve can be tested without a DNS query leaving the machine.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tarsier_registry::test_registry::{Fault, TestRegistry, tgz};
//!
//! let registry = TestRegistry::start().await.unwrap();
//! registry.add_package("send", "1.0.0", tgz(&[("package/index.js", b"module.exports = 1")]));
//! registry.inject("/send", Fault::Status(500), 2); // two 500s, then the packument
//! assert!(registry.url().starts_with("http://127.0.0.1:"));
//! # }
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use sha1::Digest as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::config::{RegistryConfig, Token};
use crate::error::RegistryError;

/// A fault to inject into the response to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status and a short body.
    Status(u16),
    /// Answer `429 Too Many Requests` with `Retry-After: <secs>`.
    TooManyRequests {
        /// The `Retry-After` value in seconds.
        retry_after_secs: u64,
    },
    /// Send the headers and half the body, then close the connection.
    ResetMidBody,
    /// Serve a tarball whose bytes do not match its integrity (on a packument path: a packument
    /// whose integrity strings are wrong).
    WrongIntegrity,
    /// Answer `404 Not Found`.
    NotFound,
    /// Answer `200` with a truncated JSON body.
    MalformedJson,
    /// Wait this long before answering (normally).
    Slow(Duration),
    /// Answer `302 Found` with this `Location`.
    Redirect(String),
    /// Send the headers and half the body, wait this long, then send the rest.
    SlowBody(Duration),
}

impl Fault {
    /// One of each fault [`TestRegistry::set_random_faults`] draws from: every way the injector
    /// can fail a request that a client may meet on a bad night (404 and redirects aside, which
    /// are answers, not failures).
    pub fn soak_kinds() -> Vec<Fault> {
        vec![
            Fault::Status(500),
            Fault::TooManyRequests {
                retry_after_secs: 1,
            },
            Fault::ResetMidBody,
            Fault::SlowBody(Duration::from_millis(300)),
            Fault::WrongIntegrity,
            Fault::MalformedJson,
        ]
    }
}

/// Faults drawn at random for every request, see [`TestRegistry::set_random_faults`].
#[derive(Debug, Clone)]
struct RandomFaults {
    /// Probability of a fault, in parts per million.
    per_million: u64,
    seed: u64,
    kinds: Vec<Fault>,
}

/// SplitMix64: a well-mixed hash of one number, for reproducible fault draws.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl RandomFaults {
    /// The fault (if any) for the `nth` request (0-based) to `path`: a function of the seed, the
    /// path and `nth` only, so a run is reproducible whatever the order requests arrive in.
    fn draw(&self, path: &str, nth: u64) -> Option<Fault> {
        let mut h = self.seed;
        for b in path.bytes() {
            h = mix(h ^ u64::from(b));
        }
        let h = mix(h ^ nth.wrapping_mul(0x0100_0000_01b3));
        if h % 1_000_000 >= self.per_million || self.kinds.is_empty() {
            return None;
        }
        let kind = usize::try_from(mix(h) % self.kinds.len() as u64).unwrap_or(0);
        self.kinds.get(kind).cloned()
    }
}

/// A change to a package, applied by [`TestRegistry::after_packument_served`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PackageChange {
    /// The version's tarball is replaced by these bytes (the packument then advertises their
    /// integrity), as a registry that let a version be overwritten would serve it.
    Republish {
        /// The version.
        version: String,
        /// The new `.tgz` bytes.
        tgz: Vec<u8>,
    },
    /// The version is removed: gone from the packument, its tarball answers 404, and dist-tags
    /// that named it are dropped (`latest` moves to the most recently published version left).
    Unpublish {
        /// The version.
        version: String,
    },
    /// A new version is published and becomes `latest`.
    Publish {
        /// The version.
        version: String,
        /// Its `.tgz` bytes.
        tgz: Vec<u8>,
    },
}

/// A host-name table for [`ClientOptions::test_resolver`](crate::ClientOptions): a name in the
/// table resolves to its address, any other name fails as an unknown host does, and no DNS
/// server is ever asked. Clones share the record of lookups.
#[derive(Debug, Clone, Default)]
pub struct TestResolver {
    hosts: BTreeMap<String, IpAddr>,
    lookups: Arc<Mutex<Vec<String>>>,
}

impl TestResolver {
    /// A table where no name resolves.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table with `host` (case-insensitive) resolving to `ip`.
    pub fn with_host(mut self, host: &str, ip: IpAddr) -> Self {
        self.hosts.insert(host.to_ascii_lowercase(), ip);
        self
    }

    /// Every name looked up so far, in order.
    pub fn lookups(&self) -> Vec<String> {
        self.lookups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl reqwest::dns::Resolve for TestResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        self.lookups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(host.clone());
        let result: Result<reqwest::dns::Addrs, _> = match self.hosts.get(&host) {
            // Port 0: the URL's port (or the scheme's) is used.
            Some(ip) => Ok(Box::new(std::iter::once(SocketAddr::new(*ip, 0)))),
            None => Err(Box::new(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no such host `{host}` (test resolver)"),
            )) as Box<dyn std::error::Error + Send + Sync>),
        };
        Box::pin(std::future::ready(result))
    }
}

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The method (`GET`).
    pub method: String,
    /// The request target as sent (`/@scope%2fname`).
    pub path: String,
    /// The headers, names lowercased.
    pub headers: BTreeMap<String, String>,
}

impl LoggedRequest {
    /// A header's value (name is case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

#[derive(Debug, Clone)]
struct VersionData {
    tgz: Vec<u8>,
    dependencies: BTreeMap<String, String>,
    deprecated: Option<String>,
    attestations: bool,
    tampered_signature: bool,
    publisher: Option<String>,
    maintainers: Vec<String>,
    /// Publish order: versions added later get later `time` entries.
    seq: u64,
    /// `dist.tarball` as served, when not the registry's own URL for it.
    tarball_url: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct PackageData {
    dist_tags: BTreeMap<String, String>,
    versions: BTreeMap<String, VersionData>,
}

#[derive(Debug, Default)]
struct State {
    base: String,
    packages: BTreeMap<String, PackageData>,
    faults: HashMap<String, VecDeque<(Fault, u32)>>,
    log: Vec<LoggedRequest>,
    required_token: Option<String>,
    /// The key id and key that sign versions, when signing is on.
    signer: Option<(String, p256::ecdsa::SigningKey)>,
    /// The document served at `/-/npm/v1/keys`.
    keys_doc: Option<Value>,
    /// Versions added so far (the next one's publish order).
    published: u64,
    /// Changes to apply right after a package's packument is next served, by package name.
    changes: HashMap<String, Vec<PackageChange>>,
    /// Random faults on every path, when set.
    random: Option<RandomFaults>,
    /// Per path, the random fault drawn for each request so far (`None`: served normally).
    drawn: BTreeMap<String, Vec<Option<Fault>>>,
}

/// The loopback registry. Stops serving when dropped.
#[derive(Debug)]
pub struct TestRegistry {
    state: Arc<Mutex<State>>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Builds a gzip'd tar from `(path, contents)` pairs (paths like `package/index.js`).
pub fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        // Building in memory cannot fail for well-formed relative paths.
        if let Err(e) = tar.append_data(&mut header, path, *data) {
            tracing::warn!(path, error = %e, "cannot add file to test tarball");
        }
    }
    tar.into_inner()
        .and_then(|gz| gz.finish())
        .unwrap_or_default()
}

/// The SRI sha512 of `bytes`.
pub fn sri_sha512(bytes: &[u8]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(bytes))
    )
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Normalises a request target for matching (`%2F` -> `%2f`).
fn norm_path(path: &str) -> String {
    path.replace("%2F", "%2f")
}

impl TestRegistry {
    /// Starts a server on `127.0.0.1:0`.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            base: format!("http://{addr}/"),
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        Ok(Self { state, addr, task })
    }

    /// The registry URL (`http://127.0.0.1:<port>/`).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A configuration pointing at this registry.
    pub fn config(&self) -> Result<RegistryConfig, RegistryError> {
        RegistryConfig::new(&self.url())
    }

    /// A configuration pointing at this registry, with a token for it.
    pub fn config_with_token(&self, token: &str) -> Result<RegistryConfig, RegistryError> {
        let mut c = self.config()?;
        c.add_token(&self.url(), Token::new(token))?;
        Ok(c)
    }

    /// Adds (or replaces) a version and makes it `latest`, as `npm publish` does.
    pub fn add_package(&self, name: &str, version: &str, tgz: Vec<u8>) {
        self.add_package_with_deps(name, version, tgz, &[]);
    }

    /// Adds a version with production dependencies (`(name, range)` pairs); it becomes `latest`.
    pub fn add_package_with_deps(
        &self,
        name: &str,
        version: &str,
        tgz: Vec<u8>,
        dependencies: &[(&str, &str)],
    ) {
        publish(&mut lock(&self.state), name, version, tgz, dependencies);
    }

    /// Serves `url` as the `dist.tarball` of a version instead of the registry's own URL (the
    /// server still answers for its own path only).
    pub fn set_tarball_url(&self, name: &str, version: &str, url: &str) {
        if let Some(v) = lock(&self.state)
            .packages
            .get_mut(name)
            .and_then(|p| p.versions.get_mut(version))
        {
            v.tarball_url = Some(url.to_owned());
        }
    }

    /// Applies `change` right after the packument of `name` is next served with `200`: that
    /// response still shows the package as it was, every later request sees it changed. Changes
    /// queued for the same package are applied together, in order.
    pub fn after_packument_served(&self, name: &str, change: PackageChange) {
        lock(&self.state)
            .changes
            .entry(name.to_owned())
            .or_default()
            .push(change);
    }

    /// Points a dist-tag of a package at a version.
    pub fn set_dist_tag(&self, name: &str, tag: &str, version: &str) {
        let mut s = lock(&self.state);
        let p = s.packages.entry(name.to_owned()).or_default();
        p.dist_tags.insert(tag.to_owned(), version.to_owned());
    }

    /// Marks a version deprecated.
    pub fn set_deprecated(&self, name: &str, version: &str, message: &str) {
        let mut s = lock(&self.state);
        if let Some(v) = s
            .packages
            .get_mut(name)
            .and_then(|p| p.versions.get_mut(version))
        {
            v.deprecated = Some(message.to_owned());
        }
    }

    /// Signs every version from now on with the P-256 key whose secret scalar is `secret` (the
    /// test makes it), under `keyid`, and serves that public key at `/-/npm/v1/keys` without an
    /// expiry. Returns the public key as served (base64 SPKI DER), or why `secret` is unusable.
    pub fn enable_signing(&self, keyid: &str, secret: &[u8; 32]) -> Result<String, String> {
        use p256::pkcs8::EncodePublicKey as _;
        let signing = p256::ecdsa::SigningKey::from_bytes(&(*secret).into())
            .map_err(|e| format!("not a P-256 secret key: {e}"))?;
        let der = signing
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| format!("cannot encode the public key: {e}"))?;
        let public = base64::engine::general_purpose::STANDARD.encode(der.as_bytes());
        let mut s = lock(&self.state);
        s.keys_doc = Some(json!({"keys": [{
            "expires": null,
            "keyid": keyid,
            "keytype": "ecdsa-sha2-nistp256",
            "scheme": "ecdsa-sha2-nistp256",
            "key": public,
        }]}));
        s.signer = Some((keyid.to_owned(), signing));
        Ok(public)
    }

    /// Serves `doc` at `/-/npm/v1/keys` (for expired, foreign or malformed keys).
    pub fn set_keys_document(&self, doc: Value) {
        lock(&self.state).keys_doc = Some(doc);
    }

    /// Gives a version `dist.attestations` (provenance), or takes them away.
    pub fn set_attestations(&self, name: &str, version: &str, present: bool) {
        if let Some(v) = lock(&self.state)
            .packages
            .get_mut(name)
            .and_then(|p| p.versions.get_mut(version))
        {
            v.attestations = present;
        }
    }

    /// Sets a version's publisher (`_npmUser`) and `maintainers`.
    pub fn set_publisher(&self, name: &str, version: &str, publisher: &str, maintainers: &[&str]) {
        if let Some(v) = lock(&self.state)
            .packages
            .get_mut(name)
            .and_then(|p| p.versions.get_mut(version))
        {
            v.publisher = Some(publisher.to_owned());
            v.maintainers = maintainers.iter().map(|m| (*m).to_owned()).collect();
        }
    }

    /// Makes a version's signature one over a different integrity, so it does not verify.
    pub fn tamper_signature(&self, name: &str, version: &str) {
        if let Some(v) = lock(&self.state)
            .packages
            .get_mut(name)
            .and_then(|p| p.versions.get_mut(version))
        {
            v.tampered_signature = true;
        }
    }

    /// Requires `Authorization: Bearer <token>` on every request (401 otherwise); `None` lifts it.
    pub fn require_token(&self, token: Option<&str>) {
        lock(&self.state).required_token = token.map(str::to_owned);
    }

    /// Queues `fault` for the next `times` requests to `path` (after any faults already queued).
    pub fn inject(&self, path: &str, fault: Fault, times: u32) {
        lock(&self.state)
            .faults
            .entry(norm_path(path))
            .or_default()
            .push_back((fault, times));
    }

    /// Removes all queued faults.
    pub fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    /// Fails `rate` (0 to 1) of all requests from now on, each with a fault drawn from `kinds`
    /// (see [`Fault::soak_kinds`]), reproducibly: whether the n-th request to a path fails, and
    /// how, depends only on `seed`, the path and n. Faults queued with [`inject`] come first.
    /// [`random_faults_drawn`] tells what each request got.
    ///
    /// [`inject`]: Self::inject
    /// [`random_faults_drawn`]: Self::random_faults_drawn
    pub fn set_random_faults(&self, rate: f64, seed: u64, kinds: Vec<Fault>) {
        let per_million = (rate.clamp(0.0, 1.0) * 1_000_000.0).round() as u64;
        lock(&self.state).random = Some(RandomFaults {
            per_million,
            seed,
            kinds,
        });
    }

    /// Per request path, what each request to it got from [`set_random_faults`], in order
    /// (`None`: served normally).
    ///
    /// [`set_random_faults`]: Self::set_random_faults
    pub fn random_faults_drawn(&self) -> BTreeMap<String, Vec<Option<Fault>>> {
        lock(&self.state).drawn.clone()
    }

    /// The packument path of a package (`/@scope%2fname` for scoped names).
    pub fn packument_path(name: &str) -> String {
        format!("/{}", name.replacen('/', "%2f", 1))
    }

    /// The tarball path of a version (`/{name}/-/{basename}-{version}.tgz`).
    pub fn tarball_path(name: &str, version: &str) -> String {
        let base = name.rsplit('/').next().unwrap_or(name);
        format!("/{name}/-/{base}-{version}.tgz")
    }

    /// The integrity (SRI sha512) the registry advertises for a version.
    pub fn integrity(&self, name: &str, version: &str) -> Option<String> {
        let s = lock(&self.state);
        s.packages
            .get(name)
            .and_then(|p| p.versions.get(version))
            .map(|v| sri_sha512(&v.tgz))
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.state).log.clone()
    }

    /// The requests received for `path`.
    pub fn requests_to(&self, path: &str) -> Vec<LoggedRequest> {
        let path = norm_path(path);
        lock(&self.state)
            .log
            .iter()
            .filter(|r| norm_path(&r.path) == path)
            .cloned()
            .collect()
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        lock(&self.state).log.clear();
    }
}

/// Adds (or replaces) a version and makes it `latest`.
fn publish(s: &mut State, name: &str, version: &str, tgz: Vec<u8>, dependencies: &[(&str, &str)]) {
    let seq = s.published;
    s.published += 1;
    let p = s.packages.entry(name.to_owned()).or_default();
    p.versions.insert(
        version.to_owned(),
        VersionData {
            tgz,
            dependencies: dependencies
                .iter()
                .map(|(n, r)| ((*n).to_owned(), (*r).to_owned()))
                .collect(),
            deprecated: None,
            attestations: false,
            tampered_signature: false,
            publisher: None,
            maintainers: Vec::new(),
            seq,
            tarball_url: None,
        },
    );
    p.dist_tags.insert("latest".to_owned(), version.to_owned());
}

/// Applies one [`PackageChange`] to `name`.
fn apply_change(s: &mut State, name: &str, change: PackageChange) {
    match change {
        PackageChange::Republish { version, tgz } => {
            if let Some(v) = s
                .packages
                .get_mut(name)
                .and_then(|p| p.versions.get_mut(&version))
            {
                v.tgz = tgz;
            }
        }
        PackageChange::Unpublish { version } => {
            let Some(p) = s.packages.get_mut(name) else {
                return;
            };
            p.versions.remove(&version);
            p.dist_tags.retain(|_, v| *v != version);
            if !p.dist_tags.contains_key("latest")
                && let Some((last, _)) = p.versions.iter().max_by_key(|(_, d)| d.seq)
            {
                p.dist_tags.insert("latest".to_owned(), last.clone());
            }
        }
        PackageChange::Publish { version, tgz } => publish(s, name, &version, tgz, &[]),
    }
}

/// The packument JSON of a package, as served.
fn packument_json(
    base: &str,
    name: &str,
    p: &PackageData,
    wrong_integrity: bool,
    signer: Option<&(String, p256::ecdsa::SigningKey)>,
) -> Value {
    let mut versions = serde_json::Map::new();
    let mut time = serde_json::Map::new();
    time.insert("created".into(), json!("2020-01-01T00:00:00.000Z"));
    time.insert("modified".into(), json!("2020-01-02T00:00:00.000Z"));
    for (v, data) in &p.versions {
        let bytes: &[u8] = if wrong_integrity { b"wrong" } else { &data.tgz };
        let tarball = data.tarball_url.clone().unwrap_or_else(|| {
            format!(
                "{}{}",
                base.trim_end_matches('/'),
                TestRegistry::tarball_path(name, v)
            )
        });
        let mut manifest = json!({
            "name": name,
            "version": v,
            "dependencies": data.dependencies,
            "scripts": {},
            "dist": {
                "tarball": tarball,
                "integrity": sri_sha512(bytes),
                "shasum": hex::encode(sha1::Sha1::digest(bytes)),
                "unpackedSize": data.tgz.len(),
            }
        });
        if let (Some(msg), Some(obj)) = (&data.deprecated, manifest.as_object_mut()) {
            obj.insert("deprecated".into(), json!(msg));
        }
        if let (Some(publisher), Some(obj)) = (&data.publisher, manifest.as_object_mut()) {
            obj.insert("_npmUser".into(), json!({"name": publisher}));
            let maintainers: Vec<Value> = data
                .maintainers
                .iter()
                .map(|m| json!({"name": m}))
                .collect();
            obj.insert("maintainers".into(), Value::Array(maintainers));
        }
        if let Some(dist) = manifest.get_mut("dist").and_then(Value::as_object_mut) {
            if let Some((keyid, key)) = signer {
                use p256::ecdsa::signature::Signer as _;
                let integrity = if data.tampered_signature {
                    "sha512-tampered".to_owned()
                } else {
                    sri_sha512(bytes)
                };
                let sig: p256::ecdsa::Signature =
                    key.sign(format!("{name}@{v}:{integrity}").as_bytes());
                let sig = base64::engine::general_purpose::STANDARD.encode(sig.to_der().as_bytes());
                dist.insert("signatures".into(), json!([{"keyid": keyid, "sig": sig}]));
            }
            if data.attestations {
                dist.insert(
                    "attestations".into(),
                    json!({
                        "url": format!("{base}-/npm/v1/attestations/{name}@{v}"),
                        "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}
                    }),
                );
            }
        }
        versions.insert(v.clone(), manifest);
        // One minute apart, in the order the versions were added.
        let (day, hour, minute) = (
            1 + (data.seq / 1440) % 28,
            (data.seq / 60) % 24,
            data.seq % 60,
        );
        time.insert(
            v.clone(),
            json!(format!("2020-01-{day:02}T{hour:02}:{minute:02}:00.000Z")),
        );
    }
    json!({
        "name": name,
        "dist-tags": p.dist_tags,
        "versions": versions,
        "time": time,
    })
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Send only this many body bytes, then close.
    cut_at: Option<usize>,
    delay: Option<Duration>,
    /// Wait this long after half the body.
    pause: Option<Duration>,
}

impl Response {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body,
            cut_at: None,
            delay: None,
            pause: None,
        }
    }

    fn text(status: u16, text: &str) -> Self {
        Self::new(status, "text/plain", text.as_bytes().to_vec())
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        304 => "Not Modified",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Reads the request head (up to 64 KiB, 10 s).
async fn read_head(stream: &mut TcpStream) -> Option<LoggedRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 || buf.len() > 64 * 1024 {
                return None;
            }
            buf.extend_from_slice(chunk.get(..n)?);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(LoggedRequest {
        method,
        path,
        headers,
    })
}

fn respond_to(state: &Mutex<State>, req: &LoggedRequest) -> Response {
    let mut s = lock(state);
    s.log.push(req.clone());
    let path = norm_path(&req.path);

    let queued = s.faults.get_mut(&path).and_then(|q| {
        let (fault, left) = q.front_mut()?;
        let fault = fault.clone();
        *left = left.saturating_sub(1);
        if *left == 0 {
            q.pop_front();
        }
        Some(fault)
    });
    let fault = match (queued, s.random.clone()) {
        (Some(fault), _) => Some(fault),
        (None, Some(random)) => {
            let nth = s.drawn.get(&path).map_or(0, Vec::len) as u64;
            let fault = random.draw(&path, nth);
            s.drawn.entry(path.clone()).or_default().push(fault.clone());
            fault
        }
        (None, None) => None,
    };
    let mut delay = None;
    let mut pause = None;
    let mut wrong_integrity = false;
    let mut reset = false;
    match fault {
        Some(Fault::Status(code)) => return Response::text(code, "injected failure"),
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            let mut r = Response::text(429, "slow down");
            r.headers
                .push(("Retry-After", retry_after_secs.to_string()));
            return r;
        }
        Some(Fault::NotFound) => return Response::text(404, "{\"error\":\"Not found\"}"),
        Some(Fault::MalformedJson) => {
            return Response::new(200, "application/json", b"{\"name\": \"".to_vec());
        }
        Some(Fault::Slow(d)) => delay = Some(d),
        Some(Fault::SlowBody(d)) => pause = Some(d),
        Some(Fault::Redirect(location)) => {
            let mut r = Response::text(302, "moved");
            r.headers.push(("Location", location));
            return r;
        }
        Some(Fault::WrongIntegrity) => wrong_integrity = true,
        Some(Fault::ResetMidBody) => reset = true,
        None => {}
    }

    if let Some(token) = &s.required_token
        && req.header("authorization") != Some(&format!("Bearer {token}"))
    {
        return Response::text(401, "authentication required");
    }
    if req.method != "GET" {
        return Response::text(405, "only GET");
    }

    let mut response = serve_path(&s, &path, req, wrong_integrity);
    // A packument just served whole: the package may now change under the client.
    if response.status == 200 && !wrong_integrity {
        let rest = path.strip_prefix('/').unwrap_or_default();
        if !rest.contains("/-/") && !rest.starts_with("-/") {
            let name = rest.replacen("%2f", "/", 1);
            for change in s.changes.remove(&name).unwrap_or_default() {
                apply_change(&mut s, &name, change);
            }
        }
    }
    if reset && response.status == 200 {
        response.cut_at = Some(response.body.len() / 2);
    }
    response.delay = delay;
    response.pause = pause;
    response
}

fn serve_path(s: &State, path: &str, req: &LoggedRequest, wrong_integrity: bool) -> Response {
    let not_found = || Response::text(404, "{\"error\":\"Not found\"}");
    let Some(rest) = path.strip_prefix('/') else {
        return not_found();
    };
    if let Some((name, file)) = rest.split_once("/-/") {
        // A tarball.
        let Some(p) = s.packages.get(name) else {
            return not_found();
        };
        let base = name.rsplit('/').next().unwrap_or(name);
        let Some(version) = file
            .strip_prefix(&format!("{base}-"))
            .and_then(|f| f.strip_suffix(".tgz"))
        else {
            return not_found();
        };
        let Some(v) = p.versions.get(version) else {
            return not_found();
        };
        let mut body = v.tgz.clone();
        if wrong_integrity {
            match body.first_mut() {
                Some(b) => *b ^= 0xff,
                None => body.push(0),
            }
        }
        return Response::new(200, "application/octet-stream", body);
    }
    if rest == "-/npm/v1/keys" {
        return match &s.keys_doc {
            Some(doc) => Response::new(200, "application/json", doc.to_string().into_bytes()),
            None => not_found(),
        };
    }
    // A packument.
    let name = rest.replacen("%2f", "/", 1);
    let Some(p) = s.packages.get(&name) else {
        return not_found();
    };
    let body = packument_json(&s.base, &name, p, wrong_integrity, s.signer.as_ref()).to_string();
    let etag = format!(
        "\"{}\"",
        hex::encode(
            sha2::Sha256::digest(body.as_bytes())
                .get(..8)
                .unwrap_or_default()
        )
    );
    if req.header("if-none-match") == Some(etag.as_str()) {
        let mut r = Response::new(304, "application/json", Vec::new());
        r.headers.push(("ETag", etag));
        return r;
    }
    let mut r = Response::new(200, "application/json", body.into_bytes());
    r.headers.push(("ETag", etag));
    r
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let Some(req) = read_head(&mut stream).await else {
        return Ok(());
    };
    let response = respond_to(&state, &req);
    if let Some(d) = response.delay {
        tokio::time::sleep(d).await;
    }
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    match response.cut_at {
        Some(n) => {
            stream
                .write_all(response.body.get(..n).unwrap_or_default())
                .await?;
            stream.flush().await?;
            // Dropping the stream closes the connection with the body incomplete.
        }
        None => {
            let (first, rest) = response.body.split_at(match response.pause {
                Some(_) => response.body.len() / 2,
                None => response.body.len(),
            });
            stream.write_all(first).await?;
            stream.flush().await?;
            if let Some(pause) = response.pause {
                tokio::time::sleep(pause).await;
            }
            stream.write_all(rest).await?;
            stream.flush().await?;
            stream.shutdown().await?;
        }
    }
    Ok(())
}
