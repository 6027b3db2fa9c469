//! `require`/`import` of a module name that is computed from literals or decoded at run time:
//! `require('chi' + 'ld_process')`, ``require(`${a}${b}`)``, `require('\x63hild_process')`,
//! `require(Buffer.from('Y2hpbGRfcHJvY2Vzcw==', 'base64').toString())`,
//! `require(atob(...))`, `require(['c','p'].join(''))`, `require(s.split('').reverse().join(''))`.
//! These hide which module is loaded from readers and scanners.
//!
//! A plain variable (`require(name)`) and a local path built at run time
//! (`require('./locale/' + lang)`) are not flagged: plugin loaders and view engines (Express's
//! own `View`) do that legitimately, so it would bury the triage team in noise.

use std::sync::LazyLock;

use regex::Regex;
use tarsier_model::Severity;

use crate::Ctx;
use crate::rule_ids::DYNAMIC_REQUIRE;

static CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^.\w$])(require|import)\s*\(").unwrap_or_else(|_| never()));

fn never() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!())
}

/// Longest argument text examined, in bytes.
const MAX_ARG: usize = 300;
/// Findings reported per file at most (the first ones); more say nothing new.
const MAX_PER_FILE: usize = 10;

/// Why the argument text of a `require(`/`import(` call (up to its closing parenthesis) hides the
/// module name, if it does.
pub fn hidden_name(arg: &str) -> Option<&'static str> {
    let arg = arg.trim();
    let decoders = [
        "atob(",
        "Buffer.from(",
        "fromCharCode(",
        "decodeURIComponent(",
        "unescape(",
        ".reverse(",
        // An array joined into a name (`['c', 'p'].join('')`), not `path.join`.
        "].join(",
        ").join(",
    ];
    if decoders.iter().any(|d| arg.contains(d)) {
        return Some("a decoded name");
    }
    // Local files picked at run time (`require('./locale/' + lang)`) are ordinary.
    let relative = [
        "'./",
        "'../",
        "\"./",
        "\"../",
        "`./",
        "`../",
        "`${__dirname}",
        "__dirname +",
        "__dirname+",
    ];
    if relative.iter().any(|r| arg.starts_with(r)) && !arg.contains("\\x") {
        return None;
    }
    if is_single_literal(arg) {
        if arg.contains("\\x") || arg.contains("\\u") {
            return Some("an escaped name");
        }
        if arg.starts_with('`') && arg.contains("${") {
            return Some("a template-built name");
        }
        return None;
    }
    // Concatenation involving at least one string literal.
    if arg.contains('+') && (arg.contains('\'') || arg.contains('"') || arg.contains('`')) {
        return Some("a concatenated name");
    }
    None
}

/// Whether `arg` is exactly one string literal (`'a'`, `"a"`, `` `a` ``).
fn is_single_literal(arg: &str) -> bool {
    let mut chars = arg.char_indices();
    let Some((_, q)) = chars.next() else {
        return false;
    };
    if !matches!(q, '\'' | '"' | '`') {
        return false;
    }
    let mut escaped = false;
    for (i, ch) in chars {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == q {
            return i + ch.len_utf8() == arg.len();
        }
    }
    false
}

/// The argument text of the call whose `(` is at `open`: up to the matching `)`, bounded.
fn argument(code: &str, open: usize) -> Option<&str> {
    let rest = code.get(open + 1..)?;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, ch) in rest.char_indices() {
        if i > MAX_ARG {
            return None;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '\'' | '"' | '`' => quote = Some(ch),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth > 0 => depth -= 1,
            ')' => return rest.get(..i),
            _ => {}
        }
    }
    None
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let mut reports = Vec::new();
    for (path, code) in ctx.js_files() {
        let mut per_file = 0;
        for c in CALL.captures_iter(code) {
            let (Some(name), Some(whole)) = (c.get(1), c.get(0)) else {
                continue;
            };
            let open = whole.end() - 1;
            let Some(arg) = argument(code, open) else {
                continue;
            };
            let Some(why) = hidden_name(arg) else {
                continue;
            };
            let end = open + 1 + arg.len() + 1;
            let message = format!(
                "{path} in {} calls `{}` with {why}: `{}(…)`",
                ctx.package.spec(),
                name.as_str(),
                name.as_str()
            );
            let matched = format!("{}({})", name.as_str(), arg);
            reports.push((path, name.start(), end, message, matched));
            per_file += 1;
            if per_file >= MAX_PER_FILE {
                break;
            }
        }
    }
    for (path, start, end, message, matched) in reports {
        ctx.report_in(
            DYNAMIC_REQUIRE,
            Severity::Warning,
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
    use super::*;

    #[test]
    fn hidden_names() {
        assert_eq!(
            hidden_name("'chi' + 'ld_process'"),
            Some("a concatenated name")
        );
        assert_eq!(hidden_name("'\\x63hild_process'"), Some("an escaped name"));
        assert_eq!(
            hidden_name("Buffer.from('Y3A=', 'base64').toString()"),
            Some("a decoded name")
        );
        assert_eq!(hidden_name("`${a}${b}`"), Some("a template-built name"));
        assert_eq!(hidden_name("'express'"), None);
        assert_eq!(hidden_name("name"), None);
        assert_eq!(hidden_name("path.join(__dirname, 'x')"), None);
        assert_eq!(hidden_name("`./lib`"), None);
        assert_eq!(hidden_name("'./locale/' + lang"), None);
        // busboy's tests (regression: flagged in the Express closure).
        assert_eq!(hidden_name("`${__dirname}/common.js`"), None);
        assert_eq!(hidden_name("__dirname + '/x'"), None);
        assert_eq!(hidden_name("`./${dir}/index.js`"), None);
    }

    #[test]
    fn argument_extent() {
        let code = "require(('a' + ')') + b); x";
        assert_eq!(argument(code, 7), Some("('a' + ')') + b"));
        assert_eq!(argument("require('unterminated", 7), None);
    }
}
