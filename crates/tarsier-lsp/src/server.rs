//! The message loop: the documents the editor has open, linting them, publishing diagnostics,
//! and answering code action requests.

use crate::convert::{self, SOURCE};
use crate::{LspError, ServerOptions};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    LogMessage, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, InitializeParams, LogMessageParams, MessageType, NumberOrString,
    PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri, WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tarsier_engine::Engine;
use tarsier_model::NotificationLevel;

/// Serves `connection` until the editor sends `exit` (after `shutdown`).
pub fn run(connection: Connection, options: ServerOptions) -> Result<(), LspError> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    let capabilities = serde_json::to_value(capabilities).map_err(|source| LspError::Params {
        method: "initialize (server capabilities)".to_string(),
        source,
    })?;
    let params = connection.initialize(capabilities)?;
    let params: InitializeParams = parse("initialize", params)?;
    let mut server = Server {
        connection: &connection,
        root: workspace_root(&params),
        options,
        engine: None,
        documents: BTreeMap::new(),
    };
    server.reload_engine()?;
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                server.request(request)?;
            }
            Message::Notification(notification) => server.notification(notification)?,
            Message::Response(_) => {}
        }
    }
    Err(LspError::Disconnected)
}

struct Document {
    uri: Uri,
    text: String,
    version: Option<i32>,
    language_id: String,
}

struct Server<'a> {
    connection: &'a Connection,
    root: Option<PathBuf>,
    options: ServerOptions,
    /// `None` while the provider fails (the user is told, and can fix the configuration).
    engine: Option<Engine>,
    /// Open documents by URI text.
    documents: BTreeMap<String, Document>,
}

impl Server<'_> {
    fn send(&self, message: Message) -> Result<(), LspError> {
        self.connection
            .sender
            .send(message)
            .map_err(|_| LspError::Disconnected)
    }

    fn notify<P: serde::Serialize>(&self, method: &str, params: P) -> Result<(), LspError> {
        self.send(Notification::new(method.to_string(), params).into())
    }

    fn log(&self, typ: MessageType, message: String) -> Result<(), LspError> {
        self.notify(LogMessage::METHOD, LogMessageParams { typ, message })
    }

    /// (Re)builds the engine from the provider; on failure the user is told and the server keeps
    /// what it had.
    fn reload_engine(&mut self) -> Result<(), LspError> {
        match (self.options.engine)(self.root.as_deref()) {
            Ok(engine) => {
                self.engine = Some(engine);
                Ok(())
            }
            Err(message) => self.notify(
                ShowMessage::METHOD,
                ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("tarsier: {message}"),
                },
            ),
        }
    }

    fn request(&mut self, request: Request) -> Result<(), LspError> {
        let response = match request.method.as_str() {
            CodeActionRequest::METHOD => {
                match parse::<CodeActionParams>(&request.method, request.params) {
                    Ok(params) => Response::new_ok(request.id, self.code_actions(&params)),
                    Err(e) => Response::new_err(
                        request.id,
                        ErrorCode::InvalidParams as i32,
                        e.to_string(),
                    ),
                }
            }
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("tarsier does not handle {}", request.method),
            ),
        };
        self.send(response.into())
    }

    fn notification(&mut self, notification: Notification) -> Result<(), LspError> {
        let method = notification.method.clone();
        let outcome = match method.as_str() {
            DidOpenTextDocument::METHOD => parse(&method, notification.params).map(
                |p: lsp_types::DidOpenTextDocumentParams| {
                    let doc = p.text_document;
                    self.open(doc.uri, doc.text, Some(doc.version), doc.language_id)
                },
            ),
            DidChangeTextDocument::METHOD => parse(&method, notification.params).map(
                |p: lsp_types::DidChangeTextDocumentParams| {
                    // Full synchronisation: the last change holds the whole text.
                    match p.content_changes.into_iter().last() {
                        Some(change) => self.update(
                            &p.text_document.uri,
                            Some(change.text),
                            Some(p.text_document.version),
                        ),
                        None => Ok(()),
                    }
                },
            ),
            DidSaveTextDocument::METHOD => parse(&method, notification.params).map(
                |p: lsp_types::DidSaveTextDocumentParams| self.saved(&p.text_document.uri, p.text),
            ),
            DidCloseTextDocument::METHOD => parse(&method, notification.params).map(
                |p: lsp_types::DidCloseTextDocumentParams| {
                    let uri = p.text_document.uri;
                    self.documents.remove(uri.as_str());
                    self.publish(uri, Vec::new(), None)
                },
            ),
            _ => return Ok(()),
        };
        match outcome {
            Ok(result) => result,
            // A malformed notification has no one to answer: say so in the log and go on.
            Err(e) => self.log(MessageType::ERROR, e.to_string()),
        }
    }

    fn open(
        &mut self,
        uri: Uri,
        text: String,
        version: Option<i32>,
        language_id: String,
    ) -> Result<(), LspError> {
        let key = uri.as_str().to_string();
        self.documents.insert(
            key.clone(),
            Document {
                uri,
                text,
                version,
                language_id,
            },
        );
        self.lint(&key)
    }

    fn update(
        &mut self,
        uri: &Uri,
        text: Option<String>,
        version: Option<i32>,
    ) -> Result<(), LspError> {
        let key = uri.as_str().to_string();
        if let Some(doc) = self.documents.get_mut(&key) {
            if let Some(text) = text {
                doc.text = text;
            }
            if version.is_some() {
                doc.version = version;
            }
        }
        self.lint(&key)
    }

    fn saved(&mut self, uri: &Uri, text: Option<String>) -> Result<(), LspError> {
        let is_config = file_path(uri)
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .is_some_and(|name| self.options.config_file_names.contains(&name));
        if is_config {
            self.reload_engine()?;
            let keys: Vec<String> = self.documents.keys().cloned().collect();
            for key in keys {
                self.lint(&key)?;
            }
            return Ok(());
        }
        self.update(uri, text, None)
    }

    /// Lints one open document and publishes its diagnostics (suppressed findings left out).
    fn lint(&self, key: &str) -> Result<(), LspError> {
        let Some(doc) = self.documents.get(key) else {
            return Ok(());
        };
        let path = self.report_path(&doc.uri);
        let is_javascript = tarsier_engine::is_javascript_path(&path)
            || matches!(doc.language_id.as_str(), "javascript" | "javascriptreact");
        let (Some(engine), true) = (&self.engine, is_javascript) else {
            return self.publish(doc.uri.clone(), Vec::new(), doc.version);
        };
        // Documents without a JavaScript name (untitled buffers) still parse as JavaScript.
        let path = if tarsier_engine::is_javascript_path(&path) {
            path
        } else {
            format!("{path}.js")
        };
        let report = engine.scan_source(&path, doc.text.as_bytes());
        for n in &report.notifications {
            let typ = match n.level {
                NotificationLevel::Error => MessageType::ERROR,
                NotificationLevel::Warning => MessageType::WARNING,
                NotificationLevel::Note => MessageType::INFO,
            };
            self.log(typ, format!("tarsier: {}", n.message))?;
        }
        let diagnostics = report
            .findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| convert::diagnostic(&doc.uri, &doc.text, f))
            .collect();
        self.publish(doc.uri.clone(), diagnostics, doc.version)
    }

    fn publish(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), LspError> {
        self.notify(
            PublishDiagnostics::METHOD,
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        )
    }

    /// The path the engine reports: relative to the workspace root when under it.
    fn report_path(&self, uri: &Uri) -> String {
        match file_path(uri) {
            Some(path) => {
                let shown = self
                    .root
                    .as_deref()
                    .and_then(|root| path.strip_prefix(root).ok())
                    .unwrap_or(&path);
                shown.to_string_lossy().replace('\\', "/")
            }
            None => uri
                .as_str()
                .rsplit(['/', ':'])
                .next()
                .unwrap_or("untitled")
                .to_string(),
        }
    }

    /// One "suppress with a reason" quick fix per rule and line among the request's tarsier
    /// diagnostics.
    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(doc) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        let mut seen = BTreeSet::new();
        let mut actions = Vec::new();
        for diagnostic in &params.context.diagnostics {
            let Some(NumberOrString::String(rule)) = &diagnostic.code else {
                continue;
            };
            if diagnostic.source.as_deref() != Some(SOURCE)
                || !seen.insert((diagnostic.range.start.line, rule.clone()))
            {
                continue;
            }
            let edit = convert::suppression_edit(&doc.text, diagnostic.range.start.line, rule);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Suppress {rule} here (with a reason)"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..WorkspaceEdit::default()
                }),
                ..CodeAction::default()
            }));
        }
        actions
    }
}

fn parse<T: DeserializeOwned>(method: &str, params: serde_json::Value) -> Result<T, LspError> {
    serde_json::from_value(params).map_err(|source| LspError::Params {
        method: method.to_string(),
        source,
    })
}

/// The first workspace folder, or the (older) root URI.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    if let Some(folder) = params.workspace_folders.as_ref().and_then(|f| f.first()) {
        return file_path(&folder.uri);
    }
    #[allow(deprecated)]
    params.root_uri.as_ref().and_then(file_path)
}

/// The local path of a `file:` URI (percent-decoded); `None` for other schemes.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // Skip the authority (empty or `localhost`).
    let path = &rest[rest.find('/')?..];
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                decoded.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(decoded).ok()?;
    // `file:///C:/x` on Windows.
    let text = match text.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => text[1..].to_string(),
        _ => text,
    };
    Some(Path::new(&text).to_path_buf())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn file_uris_become_paths() {
        let uri = Uri::from_str("file:///home/me/my%20app/lib/a.js").unwrap();
        assert_eq!(
            file_path(&uri),
            Some(PathBuf::from("/home/me/my app/lib/a.js"))
        );
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(file_path(&uri), None);
    }
}
