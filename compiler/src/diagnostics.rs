//! Diagnostics: the data every stage produces, and the one place that renders
//! it — as rustc-style text (annotate-snippets) or as JSON for editors and CI.
//!
//! A diagnostic is `{ code, severity, message, span, labels, help }`. Stages
//! never format output themselves; they push diagnostics and go on, so one run
//! reports every problem.

use crate::codes::Code;
use crate::syntax::ast::Span;
use serde::Serialize;
use std::sync::Arc;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The knowledge base cannot be compiled.
    Error,
    /// The knowledge base compiles but something is probably wrong.
    Warning,
}

/// A secondary place a diagnostic points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem found in a knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code (`E0005`), which names the explanation in docs/errors.md.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One lowercase sentence without a final period.
    pub message: String,
    /// The primary location.
    pub span: Span,
    /// The label under the primary location.
    pub label: Option<String>,
    /// Other places that explain the problem.
    pub secondary: Vec<Label>,
    /// How to fix it, when there is an obvious fix.
    pub help: Option<String>,
    /// Extra context.
    pub note: Option<String>,
}

impl Diagnostic {
    /// An error with code `code` at `span`.
    pub fn error(code: Code, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            secondary: Vec::new(),
            help: None,
            note: None,
        }
    }

    /// A warning with code `code` at `span`.
    pub fn warning(code: Code, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }

    /// Sets the label under the primary span.
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.label = Some(message.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn help(mut self, message: impl Into<String>) -> Self {
        self.help = Some(message.into());
        self
    }

    /// Sets the note line.
    pub fn note(mut self, message: impl Into<String>) -> Self {
        self.note = Some(message.into());
        self
    }
}

/// The text of every file a check read, so spans can be shown.
///
/// Files are shared ([`Arc`]), each with its line index, so a caller that
/// checks again and again (the language server) adds its cached files
/// without copying or re-indexing them.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceText>>,
}

/// Byte offsets of line starts, and for non-ASCII text `(byte, char)`
/// checkpoints every [`LineIndex::MARK_BYTES`] bytes so a column is counted
/// over at most that many bytes, however long the line.
#[derive(Debug, Clone, Default)]
struct LineIndex {
    line_starts: Vec<u32>,
    /// Empty when the text is ASCII: then a column is a byte difference.
    marks: Vec<(u32, u32)>,
}

impl LineIndex {
    const MARK_BYTES: usize = 1024;

    fn new(text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i as u32 + 1),
            )
            .collect();
        let mut marks = Vec::new();
        if !text.is_ascii() {
            let mut next = 0usize;
            for (chars, (byte, _)) in text.char_indices().enumerate() {
                if byte >= next {
                    marks.push((byte as u32, chars as u32));
                    next = byte + Self::MARK_BYTES;
                }
            }
        }
        LineIndex { line_starts, marks }
    }

    /// Characters before byte `offset` (a char boundary) in `text`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        if self.marks.is_empty() {
            return offset;
        }
        let i = self
            .marks
            .partition_point(|&(b, _)| b as usize <= offset)
            .saturating_sub(1);
        let (byte, chars) = self.marks.get(i).copied().unwrap_or((0, 0));
        chars as usize
            + text
                .get(byte as usize..offset)
                .map_or(0, |t| t.chars().count())
    }
}

/// One file's path (as shown to users) and text, with the line index
/// [`SourceMap::line_col`] needs to answer in logarithmic time (it runs for
/// every declaration and evidence line).
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Path relative to the knowledge base root, `/`-separated.
    pub path: String,
    /// The text (lossily decoded when the file was not UTF-8).
    pub text: String,
    index: LineIndex,
}

impl SourceText {
    /// A file's path and text, indexed.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        SourceText {
            path: path.into(),
            index: LineIndex::new(&text),
            text,
        }
    }
}

/// A resolved position: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

impl SourceMap {
    /// Adds a file and returns its index for spans.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> u32 {
        self.add_shared(Arc::new(SourceText::new(path, text)))
    }

    /// Adds a file already indexed (and perhaps shared with other maps) and
    /// returns its index for spans.
    pub fn add_shared(&mut self, file: Arc<SourceText>) -> u32 {
        self.files.push(file);
        (self.files.len() - 1) as u32
    }

    /// The file at `index`.
    pub fn get(&self, index: u32) -> Option<&SourceText> {
        self.files.get(index as usize).map(|f| &**f)
    }

    /// Every file, in the order added.
    pub fn files(&self) -> impl ExactSizeIterator<Item = &SourceText> {
        self.files.iter().map(|f| &**f)
    }

    /// The path of the file a span is in.
    pub fn path(&self, span: Span) -> &str {
        self.get(span.file).map_or("<unknown>", |f| f.path.as_str())
    }

    /// Line and column of a byte offset in a file.
    pub fn line_col(&self, file: u32, offset: u32) -> LineCol {
        let Some(f) = self.get(file) else {
            return LineCol { line: 1, column: 1 };
        };
        let offset = clamp_to_char_boundary(&f.text, offset as usize);
        let index = &f.index;
        // Line starts are after a `\n`, so they are char boundaries.
        let line = index
            .line_starts
            .partition_point(|&s| s as usize <= offset)
            .max(1);
        let line_start = index.line_starts.get(line - 1).copied().unwrap_or(0) as usize;
        let column =
            index.chars_before(&f.text, offset) - index.chars_before(&f.text, line_start) + 1;
        LineCol {
            line: line as u32,
            column: column as u32,
        }
    }

    /// The whole lines of `file` from the line before byte `lo` to the line
    /// after byte `hi`: `(1-based number of the first line, its byte offset,
    /// the text)`. Renderers index all the source they are given, so giving
    /// them the whole file for each diagnostic would be quadratic.
    fn excerpt(&self, file: u32, lo: usize, hi: usize) -> Option<(usize, usize, &str)> {
        let f = self.get(file)?;
        let text = f.text.as_str();
        let starts = &f.index.line_starts;
        let line_of = |at: usize| starts.partition_point(|&s| s as usize <= at).max(1) - 1;
        let first = line_of(lo).saturating_sub(1);
        let last = line_of(hi) + 1;
        let start = starts.get(first).map_or(0, |&s| s as usize);
        let end = starts.get(last + 1).map_or(text.len(), |&s| s as usize);
        Some((first + 1, start, text.get(start..end)?))
    }

    /// The model's location for a span.
    pub fn location(&self, span: Span) -> kbc_runtime::model::Location {
        let lc = self.line_col(span.file, span.start);
        kbc_runtime::model::Location {
            file: self.path(span).to_string(),
            line: lc.line,
            column: lc.column,
        }
    }
}

fn clamp_to_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Renders diagnostics as rustc-style text. `color` adds ANSI colours (the
/// CLI asks for them only when writing to a terminal).
pub fn render_text(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let mut noted: Vec<&str> = Vec::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let Some(file) = sources.get(d.span.file) else {
            continue;
        };
        let whole = file.text.as_str();
        let whole_range = |s: Span| {
            let start = clamp_to_char_boundary(whole, s.start as usize);
            let end = clamp_to_char_boundary(whole, (s.end as usize).max(start));
            start..end
        };
        let (lo, hi) = std::iter::once(d.span)
            .chain(d.secondary.iter().map(|l| l.span))
            .filter(|s| s.file == d.span.file)
            .map(whole_range)
            .fold((whole.len(), 0), |(lo, hi), r| {
                (lo.min(r.start), hi.max(r.end))
            });
        let (first_line, base, text) = sources
            .excerpt(d.span.file, lo, hi)
            .unwrap_or((1, 0, whole));
        let range = |s: Span| {
            let r = whole_range(s);
            r.start.saturating_sub(base)..r.end.saturating_sub(base)
        };
        let mut snippet = Snippet::source(text)
            .line_start(first_line)
            .path(file.path.as_str())
            .fold(true)
            .annotation(
                AnnotationKind::Primary
                    .span(range(d.span))
                    .label(d.label.as_deref().unwrap_or("")),
            );
        let mut other_files: Vec<&Label> = Vec::new();
        for l in &d.secondary {
            if l.span.file == d.span.file {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(range(l.span))
                        .label(l.message.as_str()),
                );
            } else {
                other_files.push(l);
            }
        }
        let code = d.code.id();
        let mut group = level
            .primary_title(d.message.as_str())
            .id(code)
            .element(snippet);
        for l in other_files {
            if let Some(f) = sources.get(l.span.file) {
                let t = f.text.as_str();
                let start = clamp_to_char_boundary(t, l.span.start as usize);
                let end = clamp_to_char_boundary(t, (l.span.end as usize).max(start));
                let (first_line, base, t) = sources
                    .excerpt(l.span.file, start, end)
                    .unwrap_or((1, 0, t));
                let (start, end) = (start - base, end - base);
                group = group.element(
                    Snippet::source(t)
                        .line_start(first_line)
                        .path(f.path.as_str())
                        .fold(true)
                        .annotation(
                            AnnotationKind::Context
                                .span(start..end)
                                .label(l.message.as_str()),
                        ),
                );
            }
        }
        if let Some(name) = d.code.warning_name().filter(|n| !noted.contains(n)) {
            noted.push(name);
            let note = format!("`{name}` is on by default; switch it off with `@allow({name})` or `allow: [{name}]` in kb.yaml");
            group = group.element(Level::NOTE.message(note));
        }
        if let Some(n) = &d.note {
            group = group.element(Level::NOTE.message(n.as_str()));
        }
        if let Some(h) = &d.help {
            group = group.element(Level::HELP.message(h.as_str()));
        }
        let report: Vec<Group> = vec![group];
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

/// The one-line summary printed after the diagnostics.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => "no problems found".to_string(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// A diagnostic as JSON for editors and CI (`kbc check --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    /// `E0005` or `W0001`.
    pub code: &'static str,
    /// The warning's name, for warnings.
    pub name: Option<&'static str>,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The file, relative to the knowledge base root.
    pub file: String,
    /// Start of the primary span.
    pub start: LineCol,
    /// End of the primary span.
    pub end: LineCol,
    /// The primary label.
    pub label: Option<String>,
    /// Secondary labels.
    pub labels: Vec<JsonLabel>,
    /// The help line.
    pub help: Option<String>,
    /// The note line.
    pub note: Option<String>,
}

/// A secondary label as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct JsonLabel {
    /// The file.
    pub file: String,
    /// Start.
    pub start: LineCol,
    /// End.
    pub end: LineCol,
    /// What is there.
    pub message: String,
}

/// Converts diagnostics to their JSON form.
pub fn to_json(diags: &[Diagnostic], sources: &SourceMap) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code.id(),
            name: d.code.warning_name(),
            severity: d.severity,
            message: d.message.clone(),
            file: sources.path(d.span).to_string(),
            start: sources.line_col(d.span.file, d.span.start),
            end: sources.line_col(d.span.file, d.span.end),
            label: d.label.clone(),
            labels: d
                .secondary
                .iter()
                .map(|l| JsonLabel {
                    file: sources.path(l.span).to_string(),
                    start: sources.line_col(l.span.file, l.span.start),
                    end: sources.line_col(l.span.file, l.span.end),
                    message: l.message.clone(),
                })
                .collect(),
            help: d.help.clone(),
            note: d.note.clone(),
        })
        .collect()
}
