//! Each LSP feature as a function of the knowledge base and a position.

use crate::index::{IdKind, Occurrence};
use crate::state::{FileEntry, Kb, LineIndex};
use kbc_compiler::syntax::ast::{ExpectExpr, ItemKind, Span, StepExpr, TypeExpr};
use kbc_compiler::{Diagnostic, Severity};
use lsp_types::{
    CompletionItem, CompletionItemKind, DiagnosticRelatedInformation, DocumentSymbol, Hover,
    HoverContents, Location, MarkupContent, MarkupKind, NumberOrString, Position, Range,
    SymbolKind, TextDocumentPositionParams, TextEdit, Url, WorkspaceEdit,
};
use std::collections::HashMap;

fn uri_of(kb: &Kb, rel: &str) -> Option<Url> {
    Url::from_file_path(kb.root.join(rel)).ok()
}

fn range_in(f: &FileEntry, span: Span) -> Range {
    Range::new(
        f.lines.position(f.text(), span.start as usize),
        f.lines.position(f.text(), span.end as usize),
    )
}

fn location(kb: &Kb, f: &FileEntry, span: Span) -> Option<Location> {
    Some(Location::new(uri_of(kb, f.path())?, range_in(f, span)))
}

/// The file a URI names.
fn file<'k>(kb: &'k Kb, uri: &Url) -> Option<&'k FileEntry> {
    let path = uri.to_file_path().ok()?;
    let rel = path.strip_prefix(&kb.root).ok()?;
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    kb.files.get(kb.find(&rel)?)
}

/// The id under the cursor.
fn occurrence_at<'k>(
    kb: &'k Kb,
    at: &TextDocumentPositionParams,
) -> Option<(&'k FileEntry, &'k Occurrence)> {
    let f = file(kb, &at.text_document.uri)?;
    let offset = f.lines.offset(f.text(), at.position) as u32;
    f.occurrences
        .iter()
        .find(|o| o.span.start <= offset && offset <= o.span.end)
        .map(|o| (f, o))
}

// ---- diagnostics ----

/// The diagnostics of every file, as `kbc check` reports them.
pub fn diagnostics(kb: &mut Kb) -> HashMap<Url, Vec<lsp_types::Diagnostic>> {
    let checked = kb.check();
    let kb = &*kb;
    let yaml_text = kb
        .kb_yaml
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let yaml_lines = LineIndex::new(&yaml_text);
    let place = |span: Span| -> Option<(Url, Range)> {
        match kb.file_of(span.file) {
            Some(f) => Some((uri_of(kb, f.path())?, range_in(f, span))),
            None => Some((
                uri_of(kb, "kb.yaml")?,
                Range::new(
                    yaml_lines.position(&yaml_text, span.start as usize),
                    yaml_lines.position(&yaml_text, span.end as usize),
                ),
            )),
        }
    };
    let mut out: HashMap<Url, Vec<lsp_types::Diagnostic>> = HashMap::new();
    for f in &kb.files {
        if let Some(u) = uri_of(kb, f.path()) {
            out.insert(u, Vec::new());
        }
    }
    for d in &checked.diagnostics {
        let Some((uri, range)) = place(d.span) else {
            continue;
        };
        out.entry(uri).or_default().push(to_lsp(d, range, &place));
    }
    out.retain(|_, v| !v.is_empty());
    out
}

fn to_lsp(
    d: &Diagnostic,
    range: Range,
    place: &dyn Fn(Span) -> Option<(Url, Range)>,
) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(l) = d.label.as_deref().filter(|l| !l.is_empty()) {
        message.push_str(&format!("\n{l}"));
    }
    if let Some(n) = &d.note {
        message.push_str(&format!("\nnote: {n}"));
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let (uri, range) = place(l.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: l.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp_types::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp_types::DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.id().to_string())),
        source: Some("kbc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

// ---- navigation ----

/// Where the id under the cursor is declared.
pub fn definition(kb: &Kb, at: &TextDocumentPositionParams) -> Option<Location> {
    let (_, o) = occurrence_at(kb, at)?;
    kb.all_occurrences()
        .find(|(_, d)| d.decl && d.kind == o.kind && d.name == o.name)
        .and_then(|(f, d)| location(kb, f, d.span))
}

/// Every place the id under the cursor is written.
pub fn references(kb: &Kb, at: &TextDocumentPositionParams, with_decl: bool) -> Vec<Location> {
    let Some((_, o)) = occurrence_at(kb, at) else {
        return Vec::new();
    };
    kb.all_occurrences()
        .filter(|(_, r)| r.kind == o.kind && r.name == o.name && (with_decl || !r.decl))
        .filter_map(|(f, r)| location(kb, f, r.span))
        .collect()
}

/// The range of the id under the cursor, if it can be renamed.
pub fn prepare_rename(kb: &Kb, at: &TextDocumentPositionParams) -> Option<Range> {
    let (f, o) = occurrence_at(kb, at)?;
    Some(range_in(f, o.span))
}

const RESERVED: [&str; 5] = ["and", "or", "not", "true", "false"];

/// Renames the id under the cursor everywhere, or says why not.
pub fn rename(
    kb: &Kb,
    at: &TextDocumentPositionParams,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let Some((_, o)) = occurrence_at(kb, at) else {
        return Err("there is no id here to rename".into());
    };
    let valid = new_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && new_name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(format!(
            "`{new_name}` is not a lowercase snake_case id (`[a-z_][a-z0-9_]*`)"
        ));
    }
    if RESERVED.contains(&new_name) {
        return Err(format!("`{new_name}` is a reserved word"));
    }
    if new_name == o.name {
        return Ok(WorkspaceEdit::default());
    }
    if kb
        .all_occurrences()
        .any(|(_, d)| d.decl && d.kind == o.kind && d.name == new_name)
    {
        return Err(format!(
            "a {} named `{new_name}` already exists",
            o.kind.word()
        ));
    }
    if kb.has_syntax_errors() {
        return Err(
            "the knowledge base has syntax errors; fix them first so no use of the id is missed"
                .into(),
        );
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for (f, r) in kb.all_occurrences() {
        if r.kind == o.kind && r.name == o.name {
            if let Some(uri) = uri_of(kb, f.path()) {
                changes
                    .entry(uri)
                    .or_default()
                    .push(TextEdit::new(range_in(f, r.span), new_name.to_string()));
            }
        }
    }
    Ok(WorkspaceEdit::new(changes))
}

// ---- hover ----

fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Bool => "bool".into(),
        TypeExpr::Int => "int".into(),
        TypeExpr::Str => "string".into(),
        TypeExpr::Text => "text".into(),
        TypeExpr::Enum(values) => format!(
            "enum({})",
            values
                .iter()
                .map(|(v, _)| v.node.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Examples (id, title) whose expectations name `cause` or `fix`.
fn examples_naming(kb: &Kb, kind: IdKind, name: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in &kb.files {
        for item in &f.parsed.ast.items {
            let ItemKind::Example(e) = &item.kind else {
                continue;
            };
            let names = e.expect.iter().any(|x| match (&x.node, kind) {
                (
                    ExpectExpr::Top(i)
                    | ExpectExpr::Ranked(i)
                    | ExpectExpr::NotRanked(i)
                    | ExpectExpr::RuledOut(i),
                    IdKind::Cause,
                ) => i.node == name,
                (ExpectExpr::Order(v), IdKind::Cause) => v.iter().any(|i| i.node == name),
                (ExpectExpr::FirstFix(i), IdKind::Fix) => i.node == name,
                _ => false,
            });
            if names {
                out.push((e.id.node.clone(), e.title.node.clone()));
            }
        }
    }
    out
}

/// What the id under the cursor is.
pub fn hover(kb: &Kb, at: &TextDocumentPositionParams) -> Option<Hover> {
    let (f, o) = occurrence_at(kb, at)?;
    let item = kb
        .files
        .iter()
        .flat_map(|f| &f.parsed.ast.items)
        .find(|i| IdKind::of(&i.kind) == o.kind && i.kind.id().node == o.name)?;
    let first_line = |s: &str| s.lines().next().unwrap_or("").to_string();
    let mut md = String::new();
    let examples = |md: &mut String, kind| {
        let ex = examples_naming(kb, kind, &o.name);
        if ex.is_empty() {
            md.push_str("\n\nNo example names it.");
        } else {
            md.push_str("\n\nExamples that name it:");
            for (id, title) in ex {
                md.push_str(&format!("\n- `{id}`: {title}"));
            }
        }
    };
    match &item.kind {
        ItemKind::Fact(d) => {
            md.push_str(&format!(
                "**fact** `{}`: `{}`",
                d.id.node,
                type_text(&d.ty.node)
            ));
            if let TypeExpr::Enum(values) = &d.ty.node {
                md.push_str("\n\nValues:");
                for (v, label) in values {
                    match label {
                        Some(l) => md.push_str(&format!("\n- `{}`: {}", v.node, l.node)),
                        None => md.push_str(&format!("\n- `{}`", v.node)),
                    }
                }
            }
            if let Some(q) = d.ask.first() {
                md.push_str(&format!("\n\nAsks: {}", q.node));
            }
            if let Some(l) = d.label.first() {
                md.push_str(&format!("\n\nLabel: {}", l.node));
            }
        }
        ItemKind::Symptom(d) => {
            md.push_str(&format!("**symptom** `{}`: {}", d.id.node, d.title.node));
            if let Some(t) = d.description.first() {
                md.push_str(&format!("\n\n{}", first_line(&t.node)));
            }
        }
        ItemKind::Cause(d) => {
            md.push_str(&format!("**cause** `{}`: {}", d.id.node, d.title.node));
            if let Some(p) = d.prior.first() {
                md.push_str(&format!(
                    "\n\nPrior: `{}` ({} dB of log-odds before any evidence)",
                    p.node.keyword(),
                    p.node.decibans()
                ));
            }
            md.push_str(&format!("\n\nEvidence lines: {}", d.evidence.len()));
            examples(&mut md, IdKind::Cause);
        }
        ItemKind::Fix(d) => {
            md.push_str(&format!("**fix** `{}`: {}", d.id.node, d.title.node));
            let mut facts = Vec::new();
            if let Some(e) = d.effort.first() {
                facts.push(format!("effort `{}`", e.node.keyword()));
            }
            if let Some(r) = d.risk.first() {
                facts.push(format!("risk `{}`", r.node.keyword()));
            }
            if let Some(n) = d.needs.first() {
                facts.push(format!("needs `{}`", n.node.keyword()));
            }
            if !facts.is_empty() {
                md.push_str(&format!("\n\n{}", facts.join(", ")));
            }
            md.push_str(&format!(
                "\n\nResolves: {}",
                d.resolves
                    .iter()
                    .map(|i| format!("`{}`", i.node))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let steps = d
                .steps
                .iter()
                .filter(|s| !matches!(s.node, StepExpr::Warning(_)))
                .count();
            md.push_str(&format!("\n\nSteps: {steps}"));
            examples(&mut md, IdKind::Fix);
        }
        ItemKind::Source(d) => {
            md.push_str(&format!("**source** `{}`: {}", d.id.node, d.title.node));
            if let Some(u) = d.url.first() {
                md.push_str(&format!("\n\n<{}>", u.node));
            }
        }
        ItemKind::Guide(d) => {
            md.push_str(&format!("**guide** `{}`: {}", d.id.node, d.title.node));
        }
        ItemKind::Example(d) => {
            md.push_str(&format!("**example** `{}`: {}", d.id.node, d.title.node));
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: Some(range_in(f, o.span)),
    })
}

// ---- symbols ----

/// The declarations of one file.
pub fn symbols(kb: &Kb, uri: &Url) -> Vec<DocumentSymbol> {
    let Some(f) = file(kb, uri) else {
        return Vec::new();
    };
    f.parsed
        .ast
        .items
        .iter()
        .map(|item| {
            let (kind, detail) = match &item.kind {
                ItemKind::Fact(d) => (SymbolKind::FIELD, type_text(&d.ty.node)),
                ItemKind::Symptom(d) => (SymbolKind::EVENT, d.title.node.clone()),
                ItemKind::Cause(d) => (SymbolKind::CLASS, d.title.node.clone()),
                ItemKind::Fix(d) => (SymbolKind::FUNCTION, d.title.node.clone()),
                ItemKind::Source(d) => (SymbolKind::FILE, d.title.node.clone()),
                ItemKind::Guide(d) => (SymbolKind::MODULE, d.title.node.clone()),
                ItemKind::Example(d) => (SymbolKind::METHOD, d.title.node.clone()),
            };
            #[allow(deprecated)]
            DocumentSymbol {
                name: item.kind.id().node.clone(),
                detail: Some(detail),
                kind,
                tags: None,
                deprecated: None,
                range: range_in(f, item.span),
                selection_range: range_in(f, item.kind.id().span),
                children: None,
            }
        })
        .collect()
}

// ---- formatting ----

/// The edits that format a file, or why it cannot be formatted.
pub fn format(kb: &Kb, uri: &Url) -> Result<Vec<TextEdit>, String> {
    let Some(f) = file(kb, uri) else {
        return Ok(Vec::new());
    };
    match kbc_compiler::format::format_source(f.text(), 0) {
        Ok(out) if out == f.text() => Ok(Vec::new()),
        Ok(out) => {
            let end = f.lines.position(f.text(), f.text().len());
            Ok(vec![TextEdit::new(
                Range::new(Position::new(0, 0), end),
                out,
            )])
        }
        Err(kbc_compiler::format::FormatError::Syntax(_)) => {
            Err("the file has syntax errors; fix them to format it".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

// ---- completion ----

const DECLS: [&str; 7] = [
    "fact", "symptom", "cause", "fix", "source", "guide", "example",
];

fn block_keywords(decl: &str) -> &'static [&'static str] {
    match decl {
        "fact" => &["ask", "label"],
        "symptom" => &["when", "description"],
        "cause" => &["produces", "prior", "description", "evidence", "sources"],
        "evidence" => &[
            "strong",
            "moderate",
            "weak",
            "against",
            "rules_out",
            "because",
        ],
        "fix" => &[
            "resolves",
            "effort",
            "risk",
            "needs",
            "description",
            "sources",
            "step",
            "run",
            "registry",
            "policy",
            "ui",
            "reboot",
            "warning",
            "link",
        ],
        "source" => &["url", "publisher", "note"],
        "guide" => &[
            "intro",
            "meaning",
            "start_here",
            "summary",
            "sections",
            "related",
        ],
        "example" => &["given", "expect"],
        _ => &[],
    }
}

/// The declaration keyword of the block the cursor is in (`evidence` inside
/// an evidence block), or `None` at the top level.
fn enclosing_block(before: &str) -> Option<&'static str> {
    let mut depth = 0i32;
    let mut evidence_depth = None;
    let mut last_decl: Option<&'static str> = None;
    let mut in_block_text = false;
    let mut in_comment = false;
    let mut in_string = false;
    let bytes = before.as_bytes();
    let mut i = 0;
    let mut word_start = None;
    while i < bytes.len() {
        let b = bytes[i];
        if in_comment {
            in_comment = b != b'\n';
        } else if in_block_text {
            if before[i..].starts_with("\"\"\"") {
                in_block_text = false;
                i += 2;
            }
        } else if in_string {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' || b == b'\n' {
                in_string = false;
            }
        } else if b.is_ascii_alphanumeric() || b == b'_' {
            word_start.get_or_insert(i);
        } else {
            if let Some(s) = word_start.take() {
                let w = &before[s..i];
                if depth == 0 {
                    if let Some(d) = DECLS.iter().find(|d| **d == w) {
                        last_decl = Some(d);
                    }
                } else if w == "evidence" {
                    evidence_depth = Some(depth + 1);
                }
            }
            match b {
                b'#' => in_comment = true,
                b'"' if before[i..].starts_with("\"\"\"") => {
                    in_block_text = true;
                    i += 2;
                }
                b'"' => in_string = true,
                b'{' => depth += 1,
                b'}' => {
                    if evidence_depth == Some(depth) {
                        evidence_depth = None;
                    }
                    depth -= 1;
                    if depth <= 0 {
                        depth = 0;
                        evidence_depth = None;
                        last_decl = None;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    if evidence_depth.is_some_and(|d| d == depth) {
        return Some("evidence");
    }
    if depth > 0 || last_decl == Some("fact") {
        last_decl
    } else {
        None
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

fn ids_of(kb: &Kb, kind: IdKind) -> Vec<CompletionItem> {
    let mut seen = std::collections::BTreeMap::new();
    for f in &kb.files {
        for it in &f.parsed.ast.items {
            if IdKind::of(&it.kind) == kind {
                let detail = match &it.kind {
                    ItemKind::Fact(d) => type_text(&d.ty.node),
                    ItemKind::Symptom(d) => d.title.node.clone(),
                    ItemKind::Cause(d) => d.title.node.clone(),
                    ItemKind::Fix(d) => d.title.node.clone(),
                    ItemKind::Source(d) => d.title.node.clone(),
                    ItemKind::Guide(d) => d.title.node.clone(),
                    ItemKind::Example(d) => d.title.node.clone(),
                };
                seen.entry(it.kind.id().node.clone()).or_insert(detail);
            }
        }
    }
    let k = match kind {
        IdKind::Fact => CompletionItemKind::FIELD,
        IdKind::Fix => CompletionItemKind::FUNCTION,
        _ => CompletionItemKind::REFERENCE,
    };
    seen.into_iter()
        .map(|(name, detail)| item(&name, k, Some(detail)))
        .collect()
}

fn keywords(words: &[&str]) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|w| item(w, CompletionItemKind::KEYWORD, None))
        .collect()
}

fn enum_values(kb: &Kb, fact: &str) -> Option<Vec<CompletionItem>> {
    kb.files
        .iter()
        .flat_map(|f| &f.parsed.ast.items)
        .find_map(|i| match &i.kind {
            ItemKind::Fact(d) if d.id.node == fact => Some(&d.ty.node),
            _ => None,
        })
        .map(|ty| match ty {
            TypeExpr::Enum(values) => values
                .iter()
                .map(|(v, l)| {
                    item(
                        &v.node,
                        CompletionItemKind::ENUM_MEMBER,
                        l.as_ref().map(|l| l.node.clone()),
                    )
                })
                .collect(),
            TypeExpr::Bool => keywords(&["true", "false"]),
            _ => Vec::new(),
        })
}

/// Words before the cursor on its statement, last first.
fn words_before(before: &str) -> Vec<&str> {
    let line = before.rsplit('\n').next().unwrap_or("");
    line.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .rev()
        .collect()
}

/// Completions at the cursor: keywords, ids, fact names and enumeration
/// values, chosen by what comes before it.
pub fn completion(kb: &Kb, at: &TextDocumentPositionParams) -> Vec<CompletionItem> {
    let Some(f) = file(kb, &at.text_document.uri) else {
        return Vec::new();
    };
    let offset = f.lines.offset(f.text(), at.position);
    let before = f.text().get(..offset).unwrap_or("");
    // Drop the word being typed.
    let trimmed = before.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let words = words_before(trimmed);
    let prev = words.first().copied().unwrap_or("");
    let block = enclosing_block(trimmed);

    // Inside `fact in [ ... ` offer the fact's values.
    if let Some(open) = trimmed.rfind('[') {
        if !trimmed[open..].contains(']') {
            let head = words_before(&trimmed[..open]);
            let fact = match head.as_slice() {
                ["in", "not", fact, ..] | ["in", fact, ..] => Some(*fact),
                _ => None,
            };
            if let Some(values) = fact.and_then(|f| enum_values(kb, f)) {
                return values;
            }
        }
    }
    let cmp = ["==", "!=", "=", "<", ">", "<=", ">="];
    if let [op, fact, ..] = words.as_slice() {
        if cmp.contains(op) && *op != ">" || (*op == "=" && block == Some("example")) {
            if let Some(values) = enum_values(kb, fact) {
                return values;
            }
        }
    }
    let stripped_prev = prev.trim_end_matches(',');
    let list_head = words
        .iter()
        .find(|w| !w.ends_with(','))
        .copied()
        .unwrap_or("");
    let after_comma = prev.ends_with(',');
    let list_kw = if after_comma {
        list_head
    } else {
        stripped_prev
    };
    match list_kw {
        "produces" | "related" | "for" => return ids_of(kb, IdKind::Symptom),
        "resolves" | "top" | "ranked" | "not_ranked" | "ruled_out" | "order" | ">" => {
            return ids_of(kb, IdKind::Cause)
        }
        "first_fix" => return ids_of(kb, IdKind::Fix),
        "sources" => return ids_of(kb, IdKind::Source),
        "question" | "when" | "and" | "or" | "not" | "given" => return ids_of(kb, IdKind::Fact),
        "prior" => return keywords(&["very_common", "common", "uncommon", "rare"]),
        "effort" | "risk" => return keywords(&["low", "medium", "high"]),
        "needs" => return keywords(&["user", "admin", "domain_admin"]),
        "run" => return keywords(&["cmd", "powershell", "shell"]),
        "against" => return keywords(&["weak", "strong", "moderate", "when"]),
        "expect" => {
            return keywords(&[
                "top",
                "order",
                "ranked",
                "not_ranked",
                "ruled_out",
                "first_fix",
                "question",
                "no_question",
            ])
        }
        "sections" => {
            return keywords(&[
                "start_here",
                "intro",
                "meaning",
                "culprits",
                "environments",
                "fixes",
                "summary",
                "related",
                "sources",
            ])
        }
        _ => {}
    }
    if after_comma && block == Some("example") {
        return ids_of(kb, IdKind::Fact);
    }
    let at_line_start = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .trim_start()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if at_line_start {
        return match block {
            None => keywords(&DECLS),
            Some("fact") => {
                let mut k = keywords(block_keywords("fact"));
                k.extend(keywords(&DECLS));
                k
            }
            Some(b) => keywords(block_keywords(b)),
        };
    }
    let mut all = ids_of(kb, IdKind::Fact);
    all.extend(keywords(&[
        "and", "or", "not", "in", "contains", "matches", "is", "known", "unknown", "because",
    ]));
    all
}
