//! A self-contained HTML report of a tarsier SARIF log, for the triage team.
//!
//! [`render_html`] returns one HTML page with its CSS and JavaScript inline and a strict
//! Content-Security-Policy ([`CSP`]) that forbids loading anything at all: the page makes no
//! network request, so it can be opened from a mail attachment or a CI artifact. It shows:
//!
//! - totals by severity, by package (`properties.package`/`version`, or `local`) and by rule,
//!   each with a small inline SVG bar chart;
//! - a findings table, sortable (click a header) and filterable (text box, severity and package
//!   selects), built by vanilla JavaScript from a JSON data block; the initial filter and sort
//!   can be given in the address, e.g. `report.html#q=send&severity=error&sort=rule&dir=asc`;
//! - every finding in full: rule, level, location, message, code frame, taint path and triage
//!   status (`baselineState`, `suppressions`), with a link to its rule's help, which is rendered
//!   once per rule from a safe Markdown subset;
//! - the scan's own problems (`toolExecutionNotifications`), since what was not scanned matters
//!   too.
//!
//! All text from the log is escaped: messages and snippets quote code from packages, which an
//! attacker controls.
//!
//! ```
//! use tarsier_report::{render_html, HtmlOptions};
//! let log = tarsier_sarif::from_reader(&br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tarsier"}},
//!   "results":[{"ruleId":"express/open-redirect","level":"error",
//!               "message":{"text":"redirect to <script>"}}]}]}"#[..]).unwrap();
//! let html = render_html(&log, &HtmlOptions::default());
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("redirect to &lt;script&gt;"));
//! assert!(!html.contains("redirect to <script>"));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod escape;
pub mod markdown;
pub mod render;
pub mod summary;

pub use render::{CSP, HtmlOptions, render_html};
pub use summary::{Totals, totals};
