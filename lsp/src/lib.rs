//! The kbc language server: what `kbc lsp` runs.
//!
//! Built on rust-analyzer's `lsp-server` (a synchronous message loop over
//! stdio with crossbeam channels) and `lsp-types`: no async runtime, and a
//! test can drive the real binary with plain JSON-RPC messages.
//!
//! The server keeps the whole knowledge base in memory ([`state::Kb`]): each
//! file's text and parse, and what the last check found per file. An edit
//! re-parses only the edited file and re-checks only the files it can
//! affect ([`kbc_compiler::check_parsed_cached`]), then publishes the same
//! diagnostics `kbc check` prints (codes, help and notes included) for every
//! file whose diagnostics changed. Checks wait until no message is queued,
//! so a burst of edits costs one check.
//!
//! Navigation (definition, references, rename), hover, document symbols and
//! completion read the parsed files directly, so they work while the
//! knowledge base has errors. Formatting goes through
//! [`kbc_compiler::format`]. Every request is answered inside
//! `catch_unwind`: a bug answers one request with an error instead of
//! ending the session.
#![deny(missing_docs)]

mod features;
mod index;
mod state;

pub use index::IdKind;
pub use state::{FileEntry, Kb, LineIndex};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{notification as notif, request as req, Url};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run_stdio() -> anyhow::Result<()> {
    let (connection, io_threads) = Connection::stdio();
    let caps = serde_json::to_value(capabilities())?;
    let init = connection.initialize(caps)?;
    let params: lsp_types::InitializeParams = serde_json::from_value(init)?;
    let root = workspace_root(&params);
    let mut server = Server::new(root);
    server.publish_all(&connection)?;
    // Diagnostics are computed once the queue is empty: a burst of edits
    // (typing faster than a check) costs one check, of the latest text.
    let mut dirty = false;
    loop {
        let msg = match connection.receiver.try_recv() {
            Ok(msg) => msg,
            Err(e) if e.is_empty() => {
                if dirty {
                    dirty = false;
                    server.publish_all(&connection)?;
                    continue;
                }
                match connection.receiver.recv() {
                    Ok(msg) => msg,
                    Err(_) => break,
                }
            }
            Err(_) => break,
        };
        match msg {
            Message::Request(r) => {
                if connection.handle_shutdown(&r)? {
                    break;
                }
                let resp = server.request(r);
                connection.sender.send(Message::Response(resp))?;
            }
            Message::Notification(n) => {
                dirty |= server.notification(n);
            }
            Message::Response(_) => {}
        }
    }
    // The writer thread ends when the last sender is gone.
    drop(connection);
    io_threads.join()?;
    Ok(())
}

fn capabilities() -> lsp_types::ServerCapabilities {
    use lsp_types::*;
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".into(), "[".into(), ",".into(), ">".into()]),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// The knowledge base folder: the workspace folder if it holds `kb.yaml`,
/// else its `rules/` if that does, else the workspace folder.
fn workspace_root(params: &lsp_types::InitializeParams) -> Option<PathBuf> {
    #[allow(deprecated)]
    let uri = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or_else(|| params.root_uri.clone())?;
    let dir = uri.to_file_path().ok()?;
    Some(kb_root_near(&dir).unwrap_or(dir))
}

/// The nearest folder at or above `dir` (or `dir/rules`) holding `kb.yaml`.
fn kb_root_near(dir: &Path) -> Option<PathBuf> {
    if dir.join("rules/kb.yaml").is_file() && !dir.join("kb.yaml").is_file() {
        return Some(dir.join("rules"));
    }
    dir.ancestors()
        .find(|d| d.join("kb.yaml").is_file())
        .map(Path::to_path_buf)
}

/// The server's state between messages.
pub struct Server {
    kb: Option<Kb>,
    /// Diagnostics last published, per URI.
    published: HashMap<Url, Vec<lsp_types::Diagnostic>>,
    /// The latest full text of a document whose `didChange` is not applied
    /// yet: consecutive changes to one document are parsed once, when
    /// anything else (a request, another notification, a check) needs it.
    pending: Option<(Url, String)>,
}

impl Server {
    /// A server for the knowledge base at `root`, if known yet.
    pub fn new(root: Option<PathBuf>) -> Self {
        Server {
            kb: root.map(|r| Kb::load(&r)),
            published: HashMap::new(),
            pending: None,
        }
    }

    /// Applies a change held back by [`Server::notification`].
    fn flush(&mut self) {
        if let Some((uri, text)) = self.pending.take() {
            self.set_text(&uri, text);
        }
    }

    /// The knowledge base, loading the one around `path` on first use.
    fn kb_for(&mut self, path: &Path) -> &mut Kb {
        let kb = self.kb.get_or_insert_with(|| {
            let dir = path.parent().unwrap_or(Path::new("."));
            Kb::load(&kb_root_near(dir).unwrap_or_else(|| dir.to_path_buf()))
        });
        kb
    }

    /// The path of `uri` relative to the knowledge base root.
    fn rel(&mut self, uri: &Url) -> Option<String> {
        let path = uri.to_file_path().ok()?;
        let kb = self.kb_for(&path);
        let rel = path.strip_prefix(&kb.root).unwrap_or(&path);
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// Handles a notification; returns whether diagnostics may have changed.
    pub fn notification(&mut self, n: Notification) -> bool {
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.notification_inner(n)));
        result.unwrap_or(false)
    }

    fn notification_inner(&mut self, n: Notification) -> bool {
        if n.method != notif::DidChangeTextDocument::METHOD {
            self.flush();
        }
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                else {
                    return false;
                };
                self.set_text(&p.text_document.uri, p.text_document.text)
            }
            notif::DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                else {
                    return false;
                };
                match p.content_changes.into_iter().last() {
                    Some(change) if change.range.is_none() => {
                        let uri = p.text_document.uri;
                        if self.pending.as_ref().is_some_and(|(u, _)| *u != uri) {
                            self.flush();
                        }
                        // Only `.kb` files and `kb.yaml` change diagnostics.
                        let relevant =
                            uri.path().ends_with(".kb") || uri.path().ends_with("/kb.yaml");
                        self.pending = Some((uri, change.text));
                        relevant
                    }
                    _ => false,
                }
            }
            notif::DidCloseTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                else {
                    return false;
                };
                // Back to what is on disk (or gone, if it never was saved).
                let uri = p.text_document.uri;
                let Some(rel) = self.rel(&uri) else {
                    return false;
                };
                let on_disk = uri.to_file_path().ok().and_then(|p| std::fs::read(p).ok());
                let kb = self.kb.get_or_insert_with(Kb::default);
                match on_disk {
                    Some(bytes) => kb.set_text(&rel, String::from_utf8_lossy(&bytes).into_owned()),
                    None => kb.remove(&rel),
                }
                true
            }
            _ => false,
        }
    }

    fn set_text(&mut self, uri: &Url, text: String) -> bool {
        let Some(rel) = self.rel(uri) else {
            return false;
        };
        if rel == "kb.yaml" {
            if let Some(kb) = self.kb.as_mut() {
                kb.kb_yaml = Some(text.into_bytes());
            }
            return true;
        }
        if !rel.ends_with(".kb") {
            return false;
        }
        if let Some(kb) = self.kb.as_mut() {
            kb.set_text(&rel, text);
        }
        true
    }

    /// Checks the knowledge base and returns the diagnostics to publish:
    /// every file whose diagnostics differ from the last ones sent.
    pub fn diagnostics_to_publish(&mut self) -> Vec<lsp_types::PublishDiagnosticsParams> {
        self.flush();
        let Some(kb) = self.kb.as_mut() else {
            return Vec::new();
        };
        let current = features::diagnostics(kb);
        let mut out = Vec::new();
        for (uri, diags) in &current {
            if self.published.get(uri) != Some(diags) {
                out.push(lsp_types::PublishDiagnosticsParams {
                    uri: uri.clone(),
                    diagnostics: diags.clone(),
                    version: None,
                });
            }
        }
        for uri in self.published.keys() {
            if !current.contains_key(uri) {
                out.push(lsp_types::PublishDiagnosticsParams {
                    uri: uri.clone(),
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
        self.published = current;
        out
    }

    fn publish_all(&mut self, connection: &Connection) -> anyhow::Result<()> {
        for p in self.diagnostics_to_publish() {
            connection
                .sender
                .send(Message::Notification(Notification::new(
                    notif::PublishDiagnostics::METHOD.to_string(),
                    p,
                )))?;
        }
        Ok(())
    }

    /// Answers a request.
    pub fn request(&mut self, r: Request) -> Response {
        self.flush();
        let id = r.id.clone();
        let method = r.method.clone();
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.request_inner(r)));
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(e)) => Response::new_err(id, e.code, e.message),
            Err(_) => internal(id, &method),
        }
    }

    fn request_inner(&mut self, r: Request) -> Result<serde_json::Value, ReqError> {
        let kb = match self.kb.as_ref() {
            Some(kb) => kb,
            None => return Ok(serde_json::Value::Null),
        };
        let value = match r.method.as_str() {
            req::GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = parse(r.params)?;
                json(features::definition(kb, &p.text_document_position_params))
            }
            req::References::METHOD => {
                let p: lsp_types::ReferenceParams = parse(r.params)?;
                json(features::references(
                    kb,
                    &p.text_document_position,
                    p.context.include_declaration,
                ))
            }
            req::PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams = parse(r.params)?;
                json(features::prepare_rename(kb, &p))
            }
            req::Rename::METHOD => {
                let p: lsp_types::RenameParams = parse(r.params)?;
                json(
                    features::rename(kb, &p.text_document_position, &p.new_name).map_err(|m| {
                        ReqError {
                            code: lsp_server::ErrorCode::InvalidParams as i32,
                            message: m,
                        }
                    })?,
                )
            }
            req::HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = parse(r.params)?;
                json(features::hover(kb, &p.text_document_position_params))
            }
            req::DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = parse(r.params)?;
                json(features::symbols(kb, &p.text_document.uri))
            }
            req::Completion::METHOD => {
                let p: lsp_types::CompletionParams = parse(r.params)?;
                json(features::completion(kb, &p.text_document_position))
            }
            req::Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = parse(r.params)?;
                json(
                    features::format(kb, &p.text_document.uri).map_err(|m| ReqError {
                        code: lsp_server::ErrorCode::RequestFailed as i32,
                        message: m,
                    })?,
                )
            }
            _ => {
                return Err(ReqError {
                    code: lsp_server::ErrorCode::MethodNotFound as i32,
                    message: format!("`{}` is not supported", r.method),
                })
            }
        };
        Ok(value)
    }
}

struct ReqError {
    code: i32,
    message: String,
}

fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, ReqError> {
    serde_json::from_value(v).map_err(|e| ReqError {
        code: lsp_server::ErrorCode::InvalidParams as i32,
        message: e.to_string(),
    })
}

fn json<T: serde::Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn internal(id: RequestId, method: &str) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InternalError as i32,
        format!("internal error while answering `{method}`"),
    )
}
