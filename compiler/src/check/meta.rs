//! `kb.yaml`: the knowledge base's metadata and knowledge-base-wide allows.

use crate::codes::Code;
use crate::diagnostics::Diagnostic;
use crate::fuzzy;
use crate::syntax::ast::Span;
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
    let raw: Raw = match serde_yaml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let (start, len) = match e.location() {
                Some(l) => (l.index(), 1),
                None => (0, 0),
            };
            let start = start.min(text.len());
            let span = Span {
                file,
                start: start as u32,
                end: (start + len).min(text.len()) as u32,
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
