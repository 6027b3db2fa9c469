//! From a scope to concrete package versions, optionally with their dependency closure.
//!
//! Each scope entry's packument is fetched and its selector applied with
//! [`tarsier_semver::select`]. With `with_deps`, the production `dependencies` of every selected
//! version are resolved the way npm picks a version for a range: the `latest` dist-tag when it
//! satisfies the range, else the highest satisfying version that is not deprecated, else the
//! highest satisfying one (prereleases only when the range names them). Each distinct
//! `(name, range)` pair is resolved once, and so each failure is reported once. `npm:` aliases
//! are followed; git, file and URL dependencies are reported as
//! [`RegistryError::NonRegistryDependency`].
//!
//! Entries are resolved concurrently (the client bounds the requests in flight); the output is
//! sorted (by name, then npm version order) and deduplicated by `name@version`, so it does not
//! depend on timing. One failing package never stops the others: its error goes to
//! [`ResolveOutcome::failures`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use semver::Version;
use tarsier_semver::{Range, Selector, compare, parse_version, select};
use tokio::task::JoinSet;

use crate::client::RegistryClient;
use crate::error::RegistryError;
use crate::packument::{Dist, Packument, PackumentVersion};
use crate::scope::Scope;

/// A package version to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPackage {
    /// The package name.
    pub name: String,
    /// The version (as the packument spells it).
    pub version: String,
    /// Where its tarball is and how to verify it.
    pub dist: Dist,
    /// Its production dependencies (name -> specifier).
    pub dependencies: BTreeMap<String, String>,
    /// Its `scripts`.
    pub scripts: BTreeMap<String, String>,
    /// Its deprecation message, if deprecated.
    pub deprecated: Option<String>,
    /// Whether a scope entry selected it (rather than only the dependency closure).
    pub direct: bool,
}

impl ResolvedPackage {
    fn new(name: &str, v: &PackumentVersion, key: &str, direct: bool) -> Self {
        Self {
            name: name.to_owned(),
            version: key.to_owned(),
            dist: v.dist.clone(),
            dependencies: v.dependencies.clone(),
            scripts: v.scripts.clone(),
            deprecated: v.deprecated.clone(),
            direct,
        }
    }

    /// `name@version`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// What [`resolve_scope`] found.
#[derive(Debug, Default)]
pub struct ResolveOutcome {
    /// The versions to scan, sorted by name and version, without duplicates.
    pub packages: Vec<ResolvedPackage>,
    /// The specs (`name@selector`) that could not be resolved, sorted, with why.
    pub failures: Vec<(String, RegistryError)>,
}

/// The versions of a packument whose keys npm would accept, with their keys.
fn parsed_versions(p: &Packument) -> Vec<(Version, &str)> {
    p.versions
        .keys()
        .filter_map(|k| parse_version(k).ok().map(|v| (v, k.as_str())))
        .collect()
}

/// Resolves one scope entry to its selected versions.
async fn resolve_entry(
    client: RegistryClient,
    name: String,
    selector: Selector,
    include_prerelease: bool,
) -> Result<Vec<ResolvedPackage>, RegistryError> {
    let p = client.packument(&name).await?;
    let versions = parsed_versions(&p);
    let list: Vec<Version> = versions.iter().map(|(v, _)| v.clone()).collect();
    let by_version: HashMap<&Version, &str> = versions.iter().map(|(v, k)| (v, *k)).collect();
    let picked = select(&selector, &list, &p.dist_tags, include_prerelease).map_err(|e| {
        RegistryError::Selection {
            package: name.clone(),
            wanted: selector.to_string(),
            reason: e.to_string(),
        }
    })?;
    Ok(picked
        .iter()
        .filter_map(|v| {
            let key = by_version.get(v)?;
            Some(ResolvedPackage::new(
                &name,
                p.versions.get(*key)?,
                key,
                true,
            ))
        })
        .collect())
}

/// Picks the version npm would install for `spec` (a range, version or tag).
fn pick(p: &Packument, name: &str, spec: &str) -> Result<String, RegistryError> {
    let no_match = || RegistryError::NoMatchingVersion {
        package: name.to_owned(),
        wanted: spec.to_owned(),
    };
    let selector = match Selector::parse(spec) {
        Ok(s) => s,
        Err(e) if spec.contains(['/', ':']) => {
            tracing::debug!(package = name, spec, error = %e, "non-registry dependency");
            return Err(RegistryError::NonRegistryDependency {
                package: name.to_owned(),
                spec: spec.to_owned(),
            });
        }
        Err(e) => {
            return Err(RegistryError::Selection {
                package: name.to_owned(),
                wanted: spec.to_owned(),
                reason: e.to_string(),
            });
        }
    };
    let versions = parsed_versions(p);
    let range = match selector {
        Selector::Range(r) => r,
        Selector::Version(v) => {
            return versions
                .iter()
                .find(|(pv, _)| compare(pv, &v).is_eq())
                .map(|(_, k)| (*k).to_owned())
                .ok_or_else(no_match);
        }
        // `all` and `last:N` are tarsier's, not npm's: in a dependency they can only be tags.
        Selector::Tag(_) | Selector::All | Selector::Last(_) => {
            let tag = if spec.trim().is_empty() {
                "latest"
            } else {
                spec.trim()
            };
            return p
                .dist_tags
                .get(tag)
                .filter(|v| p.versions.contains_key(*v))
                .cloned()
                .ok_or_else(no_match);
        }
    };
    npm_pick(p, &versions, &range).ok_or_else(no_match)
}

/// npm-pick-manifest's choice for a range.
fn npm_pick(p: &Packument, versions: &[(Version, &str)], range: &Range) -> Option<String> {
    if let Some(latest) = p.dist_tags.get("latest")
        && let Ok(v) = parse_version(latest)
        && range.matches(&v, false)
        && p.versions.contains_key(latest)
    {
        return Some(latest.clone());
    }
    let highest = |allow_deprecated: bool| {
        versions
            .iter()
            .filter(|(v, _)| range.matches(v, false))
            .filter(|(_, k)| {
                allow_deprecated || p.versions.get(*k).is_some_and(|pv| pv.deprecated.is_none())
            })
            .max_by(|a, b| compare(&a.0, &b.0))
            .map(|(_, k)| (*k).to_owned())
    };
    highest(false).or_else(|| highest(true))
}

/// Resolves one dependency `(name, spec)`, following `npm:` aliases.
async fn resolve_dependency(
    client: RegistryClient,
    name: String,
    spec: String,
) -> Result<ResolvedPackage, RegistryError> {
    let (real, range) = match spec.strip_prefix("npm:") {
        Some(alias) => {
            let at = alias.get(1..).and_then(|r| r.find('@')).map(|i| i + 1);
            match at {
                Some(i) => (
                    alias.get(..i).unwrap_or_default().to_owned(),
                    alias.get(i + 1..).unwrap_or_default().to_owned(),
                ),
                None => (alias.to_owned(), "latest".to_owned()),
            }
        }
        None => (name, spec),
    };
    // Git, file, URL and similar specifiers never reach the registry.
    if Selector::parse(&range).is_err() && range.contains(['/', ':']) {
        return Err(RegistryError::NonRegistryDependency {
            package: real,
            spec: range,
        });
    }
    let p: Arc<Packument> = client.packument(&real).await?;
    let key = pick(&p, &real, &range)?;
    let v = p
        .versions
        .get(&key)
        .ok_or_else(|| RegistryError::NoMatchingVersion {
            package: real.clone(),
            wanted: range.clone(),
        })?;
    Ok(ResolvedPackage::new(&real, v, &key, false))
}

/// Sort key: name, then npm version order (unparsable versions last, by text).
fn sort_packages(packages: &mut [ResolvedPackage]) {
    packages.sort_by(|a, b| {
        a.name.cmp(&b.name).then_with(|| {
            match (parse_version(&a.version), parse_version(&b.version)) {
                (Ok(x), Ok(y)) => compare(&x, &y).then_with(|| x.cmp(&y)),
                (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                (Err(_), Err(_)) => a.version.cmp(&b.version),
            }
        })
    });
}

/// Resolves a scope to package versions (see the module docs).
pub async fn resolve_scope(
    client: &RegistryClient,
    scope: &Scope,
    with_deps: bool,
) -> ResolveOutcome {
    let mut found: BTreeMap<(String, String), ResolvedPackage> = BTreeMap::new();
    let mut failures: Vec<(String, RegistryError)> = Vec::new();

    let mut tasks = JoinSet::new();
    for entry in &scope.packages {
        let spec = entry.spec();
        let fut = resolve_entry(
            client.clone(),
            entry.name.clone(),
            entry.selector.clone(),
            scope.include_prerelease,
        );
        tasks.spawn(async move { (spec, fut.await) });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((_, Ok(packages))) => {
                for p in packages {
                    found.insert((p.name.clone(), p.version.clone()), p);
                }
            }
            Ok((spec, Err(e))) => failures.push((spec, e)),
            Err(e) => tracing::warn!(error = %e, "a resolve task failed"),
        }
    }

    if with_deps {
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        let mut wave: Vec<(String, String)> = Vec::new();
        let enqueue = |p: &ResolvedPackage,
                       seen: &mut BTreeSet<(String, String)>,
                       wave: &mut Vec<(String, String)>| {
            for (dep, spec) in &p.dependencies {
                let key = (dep.clone(), spec.clone());
                if seen.insert(key.clone()) {
                    wave.push(key);
                }
            }
        };
        for p in found.values() {
            enqueue(p, &mut seen, &mut wave);
        }
        while !wave.is_empty() {
            let mut tasks = JoinSet::new();
            for (dep, spec) in wave.drain(..) {
                let label = format!("{dep}@{spec}");
                let fut = resolve_dependency(client.clone(), dep, spec);
                tasks.spawn(async move { (label, fut.await) });
            }
            while let Some(joined) = tasks.join_next().await {
                match joined {
                    Ok((_, Ok(p))) => {
                        let key = (p.name.clone(), p.version.clone());
                        if let std::collections::btree_map::Entry::Vacant(slot) = found.entry(key) {
                            enqueue(&p, &mut seen, &mut wave);
                            slot.insert(p);
                        }
                    }
                    Ok((label, Err(e))) => failures.push((label, e)),
                    Err(e) => tracing::warn!(error = %e, "a resolve task failed"),
                }
            }
        }
    }

    let mut packages: Vec<ResolvedPackage> = found.into_values().collect();
    sort_packages(&mut packages);
    failures.sort_by(|a, b| a.0.cmp(&b.0));
    ResolveOutcome { packages, failures }
}
