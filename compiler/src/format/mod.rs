//! Format: `.kb` source text → the same text in the one canonical layout
//! (`kbc fmt`, and formatting in the language server).
//!
//! The grammar's comments are silent, so the AST has none; formatting from
//! the AST would lose them. Instead a small lossless lexer ([`lex`]) keeps
//! every token with the comments and blank lines around it, a
//! recursive-descent walk that mirrors the grammar ([`layout`]) turns them
//! into a pretty-printing document, and [`doc`] prints it within 100
//! columns. The real parser still decides what is valid: a file with syntax
//! errors is refused with the same diagnostics `kbc check` prints.
//!
//! The formatter only changes whitespace, drops trailing commas and
//! re-indents text blocks; it never changes a string, so it never changes
//! the model. Every result is checked: the formatted text must lex to the
//! same tokens (text blocks compared by value) and the same comments as the
//! original, or formatting fails and the file is left alone.
//!
//! ```
//! let src = "fact ping_ok : bool ask \"Does ping work?\" # asked first\n";
//! let out = kbc_compiler::format::format_source(src, 0).unwrap();
//! assert_eq!(out, "fact ping_ok: bool\n  ask \"Does ping work?\"  # asked first\n");
//! ```

mod doc;
mod layout;
mod lex;

use crate::codes::Code;
use crate::diagnostics::Diagnostic;

/// Why a file could not be formatted.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file does not parse; the diagnostics say where.
    #[error("the file has syntax errors")]
    Syntax(Vec<Diagnostic>),
    /// The formatter could not lay out a file the parser accepted, or its
    /// result would not mean the same. A bug in the formatter.
    #[error("internal formatter error at byte {offset}: {message}")]
    Internal {
        /// Byte offset in the input where it went wrong.
        offset: usize,
        /// What went wrong.
        message: String,
    },
}

/// Formats one `.kb` file. `file` is the file's index in the caller's
/// [`crate::SourceMap`], used in the spans of syntax diagnostics.
///
/// The result ends with exactly one newline (an empty or blank file gives
/// an empty string) and is idempotent: formatting it again changes nothing.
pub fn format_source(text: &str, file: u32) -> Result<String, FormatError> {
    let (_, diags) = crate::syntax::parse_file(text, file);
    let syntax: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| matches!(d.code, Code::Syntax | Code::TooDeep))
        .collect();
    if !syntax.is_empty() {
        return Err(FormatError::Syntax(syntax));
    }
    let internal = |offset: usize, message: String| FormatError::Internal { offset, message };
    let (doc, before) = layout::file(text).map_err(|s| {
        internal(
            s.offset,
            format!("expected {} (the parser accepted the file)", s.expected),
        )
    })?;
    let mut out = doc::print(&doc);
    if !out.is_empty() {
        out.push('\n');
    }
    let (_, after) = layout::file(&out).map_err(|s| {
        internal(
            0,
            format!(
                "the formatted text does not lay out again (expected {} at byte {})",
                s.expected, s.offset
            ),
        )
    })?;
    if before.tokens != after.tokens {
        let at = before
            .tokens
            .iter()
            .zip(&after.tokens)
            .position(|(a, b)| a != b)
            .unwrap_or(before.tokens.len().min(after.tokens.len()));
        return Err(internal(
            0,
            format!("the formatted text would change token {at}"),
        ));
    }
    if before.comments != after.comments {
        return Err(internal(
            0,
            "the formatted text would change a comment".into(),
        ));
    }
    Ok(out)
}

/// The comments of a file in order, from `#` to the end of the line without
/// trailing whitespace, as the formatter sees them. `None` when the file
/// does not parse. For tests and tools that check comments survive.
pub fn comments(text: &str) -> Option<Vec<String>> {
    layout::file(text).ok().map(|(_, m)| m.comments)
}
