//! One build: a knowledge base compiled into a matcher, its HTML site
//! rendered in memory, and the API's fixed documents (`/api/facts`,
//! `/api/symptoms`) serialised once.
//!
//! Takes a rules folder (checked, lowered and rendered exactly as `kbc
//! check` and `kbc build` do, through the same library calls) or a compiled
//! artifact (its model is rendered with the same renderer, so a deployment
//! serves the same pages without shipping them); gives an immutable
//! [`Build`] that the server shares behind an `Arc` and swaps whole, or the
//! text of what went wrong. Nothing here touches the file system beyond
//! reading the rules, the theme and the artifact.

use axum::body::Bytes;
use kbc_compiler::diagnostics;
use kbc_compiler::render::{self, Format, Theme};
use kbc_runtime::model::{CmpOp, Condition, FactType, KnowledgeBase, Value};
use kbc_runtime::{Artifact, Matcher, SymptomStatus};
use serde_json::{json, Map, Value as J};
use std::collections::HashMap;
use std::path::Path;

/// A file of the site.
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub bytes: Bytes,
    pub content_type: &'static str,
}

/// An immutable build, shared by every request that started while it was
/// current.
pub(crate) struct Build {
    pub matcher: Matcher,
    /// Site files by path relative to the site root (`index.html`,
    /// `assets/kbc.css`), `/`-separated.
    pub site: HashMap<String, Asset>,
    /// `GET /api/facts`.
    pub facts_json: Bytes,
    /// `GET /api/symptoms`.
    pub symptoms_json: Bytes,
    /// Warnings of the check (rules mode), as `kbc check` prints them.
    pub warnings: String,
}

/// Checks, compiles and renders the rules in `dir`; `Err` holds the text to
/// show: the diagnostics as `kbc check` prints them (no colour), or the
/// load or render error as `kbc build` prints it.
pub(crate) fn from_rules(dir: &Path, theme: Option<&Path>) -> Result<Build, String> {
    let input = kbc_compiler::load_dir(dir)
        .map_err(|e| format!("error: cannot check `{}`: {e}\n", dir.display()))?;
    let checked = kbc_compiler::check(&input);
    let text = || {
        format!(
            "{}{}\n",
            diagnostics::render_text(&checked.diagnostics, &checked.sources, false),
            diagnostics::summary(&checked.diagnostics)
        )
    };
    let model = match &checked.model {
        Some(m) if !checked.has_errors() => m,
        _ => return Err(text()),
    };
    let warnings = if checked.diagnostics.is_empty() {
        String::new()
    } else {
        text()
    };
    let artifact = Artifact::build(model.clone())
        .map_err(|e| format!("error: cannot compile `{}`: {e}\n", dir.display()))?;
    let site = render_site(model, theme)?;
    let mut b = finish(Matcher::new(artifact), site);
    b.warnings = warnings;
    Ok(b)
}

/// Loads a compiled artifact and renders its model. The artifact must load
/// (`Err` with the CLI's message otherwise); if the site cannot be rendered
/// (a broken theme), a minimal page takes its place and the API still
/// serves.
pub(crate) fn from_artifact(path: &Path, theme: Option<&Path>) -> Result<Build, String> {
    let matcher = match Matcher::load(path) {
        Ok(m) => m,
        Err(e @ kbc_runtime::LoadError::Io { .. }) => return Err(e.to_string()),
        Err(e) => return Err(format!("cannot load `{}`: {e}", path.display())),
    };
    let site = match render_site(matcher.kb(), theme) {
        Ok(site) => site,
        Err(e) => minimal_site(matcher.kb(), &e),
    };
    Ok(finish(matcher, site))
}

fn finish(matcher: Matcher, site: HashMap<String, Asset>) -> Build {
    let facts_json = to_bytes(&facts_doc(matcher.kb()));
    let symptoms_json = to_bytes(&symptoms_doc(&matcher));
    Build {
        matcher,
        site,
        facts_json,
        symptoms_json,
        warnings: String::new(),
    }
}

/// Pretty JSON with a final newline, as the CLI prints documents.
pub(crate) fn to_bytes(v: &J) -> Bytes {
    // Serialising a `serde_json::Value` cannot fail.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    Bytes::from(s)
}

fn render_site(kb: &KnowledgeBase, theme: Option<&Path>) -> Result<HashMap<String, Asset>, String> {
    let theme = match theme {
        Some(dir) => Theme::load(dir).map_err(|e| format!("error: {e}\n"))?,
        None => Theme::default(),
    };
    let files = render::Renderer::new(&theme)
        .and_then(|r| r.render(kb, &[Format::Html]))
        .map_err(|e| format!("error: {e}\n"))?;
    Ok(files
        .into_iter()
        .filter_map(|f| {
            let path = f.path.strip_prefix("html/")?.to_string();
            let content_type = content_type(&path);
            Some((
                path,
                Asset {
                    bytes: Bytes::from(f.bytes),
                    content_type,
                },
            ))
        })
        .collect())
}

/// A one-page site for an artifact whose site cannot be rendered: what it
/// is, why there are no guides, and where the API is.
fn minimal_site(kb: &KnowledgeBase, why: &str) -> HashMap<String, Asset> {
    let e = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>Version {version}. The guides of this knowledge base could not be rendered:</p>\n<pre>{why}</pre>\n<p>The diagnosis API works: <code>POST /api/diagnose</code>, <code>GET /api/facts</code>, <code>GET /api/symptoms</code>, <code>GET /api/health</code>.</p>\n</main>\n</body>\n</html>\n",
        title = e(&kb.meta.title),
        version = e(&kb.meta.version),
        why = e(why.trim_end()),
    );
    HashMap::from([(
        "index.html".to_string(),
        Asset {
            bytes: Bytes::from(page),
            content_type: "text/html; charset=utf-8",
        },
    )])
}

/// The content type of a site file, by extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /api/facts`: every fact with its type, label, question and, for
/// enumerations and yes/no facts, the values it takes.
fn facts_doc(kb: &KnowledgeBase) -> J {
    let facts: Vec<J> = kb
        .facts
        .iter()
        .map(|f| {
            let values = match &f.ty {
                FactType::Enum(vals) => J::Array(
                    vals.iter()
                        .map(|v| json!({"id": v.id, "label": v.display_label()}))
                        .collect(),
                ),
                FactType::Bool => json!([
                    {"id": "true", "label": "yes"},
                    {"id": "false", "label": "no"}
                ]),
                _ => J::Null,
            };
            json!({
                "id": f.id,
                "type": f.ty.name(),
                "label": f.display_label(),
                "question": f.question,
                "values": values,
            })
        })
        .collect();
    let message_fact = kb
        .message_fact()
        .ok()
        .and_then(|i| kb.facts.get(i.index()))
        .map(|f| f.id.clone());
    json!({
        "facts": facts,
        "message_fact": message_fact,
        "knowledge_base": {
            "title": kb.meta.title,
            "product": kb.meta.product,
            "version": kb.meta.version,
        },
    })
}

/// `GET /api/symptoms`: each symptom with its guide page (the renderer's
/// URL) and, where the matcher confirms it, the facts that make it observed
/// — what the troubleshooter sends when a person picks "the error I see".
fn symptoms_doc(m: &Matcher) -> J {
    let kb = m.kb();
    let site = render::build_view(kb);
    let symptoms: Vec<J> = kb
        .symptoms
        .iter()
        .map(|s| {
            let guide = site.guides.iter().find(|g| g.symptom.id == s.id);
            let facts = picking_facts(m, &s.id, &s.condition);
            json!({
                "id": s.id,
                "title": s.title,
                "codes": guide.map(|g| g.symptom.codes.clone()).unwrap_or_default(),
                "guide": guide.map(|g| format!("guides/{}.html", g.id)),
                "facts": facts,
            })
        })
        .collect();
    json!({ "symptoms": symptoms })
}

/// Facts that make the symptom observed, read off its `when` (equalities,
/// memberships and `contains` literals; the first branch of an `or`), or
/// `null` when its condition has no such reading or the matcher does not
/// confirm it (a `matches` pattern: the person pastes the message instead).
fn picking_facts(m: &Matcher, id: &str, c: &Condition) -> J {
    let kb = m.kb();
    let mut facts = Map::new();
    satisfy(kb, c, &mut facts);
    if facts.is_empty() {
        return J::Null;
    }
    let doc = J::Object(facts);
    let mut obs = m.observation();
    if obs.set_json_object(&doc).is_err() {
        return J::Null;
    }
    let d = m.diagnose(&obs);
    let observed = d
        .symptoms
        .iter()
        .any(|s| s.id == id && s.status == SymptomStatus::Observed);
    if observed {
        doc
    } else {
        J::Null
    }
}

fn satisfy(kb: &KnowledgeBase, c: &Condition, out: &mut Map<String, J>) {
    match c {
        Condition::And(cs) => cs.iter().for_each(|c| satisfy(kb, c, out)),
        Condition::Or(cs) => {
            if let Some(first) = cs.first() {
                satisfy(kb, first, out);
            }
        }
        Condition::Compare {
            fact,
            op: CmpOp::Eq,
            value,
        } => put(kb, fact.index(), value, out),
        Condition::In { fact, values } => {
            if let Some(v) = values.first() {
                put(kb, fact.index(), v, out);
            }
        }
        Condition::Contains { fact, needle } => {
            if let Some(f) = kb.facts.get(fact.index()) {
                out.entry(f.id.clone())
                    .or_insert_with(|| J::from(needle.clone()));
            }
        }
        _ => {}
    }
}

fn put(kb: &KnowledgeBase, fact: usize, v: &Value, out: &mut Map<String, J>) {
    let Some(f) = kb.facts.get(fact) else {
        return;
    };
    let j = match (v, &f.ty) {
        (Value::Bool(b), _) => J::from(*b),
        // Codes read as people see them: `0x904`.
        (Value::Int(i), _) if f.id.ends_with("code") && *i >= 0 => J::from(format!("{i:#x}")),
        (Value::Int(i), _) => J::from(*i),
        (Value::Str(s), _) => J::from(s.clone()),
        (Value::Enum(k), FactType::Enum(vals)) => match vals.get(*k as usize) {
            Some(ev) => J::from(ev.id.clone()),
            None => return,
        },
        (Value::Enum(_), _) => return,
    };
    out.entry(f.id.clone()).or_insert(j);
}
