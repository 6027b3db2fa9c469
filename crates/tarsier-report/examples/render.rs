//! Renders a SARIF file as the HTML report: `cargo run -p tarsier-report --example render -- IN.sarif OUT.html`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: render IN.sarif OUT.html");
        return ExitCode::from(2);
    };
    let log = match tarsier_sarif::from_path(std::path::Path::new(input)) {
        Ok(log) => log,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let html = tarsier_report::render_html(&log, &tarsier_report::HtmlOptions::default());
    if let Err(e) = std::fs::write(output, html) {
        eprintln!("cannot write `{output}`: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
