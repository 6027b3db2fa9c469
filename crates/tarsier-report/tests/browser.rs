//! The page in a real headless browser (Debian's `chromium`): it loads without console errors or
//! CSP violations, and the JavaScript builds, filters and sorts the findings table.
//!
//! Skipped, with the reason printed, when `/usr/bin/chromium` is absent.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tarsier_report::{HtmlOptions, render_html};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Longest time one page load may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(120);

struct Dump {
    dom: String,
    stderr: String,
}

fn chromium_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        true
    } else {
        eprintln!("skipping browser test: {CHROMIUM} is absent (apt-get install -y chromium)");
        false
    }
}

/// Loads `file` (with `fragment` appended to its URL) and returns the DOM after scripts ran.
fn dump_dom(dir: &Path, file: &Path, fragment: &str) -> Dump {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let out_path = dir.join("stdout.html");
    let err_path = dir.join("stderr.log");
    let url = format!("file://{}{fragment}", file.display());
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let dump = Dump {
                dom: std::fs::read_to_string(&out_path).unwrap(),
                stderr: std::fs::read_to_string(&err_path).unwrap(),
            };
            assert!(
                status.success(),
                "chromium failed: {status}\n{}",
                dump.stderr
            );
            return dump;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {TIMEOUT:?}\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What the browser logged that points at a broken page: script errors, CSP violations (older
/// Chromium says "Refused to", newer "violates the following Content Security Policy"), failed
/// loads, and any console message at all, since the page logs nothing when it works.
fn console_problems(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            [
                "Uncaught",
                "Refused to",
                "Content Security Policy",
                "ERR_",
                ":CONSOLE",
            ]
            .iter()
            .any(|needle| l.contains(needle))
        })
        .collect()
}

fn assert_no_console_errors(dump: &Dump) {
    let problems = console_problems(&dump.stderr);
    assert!(
        problems.is_empty(),
        "browser reported:\n{}",
        problems.join("\n")
    );
}

/// The rows the script built, as (data-n, cells' text) in table order.
fn table_rows(dom: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for piece in dom.split("<tr class=\"finding-row\" data-n=\"").skip(1) {
        let n: usize = piece[..piece.find('"').unwrap()].parse().unwrap();
        let row = &piece[..piece.find("</tr>").unwrap()];
        let cells = row
            .split("<td>")
            .skip(1)
            .map(|c| strip_tags(&c[..c.find("</td>").unwrap()]))
            .collect();
        out.push((n, cells));
    }
    out
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn write_page(dir: &Path) -> PathBuf {
    let html = render_html(&common::fixture(), &HtmlOptions::default());
    let path = dir.join("report.html");
    std::fs::write(&path, html).unwrap();
    path
}

#[test]
fn page_builds_the_table_without_console_errors() {
    if !chromium_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path());
    let dump = dump_dom(dir.path(), &page, "");
    assert_no_console_errors(&dump);
    assert!(
        dump.dom.contains("data-ready=\"true\""),
        "script did not finish"
    );

    let rows = table_rows(&dump.dom);
    assert_eq!(rows.len(), 5, "{}", dump.dom);
    // Default order: most severe first, then report order.
    let levels: Vec<&str> = rows.iter().map(|(_, c)| c[0].as_str()).collect();
    assert_eq!(levels, ["error", "error", "error", "warning", "note"]);
    // The hostile message is shown as text (escaped in the DOM), never as an element.
    assert!(dump.dom.contains(
        "calls eval(\"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\") &amp; 'more'."
    ));
    assert!(!dump.dom.contains("<img"));
    let triaged = rows
        .iter()
        .find(|(_, c)| c[1] == "express/open-redirect")
        .unwrap();
    assert_eq!(triaged.1[2], "cookie@0.7.0");
    assert_eq!(triaged.1[5], "new, triaged");
    assert!(dump.dom.contains("5 of 5 findings shown"));
}

#[test]
fn filter_and_sort_from_the_address() {
    if !chromium_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path());

    let dump = dump_dom(dir.path(), &page, "#severity=error&sort=location&dir=desc");
    assert_no_console_errors(&dump);
    let rows = table_rows(&dump.dom);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|(_, c)| c[0] == "error"));
    let locations: Vec<&str> = rows.iter().map(|(_, c)| c[3].as_str()).collect();
    let mut sorted = locations.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(locations, sorted);
    assert!(dump.dom.contains("3 of 5 findings shown"));
    assert!(dump.dom.contains("aria-sort=\"descending\""));

    let dump = dump_dom(dir.path(), &page, "#q=SEND%401.0.0&sort=rule&dir=asc");
    assert_no_console_errors(&dump);
    let rows = table_rows(&dump.dom);
    assert_eq!(
        rows.len(),
        2,
        "text filter is case-insensitive and matches the package"
    );
    assert!(rows.iter().all(|(_, c)| c[2] == "send@1.0.0"));
}

#[test]
fn the_detector_sees_script_errors_and_blocked_loads() {
    if !chromium_available() {
        return;
    }
    // A page that breaks both ways: the same checks must fail on it, or the tests above prove
    // nothing. The image points at a closed loopback port and is blocked by the CSP anyway.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
             </head><body><img src=\"http://127.0.0.1:9/x.png\"><script>notDefined();</script></body></html>",
            tarsier_report::CSP
        ),
    )
    .unwrap();
    let dump = dump_dom(dir.path(), &page, "");
    let problems = console_problems(&dump.stderr);
    assert!(
        problems.iter().any(|l| l.contains("Uncaught")),
        "{}",
        dump.stderr
    );
    assert!(
        problems
            .iter()
            .any(|l| l.contains("Refused to") || l.contains("Content Security Policy")),
        "{}",
        dump.stderr
    );
}
