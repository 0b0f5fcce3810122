//! `kbc diagnose`: rank the causes of what is observed on a failing system,
//! with the evidence behind each, the fixes to try in order and the next
//! question worth asking. Exit 0 with a diagnosis (even an empty one), 1
//! when the rules do not check, 2 on usage errors: a bad flag, an unknown
//! fact or value, an unreadable or damaged artifact.
//!
//! The knowledge base comes from `--kb FILE` (a compiled artifact, as `kbc
//! build` writes it) or is compiled in process from `--rules DIR` (default
//! `rules`). The facts come from, in this order (a later value of the same
//! fact wins): `--facts FILE` (a JSON or YAML map), `--fact NAME=VALUE`,
//! `--message TEXT` and `--log FILE` (both add to the knowledge base's
//! `message` text fact). The helpers here are shared with `kbc ask`.

pub mod render;

use render::RenderOptions;

use super::check::{load_and_check, print_text};
use anyhow::{bail, Context as _};
use kbc_runtime::model::{Fact, FactIdx};
use kbc_runtime::{Artifact, LoadError, Matcher, Observation, ObservationError};
use std::io::{BufReader, IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Largest `--facts` file read.
const MAX_FACTS_FILE_BYTES: u64 = 64 << 20;

/// Arguments of `kbc diagnose`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kb: KbArgs,
    #[command(flatten)]
    facts: FactArgs,
    /// Print the diagnosis as JSON (the documented contract, docs/CLI.md).
    #[arg(long)]
    json: bool,
    /// How many causes to show in full, with their evidence and fixes; the
    /// rest are listed in one line each.
    #[arg(long, value_name = "N", default_value_t = 3)]
    top: usize,
}

/// Where the knowledge base comes from.
#[derive(clap::Args)]
pub struct KbArgs {
    /// A compiled knowledge base (`kb.kbc`, written by `kbc build`).
    #[arg(long, value_name = "FILE", conflicts_with = "rules")]
    pub kb: Option<PathBuf>,
    /// The knowledge base folder to compile when no `--kb` is given.
    #[arg(long, value_name = "DIR", default_value = "rules")]
    pub rules: PathBuf,
}

/// What is observed.
#[derive(clap::Args, Default)]
pub struct FactArgs {
    /// A fact as `NAME=VALUE`, e.g. `--fact error_code=0x904` (repeatable).
    #[arg(long = "fact", value_name = "NAME=VALUE")]
    pub fact: Vec<String>,
    /// A JSON or YAML file holding a map of facts (repeatable).
    #[arg(long = "facts", value_name = "FILE")]
    pub facts_file: Vec<PathBuf>,
    /// The error message, added to the `message` fact (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub message: Vec<String>,
    /// A log file whose lines are scanned for the `message` fact; `-` reads
    /// standard input (repeatable).
    #[arg(long, value_name = "FILE")]
    pub log: Vec<PathBuf>,
}

/// How a given fact is shown back to the user: as written, not re-typed
/// (`0x904` stays hex).
#[derive(Debug, Default, Clone)]
pub struct Given {
    values: Vec<(FactIdx, String)>,
    logs: Vec<String>,
}

impl Given {
    fn put(&mut self, f: FactIdx, shown: String) {
        match self.values.iter_mut().find(|(g, _)| *g == f) {
            Some(slot) => slot.1 = shown,
            None => self.values.push((f, shown)),
        }
    }

    fn remove(&mut self, f: FactIdx) {
        self.values.retain(|(g, _)| *g != f);
    }

    /// Records an answer given in a guided session.
    pub fn answered(&mut self, f: FactIdx, shown: String) {
        self.put(f, shown);
    }

    /// The text a non-text fact was given as.
    pub fn shown(&self, f: FactIdx) -> Option<&str> {
        self.values
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, s)| s.as_str())
    }

    /// One line per scanned log: what was read and kept.
    pub fn logs(&self) -> &[String] {
        &self.logs
    }
}

/// Loads the matcher from `--kb`, or compiles `--rules`. `None` when the
/// rules have errors (already printed, exit 1).
pub fn load_matcher(args: &KbArgs) -> anyhow::Result<Option<Matcher>> {
    if let Some(path) = &args.kb {
        return match Matcher::load(path) {
            Ok(m) => Ok(Some(m)),
            Err(e @ LoadError::Io { .. }) => Err(e.into()),
            Err(e) => bail!("cannot load `{}`: {e}", path.display()),
        };
    }
    if !args.rules.is_dir() {
        bail!(
            "`{}` is not a knowledge base folder; give one with `--rules DIR`, or a compiled knowledge base with `--kb FILE`",
            args.rules.display()
        );
    }
    let mut checked = load_and_check(&args.rules)?;
    let has_errors = checked.has_errors();
    let Some(model) = checked.model.take().filter(|_| !has_errors) else {
        print_text(&checked);
        eprintln!("error: cannot diagnose because the knowledge base has errors");
        return Ok(None);
    };
    match Artifact::build(model) {
        Ok(a) => Ok(Some(Matcher::new(a))),
        Err(e) => {
            eprintln!("error: cannot compile `{}`: {e}", args.rules.display());
            Ok(None)
        }
    }
}

/// The text fact `--message` and `--log` add to: `message`, or the
/// knowledge base's only text fact.
pub fn message_fact(facts: &[Fact]) -> anyhow::Result<&str> {
    match kbc_runtime::model::message_fact(facts) {
        Ok(f) => Ok(facts.get(f.index()).map_or("message", |f| f.id.as_str())),
        Err(texts) if texts.is_empty() => bail!("this knowledge base has no text fact, so `--message` and `--log` have nowhere to go"),
        Err(texts) => bail!(
            "this knowledge base has several text facts ({}) and none is called `message`; give the text with `--fact NAME=TEXT`",
            texts.join(", ")
        ),
    }
}

/// An observation error as a usage error: the message, where the value came
/// from, and for an unknown fact the facts there are.
fn fact_error(m: &Matcher, e: ObservationError, origin: &str) -> anyhow::Error {
    let mut msg = e.to_string();
    msg.push_str(&format!("\n  = note: from {origin}"));
    if let ObservationError::UnknownFact { .. } = e {
        let ids: Vec<&str> = m.facts().iter().map(|f| f.id.as_str()).collect();
        msg.push_str(&format!("\n  = help: the facts are {}", ids.join(", ")));
    }
    anyhow::anyhow!(msg)
}

fn fact_idx(facts: &[Fact], name: &str) -> Option<FactIdx> {
    facts
        .iter()
        .position(|f| f.id == name)
        .map(|i| FactIdx(i as u32))
}

/// Reads a `--facts` file as JSON or YAML (by extension, else by its first
/// character).
fn read_facts_file(path: &Path) -> anyhow::Result<serde_json::Value> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FACTS_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    if bytes.len() as u64 > MAX_FACTS_FILE_BYTES {
        bail!(
            "`{}` is larger than {} MiB; facts files are small maps (use `--log` for logs)",
            path.display(),
            MAX_FACTS_FILE_BYTES >> 20
        );
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let json = match ext.as_deref() {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'{'),
    };
    if json {
        serde_json::from_slice(&bytes)
            .with_context(|| format!("`{}` is not valid JSON", path.display()))
    } else {
        serde_yaml::from_slice(&bytes)
            .with_context(|| format!("`{}` is not a valid YAML map of facts", path.display()))
    }
}

fn shown_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Builds the observation from `--facts`, `--fact`, `--message` and `--log`
/// (in that order), and how each fact was given.
pub fn observe<'m>(m: &'m Matcher, args: &FactArgs) -> anyhow::Result<(Observation<'m>, Given)> {
    let facts = m.facts();
    let mut obs = m.observation();
    let mut given = Given::default();
    for path in &args.facts_file {
        let doc = read_facts_file(path)?;
        let serde_json::Value::Object(map) = &doc else {
            let e = ObservationError::NotAnObject {
                found: match doc {
                    serde_json::Value::Array(_) => "array",
                    serde_json::Value::Null => "null",
                    _ => "single value",
                },
            };
            return Err(fact_error(m, e, &format!("`{}`", path.display())));
        };
        for (name, value) in map {
            obs.set_json(name, value)
                .map_err(|e| fact_error(m, e, &format!("`{}`", path.display())))?;
            if let Some(f) = fact_idx(facts, name) {
                if value.is_null() {
                    given.remove(f);
                } else {
                    given.put(f, shown_json(value));
                }
            }
        }
    }
    for pair in &args.fact {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("`--fact {pair}` is not of the form NAME=VALUE, e.g. `--fact error_code=0x904`");
        };
        let name = name.trim();
        obs.set(name, value)
            .map_err(|e| fact_error(m, e, &format!("`--fact {pair}`")))?;
        if let Some(f) = fact_idx(facts, name) {
            given.put(f, value.trim().to_string());
        }
    }
    if !args.message.is_empty() || !args.log.is_empty() {
        let fact = message_fact(facts)?;
        for text in &args.message {
            obs.add_text(fact, text)
                .map_err(|e| fact_error(m, e, "`--message`"))?;
        }
        for path in &args.log {
            scan_log(&mut obs, &mut given, fact, path)?;
        }
    }
    Ok((obs, given))
}

fn scan_log(
    obs: &mut Observation<'_>,
    given: &mut Given,
    fact: &str,
    path: &Path,
) -> anyhow::Result<()> {
    let shown = path.display().to_string();
    let summary = if shown == "-" {
        obs.scan_log(fact, std::io::stdin().lock())
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read the log `{shown}`"))?;
        obs.scan_log(fact, BufReader::with_capacity(1 << 16, file))
    }
    .map_err(|e| anyhow::anyhow!("{e} (`{shown}`)"))?;
    let lines = |n: u64| if n == 1 { "line" } else { "lines" };
    if summary.replaced_lines > 0 {
        eprintln!(
            "note: {} {} of `{shown}` {} not valid UTF-8; the invalid bytes were replaced with U+FFFD",
            summary.replaced_lines,
            lines(summary.replaced_lines),
            if summary.replaced_lines == 1 { "was" } else { "were" },
        );
    }
    if summary.split_lines > 0 {
        eprintln!(
            "note: {} {} of `{shown}` {} longer than {} KiB and {} read in pieces; a match across a piece boundary is not seen",
            summary.split_lines,
            lines(summary.split_lines),
            if summary.split_lines == 1 { "was" } else { "were" },
            kbc_runtime::MAX_LINE_BYTES >> 10,
            if summary.split_lines == 1 { "was" } else { "were" },
        );
    }
    given.logs.push(format!(
        "{shown}: {} {} read, {} kept as evidence",
        summary.lines,
        lines(summary.lines),
        summary.kept
    ));
    Ok(())
}

/// Colours for stdout: only on a terminal, never with `NO_COLOR`.
pub fn stdout_paint() -> render::Paint {
    render::Paint::new(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none())
}

/// A closed standard output (`kbc diagnose | head`) is not an error: the
/// reader has what it wanted.
pub fn ignore_broken_pipe(r: anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    match r {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        r => r,
    }
}

/// Runs `kbc diagnose`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    ignore_broken_pipe(run_inner(args))
}

fn run_inner(args: Args) -> anyhow::Result<ExitCode> {
    let Some(m) = load_matcher(&args.kb)? else {
        return Ok(ExitCode::from(1));
    };
    let (obs, given) = observe(&m, &args.facts)?;
    let d = m.diagnose(&obs);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&d.to_json())?)?;
    } else {
        let opts = RenderOptions {
            top: args.top.max(1),
            question_hint: true,
            show_question: true,
        };
        out.write_all(render::diagnosis(&d, &m, &obs, &given, &opts, stdout_paint()).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
