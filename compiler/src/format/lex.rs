//! A lossless lexer for the formatter: tokens with the comments and blank
//! lines around them.
//!
//! The grammar's `COMMENT` rule is silent, so the AST cannot carry comments.
//! This lexer follows the grammar's lexical rules (whitespace, `#` comments,
//! strings, text blocks, words, punctuation) and is driven by the layout
//! parser, which says what it expects next: a `text` (where `"""` opens a
//! text block), a registry value name (where `-` and `.` are word
//! characters), or anything else. That mirrors pest, which only tries a text
//! block where the grammar allows a `text`.

/// What the parser expects at the next token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Any token; `"` starts a one-line string.
    Normal,
    /// A `text`: `"""` starts a text block when it is closed somewhere.
    Text,
    /// A registry value name: a string or a word of `[A-Za-z0-9_.-]`.
    RegName,
}

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A keyword or identifier: `[A-Za-z0-9_]+` (or a registry word).
    Word,
    /// An integer, possibly negative: `-3`, `0x904`.
    Int,
    /// A one-line string, quotes included.
    Str,
    /// A `"""` text block, delimiters included.
    TextBlock,
    /// Punctuation: `==`, `(`, `,`, ...
    Punct,
    /// A string that never ends on its line; only in files pest refused.
    Bad,
}

/// A comment on its own line, before a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment<'a> {
    /// The comment from `#`, trailing whitespace removed.
    pub text: &'a str,
    /// Whether a blank line separates it from what came before.
    pub blank_before: bool,
}

/// A token with its surrounding comments.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    /// What kind of token.
    pub kind: Kind,
    /// The token exactly as written.
    pub text: &'a str,
    /// Own-line comments between the previous token and this one.
    pub leading: Vec<Comment<'a>>,
    /// Whether a blank line comes right before the token itself (after its
    /// leading comments, if any).
    pub blank_before: bool,
    /// A comment after the token on the same line.
    pub trailing: Option<&'a str>,
    /// Byte offset one past the token and its trailing comment.
    pub end: usize,
}

impl Token<'_> {
    /// Whether the token, or the first comment before it, follows a blank line.
    pub fn first_blank(&self) -> bool {
        self.leading
            .first()
            .map_or(self.blank_before, |c| c.blank_before)
    }
}

/// Whitespace as the grammar defines it.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Comments (own-line) and the blank-line flag found in the trivia starting
/// at `pos`; returns them and the offset of the next token.
pub(crate) fn trivia(src: &str, mut pos: usize) -> (Vec<Comment<'_>>, bool, usize) {
    let mut comments = Vec::new();
    let mut newlines = 0usize;
    let rest = src.get(pos..).unwrap_or("");
    let mut chars = rest.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c == '\n' {
            newlines += 1;
            chars.next();
        } else if is_space(c) {
            chars.next();
        } else if c == '#' {
            let start = pos + i;
            let line_end = src
                .get(start..)
                .and_then(|s| s.find('\n'))
                .map_or(src.len(), |n| start + n);
            let text = src.get(start..line_end).unwrap_or("").trim_end();
            comments.push(Comment {
                text,
                blank_before: newlines >= 2,
            });
            newlines = 0;
            while chars.peek().is_some_and(|&(j, _)| pos + j < line_end) {
                chars.next();
            }
        } else {
            let next = pos + i;
            return (comments, newlines >= 2, next);
        }
    }
    pos = src.len();
    (comments, newlines >= 2, pos)
}

/// A comment after `pos` on the same line, and the offset after it.
fn trailing_comment(src: &str, pos: usize) -> (Option<&str>, usize) {
    let rest = src.get(pos..).unwrap_or("");
    for (i, c) in rest.char_indices() {
        if c == '#' {
            let start = pos + i;
            let end = rest[i..].find('\n').map_or(src.len(), |n| start + n);
            return (src.get(start..end).map(str::trim_end), end);
        }
        if c == '\n' || !is_space(c) {
            break;
        }
    }
    (None, pos)
}

/// The kind and end of the token at `pos` (no trivia there), or `None` at
/// the end of input.
fn token_end(src: &str, pos: usize, mode: Mode) -> Option<(Kind, usize)> {
    let bytes = src.as_bytes();
    let rest = bytes.get(pos..)?;
    let first = *rest.first()?;
    if first == b'"' {
        if mode == Mode::Text && rest.starts_with(b"\"\"\"") {
            if let Some(close) = src.get(pos + 3..).and_then(|s| s.find("\"\"\"")) {
                return Some((Kind::TextBlock, pos + 3 + close + 3));
            }
        }
        let mut i = pos + 1;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' => return Some((Kind::Str, i + 1)),
                b'\n' => return Some((Kind::Bad, i)),
                b'\\' if bytes.get(i + 1).is_some_and(|&n| n != b'\n') => {
                    // Skip the escaped character, which may be multi-byte.
                    let w = src
                        .get(i + 1..)
                        .and_then(|s| s.chars().next())
                        .map_or(1, char::len_utf8);
                    i += 1 + w;
                }
                _ => i += 1,
            }
        }
        return Some((Kind::Bad, bytes.len()));
    }
    if mode == Mode::RegName && (is_word_byte(first) || first == b'-' || first == b'.') {
        let n = rest
            .iter()
            .take_while(|&&b| is_word_byte(b) || b == b'-' || b == b'.')
            .count();
        return Some((Kind::Word, pos + n));
    }
    let digit_start = first.is_ascii_digit()
        || (first == b'-' && rest.get(1).is_some_and(|b| b.is_ascii_digit()));
    if digit_start {
        let n = 1 + rest[1..].iter().take_while(|&&b| is_word_byte(b)).count();
        return Some((Kind::Int, pos + n));
    }
    if is_word_byte(first) {
        let n = rest.iter().take_while(|&&b| is_word_byte(b)).count();
        return Some((Kind::Word, pos + n));
    }
    for two in ["==", "!=", "<=", ">="] {
        if rest.starts_with(two.as_bytes()) {
            return Some((Kind::Punct, pos + 2));
        }
    }
    // Any other character is one token; a multi-byte one stays whole.
    let w = src
        .get(pos..)
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8);
    Some((Kind::Punct, pos + w))
}

/// The token (with its trivia) starting at or after `pos`.
pub(crate) fn token_at(src: &str, pos: usize, mode: Mode) -> Option<Token<'_>> {
    let (leading, blank_before, start) = trivia(src, pos);
    let (kind, end) = token_end(src, start, mode)?;
    let (trailing, end_all) = trailing_comment(src, end);
    Some(Token {
        kind,
        text: src.get(start..end).unwrap_or(""),
        leading,
        blank_before,
        trailing,
        end: end_all,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn comments_attach_to_the_right_token() {
        let src = "fact a: bool # same line\n\n# own line\nfact";
        let t = token_at(src, 0, Mode::Normal).unwrap();
        assert_eq!(t.text, "fact");
        let t = token_at(src, t.end, Mode::Normal).unwrap();
        assert_eq!(t.text, "a");
        let t = token_at(src, t.end, Mode::Normal).unwrap();
        let t = token_at(src, t.end, Mode::Normal).unwrap();
        assert_eq!((t.text, t.trailing), ("bool", Some("# same line")));
        let t = token_at(src, t.end, Mode::Normal).unwrap();
        assert_eq!(t.text, "fact");
        assert_eq!(
            t.leading,
            vec![Comment {
                text: "# own line",
                blank_before: true
            }]
        );
        assert!(!t.blank_before);
    }

    #[test]
    fn text_blocks_only_in_text_mode() {
        let src = r#""""a"b""""#;
        assert_eq!(token_at(src, 0, Mode::Text).unwrap().kind, Kind::TextBlock);
        let t = token_at(src, 0, Mode::Normal).unwrap();
        assert_eq!((t.kind, t.text), (Kind::Str, "\"\""));
    }

    #[test]
    fn strings_keep_escapes_and_registry_words_take_dots() {
        let t = token_at(r#""a\"b" x"#, 0, Mode::Normal).unwrap();
        assert_eq!(t.text, r#""a\"b""#);
        let t = token_at("fDeny.TS-x = dword", 0, Mode::RegName).unwrap();
        assert_eq!(t.text, "fDeny.TS-x");
        let t = token_at("-0x10,", 0, Mode::Normal).unwrap();
        assert_eq!((t.kind, t.text), (Kind::Int, "-0x10"));
    }
}
