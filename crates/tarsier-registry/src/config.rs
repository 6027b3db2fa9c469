//! Where the registry URL and auth tokens come from, the way npm users expect.
//!
//! The registry URL is taken from the first of these that has one:
//!
//! 1. an explicit URL (the `--registry` flag);
//! 2. the environment variable `NPM_CONFIG_REGISTRY` (or lowercase `npm_config_registry`);
//! 3. `.npmrc` in the project root: the nearest directory, walking up from the working
//!    directory, that holds `package.json` or `node_modules` (the working directory itself when
//!    there is none), as npm does;
//! 4. the user `.npmrc`: `$NPM_CONFIG_USERCONFIG`, else `~/.npmrc`;
//! 5. `npm config get registry`, when `npm` is on `PATH` (run with a timeout; failure is not
//!    fatal).
//!
//! Otherwise [`resolve_registry`] fails with [`RegistryError::NoRegistry`], which says how to set
//! one. Scoped registries (`@scope:registry=`) and tokens (`//host[:port]/path/:_authToken=`) are
//! collected from both `.npmrc` files, the project one winning. A token is only ever sent with
//! requests whose URL starts with the token's host and path prefix, and it never prints:
//! [`Token`]'s `Debug` and `Display` show `***`.
//!
//! The environment is injected (`env: &dyn Fn(&str) -> Option<String>`) so tests never touch
//! the real one; [`RegistryConfig::from_environment`] is the convenience wrapper for real use.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Url;

use crate::error::RegistryError;
use crate::redact_url;

/// How long `npm config get registry` may take before it is killed.
const NPM_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest `.npmrc` that is read (anything bigger is not a hand-written config file).
const MAX_NPMRC_BYTES: u64 = 1024 * 1024;

/// An auth token. It never prints: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a secret token.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the `Authorization` header only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where the registry URL of a [`RegistryConfig`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigSource {
    /// Given explicitly (the `--registry` flag, or [`RegistryConfig::new`]).
    Explicit,
    /// An environment variable (its name).
    Env(String),
    /// The project's `.npmrc`.
    ProjectNpmrc(PathBuf),
    /// The user's `.npmrc`.
    UserNpmrc(PathBuf),
    /// The output of `npm config get registry`.
    NpmCli,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit => f.write_str("--registry"),
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::ProjectNpmrc(path) => write!(f, "project config {}", path.display()),
            Self::UserNpmrc(path) => write!(f, "user config {}", path.display()),
            Self::NpmCli => f.write_str("`npm config get registry`"),
        }
    }
}

/// The registry configuration: default registry, scoped registries and tokens.
#[derive(Clone)]
pub struct RegistryConfig {
    /// The default registry, normalised to end with `/`.
    pub url: Url,
    /// Registries for scopes (`@scope` -> URL ending with `/`).
    pub scopes: BTreeMap<String, Url>,
    /// Where [`RegistryConfig::url`] came from.
    pub source: ConfigSource,
    /// Tokens by "nerf dart" prefix (`//host[:port]/path/`).
    tokens: BTreeMap<String, Token>,
}

impl fmt::Debug for RegistryConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scopes: BTreeMap<&str, String> = self
            .scopes
            .iter()
            .map(|(k, v)| (k.as_str(), redact_url(v)))
            .collect();
        f.debug_struct("RegistryConfig")
            .field("url", &redact_url(&self.url))
            .field("scopes", &scopes)
            .field("source", &self.source)
            .field("tokens", &self.tokens)
            .finish()
    }
}

impl RegistryConfig {
    /// A configuration for one registry URL, without scopes or tokens.
    pub fn new(url: &str) -> Result<Self, RegistryError> {
        Ok(Self {
            url: normalize_registry_url(url, "--registry")?,
            scopes: BTreeMap::new(),
            source: ConfigSource::Explicit,
            tokens: BTreeMap::new(),
        })
    }

    /// Reads the configuration from the real environment, working directory and home directory.
    pub fn from_environment(explicit: Option<&str>) -> Result<Self, RegistryError> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        resolve_registry(explicit, &|k| std::env::var(k).ok(), &cwd, home.as_deref())
    }

    /// Adds a token for every URL that starts with `url` (host, port and path prefix).
    pub fn add_token(&mut self, url: &str, token: Token) -> Result<(), RegistryError> {
        let parsed = normalize_registry_url(url, "token URL")?;
        self.tokens.insert(nerf_dart(&parsed), token);
        Ok(())
    }

    /// The registry for a package: its scope's registry, else the default one.
    pub fn registry_for(&self, package: &str) -> &Url {
        package
            .strip_prefix('@')
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(scope, _)| self.scopes.get(&format!("@{scope}")))
            .unwrap_or(&self.url)
    }

    /// The token to send with a request to `url`: the longest configured prefix of
    /// `//host[:port]/path` that the URL starts with.
    pub fn token_for(&self, url: &Url) -> Option<&Token> {
        let key = nerf_dart_full(url);
        self.tokens
            .iter()
            .filter(|(prefix, _)| key.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, token)| token)
    }

    /// Whether a token would be sent with a request to `url`.
    pub fn has_token_for(&self, url: &Url) -> bool {
        self.token_for(url).is_some()
    }
}

/// `//host[:port]/path/` of a registry URL (the key npm uses for tokens).
fn nerf_dart(url: &Url) -> String {
    let mut key = nerf_dart_full(url);
    if !key.ends_with('/') {
        key.push('/');
    }
    key
}

/// `//host[:port]/path` of any URL, to compare against token prefixes.
fn nerf_dart_full(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("//{host}:{port}{}", url.path()),
        None => format!("//{host}{}", url.path()),
    }
}

/// Parses and normalises a registry URL: http(s) only, no fragment or query, path ending `/`.
pub(crate) fn normalize_registry_url(raw: &str, origin: &str) -> Result<Url, RegistryError> {
    let invalid = |reason: &str| RegistryError::InvalidRegistryUrl {
        url: Url::parse(raw.trim())
            .map(|u| redact_url(&u))
            .unwrap_or_else(|_| "<unparsable>".to_owned()),
        origin: origin.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid("only http and https registries are supported"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host"));
    }
    url.set_fragment(None);
    url.set_query(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// What one `.npmrc` file says that tarsier cares about.
#[derive(Debug, Default, Clone)]
pub struct Npmrc {
    /// `registry=`.
    pub registry: Option<String>,
    /// `@scope:registry=` lines, by scope (with its `@`).
    pub scopes: BTreeMap<String, String>,
    /// `//host[:port]/path/:_authToken=` lines, by prefix (`//host[:port]/path/`).
    tokens: BTreeMap<String, Token>,
}

impl Npmrc {
    /// Parses `.npmrc` text: ini-like `key = value` lines, `;` and `#` comments, `[section]`
    /// headers ignored, values optionally quoted, `${VAR}` (and `${VAR?}`, empty when unset)
    /// expanded from `env` in keys and values. Unknown keys are ignored.
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let mut out = Self::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = expand_env(key.trim(), env);
            let value = expand_env(unquote(value.trim()), env);
            if key == "registry" {
                out.registry = Some(value);
            } else if let Some(scope) = key.strip_suffix(":registry") {
                if scope.starts_with('@') && scope.len() > 1 {
                    out.scopes.insert(scope.to_owned(), value);
                }
            } else if let Some(prefix) = key.strip_suffix(":_authToken") {
                if !prefix.starts_with("//") || value.is_empty() || value.contains("${") {
                    tracing::debug!(prefix, "ignoring unusable _authToken line in .npmrc");
                    continue;
                }
                let mut prefix = prefix.to_ascii_lowercase();
                if !prefix.ends_with('/') {
                    prefix.push('/');
                }
                out.tokens.insert(prefix, Token::new(value));
            }
        }
        out
    }

    /// The token configured for exactly this prefix (`//host[:port]/path/`), if any.
    pub fn token(&self, prefix: &str) -> Option<&Token> {
        self.tokens.get(prefix)
    }
}

/// Strips one pair of matching surrounding quotes.
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

/// Expands `${NAME}` (left as is when unset) and `${NAME?}` (empty when unset).
fn expand_env(text: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let Some(end) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        let inner = after.get(2..end).unwrap_or_default();
        let (name, optional) = match inner.strip_suffix('?') {
            Some(name) => (name, true),
            None => (inner, false),
        };
        match env(name) {
            Some(value) => out.push_str(&value),
            None if optional => {}
            None => out.push_str(after.get(..=end).unwrap_or_default()),
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Reads and parses an `.npmrc`; `Ok(None)` when it does not exist.
fn read_npmrc(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Npmrc>, RegistryError> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(RegistryError::ConfigRead {
                path: path.to_owned(),
                reason: e.to_string(),
            });
        }
    };
    let mut text = String::new();
    file.take(MAX_NPMRC_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| RegistryError::ConfigRead {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(Some(Npmrc::parse(&text, env)))
}

/// The project root as npm sees it: the nearest directory (from `cwd` up) that holds
/// `package.json` or `node_modules`; `cwd` itself when there is none.
pub fn project_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join("package.json").is_file() || dir.join("node_modules").is_dir())
        .unwrap_or(cwd)
        .to_owned()
}

/// Works out the registry configuration (see the module docs for the order).
///
/// `env` looks up environment variables (also `PATH`, to find `npm`), `cwd` is the working
/// directory and `home` the user's home directory.
pub fn resolve_registry(
    explicit: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
    home: Option<&Path>,
) -> Result<RegistryConfig, RegistryError> {
    let project_path = project_root(cwd).join(".npmrc");
    let user_path = env("NPM_CONFIG_USERCONFIG")
        .or_else(|| env("npm_config_userconfig"))
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".npmrc")));
    let project = read_npmrc(&project_path, env)?;
    let user = match &user_path {
        // The project and user files can be the same file when working in the home directory.
        Some(path) if *path != project_path => read_npmrc(path, env)?,
        _ => None,
    };

    let mut searched = vec!["--registry".to_owned(), "NPM_CONFIG_REGISTRY".to_owned()];
    let mut chosen: Option<(String, ConfigSource)> = explicit
        .map(|u| (u.to_owned(), ConfigSource::Explicit))
        .filter(|(u, _)| !u.trim().is_empty());
    if chosen.is_none() {
        chosen = ["NPM_CONFIG_REGISTRY", "npm_config_registry"]
            .into_iter()
            .find_map(|name| {
                env(name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (v, ConfigSource::Env(name.to_owned())))
            });
    }
    searched.push(project_path.display().to_string());
    if chosen.is_none() {
        chosen = project
            .as_ref()
            .and_then(|rc| rc.registry.clone())
            .map(|u| (u, ConfigSource::ProjectNpmrc(project_path.clone())));
    }
    if let Some(path) = &user_path {
        searched.push(path.display().to_string());
    }
    if chosen.is_none() {
        chosen = user
            .as_ref()
            .and_then(|rc| rc.registry.clone())
            .and_then(|u| {
                user_path
                    .clone()
                    .map(|path| (u, ConfigSource::UserNpmrc(path)))
            });
    }
    if chosen.is_none() {
        searched.push("`npm config get registry`".to_owned());
        chosen = npm_config_registry(env, cwd).map(|u| (u, ConfigSource::NpmCli));
    }
    let Some((raw, source)) = chosen else {
        return Err(RegistryError::NoRegistry {
            searched: searched.join(", "),
        });
    };
    let url = normalize_registry_url(&raw, &source.to_string())?;

    let mut config = RegistryConfig {
        url,
        scopes: BTreeMap::new(),
        source,
        tokens: BTreeMap::new(),
    };
    // User first, then project, so the project file wins.
    for (rc, path) in [(&user, user_path.as_ref()), (&project, Some(&project_path))] {
        let Some(rc) = rc else { continue };
        let origin = path.map(|p| p.display().to_string()).unwrap_or_default();
        for (scope, raw) in &rc.scopes {
            let url = normalize_registry_url(raw, &origin)?;
            config.scopes.insert(scope.clone(), url);
        }
        for (prefix, token) in &rc.tokens {
            config.tokens.insert(prefix.clone(), token.clone());
        }
    }
    tracing::debug!(registry = %redact_url(&config.url), source = %config.source, "registry configured");
    Ok(config)
}

/// Finds an executable named `npm` on the injected `PATH`.
fn find_npm(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let path = env("PATH")?;
    let names: &[&str] = if cfg!(windows) {
        &["npm.cmd", "npm.exe", "npm"]
    } else {
        &["npm"]
    };
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

/// Runs `npm config get registry` with a timeout; `None` on any failure.
fn npm_config_registry(env: &dyn Fn(&str) -> Option<String>, cwd: &Path) -> Option<String> {
    let npm = find_npm(env)?;
    let mut child = Command::new(&npm)
        .args(["config", "get", "registry"])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| tracing::debug!(error = %e, "cannot run npm"))
        .ok()?;
    let deadline = Instant::now() + NPM_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if Instant::now() >= deadline => {
                tracing::debug!("`npm config get registry` timed out");
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
        }
    }
    let mut out = String::new();
    child
        .stdout
        .take()?
        .take(64 * 1024)
        .read_to_string(&mut out)
        .ok()?;
    let out = out.trim();
    (out.starts_with("http://") || out.starts_with("https://")).then(|| out.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_npmrc_lines() {
        let env = |k: &str| (k == "TOK").then(|| "s3cret".to_owned());
        let rc = Npmrc::parse(
            "; comment\n# other\n[section]\nregistry = \"http://r.test/npm\"\n\
             @acme:registry=http://acme.test/\n//r.test/npm/:_authToken=${TOK}\n\
             //other.test:8080/:_authToken=${MISSING}\nnot a pair\n",
            &env,
        );
        assert_eq!(rc.registry.as_deref(), Some("http://r.test/npm"));
        assert_eq!(rc.scopes["@acme"], "http://acme.test/");
        assert_eq!(rc.token("//r.test/npm/").unwrap().expose_secret(), "s3cret");
        assert!(
            rc.token("//other.test:8080/").is_none(),
            "unexpanded token dropped"
        );
    }

    #[test]
    fn expands_env() {
        let env = |k: &str| (k == "A").then(|| "x".to_owned());
        assert_eq!(expand_env("a${A}b${B}c${B?}d${", &env), "axb${B}cd${");
    }

    #[test]
    fn token_never_prints() {
        let t = Token::new("hunter2");
        assert_eq!(format!("{t} {t:?}"), "*** ***");
        let mut c = RegistryConfig::new("http://127.0.0.1:1/").unwrap();
        c.add_token("http://127.0.0.1:1/", t).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn token_matches_host_port_and_path_prefix() {
        let mut c = RegistryConfig::new("http://a.test:81/npm").unwrap();
        c.add_token("http://a.test:81/npm/", Token::new("t1"))
            .unwrap();
        let get = |u: &str| {
            c.token_for(&Url::parse(u).unwrap())
                .map(|t| t.expose_secret().to_owned())
        };
        assert_eq!(get("http://a.test:81/npm/express").as_deref(), Some("t1"));
        assert_eq!(get("http://a.test:82/npm/express"), None);
        assert_eq!(get("http://a.test:81/other/express"), None);
        assert_eq!(get("http://b.test:81/npm/express"), None);
    }

    #[test]
    fn normalises_url() {
        let c = RegistryConfig::new("http://h.test/x?q=1#f").unwrap();
        assert_eq!(c.url.as_str(), "http://h.test/x/");
        assert!(RegistryConfig::new("ftp://h.test/").is_err());
        assert!(RegistryConfig::new("not a url").is_err());
    }

    #[test]
    fn scoped_registry_lookup() {
        let mut c = RegistryConfig::new("http://d.test/").unwrap();
        c.scopes
            .insert("@acme".into(), Url::parse("http://acme.test/").unwrap());
        assert_eq!(c.registry_for("@acme/x").as_str(), "http://acme.test/");
        assert_eq!(c.registry_for("@other/x").as_str(), "http://d.test/");
        assert_eq!(c.registry_for("express").as_str(), "http://d.test/");
    }

    #[test]
    fn precedence() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let project = dir.path().join("proj");
        let sub = project.join("src/deep");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(project.join("package.json"), "{}").unwrap();
        std::fs::write(home.join(".npmrc"), "registry=http://user.test/\n@u:registry=http://u.test\n//p.test/:_authToken=user-token\n").unwrap();

        // Only the user file.
        let c = resolve_registry(None, &no_env, &sub, Some(&home)).unwrap();
        assert_eq!(c.url.as_str(), "http://user.test/");
        assert_eq!(c.source, ConfigSource::UserNpmrc(home.join(".npmrc")));
        assert_eq!(c.scopes["@u"].as_str(), "http://u.test/");

        // The project file (found by walking up to package.json) wins over the user file.
        std::fs::write(
            project.join(".npmrc"),
            "registry=http://p.test/\n//p.test/:_authToken=project-token\n",
        )
        .unwrap();
        let c = resolve_registry(None, &no_env, &sub, Some(&home)).unwrap();
        assert_eq!(c.url.as_str(), "http://p.test/");
        assert_eq!(c.source, ConfigSource::ProjectNpmrc(project.join(".npmrc")));
        let tok = c
            .token_for(&Url::parse("http://p.test/x").unwrap())
            .unwrap();
        assert_eq!(tok.expose_secret(), "project-token");
        assert_eq!(c.scopes["@u"].as_str(), "http://u.test/", "scopes merged");

        // The environment wins over files; lowercase is accepted too.
        let env = |k: &str| (k == "npm_config_registry").then(|| "http://env.test".to_owned());
        let c = resolve_registry(None, &env, &sub, Some(&home)).unwrap();
        assert_eq!(c.url.as_str(), "http://env.test/");
        assert_eq!(c.source, ConfigSource::Env("npm_config_registry".into()));

        // The flag wins over everything.
        let c = resolve_registry(Some("http://flag.test"), &env, &sub, Some(&home)).unwrap();
        assert_eq!(c.url.as_str(), "http://flag.test/");
        assert_eq!(c.source, ConfigSource::Explicit);

        // NPM_CONFIG_USERCONFIG replaces ~/.npmrc.
        std::fs::remove_file(project.join(".npmrc")).unwrap();
        let alt = dir.path().join("alt-npmrc");
        std::fs::write(&alt, "registry=http://alt.test/\n").unwrap();
        let alt_s = alt.display().to_string();
        let env = move |k: &str| (k == "NPM_CONFIG_USERCONFIG").then(|| alt_s.clone());
        let c = resolve_registry(None, &env, &sub, Some(&home)).unwrap();
        assert_eq!(c.url.as_str(), "http://alt.test/");
    }

    #[test]
    fn nothing_configured_says_how_to_fix() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve_registry(None, &no_env, dir.path(), Some(dir.path())).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, RegistryError::NoRegistry { .. }));
        assert!(msg.contains("--registry") && msg.contains("NPM_CONFIG_REGISTRY"));
        assert!(msg.contains("registry=<url>"), "{msg}");
    }

    #[test]
    fn npm_on_path_is_used_last() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        if cfg!(unix) {
            let npm = bin.join("npm");
            std::fs::write(&npm, "#!/bin/sh\necho http://from-npm.test/\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&npm, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            let path = bin.display().to_string();
            let env = move |k: &str| (k == "PATH").then(|| path.clone());
            let c = resolve_registry(None, &env, dir.path(), None).unwrap();
            assert_eq!(c.url.as_str(), "http://from-npm.test/");
            assert_eq!(c.source, ConfigSource::NpmCli);
        }
    }

    #[test]
    fn invalid_url_error_names_origin() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".npmrc"), "registry=ftp://x.test/\n").unwrap();
        let err = resolve_registry(None, &no_env, dir.path(), None).unwrap_err();
        assert!(err.to_string().contains(".npmrc"), "{err}");
    }
}
