//! From tarsier's model to the protocol's: positions (tarsier counts Unicode scalar values,
//! editors UTF-16 code units), diagnostics with the taint path, and the suppression edit.

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, TextEdit, Uri,
};
use std::str::FromStr;
use tarsier_model::{Finding, Severity, Span};

/// The reason the "suppress" code action writes, for the user to replace: a suppression is
/// reviewed by its reason, so the action never invents one.
pub const SUPPRESS_REASON_PLACEHOLDER: &str = "TODO: say why this is safe";

/// `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "tarsier";

/// Where a rule's generated page is: `docs/rules/<pack>/<name>.md` in the repository.
fn rule_page(rule_id: &str) -> Option<Uri> {
    let safe = rule_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'));
    if !safe || !rule_id.contains('/') {
        return None;
    }
    Uri::from_str(&format!(
        "{}/blob/main/docs/rules/{rule_id}.md",
        env!("CARGO_PKG_REPOSITORY")
    ))
    .ok()
}

/// The protocol position of 1-based `line` and 1-based `column` (Unicode scalar values) in
/// `text`, in UTF-16 code units; clamped to the text.
fn position(text: &str, line: usize, column: usize) -> Position {
    let index = line.saturating_sub(1);
    let line_text = text.split('\n').nth(index).unwrap_or("");
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
    let character: usize = line_text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf16)
        .sum();
    Position {
        line: u32::try_from(index).unwrap_or(u32::MAX),
        character: u32::try_from(character).unwrap_or(u32::MAX),
    }
}

/// The protocol range of a span of `text`.
pub fn range(text: &str, span: &Span) -> Range {
    Range {
        start: position(text, span.start_line, span.start_column),
        end: position(text, span.end_line, span.end_column),
    }
}

/// A finding as a diagnostic of the document `uri` whose text is `text`: the rule id is the
/// code, each taint step in the same document a related location (the server scans one
/// document at a time, so a path through other files does not arise there).
pub fn diagnostic(uri: &Uri, text: &str, finding: &Finding) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = finding
        .flow
        .iter()
        .filter(|step| step.path.is_none())
        .map(|step| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: range(text, &step.span),
            },
            message: step.message.clone(),
        })
        .collect();
    Diagnostic {
        range: range(text, &finding.span),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(finding.rule_id.clone())),
        code_description: rule_page(&finding.rule_id).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

/// The edit that suppresses `rule_id` on 0-based `line` of `text`: a
/// `// tarsier-ignore-next-line RULE -- reason` line above it, indented like it.
pub fn suppression_edit(text: &str, line: u32, rule_id: &str) -> TextEdit {
    let line_text = text.split('\n').nth(line as usize).unwrap_or("");
    let indent: String = line_text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if line_text.ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    let at = Position { line, character: 0 };
    TextEdit {
        range: Range { start: at, end: at },
        new_text: format!(
            "{indent}// tarsier-ignore-next-line {rule_id} -- {SUPPRESS_REASON_PLACEHOLDER}{newline}"
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn columns_become_utf16_code_units() {
        // `é` is one scalar value and one UTF-16 unit; `𝒳` is one scalar value and two units.
        let text = "a\n  x𝒳é = req.query;\n";
        assert_eq!(position(text, 2, 3), Position::new(1, 2));
        assert_eq!(position(text, 2, 5), Position::new(1, 5));
        assert_eq!(position(text, 2, 6), Position::new(1, 6));
        assert_eq!(
            position(text, 9, 1),
            Position::new(8, 0),
            "past the end: clamped"
        );
    }

    #[test]
    fn a_rule_links_to_its_page() {
        let page = rule_page("express/open-redirect").unwrap();
        assert!(
            page.as_str()
                .ends_with("/blob/main/docs/rules/express/open-redirect.md"),
            "{}",
            page.as_str()
        );
        assert!(rule_page("../../etc").is_none());
        assert!(rule_page("no-pack").is_none());
    }

    #[test]
    fn the_suppression_goes_above_the_line_with_its_indent() {
        let text = "app.get('/', (req, res) => {\n\t  res.redirect(req.query.to);\r\n});\n";
        let edit = suppression_edit(text, 1, "express/open-redirect");
        assert_eq!(edit.range.start, Position::new(1, 0));
        assert_eq!(edit.range.end, Position::new(1, 0));
        assert_eq!(
            edit.new_text,
            "\t  // tarsier-ignore-next-line express/open-redirect -- TODO: say why this is safe\r\n"
        );
    }
}
