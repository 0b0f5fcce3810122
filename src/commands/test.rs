//! `kbc test [DIR]`: compile a knowledge base and run every `example` in it
//! against the compiled matcher. A failure shows the expectations and the
//! actual ranking side by side, at the example's source location. Exit 0
//! when every example passes (and coverage is at least `--min-coverage`),
//! 1 on a failing example, low coverage or errors in the rules, 2 on usage
//! errors.

use super::check::{load_and_check, print_text};
use super::diagnose::render::{wrap, Paint};
use kbc_runtime::{run_example, run_examples, Artifact, Coverage, ExampleReport, Matcher};
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `kbc test`.
#[derive(clap::Args)]
pub struct Args {
    /// The knowledge base folder (holding kb.yaml).
    #[arg(default_value = "rules")]
    dir: PathBuf,
    /// List the symptoms, causes and fixes no example reaches.
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when less than N percent of the symptoms, causes and
    /// fixes are reached by some example (implies `--coverage`).
    #[arg(long, value_name = "N")]
    min_coverage: Option<f64>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

/// A location in the knowledge base as a path the user can open from where
/// they ran `kbc`: `rules/examples/few_facts.kb:4:1`.
fn location(dir: &Path, loc: &kbc_runtime::model::Location) -> String {
    let base = dir.to_string_lossy().replace('\\', "/");
    let base = base.trim_end_matches('/');
    let file = if base.is_empty() || base == "." {
        loc.file.clone()
    } else {
        format!("{base}/{}", loc.file)
    };
    format!("{file}:{}:{}", loc.line, loc.column)
}

/// Coverage in percent, rounded down to one decimal so that 99.96 never
/// shows as 100.
fn percent(c: &Coverage) -> f64 {
    (c.percent() * 10.0).floor() / 10.0
}

/// The side-by-side report of a failing example.
fn failure(out: &mut String, dir: &Path, m: &Matcher, r: &ExampleReport, p: Paint) {
    let _ = writeln!(out, "{} {}: {}", p.red("FAIL"), p.bold(&r.id), r.title);
    let _ = writeln!(out, "  --> {}", location(dir, &r.location));
    if let Some(e) = &r.error {
        let _ = writeln!(out, "{}", wrap(&format!("error: {e}"), "  ", 4));
        return;
    }
    // The actual ranking with scores: run the example again for them.
    let ex = m.kb().examples.iter().find(|e| e.id == r.id);
    let actual: Vec<String> = match ex.map(|ex| run_example(m, ex)) {
        Some((_, Some(d))) => d
            .causes
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:>2}. {} ({} dB)", i + 1, c.id, c.score))
            .collect(),
        _ => r
            .ranking
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:>2}. {c}", i + 1))
            .collect(),
    };
    let actual = if actual.is_empty() {
        vec!["(nothing is ranked)".to_string()]
    } else {
        actual
    };
    let expected: Vec<(bool, String)> = r
        .results
        .iter()
        .map(|x| (x.passed, x.expectation.clone()))
        .collect();
    let w = expected
        .iter()
        .map(|(_, e)| e.chars().count() + 2)
        .max()
        .unwrap_or(0)
        .max("expected".len());
    let _ = writeln!(out, "  {:<w$} │ actual ranking", "expected");
    let _ = writeln!(out, "  {}─┼─{}", "─".repeat(w), "─".repeat(30));
    for i in 0..expected.len().max(actual.len()) {
        let left = match expected.get(i) {
            Some((true, e)) => format!("✓ {e}"),
            Some((false, e)) => format!("✗ {e}"),
            None => String::new(),
        };
        let pad = w.saturating_sub(left.chars().count());
        let left = match expected.get(i) {
            Some((false, _)) => p.red(&left),
            _ => left,
        };
        let right = actual.get(i).map_or("", String::as_str);
        let line = format!("  {left}{} │ {right}", " ".repeat(pad));
        let _ = writeln!(out, "{}", line.trim_end());
    }
    // Expectations about something other than the ranking: what was found.
    for x in r.results.iter().filter(|x| !x.passed) {
        if !x.actual.starts_with("ranking is") && !x.actual.starts_with("nothing is ranked") {
            let _ = writeln!(
                out,
                "{}",
                wrap(
                    &format!("✗ {} — actual {}", x.expectation, x.actual),
                    "  ",
                    4
                )
            );
        }
    }
}

fn coverage_text(out: &mut String, c: &Coverage) {
    let _ = writeln!(
        out,
        "coverage: {:.1}% ({} of {} symptoms, causes and fixes reached by an example)",
        percent(c),
        c.reached,
        c.total
    );
    for (what, ids) in [
        ("symptoms no example observes", &c.symptoms),
        ("causes no example ranks", &c.causes),
        ("fixes no example reaches", &c.fixes),
    ] {
        if !ids.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                wrap(&format!("{what}: {}", ids.join(", ")), "  ", 4)
            );
        }
    }
}

/// Runs `kbc test`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    super::diagnose::ignore_broken_pipe(run_inner(args))
}

fn run_inner(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(n) = args.min_coverage {
        if !(0.0..=100.0).contains(&n) {
            anyhow::bail!("`--min-coverage {n}` is not a percentage; give a number from 0 to 100");
        }
    }
    let mut checked = load_and_check(&args.dir)?;
    let has_errors = checked.has_errors();
    let Some(model) = checked.model.take().filter(|_| !has_errors) else {
        print_text(&checked);
        eprintln!("error: cannot run the examples because the knowledge base has errors");
        return Ok(ExitCode::from(1));
    };
    let m = match Artifact::build(model) {
        Ok(a) => Matcher::new(a),
        Err(e) => {
            eprintln!("error: cannot compile `{}`: {e}", args.dir.display());
            return Ok(ExitCode::from(1));
        }
    };
    let (reports, coverage) = run_examples(&m);
    let passed = reports.iter().filter(|r| r.passed()).count();
    let failed = reports.len() - passed;
    let low = args
        .min_coverage
        .is_some_and(|min| percent(&coverage) < min);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let examples: Vec<serde_json::Value> = reports
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("passed".into(), r.passed().into());
                }
                v
            })
            .collect();
        let mut cov = serde_json::to_value(&coverage).unwrap_or_default();
        if let Some(o) = cov.as_object_mut() {
            o.insert("percent".into(), percent(&coverage).into());
        }
        let doc = serde_json::json!({
            "examples": examples,
            "passed": passed,
            "failed": failed,
            "coverage": cov,
        });
        writeln!(stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let p =
            Paint::new(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none());
        let mut out = String::new();
        for r in &reports {
            if r.passed() {
                let _ = writeln!(out, "{}   {}", p.green("ok"), r.id);
            } else {
                out.push('\n');
                failure(&mut out, &args.dir, &m, r, p);
            }
        }
        if reports.is_empty() {
            let _ = writeln!(out, "no examples in `{}`", args.dir.display());
        }
        let summary = format!("{passed} passed, {failed} failed");
        let _ = writeln!(
            out,
            "\n{}",
            if failed > 0 {
                p.red(&summary)
            } else {
                p.green(&summary)
            }
        );
        if args.coverage || args.min_coverage.is_some() {
            coverage_text(&mut out, &coverage);
        }
        if let (true, Some(min)) = (low, args.min_coverage) {
            let _ = writeln!(
                out,
                "{}: coverage {:.1}% is below the minimum of {min}%",
                p.red("error"),
                percent(&coverage)
            );
        }
        stdout.write_all(out.as_bytes())?;
    }
    stdout.flush()?;
    Ok(if failed > 0 || low {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
