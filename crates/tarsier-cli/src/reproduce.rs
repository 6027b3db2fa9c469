//! `tarsier reproduce`: from one SARIF result back to the exact tarball, file and rule, and the
//! verdict whether the same finding (same fingerprint) comes out again.

use crate::args::ReproduceArgs;
use crate::output;
use crate::{EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::{Context, Result, anyhow, bail};
use std::io::Write;
use tarsier_engine::{Engine, EngineOptions, ScanReport, SuppressionMode};
use tarsier_model::PackageOrigin;
use tarsier_registry::{Cache, ClientOptions, Dist, RegistryClient, RegistryConfig};
use tarsier_sarif::model::SarifResult;

/// The fingerprint scheme tarsier writes.
const FINGERPRINT_KEY: &str = "tarsier/v1";

/// Runs `tarsier reproduce`.
pub fn run(args: ReproduceArgs) -> Result<u8> {
    let log = tarsier_sarif::from_path(&args.sarif)?;
    let run = log
        .runs
        .first()
        .ok_or_else(|| anyhow!("{}: no run in the log", args.sarif.display()))?;
    let result = pick(&run.results, &args)?;
    let rule_id = result
        .rule_id
        .clone()
        .ok_or_else(|| anyhow!("the result has no ruleId"))?;
    let fingerprint = result
        .partial_fingerprints
        .get(FINGERPRINT_KEY)
        .cloned()
        .ok_or_else(|| anyhow!("the result has no `{FINGERPRINT_KEY}` fingerprint"))?;
    let props = result.properties.clone().unwrap_or_default();

    let mut rules = match &args.rules {
        Some(path) => tarsier_rules::load_path(path)?,
        None => tarsier_rules::embedded()?,
    };
    rules.retain_ids(std::slice::from_ref(&rule_id));
    if rules.rules.is_empty() {
        println!("not reproduced: rule `{rule_id}` no longer exists in this rule set");
        return Ok(EXIT_FINDINGS);
    }
    let engine = Engine::new(
        &rules,
        EngineOptions {
            // Inline suppressions do not change fingerprints; show the raw finding.
            suppressions: SuppressionMode::Report,
            ..EngineOptions::default()
        },
    )?;

    // A package-level (supply-chain) rule looks at the whole package, not one file: the package
    // goes through the same pipeline as in `scan` (without the registry's context, so release
    // diffs and registry signals are not reproduced here).
    let package_rule = rules
        .rules
        .first()
        .is_some_and(|r| !tarsier_engine::runs_rule(r));
    let (path, bytes, origin) = match (&props.package, &props.version, &props.file) {
        (Some(name), Some(version), Some(file)) => {
            let integrity = props.integrity.clone().ok_or_else(|| {
                anyhow!("the result has no integrity to re-fetch {name}@{version} by")
            })?;
            let tgz = fetch(&args, name, version, props.tarball.as_deref(), &integrity)?;
            let unpacked = tarsier_tarball::unpack(&tgz, &tarsier_tarball::Limits::default())
                .with_context(|| format!("unpacking {name}@{version}"))?;
            let origin = PackageOrigin {
                name: name.clone(),
                version: version.clone(),
                tarball: props.tarball.clone(),
                integrity: Some(integrity),
            };
            let Some(data) = unpacked.get(file).map(|e| e.data.clone()).or_else(|| {
                // A package-level finding may sit on a file the package no longer names.
                package_rule.then(Vec::new)
            }) else {
                println!(
                    "not reproduced: file changed: `{file}` is not in {name}@{version} any more"
                );
                return Ok(EXIT_FINDINGS);
            };
            let manifest = unpacked.files.iter().any(|f| f.path == "package.json");
            if package_rule || manifest {
                let report = if package_rule {
                    let pipeline = tarsier_scan::Pipeline::new(&rules, Default::default())?;
                    let context = tarsier_scan::SupplyContext {
                        identity: Some((name.clone(), version.clone())),
                        ..Default::default()
                    };
                    let mut report = pipeline.analyse_unpacked(
                        unpacked,
                        &context,
                        &tarsier_scan::Trust::ThirdParty,
                    );
                    report.findings.retain(|f| f.rule_id == rule_id);
                    report
                } else {
                    // A code rule sees the package as `scan` does: its entry points, and data
                    // that other files of the package pass into this one.
                    let files: Vec<(String, Vec<u8>)> = unpacked
                        .files
                        .into_iter()
                        .map(|f| (f.path, f.data))
                        .collect();
                    let mut report = engine.scan_files(&files);
                    report.findings.retain(|f| f.path == *file);
                    report
                };
                let report = tarsier_scan::package::attach_origin(report, &origin);
                return verdict(
                    &report,
                    &rules,
                    &rule_id,
                    &fingerprint,
                    &origin.spec(),
                    file,
                );
            }
            (file.clone(), data, Some(origin))
        }
        _ => {
            // A lint result: the file is local, relative to where tarsier ran.
            let uri = result
                .locations
                .first()
                .and_then(|l| l.physical_location.as_ref())
                .and_then(|p| p.artifact_location.uri.clone())
                .ok_or_else(|| anyhow!("the result has no location"))?;
            let local = percent_decode(&uri);
            let bytes = std::fs::read(&local).with_context(|| format!("reading {local}"))?;
            (local, bytes, None)
        }
    };

    let mut report: ScanReport = engine.scan_source(&path, &bytes);
    for finding in &mut report.findings {
        finding.package = origin.clone();
    }
    let spec = origin.as_ref().map(PackageOrigin::spec).unwrap_or_default();
    verdict(&report, &rules, &rule_id, &fingerprint, &spec, &path)
}

/// Prints whether `report` holds the finding with `fingerprint`, and exits accordingly.
fn verdict(
    report: &ScanReport,
    rules: &tarsier_rules::RuleSet,
    rule_id: &str,
    fingerprint: &str,
    spec: &str,
    path: &str,
) -> Result<u8> {
    let fingerprints = tarsier_sarif::fingerprints(&report.findings);
    let found = fingerprints.iter().position(|f| *f == fingerprint);
    let mut out = std::io::stdout().lock();
    let shown = if spec.is_empty() {
        path.to_string()
    } else {
        format!("{spec}/{path}")
    };
    match found {
        Some(index) => {
            let single = ScanReport {
                findings: vec![report.findings[index].clone()],
                ..ScanReport::default()
            };
            let mut frame = Vec::new();
            output::write_finding_text(&mut frame, &single, false)?;
            out.write_all(&frame)?;
            writeln!(
                out,
                "reproduced: {rule_id} at {shown} (fingerprint {fingerprint})\n"
            )?;
            if let Some(rule) = rules.rules.first() {
                writeln!(out, "{}", rule.meta.help_markdown.trim())?;
            }
            Ok(EXIT_CLEAN)
        }
        None => {
            writeln!(
                out,
                "not reproduced: {rule_id} finds {} result(s) in {shown}, none with fingerprint {fingerprint}; the rule or the file changed",
                report.findings.len()
            )?;
            Ok(EXIT_FINDINGS)
        }
    }
}

fn pick<'a>(results: &'a [SarifResult], args: &ReproduceArgs) -> Result<&'a SarifResult> {
    if let Some(index) = args.result {
        return results
            .get(index)
            .ok_or_else(|| anyhow!("there is no result {index} (the log has {})", results.len()));
    }
    let wanted = args.fingerprint.as_deref().unwrap_or_default();
    results
        .iter()
        .find(|r| {
            r.partial_fingerprints
                .get(FINGERPRINT_KEY)
                .map(String::as_str)
                == Some(wanted)
        })
        .ok_or_else(|| anyhow!("no result has fingerprint {wanted}"))
}

/// The tarball by its integrity: from the cache, else from the registry (verified again).
fn fetch(
    args: &ReproduceArgs,
    name: &str,
    version: &str,
    tarball: Option<&str>,
    integrity: &str,
) -> Result<Vec<u8>> {
    // A result of `scan PATH` / `lint x.tgz`: the tarball is a local file, checked again by
    // the integrity recorded when it was scanned.
    if let Some(local) = tarball
        .filter(|t| !t.contains("://"))
        .map(std::path::Path::new)
        .filter(|p| p.is_file())
    {
        let bytes = std::fs::read(local).with_context(|| format!("reading {}", local.display()))?;
        let expected = tarsier_registry::integrity::ExpectedIntegrity::parse_sri(integrity)
            .map_err(|e| anyhow!("the recorded integrity `{integrity}`: {e}"))?;
        let (ok, actual) = expected.check(&bytes);
        if !ok {
            bail!(
                "{} changed since it was scanned: expected {integrity}, got {}",
                local.display(),
                actual.to_sri()
            );
        }
        return Ok(bytes);
    }
    let cache = match &args.cache_dir {
        Some(dir) => Cache::new(dir),
        None => Cache::open_default(),
    }
    .context("opening the cache")?;
    let config = match RegistryConfig::from_environment(args.registry.as_deref()) {
        Ok(config) => config,
        // Offline, the cache is all that is needed; the tarball's own URL stands in.
        Err(_) if args.offline && tarball.is_some() => {
            RegistryConfig::new(tarball.unwrap_or_default()).context("the recorded tarball URL")?
        }
        Err(e) => return Err(e).context("finding the npm registry"),
    };
    let options = ClientOptions {
        offline: args.offline,
        // The bytes are checked against the recorded integrity, whatever host serves them.
        allow_foreign_tarball_hosts: true,
        ..ClientOptions::default()
    };
    let client = RegistryClient::new(config, options, Some(cache))?;
    let dist = Dist {
        tarball: tarball.unwrap_or_default().to_string(),
        integrity: Some(integrity.to_string()),
        ..Dist::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    match runtime.block_on(client.fetch_tarball(name, version, &dist)) {
        Ok(t) => Ok(t.bytes),
        Err(e) => bail!("{e}"),
    }
}

fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| uri.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(v) = escaped {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
