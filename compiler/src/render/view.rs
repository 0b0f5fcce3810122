//! The view model: everything the templates show, computed once from the
//! checked [`KnowledgeBase`] and typed (`#[derive(Serialize)]`), so a
//! template can only name fields that exist — strict mode turns any other
//! name into an error — and no template computes anything.
//!
//! The view is format-independent: links are ids, and the templates add the
//! page-relative `root` and the file extension of their format.

use super::diagram::{self, Diagram};
use super::text::{capitalise, paragraphs, safe_url, summary, symptom_codes};
use super::words;
use kbc_runtime::model::*;
use serde::Serialize;
use std::collections::BTreeSet;

/// The whole published site.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Title, version and the other metadata of `kb.yaml`.
    pub kb: KbView,
    /// The index page.
    pub index: IndexView,
    /// One page per guide (per symptom guide), in index order.
    pub guides: Vec<GuideView>,
    /// One page per fix, sorted by id.
    pub fixes: Vec<FixView>,
}

/// Knowledge base metadata, shown on every page.
#[derive(Debug, Clone, Serialize)]
pub struct KbView {
    /// Title.
    pub title: String,
    /// The product.
    pub product: String,
    /// The knowledge base's version.
    pub version: String,
    /// BCP 47 language tag.
    pub language: String,
    /// The site's base URL ending in `/`, when it is an http(s) URL.
    pub base_url: Option<String>,
}

/// The index page: every guide by error code and title, and every fix.
#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    /// Page title.
    pub title: String,
    /// Meta description.
    pub description: String,
    /// Guides for symptoms with error codes, sorted by code.
    pub coded: Vec<IndexEntry>,
    /// Guides for symptoms recognised by message or event, sorted by title.
    pub others: Vec<IndexEntry>,
    /// Every fix, sorted by title.
    pub fixes: Vec<FixLink>,
}

/// One guide on the index page.
#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry {
    /// The guide's id (its page's file name).
    pub guide: String,
    /// The guide's title.
    pub title: String,
    /// The symptom's title.
    pub symptom: String,
    /// The codes, joined with ` / `; empty for symptoms without codes.
    pub codes: String,
    /// A one-line summary.
    pub description: String,
}

/// A page per symptom guide.
#[derive(Debug, Clone, Serialize)]
pub struct GuideView {
    /// The guide's id: page name and anchor prefix.
    pub id: String,
    /// Page title.
    pub title: String,
    /// One-line summary for meta tags and front matter.
    pub description: String,
    /// Position on the index page, from 1 (front matter `weight`).
    pub weight: usize,
    /// The symptom the page is about.
    pub symptom: SymptomView,
    /// Section keywords in page order (`start_here`, `intro`, ...).
    pub sections: Vec<&'static str>,
    /// The page's table of contents: headed sections that have content.
    pub toc: Vec<TocEntry>,
    /// Opening paragraphs.
    pub intro: Vec<String>,
    /// What the error means (the guide's text, else the symptom's).
    pub meaning: Vec<String>,
    /// The "start here" summary.
    pub start_here: Vec<String>,
    /// The closing summary.
    pub summary: Vec<String>,
    /// The causes, most common first.
    pub culprits: Vec<CulpritView>,
    /// Environment → most likely causes → fix to try first, derived from
    /// the causes' strong and moderate evidence: one table for facts about
    /// the setup, one for the error message or log text (empty tables left out).
    pub env_tables: Vec<EnvTable>,
    /// Every fix for the causes, in the order to try them.
    pub fixes: Vec<FixView>,
    /// Related symptoms.
    pub related: Vec<RelatedView>,
    /// Every source cited by the causes and fixes on the page.
    pub sources: Vec<SourceView>,
    /// Symptom → causes → fixes.
    pub diagram: Diagram,
    /// schema.org FAQPage data.
    pub faq: FaqPage,
}

/// The symptom a guide is about.
#[derive(Debug, Clone, Serialize)]
pub struct SymptomView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Error codes, in the order of the condition (`["0x904", "0x7"]`).
    pub codes: Vec<String>,
    /// The codes joined with ` / `.
    pub codes_text: String,
    /// What the symptom means.
    pub description: Vec<String>,
    /// When the symptom counts as observed, in words.
    pub when: String,
}

/// An entry of a page's table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// The anchor, without `#`.
    pub anchor: &'static str,
    /// The heading.
    pub title: &'static str,
}

/// A cause on a guide page.
#[derive(Debug, Clone, Serialize)]
pub struct CulpritView {
    /// Position, from 1.
    pub rank: usize,
    /// Id (anchor `cause-<id>`).
    pub id: String,
    /// Title.
    pub title: String,
    /// How common it is, in words ("common").
    pub prior: &'static str,
    /// What goes wrong.
    pub description: Vec<String>,
    /// Evidence that makes it more likely, in words.
    pub more_likely: Vec<String>,
    /// Evidence that makes it less likely.
    pub less_likely: Vec<String>,
    /// Evidence that rules it out.
    pub ruled_out: Vec<String>,
    /// Its fixes, cheapest and safest first.
    pub fixes: Vec<FixLink>,
    /// Its sources.
    pub sources: Vec<SourceLink>,
}

/// A link to a fix, with what it costs.
#[derive(Debug, Clone, Serialize)]
pub struct FixLink {
    /// Id (anchor `fix-<id>`, page `fixes/<id>`).
    pub id: String,
    /// Title.
    pub title: String,
    /// `low`, `medium` or `high`.
    pub effort: &'static str,
    /// `low`, `medium` or `high`.
    pub risk: &'static str,
    /// Who can do it, in words.
    pub rights: &'static str,
}

/// A link to a source in the page's list of sources.
#[derive(Debug, Clone, Serialize)]
pub struct SourceLink {
    /// Id (anchor `source-<id>`).
    pub id: String,
    /// Title.
    pub title: String,
}

/// One environment table.
#[derive(Debug, Clone, Serialize)]
pub struct EnvTable {
    /// `setup` or `message`.
    pub kind: &'static str,
    /// The first column's heading.
    pub heading: &'static str,
    /// A heading above the table, for the second table.
    pub subheading: Option<&'static str>,
    /// The anchor of the subheading.
    pub anchor: &'static str,
    /// The rows, strongest sign first.
    pub rows: Vec<EnvRow>,
}

/// A row of the environment table: a sign and the causes it points at.
#[derive(Debug, Clone, Serialize)]
pub struct EnvRow {
    /// The evidence condition in words, capitalised.
    pub when: String,
    /// How strongly it points at its most likely cause: `strong` or `moderate`.
    pub strength: &'static str,
    /// The causes it makes more likely, most common first, each with the
    /// fix to try first.
    pub causes: Vec<EnvCause>,
}

/// A cause in the environment table with its cheapest, safest fix.
#[derive(Debug, Clone, Serialize)]
pub struct EnvCause {
    /// The cause.
    pub cause: CauseLink,
    /// The fix to try first for it.
    pub fix: Option<FixLink>,
}

/// A link to a cause.
#[derive(Debug, Clone, Serialize)]
pub struct CauseLink {
    /// Id (anchor `cause-<id>`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Guides that explain the cause (for links from fix pages).
    pub guides: Vec<GuideLink>,
    /// The first of those guides, if any.
    pub guide: Option<String>,
    /// Whether the cause is on the page showing the link.
    pub on_page: bool,
}

/// A link to a guide page.
#[derive(Debug, Clone, Serialize)]
pub struct GuideLink {
    /// The guide's id.
    pub id: String,
    /// The guide's title.
    pub title: String,
}

/// A related symptom.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedView {
    /// The symptom's title.
    pub title: String,
    /// Its codes joined with ` / `, if any.
    pub codes: String,
    /// Its guide, if it has one.
    pub guide: Option<String>,
}

/// A reference.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    /// Id (anchor `source-<id>`).
    pub id: String,
    /// Title.
    pub title: String,
    /// A safe http(s) URL, if the source has one.
    pub url: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// What in it matters here.
    pub note: Option<String>,
}

/// A fix, with its steps: on its own page and inline in every guide whose
/// causes it resolves.
#[derive(Debug, Clone, Serialize)]
pub struct FixView {
    /// Its position on a guide page, from 1 (0 on its own page).
    pub number: usize,
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// One-line summary.
    pub description_line: String,
    /// `low`, `medium` or `high`.
    pub effort: &'static str,
    /// `low`, `medium` or `high`.
    pub risk: &'static str,
    /// Who can do it, in words.
    pub rights: &'static str,
    /// Whether a step restarts a computer or service.
    pub reboot: bool,
    /// What it does and when to choose it.
    pub description: Vec<String>,
    /// The steps: numbered blocks and warning callouts.
    pub steps: Vec<StepBlock>,
    /// The causes it resolves.
    pub resolves: Vec<CauseLink>,
    /// Its sources.
    pub sources: Vec<SourceView>,
    /// schema.org HowTo data.
    pub howto: HowTo,
}

/// A numbered step (one or more items), or a warning callout.
#[derive(Debug, Clone, Serialize)]
pub struct StepBlock {
    /// The step's number, from 1; 0 for a warning.
    pub number: usize,
    /// The warning text, for a callout.
    pub warning: Option<String>,
    /// What to do.
    pub items: Vec<StepItem>,
}

/// One thing to do within a step.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepItem {
    /// Prose.
    Prose {
        /// The text.
        text: String,
    },
    /// A command in a code block.
    Command {
        /// `cmd`, `powershell` or `shell`.
        shell: &'static str,
        /// Where to run it ("Command Prompt").
        shell_label: &'static str,
        /// The code fence's language tag.
        lang: &'static str,
        /// The code.
        code: String,
    },
    /// A registry value.
    Registry {
        /// The key.
        path: String,
        /// The value name.
        name: String,
        /// `REG_DWORD`, ...
        type_name: &'static str,
        /// The data as written.
        data: String,
        /// The equivalent `reg add` command.
        reg_add: String,
    },
    /// A group-policy setting.
    Policy {
        /// The tree from the root node to the setting, drawn with `└─`.
        tree: String,
        /// The setting.
        setting: Option<String>,
        /// What to set it to.
        value: Option<String>,
    },
    /// A path through a user interface.
    Ui {
        /// One element per level.
        path: Vec<String>,
    },
    /// A restart.
    Reboot {
        /// What to restart, if not the computer.
        what: Option<String>,
    },
    /// A link.
    Link {
        /// Link text.
        title: String,
        /// The address when safe to link to.
        url: Option<String>,
        /// The address as written (shown as text when unsafe).
        raw: String,
    },
}

/// schema.org `FAQPage`.
#[derive(Debug, Clone, Serialize)]
pub struct FaqPage {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    ty: &'static str,
    name: String,
    #[serde(rename = "mainEntity")]
    main_entity: Vec<Question>,
}

#[derive(Debug, Clone, Serialize)]
struct Question {
    #[serde(rename = "@type")]
    ty: &'static str,
    name: String,
    #[serde(rename = "acceptedAnswer")]
    accepted_answer: Answer,
}

#[derive(Debug, Clone, Serialize)]
struct Answer {
    #[serde(rename = "@type")]
    ty: &'static str,
    text: String,
}

/// schema.org `HowTo`.
#[derive(Debug, Clone, Serialize)]
pub struct HowTo {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    ty: &'static str,
    name: String,
    description: String,
    step: Vec<HowToStep>,
}

#[derive(Debug, Clone, Serialize)]
struct HowToStep {
    #[serde(rename = "@type")]
    ty: &'static str,
    position: usize,
    text: String,
}

/// A search index entry, for the HTML site's search page.
#[derive(Debug, Clone, Serialize)]
pub struct SearchEntry {
    /// Title.
    pub t: String,
    /// URL relative to the site root.
    pub u: String,
    /// `guide` or `fix`.
    pub k: &'static str,
    /// Codes.
    pub c: String,
    /// Summary shown under the title.
    pub s: String,
    /// Other searchable words (lower-case).
    pub x: String,
}

fn level(l: Level) -> &'static str {
    l.keyword()
}

fn rights(r: Rights) -> &'static str {
    match r {
        Rights::User => "any user",
        Rights::Admin => "local administrator",
        Rights::DomainAdmin => "domain administrator",
    }
}

fn prior(p: Prior) -> &'static str {
    match p {
        Prior::VeryCommon => "very common",
        Prior::Common => "common",
        Prior::Uncommon => "uncommon",
        Prior::Rare => "rare",
    }
}

fn section_title(s: Section) -> Option<&'static str> {
    Some(match s {
        Section::StartHere => "Start here",
        Section::Intro => return None,
        Section::Meaning => "What the error means",
        Section::Culprits => "Most likely causes",
        Section::Environments => "Which fix fits your setup",
        Section::Fixes => "Fixes, in the order to try them",
        Section::Summary => "Summary",
        Section::Related => "Related problems",
        Section::Sources => "Sources",
    })
}

fn section_anchor(s: Section) -> &'static str {
    match s {
        Section::StartHere => "start-here",
        Section::Intro => "intro",
        Section::Meaning => "meaning",
        Section::Culprits => "causes",
        Section::Environments => "environments",
        Section::Fixes => "fixes",
        Section::Summary => "summary",
        Section::Related => "related",
        Section::Sources => "sources",
    }
}

/// The order of fixes within a cause, as the matcher uses it: effort, risk,
/// rights, then id.
pub(crate) fn fix_key(f: &Fix) -> (Level, Level, Rights, &str) {
    (f.effort, f.risk, f.rights, f.id.as_str())
}

fn fix_link(f: &Fix) -> FixLink {
    FixLink {
        id: f.id.clone(),
        title: f.title.clone(),
        effort: level(f.effort),
        risk: level(f.risk),
        rights: rights(f.rights),
    }
}

fn source_view(s: &Source) -> SourceView {
    SourceView {
        id: s.id.clone(),
        title: s.title.clone(),
        url: s.url.as_deref().and_then(safe_url),
        publisher: s.publisher.clone(),
        note: s.note.clone(),
    }
}

/// Lookups computed once for the whole site.
struct Index<'a> {
    kb: &'a KnowledgeBase,
    /// Causes of each symptom, most common first (prior, then id).
    causes_of: Vec<Vec<usize>>,
    /// Fixes of each cause, cheapest and safest first.
    fixes_of: Vec<Vec<usize>>,
    /// Guides of each symptom.
    guides_of: Vec<Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(kb: &'a KnowledgeBase) -> Self {
        let mut causes_of = vec![Vec::new(); kb.symptoms.len()];
        for (ci, c) in kb.causes.iter().enumerate() {
            for s in &c.produces {
                if let Some(v) = causes_of.get_mut(s.index()) {
                    if !v.contains(&ci) {
                        v.push(ci);
                    }
                }
            }
        }
        for v in &mut causes_of {
            v.sort_by_key(|&ci| {
                kb.causes
                    .get(ci)
                    .map(|c| (-c.prior.decibans(), c.id.as_str()))
            });
        }
        let mut fixes_of = vec![Vec::new(); kb.causes.len()];
        for (fi, f) in kb.fixes.iter().enumerate() {
            for c in &f.resolves {
                if let Some(v) = fixes_of.get_mut(c.index()) {
                    if !v.contains(&fi) {
                        v.push(fi);
                    }
                }
            }
        }
        for v in &mut fixes_of {
            v.sort_by_key(|&fi| kb.fixes.get(fi).map(fix_key));
        }
        let mut guides_of = vec![Vec::new(); kb.symptoms.len()];
        for (gi, g) in kb.guides.iter().enumerate() {
            if let Some(v) = guides_of.get_mut(g.symptom.index()) {
                v.push(gi);
            }
        }
        Index {
            kb,
            causes_of,
            fixes_of,
            guides_of,
        }
    }

    fn cause_link(&self, ci: usize) -> Option<CauseLink> {
        let c = self.kb.causes.get(ci)?;
        let mut guides: Vec<GuideLink> = Vec::new();
        for s in &c.produces {
            for &gi in self.guides_of.get(s.index()).into_iter().flatten() {
                if let Some(g) = self.kb.guides.get(gi) {
                    if !guides.iter().any(|l| l.id == g.id) {
                        guides.push(GuideLink {
                            id: g.id.clone(),
                            title: g.title.clone(),
                        });
                    }
                }
            }
        }
        guides.sort_by(|a, b| a.id.cmp(&b.id));
        Some(CauseLink {
            id: c.id.clone(),
            title: c.title.clone(),
            guide: guides.first().map(|g| g.id.clone()),
            guides,
            on_page: false,
        })
    }

    fn sources(&self, ids: &[SourceIdx]) -> Vec<SourceView> {
        ids.iter()
            .filter_map(|s| self.kb.sources.get(s.index()))
            .map(source_view)
            .collect()
    }
}

/// Computes the view of the whole site.
pub fn build(kb: &KnowledgeBase) -> Site {
    let ix = Index::new(kb);
    let meta = &kb.meta;
    let kb_view = KbView {
        title: meta.title.clone(),
        product: meta.product.clone(),
        version: meta.version.clone(),
        language: if meta.language.is_empty() {
            "en".to_string()
        } else {
            meta.language.clone()
        },
        base_url: meta.base_url.as_deref().and_then(safe_url).map(|u| {
            if u.ends_with('/') {
                u
            } else {
                format!("{u}/")
            }
        }),
    };

    let fixes: Vec<FixView> = kb.fixes.iter().map(|f| fix_view(&ix, f)).collect();

    // Index order: guides for coded symptoms by code, then the others by title.
    let mut order: Vec<(Vec<String>, usize)> = kb
        .guides
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            let codes = kb
                .symptoms
                .get(g.symptom.index())
                .map(|s| symptom_codes(kb, &s.condition))
                .unwrap_or_default();
            (codes, gi)
        })
        .collect();
    order.sort_by(|(ca, a), (cb, b)| {
        let ta = kb.guides.get(*a).map(|g| (g.title.as_str(), g.id.as_str()));
        let tb = kb.guides.get(*b).map(|g| (g.title.as_str(), g.id.as_str()));
        (ca.is_empty(), code_sort_key(ca), ta).cmp(&(cb.is_empty(), code_sort_key(cb), tb))
    });

    let mut guides = Vec::new();
    let mut coded = Vec::new();
    let mut others = Vec::new();
    for (weight, (codes, gi)) in order.iter().enumerate() {
        let Some(g) = kb.guides.get(*gi) else {
            continue;
        };
        let view = guide_view(&ix, g, &fixes, weight + 1);
        let entry = IndexEntry {
            guide: view.id.clone(),
            title: view.title.clone(),
            symptom: view.symptom.title.clone(),
            codes: codes.join(" / "),
            description: view.description.clone(),
        };
        if codes.is_empty() {
            others.push(entry);
        } else {
            coded.push(entry);
        }
        guides.push(view);
    }

    let mut fix_links: Vec<FixLink> = kb.fixes.iter().map(fix_link).collect();
    fix_links.sort_by(|a, b| (&a.title, &a.id).cmp(&(&b.title, &b.id)));
    let index = IndexView {
        title: meta.title.clone(),
        description: format!(
            "Troubleshooting guides for {}: every error by code and message, its causes and the fixes to try.",
            meta.product
        ),
        coded,
        others,
        fixes: fix_links,
    };
    let mut fixes = fixes;
    fixes.sort_by(|a, b| a.id.cmp(&b.id));
    Site {
        kb: kb_view,
        index,
        guides,
        fixes,
    }
}

/// Sorts codes numerically (`0x7` before `0x10`).
fn code_sort_key(codes: &[String]) -> Vec<i64> {
    codes
        .iter()
        .map(|c| {
            c.strip_prefix("0x")
                .and_then(|h| i64::from_str_radix(h, 16).ok())
                .or_else(|| c.parse().ok())
                .unwrap_or(i64::MAX)
        })
        .collect()
}

fn guide_view(ix: &Index, g: &Guide, all_fixes: &[FixView], weight: usize) -> GuideView {
    let kb = ix.kb;
    let symptom = kb.symptoms.get(g.symptom.index());
    let codes = symptom
        .map(|s| symptom_codes(kb, &s.condition))
        .unwrap_or_default();
    let symptom_view = SymptomView {
        id: symptom.map(|s| s.id.clone()).unwrap_or_default(),
        title: symptom.map(|s| s.title.clone()).unwrap_or_default(),
        codes_text: codes.join(" / "),
        codes,
        description: paragraphs(symptom.and_then(|s| s.description.as_deref())),
        when: symptom
            .map(|s| words::condition(kb, &s.condition))
            .unwrap_or_default(),
    };

    let cause_ids: &[usize] = ix
        .causes_of
        .get(g.symptom.index())
        .map(Vec::as_slice)
        .unwrap_or(&[]);

    // The fixes in the order to try them: each cause's, cheapest first,
    // causes most common first.
    let mut fix_order: Vec<usize> = Vec::new();
    for &ci in cause_ids {
        for &fi in ix.fixes_of.get(ci).into_iter().flatten() {
            if !fix_order.contains(&fi) {
                fix_order.push(fi);
            }
        }
    }

    let mut sources: Vec<SourceIdx> = Vec::new();
    let mut culprits = Vec::new();
    // (strength rank, culprit rank, is about text, words, cause)
    let mut signs: Vec<(u8, usize, bool, String, EnvCause)> = Vec::new();
    for (rank, &ci) in cause_ids.iter().enumerate() {
        let Some(c) = kb.causes.get(ci) else {
            continue;
        };
        let cause_fixes: Vec<FixLink> = ix
            .fixes_of
            .get(ci)
            .into_iter()
            .flatten()
            .filter_map(|&fi| kb.fixes.get(fi))
            .map(fix_link)
            .collect();
        let mut more = Vec::new();
        let mut less = Vec::new();
        let mut out = Vec::new();
        for ev in &c.evidence {
            let words = capitalise(&words::condition(kb, &ev.condition));
            let shown = match &ev.because {
                Some(b) => capitalise(b.trim().trim_end_matches('.')),
                None => words.clone(),
            };
            match ev.strength {
                Strength::Strong | Strength::Moderate | Strength::Weak => {
                    more.push(shown);
                    let rank = match ev.strength {
                        Strength::Strong => 0,
                        Strength::Moderate => 1,
                        _ => continue,
                    };
                    signs.push((
                        rank,
                        culprits.len(),
                        reads_text(kb, &ev.condition),
                        words,
                        EnvCause {
                            cause: CauseLink {
                                id: c.id.clone(),
                                title: c.title.clone(),
                                guides: Vec::new(),
                                guide: None,
                                on_page: true,
                            },
                            fix: cause_fixes.first().cloned(),
                        },
                    ));
                }
                Strength::AgainstWeak | Strength::AgainstModerate | Strength::AgainstStrong => {
                    less.push(shown)
                }
                Strength::RulesOut => out.push(shown),
            }
        }
        for s in &c.sources {
            if !sources.contains(s) {
                sources.push(*s);
            }
        }
        culprits.push(CulpritView {
            rank: rank + 1,
            id: c.id.clone(),
            title: c.title.clone(),
            prior: prior(c.prior),
            description: paragraphs(c.description.as_deref()),
            more_likely: more,
            less_likely: less,
            ruled_out: out,
            fixes: cause_fixes,
            sources: c
                .sources
                .iter()
                .filter_map(|s| kb.sources.get(s.index()))
                .map(|s| SourceLink {
                    id: s.id.clone(),
                    title: s.title.clone(),
                })
                .collect(),
        });
    }
    let (setup, messages) = env_rows(signs);
    let mut env_tables = Vec::new();
    if !setup.is_empty() {
        env_tables.push(EnvTable {
            kind: "setup",
            heading: "Your setup",
            subheading: None,
            anchor: "environments-setup",
            rows: setup,
        });
    }
    if !messages.is_empty() {
        env_tables.push(EnvTable {
            kind: "message",
            heading: "The message or log",
            subheading: Some("What the message or log says"),
            anchor: "environments-messages",
            rows: messages,
        });
    }

    let mut fixes = Vec::new();
    for (n, &fi) in fix_order.iter().enumerate() {
        let Some(f) = kb.fixes.get(fi) else { continue };
        if let Some(v) = all_fixes.get(fi) {
            let mut v = v.clone();
            v.number = n + 1;
            for r in &mut v.resolves {
                r.on_page = culprits.iter().any(|c| c.id == r.id);
            }
            fixes.push(v);
        }
        for s in &f.sources {
            if !sources.contains(s) {
                sources.push(*s);
            }
        }
    }

    let related = g
        .related
        .iter()
        .filter_map(|s| {
            let sym = kb.symptoms.get(s.index())?;
            let guide = ix
                .guides_of
                .get(s.index())
                .and_then(|v| v.first())
                .and_then(|&gi| kb.guides.get(gi))
                .map(|g| g.id.clone());
            Some(RelatedView {
                title: sym.title.clone(),
                codes: symptom_codes(kb, &sym.condition).join(" / "),
                guide,
            })
        })
        .collect::<Vec<_>>();

    let intro = paragraphs(g.intro.as_deref());
    let meaning = match g.meaning.as_deref() {
        Some(m) => paragraphs(Some(m)),
        None => symptom_view.description.clone(),
    };
    let start_here = paragraphs(g.start_here.as_deref());
    let summary_text = paragraphs(g.summary.as_deref());
    let description = if !intro.is_empty() {
        summary(&intro, 160)
    } else {
        summary(&symptom_view.description, 160)
    };

    let sections: Vec<Section> = if g.sections.is_empty() {
        Section::ALL.to_vec()
    } else {
        g.sections.clone()
    };
    let has = |s: Section| match s {
        Section::StartHere => !start_here.is_empty(),
        Section::Intro => !intro.is_empty(),
        Section::Meaning => !meaning.is_empty(),
        Section::Culprits => !culprits.is_empty(),
        Section::Environments => !env_tables.is_empty(),
        Section::Fixes => !fixes.is_empty(),
        Section::Summary => !summary_text.is_empty(),
        Section::Related => !related.is_empty(),
        Section::Sources => !sources.is_empty(),
    };
    let toc = sections
        .iter()
        .filter(|s| has(**s))
        .filter_map(|s| {
            section_title(*s).map(|title| TocEntry {
                anchor: section_anchor(*s),
                title,
            })
        })
        .collect();

    let diagram = diagram::layout(&diagram::Input {
        symptom: &symptom_view.title,
        causes: culprits
            .iter()
            .map(|c| (c.id.as_str(), c.title.as_str()))
            .collect(),
        fixes: fixes
            .iter()
            .map(|f| {
                let resolves = culprits
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.fixes.iter().any(|l| l.id == f.id))
                    .map(|(i, _)| i)
                    .collect();
                (f.id.as_str(), f.title.as_str(), resolves)
            })
            .collect(),
    });

    let faq = faq(g, &symptom_view, &meaning, &start_here, &culprits, &fixes);
    GuideView {
        id: g.id.clone(),
        title: g.title.clone(),
        description,
        weight,
        symptom: symptom_view,
        sections: sections.iter().map(|s| s.keyword()).collect(),
        toc,
        intro,
        meaning,
        start_here,
        summary: summary_text,
        culprits,
        env_tables,
        fixes,
        related,
        sources: ix.sources(&sources),
        diagram,
        faq,
    }
}

/// Whether a condition reads a free-text fact (the message or a log line).
fn reads_text(kb: &KnowledgeBase, c: &Condition) -> bool {
    let mut text = false;
    c.visit_facts(&mut |f| {
        text |= matches!(kb.facts.get(f.index()).map(|f| &f.ty), Some(FactType::Text));
    });
    text
}

/// Groups signs by their words into rows: strongest first, then by the
/// rank of the most likely cause; within a row, causes in page order.
fn env_rows(mut signs: Vec<(u8, usize, bool, String, EnvCause)>) -> (Vec<EnvRow>, Vec<EnvRow>) {
    signs.sort_by_key(|s| (s.0, s.1));
    let mut rows: Vec<(bool, EnvRow)> = Vec::new();
    for (rank, _, text, when, cause) in signs {
        match rows.iter_mut().find(|(t, r)| *t == text && r.when == when) {
            Some((_, row)) => {
                if !row.causes.iter().any(|c| c.cause.id == cause.cause.id) {
                    row.causes.push(cause);
                }
            }
            None => rows.push((
                text,
                EnvRow {
                    when,
                    strength: if rank == 0 { "strong" } else { "moderate" },
                    causes: vec![cause],
                },
            )),
        }
    }
    let mut setup = Vec::new();
    let mut messages = Vec::new();
    for (text, row) in rows {
        if text {
            messages.push(row);
        } else {
            setup.push(row);
        }
    }
    (setup, messages)
}

fn faq(
    g: &Guide,
    symptom: &SymptomView,
    meaning: &[String],
    start_here: &[String],
    culprits: &[CulpritView],
    fixes: &[FixView],
) -> FaqPage {
    let q = |name: String, text: String| Question {
        ty: "Question",
        name,
        accepted_answer: Answer { ty: "Answer", text },
    };
    let mut qs = Vec::new();
    if !meaning.is_empty() {
        qs.push(q(
            format!("What does {} mean?", symptom.title),
            meaning.join("\n\n"),
        ));
    }
    if !culprits.is_empty() {
        let list: Vec<String> = culprits.iter().map(|c| c.title.clone()).collect();
        qs.push(q(
            format!("What causes {}?", symptom.title),
            format!("The causes, most common first: {}.", list.join("; ")),
        ));
    }
    let how = if !start_here.is_empty() {
        start_here.join("\n\n")
    } else {
        let list: Vec<String> = fixes.iter().map(|f| f.title.clone()).collect();
        format!("Try these fixes in order: {}.", list.join("; "))
    };
    if !start_here.is_empty() || !fixes.is_empty() {
        qs.push(q(format!("How do I fix {}?", symptom.title), how));
    }
    FaqPage {
        context: "https://schema.org",
        ty: "FAQPage",
        name: g.title.clone(),
        main_entity: qs,
    }
}

fn shell_info(s: Shell) -> (&'static str, &'static str) {
    match s {
        Shell::Cmd => ("Command Prompt", "bat"),
        Shell::Powershell => ("PowerShell", "powershell"),
        Shell::Shell => ("a terminal", "sh"),
    }
}

fn registry_data(d: &RegistryData) -> String {
    match d {
        RegistryData::MultiSz(v) => v.join(", "),
        other => other.data_text(),
    }
}

fn reg_add(path: &str, name: &str, d: &RegistryData) -> String {
    let data = d.data_text();
    let data = match d {
        RegistryData::Dword(_) | RegistryData::Qword(_) => data,
        _ => format!("\"{data}\""),
    };
    format!(
        "reg add \"{path}\" /v \"{name}\" /t {} /d {data} /f",
        d.type_name()
    )
}

fn policy_tree(path: &[String], setting: Option<&str>) -> String {
    let mut out = String::new();
    let nodes = path.iter().map(String::as_str).chain(setting);
    for (depth, node) in nodes.enumerate() {
        if depth == 0 {
            out.push_str(node);
        } else {
            out.push('\n');
            out.push_str(&"   ".repeat(depth - 1));
            out.push_str("└─ ");
            out.push_str(node);
        }
    }
    out
}

fn step_item(s: &Step) -> Option<StepItem> {
    Some(match s {
        Step::Prose { text } => StepItem::Prose {
            text: paragraphs(Some(text)).join(" "),
        },
        Step::Command { shell, code } => {
            let (shell_label, lang) = shell_info(*shell);
            StepItem::Command {
                shell: shell.keyword(),
                shell_label,
                lang,
                code: code.trim_end().to_string(),
            }
        }
        Step::Registry { path, name, data } => StepItem::Registry {
            path: path.clone(),
            name: name.clone(),
            type_name: data.type_name(),
            data: registry_data(data),
            reg_add: reg_add(path, name, data),
        },
        Step::Policy {
            path,
            setting,
            value,
        } => StepItem::Policy {
            tree: policy_tree(path, setting.as_deref()),
            setting: setting.clone(),
            value: value.clone(),
        },
        Step::Ui { path } => StepItem::Ui { path: path.clone() },
        Step::Reboot { what } => StepItem::Reboot { what: what.clone() },
        Step::Link { url, title } => StepItem::Link {
            title: title.clone(),
            url: safe_url(url),
            raw: url.clone(),
        },
        Step::Warning { .. } => return None,
    })
}

/// Groups steps into numbered blocks: a prose step that ends with `:` takes
/// the commands, registry values, policies and UI paths that follow it, and
/// a link joins the step before it.
fn step_blocks(steps: &[Step]) -> Vec<StepBlock> {
    let mut blocks: Vec<StepBlock> = Vec::new();
    let mut number = 0;
    let mut open = false;
    for s in steps {
        if let Step::Warning { text } = s {
            blocks.push(StepBlock {
                number: 0,
                warning: Some(paragraphs(Some(text)).join(" ")),
                items: Vec::new(),
            });
            open = false;
            continue;
        }
        let Some(item) = step_item(s) else { continue };
        // A link belongs to the step before it (a reference for it).
        let joins = matches!(s, Step::Link { .. })
            && blocks.last().is_some_and(|b| b.warning.is_none())
            || open
                && matches!(
                    s,
                    Step::Command { .. }
                        | Step::Registry { .. }
                        | Step::Policy { .. }
                        | Step::Ui { .. }
                );
        if joins {
            if let Some(b) = blocks.last_mut() {
                b.items.push(item);
                continue;
            }
        }
        open = matches!(s, Step::Prose { text } if text.trim_end().ends_with(':'));
        number += 1;
        blocks.push(StepBlock {
            number,
            warning: None,
            items: vec![item],
        });
    }
    blocks
}

/// A step item as plain text (for HowTo data and the search index).
fn item_text(i: &StepItem) -> String {
    match i {
        StepItem::Prose { text } => text.clone(),
        StepItem::Command {
            shell_label, code, ..
        } => format!("In {shell_label}, run: {code}"),
        StepItem::Registry {
            path,
            name,
            type_name,
            data,
            ..
        } => format!("In the registry key {path}, set {name} ({type_name}) to {data}."),
        StepItem::Policy {
            tree: _,
            setting,
            value,
        } => match (setting, value) {
            (Some(s), Some(v)) => format!("In Group Policy, set {s} to {v}."),
            (Some(s), None) => format!("In Group Policy, open {s}."),
            _ => "Open the Group Policy path shown.".to_string(),
        },
        StepItem::Ui { path } => format!("Go to {}.", path.join(" > ")),
        StepItem::Reboot { what } => match what {
            Some(w) => format!("Restart {w}."),
            None => "Restart the computer.".to_string(),
        },
        StepItem::Link { title, raw, .. } => format!("{title}: {raw}"),
    }
}

fn fix_view(ix: &Index, f: &Fix) -> FixView {
    let steps = step_blocks(&f.steps);
    let description = paragraphs(f.description.as_deref());
    let howto = HowTo {
        context: "https://schema.org",
        ty: "HowTo",
        name: f.title.clone(),
        description: description.join("\n\n"),
        step: steps
            .iter()
            .filter(|b| b.warning.is_none())
            .map(|b| HowToStep {
                ty: "HowToStep",
                position: b.number,
                text: b.items.iter().map(item_text).collect::<Vec<_>>().join(" "),
            })
            .collect(),
    };
    FixView {
        number: 0,
        id: f.id.clone(),
        title: f.title.clone(),
        description_line: summary(&description, 160),
        effort: level(f.effort),
        risk: level(f.risk),
        rights: rights(f.rights),
        reboot: f.steps.iter().any(|s| matches!(s, Step::Reboot { .. })),
        description,
        steps,
        resolves: f
            .resolves
            .iter()
            .filter_map(|c| ix.cause_link(c.index()))
            .collect(),
        sources: ix.sources(&f.sources),
        howto,
    }
}

/// The search index of the HTML site: every guide and fix.
pub fn search_index(site: &Site) -> Vec<SearchEntry> {
    let mut out = Vec::new();
    for g in &site.guides {
        let mut x: Vec<&str> = vec![&g.symptom.title];
        x.extend(g.intro.iter().map(String::as_str));
        x.extend(g.meaning.iter().map(String::as_str));
        x.extend(g.culprits.iter().map(|c| c.title.as_str()));
        out.push(SearchEntry {
            t: g.title.clone(),
            u: format!("guides/{}.html", g.id),
            k: "guide",
            c: g.symptom.codes_text.clone(),
            s: g.description.clone(),
            x: x.join(" ").to_lowercase(),
        });
    }
    for f in &site.fixes {
        let mut x: Vec<String> = f.description.clone();
        x.extend(f.resolves.iter().map(|c| c.title.clone()));
        for b in &f.steps {
            x.extend(b.items.iter().map(item_text));
        }
        out.push(SearchEntry {
            t: f.title.clone(),
            u: format!("fixes/{}.html", f.id),
            k: "fix",
            c: String::new(),
            s: f.description_line.clone(),
            x: x.join(" ").to_lowercase(),
        });
    }
    out
}

/// Pages of the HTML site for the sitemap, relative to the base URL.
pub fn page_paths(site: &Site) -> Vec<String> {
    let mut v = BTreeSet::new();
    v.insert("index.html".to_string());
    for g in &site.guides {
        v.insert(format!("guides/{}.html", g.id));
    }
    for f in &site.fixes {
        v.insert(format!("fixes/{}.html", f.id));
    }
    v.into_iter().collect()
}
