//! The layout parser: tokens → a [`Doc`] in the canonical layout.
//!
//! A recursive-descent walk that mirrors `syntax/grammar.pest` rule by rule,
//! but keeps every token with its comments instead of building an AST. It
//! only runs on files pest accepted, so it reports a failure as an internal
//! error rather than a user-facing diagnostic.
//!
//! Besides the document it records the *meaning* of the file: every token
//! that reaches the parser (text blocks as their dedented value, trailing
//! commas left out) and every comment. Formatting is correct exactly when
//! the formatted text gives the same record.

use super::doc::{align, group, indent, text, Doc};
use super::lex::{token_at, Kind, Mode, Token};

/// What a file means to the parser, for checking the formatter's output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Meaning {
    /// Tokens as the parser sees them.
    pub tokens: Vec<(Kind, String)>,
    /// Comment texts in order.
    pub comments: Vec<String>,
}

/// A layout failure: the token where the walk did not know what to do.
#[derive(Debug)]
pub(crate) struct Stuck {
    pub offset: usize,
    pub expected: &'static str,
}

type R<T> = Result<T, Stuck>;

const DECLS: [&str; 7] = [
    "fact", "symptom", "cause", "fix", "source", "guide", "example",
];

pub(crate) struct Layout<'a> {
    src: &'a str,
    pos: usize,
    pub meaning: Meaning,
    /// Whether the last token taken had a comment after it on its line.
    last_trailing: bool,
    /// Comments of a dropped token, moved before the next token: where a
    /// second formatting run finds them.
    stash: Vec<super::lex::Comment<'a>>,
}

/// Builds the document for a whole file.
pub(crate) fn file(src: &str) -> R<(Doc, Meaning)> {
    let mut l = Layout {
        src,
        pos: 0,
        meaning: Meaning::default(),
        last_trailing: false,
        stash: Vec::new(),
    };
    let doc = l.file()?;
    Ok((doc, l.meaning))
}

impl<'a> Layout<'a> {
    // ---- tokens ----

    fn peek(&self, mode: Mode) -> Option<Token<'a>> {
        let mut t = token_at(self.src, self.pos, mode)?;
        if !self.stash.is_empty() {
            let own = std::mem::take(&mut t.leading);
            t.leading = self.stash.iter().cloned().chain(own).collect();
        }
        Some(t)
    }

    fn peek_word(&self) -> Option<&'a str> {
        self.peek(Mode::Normal)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text)
    }

    fn at(&self, text: &str) -> bool {
        self.peek(Mode::Normal)
            .is_some_and(|t| t.text == text && t.kind != Kind::Str)
    }

    /// The token after the next one.
    fn peek2(&self) -> Option<Token<'a>> {
        let t = self.peek(Mode::Normal)?;
        token_at(self.src, t.end, Mode::Normal)
    }

    fn stuck<T>(&self, expected: &'static str) -> R<T> {
        let offset = self
            .peek(Mode::Normal)
            .map_or(self.src.len(), |t| t.end - t.text.len());
        Err(Stuck { offset, expected })
    }

    /// Takes the next token, recording it (unless `keep` is false) and its
    /// comments.
    fn take_raw(&mut self, mode: Mode, keep: bool) -> R<Token<'a>> {
        let Some(t) = token_at(self.src, self.pos, mode) else {
            return self.stuck("a token");
        };
        if t.kind == Kind::Bad {
            return self.stuck("a closed string");
        }
        for c in &t.leading {
            self.meaning.comments.push(c.text.to_string());
        }
        let t = match self.peek(mode) {
            Some(merged) => merged,
            None => t,
        };
        self.stash.clear();
        self.pos = t.end;
        self.last_trailing = t.trailing.is_some();
        if let Some(c) = t.trailing {
            self.meaning.comments.push(c.to_string());
        }
        if keep {
            let value = if t.kind == Kind::TextBlock {
                crate::syntax::dedent(&t.text[3..t.text.len() - 3])
            } else {
                t.text.to_string()
            };
            self.meaning.tokens.push((t.kind, value));
        }
        Ok(t)
    }

    /// The next token as a document, comments included.
    fn tok(&mut self, mode: Mode) -> R<Doc> {
        let t = self.take_raw(mode, true)?;
        Ok(token_doc(&t, false))
    }

    /// The next token, which must be `word` (a keyword or punctuation).
    fn expect(&mut self, word: &'static str) -> R<Doc> {
        if !self.at(word) {
            return self.stuck(word);
        }
        self.tok(Mode::Normal)
    }

    fn expect_kind(&mut self, kind: Kind, what: &'static str) -> R<Doc> {
        match self.peek(Mode::Normal) {
            Some(t) if t.kind == kind => self.tok(Mode::Normal),
            _ => self.stuck(what),
        }
    }

    fn ident(&mut self) -> R<Doc> {
        self.expect_kind(Kind::Word, "an identifier")
    }

    fn string(&mut self) -> R<Doc> {
        self.expect_kind(Kind::Str, "a string")
    }

    fn text_value(&mut self) -> R<Doc> {
        let Some(t) = self.peek(Mode::Text) else {
            return self.stuck("a text");
        };
        match t.kind {
            Kind::Str => self.tok(Mode::Text),
            Kind::TextBlock => {
                let t = self.take_raw(Mode::Text, true)?;
                Ok(text_block(&t))
            }
            _ => self.stuck("a text"),
        }
    }

    /// A dropped token (a trailing comma): its comments stay.
    fn drop_token(&mut self) -> R<Doc> {
        let t = self.take_raw(Mode::Normal, false)?;
        self.stash = t.leading;
        if let Some(c) = t.trailing {
            self.stash.push(super::lex::Comment {
                text: c,
                blank_before: false,
            });
        }
        Ok(Doc::Nil)
    }

    // ---- file and items ----

    fn file(&mut self) -> R<Doc> {
        let mut parts = Vec::new();
        let mut first = true;
        while let Some(t) = self.peek(Mode::Normal) {
            if !first {
                parts.push(Doc::Blank);
            }
            let _ = t;
            parts.push(self.item(first)?);
            first = false;
        }
        // Comments after the last declaration.
        let (comments, _, _) = super::lex::trivia(self.src, self.pos);
        for (i, c) in comments.iter().enumerate() {
            self.meaning.comments.push(c.text.to_string());
            if !(first && i == 0) {
                parts.push(if c.blank_before {
                    Doc::Blank
                } else {
                    Doc::Hard
                });
            }
            parts.push(text(c.text));
        }
        Ok(Doc::Concat(parts))
    }

    /// The first token of a statement with its own-line comments, keeping
    /// blank lines between them.
    fn stmt_tok(&mut self, mode: Mode) -> R<Doc> {
        let t = self.take_raw(mode, true)?;
        Ok(token_doc(&t, true))
    }

    fn item(&mut self, first_in_file: bool) -> R<Doc> {
        let _ = first_in_file;
        let mut parts = Vec::new();
        let mut lead = true;
        while self.at("@") {
            parts.push(self.attribute(lead)?);
            parts.push(Doc::Hard);
            lead = false;
        }
        let Some(kw) = self.peek_word().filter(|w| DECLS.contains(w)) else {
            return self.stuck("a declaration");
        };
        let head = if lead {
            self.stmt_tok(Mode::Normal)?
        } else {
            self.tok(Mode::Normal)?
        };
        parts.push(head);
        parts.push(text(" "));
        parts.push(self.ident()?);
        match kw {
            "fact" => parts.push(self.fact()?),
            "guide" => {
                parts.push(text(" "));
                parts.push(self.string()?);
                parts.push(text(" "));
                parts.push(self.expect("for")?);
                parts.push(text(" "));
                parts.push(self.ident()?);
                parts.push(text(" "));
                parts.push(self.block(kw)?);
            }
            _ => {
                parts.push(text(" "));
                parts.push(self.string()?);
                parts.push(text(" "));
                parts.push(self.block(kw)?);
            }
        }
        Ok(Doc::Concat(parts))
    }

    fn attribute(&mut self, lead: bool) -> R<Doc> {
        let at = if lead {
            self.stmt_tok(Mode::Normal)?
        } else {
            self.tok(Mode::Normal)?
        };
        let mut parts = vec![at, self.expect("allow")?, self.expect("(")?];
        parts.push(self.ident()?);
        while self.at(",") {
            if self.peek2().is_some_and(|t| t.text == ")") {
                parts.push(self.drop_token()?);
                break;
            }
            parts.push(self.tok(Mode::Normal)?);
            parts.push(text(" "));
            parts.push(self.ident()?);
        }
        parts.push(self.expect(")")?);
        Ok(Doc::Concat(parts))
    }

    // ---- facts ----

    fn fact(&mut self) -> R<Doc> {
        let mut parts = vec![self.expect(":")?, text(" ")];
        if self.at("enum") {
            parts.push(self.enum_type()?);
        } else {
            parts.push(self.ident()?);
        }
        let mut attrs = Vec::new();
        while let Some(w) = self.peek_word().filter(|w| matches!(*w, "ask" | "label")) {
            let _ = w;
            attrs.push(self.separator());
            attrs.push(self.stmt_tok(Mode::Normal)?);
            attrs.push(text(" "));
            attrs.push(self.text_value()?);
        }
        parts.push(indent(2, Doc::Concat(attrs)));
        Ok(Doc::Concat(parts))
    }

    fn enum_type(&mut self) -> R<Doc> {
        let kw = self.expect("enum")?;
        let open = self.expect("(")?;
        let mut values = vec![Doc::SoftLine];
        loop {
            let mut v = vec![self.ident()?];
            if self.peek(Mode::Normal).is_some_and(|t| t.kind == Kind::Str) {
                v.push(text(" "));
                v.push(self.string()?);
            }
            if self.at(",") {
                if self.peek2().is_some_and(|t| t.text == ")") {
                    v.push(self.drop_token()?);
                    values.push(Doc::Concat(v));
                    break;
                }
                v.push(self.tok(Mode::Normal)?);
                values.push(Doc::Concat(v));
                values.push(Doc::Line);
            } else {
                values.push(Doc::Concat(v));
                break;
            }
        }
        let close = self.closer(")")?;
        Ok(group(Doc::Concat(vec![
            kw,
            open,
            indent(
                2,
                Doc::Concat(vec![
                    indent(
                        2,
                        Doc::Concat(values.into_iter().chain([close.0]).collect()),
                    ),
                    Doc::SoftLine,
                ]),
            ),
            close.1,
        ])))
    }

    /// A closing bracket: its own-line comments (printed inside the block)
    /// and the bracket itself.
    fn closer(&mut self, what: &'static str) -> R<(Doc, Doc)> {
        if !self.at(what) {
            return self.stuck(what);
        }
        let t = self.take_raw(Mode::Normal, true)?;
        let mut inside = Vec::new();
        for (i, c) in t.leading.iter().enumerate() {
            let _ = i;
            inside.push(Doc::OwnLine(c.text.to_string()));
        }
        let mut close = vec![text(t.text)];
        if let Some(c) = t.trailing {
            close.push(Doc::Trailing(c.to_string()));
        }
        Ok((Doc::Concat(inside), Doc::Concat(close)))
    }

    /// The line break before a statement: an empty line when the author
    /// left one.
    fn separator(&self) -> Doc {
        if self.peek(Mode::Normal).is_some_and(|t| t.first_blank()) {
            Doc::Blank
        } else {
            Doc::Hard
        }
    }

    // ---- blocks ----

    /// `{ statements }` of a declaration of kind `kw`.
    fn block(&mut self, kw: &str) -> R<Doc> {
        let open_t = self.take_raw(Mode::Normal, true)?;
        if open_t.text != "{" {
            return Err(Stuck {
                offset: open_t.end,
                expected: "{",
            });
        }
        let open = token_doc(&open_t, false);
        let mut body = Vec::new();
        let mut first = true;
        let mut prev_level = false;
        while !self.at("}") {
            let Some(word) = self.peek_word() else {
                return self.stuck("an attribute");
            };
            let is_level = kw == "fix" && matches!(word, "effort" | "risk" | "needs");
            let joined = is_level
                && prev_level
                && !self.last_trailing
                && self
                    .peek(Mode::Normal)
                    .is_some_and(|t| t.leading.is_empty());
            if joined {
                body.push(text("  "));
            } else if first {
                body.push(Doc::Hard);
            } else {
                body.push(self.separator());
            }
            body.push(self.statement(kw, word)?);
            prev_level = is_level;
            first = false;
        }
        let (inside, close) = self.closer("}")?;
        let has_inside = !matches!(&inside, Doc::Concat(v) if v.is_empty());
        if body.is_empty() && !has_inside && open_t.trailing.is_none() {
            return Ok(Doc::Concat(vec![open, close]));
        }
        if has_inside {
            body.push(Doc::Hard);
            body.push(inside);
        }
        Ok(Doc::Concat(vec![
            open,
            indent(2, Doc::Concat(body)),
            Doc::Hard,
            close,
        ]))
    }

    fn statement(&mut self, kw: &str, word: &str) -> R<Doc> {
        let head = self.stmt_tok(Mode::Normal)?;
        let sp = text(" ");
        let rest = match (kw, word) {
            ("symptom", "when") => Doc::Concat(vec![sp, align(self.condition()?)]),
            (_, "description" | "intro" | "meaning" | "start_here" | "summary" | "note")
            | ("fix", "step" | "warning") => Doc::Concat(vec![sp, self.text_value()?]),
            ("cause", "produces" | "sources")
            | ("fix", "resolves" | "sources")
            | ("guide", "sections" | "related") => Doc::Concat(vec![sp, self.id_list()?]),
            ("cause", "prior") | ("fix", "effort" | "risk" | "needs") => {
                Doc::Concat(vec![sp, self.ident()?])
            }
            ("cause", "evidence") => Doc::Concat(vec![sp, self.evidence()?]),
            ("fix", "run") => Doc::Concat(vec![sp.clone(), self.ident()?, sp, self.text_value()?]),
            ("fix", "registry") => Doc::Concat(vec![sp, self.registry()?]),
            ("fix", "policy") => Doc::Concat(vec![sp, self.policy()?]),
            ("fix", "ui") | ("source", "url" | "publisher") => {
                Doc::Concat(vec![sp, self.string()?])
            }
            ("fix", "reboot") => {
                if self.peek(Mode::Normal).is_some_and(|t| t.kind == Kind::Str) {
                    Doc::Concat(vec![sp, self.string()?])
                } else {
                    Doc::Nil
                }
            }
            ("fix", "link") => {
                let url = self.string()?;
                let mut inner = vec![url];
                if self.peek(Mode::Normal).is_some_and(|t| t.kind == Kind::Str) {
                    inner.push(Doc::Line);
                    inner.push(self.string()?);
                }
                Doc::Concat(vec![sp, group(align(Doc::Concat(inner)))])
            }
            ("example", "given") => Doc::Concat(vec![sp, self.given()?]),
            ("example", "expect") => Doc::Concat(vec![sp, self.expectation()?]),
            _ => return self.stuck("an attribute"),
        };
        Ok(Doc::Concat(vec![head, rest]))
    }

    /// `a, b, c`, packed and aligned after the keyword.
    fn id_list(&mut self) -> R<Doc> {
        let mut items = Vec::new();
        loop {
            let id = self.ident()?;
            if self.at(",") {
                let comma = self.tok(Mode::Normal)?;
                items.push(Doc::Concat(vec![id, comma]));
                items.push(Doc::Line);
            } else {
                items.push(id);
                break;
            }
        }
        Ok(align(Doc::Fill(items)))
    }

    // ---- causes ----

    fn evidence(&mut self) -> R<Doc> {
        let open_t = self.take_raw(Mode::Normal, true)?;
        if open_t.text != "{" {
            return self.stuck("{");
        }
        let open = token_doc(&open_t, false);
        let mut body = Vec::new();
        let mut first = true;
        while !self.at("}") {
            body.push(if first { Doc::Hard } else { self.separator() });
            first = false;
            body.push(self.evidence_line()?);
        }
        let (inside, close) = self.closer("}")?;
        let has_inside = !matches!(&inside, Doc::Concat(v) if v.is_empty());
        if body.is_empty() && !has_inside && open_t.trailing.is_none() {
            return Ok(Doc::Concat(vec![open, close]));
        }
        if has_inside {
            body.push(Doc::Hard);
            body.push(inside);
        }
        Ok(Doc::Concat(vec![
            open,
            indent(2, Doc::Concat(body)),
            Doc::Hard,
            close,
        ]))
    }

    fn evidence_line(&mut self) -> R<Doc> {
        let Some(first) = self.peek_word() else {
            return self.stuck("an evidence strength");
        };
        let mut parts = vec![self.stmt_tok(Mode::Normal)?];
        if first == "against"
            && self
                .peek_word()
                .is_some_and(|w| matches!(w, "weak" | "strong" | "moderate"))
        {
            parts.push(text(" "));
            parts.push(self.tok(Mode::Normal)?);
        }
        parts.push(text(" "));
        parts.push(self.expect("when")?);
        parts.push(text(" "));
        parts.push(align(self.condition()?));
        if self.at("because") {
            let kw = self.tok(Mode::Normal)?;
            let t = self.text_value()?;
            parts.push(indent(2, Doc::Concat(vec![Doc::Hard, kw, text(" "), t])));
        }
        Ok(Doc::Concat(parts))
    }

    // ---- conditions ----

    fn condition(&mut self) -> R<Doc> {
        let first = self.and_expr()?;
        if !self.at("or") {
            return Ok(first);
        }
        let mut parts = vec![first];
        while self.at("or") {
            parts.push(Doc::Line);
            parts.push(self.tok(Mode::Normal)?);
            parts.push(text(" "));
            parts.push(align(self.and_expr()?));
        }
        Ok(group(Doc::Concat(parts)))
    }

    fn and_expr(&mut self) -> R<Doc> {
        let first = self.unary()?;
        if !self.at("and") {
            return Ok(first);
        }
        let mut parts = vec![first];
        while self.at("and") {
            parts.push(Doc::Line);
            parts.push(self.tok(Mode::Normal)?);
            parts.push(text(" "));
            parts.push(self.unary()?);
        }
        Ok(group(Doc::Concat(parts)))
    }

    fn unary(&mut self) -> R<Doc> {
        let mut parts = Vec::new();
        while self.at("not") {
            parts.push(self.tok(Mode::Normal)?);
            parts.push(text(" "));
        }
        if self.at("(") {
            parts.push(self.tok(Mode::Normal)?);
            parts.push(align(self.condition()?));
            parts.push(self.expect(")")?);
        } else {
            parts.push(self.predicate()?);
        }
        Ok(Doc::Concat(parts))
    }

    fn predicate(&mut self) -> R<Doc> {
        let mut parts = vec![self.ident()?];
        let Some(t) = self.peek(Mode::Normal) else {
            return Ok(Doc::Concat(parts));
        };
        let sp = || text(" ");
        match (t.kind, t.text) {
            (Kind::Punct, "==" | "!=" | "<=" | ">=" | "<" | ">") => {
                parts.extend([sp(), self.tok(Mode::Normal)?, sp(), self.literal()?]);
            }
            (Kind::Word, "in") => {
                parts.extend([sp(), self.tok(Mode::Normal)?, sp(), self.list()?]);
            }
            (Kind::Word, "not") if self.peek2().is_some_and(|t| t.text == "in") => {
                parts.extend([sp(), self.tok(Mode::Normal)?, sp(), self.tok(Mode::Normal)?]);
                parts.extend([sp(), self.list()?]);
            }
            (Kind::Word, "contains" | "matches") => {
                parts.extend([sp(), self.tok(Mode::Normal)?, sp(), self.string()?]);
            }
            (Kind::Word, "is")
                if self
                    .peek2()
                    .is_some_and(|t| t.text == "known" || t.text == "unknown") =>
            {
                parts.extend([sp(), self.tok(Mode::Normal)?, sp(), self.tok(Mode::Normal)?]);
            }
            _ => {}
        }
        Ok(Doc::Concat(parts))
    }

    fn literal(&mut self) -> R<Doc> {
        match self.peek(Mode::Normal) {
            Some(t) if matches!(t.kind, Kind::Word | Kind::Int | Kind::Str) => {
                self.tok(Mode::Normal)
            }
            _ => self.stuck("a value"),
        }
    }

    /// `[a, b]` with the items packed after the bracket.
    fn list(&mut self) -> R<Doc> {
        let open = self.expect("[")?;
        let items = self.comma_items(|l| l.literal())?;
        let close = self.expect("]")?;
        Ok(Doc::Concat(vec![open, align(Doc::Fill(items)), close]))
    }

    /// Comma-separated items up to a closing bracket, trailing comma dropped.
    fn comma_items(&mut self, mut item: impl FnMut(&mut Self) -> R<Doc>) -> R<Vec<Doc>> {
        let mut items = Vec::new();
        if self.at("]") {
            return Ok(items);
        }
        loop {
            let it = item(self)?;
            if self.at(",") {
                if self.peek2().is_some_and(|t| t.text == "]") {
                    let dropped = self.drop_token()?;
                    items.push(Doc::Concat(vec![it, dropped]));
                    break;
                }
                let comma = self.tok(Mode::Normal)?;
                items.push(Doc::Concat(vec![it, comma]));
                items.push(Doc::Line);
            } else {
                items.push(it);
                break;
            }
        }
        Ok(items)
    }

    // ---- fixes ----

    fn registry(&mut self) -> R<Doc> {
        let path = self.string()?;
        let name = match self.peek(Mode::RegName) {
            Some(t) if matches!(t.kind, Kind::Word | Kind::Str) => self.tok(Mode::RegName)?,
            _ => return self.stuck("a registry value name"),
        };
        let eq = self.expect("=")?;
        let Some(ty) = self.peek_word() else {
            return self.stuck("registry data");
        };
        let ty_doc = self.tok(Mode::Normal)?;
        let data = match ty {
            "dword" | "qword" => self.expect_kind(Kind::Int, "an integer")?,
            "multi_sz" => {
                let open = self.expect("[")?;
                let items = self.comma_items(|l| l.string())?;
                let close = self.expect("]")?;
                Doc::Concat(vec![open, align(Doc::Fill(items)), close])
            }
            _ => self.string()?,
        };
        let sp = || text(" ");
        Ok(group(align(Doc::Concat(vec![
            path,
            Doc::Line,
            name,
            sp(),
            eq,
            sp(),
            ty_doc,
            sp(),
            data,
        ]))))
    }

    fn policy(&mut self) -> R<Doc> {
        let mut parts = vec![self.string()?];
        if self.at("setting") {
            parts.push(Doc::Line);
            parts.push(self.tok(Mode::Normal)?);
            parts.push(text(" "));
            parts.push(self.string()?);
            if self.at("=") {
                parts.push(text(" "));
                parts.push(self.tok(Mode::Normal)?);
                parts.push(text(" "));
                parts.push(self.string()?);
            }
        }
        Ok(group(align(Doc::Concat(parts))))
    }

    // ---- examples ----

    fn given(&mut self) -> R<Doc> {
        let mut items = Vec::new();
        loop {
            let mut a = vec![self.ident()?, text(" "), self.expect("=")?, text(" ")];
            a.push(self.literal()?);
            if !self.at(",") {
                items.push(Doc::Concat(a));
                break;
            }
            // Another assignment follows only when `ident =` comes next.
            let more = {
                let save = self.pos;
                let comma = self.peek(Mode::Normal);
                let ok = comma.is_some_and(|c| {
                    token_at(self.src, c.end, Mode::Normal).is_some_and(|id| {
                        id.kind == Kind::Word
                            && token_at(self.src, id.end, Mode::Normal)
                                .is_some_and(|eq| eq.text == "=")
                    })
                });
                self.pos = save;
                ok
            };
            if more {
                a.push(self.tok(Mode::Normal)?);
                items.push(Doc::Concat(a));
                items.push(Doc::Line);
            } else {
                a.push(self.drop_token()?);
                items.push(Doc::Concat(a));
                break;
            }
        }
        Ok(align(Doc::Fill(items)))
    }

    fn expectation(&mut self) -> R<Doc> {
        let Some(kind) = self.peek_word() else {
            return self.stuck("an expectation");
        };
        let head = self.tok(Mode::Normal)?;
        match kind {
            "no_question" => Ok(head),
            "order" => {
                let mut items = vec![self.ident()?];
                while self.at(">") {
                    items.push(Doc::Line);
                    let gt = self.tok(Mode::Normal)?;
                    items.push(Doc::Concat(vec![gt, text(" "), self.ident()?]));
                }
                Ok(Doc::Concat(vec![head, text(" "), align(Doc::Fill(items))]))
            }
            _ => Ok(Doc::Concat(vec![head, text(" "), self.ident()?])),
        }
    }
}

/// A token as a document: own-line comments before it (with the blank lines
/// between them when `stmt`), the token, and its trailing comment.
fn token_doc(t: &Token<'_>, stmt: bool) -> Doc {
    let mut parts = Vec::new();
    for (i, c) in t.leading.iter().enumerate() {
        if stmt && i > 0 && c.blank_before {
            parts.push(Doc::Blank);
        }
        parts.push(Doc::OwnLine(c.text.to_string()));
    }
    if stmt && !t.leading.is_empty() && t.blank_before {
        parts.push(Doc::Blank);
    }
    parts.push(text(t.text));
    if let Some(c) = t.trailing {
        parts.push(Doc::Trailing(c.to_string()));
    }
    Doc::Concat(parts)
}

/// A text block in canonical form: `"""`, its dedented lines indented two
/// more than the line it starts on, and `"""` on a line of its own.
fn text_block(t: &Token<'_>) -> Doc {
    let inner = t.text.get(3..t.text.len().saturating_sub(3)).unwrap_or("");
    let value = crate::syntax::dedent(inner);
    let mut parts: Vec<Doc> = t
        .leading
        .iter()
        .map(|c| Doc::OwnLine(c.text.to_string()))
        .collect();
    if value.is_empty() {
        parts.push(text("\"\"\"\"\"\""));
    } else {
        let mut lines = Vec::new();
        for line in value.split('\n') {
            lines.push(Doc::Hard);
            lines.push(text(line));
        }
        parts.push(text("\"\"\""));
        parts.push(indent(2, Doc::Concat(lines)));
        parts.push(Doc::Hard);
        parts.push(text("\"\"\""));
    }
    if let Some(c) = t.trailing {
        parts.push(Doc::Trailing(c.to_string()));
    }
    Doc::Concat(parts)
}
