//! `kbc check [DIR]`: parse and check a knowledge base, print every
//! diagnostic. Exit 0 when clean, 1 on errors (or warnings with
//! `--deny-warnings`), 2 on usage errors.

use anyhow::Context as _;
use kbc_compiler::{diagnostics, Checked, Severity};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `kbc check`.
#[derive(clap::Args)]
pub struct Args {
    /// The knowledge base folder (holding kb.yaml).
    #[arg(default_value = "rules")]
    dir: PathBuf,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// rustc-style text on stderr, coloured on a terminal.
    Text,
    /// A JSON document on stdout, for editors and CI.
    Json,
}

/// Loads and checks `dir`, or fails with a usage error.
pub fn load_and_check(dir: &Path) -> anyhow::Result<Checked> {
    let input =
        kbc_compiler::load_dir(dir).with_context(|| format!("cannot check `{}`", dir.display()))?;
    Ok(kbc_compiler::check(&input))
}

/// Prints diagnostics as text on stderr with a summary line.
pub fn print_text(checked: &Checked) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(
        diagnostics::render_text(&checked.diagnostics, &checked.sources, color).as_bytes(),
    );
    let _ = writeln!(err, "{}", diagnostics::summary(&checked.diagnostics));
}

/// Runs `kbc check`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let checked = load_and_check(&args.dir)?;
    match args.format {
        Format::Text => print_text(&checked),
        Format::Json => {
            let doc = serde_json::json!({
                "diagnostics": diagnostics::to_json(&checked.diagnostics, &checked.sources),
                "summary": diagnostics::summary(&checked.diagnostics),
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    let failing = checked
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error || args.deny_warnings);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
