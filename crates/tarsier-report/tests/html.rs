//! The rendered page: escaping, totals, no network loads, the data block.
#![allow(clippy::unwrap_used)]

mod common;

use common::{HOSTILE_MESSAGE, HOSTILE_SNIPPET, fixture};
use tarsier_report::{CSP, HtmlOptions, render_html, totals};

fn page() -> String {
    render_html(&fixture(), &HtmlOptions::default())
}

/// The text of the JSON data block.
fn data_block(html: &str) -> &str {
    let open = "<script type=\"application/json\" id=\"tarsier-data\">";
    let start = html.find(open).unwrap() + open.len();
    let len = html[start..].find("</script>").unwrap();
    &html[start..start + len]
}

/// Every start tag of the page (`<name attrs>`), outside the contents of script and style
/// elements. Text in the page never holds a raw `<`, so this finds exactly the real tags.
fn start_tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let starts_name = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..=end];
        rest = &rest[end + 1..];
        if !starts_name {
            continue;
        }
        out.push(tag);
        for raw in ["<script", "<style"] {
            if tag.starts_with(raw) {
                let close = format!("</{}>", &raw[1..]);
                let skip = rest.find(&close).unwrap();
                rest = &rest[skip..];
            }
        }
    }
    out
}

/// The lower-cased names of [`start_tags`].
fn tags(html: &str) -> Vec<String> {
    start_tags(html)
        .iter()
        .map(|t| {
            t[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect()
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let html = page();
    // Exactly two script elements: the data block and the page's own code.
    assert_eq!(html.matches("<script").count(), 2, "extra script tag");
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "data broke out of its script element"
    );
    assert!(
        !tags(&html)
            .iter()
            .any(|t| t == "img" || t == "u" || t == "odd")
    );
    assert!(!html.contains(HOSTILE_MESSAGE));
    assert!(!html.contains(HOSTILE_SNIPPET));
    // The escaped forms are shown.
    assert!(html.contains("calls eval(&quot;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;) &amp; &#39;more&#39;"));
    assert!(html.contains("&lt;img src=https://evil.invalid/x onerror=alert(2)&gt;"));
    assert!(
        html.contains("source: req.query &quot;&lt;u&gt;&quot;"),
        "taint step message"
    );
    assert!(
        html.contains("reviewed &quot;ok&quot;"),
        "in-source justification"
    );
    assert!(html.contains("false-positive: &lt;fixture&gt; (alice, 2026-11-25)"));
    assert!(html.contains("js/note-&lt;b&gt;"), "rule id");
    // The percent-decoded path is shown, escaped.
    assert!(html.contains("src/&lt;odd&gt;.js:1:4"), "decoded location");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;help&#39;)&lt;/script&gt;"),
        "help"
    );
    // Options are escaped too.
    let titled = render_html(
        &fixture(),
        &HtmlOptions {
            title: "<b>nightly</b>".to_string(),
            generated_at: Some("\"now\"".to_string()),
        },
    );
    assert!(titled.contains("<title>&lt;b&gt;nightly&lt;/b&gt;</title>"));
    assert!(titled.contains("&quot;now&quot;"));
}

#[test]
fn data_block_round_trips_hostile_text() {
    let html = page();
    let block = data_block(&html);
    assert!(!block.contains('<') && !block.contains('>'));
    let rows: Vec<serde_json::Value> = serde_json::from_str(block).unwrap();
    assert_eq!(rows.len(), 5);
    let hostile = rows
        .iter()
        .find(|r| r["message"].as_str().unwrap().starts_with("calls eval"))
        .unwrap();
    assert_eq!(
        hostile["message"].as_str().unwrap(),
        format!("{HOSTILE_MESSAGE}.")
    );
    assert_eq!(hostile["package"], "send@1.0.0");
    assert_eq!(hostile["level"], "error");
    let triaged = rows
        .iter()
        .find(|r| r["rule"] == "express/open-redirect")
        .unwrap();
    assert_eq!(triaged["status"], "new, triaged");
    assert_eq!(triaged["package"], "cookie@0.7.0");
    let numbers: Vec<u64> = rows.iter().map(|r| r["n"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
}

#[test]
fn totals_by_severity_package_and_rule() {
    let t = totals(&fixture());
    assert_eq!(t.total, 5);
    assert_eq!(t.suppressed, 2);
    assert_eq!(t.new, 1);
    assert_eq!(t.absent, 0);
    assert_eq!(
        t.by_severity
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<Vec<_>>(),
        [("error", 3), ("none", 0), ("note", 1), ("warning", 1)]
    );
    assert_eq!(t.by_package["send@1.0.0"], 2);
    assert_eq!(t.by_package["cookie@0.7.0"], 1);
    assert_eq!(t.by_package["local"], 2);
    assert_eq!(t.by_rule["js/eval"], 3);
    assert_eq!(t.by_rule["express/open-redirect"], 1);

    let html = page();
    assert!(html.contains("<b id=\"total-findings\">5</b>"));
    assert!(html.contains("<b id=\"total-error\">3</b>"));
    assert!(html.contains("<b id=\"total-warning\">1</b>"));
    assert!(html.contains("<b id=\"total-suppressed\">2</b>"));
    assert!(html.contains("<b id=\"total-new\">1</b>"));
    // The package table and select list each package once.
    assert!(html.contains("<tr><td>send@1.0.0</td><td class=\"num\">2</td></tr>"));
    assert!(html.contains("<option value=\"cookie@0.7.0\">cookie@0.7.0</option>"));
    // One chart per block.
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 3);
}

#[test]
fn absent_results_are_counted_apart() {
    let mut log = fixture();
    let eval = log.runs[0]
        .results
        .iter_mut()
        .find(|r| r.rule_id.as_deref() == Some("js/eval"))
        .unwrap();
    eval.baseline_state = Some(tarsier_sarif::model::BaselineState::Absent);
    let t = totals(&log);
    assert_eq!((t.total, t.absent), (4, 1));
    assert_eq!(t.by_rule["js/eval"], 2);
}

#[test]
fn nothing_is_loaded_from_anywhere() {
    let html = page();
    let csp = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">");
    assert!(html.contains(&csp));
    assert_eq!(
        CSP,
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    );
    let names = tags(&html);
    for forbidden in [
        "link", "img", "iframe", "object", "embed", "base", "form", "audio", "video", "source",
    ] {
        assert!(
            !names.iter().any(|t| t == forbidden),
            "<{forbidden}> in page"
        );
    }
    for tag in start_tags(&html) {
        let lower = tag.to_ascii_lowercase();
        assert!(!lower.contains("src="), "a src attribute: {tag}");
        assert!(
            !lower.contains("style="),
            "an inline style attribute: {tag}"
        );
        assert!(!lower.contains(" on"), "an event handler attribute: {tag}");
        // Every href is an in-page anchor.
        if let Some(i) = lower.find("href=") {
            assert!(lower[i..].starts_with("href=\"#"), "{tag}");
        }
    }
    // Nor from CSS.
    let lower = html.to_ascii_lowercase();
    for needle in ["url(", "@import", "src=\"http", "href=\"http"] {
        assert!(!lower.contains(needle), "{needle} in page");
    }
    // The check itself sees the tags it must.
    assert!(
        start_tags(&html)
            .iter()
            .any(|t| t.starts_with("<a href=\"#rule-"))
    );
    assert!(tags(&html).iter().any(|t| t == "svg"));
}

#[test]
fn findings_have_frame_taint_path_status_and_help() {
    let html = page();
    assert_eq!(html.matches("<article class=\"finding ").count(), 5);
    // The flagged columns are marked in the code frame, with the line number.
    assert!(html.contains("<span class=\"ln\">12</span>"));
    assert!(html.contains("<mark>eval(x)</mark>"));
    assert!(html.contains("Taint path (2 steps)"));
    assert!(html.contains("Baseline: <b>new</b>"));
    assert!(html.contains("Triage: <b>triaged</b>"));
    assert!(html.contains("Triage: <b>suppressed in source</b>"));
    // Help is rendered once per rule, linked from each finding.
    assert_eq!(html.matches("<article class=\"rule\"").count(), 3);
    assert!(html.contains("<h5>Why is this bad?</h5>"));
    assert!(html.contains("<strong>code</strong>"));
    assert_eq!(html.matches("href=\"#rule-js_eval\"").count(), 3);
    assert!(html.contains("id=\"rule-js_eval\""));
}

#[test]
fn empty_log_renders() {
    let log = tarsier_sarif::from_reader(&br#"{"version":"2.1.0","runs":[]}"#[..]).unwrap();
    let html = render_html(&log, &HtmlOptions::default());
    assert!(html.contains("<p>No findings.</p>"));
    assert!(html.contains("<b id=\"total-findings\">0</b>"));
    assert_eq!(data_block(&html), "[]");
}

#[test]
fn output_is_deterministic() {
    assert_eq!(page(), page());
}

#[test]
fn large_log_renders_in_linear_time() {
    let mut log = fixture();
    let results = log.runs[0].results.clone();
    for _ in 0..4_999 {
        log.runs[0].results.extend(results.iter().cloned());
    }
    assert_eq!(log.runs[0].results.len(), 25_000);
    let start = std::time::Instant::now();
    let html = render_html(&log, &HtmlOptions::default());
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(html.matches("<article class=\"finding ").count(), 25_000);
    assert!(html.contains("<b id=\"total-findings\">25000</b>"));
}

#[test]
fn scan_problems_are_listed_and_escaped() {
    use tarsier_sarif::model::{
        Level, Message, Notification, ReportingDescriptorReference, ResultProperties,
    };
    let mut log = fixture();
    assert!(!page().contains("Scan problems"));
    log.runs[0].invocations[0]
        .tool_execution_notifications
        .push(Notification {
            level: Some(Level::Error),
            message: Message::new("cannot fetch <tarball>"),
            descriptor: Some(ReportingDescriptorReference {
                id: "fetch-failed".to_string(),
            }),
            locations: Vec::new(),
            properties: Some(ResultProperties {
                package: Some("evil\"pkg".to_string()),
                version: Some("1.0.0".to_string()),
                ..ResultProperties::default()
            }),
        });
    let html = render_html(&log, &HtmlOptions::default());
    assert!(html.contains("<h2>Scan problems</h2>"));
    assert!(html.contains("<td>fetch-failed</td><td>evil&quot;pkg@1.0.0</td>"));
    assert!(html.contains("cannot fetch &lt;tarball&gt;"));
}
