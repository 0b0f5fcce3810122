//! Parse: `.kb` source text → [`ast::SourceFile`] with spans.
//!
//! pest does the recognising; its `Rule` type stays private to this module and
//! its pairs become our own span-carrying tree at once. A syntax error is
//! turned into a [`Diagnostic`] whose "expected …" list names tokens an author
//! recognises, never grammar rule names. After an error the parser resumes at
//! the next top-level declaration, so one run reports one error per broken
//! declaration rather than only the first.

pub mod ast;
mod lower;

pub(crate) use lower::dedent;

use crate::codes::Code;
use crate::diagnostics::Diagnostic;
use ast::{SourceFile, Span};
use pest::Parser as _;

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "syntax/grammar.pest"]
    pub(super) struct KbParser;
}

use grammar::{KbParser, Rule};

/// Deepest nesting of `(`, `[` and `{` the parser accepts. Deeper input is
/// refused before pest sees it, so no input can overflow the stack.
pub const MAX_NESTING: usize = 64;

/// Parses one file. `file` is the file's index in the source map, stored in
/// every span. Returns the declarations that parsed and every error found.
pub fn parse_file(text: &str, file: u32) -> (SourceFile, Vec<Diagnostic>) {
    if let Some(d) = check_nesting(text, file) {
        return (SourceFile::default(), vec![d]);
    }
    match parse_chunk(text, text, file, 0) {
        Ok(sf) => sf,
        Err(first) => {
            // Recover: parse each top-level declaration on its own.
            let mut items = Vec::new();
            let mut diags = Vec::new();
            let mut broken = Vec::new();
            for (start, end) in item_chunks(text) {
                let chunk = text.get(start..end).unwrap_or("");
                match parse_chunk(chunk, text, file, start) {
                    Ok((sf, d)) => {
                        items.extend(sf.items);
                        diags.extend(d);
                    }
                    Err(e) => {
                        broken.extend(declared_name(chunk));
                        diags.push(*e);
                    }
                }
            }
            if diags.iter().all(|d| d.code != Code::Syntax) {
                diags.push(*first);
            }
            (SourceFile { items, broken }, diags)
        }
    }
}

/// The kind keyword and id a declaration that failed to parse starts with,
/// so references to it are not reported as undefined as well.
fn declared_name(chunk: &str) -> Option<(String, String)> {
    let mut words = chunk
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('@'))?
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    let kind = words.next()?;
    let id = words.next()?;
    [
        "fact", "symptom", "cause", "fix", "source", "guide", "example",
    ]
    .contains(&kind)
    .then(|| (kind.to_string(), id.to_string()))
}

fn parse_chunk(
    text: &str,
    whole: &str,
    file: u32,
    offset: usize,
) -> Result<(SourceFile, Vec<Diagnostic>), Box<Diagnostic>> {
    match KbParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut lowerer = lower::Lowerer::new(file, offset);
            let sf = match pairs.next() {
                Some(p) => lowerer.file(p),
                None => SourceFile::default(),
            };
            Ok((sf, lowerer.diagnostics))
        }
        Err(e) => Err(Box::new(syntax_error(whole, file, offset, e))),
    }
}

/// Splits a file at lines that start (in column 1) with a declaration keyword
/// or an attribute, skipping text blocks.
fn item_chunks(text: &str) -> Vec<(usize, usize)> {
    const STARTS: [&str; 8] = [
        "fact ", "symptom ", "cause ", "fix ", "source ", "guide ", "example ", "@",
    ];
    let mut starts = vec![0usize];
    let mut in_block = false;
    let mut pos = 0usize;
    let mut prev_attr = false;
    for line in text.split_inclusive('\n') {
        if !in_block && pos > 0 && STARTS.iter().any(|s| line.starts_with(s)) && !prev_attr {
            starts.push(pos);
        }
        prev_attr = !in_block && line.starts_with('@');
        if line.matches("\"\"\"").count() % 2 == 1 {
            in_block = !in_block;
        }
        pos += line.len();
    }
    let mut chunks = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        if s < e {
            chunks.push((s, e));
        }
    }
    chunks
}

/// Finds the first bracket or `not` nested deeper than [`MAX_NESTING`],
/// ignoring brackets inside strings and comments.
fn check_nesting(text: &str, file: u32) -> Option<Diagnostic> {
    let too_deep = |start: usize, end: usize| {
        let span = Span {
            file,
            start: start as u32,
            end: end as u32,
        };
        Some(
            Diagnostic::error(Code::TooDeep, "nesting too deep", span)
                .label(format!("more than {MAX_NESTING} levels deep here"))
                .help("split the condition into simpler parts; no rule needs this depth"),
        )
    };
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    // `not not not a` nests as deeply as brackets do (the lowering recurses
    // once per `not`): each bracket level keeps the run of `not`s that
    // precedes the next other word, and those runs count as depth too.
    let mut nots: Vec<usize> = vec![0];
    let mut not_depth = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += 1;
                    }
                    i += 2;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        if bytes[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                nots.push(0);
                if depth + not_depth > MAX_NESTING {
                    return too_deep(i, i + 1);
                }
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if nots.len() > 1 {
                    not_depth -= nots.pop().unwrap_or(0);
                }
            }
            b if b.is_ascii_alphanumeric() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if let Some(run) = nots.last_mut() {
                    if &bytes[start..i] == b"not" {
                        *run += 1;
                        not_depth += 1;
                        if depth + not_depth > MAX_NESTING {
                            return too_deep(start, i);
                        }
                    } else {
                        not_depth -= *run;
                        *run = 0;
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Turns a pest error in a chunk starting at `offset` of `text` into a diagnostic.
fn syntax_error(text: &str, file: u32, offset: usize, e: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = offset
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let before = text.get(..pos).unwrap_or("");
    let rest = text.get(pos..).unwrap_or("");
    let width = rest.chars().next().map_or(0, char::len_utf8);
    let span = Span {
        file,
        start: pos as u32,
        end: (pos + width) as u32,
    };
    if rest.starts_with("\"\"\"") || (before.ends_with("\"\"") && rest.starts_with('"')) {
        let start = if rest.starts_with("\"\"\"") {
            pos
        } else {
            pos - 2
        };
        let span = Span {
            file,
            start: start as u32,
            end: start as u32 + 3,
        };
        return Diagnostic::error(Code::Syntax, "unterminated text block", span)
            .label("this text block is never closed")
            .help("close it with `\"\"\"`");
    }
    if rest.starts_with('"') {
        return Diagnostic::error(Code::Syntax, "unterminated string", span)
            .label("this string is not closed on its line")
            .help("close the string with `\"` on the same line, or use a `\"\"\"` text block for several lines");
    }
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives.iter().filter_map(|r| token_name(*r)).collect();
            names.sort_unstable();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let found = describe_found(rest);
    let message = match expected.as_slice() {
        [] => format!("unexpected {found}"),
        [one] => format!("expected {one}, found {found}"),
        [init @ .., last] => format!("expected {} or {last}, found {found}", init.join(", ")),
    };
    let mut d = Diagnostic::error(Code::Syntax, message, span).label("unexpected here");
    let at_line_start = before.is_empty() || before.ends_with('\n');
    let declaration = declared_name(rest).is_some();
    if declaration && at_line_start && pos > 0 {
        d = d.help("is a `}` missing before this declaration?");
    } else if let Some(h) = syntax_help(rest, &expected) {
        d = d.help(h);
    }
    d
}

fn describe_found(rest: &str) -> String {
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    if rest.is_empty() {
        "end of file".to_string()
    } else if !word.is_empty() {
        format!("`{word}`")
    } else {
        match rest.chars().next() {
            Some('\n') | Some('\r') => "end of line".to_string(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
            None => "end of file".to_string(),
        }
    }
}

fn syntax_help(rest: &str, expected: &[String]) -> Option<String> {
    let expects = |t: &str| expected.iter().any(|e| e == t);
    let tests =
        expects("a comparison operator") || expected.iter().any(|e| e.starts_with("a test"));
    if rest.starts_with('=') && !rest.starts_with("==") && tests {
        return Some("compare with `==`; `=` is only used in `given` and registry values".into());
    }
    if rest.starts_with("&&") {
        return Some("write `and` instead of `&&`".into());
    }
    if rest.starts_with("||") {
        return Some("write `or` instead of `||`".into());
    }
    if rest.starts_with('!') {
        return Some("write `not` (or `!=` for a comparison)".into());
    }
    if rest.starts_with('\'') {
        return Some("strings use double quotes: `\"...\"`".into());
    }
    if rest.starts_with("//") {
        return Some("comments start with `#`".into());
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !word.is_empty() && word.chars().any(|c| c.is_ascii_uppercase()) && expects("identifier") {
        return Some(format!(
            "identifiers are lowercase snake_case: `{}`",
            word.to_ascii_lowercase()
        ));
    }
    None
}

/// The name a knowledge author knows for a grammar rule, or `None` for rules
/// that are never worth naming in "expected …".
fn token_name(rule: Rule) -> Option<String> {
    use Rule::*;
    let name = format!("{rule:?}");
    if let Some(kw) = name.strip_prefix("kw_") {
        let kw = if kw == "textty" { "text" } else { kw };
        return Some(format!("`{kw}`"));
    }
    Some(match rule {
        EOI => "end of file",
        item | attribute => "a declaration (`fact`, `symptom`, `cause`, `fix`, `source`, `guide`, `example`)",
        fact => "`fact`",
        fact_type | ty_enum | ty_bool | ty_int | ty_string | ty_text => {
            "a type (`bool`, `int`, `string`, `text`, `enum(...)`)"
        }
        fact_attr | ask_attr | label_attr => "`ask` or `label`",
        symptom_attr => "`when` or `description`",
        cause_attr => "a cause attribute (`produces`, `prior`, `description`, `evidence`, `sources`)",
        prior_level => "a prior (`very_common`, `common`, `uncommon`, `rare`)",
        evidence_line | strength | against | against_strong | against_weak | strong | moderate
        | weak | rules_out => "an evidence strength (`strong`, `moderate`, `weak`, `against`, `rules_out`)",
        because => "`because`",
        fix_attr | step => "a fix attribute or step (`resolves`, `effort`, `risk`, `needs`, `step`, `run`, `registry`, `policy`, `ui`, `reboot`, `warning`, `link`, ...)",
        level => "a level (`low`, `medium`, `high`)",
        rights => "rights (`user`, `admin`, `domain_admin`)",
        shell => "a shell (`cmd`, `powershell`, `shell`)",
        reg_name => "a registry value name",
        reg_data => "registry data (`dword`, `qword`, `sz`, `expand_sz`, `multi_sz`)",
        source_attr => "`url`, `publisher` or `note`",
        guide_attr => "a guide attribute (`intro`, `meaning`, `start_here`, `summary`, `sections`, `related`)",
        example_attr => "`given` or `expect`",
        expectation => "an expectation (`top`, `order`, `ranked`, `not_ranked`, `ruled_out`, `first_fix`, `question`, `no_question`)",
        condition | or_expr | and_expr | unary | not_expr | primary | paren | predicate => "a condition",
        test | cmp_test | in_test | not_in_test | contains_test | matches_test | known_test | unknown_test => {
            "a test (`==`, `!=`, `in`, `contains`, `matches`, `is known`)"
        }
        cmp_op => "a comparison operator",
        list => "a list `[...]`",
        literal => "a value",
        integer => "an integer",
        string | text => "a string",
        text_block => "a text block",
        ident | id_list => "identifier",
        _ => return None,
    }
    .to_string())
}

#[cfg(test)]
mod tests;
