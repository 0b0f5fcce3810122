//! `kbc ask`: a guided diagnosis. Starts from the facts given (as `kbc
//! diagnose` takes them), then asks the next question, reads the answer
//! from standard input, updates the ranking, and repeats until the leading
//! cause is clear (the diagnosis is conclusive), nothing is left worth
//! asking, or the input ends; then prints the full diagnosis with the fixes.
//!
//! An answer is the number of a listed answer, a value (`windows11`,
//! `yes`, `0x904`), or "don't know" (`?`, an empty line, the number shown
//! for it): that question is skipped and not asked again. Works the same
//! with answers piped in; each answer read is echoed then, so the
//! transcript reads like a session.

use super::diagnose::render::{self, Paint, RenderOptions};
use super::diagnose::{self, FactArgs, Given, KbArgs};
use kbc_runtime::model::{FactIdx, FactType};
use kbc_runtime::{Diagnosis, Matcher, Observation, Question};
use std::io::{BufRead, IsTerminal as _, Write};
use std::process::ExitCode;

/// Arguments of `kbc ask`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kb: KbArgs,
    #[command(flatten)]
    facts: FactArgs,
    /// How many causes to show in full in the final diagnosis.
    #[arg(long, value_name = "N", default_value_t = 3)]
    top: usize,
}

/// Why the session stopped asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Conclusive,
    NothingToAsk,
    EndOfInput,
}

/// What an answer line means.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// "Don't know": skip this question for good.
    Skip,
    /// A value to set, in the form `Observation::set` takes, and how to show it.
    Value(String),
}

const DONT_KNOW: &[&str] = &[
    "?",
    "don't know",
    "dont know",
    "don’t know",
    "do not know",
    "unknown",
    "skip",
    "idk",
];

/// Whether the answers are offered as a numbered list (the fact has a
/// closed set of values).
fn numbered(ty: &FactType) -> bool {
    matches!(ty, FactType::Bool | FactType::Enum(_))
}

/// Reads an answer line for question `q` of a fact of type `ty`.
fn parse_answer(ty: &FactType, q: &Question, line: &str) -> Answer {
    let t = line.trim();
    let lower = t.to_lowercase();
    if t.is_empty() || DONT_KNOW.contains(&lower.as_str()) {
        return Answer::Skip;
    }
    if numbered(ty) {
        if let Ok(n) = t.parse::<usize>() {
            if (1..=q.answers.len()).contains(&n) {
                if let Some(a) = q.answers.get(n - 1) {
                    return Answer::Value(a.clone());
                }
            }
            if n == q.answers.len() + 1 {
                return Answer::Skip;
            }
        }
    }
    match ty {
        FactType::Enum(values) => {
            let hit = values.iter().find(|v| {
                v.id.eq_ignore_ascii_case(t)
                    || v.label
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(t))
            });
            Answer::Value(hit.map_or_else(|| t.to_string(), |v| v.id.clone()))
        }
        FactType::Bool => Answer::Value(match lower.as_str() {
            "y" => "yes".to_string(),
            "n" => "no".to_string(),
            _ => t.to_string(),
        }),
        _ => Answer::Value(t.to_string()),
    }
}

fn print_leading(out: &mut impl Write, d: &Diagnosis<'_>, p: Paint) -> std::io::Result<()> {
    if d.causes.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", p.heading("Leading causes now"))?;
    for c in d.causes.iter().take(3) {
        let share = render::percent(c.share);
        writeln!(
            out,
            "{}",
            render::wrap(c.title, &format!("  {share:>4}  "), 8)
        )?;
    }
    Ok(())
}

fn print_question(
    out: &mut impl Write,
    m: &Matcher,
    q: &Question,
    number: usize,
    p: Paint,
) -> std::io::Result<()> {
    let ty = m
        .facts()
        .iter()
        .find(|f| f.id == q.fact)
        .map(|f| &f.ty)
        .unwrap_or(&FactType::Text);
    writeln!(
        out,
        "{} {}",
        p.heading(&format!("Question {number}")),
        p.dim(&format!("({})", q.fact))
    )?;
    writeln!(out, "{}", render::wrap(&q.text, "  ", 2))?;
    if numbered(ty) {
        for (i, a) in q.answers.iter().enumerate() {
            let shown = match ty {
                FactType::Bool if a == "true" => "yes".to_string(),
                FactType::Bool if a == "false" => "no".to_string(),
                FactType::Enum(vs) => match vs.iter().find(|v| &v.id == a) {
                    Some(v) if v.label.is_some() => {
                        format!("{} {}", v.display_label(), p.dim(&format!("({a})")))
                    }
                    _ => a.clone(),
                },
                _ => a.clone(),
            };
            writeln!(out, "    {}) {shown}", i + 1)?;
        }
        writeln!(out, "    {}) don't know", q.answers.len() + 1)?;
    } else {
        if !q.answers.is_empty() {
            writeln!(
                out,
                "{}",
                render::wrap(
                    &format!("The rules tell apart: {}", q.answers.join(", ")),
                    "    ",
                    4
                )
            )?;
        }
        writeln!(out, "    Type a value, or ? if you don't know.")?;
    }
    Ok(())
}

/// Runs `kbc ask`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    super::diagnose::ignore_broken_pipe(run_inner(args))
}

fn run_inner(args: Args) -> anyhow::Result<ExitCode> {
    let Some(m) = diagnose::load_matcher(&args.kb)? else {
        return Ok(ExitCode::from(1));
    };
    let (mut obs, mut given) = diagnose::observe(&m, &args.facts)?;
    let p = diagnose::stdout_paint();
    let stdin = std::io::stdin();
    let echo = !stdin.is_terminal();
    let mut term = Terminal {
        input: stdin.lock(),
        out: std::io::stdout().lock(),
        echo,
        p,
    };
    let mut skip = Vec::new();
    let stop = session(&m, &mut obs, &mut given, &mut skip, &mut term)?;
    let mut out = term.out;
    let mut d = m.diagnose(&obs);
    d.next_question = m.next_question_skipping(&obs, &skip);
    let reason = match stop.0 {
        Stop::Conclusive => "The leading cause is clear.",
        Stop::NothingToAsk => "Nothing left to ask would change the ranking.",
        Stop::EndOfInput => "No more answers.",
    };
    writeln!(
        out,
        "{}\n",
        render::wrap(
            &format!(
                "{reason} {} asked, {} answered, {} skipped.",
                plural(stop.1, "question"),
                stop.2,
                skip.len()
            ),
            "",
            0
        )
    )?;
    let opts = RenderOptions {
        top: args.top.max(1),
        question_hint: false,
        show_question: stop.0 == Stop::EndOfInput,
    };
    let text = render::diagnosis(&d, &m, &obs, &given, &opts, p);
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Where answers come from and the session goes.
struct Terminal<R, W> {
    input: R,
    out: W,
    /// Echo each answer read (the input is not a terminal).
    echo: bool,
    p: Paint,
}

/// Asks until done: why it stopped, questions asked, questions answered.
fn session(
    m: &Matcher,
    obs: &mut Observation<'_>,
    given: &mut Given,
    skip: &mut Vec<FactIdx>,
    term: &mut Terminal<impl BufRead, impl Write>,
) -> anyhow::Result<(Stop, usize, usize)> {
    let p = term.p;
    let facts = m.facts();
    let mut asked = 0;
    let mut answered = 0;
    let mut shown: Option<Vec<(String, i64)>> = None;
    writeln!(
        term.out,
        "{}",
        render::wrap(
            "Answer each question with the number of an answer or its value; ? or an empty line means you don't know (that question is then skipped). End the input (Ctrl-D) to stop.",
            "",
            0
        )
    )?;
    // Each round sets a fact or skips one, so this ends; the bound is a guard.
    for _ in 0..=facts.len() {
        let d = m.diagnose(obs);
        if d.conclusive {
            return Ok((Stop::Conclusive, asked, answered));
        }
        let Some(q) = m.next_question_skipping(obs, skip) else {
            return Ok((Stop::NothingToAsk, asked, answered));
        };
        let f = q.index;
        let ty = facts
            .get(f.index())
            .map_or(FactType::Text, |x| x.ty.clone());
        // The ranking, when it changed since the last time it was shown.
        let now: Vec<(String, i64)> = d
            .causes
            .iter()
            .take(3)
            .map(|c| (c.id.to_string(), c.score))
            .collect();
        term.out.write_all(b"\n")?;
        if shown.as_ref() != Some(&now) {
            print_leading(&mut term.out, &d, p)?;
            term.out.write_all(b"\n")?;
        }
        shown = Some(now);
        asked += 1;
        print_question(&mut term.out, m, &q, asked, p)?;
        loop {
            write!(term.out, "> ")?;
            term.out.flush()?;
            let mut line = String::new();
            if term.input.read_line(&mut line)? == 0 {
                if term.echo {
                    writeln!(term.out)?;
                }
                return Ok((Stop::EndOfInput, asked, answered));
            }
            if term.echo {
                writeln!(term.out, "{}", line.trim_end())?;
            }
            match parse_answer(&ty, &q, &line) {
                Answer::Skip => {
                    writeln!(term.out, "  Skipped; this question won't be asked again.")?;
                    skip.push(f);
                    break;
                }
                Answer::Value(v) => match obs.set(&q.fact, &v) {
                    Ok(()) => {
                        given.answered(f, v);
                        answered += 1;
                        break;
                    }
                    Err(e) => {
                        writeln!(term.out, "{}", render::wrap(&e.to_string(), "  ", 4))?;
                        writeln!(term.out, "  Try again, or answer ? if you don't know.")?;
                    }
                },
            }
        }
    }
    Ok((Stop::NothingToAsk, asked, answered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kbc_runtime::model::EnumValue;

    fn q(answers: &[&str]) -> Question {
        Question {
            fact: "f".into(),
            text: "F?".into(),
            label: "f".into(),
            answers: answers.iter().map(|a| a.to_string()).collect(),
            index: FactIdx(0),
        }
    }

    #[test]
    fn answers_by_number_value_label_or_dont_know() {
        let ty = FactType::Enum(vec![
            EnumValue {
                id: "windows10".into(),
                label: Some("Windows 10".into()),
            },
            EnumValue {
                id: "windows11".into(),
                label: Some("Windows 11".into()),
            },
        ]);
        let q = q(&["windows10", "windows11"]);
        let v = |s: &str| Answer::Value(s.to_string());
        assert_eq!(parse_answer(&ty, &q, "2\n"), v("windows11"));
        assert_eq!(parse_answer(&ty, &q, "windows10"), v("windows10"));
        assert_eq!(parse_answer(&ty, &q, "Windows 11"), v("windows11"));
        assert_eq!(parse_answer(&ty, &q, "WINDOWS10"), v("windows10"));
        assert_eq!(parse_answer(&ty, &q, "3"), Answer::Skip);
        assert_eq!(parse_answer(&ty, &q, ""), Answer::Skip);
        assert_eq!(parse_answer(&ty, &q, " ? "), Answer::Skip);
        assert_eq!(parse_answer(&ty, &q, "Don't know"), Answer::Skip);
        assert_eq!(parse_answer(&ty, &q, "windows12"), v("windows12"));
    }

    #[test]
    fn bool_answers() {
        let q = q(&["true", "false"]);
        let v = |s: &str| Answer::Value(s.to_string());
        assert_eq!(parse_answer(&FactType::Bool, &q, "1"), v("true"));
        assert_eq!(parse_answer(&FactType::Bool, &q, "2"), v("false"));
        assert_eq!(parse_answer(&FactType::Bool, &q, "y"), v("yes"));
        assert_eq!(parse_answer(&FactType::Bool, &q, "no"), v("no"));
        assert_eq!(parse_answer(&FactType::Bool, &q, "3"), Answer::Skip);
    }

    #[test]
    fn int_answers_are_values_not_numbers_of_the_list() {
        let q = q(&["7", "31"]);
        let v = |s: &str| Answer::Value(s.to_string());
        assert_eq!(parse_answer(&FactType::Int, &q, "1"), v("1"));
        assert_eq!(parse_answer(&FactType::Int, &q, "0x7"), v("0x7"));
    }
}
