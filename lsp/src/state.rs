//! The knowledge base as the server holds it: every file's text and parse,
//! kept between edits.
//!
//! An edit re-parses only the file that changed; the check then runs over
//! the cached parses with [`kbc_compiler::check_parsed_cached`], which
//! re-checks only the files the edit can affect. A file's spans carry its
//! position in the sorted file list, so adding or removing a file re-parses
//! (and re-checks) the files after it; that is rare next to typing.

use crate::index::{occurrences, Occurrence};
use kbc_compiler::{check_parsed_cached, CheckCache, Checked, InputFile, ParsedFile};
use std::path::{Path, PathBuf};

/// Line starts of a text, for LSP positions (UTF-16 columns).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The LSP position of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> lsp_types::Position {
        let offset = clamp(text, offset);
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0).min(offset);
        let col = text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        lsp_types::Position::new(line as u32, col as u32)
    }

    /// The byte offset of an LSP position (clamped to the text).
    pub fn offset(&self, text: &str, pos: lsp_types::Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let line = text.get(start..).unwrap_or("");
        let line = line.split('\n').next().unwrap_or("");
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        start + line.len()
    }
}

fn clamp(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One `.kb` file.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Its parse (with its text).
    pub parsed: ParsedFile,
    /// Its line index.
    pub lines: LineIndex,
    /// Every id declared or used in it.
    pub occurrences: Vec<Occurrence>,
}

impl FileEntry {
    fn parse(path: &str, text: String, position: usize) -> FileEntry {
        let input = InputFile {
            path: path.to_string(),
            bytes: text.into_bytes(),
        };
        let parsed = ParsedFile::parse(&input, position);
        FileEntry {
            lines: LineIndex::new(parsed.text()),
            occurrences: occurrences(&parsed.ast.items),
            parsed,
        }
    }

    /// The file's path relative to the knowledge base root.
    pub fn path(&self) -> &str {
        self.parsed.path()
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        self.parsed.text()
    }
}

/// A whole knowledge base.
#[derive(Debug, Clone, Default)]
pub struct Kb {
    /// The folder holding `kb.yaml`.
    pub root: PathBuf,
    /// `kb.yaml`'s bytes.
    pub kb_yaml: Option<Vec<u8>>,
    /// The files, sorted by path; a file's index is its position in checks.
    pub files: Vec<FileEntry>,
    /// What the last check found per file, reused for files it still holds.
    cache: CheckCache,
}

impl Kb {
    /// Reads the knowledge base under `root` (an unreadable one is empty).
    pub fn load(root: &Path) -> Kb {
        let input = kbc_compiler::load_dir(root).unwrap_or_default();
        let files = input
            .files
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let text = String::from_utf8_lossy(&f.bytes).into_owned();
                FileEntry::parse(&f.path, text, i)
            })
            .collect();
        Kb {
            root: root.to_path_buf(),
            kb_yaml: input.kb_yaml,
            files,
            cache: CheckCache::default(),
        }
    }

    /// The index of the file at `path`.
    pub fn find(&self, path: &str) -> Option<usize> {
        self.files.binary_search_by(|f| f.path().cmp(path)).ok()
    }

    /// Replaces (or adds) a file's text and re-parses what must be.
    pub fn set_text(&mut self, path: &str, text: String) {
        match self.files.binary_search_by(|f| f.path().cmp(path)) {
            Ok(i) => {
                if self.files[i].text() != text {
                    self.files[i] = FileEntry::parse(path, text, i);
                }
            }
            Err(i) => {
                self.files.insert(i, FileEntry::parse(path, text, i));
                self.reparse_from(i + 1);
            }
        }
    }

    /// Removes a file (deleted on disk).
    pub fn remove(&mut self, path: &str) {
        if let Some(i) = self.find(path) {
            self.files.remove(i);
            self.reparse_from(i);
        }
    }

    fn reparse_from(&mut self, from: usize) {
        for i in from..self.files.len() {
            let path = self.files[i].path().to_string();
            let text = self.files[i].text().to_string();
            self.files[i] = FileEntry::parse(&path, text, i);
        }
    }

    /// Resolves and checks the cached parses, re-checking only the files
    /// whose parse or environment changed since the last check (see
    /// [`kbc_compiler::check_parsed_cached`]); the diagnostics are exactly
    /// `kbc check`'s. No model is built.
    pub fn check(&mut self) -> Checked {
        check_parsed_cached(
            self.kb_yaml.as_deref(),
            self.files.iter().map(|f| &f.parsed),
            &mut self.cache,
        )
    }

    /// The file a span's file index refers to (`None` for kb.yaml).
    pub fn file_of(&self, span_file: u32) -> Option<&FileEntry> {
        (span_file as usize)
            .checked_sub(1)
            .and_then(|i| self.files.get(i))
    }

    /// Every occurrence in every file, with the file it is in.
    pub fn all_occurrences(&self) -> impl Iterator<Item = (&FileEntry, &Occurrence)> {
        self.files
            .iter()
            .flat_map(|f| f.occurrences.iter().map(move |o| (f, o)))
    }

    /// Whether any file has a syntax error.
    pub fn has_syntax_errors(&self) -> bool {
        use kbc_compiler::Code;
        self.files.iter().any(|f| {
            f.parsed
                .diagnostics
                .iter()
                .any(|d| matches!(d.code, Code::Syntax | Code::TooDeep | Code::InvalidUtf8))
        })
    }
}
