//! The HTML page: header, totals with bar charts, the findings table (built by inline JavaScript
//! from a JSON data block), then every finding in full, then the help of every rule that fired.

use crate::escape::{self, push_html};
use crate::markdown;
use crate::summary::{Entry, SEVERITIES, Totals, baseline_name, entries, level_name, totals_of};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tarsier_sarif::model::{Level, Location, ReportingDescriptor, SarifLog, SuppressionKind};

/// The Content-Security-Policy of the page: nothing may be loaded, only the inline style and
/// script run.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// How many bars a chart shows at most; the rest are summed into one "other" bar.
const MAX_BARS: usize = 12;

/// Options of [`render_html`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlOptions {
    /// The page title and heading.
    pub title: String,
    /// A timestamp to show in the header; `None` (the default) keeps the output reproducible.
    pub generated_at: Option<String>,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            title: "tarsier report".to_string(),
            generated_at: None,
        }
    }
}

/// Renders `log` as one self-contained HTML page; see the crate docs.
pub fn render_html(log: &SarifLog, options: &HtmlOptions) -> String {
    let entries = entries(log);
    let totals = totals_of(&entries);
    let mut out = String::with_capacity(16 * 1024 + entries.len() * 2048);

    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    );
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape::html(&options.title));
    let _ = writeln!(out, "<style>\n{CSS}</style>\n</head>\n<body>");

    header(&mut out, log, options, &totals);
    totals_section(&mut out, &totals);
    table_section(&mut out, &totals);
    details_section(&mut out, &entries);
    notifications_section(&mut out, log);
    rules_section(&mut out, &entries);

    out.push_str("<script type=\"application/json\" id=\"tarsier-data\">");
    out.push_str(&escape::json_for_script(&table_data(&entries)));
    out.push_str("</script>\n");
    let _ = write!(out, "<script>\n{JS}</script>\n</body>\n</html>\n");
    out
}

fn header(out: &mut String, log: &SarifLog, options: &HtmlOptions, totals: &Totals) {
    out.push_str("<header>\n<h1>");
    push_html(out, &options.title);
    out.push_str("</h1>\n<p class=\"muted\">");
    let tools: Vec<String> = log
        .runs
        .iter()
        .map(|r| {
            let d = &r.tool.driver;
            match &d.version {
                Some(v) => format!("{} {v}", d.name),
                None => d.name.clone(),
            }
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let _ = write!(
        out,
        "{} run(s) by {}",
        log.runs.len(),
        escape::html(&tools.join(", "))
    );
    if let Some(at) = &options.generated_at {
        out.push_str(", generated ");
        push_html(out, at);
    }
    let failed = log
        .runs
        .iter()
        .flat_map(|r| &r.invocations)
        .any(|i| !i.execution_successful);
    if failed {
        out.push_str(". <strong>The scan did not complete; results may be missing.</strong>");
    }
    out.push_str("</p>\n</header>\n");
    let _ = write!(
        out,
        "<section class=\"cards\" id=\"summary\">\n\
         <div class=\"card\"><b id=\"total-findings\">{}</b>findings</div>\n",
        totals.total
    );
    for sev in SEVERITIES {
        let n = totals.by_severity.get(sev).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<div class=\"card\"><b id=\"total-{sev}\">{n}</b>{sev}</div>"
        );
    }
    let _ = writeln!(
        out,
        "<div class=\"card\"><b id=\"total-suppressed\">{}</b>suppressed</div>",
        totals.suppressed
    );
    if totals.new > 0 || totals.absent > 0 {
        let _ = writeln!(
            out,
            "<div class=\"card\"><b id=\"total-new\">{}</b>new</div>\n\
             <div class=\"card\"><b id=\"total-absent\">{}</b>absent (fixed)</div>",
            totals.new, totals.absent
        );
    }
    out.push_str("</section>\n");
}

fn totals_section(out: &mut String, totals: &Totals) {
    out.push_str("<h2>Totals</h2>\n<div class=\"totals\">\n");
    let severities: Vec<(String, usize, String)> = SEVERITIES
        .iter()
        .map(|s| {
            (
                s.to_string(),
                totals.by_severity.get(*s).copied().unwrap_or(0),
                s.to_string(),
            )
        })
        .collect();
    block(out, "severity", "By severity", "Severity", &severities);
    block(
        out,
        "package",
        "By package",
        "Package",
        &by_count(&totals.by_package),
    );
    block(out, "rule", "By rule", "Rule", &by_count(&totals.by_rule));
    out.push_str("</div>\n");
}

/// Most first, then by name.
fn by_count(map: &BTreeMap<String, usize>) -> Vec<(String, usize, String)> {
    let mut v: Vec<(String, usize, String)> = map
        .iter()
        .map(|(k, n)| (k.clone(), *n, "other".to_string()))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn block(out: &mut String, id: &str, title: &str, column: &str, rows: &[(String, usize, String)]) {
    let _ = writeln!(out, "<div id=\"by-{id}\">\n<h3>{title}</h3>");
    bar_chart(out, title, rows);
    let _ = writeln!(
        out,
        "<table><thead><tr><th>{column}</th><th class=\"num\">Findings</th></tr></thead><tbody>"
    );
    for (label, n, _) in rows {
        out.push_str("<tr><td>");
        push_html(out, label);
        let _ = writeln!(out, "</td><td class=\"num\">{n}</td></tr>");
    }
    out.push_str("</tbody></table>\n</div>\n");
}

/// A horizontal bar chart as inline SVG; labels are escaped like all other text.
fn bar_chart(out: &mut String, title: &str, rows: &[(String, usize, String)]) {
    let mut bars: Vec<(String, usize, String)> = rows.iter().take(MAX_BARS).cloned().collect();
    if rows.len() > MAX_BARS {
        let rest: usize = rows.iter().skip(MAX_BARS).map(|r| r.1).sum();
        bars.push((
            format!("{} more", rows.len() - MAX_BARS),
            rest,
            "other".to_string(),
        ));
    }
    if bars.is_empty() {
        return;
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (150usize, 190usize, 20usize);
    let height = bars.len() * row_h + 4;
    let width = label_w + bar_w + 50;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" role=\"img\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\">"
    );
    out.push_str("<title>");
    push_html(out, title);
    out.push_str("</title>\n");
    for (i, (label, n, class)) in bars.iter().enumerate() {
        let y = i * row_h + 2;
        let w = if *n == 0 { 0 } else { (n * bar_w / max).max(2) };
        let shown: String = if label.chars().count() > 22 {
            let mut s: String = label.chars().take(21).collect();
            s.push('\u{2026}');
            s
        } else {
            label.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">",
            label_w - 6,
            y + 14
        );
        push_html(out, &shown);
        let _ = writeln!(
            out,
            "</text><rect class=\"bar {}\" x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"{}\"></rect>\
             <text x=\"{}\" y=\"{}\">{n}</text>",
            escape::html(class),
            y + 2,
            row_h - 6,
            label_w + w + 4,
            y + 14
        );
    }
    out.push_str("</svg>\n");
}

fn table_section(out: &mut String, totals: &Totals) {
    out.push_str(
        "<h2>Findings</h2>\n<div class=\"controls\">\n\
         <input id=\"filter\" type=\"search\" placeholder=\"Filter by rule, package, file, message\u{2026}\" aria-label=\"Filter\">\n\
         <select id=\"severity\" aria-label=\"Severity\"><option value=\"\">All severities</option>",
    );
    for sev in SEVERITIES {
        let _ = write!(out, "<option value=\"{sev}\">{sev}</option>");
    }
    out.push_str(
        "</select>\n<select id=\"package\" aria-label=\"Package\"><option value=\"\">All packages</option>",
    );
    for package in totals.by_package.keys() {
        let p = escape::html(package);
        let _ = write!(out, "<option value=\"{p}\">{p}</option>");
    }
    out.push_str(
        "</select>\n<span id=\"count\" class=\"muted\"></span>\n</div>\n\
         <table id=\"findings\"><thead><tr>\
         <th data-key=\"level\" tabindex=\"0\">Severity</th><th data-key=\"rule\" tabindex=\"0\">Rule</th>\
         <th data-key=\"package\" tabindex=\"0\">Package</th><th data-key=\"location\" tabindex=\"0\">Location</th>\
         <th data-key=\"message\" tabindex=\"0\">Message</th><th data-key=\"status\" tabindex=\"0\">Status</th>\
         </tr></thead><tbody></tbody></table>\n\
         <noscript><p>The table needs JavaScript; every finding is listed in full below.</p></noscript>\n",
    );
}

fn table_data(entries: &[Entry<'_>]) -> String {
    let rows: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "n": e.number,
                "level": level_name(e.level),
                "rule": e.rule_id,
                "package": e.package,
                "location": e.location(),
                "uri": e.uri,
                "line": e.line,
                "col": e.column,
                "message": e.result.message.text,
                "status": e.status(),
            })
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

fn details_section(out: &mut String, entries: &[Entry<'_>]) {
    out.push_str("<h2>Details</h2>\n<section id=\"details\">\n");
    for e in entries {
        finding(out, e);
    }
    if entries.is_empty() {
        out.push_str("<p>No findings.</p>\n");
    }
    out.push_str("</section>\n");
}

fn finding(out: &mut String, e: &Entry<'_>) {
    let level = level_name(e.level);
    let _ = write!(
        out,
        "<article class=\"finding {level}\" id=\"f-{n}\">\n<h3><span class=\"badge {level}\">{level}</span> <code>",
        n = e.number
    );
    push_html(out, &e.rule_id);
    out.push_str("</code>");
    if let Some(short) = e.rule.and_then(rule_title) {
        out.push(' ');
        push_html(out, short);
    }
    out.push_str("</h3>\n<p class=\"loc\"><span class=\"muted\">");
    push_html(out, &e.package);
    out.push_str("</span> \u{b7} <code>");
    push_html(out, &e.location());
    out.push_str("</code></p>\n<p class=\"msg\">");
    push_html(out, &e.result.message.text);
    out.push_str("</p>\n");

    // Triage status.
    out.push_str("<div class=\"status\">");
    match e.result.baseline_state {
        Some(state) => {
            let _ = write!(
                out,
                "<span>Baseline: <b>{}</b></span>",
                baseline_name(state)
            );
        }
        None => out.push_str("<span>Baseline: <b>not compared</b></span>"),
    }
    if e.result.suppressions.is_empty() {
        out.push_str("<span>Triage: <b>open</b></span>");
    }
    for s in &e.result.suppressions {
        let kind = match s.kind {
            SuppressionKind::External => "triaged",
            SuppressionKind::InSource => "suppressed in source",
        };
        let _ = write!(out, "<span>Triage: <b>{kind}</b>");
        if let Some(j) = &s.justification {
            out.push_str(" \u{2014} ");
            push_html(out, j);
        }
        out.push_str("</span>");
    }
    out.push_str("</div>\n");

    code_frame(out, e);
    taint_path(out, e);
    if let Some(rule) = e.rule {
        let _ = writeln!(
            out,
            "<p><a href=\"#rule-{}\">Rule help</a></p>",
            escape::html(&anchor(&rule.id))
        );
    }
    out.push_str("</article>\n");
}

fn rule_title(rule: &ReportingDescriptor) -> Option<&str> {
    rule.short_description
        .as_ref()
        .map(|d| d.text.as_str())
        .or(rule.name.as_deref())
        .filter(|t| !t.is_empty())
}

/// The snippet with line numbers, the flagged columns marked.
fn code_frame(out: &mut String, e: &Entry<'_>) {
    let Some(region) = e
        .result
        .locations
        .first()
        .and_then(|l| l.physical_location.as_ref())
        .and_then(|p| p.region.as_ref())
    else {
        return;
    };
    let Some(snippet) = region.snippet.as_ref().filter(|s| !s.text.is_empty()) else {
        return;
    };
    let first = region.start_line.unwrap_or(1).max(1);
    let last = region.end_line.unwrap_or(first);
    out.push_str("<pre class=\"frame\"><code>");
    for (i, text) in snippet.text.lines().enumerate() {
        let line = first.saturating_add(i);
        let _ = write!(out, "<span class=\"ln\">{line}</span>");
        // Columns are 1-based code points; mark from the start column on the first line to the
        // end column on the last, when they fall inside the text.
        let chars: Vec<char> = text.chars().collect();
        let from = if line == first {
            region.start_column.unwrap_or(1).saturating_sub(1)
        } else {
            0
        };
        let to = if line == last {
            region
                .end_column
                .map_or(chars.len(), |c| c.saturating_sub(1))
        } else {
            chars.len()
        };
        let (from, to) = (from.min(chars.len()), to.min(chars.len()));
        if line > last || from >= to || region.start_column.is_none() {
            push_html(out, text);
        } else {
            let part =
                |r: std::ops::Range<usize>| chars.get(r).unwrap_or(&[]).iter().collect::<String>();
            push_html(out, &part(0..from));
            out.push_str("<mark>");
            push_html(out, &part(from..to));
            out.push_str("</mark>");
            push_html(out, &part(to..chars.len()));
        }
        out.push('\n');
    }
    out.push_str("</code></pre>\n");
}

fn describe(location: &Location) -> (String, String) {
    let phys = location.physical_location.as_ref();
    let mut place = phys
        .and_then(|p| p.artifact_location.uri.clone())
        .unwrap_or_default();
    if let Some(r) = phys.and_then(|p| p.region.as_ref())
        && let Some(l) = r.start_line
    {
        let _ = write!(place, ":{l}");
        if let Some(c) = r.start_column {
            let _ = write!(place, ":{c}");
        }
    }
    let message = location
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    (place, message)
}

fn taint_path(out: &mut String, e: &Entry<'_>) {
    for flow in &e.result.code_flows {
        for thread in &flow.thread_flows {
            let steps: Vec<(String, String)> = thread
                .locations
                .iter()
                .filter_map(|s| s.location.as_ref().map(describe))
                .collect();
            if steps.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "<details class=\"taint\" open><summary>Taint path ({} steps)</summary><ol class=\"flow\">",
                steps.len()
            );
            for (place, message) in steps {
                out.push_str("<li><code>");
                push_html(out, &place);
                out.push_str("</code> ");
                push_html(out, &message);
                out.push_str("</li>\n");
            }
            out.push_str("</ol></details>\n");
        }
    }
}

/// Problems with the scan itself (files too large, packages that could not be fetched): what
/// was not looked at matters as much as what was found.
fn notifications_section(out: &mut String, log: &SarifLog) {
    let notes: Vec<_> = log
        .runs
        .iter()
        .flat_map(|r| &r.invocations)
        .flat_map(|i| &i.tool_execution_notifications)
        .collect();
    if notes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2>Scan problems</h2>\n<table id=\"notifications\"><thead><tr><th>Level</th><th>Code</th>\
         <th>Package</th><th>Where</th><th>Message</th></tr></thead><tbody>"
    );
    for n in notes {
        let level = level_name(n.level.unwrap_or(Level::Warning));
        let _ = write!(
            out,
            "<tr><td><span class=\"badge {level}\">{level}</span></td><td>"
        );
        if let Some(d) = &n.descriptor {
            push_html(out, &d.id);
        }
        out.push_str("</td><td>");
        if let Some(p) = &n.properties {
            let label = match (&p.package, &p.version) {
                (Some(name), Some(version)) => format!("{name}@{version}"),
                (Some(name), None) => name.clone(),
                _ => String::new(),
            };
            push_html(out, &label);
        }
        out.push_str("</td><td>");
        if let Some(l) = n.locations.first() {
            push_html(out, &describe(l).0);
        }
        out.push_str("</td><td>");
        push_html(out, &n.message.text);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// An anchor id derived from a rule id: letters, digits, `-` and `_` kept, everything else `_`.
fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The help of every rule that fired, once each (repeating it per finding would make reports of
/// thousands of findings huge).
fn rules_section(out: &mut String, entries: &[Entry<'_>]) {
    let mut rules: BTreeMap<&str, &ReportingDescriptor> = BTreeMap::new();
    for e in entries {
        if let Some(r) = e.rule {
            rules.entry(r.id.as_str()).or_insert(r);
        }
    }
    if rules.is_empty() {
        return;
    }
    out.push_str("<h2>Rules</h2>\n<section id=\"rules\">\n");
    for (id, rule) in rules {
        let _ = write!(
            out,
            "<article class=\"rule\" id=\"rule-{}\">\n<h3><code>",
            escape::html(&anchor(id))
        );
        push_html(out, id);
        out.push_str("</code>");
        if let Some(t) = rule_title(rule) {
            out.push(' ');
            push_html(out, t);
        }
        out.push_str("</h3>\n");
        if let Some(level) = rule
            .default_configuration
            .as_ref()
            .and_then(|c| c.level)
            .filter(|l| *l != Level::None)
        {
            let _ = writeln!(out, "<p>Default severity: {}</p>", level_name(level));
        }
        if let Some(help) = &rule.help {
            out.push_str("<div class=\"help\">\n");
            match &help.markdown {
                Some(md) => out.push_str(&markdown::render(md)),
                None => {
                    out.push_str("<pre>");
                    push_html(out, &help.text);
                    out.push_str("</pre>\n");
                }
            }
            out.push_str("</div>\n");
        }
        if let Some(uri) = &rule.help_uri {
            // Shown, not linked: the report leads nowhere by itself.
            out.push_str("<p class=\"muted\">More: <code>");
            push_html(out, uri);
            out.push_str("</code></p>\n");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}
