//! `tarsier server` driven as an editor drives it, over the real binary's stdin/stdout:
//! initialize, didOpen, diagnostics, codeAction, didChange with the suppression applied,
//! didSave, shutdown, exit.
#![allow(clippy::unwrap_used)]

mod common;

use common::temp_dir;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// A guard against a hung server, not a performance bound.
const HANG: Duration = Duration::from_secs(120);

struct Editor {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Editor {
    fn start() -> Editor {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tarsier"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                stdout.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Editor {
            child,
            stdin,
            incoming,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its response's `result` (messages in between are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.wait_for(|m| m["id"] == id && m.get("method").is_none());
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .incoming
                .recv_timeout(HANG)
                .expect("the server answered nothing");
            if wanted(&message) {
                return message;
            }
        }
    }

    /// The next `publishDiagnostics` for `uri`, as the editor would show it.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap()
    }
}

/// Applies one insertion (a `TextEdit` with an empty range) to `text`.
fn apply_insert(text: &str, edit: &Value) -> String {
    assert_eq!(edit["range"]["start"], edit["range"]["end"], "an insertion");
    let line = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let new_text = edit["newText"].as_str().unwrap().to_string();
    lines.insert(line, &new_text);
    lines.concat()
}

#[test]
fn server_publishes_diagnostics_and_suppresses_with_a_reason() {
    let tmp = temp_dir("server");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    let root_uri = format!("file://{}", dir.display());
    let uri = format!("{root_uri}/lib/app.js");
    let text = "const express = require('express');\n\
                const app = express();\n\
                app.get('/go', (req, res) => {\n\
                \x20 const to = req.query.to;\n\
                \x20 res.redirect(to);\n\
                });\n";

    let mut editor = Editor::start();
    let init = editor.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root_uri,
            "workspaceFolders": [{ "uri": root_uri, "name": "app" }],
            "capabilities": {},
        }),
    );
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["change"], 1,
        "full sync"
    );
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["codeActionKinds"][0],
        "quickfix"
    );
    editor.notify("initialized", json!({}));

    // didOpen: the open-redirect finding, with its rule, severity, and taint path.
    editor.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "javascript", "version": 1, "text": text } }),
    );
    let diagnostics = editor.diagnostics(&uri);
    let redirect = diagnostics
        .iter()
        .find(|d| d["code"] == "express/open-redirect")
        .unwrap_or_else(|| panic!("no open-redirect diagnostic: {diagnostics:?}"));
    assert_eq!(redirect["source"], "tarsier");
    assert!(
        redirect["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/docs/rules/express/open-redirect.md")
    );
    assert_eq!(redirect["severity"], 1, "error");
    assert_eq!(
        redirect["range"],
        json!({ "start": { "line": 4, "character": 2 }, "end": { "line": 4, "character": 18 } })
    );
    let path = redirect["relatedInformation"].as_array().unwrap();
    assert!(
        path.iter().any(|step| step["location"]["uri"] == uri
            && step["location"]["range"]["start"]["line"] == 3
            && step["message"].as_str().unwrap().contains("req.query.to")),
        "the taint path starts at the request data on line 4: {path:?}"
    );

    // codeAction: suppress with a reason, as the engine's comment above the line.
    let actions = editor.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": redirect["range"],
            "context": { "diagnostics": [redirect] },
        }),
    );
    let action = &actions.as_array().unwrap()[0];
    assert_eq!(action["kind"], "quickfix");
    assert!(
        action["title"]
            .as_str()
            .unwrap()
            .contains("express/open-redirect")
    );
    let edit = &action["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        "  // tarsier-ignore-next-line express/open-redirect -- TODO: say why this is safe\n"
    );

    // didChange with the edit applied: the suppression is honoured.
    let suppressed = apply_insert(text, edit);
    editor.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": suppressed }] }),
    );
    let diagnostics = editor.diagnostics(&uri);
    assert!(
        diagnostics
            .iter()
            .all(|d| d["code"] != "express/open-redirect"),
        "suppressed: {diagnostics:?}"
    );

    // didSave with a new finding brings a diagnostic back.
    let reintroduced =
        format!("{suppressed}app.get('/b', (req, res) => res.redirect(req.query.b));\n");
    editor.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri }, "text": reintroduced }),
    );
    let diagnostics = editor.diagnostics(&uri);
    assert_eq!(
        diagnostics
            .iter()
            .filter(|d| d["code"] == "express/open-redirect")
            .count(),
        1,
        "{diagnostics:?}"
    );

    // An unknown request is an error response, not a crash.
    editor
        .send(json!({ "jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {} }));
    let unknown = editor.wait_for(|m| m["id"] == 99);
    assert_eq!(unknown["error"]["code"], -32601);

    // didClose clears the document's diagnostics.
    editor.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(editor.diagnostics(&uri).is_empty());

    editor.request("shutdown", Value::Null);
    editor.notify("exit", Value::Null);
    let status = editor.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// The workspace's `tarsier.toml` decides, as it does for `lint`: an ignored rule publishes
/// nothing, a severity override changes the diagnostic's severity.
#[test]
fn server_honours_the_project_configuration() {
    let tmp = temp_dir("server-config");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::fs::write(
        dir.join("tarsier.toml"),
        "ignore = [\"express/open-redirect\"]\n\n[severity]\n\"node/dynamic-code\" = \"note\"\n",
    )
    .unwrap();
    let root_uri = format!("file://{}", dir.display());
    let uri = format!("{root_uri}/lib/app.js");
    let text = "const express = require('express');\n\
                const app = express();\n\
                app.get('/go', (req, res) => {\n\
                \x20 res.redirect(req.query.to);\n\
                \x20 eval(req.query.code);\n\
                });\n";
    let mut editor = Editor::start();
    editor.request(
        "initialize",
        json!({ "processId": null, "rootUri": root_uri, "capabilities": {} }),
    );
    editor.notify("initialized", json!({}));
    editor.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "javascript", "version": 1, "text": text } }),
    );
    let diagnostics = editor.diagnostics(&uri);
    assert!(
        diagnostics
            .iter()
            .all(|d| d["code"] != "express/open-redirect"),
        "ignored by tarsier.toml: {diagnostics:?}"
    );
    let eval = diagnostics
        .iter()
        .find(|d| d["code"] == "node/dynamic-code")
        .unwrap_or_else(|| panic!("no dynamic-code diagnostic: {diagnostics:?}"));
    assert_eq!(
        eval["severity"], 3,
        "lowered to a note (information) by tarsier.toml"
    );
    editor.request("shutdown", Value::Null);
    editor.notify("exit", Value::Null);
    assert_eq!(editor.child.wait().unwrap().code(), Some(0));
}
