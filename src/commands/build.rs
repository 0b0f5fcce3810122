//! `kbc build [DIR]`: check a knowledge base, compile its matcher into
//! `<out>/artifact/` and render its published guides into `<out>/<format>/`. Exit 0 when built, 1 on errors in the
//! rules, a template or the output folder (writing nothing), 2 on usage
//! errors. With `--check`, render in memory and exit 1 listing every file
//! that differs from the output folder (for CI).

use super::check::{load_and_check, print_text};
use kbc_compiler::render::{Format, OutputFile, Renderer, Theme};
use kbc_compiler::{emit, output};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `kbc build`.
#[derive(clap::Args)]
pub struct Args {
    /// The knowledge base folder (holding kb.yaml).
    #[arg(default_value = "rules")]
    dir: PathBuf,
    /// The output folder; each format goes into a folder of its own.
    #[arg(long, default_value = "generated-docs")]
    out: PathBuf,
    /// The formats to render.
    #[arg(long, value_enum, default_value_t = FormatArg::All)]
    format: FormatArg,
    /// A theme folder whose files replace the default theme's by name
    /// (see `kbc theme export`).
    #[arg(long)]
    theme: Option<PathBuf>,
    /// Write nothing; exit 1 and list the files that differ if the output
    /// folder is not what this build would write.
    #[arg(long)]
    check: bool,
}

/// `--format` values.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Markdown with YAML front matter.
    Markdown,
    /// A standalone HTML site with search.
    Html,
    /// Embeddable HTML fragments.
    Fragment,
    /// The knowledge base as one JSON document.
    Json,
    /// Every format.
    All,
}

impl FormatArg {
    fn formats(self) -> Vec<Format> {
        match self {
            FormatArg::Markdown => vec![Format::Markdown],
            FormatArg::Html => vec![Format::Html],
            FormatArg::Fragment => vec![Format::Fragment],
            FormatArg::Json => vec![Format::Json],
            FormatArg::All => Format::ALL.to_vec(),
        }
    }
}

/// Runs `kbc build`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let checked = load_and_check(&args.dir)?;
    if !checked.diagnostics.is_empty() {
        print_text(&checked);
    }
    let Some(model) = checked.model.as_ref().filter(|_| !checked.has_errors()) else {
        eprintln!("error: nothing was built because the knowledge base has errors");
        return Ok(ExitCode::from(1));
    };
    let theme = match &args.theme {
        Some(dir) => Theme::load(dir)?,
        None => Theme::default(),
    };
    let mut files =
        match Renderer::new(&theme).and_then(|r| r.render(model, &args.format.formats())) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("error: {e}");
                eprintln!("nothing was written to `{}`", args.out.display());
                return Ok(ExitCode::from(1));
            }
        };
    // The compiled matcher ships next to the guide it agrees with.
    match emit::artifact_files(model) {
        Ok(artifact) => files.extend(
            artifact
                .into_iter()
                .map(|(path, bytes)| OutputFile { path, bytes }),
        ),
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("nothing was written to `{}`", args.out.display());
            return Ok(ExitCode::from(1));
        }
    }
    if args.check {
        let diffs = output::check(&args.out, &files);
        if diffs.is_empty() {
            eprintln!(
                "`{}` is up to date ({} files)",
                args.out.display(),
                files.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "`{}` is not what `kbc build` writes; {} files differ:",
            args.out.display(),
            diffs.len()
        );
        for d in &diffs {
            eprintln!("  {d}");
        }
        eprintln!(
            "run `kbc build {} --out {}` and commit the result",
            args.dir.display(),
            args.out.display()
        );
        return Ok(ExitCode::from(1));
    }
    match output::write(&args.out, &files) {
        Ok(report) => {
            eprintln!(
                "built {} files into `{}`: {} written, {} unchanged, {} stale removed",
                files.len(),
                args.out.display(),
                report.written.len(),
                report.unchanged,
                report.removed.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
