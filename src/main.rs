//! `kbc`, the knowledge base compiler's command line. One subcommand per
//! module in `commands/`, each with its arguments and its `run`.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The knowledge base compiler: check rules, build the matcher and the
/// guides, and diagnose failing systems.
#[derive(Parser)]
#[command(name = "kbc", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a knowledge base and report every error and warning.
    Check(commands::check::Args),
    /// Explain a diagnostic code, e.g. `kbc explain E0005`.
    Explain(commands::explain::Args),
    /// Format `.kb` files in the canonical layout (`--check` only reports).
    Fmt(commands::fmt::Args),
    /// Run the language server over stdin and stdout, for editors.
    Lsp(commands::lsp::Args),
    /// Check a knowledge base and render its guides (Markdown, HTML, fragments, JSON).
    Build(commands::build::Args),
    /// Work with the templates of the generated guides.
    Theme(commands::theme::Args),
    /// Rank the causes of what is observed: evidence, fixes, next question.
    Diagnose(commands::diagnose::Args),
    /// A guided diagnosis: answer one question at a time.
    Ask(commands::ask::Args),
    /// Run the knowledge base's examples against the compiled matcher.
    Test(commands::test::Args),
    /// Serve the site with the troubleshooter, rebuilt live, and the diagnosis API.
    Serve(commands::serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Lsp(args) => commands::lsp::run(args),
        Command::Build(args) => commands::build::run(args),
        Command::Theme(args) => commands::theme::run(args),
        Command::Diagnose(args) => commands::diagnose::run(args),
        Command::Ask(args) => commands::ask::run(args),
        Command::Test(args) => commands::test::run(args),
        Command::Serve(args) => commands::serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
