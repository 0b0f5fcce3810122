//! A small pretty-printing document and its printer, in the style of
//! Wadler's "prettier printer" as prettier implements it: groups print flat
//! when they fit in the line and break otherwise; fills pack items greedily.
//!
//! Two additions carry comments through: [`Doc::Trailing`] puts a comment at
//! the end of the current line, [`Doc::OwnLine`] on a line of its own; after
//! either, the next text starts on a new line, so a comment can never swallow
//! code. A group holding a comment or a hard line always breaks.

/// Widest line the printer aims for, in characters.
pub(crate) const WIDTH: usize = 100;

/// A document to print.
#[derive(Debug, Clone)]
pub(crate) enum Doc {
    /// Nothing.
    Nil,
    /// Text without line breaks.
    Text(String),
    /// A space when flat, a line break when broken.
    Line,
    /// Nothing when flat, a line break when broken.
    SoftLine,
    /// Always a line break.
    Hard,
    /// An empty line: two line breaks.
    Blank,
    /// Its contents with the indentation increased by `n`.
    Indent(usize, Box<Doc>),
    /// Its contents with the indentation set to the current column.
    Align(Box<Doc>),
    /// Printed flat if it fits, else broken; `true` when it must break.
    Group(Box<Doc>, bool),
    /// `[item, separator, item, separator, ...]`: each separator breaks only
    /// when the next item does not fit on the line.
    Fill(Vec<Doc>),
    /// Several documents in a row.
    Concat(Vec<Doc>),
    /// A comment at the end of the current line.
    Trailing(String),
    /// A comment on a line of its own at the current indentation.
    OwnLine(String),
}

/// Text.
pub(crate) fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

/// A group: flat when it fits.
pub(crate) fn group(d: Doc) -> Doc {
    let must = forces_break(&d);
    Doc::Group(Box::new(d), must)
}

/// Contents indented by `n` more spaces.
pub(crate) fn indent(n: usize, d: Doc) -> Doc {
    Doc::Indent(n, Box::new(d))
}

/// Contents whose line breaks return to the current column.
pub(crate) fn align(d: Doc) -> Doc {
    Doc::Align(Box::new(d))
}

/// Whether a document always breaks its enclosing group.
fn forces_break(d: &Doc) -> bool {
    match d {
        Doc::Hard | Doc::Blank | Doc::Trailing(_) | Doc::OwnLine(_) => true,
        Doc::Group(_, must) => *must,
        Doc::Indent(_, d) | Doc::Align(d) => forces_break(d),
        Doc::Fill(v) | Doc::Concat(v) => v.iter().any(forces_break),
        Doc::Nil | Doc::Text(_) | Doc::Line | Doc::SoftLine => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

#[derive(Clone, Copy)]
enum Cmd<'d> {
    Doc(usize, Mode, &'d Doc),
    Fill(usize, Mode, &'d [Doc]),
}

struct Printer {
    out: String,
    /// Characters on the current line.
    col: usize,
    /// Comments waiting for the end of the line.
    suffix: Vec<String>,
    /// The next text must start on a new line (after a comment).
    pending: bool,
}

impl Printer {
    fn newline(&mut self, indent: usize) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        if !self.suffix.is_empty() {
            let comments = std::mem::take(&mut self.suffix);
            for (i, c) in comments.iter().enumerate() {
                if i > 0 {
                    self.out.push('\n');
                    self.out.push_str(&" ".repeat(indent));
                } else if !self.out.is_empty() && !self.out.ends_with('\n') {
                    self.out.push_str("  ");
                }
                self.out.push_str(c);
            }
        }
        self.out.push('\n');
        self.out.push_str(&" ".repeat(indent));
        self.col = indent;
        self.pending = false;
    }

    fn at_line_start(&self) -> bool {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.trim().is_empty()
    }

    fn push(&mut self, s: &str, indent: usize) {
        if self.pending && s.trim().is_empty() {
            // Spaces before a forced line break would only be trimmed.
            return;
        }
        if self.pending {
            self.newline(indent);
        }
        self.out.push_str(s);
        self.col += s.chars().count();
    }
}

/// Prints a document.
pub(crate) fn print(doc: &Doc) -> String {
    let mut p = Printer {
        out: String::new(),
        col: 0,
        suffix: Vec::new(),
        pending: false,
    };
    let mut stack: Vec<Cmd<'_>> = vec![Cmd::Doc(0, Mode::Break, doc)];
    while let Some(cmd) = stack.pop() {
        let (ind, mode, d) = match cmd {
            Cmd::Doc(i, m, d) => (i, m, d),
            Cmd::Fill(i, m, items) => {
                fill(&mut p, &mut stack, i, m, items);
                continue;
            }
        };
        match d {
            Doc::Nil => {}
            Doc::Text(s) => p.push(s, ind),
            Doc::Line | Doc::SoftLine if mode == Mode::Flat && !p.pending => {
                if matches!(d, Doc::Line) {
                    p.push(" ", ind);
                }
            }
            Doc::Line | Doc::SoftLine | Doc::Hard => p.newline(ind),
            Doc::Blank => {
                p.newline(0);
                p.newline(ind);
            }
            Doc::Indent(n, inner) => stack.push(Cmd::Doc(ind + n, mode, inner)),
            Doc::Align(inner) => stack.push(Cmd::Doc(p.col, mode, inner)),
            Doc::Group(inner, must) => {
                let flat = !must
                    && (mode == Mode::Flat
                        || fits(&[Cmd::Doc(ind, Mode::Flat, inner)], &stack, &p));
                let m = if flat { Mode::Flat } else { Mode::Break };
                stack.push(Cmd::Doc(ind, m, inner));
            }
            Doc::Fill(items) => stack.push(Cmd::Fill(ind, mode, items)),
            Doc::Concat(items) => {
                for item in items.iter().rev() {
                    stack.push(Cmd::Doc(ind, mode, item));
                }
            }
            Doc::Trailing(c) => {
                p.suffix.push(c.clone());
                p.pending = true;
            }
            Doc::OwnLine(c) => {
                if p.at_line_start() {
                    let keep = p.out.trim_end_matches(' ').len();
                    p.out.truncate(keep);
                    p.out.push_str(&" ".repeat(ind));
                    p.col = ind;
                    p.pending = false;
                } else {
                    p.newline(ind);
                }
                p.out.push_str(c);
                p.pending = true;
            }
        }
    }
    if !p.suffix.is_empty() {
        p.newline(0);
    }
    let trimmed = p.out.trim_end().len();
    p.out.truncate(trimmed);
    p.out
}

/// One step of a fill: prints the next item and decides its separator.
fn fill<'d>(p: &mut Printer, stack: &mut Vec<Cmd<'d>>, ind: usize, mode: Mode, items: &'d [Doc]) {
    let Some(first) = items.first() else {
        return;
    };
    if mode == Mode::Flat {
        for item in items.iter().rev() {
            stack.push(Cmd::Doc(ind, Mode::Flat, item));
        }
        return;
    }
    let first_fits = fits(&[Cmd::Doc(ind, Mode::Flat, first)], &[], p);
    let first_mode = if first_fits { Mode::Flat } else { Mode::Break };
    match items {
        [_] => stack.push(Cmd::Doc(ind, first_mode, first)),
        [_, sep] => {
            stack.push(Cmd::Doc(ind, first_mode, sep));
            stack.push(Cmd::Doc(ind, first_mode, first));
        }
        [_, sep, next, ..] => {
            let both = [
                Cmd::Doc(ind, Mode::Flat, first),
                Cmd::Doc(ind, Mode::Flat, sep),
                Cmd::Doc(ind, Mode::Flat, next),
            ];
            let sep_mode = if fits(&both, &[], p) {
                Mode::Flat
            } else {
                Mode::Break
            };
            stack.push(Cmd::Fill(ind, mode, &items[2..]));
            stack.push(Cmd::Doc(ind, sep_mode, sep));
            stack.push(Cmd::Doc(ind, first_mode, first));
        }
        [] => {}
    }
}

/// Whether `next` fits on the rest of the line, followed by whatever of
/// `rest` (the printer's stack) comes before the next line break.
fn fits(next: &[Cmd<'_>], rest: &[Cmd<'_>], p: &Printer) -> bool {
    if p.pending {
        // The text goes to a new line anyway; judge it from there.
        return true;
    }
    let mut width = WIDTH as isize - p.col as isize;
    let mut local: Vec<Cmd<'_>> = next.iter().rev().copied().collect();
    let mut rest_i = rest.len();
    loop {
        let cmd = match local.pop() {
            Some(c) => c,
            None => {
                if rest_i == 0 {
                    return true;
                }
                rest_i -= 1;
                rest[rest_i]
            }
        };
        let (mode, d) = match cmd {
            Cmd::Doc(_, m, d) => (m, d),
            Cmd::Fill(i, m, items) => {
                for item in items.iter().rev() {
                    local.push(Cmd::Doc(i, m, item));
                }
                continue;
            }
        };
        match d {
            Doc::Nil => {}
            Doc::Text(s) => {
                width -= s.chars().count() as isize;
                if width < 0 {
                    return false;
                }
            }
            Doc::Line if mode == Mode::Flat => {
                width -= 1;
                if width < 0 {
                    return false;
                }
            }
            Doc::SoftLine if mode == Mode::Flat => {}
            Doc::Line | Doc::SoftLine | Doc::Hard | Doc::Blank => return true,
            Doc::Trailing(_) | Doc::OwnLine(_) => return true,
            Doc::Indent(_, inner) | Doc::Align(inner) => local.push(Cmd::Doc(0, mode, inner)),
            Doc::Group(inner, must) => {
                let m = if *must { Mode::Break } else { mode };
                local.push(Cmd::Doc(0, m, inner));
            }
            Doc::Fill(items) | Doc::Concat(items) => {
                for item in items.iter().rev() {
                    local.push(Cmd::Doc(0, mode, item));
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn words(n: usize) -> Doc {
        let mut v = Vec::new();
        for i in 0..n {
            if i > 0 {
                v.push(Doc::Line);
            }
            v.push(text(format!("word{i:02},")));
        }
        Doc::Fill(v)
    }

    #[test]
    fn groups_break_only_when_too_long() {
        let short = group(Doc::Concat(vec![text("a"), Doc::Line, text("b")]));
        assert_eq!(print(&short), "a b");
        let long = group(Doc::Concat(vec![
            text("a".repeat(60)),
            Doc::Line,
            text("b".repeat(60)),
        ]));
        assert_eq!(print(&long).lines().count(), 2);
    }

    #[test]
    fn fills_pack_lines_and_align() {
        let d = Doc::Concat(vec![text("produces "), align(words(30))]);
        let out = print(&d);
        for line in out.lines() {
            assert!(line.len() <= WIDTH, "{line}");
        }
        assert!(out.lines().nth(1).unwrap().starts_with("         word"));
    }

    #[test]
    fn a_trailing_comment_ends_the_line() {
        let d = group(Doc::Concat(vec![
            text("a"),
            Doc::Trailing("# c".into()),
            Doc::Line,
            text("b"),
        ]));
        assert_eq!(print(&d), "a  # c\nb");
    }
}
