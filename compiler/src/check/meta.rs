//! `kb.yaml`: the knowledge base's metadata and knowledge-base-wide allows.

use crate::codes::Code;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Span;
use kbc_runtime::fuzzy;
use kbc_runtime::model::Meta;
use serde::Deserialize;

/// What `kb.yaml` holds once read.
#[derive(Debug, Clone, PartialEq)]
pub struct KbYaml {
    /// Title, product, version, base URL, language.
    pub meta: Meta,
    /// Warning names switched off for the whole knowledge base.
    pub allow: Vec<String>,
}

const FIELDS: &[&str] = &[
    "title", "product", "version", "base_url", "language", "allow",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    title: String,
    product: String,
    version: Scalar,
    base_url: Option<String>,
    language: String,
    #[serde(default)]
    allow: Vec<String>,
}

/// A version may be written `1.0.0` or `2`: any scalar becomes text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
}

/// Reads `kb.yaml`; `file` is its index in the source map.
pub(super) fn read(text: Option<&str>, file: u32, diags: &mut Vec<Diagnostic>) -> Option<KbYaml> {
    let whole = Span {
        file,
        start: 0,
        end: 0,
    };
    let Some(text) = text else {
        diags.push(
            Diagnostic::error(
                Code::BadKbYaml,
                "the knowledge base has no `kb.yaml`",
                whole,
            )
            .label("expected at the root of the knowledge base")
            .help("create kb.yaml with `title`, `product`, `version` and `language`"),
        );
        return None;
    };
    if let Some(d) = too_big_or_deep(text, file) {
        diags.push(d);
        return None;
    }
    let raw: Raw = match serde_yaml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let (start, len) = match e.location() {
                Some(l) => (l.index(), 1),
                None => (0, 0),
            };
            // Spans are on char boundaries: the renderers and editors need them.
            let mut start = start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let width = text[start..].chars().next().map_or(0, char::len_utf8);
            let span = Span {
                file,
                start: start as u32,
                end: (start + if len > 0 { width } else { 0 }) as u32,
            };
            let msg = e.to_string();
            // serde_yaml appends " at line N column M"; the span shows that.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            let mut d = Diagnostic::error(Code::BadKbYaml, format!("invalid kb.yaml: {msg}"), span)
                .label("here");
            if let Some(field) = msg
                .strip_prefix("unknown field `")
                .and_then(|r| r.split('`').next())
            {
                if let Some(s) = fuzzy::closest(field, FIELDS.iter().copied()) {
                    d = d.help(format!("did you mean `{s}`?"));
                } else {
                    d = d.help(format!("kb.yaml takes {}", FIELDS.join(", ")));
                }
            } else if msg.starts_with("missing field") {
                d = d.help("kb.yaml needs `title`, `product`, `version` and `language`");
            }
            diags.push(d);
            return None;
        }
    };
    let version = match raw.version {
        Scalar::Text(s) => s,
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
    };
    let names = Code::warning_names();
    for a in &raw.allow {
        if Code::by_warning_name(a).is_none() {
            let start = text.find(a.as_str()).unwrap_or(0);
            let span = Span {
                file,
                start: start as u32,
                end: (start + a.len()) as u32,
            };
            let mut d =
                Diagnostic::warning(Code::UnknownWarning, format!("unknown warning `{a}`"), span)
                    .label("not a warning name");
            if let Some(s) = fuzzy::closest(a, names.iter().copied()) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
    }
    Some(KbYaml {
        meta: Meta {
            title: raw.title,
            product: raw.product,
            version,
            base_url: raw.base_url,
            language: raw.language,
        },
        allow: raw.allow,
    })
}

/// `kb.yaml` holds a few short fields. Refuse what no `kb.yaml` needs before
/// the YAML parser sees it: its scanner is quadratic in flow nesting depth
/// (100,000 `[` took 25 seconds).
fn too_big_or_deep(text: &str, file: u32) -> Option<Diagnostic> {
    const MAX_BYTES: usize = 64 * 1024;
    const MAX_DEPTH: usize = 32;
    let at = |start: usize, end: usize| Span {
        file,
        start: start as u32,
        end: end as u32,
    };
    if text.len() > MAX_BYTES {
        return Some(
            Diagnostic::error(
                Code::BadKbYaml,
                format!("kb.yaml is {} bytes; the limit is {MAX_BYTES}", text.len()),
                at(0, 0),
            )
            .label("too big")
            .help("kb.yaml holds only title, product, version, base_url, language and allow"),
        );
    }
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(
                        Diagnostic::error(Code::BadKbYaml, "kb.yaml is nested too deep", at(i, i + 1))
                            .label(format!("more than {MAX_DEPTH} levels of `[` and `{{` here"))
                            .help("kb.yaml holds only title, product, version, base_url, language and allow"),
                    );
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
