//! The engine provider: called at `initialize` with the workspace root and again when the project
//! configuration is saved; a failing provider is shown to the user and does not stop the server.
#![allow(clippy::unwrap_used)]

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tarsier_lsp::{ServerOptions, rules_engine};

const HANG: Duration = Duration::from_secs(60);

fn next(client: &Connection, wanted: impl Fn(&Message) -> bool) -> Message {
    loop {
        let message = client.receiver.recv_timeout(HANG).expect("no answer");
        if wanted(&message) {
            return message;
        }
    }
}

fn notification(method: &str, params: Value) -> Message {
    Notification::new(method.to_string(), params).into()
}

#[test]
fn the_provider_gets_the_root_and_runs_again_when_the_configuration_is_saved() {
    let calls: Arc<Mutex<Vec<Option<PathBuf>>>> = Arc::default();
    let seen = Arc::clone(&calls);
    let builtin = rules_engine(None);
    let provider = Box::new(move |root: Option<&Path>| {
        let mut calls = seen.lock().unwrap();
        calls.push(root.map(Path::to_path_buf));
        // The second build fails, as a broken configuration would.
        if calls.len() == 2 {
            return Err("tarsier.toml: unknown key `rulez`".to_string());
        }
        builtin(root)
    });
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || tarsier_lsp::run(server, ServerOptions::new(provider)));

    client
        .sender
        .send(
            Request::new(
                RequestId::from(1),
                "initialize".to_string(),
                json!({ "processId": null, "rootUri": "file:///work/my%20app", "capabilities": {} }),
            )
            .into(),
        )
        .unwrap();
    next(&client, |m| matches!(m, Message::Response(_)));
    client
        .sender
        .send(notification("initialized", json!({})))
        .unwrap();
    let uri = "file:///work/my%20app/index.js";
    client
        .sender
        .send(notification(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "javascript", "version": 1,
                    "text": "app.get('/', (req, res) => res.redirect(req.query.to));\n" } }),
        ))
        .unwrap();
    let Message::Notification(published) = next(
        &client,
        |m| matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics"),
    ) else {
        unreachable!()
    };
    assert_eq!(
        published.params["diagnostics"][0]["code"],
        "express/open-redirect"
    );
    assert_eq!(
        *calls.lock().unwrap(),
        vec![Some(PathBuf::from("/work/my app"))]
    );

    // Saving the configuration rebuilds the engine; this build fails and the user is told.
    client
        .sender
        .send(notification(
            "textDocument/didSave",
            json!({ "textDocument": { "uri": "file:///work/my%20app/tarsier.toml" } }),
        ))
        .unwrap();
    let Message::Notification(shown) = next(
        &client,
        |m| matches!(m, Message::Notification(n) if n.method == "window/showMessage"),
    ) else {
        unreachable!()
    };
    assert!(
        shown.params["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `rulez`")
    );
    // The open document is linted again with the engine the server kept.
    let Message::Notification(again) = next(
        &client,
        |m| matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics"),
    ) else {
        unreachable!()
    };
    assert_eq!(
        again.params["diagnostics"][0]["code"],
        "express/open-redirect"
    );
    assert_eq!(calls.lock().unwrap().len(), 2);

    client
        .sender
        .send(Request::new(RequestId::from(2), "shutdown".to_string(), Value::Null).into())
        .unwrap();
    next(&client, |m| matches!(m, Message::Response(_)));
    client
        .sender
        .send(notification("exit", Value::Null))
        .unwrap();
    thread.join().unwrap().unwrap();
}
