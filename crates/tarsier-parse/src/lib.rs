//! tree-sitter JavaScript (and TypeScript) parsing for tarsier.
//!
//! This crate owns everything between "bytes of a file" and "a syntax tree with positions":
//! decoding ([`decode_source`]: BOM, UTF-8, binary detection), parsing with one reusable parser
//! per thread ([`parse`]), measuring how much of a tree is syntax errors ([`error_ratio`]),
//! mapping byte offsets to 1-based lines and columns ([`LineIndex`]) and compiling queries
//! against the JavaScript grammar ([`compile_query`]). [`unescape_js_string`] gives a string
//! literal's value.
//!
//! ```
//! let source = tarsier_parse::decode_source(b"eval(code);\n").unwrap();
//! let tree = tarsier_parse::parse(&source).unwrap();
//! assert_eq!(tree.root_node().kind(), "program");
//! assert_eq!(tarsier_parse::error_ratio(&tree), 0.0);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod escapes;
mod fast;
mod lines;
mod walk;

pub use escapes::unescape_js_string;
pub use fast::{NodeExt, field_id, field_id_in, field_is_single, field_is_single_in};
pub use lines::LineIndex;
pub use walk::{Entry, walk, walk_around, walk_where};

use std::cell::RefCell;
use tree_sitter::{Language, Parser, Query, Tree};

/// Everything that can go wrong between bytes and a tree.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The bytes are not valid UTF-8.
    #[error("not valid UTF-8 (first invalid byte at offset {offset})")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The bytes look like a binary file (NUL bytes), whatever the file is called.
    #[error("binary content (NUL byte at offset {offset}), not JavaScript text")]
    Binary {
        /// Byte offset of the first NUL byte.
        offset: usize,
    },
    /// tree-sitter gave up (it only does so when cancelled or out of memory).
    #[error("the parser produced no tree")]
    NoTree,
    /// The grammar could not be loaded (a version mismatch between tree-sitter crates).
    #[error("cannot load the JavaScript grammar: {0}")]
    Language(String),
}

/// The tree-sitter JavaScript language (JSX included).
pub fn language() -> Language {
    tree_sitter_javascript::LANGUAGE.into()
}

/// The grammars tarsier parses with. TypeScript's grammar extends JavaScript's and keeps its
/// node kind and field names (`call_expression`, `member_expression`, `arguments`, ...), so rule
/// queries written for JavaScript compile against it too; the kind and field *ids* differ, so
/// queries are compiled once per dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// JavaScript, JSX included (`.js`, `.cjs`, `.mjs`, `.jsx`, `node` scripts).
    JavaScript,
    /// TypeScript without JSX (`.ts`, `.mts`, `.cts`).
    TypeScript,
}

impl Dialect {
    /// Every dialect, in a fixed order.
    pub const ALL: [Dialect; 2] = [Dialect::JavaScript, Dialect::TypeScript];

    /// The tree-sitter language of this dialect.
    pub fn language(self) -> Language {
        match self {
            Dialect::JavaScript => language(),
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        }
    }

    /// The grammar's `node-types.json`.
    fn node_types(self) -> &'static str {
        match self {
            Dialect::JavaScript => tree_sitter_javascript::NODE_TYPES,
            Dialect::TypeScript => tree_sitter_typescript::TYPESCRIPT_NODE_TYPES,
        }
    }

    fn index(self) -> usize {
        match self {
            Dialect::JavaScript => 0,
            Dialect::TypeScript => 1,
        }
    }

    /// The dialect of `language` (by its number of node kinds, which differs between the
    /// grammars); JavaScript for anything else.
    pub fn of_language(language: &Language) -> Dialect {
        fast::dialect_of_kind_count(language.node_kind_count())
    }

    /// The dialect of the tree `node` belongs to.
    pub fn of_node(node: tree_sitter::Node<'_>) -> Dialect {
        fast::dialect_of_kind_count(node.language().node_kind_count())
    }
}

/// Turns file bytes into source text: strips a UTF-8 byte-order mark, refuses binary content and
/// invalid UTF-8. CRLF line endings are kept as they are (tree-sitter handles them).
pub fn decode_source(bytes: &[u8]) -> Result<&str, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(offset) = memchr::memchr(0, bytes) {
        return Err(ParseError::Binary { offset });
    }
    std::str::from_utf8(bytes).map_err(|e| ParseError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

thread_local! {
    // Building a parser is cheap, but not free; rayon workers reuse theirs for every file (one
    // per dialect).
    static PARSERS: RefCell<[Option<Parser>; 2]> = const { RefCell::new([None, None]) };
}

/// Parses JavaScript source with this thread's parser. tree-sitter recovers from syntax errors, so
/// a tree comes back for any text; see [`error_ratio`] to judge how much of it is meaningful.
pub fn parse(source: &str) -> Result<Tree, ParseError> {
    parse_as(source, Dialect::JavaScript)
}

/// Parses `source` as `dialect` with this thread's parser for it (see [`parse`]).
pub fn parse_as(source: &str, dialect: Dialect) -> Result<Tree, ParseError> {
    PARSERS.with(|cell| {
        let mut slots = cell.borrow_mut();
        let slot = slots.get_mut(dialect.index()).ok_or(ParseError::NoTree)?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&dialect.language())
                .map_err(|e| ParseError::Language(e.to_string()))?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut().ok_or(ParseError::NoTree)?;
        parser.reset();
        parser.parse(source, None).ok_or(ParseError::NoTree)
    })
}

/// The share (0.0 to 1.0) of the source's bytes that lie under `ERROR` nodes or are missing
/// tokens. Walks the tree with [`walk_where`], never recursively, so deeply nested input cannot
/// overflow the stack.
pub fn error_ratio(tree: &Tree) -> f32 {
    let root = tree.root_node();
    if !root.has_error() {
        return 0.0;
    }
    let total = root.end_byte().saturating_sub(root.start_byte());
    if total == 0 {
        return 0.0;
    }
    let mut error_bytes = 0usize;
    // Down only into nodes with errors below them; an error node counts whole.
    walk_where(
        root,
        |node, _| {
            if node.is_error() {
                error_bytes += node.end_byte().saturating_sub(node.start_byte());
                Entry::Skip
            } else if node.has_error() {
                Entry::Visit
            } else {
                Entry::Skip
            }
        },
        &mut |_, _| {},
    );
    (error_bytes as f32 / total as f32).min(1.0)
}

/// A query that failed to compile, with the position inside the query text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("query error at line {line}, column {column}: {message}")]
pub struct QueryCompileError {
    /// 1-based line inside the query text.
    pub line: usize,
    /// 1-based column inside the query text.
    pub column: usize,
    /// What tree-sitter said.
    pub message: String,
}

/// Compiles a tree-sitter query against the JavaScript grammar. Compiling costs milliseconds, so
/// callers compile each rule once and share the result across threads.
pub fn compile_query(source: &str) -> Result<Query, QueryCompileError> {
    Query::new(&language(), source).map_err(|e| QueryCompileError {
        line: e.row + 1,
        column: e.column + 1,
        message: format!("{:?}: {}", e.kind, e.message.trim()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_rejects_binary_and_bad_utf8() {
        assert_eq!(decode_source(b"\xEF\xBB\xBFa;").unwrap(), "a;");
        assert_eq!(
            decode_source(b"a\0b"),
            Err(ParseError::Binary { offset: 1 })
        );
        assert_eq!(
            decode_source(b"ab\xFF"),
            Err(ParseError::InvalidUtf8 { offset: 2 })
        );
    }

    #[test]
    fn error_ratio_grows_with_garbage() {
        let good = parse("const a = 1;\n").unwrap();
        assert_eq!(error_ratio(&good), 0.0);
        let bad = parse(")))) ((( }}} {{{ ]]] [[[ ;;; :: ??").unwrap();
        assert!(error_ratio(&bad) > 0.5, "{}", error_ratio(&bad));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 10_000;
        let src = format!("x = {}1{};", "(".repeat(depth), ")".repeat(depth));
        let tree = parse(&src).unwrap();
        let _ = error_ratio(&tree);
        let src = format!("x = {};", "[".repeat(depth));
        let tree = parse(&src).unwrap();
        assert!(error_ratio(&tree) >= 0.0);
    }

    #[test]
    fn query_errors_carry_position() {
        let err = compile_query("(call_expression\n  (nonsense_node))").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("NodeType"), "{}", err.message);
        assert!(compile_query("(call_expression) @c").is_ok());
    }
}
