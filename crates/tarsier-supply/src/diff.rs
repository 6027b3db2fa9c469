//! What changed since the previous published version: new or changed install scripts, new
//! dependencies, new files (warnings when they are obfuscated or minified outside build output),
//! a changed `main` / `exports` / `bin`, and a large jump of the unpacked size. Every message says
//! what changed, so "what is new in this release" reads in one place.

use std::collections::BTreeSet;

use serde_json::Value;
use tarsier_model::Severity;

use crate::caps::{self, Cap};
use crate::install::INSTALL_HOOKS;
use crate::rule_ids::{
    RELEASE_CHANGED_CODE, RELEASE_ENTRY_POINT, RELEASE_INSTALL_SCRIPT, RELEASE_NEW_DEPENDENCY,
    RELEASE_NEW_FILE, RELEASE_SIZE_JUMP,
};
use crate::{Ctx, PackageInput, moves, obfuscation, text};

/// The dependency fields compared.
const DEPENDENCY_FIELDS: &[&str] = &["dependencies", "optionalDependencies", "peerDependencies"];
/// Lines at least this long make a new file "minified".
const MINIFIED_LINE: usize = 1000;

pub(crate) fn check(ctx: &mut Ctx<'_, '_>, prev: &PackageInput<'_>) {
    let next = ctx.package;
    let from = prev.version;
    install_scripts(ctx, prev, next, from);
    dependencies(ctx, prev, next, from);
    entry_points(ctx, prev, next, from);
    new_files(ctx, prev, from);
    size_jump(ctx, prev, from);
    changed_code(ctx, prev, from);
}

/// How a version moved from another: `major`, `minor`, `patch` (or `other`).
fn bump(from: &str, to: &str) -> &'static str {
    let parts = |v: &str| -> Vec<u64> {
        v.split(['-', '+'])
            .next()
            .unwrap_or_default()
            .split('.')
            .filter_map(|p| p.parse().ok())
            .collect()
    };
    match (parts(from).as_slice(), parts(to).as_slice()) {
        ([a, ..], [b, ..]) if a != b => "major",
        ([0, a, ..], [0, b, ..]) if a != b => "major",
        ([_, a, ..], [_, b, ..]) if a != b => "minor",
        ([_, _, a, ..], [_, _, b, ..]) if a != b => "patch",
        _ => "other",
    }
}

/// The files `main`, `module`, `browser` and `exports` name (without `./`), and `index.js`.
pub fn entry_files(manifest: &Value) -> BTreeSet<String> {
    fn strings(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) => {
                let s = s.trim_start_matches("./");
                out.insert(s.to_owned());
                if !s.ends_with(".js") && !s.ends_with(".cjs") && !s.ends_with(".mjs") {
                    out.insert(format!("{s}.js"));
                    out.insert(format!("{}/index.js", s.trim_end_matches('/')));
                }
            }
            Value::Object(m) => m.values().for_each(|v| strings(v, out)),
            Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::from(["index.js".to_owned()]);
    for field in ["main", "module", "browser", "exports"] {
        if let Some(v) = manifest.get(field) {
            strings(v, &mut out);
        }
    }
    out
}

/// The part of `now` that is not in `before`: the bytes between their common prefix (cut back
/// to a line start) and their common suffix, as a range of `now`.
pub fn added_range(before: &str, now: &str) -> std::ops::Range<usize> {
    let (b, n) = (before.as_bytes(), now.as_bytes());
    let prefix = b.iter().zip(n).take_while(|(x, y)| x == y).count();
    let max_suffix = b.len().min(n.len()) - prefix;
    let suffix = b
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let prefix = text::floor_boundary(now, prefix);
    // The addition starts at a line start: after the newline the common part ends with (or is
    // followed by), otherwise at the start of the line the common part ends in.
    let start = if now.get(prefix..).is_some_and(|r| r.starts_with('\n')) {
        prefix + 1
    } else {
        now.get(..prefix)
            .and_then(|p| p.rfind('\n'))
            .map_or(0, |i| i + 1)
    };
    let end = text::floor_boundary(now, n.len() - suffix);
    start..end.max(start)
}

/// What a changed file added: obfuscated code, capabilities the file did not have, global API
/// hooks, wallet addresses. An obfuscated addition to an entry file that was clean before is an
/// error, and so are hooks or wallet addresses in obfuscated code or together.
fn changed_code(ctx: &mut Ctx<'_, '_>, prev: &PackageInput<'_>, from: &str) {
    let bump = bump(from, ctx.package.version);
    let entries = entry_files(&ctx.package.manifest);
    let mut reports = Vec::new();
    for (path, code) in ctx.js_files() {
        let Some(before_bytes) = prev.file(path) else {
            continue;
        };
        if before_bytes == code.as_bytes() || before_bytes.len() > ctx.options.max_file_bytes {
            continue;
        }
        let before = String::from_utf8_lossy(before_bytes);
        let range = added_range(&before, code);
        let Some(added) = code.get(range.clone()).filter(|a| !a.trim().is_empty()) else {
            continue;
        };
        let mut kinds: Vec<String> = Vec::new();
        let mut details: Vec<String> = Vec::new();
        // What the file's own scan found (after deobfuscation) inside the added range; the
        // previous version is scanned only to rule out what it already had.
        let signals = obfuscation::signals(path, added);
        let obfuscated = !signals.is_empty() && obfuscation::signals(path, &before).is_empty();
        if obfuscated {
            kinds.push("obfuscated code".to_owned());
            let whats: Vec<&str> = signals.iter().map(|s| s.what.as_str()).collect();
            details.push(format!("looks obfuscated ({})", whats.join("; ")));
        }
        let decoded = ctx.decoded(path);
        let in_range = |offset: usize| range.contains(&offset);
        let (hook_source, hook_at): (&str, Box<dyn Fn(usize) -> usize>) = match decoded {
            Some(d) => (d.text.as_str(), Box::new(|o| d.original_offset(o))),
            None => (added, Box::new(|o| o + range.start)),
        };
        let mut hooks: Vec<&str> = moves::global_hooks(hook_source)
            .into_iter()
            .filter(|m| in_range(hook_at(m.start)))
            .map(|m| m.what)
            .collect();
        if !hooks.is_empty() {
            let old_hooks: BTreeSet<&str> = moves::global_hooks(&before)
                .into_iter()
                .map(|m| m.what)
                .collect();
            hooks.retain(|w| !old_hooks.contains(w));
        }
        if !hooks.is_empty() {
            kinds.push("global API hooks".to_owned());
            details.push(hooks.join(", "));
        }
        let added_wallets = match decoded {
            Some(d) => moves::wallet_addresses(&d.text).0,
            None => moves::wallet_addresses(added).0,
        };
        let wallets = added_wallets >= 3 && moves::wallet_addresses(&before).0 < 3;
        if wallets {
            kinds.push("wallet addresses".to_owned());
            details.push(format!("holds {added_wallets} wallet addresses"));
        }
        let added_hits: Vec<&caps::Hit> = ctx
            .hits(path)
            .iter()
            .filter(|h| in_range(h.start) && (h.cap.is_sink() || h.is_secret_read()))
            .collect();
        if matches!(bump, "patch" | "minor") && !added_hits.is_empty() {
            let old_caps: BTreeSet<Cap> = caps::scan_js(&before).iter().map(|h| h.cap).collect();
            let mut new_caps: Vec<String> = Vec::new();
            let mut seen = BTreeSet::new();
            for h in added_hits {
                if !old_caps.contains(&h.cap) && seen.insert(h.cap) {
                    new_caps.push(format!("{} ({})", h.cap.describe(), h.describe()));
                }
            }
            if !new_caps.is_empty() {
                kinds.push("new capabilities".to_owned());
                details.push(format!("adds {}", new_caps.join(", ")));
            }
        }
        if kinds.is_empty() {
            continue;
        }
        let entry = entries.contains(path);
        let severity = if (obfuscated && entry)
            || ((!hooks.is_empty() || wallets) && (obfuscated || decoded.is_some()))
            || (!hooks.is_empty() && wallets)
        {
            Severity::Error
        } else {
            Severity::Warning
        };
        let lines = text::LineIndex::new(code);
        let message = format!(
            "{}: {path}{} changed since {from} (a {bump} release); the added code (line {}, {} bytes) {}",
            ctx.package.spec(),
            if entry { ", an entry file," } else { "" },
            lines.line(range.start),
            added.len(),
            details.join("; ")
        );
        reports.push((
            path,
            range.start,
            range.end,
            severity,
            message,
            kinds.join(", "),
        ));
    }
    for (path, start, end, severity, message, matched) in reports {
        ctx.report_in(
            RELEASE_CHANGED_CODE,
            severity,
            message,
            path,
            start,
            end.min(start + 200),
            &matched,
        );
    }
}

fn install_scripts(
    ctx: &mut Ctx<'_, '_>,
    prev: &PackageInput<'_>,
    next: &PackageInput<'_>,
    from: &str,
) {
    for hook in INSTALL_HOOKS {
        let Some(now) = next.script(hook) else {
            continue;
        };
        let message = match prev.script(hook) {
            Some(before) if before == now => continue,
            Some(before) => format!(
                "{}: the `{hook}` script changed since {from}, from `{}` to `{}`",
                next.spec(),
                text::truncate(before, 100),
                text::truncate(now, 100)
            ),
            None => format!(
                "{}: the `{hook}` script is new since {from}: `{}`",
                next.spec(),
                text::truncate(now, 100)
            ),
        };
        let key = format!("\"{hook}\"");
        let matched = format!("{hook}: {now}");
        // npm runs `prepare` for git and local installs only, never for a registry install: a
        // new one is worth knowing, not worth a warning on the night a package moves to a build.
        let (severity, message) = if *hook == "prepare" {
            (
                Severity::Note,
                format!("{message} (npm does not run `prepare` when installing from the registry)"),
            )
        } else {
            (Severity::Warning, message)
        };
        ctx.report_manifest(
            RELEASE_INSTALL_SCRIPT,
            severity,
            message,
            Some((&key, Some("\"scripts\""))),
            &matched,
        );
    }
}

fn dependencies(
    ctx: &mut Ctx<'_, '_>,
    prev: &PackageInput<'_>,
    next: &PackageInput<'_>,
    from: &str,
) {
    let before: BTreeSet<&str> = DEPENDENCY_FIELDS
        .iter()
        .filter_map(|f| prev.manifest.get(f)?.as_object())
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    for field in DEPENDENCY_FIELDS {
        let Some(deps) = next.manifest.get(field).and_then(Value::as_object) else {
            continue;
        };
        for (name, range) in deps {
            if before.contains(name.as_str()) {
                continue;
            }
            let range = range.as_str().unwrap_or("?");
            let message = format!(
                "{}: new {} since {from}: `{name}@{range}`",
                next.spec(),
                match *field {
                    "dependencies" => "dependency",
                    "optionalDependencies" => "optional dependency",
                    _ => "peer dependency",
                }
            );
            let key = format!("\"{name}\"");
            let after = format!("\"{field}\"");
            ctx.report_manifest(
                RELEASE_NEW_DEPENDENCY,
                Severity::Note,
                message,
                Some((&key, Some(&after))),
                &format!("{field}: {name}"),
            );
        }
    }
}

fn entry_points(
    ctx: &mut Ctx<'_, '_>,
    prev: &PackageInput<'_>,
    next: &PackageInput<'_>,
    from: &str,
) {
    for field in ["main", "exports", "bin"] {
        let before = prev.manifest.get(field);
        let now = next.manifest.get(field);
        if before == now {
            continue;
        }
        let show = |v: Option<&Value>| {
            v.map_or_else(
                || "(none)".to_owned(),
                |v| text::truncate(&v.to_string(), 100),
            )
        };
        let message = format!(
            "{}: `{field}` changed since {from}, from {} to {}",
            next.spec(),
            show(before),
            show(now)
        );
        let severity = if field == "bin" {
            Severity::Warning
        } else {
            Severity::Note
        };
        let key = format!("\"{field}\"");
        let needle = now.is_some().then_some((key.as_str(), None));
        ctx.report_manifest(
            RELEASE_ENTRY_POINT,
            severity,
            message,
            needle,
            &format!("{field}: {}", show(now)),
        );
    }
}

fn new_files(ctx: &mut Ctx<'_, '_>, prev: &PackageInput<'_>, from: &str) {
    let before: BTreeSet<&str> = prev.files.iter().map(|(p, _)| *p).collect();
    let mut plain = Vec::new();
    let mut suspicious = Vec::new();
    for &(path, bytes) in &ctx.package.files {
        if before.contains(path) {
            continue;
        }
        let why = ctx
            .text(path)
            .filter(|_| text::is_js_path(path))
            .and_then(|code| {
                if !obfuscation::signals(path, code).is_empty() {
                    Some("obfuscated")
                } else if !text::is_build_output_path(path)
                    && code.lines().any(|l| l.len() >= MINIFIED_LINE)
                {
                    Some("minified")
                } else {
                    None
                }
            });
        match why {
            Some(why) => suspicious.push((path, bytes.len(), why)),
            None => plain.push((path, bytes.len())),
        }
    }
    let spec = ctx.package.spec();
    for (path, size, why) in suspicious {
        let message = format!("{spec}: new {why} file since {from}: {path} ({size} bytes)");
        ctx.report_file(
            RELEASE_NEW_FILE,
            Severity::Warning,
            message,
            path,
            &format!("new {why} file"),
        );
    }
    if plain.len() > ctx.options.max_new_file_findings {
        let examples: Vec<&str> = plain.iter().take(10).map(|(p, _)| *p).collect();
        let message = format!(
            "{spec}: {} new files since {from}, e.g. {}",
            plain.len(),
            examples.join(", ")
        );
        ctx.report_manifest(
            RELEASE_NEW_FILE,
            Severity::Note,
            message,
            None,
            "many new files",
        );
        return;
    }
    for (path, size) in plain {
        let message = format!("{spec}: new file since {from}: {path} ({size} bytes)");
        ctx.report_file(RELEASE_NEW_FILE, Severity::Note, message, path, "new file");
    }
}

fn size_jump(ctx: &mut Ctx<'_, '_>, prev: &PackageInput<'_>, from: &str) {
    let before = prev.size();
    let now = ctx.package.size();
    let grew = now.saturating_sub(before);
    if grew < ctx.options.size_jump_min_bytes
        || (now as f64) < (before as f64) * ctx.options.size_jump_ratio
    {
        return;
    }
    let factor = if before == 0 {
        String::new()
    } else {
        format!(", ×{:.1}", now as f64 / before as f64)
    };
    let message = format!(
        "{}: the unpacked size grew from {} to {} bytes since {from} (+{grew}{factor})",
        ctx.package.spec(),
        before,
        now
    );
    ctx.report_manifest(
        RELEASE_SIZE_JUMP,
        Severity::Note,
        message,
        None,
        "unpacked size jump",
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::rule_ids::*;
    use crate::{Options, PackageInput, analyze};

    fn diff(before: &[(&str, &[u8])], after: &[(&str, &[u8])]) -> Vec<tarsier_model::Finding> {
        let prev = PackageInput::from_files("pkg", "1.0.0", before).unwrap();
        let next = PackageInput::from_files("pkg", "1.0.1", after).unwrap();
        analyze(&next, Some(&prev), &Options::default())
            .findings
            .into_iter()
            .filter(|f| f.rule_id.starts_with("supply-chain/release-"))
            .collect()
    }

    #[test]
    fn identical_releases_have_no_diff() {
        let files: Vec<(&str, &[u8])> = vec![
            ("package.json", br#"{"main": "a.js", "scripts": {"install": "node-gyp rebuild"}, "dependencies": {"x": "1"}}"#),
            ("a.js", b"module.exports = 1;"),
        ];
        assert!(diff(&files, &files).is_empty());
    }

    #[test]
    fn reports_what_changed() {
        let before: Vec<(&str, &[u8])> = vec![
            (
                "package.json",
                br#"{"main": "a.js", "dependencies": {"x": "1"}}"#,
            ),
            ("a.js", b"module.exports = 1;"),
        ];
        let manifest = b"{\n  \"main\": \"b.js\",\n  \"scripts\": {\"postinstall\": \"node b.js\"},\n  \"dependencies\": {\"x\": \"1\", \"y\": \"^2.0.0\"}\n}";
        let obfuscated = "var _0xa1b2=1,_0xb2c3=2,_0xc3d4=3,_0xd4e5=4,_0xe5f6=5;";
        let after: Vec<(&str, &[u8])> = vec![
            ("package.json", manifest),
            ("a.js", b"module.exports = 1;"),
            ("b.js", obfuscated.as_bytes()),
            ("README.md", b"hello"),
        ];
        let got = diff(&before, &after);
        let by = |id: &str| got.iter().filter(|f| f.rule_id == id).collect::<Vec<_>>();
        let script = by(RELEASE_INSTALL_SCRIPT);
        assert_eq!(script.len(), 1);
        assert_eq!(script[0].span.start_line, 3);
        assert!(
            script[0]
                .message
                .contains("is new since 1.0.0: `node b.js`"),
            "{}",
            script[0].message
        );
        let deps = by(RELEASE_NEW_DEPENDENCY);
        assert_eq!(deps.len(), 1);
        assert!(
            deps[0].message.ends_with("`y@^2.0.0`"),
            "{}",
            deps[0].message
        );
        assert_eq!(deps[0].span.start_line, 4);
        let entry = by(RELEASE_ENTRY_POINT);
        assert_eq!(entry.len(), 1);
        assert!(
            entry[0].message.contains("from \"a.js\" to \"b.js\""),
            "{}",
            entry[0].message
        );
        let files = by(RELEASE_NEW_FILE);
        assert_eq!(files.len(), 2);
        let b = files.iter().find(|f| f.path == "b.js").unwrap();
        assert_eq!(b.severity, tarsier_model::Severity::Warning);
        assert!(b.message.contains("new obfuscated file"));
        assert!(by(RELEASE_SIZE_JUMP).is_empty());
    }

    #[test]
    fn size_jumps_and_many_files() {
        let before: Vec<(&str, &[u8])> = vec![("package.json", b"{}")];
        let blob = vec![b'\n'; 300 * 1024];
        let mut after: Vec<(&str, &[u8])> = vec![("package.json", b"{}"), ("blob.txt", &blob)];
        let names: Vec<String> = (0..30).map(|i| format!("f{i}.txt")).collect();
        for n in &names {
            after.push((n, b"x"));
        }
        let got = diff(&before, &after);
        let size: Vec<_> = got
            .iter()
            .filter(|f| f.rule_id == RELEASE_SIZE_JUMP)
            .collect();
        assert_eq!(size.len(), 1);
        assert!(size[0].message.contains("from 2 to"), "{}", size[0].message);
        let files: Vec<_> = got
            .iter()
            .filter(|f| f.rule_id == RELEASE_NEW_FILE)
            .collect();
        assert_eq!(files.len(), 1, "summarised");
        assert!(
            files[0].message.contains("31 new files"),
            "{}",
            files[0].message
        );
    }
}

#[cfg(test)]
mod prepare_tests {
    #![allow(clippy::unwrap_used)]
    use crate::{Options, PackageInput, analyze};
    use tarsier_model::Severity;

    fn severity_of_new_script(hook: &str) -> Severity {
        let before = br#"{"name":"p","version":"1.0.0"}"#.to_vec();
        let after =
            format!(r#"{{"name":"p","version":"1.1.0","scripts":{{"{hook}":"node build.js"}}}}"#);
        let prev_files = [("package.json", before.as_slice())];
        let next_files = [("package.json", after.as_bytes())];
        let prev = PackageInput::from_files("p", "1.0.0", &prev_files).unwrap();
        let next = PackageInput::from_files("p", "1.1.0", &next_files).unwrap();
        let report = analyze(&next, Some(&prev), &Options::default());
        report
            .findings
            .iter()
            .find(|f| f.rule_id == "supply-chain/release-install-script")
            .map(|f| f.severity)
            .unwrap()
    }

    #[test]
    fn a_new_prepare_script_is_a_note_and_a_new_postinstall_a_warning() {
        assert_eq!(severity_of_new_script("prepare"), Severity::Note);
        assert_eq!(severity_of_new_script("postinstall"), Severity::Warning);
    }
}
