//! The human form of a diagnosis: what was observed, the leading causes and
//! why, what was ruled out, the fixes step by step, and the next question.
//! Plain text, wrapped at [`WIDTH`] columns, coloured only when asked.

use super::Given;
use kbc_runtime::model::{Fact, FactType, Step};
use kbc_runtime::{Diagnosis, EvidenceReport, Matcher, Observation, Question, SymptomStatus};
use std::fmt::Write as _;

/// Prose is wrapped at this many columns (code is never wrapped).
pub const WIDTH: usize = 100;

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    on: bool,
}

impl Paint {
    /// Colours when `on`.
    pub fn new(on: bool) -> Paint {
        Paint { on }
    }

    fn wrap(self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// A section heading.
    pub fn heading(self, s: &str) -> String {
        self.wrap("1;4", s)
    }

    /// Emphasis.
    pub fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }

    /// Ids and secondary details.
    pub fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }

    /// Evidence for a cause.
    pub fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }

    /// Evidence against, ruled out.
    pub fn red(self, s: &str) -> String {
        self.wrap("31", s)
    }

    /// Warnings.
    pub fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }

    /// Code.
    pub fn cyan(self, s: &str) -> String {
        self.wrap("36", s)
    }
}

/// What to show.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Causes shown in full (with their evidence and their fixes' steps).
    pub top: usize,
    /// End the question with how to answer it on the command line.
    pub question_hint: bool,
    /// Show the next question at all.
    pub show_question: bool,
}

/// Wraps `text` at [`WIDTH`]: the first line after `first`, the others
/// indented by `rest` spaces.
pub fn wrap(text: &str, first: &str, rest: usize) -> String {
    let mut out = String::from(first);
    let mut col = first.chars().count();
    let mut fresh = true;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if !fresh && col + 1 + len > WIDTH {
            out.push('\n');
            out.push_str(&" ".repeat(rest));
            col = rest;
        } else if !fresh {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += len;
        fresh = false;
    }
    out
}

/// A share or probability as a rounded percentage (`<1%`, `>99%` at the ends).
pub fn percent(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 0.5 {
        "<1%".into()
    } else if (99.5..100.0).contains(&p) {
        ">99%".into()
    } else {
        format!("{p:.0}%")
    }
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// A cause's score line: `score -5 dB · probability 24% · share 31%`.
pub fn score_line(score: i64, probability: f64, share: f64) -> String {
    format!(
        "score {} dB · probability {} · share {}",
        signed(score),
        percent(probability),
        percent(share)
    )
}

fn evidence_line(out: &mut String, e: &EvidenceReport<'_>, indent: usize, p: Paint) {
    let (mark, tag) = match e.decibans {
        Some(d) if d >= 0 => ("+", format!("[{}, +{d} dB]", e.strength)),
        Some(d) => ("-", format!("[{}, {d} dB]", e.strength)),
        None if e.facts.is_empty() => ("x", "[rules out]".to_string()),
        None => ("x", format!("[rules out; from {}]", e.facts.join(", "))),
    };
    let pad = " ".repeat(indent);
    let mut text = wrap(&e.text, &format!("{pad}{mark} "), indent + 2);
    // The tag stays in one piece: after the text, or on a line of its own.
    let last = text.rsplit('\n').next().map_or(0, |l| l.chars().count());
    if last + 1 + tag.chars().count() <= WIDTH {
        text.push(' ');
    } else {
        text.push('\n');
        text.push_str(&" ".repeat(indent + 2));
    }
    text.push_str(&p.dim(&tag));
    // Paint the mark only, so wrapping stays exact.
    let mark_at = format!("{pad}{mark} ");
    let painted = match mark {
        "+" => text.replacen(&mark_at, &format!("{pad}{} ", p.green(mark)), 1),
        _ => text.replacen(&mark_at, &format!("{pad}{} ", p.red(mark)), 1),
    };
    let _ = writeln!(out, "{painted}");
}

fn given_section(out: &mut String, facts: &[Fact], obs: &Observation<'_>, given: &Given) {
    let mut rows: Vec<(String, String)> = Vec::new();
    for f in obs.known_facts() {
        let Some(fact) = facts.get(f.index()) else {
            continue;
        };
        let shown = match &fact.ty {
            FactType::Text => {
                let segs = obs.segments(f);
                let first: String = segs
                    .first()
                    .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default();
                let cut: String = first.chars().take(70).collect();
                let ell = if cut.len() < first.len() { "…" } else { "" };
                match segs.len() {
                    1 => format!("\"{cut}{ell}\""),
                    n => format!("\"{cut}{ell}\" and {} more", n - 1),
                }
            }
            FactType::Enum(values) => {
                let raw =
                    given
                        .shown(f)
                        .map(str::to_string)
                        .unwrap_or_else(|| match obs.value(f) {
                            Some(kbc_runtime::model::Value::Enum(i)) => values
                                .get(*i as usize)
                                .map(|v| v.id.clone())
                                .unwrap_or_default(),
                            _ => String::new(),
                        });
                let label = values
                    .iter()
                    .find(|v| v.id == raw)
                    .and_then(|v| v.label.as_deref());
                match label {
                    Some(l) => format!("{raw} ({l})"),
                    None => raw,
                }
            }
            _ => given
                .shown(f)
                .map(str::to_string)
                .or_else(|| obs.value(f).map(value_text))
                .unwrap_or_default(),
        };
        rows.push((fact.id.clone(), shown));
    }
    if rows.is_empty() {
        let _ = writeln!(out, "  nothing yet");
        return;
    }
    let w = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, shown) in rows {
        let _ = writeln!(out, "  {name:<w$} = {shown}");
    }
    for log in given.logs() {
        let _ = writeln!(out, "  {}", wrap(log, "", 4));
    }
}

fn value_text(v: &kbc_runtime::model::Value) -> String {
    use kbc_runtime::model::Value;
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Str(s) => format!("\"{s}\""),
        Value::Enum(i) => format!("#{i}"),
    }
}

fn shell_name(step_shell: kbc_runtime::model::Shell) -> &'static str {
    match step_shell {
        kbc_runtime::model::Shell::Cmd => "Run in Command Prompt (cmd):",
        kbc_runtime::model::Shell::Powershell => "Run in PowerShell:",
        kbc_runtime::model::Shell::Shell => "Run in a shell:",
    }
}

/// Paints the last occurrence of `tail` in `line` when it sits on one line.
fn paint_tail(line: &str, tail: &str, paint: impl Fn(&str) -> String) -> String {
    match line.rfind(tail) {
        Some(i) => format!("{}{}{}", &line[..i], paint(tail), &line[i + tail.len()..]),
        None => line.to_string(),
    }
}

/// One fix step, numbered `label`, indented by `indent`.
fn step(out: &mut String, s: &Step, label: &str, indent: usize, p: Paint) {
    let head = format!("{}{label} ", " ".repeat(indent));
    let body = indent + label.chars().count() + 1;
    let pad = " ".repeat(body);
    let code_pad = " ".repeat(body + 4);
    match s {
        Step::Prose { text } => {
            let _ = writeln!(out, "{}", wrap(text, &head, body));
        }
        Step::Command { shell, code } => {
            let _ = writeln!(out, "{head}{}", shell_name(*shell));
            for line in code.lines() {
                let _ = writeln!(out, "{code_pad}{}", p.cyan(line));
            }
        }
        Step::Registry { path, name, data } => {
            let _ = writeln!(out, "{head}Set the registry value:");
            let _ = writeln!(out, "{pad}  path  {}", p.cyan(path));
            let _ = writeln!(out, "{pad}  name  {}", p.cyan(name));
            let _ = writeln!(out, "{pad}  type  {}", p.cyan(data.type_name()));
            let _ = writeln!(out, "{pad}  data  {}", p.cyan(&data.data_text()));
        }
        Step::Policy {
            path,
            setting,
            value,
        } => {
            let _ = writeln!(out, "{head}In the Group Policy editor (gpedit.msc), open");
            let _ = writeln!(
                out,
                "{}",
                wrap(&path.join(" > "), &format!("{pad}  "), body + 4)
            );
            match (setting, value) {
                (Some(s), Some(v)) => {
                    let line = wrap(
                        &format!("and set \"{s}\" to {v}"),
                        &format!("{pad}  "),
                        body + 4,
                    );
                    let _ = writeln!(out, "{}", paint_tail(&line, v, |t| p.bold(t)));
                }
                (Some(s), None) => {
                    let line = wrap(
                        &format!("and open the setting \"{s}\""),
                        &format!("{pad}  "),
                        body + 4,
                    );
                    let _ = writeln!(out, "{line}");
                }
                (None, Some(v)) => {
                    let _ = writeln!(out, "{pad}  and set it to {}", p.bold(v));
                }
                (None, None) => {}
            }
        }
        Step::Ui { path } => {
            let _ = writeln!(
                out,
                "{}",
                wrap(&format!("Open {}", path.join(" > ")), &head, body)
            );
        }
        Step::Reboot { what } => {
            let text = match what {
                Some(w) => format!("Restart {w}."),
                None => "Restart the computer.".to_string(),
            };
            let _ = writeln!(out, "{head}{text}");
        }
        Step::Warning { text } => {
            let w = wrap(&format!("Warning: {text}"), &head, body);
            let _ = writeln!(out, "{}", w.replacen("Warning:", &p.yellow("Warning:"), 1));
        }
        Step::Link { url, title } => {
            let _ = writeln!(out, "{}", wrap(&format!("Read: {title}"), &head, body));
            let _ = writeln!(out, "{pad}{}", p.dim(url));
        }
    }
}

/// The question, its answers, and optionally how to give one.
pub fn question(out: &mut String, facts: &[Fact], q: &Question, hint: bool, p: Paint) {
    let _ = writeln!(out, "{}", wrap(&q.text, "  ", 2));
    let fact = facts.iter().find(|f| f.id == q.fact);
    let labels: Vec<(String, Option<String>)> = q
        .answers
        .iter()
        .map(|a| {
            let label = match fact.map(|f| &f.ty) {
                Some(FactType::Enum(vs)) => {
                    vs.iter().find(|v| &v.id == a).and_then(|v| v.label.clone())
                }
                _ => None,
            };
            (a.clone(), label)
        })
        .collect();
    let w = labels.iter().map(|(a, _)| a.len()).max().unwrap_or(0);
    for (a, label) in &labels {
        match label {
            Some(l) => {
                let _ = writeln!(out, "    {}  {l}", p.bold(&format!("{a:<w$}")));
            }
            None => {
                let _ = writeln!(out, "    {}", p.bold(a));
            }
        }
    }
    if hint {
        let _ = writeln!(
            out,
            "{}",
            wrap(
                &format!(
                    "Answer with `--fact {}=VALUE`, or run `kbc ask` to be asked one question at a time.",
                    q.fact
                ),
                "  ",
                2
            )
        );
    }
}

/// The whole diagnosis as text.
pub fn diagnosis(
    d: &Diagnosis<'_>,
    m: &Matcher,
    obs: &Observation<'_>,
    given: &Given,
    opts: &RenderOptions,
    p: Paint,
) -> String {
    let facts = m.facts();
    let mut out = String::new();

    // What was observed.
    let _ = writeln!(out, "{}", p.heading("Given"));
    given_section(&mut out, facts, obs, given);
    out.push('\n');
    match d.symptoms.first().map(|s| s.status) {
        None => {
            let _ = writeln!(out, "{}", p.heading("Symptom"));
            let _ = writeln!(
                out,
                "{}",
                wrap(
                    "No symptom of this knowledge base fits the facts given, so there is nothing to rank. Check the error code, or give the error message with --message.",
                    "  ",
                    2
                )
            );
        }
        Some(SymptomStatus::Observed) => {
            let heading = if d.symptoms.len() == 1 {
                "Symptom observed"
            } else {
                "Symptoms observed"
            };
            let _ = writeln!(out, "{}", p.heading(heading));
        }
        Some(_) => {
            let _ = writeln!(
                out,
                "{}",
                p.heading("Possible symptoms (the facts given do not settle which)")
            );
        }
    }
    for s in &d.symptoms {
        let _ = writeln!(
            out,
            "{}",
            wrap(
                &format!("{} {}", s.title, p.dim(&format!("({})", s.id))),
                "  ",
                4
            )
        );
    }

    // Causes.
    let top = opts.top.min(d.causes.len());
    if !d.causes.is_empty() {
        out.push('\n');
        let heading = if d.conclusive {
            "Most likely cause (conclusive)"
        } else {
            "Most likely causes"
        };
        let _ = writeln!(out, "{}", p.heading(heading));
        for (i, c) in d.causes.iter().take(top).enumerate() {
            let n = format!("{}.", i + 1);
            let _ = writeln!(out, "{}", wrap(&p.bold(c.title), &format!("  {n} "), 5));
            let _ = writeln!(
                out,
                "     {} · {}",
                p.dim(c.id),
                score_line(c.score, c.probability, c.share)
            );
            if c.evidence.is_empty() {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap(
                        &format!(
                            "no evidence for or against yet: ranked by how common it is ({})",
                            c.prior.replace('_', " ")
                        ),
                        "     ",
                        5
                    )
                );
            }
            for e in &c.evidence {
                evidence_line(&mut out, e, 5, p);
            }
        }
        if d.causes.len() > top {
            out.push('\n');
            let _ = writeln!(out, "{}", p.heading("Less likely (score, share)"));
            let nw = d.causes.len().to_string().len();
            for (i, c) in d.causes.iter().enumerate().skip(top) {
                let head = format!(
                    "  {:>nw$}. {:>4} dB {:>4}  ",
                    i + 1,
                    signed(c.score),
                    percent(c.share)
                );
                let indent = head.chars().count();
                let line = wrap(&format!("{} ({})", c.title, c.id), &head, indent);
                let _ = writeln!(
                    out,
                    "{}",
                    paint_tail(&line, &format!("({})", c.id), |t| p.dim(t))
                );
            }
        }
    }

    // Ruled out.
    if !d.ruled_out.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", p.heading("Ruled out (no need to check these)"));
        for r in &d.ruled_out {
            let _ = writeln!(
                out,
                "{}",
                wrap(
                    &format!("{} {}", r.title, p.dim(&format!("({})", r.id))),
                    "  - ",
                    4
                )
            );
            for e in &r.evidence {
                evidence_line(&mut out, e, 4, p);
            }
        }
    }

    // Fixes: those of the causes shown in full get their steps.
    let shown: Vec<&str> = d.causes.iter().take(top).map(|c| c.id).collect();
    let (full, rest): (Vec<_>, Vec<_>) = d.fixes.iter().partition(|f| shown.contains(&f.cause));
    if !full.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", p.heading("Fixes to try, in order"));
        for (i, f) in full.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let n = format!("{}.", i + 1);
            let _ = writeln!(out, "{}", wrap(&p.bold(f.title), &format!("  {n} "), 5));
            let _ = writeln!(
                out,
                "{}",
                wrap(
                    &format!(
                        "{} · for {} · effort {} · risk {} · needs {}",
                        p.dim(f.id),
                        f.causes.join(", "),
                        f.effort,
                        f.risk,
                        f.needs.replace('_', " ")
                    ),
                    "     ",
                    5
                )
            );
            let width = f.steps.len().to_string().len();
            for (k, s) in f.steps.iter().enumerate() {
                let label = format!("{}.{:<width$}", i + 1, k + 1);
                step(&mut out, s, &label, 5, p);
            }
        }
    }
    if !rest.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", p.heading("Fixes for the less likely causes"));
        let nw = (full.len() + rest.len()).to_string().len();
        for (i, f) in rest.iter().enumerate() {
            let n = format!("{:>nw$}.", full.len() + i + 1);
            let line = wrap(
                &format!("{} ({}) · for {}", f.title, f.id, f.causes.join(", ")),
                &format!("  {n} "),
                nw + 4,
            );
            let _ = writeln!(
                out,
                "{}",
                line.replacen(&format!("({})", f.id), &p.dim(&format!("({})", f.id)), 1)
            );
        }
    }

    // The next question.
    if opts.show_question && (!d.causes.is_empty() || !d.symptoms.is_empty()) {
        out.push('\n');
        match &d.next_question {
            Some(q) => {
                let _ = writeln!(
                    out,
                    "{} {}",
                    p.heading("Next question"),
                    p.dim(&format!("({})", q.fact))
                );
                question(&mut out, facts, q, opts.question_hint, p);
            }
            None => {
                let _ = writeln!(out, "{}", p.heading("Next question"));
                let _ = writeln!(
                    out,
                    "{}",
                    wrap("None: no unknown fact would change the ranking.", "  ", 2)
                );
            }
        }
    }
    out
}
