//! The JSON API: `POST /api/diagnose`, `GET /api/facts`,
//! `GET /api/symptoms`, `GET /api/health`.
//!
//! Takes requests, gives JSON documents: a diagnosis is exactly what `kbc
//! diagnose --json` prints for the same facts (`Diagnosis::to_json`, pretty,
//! one final newline), so a portal can switch between the CLI and the server
//! without a second parser. Every error is `{"error": {"code", "message"}}`
//! (plus `help` where the CLI has one) with the CLI's message and a status
//! code that says whose fault it is: 400 a request that is not the documented
//! shape, 413 over a limit, 422 facts the knowledge base does not take, 404,
//! 405, 408 too slow, 503 no build to answer from.
//!
//! The request body is either a plain facts map — the same document `kbc
//! diagnose --facts FILE` reads — or, when it has a `facts` key, an envelope
//! `{"facts": {...}, "message": "..." | [...], "log": "...", "skip": [...]}`
//! (docs/SERVE.md).

use crate::build::to_bytes;
use crate::state::AppState;
use crate::Limits;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use kbc_runtime::model::{FactIdx, FactType};
use kbc_runtime::{Matcher, ObservationError};
use serde_json::{json, Map, Value as J};
use std::sync::Arc;

/// A body larger than the limit is read and thrown away up to this size
/// before the 413 is sent, so the client, still sending, reads the answer
/// instead of a connection reset. Larger ones are cut off at once.
const DRAIN_LIMIT: u64 = 16 << 20;

/// An API error: status, stable code, the CLI's message, optional help.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            help: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    fn too_large(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, message)
    }

    /// A value the knowledge base does not take, in the CLI's words; an
    /// unknown fact also lists the facts there are, as the CLI's `help`.
    fn observation(m: &Matcher, e: ObservationError) -> ApiError {
        let message = e.to_string();
        match e {
            ObservationError::UnknownFact { .. } => {
                let ids: Vec<&str> = m.kb().facts.iter().map(|f| f.id.as_str()).collect();
                ApiError {
                    help: Some(format!("the facts are {}", ids.join(", "))),
                    ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_fact", message)
                }
            }
            ObservationError::NotAnObject { .. } => ApiError::bad_request(message),
            ObservationError::Io { .. } => ApiError::bad_request(message),
            _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_value", message),
        }
    }

    /// The error as its JSON document.
    pub fn body(&self) -> J {
        let mut e = Map::new();
        e.insert("code".into(), J::from(self.code));
        e.insert("message".into(), J::from(self.message.clone()));
        if let Some(h) = &self.help {
            e.insert("help".into(), J::from(h.clone()));
        }
        json!({ "error": J::Object(e) })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, to_bytes(&self.body()))
    }
}

/// A JSON response that no cache keeps.
pub(crate) fn json_response(status: StatusCode, bytes: Bytes) -> Response {
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn no_build() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "no_build",
        "the knowledge base has errors and there is no earlier build to answer from; fix the rules and the server rebuilds",
    )
}

/// `GET /api/health`: 200 while there is a build to answer from.
pub(crate) async fn health(State(st): State<Arc<AppState>>) -> Response {
    let snap = st.snapshot();
    let Some(b) = &snap.build else {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            to_bytes(
                &json!({"status": "unavailable", "generation": snap.generation, "last_build": "failed"}),
            ),
        );
    };
    let kb = &b.matcher.kb().meta;
    let doc = json!({
        "status": "ok",
        "generation": snap.generation,
        "last_build": if snap.failure.is_some() { "failed" } else { "ok" },
        "knowledge_base": {"title": kb.title, "version": kb.version},
    });
    json_response(StatusCode::OK, to_bytes(&doc))
}

/// `GET /api/facts`.
pub(crate) async fn facts(State(st): State<Arc<AppState>>) -> Response {
    match st.build() {
        Some(b) => json_response(StatusCode::OK, b.facts_json.clone()),
        None => no_build().into_response(),
    }
}

/// `GET /api/symptoms`.
pub(crate) async fn symptoms(State(st): State<Arc<AppState>>) -> Response {
    match st.build() {
        Some(b) => json_response(StatusCode::OK, b.symptoms_json.clone()),
        None => no_build().into_response(),
    }
}

/// `POST /api/diagnose`.
pub(crate) async fn diagnose(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let Some(b) = st.build() else {
        return no_build().into_response();
    };
    let body = match read_body(req, st.limits.max_body_bytes).await {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
    match diagnose_json(&b.matcher, &body, &st.limits) {
        Ok(doc) => json_response(StatusCode::OK, doc),
        Err(e) => e.into_response(),
    }
}

/// 404 for any other `/api/…` path.
pub(crate) async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint; the API is POST /api/diagnose, GET /api/facts, GET /api/symptoms and GET /api/health",
    )
    .into_response()
}

fn body_too_large(limit: usize) -> ApiError {
    ApiError::too_large(
        "body_too_large",
        format!("the request body is larger than {limit} bytes, the limit of this server"),
    )
}

/// Reads the body up to `limit` bytes.
async fn read_body(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let body = req.into_body();
    if let Some(n) = declared.filter(|&n| n > limit as u64) {
        // A client waiting for `100 Continue` has sent nothing: refuse at
        // once. Otherwise read what it sends (up to a bound), so it gets to
        // read the answer.
        if !expects_continue && n <= DRAIN_LIMIT {
            drain(body, DRAIN_LIMIT).await;
        }
        return Err(body_too_large(limit));
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(body_too_large(limit)),
        Err(e) => Err(ApiError::bad_request(format!(
            "cannot read the request body: {e}"
        ))),
    }
}

async fn drain(body: Body, max: u64) {
    let mut body = body;
    let mut seen = 0u64;
    while let Some(Ok(frame)) = body.frame().await {
        if let Some(d) = frame.data_ref() {
            seen += d.len() as u64;
        }
        if seen > max {
            break;
        }
    }
}

/// What a diagnosis request asks for.
struct DiagnoseRequest {
    facts: Map<String, J>,
    message: Vec<String>,
    log: Option<String>,
    skip: Vec<String>,
}

fn json_kind(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// Reads the request document: a plain facts map, or the envelope when it
/// has a `facts` key.
fn parse_request(body: &[u8]) -> Result<DiagnoseRequest, ApiError> {
    let doc: J = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("the request body is not valid JSON: {e}"),
        )
    })?;
    let J::Object(map) = doc else {
        return Err(ApiError::bad_request(
            ObservationError::NotAnObject {
                found: json_kind(&doc),
            }
            .to_string(),
        ));
    };
    if !map.contains_key("facts") {
        return Ok(DiagnoseRequest {
            facts: map,
            message: Vec::new(),
            log: None,
            skip: Vec::new(),
        });
    }
    let mut req = DiagnoseRequest {
        facts: Map::new(),
        message: Vec::new(),
        log: None,
        skip: Vec::new(),
    };
    for (k, v) in map {
        match (k.as_str(), v) {
            ("facts", J::Object(f)) => req.facts = f,
            ("facts", v) => {
                return Err(ApiError::bad_request(
                    ObservationError::NotAnObject {
                        found: json_kind(&v),
                    }
                    .to_string(),
                ))
            }
            ("message" | "log" | "skip", J::Null) => {}
            ("message", J::String(s)) => req.message.push(s),
            ("message", J::Array(items)) => {
                for it in items {
                    match it {
                        J::String(s) => req.message.push(s),
                        other => {
                            return Err(ApiError::bad_request(format!(
                                "`message` must be a string or an array of strings, not an array holding a JSON {}",
                                json_kind(&other)
                            )))
                        }
                    }
                }
            }
            ("message", v) => {
                return Err(ApiError::bad_request(format!(
                    "`message` must be a string or an array of strings, not a JSON {}",
                    json_kind(&v)
                )))
            }
            ("log", J::String(s)) => req.log = Some(s),
            ("log", v) => {
                return Err(ApiError::bad_request(format!(
                    "`log` must be a string (the log's text), not a JSON {}",
                    json_kind(&v)
                )))
            }
            ("skip", J::Array(items)) => {
                for it in items {
                    match it {
                        J::String(s) => req.skip.push(s),
                        other => {
                            return Err(ApiError::bad_request(format!(
                                "`skip` must be an array of fact names, not an array holding a JSON {}",
                                json_kind(&other)
                            )))
                        }
                    }
                }
            }
            ("skip", v) => {
                return Err(ApiError::bad_request(format!(
                    "`skip` must be an array of fact names, not a JSON {}",
                    json_kind(&v)
                )))
            }
            (other, _) => {
                return Err(ApiError::bad_request(format!(
                    "unknown field `{}` in the request; expected `facts`, `message`, `log` or `skip` (or send a plain map of facts)",
                    other.chars().take(60).collect::<String>()
                )))
            }
        }
    }
    Ok(req)
}

/// Bytes of message text a request carries: the `message` segments and
/// the strings given to text facts.
fn message_bytes(m: &Matcher, req: &DiagnoseRequest) -> usize {
    let kb = m.kb();
    let text_facts: usize = req
        .facts
        .iter()
        .filter(|(k, _)| {
            kb.facts
                .iter()
                .any(|f| &f.id == *k && f.ty == FactType::Text)
        })
        .map(|(_, v)| match v {
            J::String(s) => s.len(),
            J::Array(items) => items.iter().filter_map(J::as_str).map(str::len).sum(),
            _ => 0,
        })
        .sum();
    text_facts + req.message.iter().map(String::len).sum::<usize>()
}

/// Diagnoses one request body: the `kbc diagnose --json` document.
pub(crate) fn diagnose_json(m: &Matcher, body: &[u8], limits: &Limits) -> Result<Bytes, ApiError> {
    let req = parse_request(body)?;
    let n = req.facts.len() + req.skip.len();
    if n > limits.max_facts {
        return Err(ApiError::too_large(
            "too_many_facts",
            format!(
                "the request names {n} facts; this server takes at most {}",
                limits.max_facts
            ),
        ));
    }
    let text = message_bytes(m, &req);
    if text > limits.max_message_bytes {
        return Err(ApiError::too_large(
            "message_too_long",
            format!(
                "the message text is {text} bytes long; this server takes at most {} (send long logs as `log`)",
                limits.max_message_bytes
            ),
        ));
    }
    let kb = m.kb();
    let mut obs = m.observation();
    for (name, value) in &req.facts {
        obs.set_json(name, value)
            .map_err(|e| ApiError::observation(m, e))?;
    }
    if !req.message.is_empty() || req.log.is_some() {
        let fact = match kb.message_fact() {
            Ok(f) => kb.facts.get(f.index()).map_or("message", |f| f.id.as_str()),
            Err(texts) if texts.is_empty() => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "no_text_fact",
                    "this knowledge base has no text fact, so `message` and `log` have nowhere to go",
                ))
            }
            Err(texts) => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "no_text_fact",
                    format!(
                        "this knowledge base has several text facts ({}) and none is called `message`; give the text in `facts`",
                        texts.join(", ")
                    ),
                ))
            }
        };
        for text in &req.message {
            obs.add_text(fact, text)
                .map_err(|e| ApiError::observation(m, e))?;
        }
        if let Some(log) = &req.log {
            obs.scan_log(fact, std::io::Cursor::new(log.as_bytes()))
                .map_err(|e| ApiError::observation(m, e))?;
        }
    }
    let mut skip: Vec<FactIdx> = Vec::with_capacity(req.skip.len());
    for name in &req.skip {
        match kb.facts.iter().position(|f| &f.id == name) {
            Some(i) => skip.push(FactIdx(i as u32)),
            // `unset` on a fresh observation gives the unknown-fact error
            // with its closest match, exactly as for a fact.
            None => {
                let e =
                    m.observation()
                        .unset(name)
                        .err()
                        .unwrap_or(ObservationError::UnknownFact {
                            name: name.clone(),
                            suggestion: None,
                        });
                return Err(ApiError::observation(m, e));
            }
        }
    }
    let mut d = m.diagnose(&obs);
    if !skip.is_empty() {
        d.next_question = m.next_question_skipping(&obs, &skip);
    }
    Ok(to_bytes(&d.to_json()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn matcher() -> Matcher {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
        let input = kbc_compiler::load_dir(&dir).unwrap();
        let model = kbc_compiler::check(&input).model.unwrap();
        Matcher::new(kbc_runtime::Artifact::build(model).unwrap())
    }

    fn err(m: &Matcher, body: &str) -> ApiError {
        diagnose_json(m, body.as_bytes(), &Limits::default()).unwrap_err()
    }

    #[test]
    fn plain_map_and_envelope_give_the_same_document() {
        let m = matcher();
        let plain = diagnose_json(
            &m,
            br#"{"error_code":"0x904","extended_code":7,"message":"CredSSP"}"#,
            &Limits::default(),
        )
        .unwrap();
        let env = diagnose_json(
            &m,
            br#"{"facts":{"error_code":2308,"extended_code":"0x7"},"message":"CredSSP"}"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(plain, env);
        assert!(plain.ends_with(b"}\n"));
    }

    #[test]
    fn errors_have_codes_and_the_cli_messages() {
        let m = matcher();
        let e = err(&m, r#"{"domain_joind": true}"#);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.code, "unknown_fact");
        assert_eq!(
            e.message,
            "unknown fact `domain_joind`; did you mean `domain_joined`?"
        );
        assert!(e.help.unwrap().starts_with("the facts are error_code"));
        let e = err(&m, r#"{"host_os": "server2109"}"#);
        assert_eq!(
            (e.status, e.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "bad_value")
        );
        assert!(
            e.message.contains("did you mean `server2019`?"),
            "{}",
            e.message
        );
        let e = err(&m, "{not json");
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "bad_json"));
        let e = err(&m, "[1]");
        assert_eq!(
            e.message,
            "facts must be a JSON object of `name: value`, not a JSON array"
        );
        let e = err(&m, r#"{"facts": {}, "mesage": "x"}"#);
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.message.contains("unknown field `mesage`"));
        let e = err(&m, r#"{"facts": {}, "skip": ["fails_whn"]}"#);
        assert_eq!(e.code, "unknown_fact");
        assert!(e.message.contains("did you mean `fails_when`?"));
    }

    #[test]
    fn limits_answer_413() {
        let m = matcher();
        let limits = Limits {
            max_facts: 2,
            max_message_bytes: 10,
            ..Limits::default()
        };
        let e =
            diagnose_json(&m, br#"{"ping_ok":1,"via_vpn":0,"host_is_vm":1}"#, &limits).unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::PAYLOAD_TOO_LARGE, "too_many_facts")
        );
        let e = diagnose_json(&m, br#"{"facts":{},"message":"01234567890"}"#, &limits).unwrap_err();
        assert_eq!(e.code, "message_too_long");
    }

    #[test]
    fn skip_changes_only_the_question() {
        let m = matcher();
        let body = br#"{"facts":{"error_code":"0x904","extended_code":"0x7"}}"#;
        let a: J =
            serde_json::from_slice(&diagnose_json(&m, body, &Limits::default()).unwrap()).unwrap();
        let q = a["next_question"]["fact"].as_str().unwrap().to_string();
        let body =
            format!(r#"{{"facts":{{"error_code":"0x904","extended_code":"0x7"}},"skip":["{q}"]}}"#);
        let b: J = serde_json::from_slice(
            &diagnose_json(&m, body.as_bytes(), &Limits::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(a["causes"], b["causes"]);
        assert_ne!(b["next_question"]["fact"].as_str(), Some(q.as_str()));
    }
}
