//! `--format json`: the whole knowledge base as one documented JSON
//! document (docs/JSON.md), for portals that render guides themselves. It
//! carries the source model and what the guides derive from it (cause and
//! fix order, the environment table, page paths), so a portal never has to
//! re-implement the ordering rules.

use super::text::{paragraphs, symptom_codes};
use super::view::{EnvRow, KbView, Site};
use super::words;
use kbc_runtime::model::{FactType, KnowledgeBase, Step};
use serde::Serialize;

/// The schema version of the document; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    schema_version: u32,
    kb: &'a KbView,
    facts: Vec<FactDoc<'a>>,
    symptoms: Vec<SymptomDoc<'a>>,
    causes: Vec<CauseDoc<'a>>,
    fixes: Vec<FixDoc<'a>>,
    sources: Vec<SourceDoc<'a>>,
    guides: Vec<GuideDoc<'a>>,
}

#[derive(Serialize)]
struct FactDoc<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    values: Vec<ValueDoc<'a>>,
    label: String,
    question: Option<&'a str>,
}

#[derive(Serialize)]
struct ValueDoc<'a> {
    id: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct SymptomDoc<'a> {
    id: &'a str,
    title: &'a str,
    codes: Vec<String>,
    when: String,
    description: Vec<String>,
    guides: Vec<&'a str>,
}

#[derive(Serialize)]
struct CauseDoc<'a> {
    id: &'a str,
    title: &'a str,
    prior: &'static str,
    prior_decibans: i32,
    description: Vec<String>,
    produces: Vec<&'a str>,
    evidence: Vec<EvidenceDoc<'a>>,
    fixes: Vec<&'a str>,
    sources: Vec<&'a str>,
}

#[derive(Serialize)]
struct EvidenceDoc<'a> {
    strength: &'static str,
    decibans: Option<i32>,
    when: String,
    because: Option<&'a str>,
}

#[derive(Serialize)]
struct FixDoc<'a> {
    id: &'a str,
    title: &'a str,
    effort: &'static str,
    risk: &'static str,
    rights: &'static str,
    reboot: bool,
    description: Vec<String>,
    resolves: Vec<&'a str>,
    steps: &'a [Step],
    sources: Vec<&'a str>,
    pages: Pages,
}

#[derive(Serialize)]
struct SourceDoc<'a> {
    id: &'a str,
    title: &'a str,
    url: Option<&'a str>,
    publisher: Option<&'a str>,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct GuideDoc<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    symptom: &'a str,
    weight: usize,
    sections: &'a [&'static str],
    intro: &'a [String],
    meaning: &'a [String],
    start_here: &'a [String],
    summary: &'a [String],
    causes: Vec<&'a str>,
    environments: &'a [EnvRowDoc],
    messages: &'a [EnvRowDoc],
    fixes: Vec<&'a str>,
    related: Vec<&'a str>,
    sources: Vec<&'a str>,
    pages: Pages,
}

/// The environment row as published: ids rather than nested links.
#[derive(Serialize)]
struct EnvRowDoc {
    when: String,
    strength: &'static str,
    causes: Vec<EnvCauseDoc>,
}

#[derive(Serialize)]
struct EnvCauseDoc {
    cause: String,
    fix: Option<String>,
}

#[derive(Serialize)]
struct Pages {
    html: String,
    fragment: String,
    markdown: String,
}

fn pages(kind: &str, id: &str) -> Pages {
    Pages {
        html: format!("{kind}/{id}.html"),
        fragment: format!("{kind}/{id}.html"),
        markdown: format!("{kind}/{id}.md"),
    }
}

fn env_doc(r: &EnvRow) -> EnvRowDoc {
    EnvRowDoc {
        when: r.when.clone(),
        strength: r.strength,
        causes: r
            .causes
            .iter()
            .map(|c| EnvCauseDoc {
                cause: c.cause.id.clone(),
                fix: c.fix.as_ref().map(|f| f.id.clone()),
            })
            .collect(),
    }
}

/// Renders the document, pretty-printed, ending with a newline.
pub fn render(kb: &KnowledgeBase, site: &Site) -> Result<String, serde_json::Error> {
    let facts = kb
        .facts
        .iter()
        .map(|f| FactDoc {
            id: &f.id,
            ty: f.ty.name(),
            values: match &f.ty {
                FactType::Enum(vs) => vs
                    .iter()
                    .map(|v| ValueDoc {
                        id: &v.id,
                        label: v.display_label(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            label: f.display_label(),
            question: f.question.as_deref(),
        })
        .collect();
    let symptoms = kb
        .symptoms
        .iter()
        .enumerate()
        .map(|(si, s)| SymptomDoc {
            id: &s.id,
            title: &s.title,
            codes: symptom_codes(kb, &s.condition),
            when: words::condition(kb, &s.condition),
            description: paragraphs(s.description.as_deref()),
            guides: kb
                .guides
                .iter()
                .filter(|g| g.symptom.index() == si)
                .map(|g| g.id.as_str())
                .collect(),
        })
        .collect();
    let fix_ids = |pred: &dyn Fn(&kbc_runtime::model::Fix) -> bool| {
        let mut v: Vec<&kbc_runtime::model::Fix> = kb.fixes.iter().filter(|f| pred(f)).collect();
        v.sort_by_key(|f| super::view::fix_key(f));
        v.into_iter().map(|f| f.id.as_str()).collect::<Vec<_>>()
    };
    let source_ids = |v: &[kbc_runtime::model::SourceIdx]| {
        v.iter()
            .filter_map(|s| kb.sources.get(s.index()))
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
    };
    let causes = kb
        .causes
        .iter()
        .enumerate()
        .map(|(ci, c)| CauseDoc {
            id: &c.id,
            title: &c.title,
            prior: c.prior.keyword(),
            prior_decibans: c.prior.decibans(),
            description: paragraphs(c.description.as_deref()),
            produces: c
                .produces
                .iter()
                .filter_map(|s| kb.symptoms.get(s.index()))
                .map(|s| s.id.as_str())
                .collect(),
            evidence: c
                .evidence
                .iter()
                .map(|e| EvidenceDoc {
                    strength: e.strength.keyword(),
                    decibans: e.strength.decibans(),
                    when: words::condition(kb, &e.condition),
                    because: e.because.as_deref(),
                })
                .collect(),
            fixes: fix_ids(&|f| f.resolves.iter().any(|r| r.index() == ci)),
            sources: source_ids(&c.sources),
        })
        .collect();
    let fixes = kb
        .fixes
        .iter()
        .map(|f| FixDoc {
            id: &f.id,
            title: &f.title,
            effort: f.effort.keyword(),
            risk: f.risk.keyword(),
            rights: f.rights.keyword(),
            reboot: f.steps.iter().any(|s| matches!(s, Step::Reboot { .. })),
            description: paragraphs(f.description.as_deref()),
            resolves: f
                .resolves
                .iter()
                .filter_map(|c| kb.causes.get(c.index()))
                .map(|c| c.id.as_str())
                .collect(),
            steps: &f.steps,
            sources: source_ids(&f.sources),
            pages: pages("fixes", &f.id),
        })
        .collect();
    let sources = kb
        .sources
        .iter()
        .map(|s| SourceDoc {
            id: &s.id,
            title: &s.title,
            url: s.url.as_deref(),
            publisher: s.publisher.as_deref(),
            note: s.note.as_deref(),
        })
        .collect();
    let env_rows: Vec<(Vec<EnvRowDoc>, Vec<EnvRowDoc>)> = site
        .guides
        .iter()
        .map(|g| {
            let rows = |kind: &str| -> Vec<EnvRowDoc> {
                g.env_tables
                    .iter()
                    .filter(|t| t.kind == kind)
                    .flat_map(|t| t.rows.iter().map(env_doc))
                    .collect()
            };
            (rows("setup"), rows("message"))
        })
        .collect();
    let guides = site
        .guides
        .iter()
        .zip(&env_rows)
        .map(|(g, (env, msg))| GuideDoc {
            id: &g.id,
            title: &g.title,
            description: &g.description,
            symptom: &g.symptom.id,
            weight: g.weight,
            sections: &g.sections,
            intro: &g.intro,
            meaning: &g.meaning,
            start_here: &g.start_here,
            summary: &g.summary,
            causes: g.culprits.iter().map(|c| c.id.as_str()).collect(),
            environments: env,
            messages: msg,
            fixes: g.fixes.iter().map(|f| f.id.as_str()).collect(),
            related: kb
                .guides
                .iter()
                .find(|m| m.id == g.id)
                .map(|m| {
                    m.related
                        .iter()
                        .filter_map(|s| kb.symptoms.get(s.index()))
                        .map(|s| s.id.as_str())
                        .collect()
                })
                .unwrap_or_default(),
            sources: g.sources.iter().map(|s| s.id.as_str()).collect(),
            pages: pages("guides", &g.id),
        })
        .collect();
    let doc = Document {
        schema: "kbc-docs",
        schema_version: SCHEMA_VERSION,
        kb: &site.kb,
        facts,
        symptoms,
        causes,
        fixes,
        sources,
        guides,
    };
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}
