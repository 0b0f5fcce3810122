//! Resolve and check: parsed files + `kb.yaml` → the checked
//! [`KnowledgeBase`] and every diagnostic.
//!
//! Names are resolved to indexes, values are typed by their facts, and the
//! whole knowledge base is linted (unused facts, causes nothing fixes,
//! conditions that can never hold, ...). Checking never stops early: it
//! collects every error and warning, and yields a model only when there are
//! no errors.

mod conditions;
mod meta;
mod warnings;

use crate::codes::Code;
use crate::diagnostics::{Diagnostic, Severity, SourceMap, SourceText};
use crate::syntax::ast::{self, ExpectExpr, ItemKind, Literal, Span, Spanned, StepExpr, TypeExpr};
use kbc_runtime::fuzzy;
use kbc_runtime::model::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

pub use meta::KbYaml;

/// One input file: its path relative to the knowledge base root and its bytes.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// `/`-separated path relative to the root, e.g. `causes/credssp.kb`.
    pub path: String,
    /// The raw bytes (checked for UTF-8 here, not by the reader).
    pub bytes: Vec<u8>,
}

/// Everything a check reads: the `.kb` files in a stable order and `kb.yaml`.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// `kb.yaml`'s bytes, or `None` when the file is missing.
    pub kb_yaml: Option<Vec<u8>>,
    /// The `.kb` files, sorted by path.
    pub files: Vec<InputFile>,
}

/// The result of checking: the model when there were no errors, every
/// diagnostic, and the sources they point into.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The checked knowledge base; `None` when any error was reported.
    pub model: Option<KnowledgeBase>,
    /// Errors and warnings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every file, for rendering diagnostics.
    pub sources: SourceMap,
}

impl Checked {
    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// One `.kb` file after parsing. Callers that check again and again (the
/// language server) keep these and re-parse only the file that changed;
/// [`check_parsed`] then re-runs only the cheap resolve and check, borrowing
/// the parses and sharing their indexed text.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The `/`-separated path relative to the root and the text (lossily
    /// decoded when the file is not UTF-8), indexed by line.
    pub source: Arc<SourceText>,
    /// The declarations that parsed.
    pub ast: ast::SourceFile,
    /// Syntax errors (and an invalid UTF-8 error).
    pub diagnostics: Vec<Diagnostic>,
    /// The `matches` patterns of this file that are valid regexes, found
    /// once at parse time so a check does not parse every regex again.
    valid_patterns: HashSet<String>,
}

impl ParsedFile {
    /// Parses a file that will be the `position`-th (from 0) of the files
    /// given to [`check_parsed`]; spans use source-map index `position + 1`
    /// because `kb.yaml` comes first.
    pub fn parse(file: &InputFile, position: usize) -> ParsedFile {
        let index = position as u32 + 1;
        match std::str::from_utf8(&file.bytes) {
            Ok(text) => {
                let (ast, diagnostics) = crate::syntax::parse_file(text, index);
                ParsedFile {
                    source: Arc::new(SourceText::new(file.path.clone(), text)),
                    valid_patterns: conditions::valid_patterns(&ast),
                    ast,
                    diagnostics,
                }
            }
            Err(e) => {
                let at = e.valid_up_to();
                // The text holds U+FFFD where the bad bytes were.
                let span = Span {
                    file: index,
                    start: at as u32,
                    end: (at + '\u{FFFD}'.len_utf8()) as u32,
                };
                let byte = file.bytes.get(at).copied().unwrap_or(0);
                let d = Diagnostic::error(
                    Code::InvalidUtf8,
                    format!("`{}` is not valid UTF-8", file.path),
                    span,
                )
                .label(format!("byte 0x{byte:02X} here is not UTF-8"))
                .help("save the file as UTF-8");
                ParsedFile {
                    source: Arc::new(SourceText::new(
                        file.path.clone(),
                        String::from_utf8_lossy(&file.bytes),
                    )),
                    ast: ast::SourceFile::default(),
                    diagnostics: vec![d],
                    valid_patterns: HashSet::new(),
                }
            }
        }
    }

    /// The `/`-separated path relative to the root.
    pub fn path(&self) -> &str {
        &self.source.path
    }

    /// The text (lossily decoded when the file is not UTF-8).
    pub fn text(&self) -> &str {
        &self.source.text
    }
}

/// Checks a whole knowledge base.
pub fn check(input: &Input) -> Checked {
    let files: Vec<ParsedFile> = input
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| ParsedFile::parse(f, i))
        .collect();
    check_files(input.kb_yaml.as_deref(), files.iter().collect(), None)
}

/// Checks a knowledge base whose files are already parsed, each by
/// [`ParsedFile::parse`] with its position in `files`. Gives exactly what
/// [`check`] gives for the same input.
pub fn check_parsed<'a>(
    kb_yaml: Option<&[u8]>,
    files: impl IntoIterator<Item = &'a ParsedFile>,
) -> Checked {
    check_files(kb_yaml, files.into_iter().collect(), None)
}

/// Like [`check_parsed`], for a caller that checks the same knowledge base
/// again and again (the language server): a file whose parse is the same
/// (the same [`ParsedFile::source`]) as in the last check with this `cache`,
/// in an unchanged environment (the same ids declared in the same order,
/// the same fact types, the same broken declarations), is not checked again;
/// its diagnostics come from the cache. The whole-knowledge-base lints and
/// the checks of declarations (duplicates, ids) always run.
///
/// The diagnostics are exactly [`check`]'s; no model is built
/// ([`Checked::model`] is `None`).
pub fn check_parsed_cached<'a>(
    kb_yaml: Option<&[u8]>,
    files: impl IntoIterator<Item = &'a ParsedFile>,
    cache: &mut CheckCache,
) -> Checked {
    check_files(kb_yaml, files.into_iter().collect(), Some(cache))
}

/// What [`check_parsed_cached`] keeps between checks.
#[derive(Debug, Clone, Default)]
pub struct CheckCache {
    /// Every declaration's keyword and id, in order, and the same as a set.
    ids: Vec<(&'static str, String)>,
    id_set: FxSet<(&'static str, String)>,
    /// Every fact's id and type, in order, and the type of the first fact
    /// of each name (the one a name resolves to).
    facts: Vec<(String, FactType)>,
    fact_types: FxMap<String, FactType>,
    broken: BTreeSet<(String, String)>,
    /// Per file position, what checking its declarations gave.
    files: Vec<Option<FileMemo>>,
}

/// How the environment changed since the cached check.
enum EnvChange {
    /// Not at all: the same ids in the same order, the same facts, the
    /// same broken declarations.
    None,
    /// These `(kind, name)`s were added, removed, or (facts) changed type;
    /// indexes and "did you mean" suggestions may have changed everywhere.
    Names(FxSet<(&'static str, String)>),
}

impl CheckCache {
    /// Compares the environment with the cached one and remembers the new.
    fn env_change(
        &mut self,
        items: &[&ast::Item],
        facts: &[Fact],
        broken: &BTreeSet<(String, String)>,
    ) -> EnvChange {
        let same_ids = self.ids.len() == items.len()
            && self
                .ids
                .iter()
                .zip(items)
                .all(|((k, id), item)| *k == item.kind.keyword() && *id == item.kind.id().node);
        let same_facts = self.facts.len() == facts.len()
            && self
                .facts
                .iter()
                .zip(facts)
                .all(|((id, ty), f)| *id == f.id && *ty == f.ty);
        if same_ids && same_facts && self.broken == *broken {
            return EnvChange::None;
        }
        let ids: Vec<(&'static str, String)> = items
            .iter()
            .map(|i| (i.kind.keyword(), i.kind.id().node.clone()))
            .collect();
        let id_set: FxSet<(&'static str, String)> = ids.iter().cloned().collect();
        let mut fact_types: FxMap<String, FactType> = FxMap::default();
        for f in facts {
            fact_types
                .entry(f.id.clone())
                .or_insert_with(|| f.ty.clone());
        }
        let mut changed: FxSet<(&'static str, String)> =
            id_set.symmetric_difference(&self.id_set).cloned().collect();
        for (name, ty) in &fact_types {
            if self.fact_types.get(name) != Some(ty) {
                changed.insert(("fact", name.clone()));
            }
        }
        for name in self.fact_types.keys() {
            if !fact_types.contains_key(name) {
                changed.insert(("fact", name.clone()));
            }
        }
        self.ids = ids;
        self.id_set = id_set;
        self.facts = facts.iter().map(|f| (f.id.clone(), f.ty.clone())).collect();
        self.fact_types = fact_types;
        self.broken = broken.clone();
        EnvChange::Names(changed)
    }
}

/// What checking one file's declarations (other than facts) gave.
#[derive(Debug, Clone)]
struct FileMemo {
    /// The parse it was computed from.
    source: Arc<SourceText>,
    diags: Vec<Diagnostic>,
    /// Per symptom of the file, whether its `when` can hold.
    satisfiable: Vec<bool>,
    /// Facts named in conditions.
    used_facts: Vec<String>,
    causes: Vec<warnings::CauseLinks>,
    fixes: Vec<warnings::FixLinks>,
    /// The `(kind, name)`s it resolved: its diagnostics hold while those
    /// resolve the same way, unless a lookup failed (then they depend on
    /// every name, through "did you mean").
    deps: FxSet<(&'static str, String)>,
    lookup_failed: bool,
    /// "Did you mean" budget spent, and whether some suggestion was skipped
    /// for want of budget.
    budget_used: usize,
    budget_denied: bool,
}

fn check_files(
    kb_yaml_bytes: Option<&[u8]>,
    files: Vec<&ParsedFile>,
    cache: Option<&mut CheckCache>,
) -> Checked {
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();

    let yaml_text = kb_yaml_bytes.map(|b| String::from_utf8_lossy(b).into_owned());
    let yaml_file = sources.add("kb.yaml", yaml_text.clone().unwrap_or_default());
    let kb_yaml = meta::read(yaml_text.as_deref(), yaml_file, &mut diags);

    let mut items: Vec<&ast::Item> = Vec::new();
    let mut broken: BTreeSet<(String, String)> = BTreeSet::new();
    let mut valid_patterns = vec![None];
    let mut ranges = Vec::with_capacity(files.len());
    for f in &files {
        sources.add_shared(f.source.clone());
        diags.extend(f.diagnostics.iter().cloned());
        let first = items.len();
        items.extend(&f.ast.items);
        ranges.push((f.source.clone(), first..items.len()));
        broken.extend(f.ast.broken.iter().cloned());
        valid_patterns.push(Some(&f.valid_patterns));
    }

    let syntax_errors = diags
        .iter()
        .any(|d| matches!(d.code, Code::Syntax | Code::InvalidUtf8 | Code::TooDeep));
    let mut checker = Checker::new(&sources, &items, &mut diags);
    checker.broken = broken;
    checker.valid_patterns = valid_patterns;
    checker.files = ranges;
    let model = checker.run(kb_yaml.as_ref(), cache);
    let allows = item_allows(&items, &sources, &mut diags);
    let kb_allow: BTreeSet<String> = kb_yaml
        .as_ref()
        .map(|k| k.allow.iter().cloned().collect())
        .unwrap_or_default();
    diags.retain(|d| {
        let Some(name) = d.code.warning_name() else {
            return true;
        };
        // With declarations missing, "unused" and "unreachable" would mislead.
        if syntax_errors {
            return false;
        }
        if kb_allow.contains(name) {
            return false;
        }
        !allows.iter().any(|(span, names)| {
            span.file == d.span.file
                && span.start <= d.span.start
                && d.span.end <= span.end
                && names.contains(name)
        })
    });
    diags.sort_by_key(|d| (d.span.file, d.span.start, d.severity, d.code));
    diags.dedup();
    let has_errors = diags.iter().any(|d| d.severity == Severity::Error);
    Checked {
        model: if has_errors { None } else { model },
        diagnostics: diags,
        sources,
    }
}

/// Each item's span with the warnings it allows; unknown names are reported.
fn item_allows(
    items: &[&ast::Item],
    _sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Span, BTreeSet<String>)> {
    let names = Code::warning_names();
    let mut out = Vec::new();
    for item in items {
        let mut set = BTreeSet::new();
        for a in &item.allow {
            if Code::by_warning_name(&a.node).is_some() {
                set.insert(a.node.clone());
            } else {
                let mut d = Diagnostic::warning(
                    Code::UnknownWarning,
                    format!("unknown warning `{}`", a.node),
                    a.span,
                )
                .label("not a warning name");
                if let Some(s) = fuzzy::closest(&a.node, names.iter().copied()) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        }
        if !set.is_empty() {
            out.push((item.span, set));
        }
    }
    out
}

/// A declared name: its index within its kind and where it was declared.
#[derive(Debug, Clone, Copy)]
struct Decl {
    index: u32,
    span: Span,
}

/// Declared names by kind, borrowed from the declarations: built on every
/// check (the language server's too), so no id is copied.
#[derive(Default)]
struct Symbols<'a> {
    facts: Table<'a>,
    symptoms: Table<'a>,
    causes: Table<'a>,
    fixes: Table<'a>,
    sources: Table<'a>,
    guides: Table<'a>,
    examples: Table<'a>,
}

type Table<'a> = FxMap<&'a str, Decl>;
type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
type FxSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// The Fx hash (rustc's): ids are short and written by the author of the
/// knowledge base, so a fast hash that does not resist flooding is right.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            if let Some(w) = word.get_mut(..chunk.len()) {
                w.copy_from_slice(chunk);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What kind of thing a name must refer to, for lookups and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fact,
    Symptom,
    Cause,
    Fix,
    Source,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Fact => "fact",
            Kind::Symptom => "symptom",
            Kind::Cause => "cause",
            Kind::Fix => "fix",
            Kind::Source => "source",
        }
    }
}

struct Checker<'a> {
    sources: &'a SourceMap,
    items: &'a [&'a ast::Item],
    diags: &'a mut Vec<Diagnostic>,
    symbols: Symbols<'a>,
    facts: Vec<Fact>,
    /// Per symptom, whether its `when` can ever hold.
    satisfiable_symptoms: Vec<bool>,
    /// `(kind, id)` of declarations that failed to parse: references to them
    /// are not reported again.
    broken: BTreeSet<(String, String)>,
    /// Declared names "did you mean" may still compare against; it compares
    /// with every name, so without a budget hostile input is quadratic.
    suggestion_budget: usize,
    /// Facts some condition names, even where the condition has errors.
    pub(crate) used_facts: BTreeSet<u32>,
    /// Per source-map file, the patterns known to be valid regexes.
    valid_patterns: Vec<Option<&'a HashSet<String>>>,
    /// Per `.kb` file, its text and the range of its declarations in `items`.
    files: Vec<(Arc<SourceText>, std::ops::Range<usize>)>,
    /// Whether a lookup went without "did you mean" for want of budget.
    budget_denied: bool,
    /// Whether a lookup failed (since this was last reset).
    lookup_failed: bool,
    /// When a cache is kept: the `(kind, name)` lookups that succeeded.
    deps: Option<FxSet<(&'static str, String)>>,
}

impl<'a> Checker<'a> {
    fn new(
        sources: &'a SourceMap,
        items: &'a [&'a ast::Item],
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Checker {
            sources,
            items,
            diags,
            symbols: Symbols::default(),
            facts: Vec::new(),
            satisfiable_symptoms: Vec::new(),
            broken: BTreeSet::new(),
            suggestion_budget: 4_000_000,
            used_facts: BTreeSet::new(),
            valid_patterns: Vec::new(),
            files: Vec::new(),
            budget_denied: false,
            lookup_failed: false,
            deps: None,
        }
    }

    /// Checks every declaration and lints the whole. With a cache, files
    /// whose parse and whose environment (every declared id in order, every
    /// fact's type, the broken declarations) are unchanged since the cached
    /// check are not checked again: their diagnostics and what the lints
    /// read of them are replayed, and no model is built.
    fn run(
        &mut self,
        kb_yaml: Option<&KbYaml>,
        mut cache: Option<&mut CheckCache>,
    ) -> Option<KnowledgeBase> {
        self.declare();
        self.facts = self
            .items
            .iter()
            .filter_map(|i| match &i.kind {
                ItemKind::Fact(f) => Some(f),
                _ => None,
            })
            .map(|f| self.fact(f))
            .collect::<Vec<_>>();

        let build = cache.is_none();
        let mut cached = Vec::new();
        let mut changed = EnvChange::None;
        if let Some(c) = cache.as_deref_mut() {
            changed = c.env_change(self.items, &self.facts, &self.broken);
            cached = std::mem::take(&mut c.files);
            self.deps = Some(FxSet::default());
        }
        let mut kb = KnowledgeBase {
            meta: kb_yaml.map(|k| k.meta.clone()).unwrap_or_default(),
            ..KnowledgeBase::default()
        };
        let mut memos: Vec<FileMemo> = Vec::with_capacity(self.files.len());
        let files = std::mem::take(&mut self.files);
        for (pos, (source, range)) in files.iter().enumerate() {
            let reusable = cached.get_mut(pos).and_then(Option::take).filter(|m| {
                Arc::ptr_eq(&m.source, source)
                    && match &changed {
                        EnvChange::None => {
                            !m.budget_denied && m.budget_used <= self.suggestion_budget
                        }
                        EnvChange::Names(names) => {
                            !m.lookup_failed && names.iter().all(|n| !m.deps.contains(n))
                        }
                    }
            });
            if let Some(memo) = reusable {
                self.diags.extend(memo.diags.iter().cloned());
                self.satisfiable_symptoms
                    .extend(memo.satisfiable.iter().copied());
                for name in &memo.used_facts {
                    if let Some(d) = self.symbols.facts.get(name.as_str()) {
                        self.used_facts.insert(d.index);
                    }
                }
                self.suggestion_budget -= memo.budget_used;
                memos.push(memo);
                continue;
            }
            let first_diag = self.diags.len();
            let first_symptom = self.satisfiable_symptoms.len();
            let budget = self.suggestion_budget;
            self.budget_denied = false;
            self.lookup_failed = false;
            if let Some(deps) = self.deps.as_mut() {
                deps.clear();
            }
            let used_before = std::mem::take(&mut self.used_facts);
            let mut causes = Vec::new();
            let mut fixes = Vec::new();
            for item in self.items.get(range.clone()).unwrap_or_default() {
                match &item.kind {
                    ItemKind::Fact(_) => {}
                    ItemKind::Symptom(d) => {
                        let s = self.symptom(d);
                        if build {
                            kb.symptoms.push(s);
                        }
                    }
                    ItemKind::Cause(d) => {
                        let c = self.cause(d);
                        causes.push(warnings::CauseLinks {
                            produces: self.resolved(Kind::Symptom, &d.produces),
                            sources: self.resolved(Kind::Source, &d.sources),
                        });
                        if build {
                            kb.causes.push(c);
                        }
                    }
                    ItemKind::Fix(d) => {
                        let f = self.fix(d);
                        fixes.push(warnings::FixLinks {
                            resolves: self.resolved(Kind::Cause, &d.resolves),
                            has_steps: !f.steps.is_empty(),
                            sources: self.resolved(Kind::Source, &d.sources),
                        });
                        if build {
                            kb.fixes.push(f);
                        }
                    }
                    ItemKind::Source(d) => {
                        let s = self.source(d);
                        if build {
                            kb.sources.push(s);
                        }
                    }
                    ItemKind::Guide(d) => {
                        let g = self.guide(d);
                        if build {
                            kb.guides.push(g);
                        }
                    }
                    ItemKind::Example(d) => {
                        let e = self.example(d);
                        if build {
                            kb.examples.push(e);
                        }
                    }
                }
            }
            let used_facts = std::mem::replace(&mut self.used_facts, used_before);
            self.used_facts.extend(used_facts.iter().copied());
            let used_facts = used_facts
                .iter()
                .filter_map(|&f| self.facts.get(f as usize).map(|f| f.id.clone()))
                .collect();
            memos.push(FileMemo {
                source: source.clone(),
                diags: self.diags.get(first_diag..).unwrap_or_default().to_vec(),
                satisfiable: self
                    .satisfiable_symptoms
                    .get(first_symptom..)
                    .unwrap_or_default()
                    .to_vec(),
                used_facts,
                causes,
                fixes,
                deps: self.deps.clone().unwrap_or_default(),
                lookup_failed: self.lookup_failed,
                budget_used: budget - self.suggestion_budget,
                budget_denied: self.budget_denied,
            });
        }
        let of_kind = |pick: fn(&ItemKind) -> bool| -> Vec<&str> {
            self.items
                .iter()
                .filter(|i| pick(&i.kind))
                .map(|i| i.kind.id().node.as_str())
                .collect()
        };
        let symbols = &self.symbols;
        let index = move |kind: &str, name: &str| {
            let table = match kind {
                "symptom" => &symbols.symptoms,
                "cause" => &symbols.causes,
                _ => &symbols.sources,
            };
            table.get(name).map(|d| d.index as usize)
        };
        let links = warnings::Links {
            index: &index,
            facts: &self.facts,
            symptoms: of_kind(|k| matches!(k, ItemKind::Symptom(_))),
            causes: of_kind(|k| matches!(k, ItemKind::Cause(_)))
                .into_iter()
                .zip(memos.iter().flat_map(|m| &m.causes))
                .collect(),
            fixes: of_kind(|k| matches!(k, ItemKind::Fix(_)))
                .into_iter()
                .zip(memos.iter().flat_map(|m| &m.fixes))
                .collect(),
            sources: of_kind(|k| matches!(k, ItemKind::Source(_))),
        };
        let mut lints = Vec::new();
        warnings::lint(
            &links,
            &self.satisfiable_symptoms,
            &self.symbols_spans(),
            &mut lints,
        );
        self.diags.extend(lints);
        if let Some(c) = cache {
            c.files = memos.into_iter().map(Some).collect();
        }
        if !build {
            return None;
        }
        kb.facts = self.facts.clone();
        Some(kb)
    }

    /// Every declaration's id span by kind, in the order of the model's vectors.
    fn symbols_spans(&self) -> warnings::Spans {
        let of = |pick: fn(&ItemKind) -> bool| {
            self.items
                .iter()
                .filter(|i| pick(&i.kind))
                .map(|i| i.kind.id().span)
                .collect()
        };
        warnings::Spans {
            facts: of(|k| matches!(k, ItemKind::Fact(_))),
            symptoms: of(|k| matches!(k, ItemKind::Symptom(_))),
            causes: of(|k| matches!(k, ItemKind::Cause(_))),
            fixes: of(|k| matches!(k, ItemKind::Fix(_))),
            sources: of(|k| matches!(k, ItemKind::Source(_))),
            used_facts: self.used_facts.clone(),
        }
    }

    /// Records every declaration, reporting duplicates and malformed ids.
    fn declare(&mut self) {
        let mut counters = [0u32; 7];
        for item in self.items {
            let id = item.kind.id();
            let (table, slot) = match &item.kind {
                ItemKind::Fact(_) => (&mut self.symbols.facts, 0),
                ItemKind::Symptom(_) => (&mut self.symbols.symptoms, 1),
                ItemKind::Cause(_) => (&mut self.symbols.causes, 2),
                ItemKind::Fix(_) => (&mut self.symbols.fixes, 3),
                ItemKind::Source(_) => (&mut self.symbols.sources, 4),
                ItemKind::Guide(_) => (&mut self.symbols.guides, 5),
                ItemKind::Example(_) => (&mut self.symbols.examples, 6),
            };
            let index = counters[slot];
            counters[slot] += 1;
            if !is_snake_case(&id.node) {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidId,
                        format!("`{}` is not a lowercase snake_case id", id.node),
                        id.span,
                    )
                    .label("ids must match `[a-z_][a-z0-9_]*`")
                    .help(format!("write `{}`", to_snake_case(&id.node))),
                );
            }
            if let Some(first) = table.get(id.node.as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        format!("{} `{}` is declared twice", item.kind.keyword(), id.node),
                        id.span,
                    )
                    .label("declared again here")
                    .with_secondary(first.span, "first declared here")
                    .help("rename one of them: ids are unique within their kind"),
                );
            } else {
                table.insert(
                    id.node.as_str(),
                    Decl {
                        index,
                        span: id.span,
                    },
                );
            }
        }
    }

    fn lookup(&mut self, kind: Kind, name: &ast::Ident) -> Option<u32> {
        let table = match kind {
            Kind::Fact => &self.symbols.facts,
            Kind::Symptom => &self.symbols.symptoms,
            Kind::Cause => &self.symbols.causes,
            Kind::Fix => &self.symbols.fixes,
            Kind::Source => &self.symbols.sources,
        };
        if let Some(d) = table.get(name.node.as_str()) {
            if let Some(deps) = self.deps.as_mut() {
                deps.insert((kind.word(), name.node.clone()));
            }
            return Some(d.index);
        }
        self.lookup_failed = true;
        if self
            .broken
            .contains(&(kind.word().to_string(), name.node.clone()))
        {
            return None;
        }
        let mut d = Diagnostic::error(
            Code::UndefinedReference,
            format!("no {} named `{}`", kind.word(), name.node),
            name.span,
        )
        .label(format!("not a declared {}", kind.word()));
        let suggestion = if table.len() <= self.suggestion_budget {
            self.suggestion_budget -= table.len();
            let mut names: Vec<&str> = table.keys().copied().collect();
            names.sort_unstable();
            fuzzy::closest(&name.node, names.iter().copied())
        } else {
            self.budget_denied = true;
            None
        };
        if let Some(s) = suggestion {
            d = d.help(format!("did you mean `{s}`?"));
        } else if table.is_empty() {
            d = d.help(format!(
                "declare it with `{} {} ...`",
                kind.word(),
                name.node
            ));
        }
        self.diags.push(d);
        None
    }

    /// The names among `names` that are declared, each once: what the lints
    /// need of a resolved list, kept by name so a cached file's links stay
    /// right when declarations elsewhere move.
    fn resolved(&self, kind: Kind, names: &[ast::Ident]) -> Vec<String> {
        let table = match kind {
            Kind::Fact => &self.symbols.facts,
            Kind::Symptom => &self.symbols.symptoms,
            Kind::Cause => &self.symbols.causes,
            Kind::Fix => &self.symbols.fixes,
            Kind::Source => &self.symbols.sources,
        };
        let mut out: Vec<String> = Vec::new();
        for n in names {
            if table.contains_key(n.node.as_str()) && !out.contains(&n.node) {
                out.push(n.node.clone());
            }
        }
        out
    }

    fn lookup_all(&mut self, kind: Kind, names: &[ast::Ident]) -> Vec<u32> {
        let mut out = Vec::new();
        for n in names {
            if let Some(i) = self.lookup(kind, n) {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        out
    }

    /// The single value of a once-only attribute, reporting repeats.
    fn once<T: Clone>(&mut self, what: &str, values: &[Spanned<T>]) -> Option<T> {
        if let [first, rest @ ..] = values {
            for r in rest {
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateAttribute,
                        format!("`{what}` is given twice"),
                        r.span,
                    )
                    .label("given again here")
                    .with_secondary(first.span, "first given here")
                    .help("keep one"),
                );
            }
            Some(first.node.clone())
        } else {
            None
        }
    }

    fn require<T>(
        &mut self,
        value: Option<T>,
        what: &str,
        decl: &str,
        span: Span,
        hint: &str,
    ) -> Option<T> {
        if value.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingAttribute,
                    format!("{decl} has no `{what}`"),
                    span,
                )
                .label(format!("`{what}` is required here"))
                .help(hint.to_string()),
            );
        }
        value
    }

    fn loc(&self, span: Span) -> Location {
        self.sources.location(span)
    }

    fn fact(&mut self, d: &ast::FactDecl) -> Fact {
        let ty = match &d.ty.node {
            TypeExpr::Bool => FactType::Bool,
            TypeExpr::Int => FactType::Int,
            TypeExpr::Str => FactType::Str,
            TypeExpr::Text => FactType::Text,
            TypeExpr::Enum(values) => {
                let mut seen: HashMap<&str, Span> = HashMap::new();
                let mut out = Vec::new();
                for (id, label) in values {
                    if !is_snake_case(&id.node) {
                        self.diags.push(
                            Diagnostic::error(
                                Code::InvalidId,
                                format!("`{}` is not a lowercase snake_case value", id.node),
                                id.span,
                            )
                            .label("values must match `[a-z_][a-z0-9_]*`")
                            .help(format!("write `{}`", to_snake_case(&id.node))),
                        );
                    }
                    if let Some(first) = seen.get(id.node.as_str()) {
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateEnumValue,
                                format!("value `{}` is declared twice", id.node),
                                id.span,
                            )
                            .label("declared again here")
                            .with_secondary(*first, "first declared here"),
                        );
                        continue;
                    }
                    seen.insert(&id.node, id.span);
                    out.push(EnumValue {
                        id: id.node.clone(),
                        label: label.as_ref().map(|l| l.node.clone()),
                    });
                }
                FactType::Enum(out)
            }
        };
        let question = self.once("ask", &d.ask);
        let label = self.once("label", &d.label);
        Fact {
            id: d.id.node.clone(),
            ty,
            question,
            label,
            loc: self.loc(d.id.span),
        }
    }

    fn symptom(&mut self, d: &ast::SymptomDecl) -> Symptom {
        let when = self.once(
            "when",
            &d.when
                .iter()
                .map(|w| Spanned {
                    node: w.clone(),
                    span: w.span,
                })
                .collect::<Vec<_>>(),
        );
        let condition = match when {
            Some(w) => {
                let (c, satisfiable) = conditions::lower(self, &w);
                self.satisfiable_symptoms.push(satisfiable);
                c
            }
            None => {
                self.satisfiable_symptoms.push(true);
                Condition::True
            }
        };
        Symptom {
            id: d.id.node.clone(),
            title: d.title.node.clone(),
            condition,
            description: self.once("description", &d.description),
            loc: self.loc(d.id.span),
        }
    }

    fn cause(&mut self, d: &ast::CauseDecl) -> Cause {
        let produces = self
            .lookup_all(Kind::Symptom, &d.produces)
            .into_iter()
            .map(SymptomIdx)
            .collect::<Vec<_>>();
        if d.produces.is_empty() {
            self.require::<()>(
                None,
                "produces",
                &format!("cause `{}`", d.id.node),
                d.id.span,
                "add `produces <symptom>`: which symptom does this cause produce?",
            );
        }
        let prior = self.once("prior", &d.prior);
        let prior = self
            .require(
                prior,
                "prior",
                &format!("cause `{}`", d.id.node),
                d.id.span,
                "add `prior common` (or `very_common`, `uncommon`, `rare`)",
            )
            .unwrap_or(Prior::Common);
        let evidence = d
            .evidence
            .iter()
            .map(|e| Evidence {
                strength: e.strength.node,
                condition: conditions::lower(self, &e.condition).0,
                because: e.because.as_ref().map(|b| b.node.clone()),
                loc: self.loc(e.span),
            })
            .collect();
        if d.sources.is_empty() {
            self.unsourced("cause", &d.id);
        }
        Cause {
            id: d.id.node.clone(),
            title: d.title.node.clone(),
            produces,
            prior,
            description: self.once("description", &d.description),
            evidence,
            sources: self
                .lookup_all(Kind::Source, &d.sources)
                .into_iter()
                .map(SourceIdx)
                .collect(),
            loc: self.loc(d.id.span),
        }
    }

    fn fix(&mut self, d: &ast::FixDecl) -> Fix {
        let what = format!("fix `{}`", d.id.node);
        if d.resolves.is_empty() {
            self.require::<()>(
                None,
                "resolves",
                &what,
                d.id.span,
                "add `resolves <cause>`: which cause does this fix resolve?",
            );
        }
        let resolves = self
            .lookup_all(Kind::Cause, &d.resolves)
            .into_iter()
            .map(CauseIdx)
            .collect();
        let effort = self.once("effort", &d.effort);
        let effort = self
            .require(
                effort,
                "effort",
                &what,
                d.id.span,
                "add `effort low` (or `medium`, `high`)",
            )
            .unwrap_or(Level::Medium);
        let risk = self.once("risk", &d.risk);
        let risk = self
            .require(
                risk,
                "risk",
                &what,
                d.id.span,
                "add `risk low` (or `medium`, `high`)",
            )
            .unwrap_or(Level::Medium);
        let needs = self.once("needs", &d.needs);
        let rights = self
            .require(
                needs,
                "needs",
                &what,
                d.id.span,
                "add `needs user` (or `admin`, `domain_admin`)",
            )
            .unwrap_or(Rights::Admin);
        let steps = d.steps.iter().filter_map(|s| self.step(s)).collect();
        if d.sources.is_empty() {
            self.unsourced("fix", &d.id);
        }
        Fix {
            id: d.id.node.clone(),
            title: d.title.node.clone(),
            resolves,
            effort,
            risk,
            rights,
            description: self.once("description", &d.description),
            steps,
            sources: self
                .lookup_all(Kind::Source, &d.sources)
                .into_iter()
                .map(SourceIdx)
                .collect(),
            loc: self.loc(d.id.span),
        }
    }

    fn step(&mut self, s: &Spanned<StepExpr>) -> Option<Step> {
        let split_path = |p: &str| {
            p.split('>')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
        };
        Some(match &s.node {
            StepExpr::Prose(t) => Step::Prose { text: t.clone() },
            StepExpr::Command(shell, code) => Step::Command {
                shell: *shell,
                code: code.clone(),
            },
            StepExpr::Registry { path, name, data } => {
                let data = match data {
                    ast::RegistryExpr::Dword(v) => {
                        RegistryData::Dword(self.range_u(v, u32::MAX as i128, "dword")? as u32)
                    }
                    ast::RegistryExpr::Qword(v) => {
                        RegistryData::Qword(self.range_u(v, u64::MAX as i128, "qword")? as u64)
                    }
                    ast::RegistryExpr::Sz(v) => RegistryData::Sz(v.clone()),
                    ast::RegistryExpr::ExpandSz(v) => RegistryData::ExpandSz(v.clone()),
                    ast::RegistryExpr::MultiSz(v) => RegistryData::MultiSz(v.clone()),
                };
                Step::Registry {
                    path: path.clone(),
                    name: name.clone(),
                    data,
                }
            }
            StepExpr::Policy {
                path,
                setting,
                value,
            } => Step::Policy {
                path: split_path(path),
                setting: setting.clone(),
                value: value.clone(),
            },
            StepExpr::Ui(p) => Step::Ui {
                path: split_path(p),
            },
            StepExpr::Reboot(w) => Step::Reboot { what: w.clone() },
            StepExpr::Warning(t) => Step::Warning { text: t.clone() },
            StepExpr::Link(url, title) => Step::Link {
                url: url.clone(),
                title: title.clone().unwrap_or_else(|| url.clone()),
            },
        })
    }

    fn range_u(&mut self, v: &Spanned<i128>, max: i128, what: &str) -> Option<i128> {
        if v.node < 0 || v.node > max {
            self.diags.push(
                Diagnostic::error(
                    Code::NumberOutOfRange,
                    format!("`{what}` data must be between 0 and {max}"),
                    v.span,
                )
                .label(format!("{} is out of range", v.node)),
            );
            return None;
        }
        Some(v.node)
    }

    fn source(&mut self, d: &ast::SourceDecl) -> Source {
        Source {
            id: d.id.node.clone(),
            title: d.title.node.clone(),
            url: self.once("url", &d.url),
            publisher: self.once("publisher", &d.publisher),
            note: self.once("note", &d.note),
            loc: self.loc(d.id.span),
        }
    }

    fn guide(&mut self, d: &ast::GuideDecl) -> Guide {
        let symptom = self
            .lookup(Kind::Symptom, &d.symptom)
            .map(SymptomIdx)
            .unwrap_or(SymptomIdx(0));
        let mut sections = Vec::new();
        for s in &d.sections {
            match ast::section_by_name(&s.node) {
                Some(sec) if !sections.contains(&sec) => sections.push(sec),
                Some(_) => self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateAttribute,
                        format!("section `{}` is listed twice", s.node),
                        s.span,
                    )
                    .label("listed again here"),
                ),
                None => {
                    let names: Vec<&str> = Section::ALL.iter().map(|s| s.keyword()).collect();
                    let mut diag = Diagnostic::error(
                        Code::UndefinedReference,
                        format!("no section named `{}`", s.node),
                        s.span,
                    )
                    .label("not a section")
                    .note(format!("sections are {}", names.join(", ")));
                    if let Some(c) = fuzzy::closest(&s.node, names.iter().copied()) {
                        diag = diag.help(format!("did you mean `{c}`?"));
                    }
                    self.diags.push(diag);
                }
            }
        }
        if d.sections.is_empty() {
            sections = Section::ALL.to_vec();
        }
        Guide {
            id: d.id.node.clone(),
            title: d.title.node.clone(),
            symptom,
            intro: self.once("intro", &d.intro),
            meaning: self.once("meaning", &d.meaning),
            start_here: self.once("start_here", &d.start_here),
            summary: self.once("summary", &d.summary),
            sections,
            related: self
                .lookup_all(Kind::Symptom, &d.related)
                .into_iter()
                .map(SymptomIdx)
                .collect(),
            loc: self.loc(d.id.span),
        }
    }

    fn example(&mut self, d: &ast::ExampleDecl) -> Example {
        let mut given: Vec<(FactIdx, Value)> = Vec::new();
        let mut given_spans: HashMap<u32, Span> = HashMap::new();
        for (name, lit) in &d.given {
            let Some(f) = self.lookup(Kind::Fact, name) else {
                continue;
            };
            if let Some(first) = given_spans.get(&f) {
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateFact,
                        format!("fact `{}` is given twice", name.node),
                        name.span,
                    )
                    .label("given again here")
                    .with_secondary(*first, "first given here")
                    .help("an observation has one value per fact; keep one"),
                );
                continue;
            }
            given_spans.insert(f, name.span);
            if let Some(v) = conditions::value(self, f, lit, true) {
                given.push((FactIdx(f), v));
            }
        }
        let mut expect = Vec::new();
        let mut top: Option<&ast::Ident> = None;
        let mut ranked: HashMap<String, Span> = HashMap::new();
        let mut absent: HashMap<String, Span> = HashMap::new();
        for e in &d.expect {
            let x = match &e.node {
                ExpectExpr::Top(c) => {
                    if let Some(t) = top {
                        if t.node != c.node {
                            self.contradiction(
                                e.span,
                                t.span,
                                "two different causes cannot both be first",
                            );
                        }
                    }
                    top = Some(c);
                    ranked.insert(c.node.clone(), c.span);
                    self.lookup(Kind::Cause, c)
                        .map(|i| Expectation::Top(CauseIdx(i)))
                }
                ExpectExpr::Order(cs) => {
                    for c in cs {
                        ranked.insert(c.node.clone(), c.span);
                    }
                    let ids = self.lookup_all(Kind::Cause, cs);
                    (ids.len() == cs.len())
                        .then(|| Expectation::Order(ids.into_iter().map(CauseIdx).collect()))
                }
                ExpectExpr::Ranked(c) => {
                    ranked.insert(c.node.clone(), c.span);
                    self.lookup(Kind::Cause, c)
                        .map(|i| Expectation::Ranked(CauseIdx(i)))
                }
                ExpectExpr::NotRanked(c) => {
                    absent.insert(c.node.clone(), c.span);
                    self.lookup(Kind::Cause, c)
                        .map(|i| Expectation::NotRanked(CauseIdx(i)))
                }
                ExpectExpr::RuledOut(c) => {
                    absent.insert(c.node.clone(), c.span);
                    self.lookup(Kind::Cause, c)
                        .map(|i| Expectation::RuledOut(CauseIdx(i)))
                }
                ExpectExpr::FirstFix(f) => self
                    .lookup(Kind::Fix, f)
                    .map(|i| Expectation::FirstFix(FixIdx(i))),
                ExpectExpr::Question(None) => Some(Expectation::Question(None)),
                ExpectExpr::Question(Some(f)) => self
                    .lookup(Kind::Fact, f)
                    .map(|i| Expectation::Question(Some(FactIdx(i)))),
            };
            expect.extend(x);
        }
        for (name, span) in &absent {
            if let Some(other) = ranked.get(name) {
                self.contradiction(
                    *span,
                    *other,
                    &format!("`{name}` cannot be both ranked and absent from the ranking"),
                );
            }
        }
        if d.expect.is_empty() {
            self.require::<()>(
                None,
                "expect",
                &format!("example `{}`", d.id.node),
                d.id.span,
                "add `expect top <cause>` (or another expectation)",
            );
        }
        Example {
            id: d.id.node.clone(),
            title: d.title.node.clone(),
            given,
            expect,
            loc: self.loc(d.id.span),
        }
    }

    fn unsourced(&mut self, what: &str, id: &ast::Ident) {
        self.diags.push(
            Diagnostic::warning(
                Code::Unsourced,
                format!("{what} `{}` cites no source", id.node),
                id.span,
            )
            .label("no `sources`")
            .help("add `sources <id>` naming the reference material behind it"),
        );
    }

    fn contradiction(&mut self, span: Span, other: Span, why: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::ContradictoryExpectation,
                "these expectations contradict each other",
                span,
            )
            .label(why.to_string())
            .with_secondary(other, "conflicts with this"),
        );
    }

    pub(crate) fn fact_decl(&self, index: u32) -> Option<&Fact> {
        self.facts.get(index as usize)
    }
}

fn is_snake_case(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'_'))
        && bytes.all(|c| matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

fn to_snake_case(id: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in id.chars() {
        let lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
        prev_lower = lower;
    }
    out
}

/// `a` or `an` before a type name in backticks.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Describes a literal for messages: `"0x904"`, `windows12`, `3`.
fn show_literal(l: &Literal) -> String {
    match l {
        Literal::Int(i) => i.to_string(),
        Literal::Bool(b) => b.to_string(),
        Literal::Str(s) => format!("{s:?}"),
        Literal::Ident(s) => s.clone(),
    }
}
