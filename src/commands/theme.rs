//! `kbc theme export DIR`: write the default theme's templates, partials
//! and assets into DIR, to start a theme for `kbc build --theme DIR`.

use kbc_compiler::render::Theme;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `kbc theme`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Write the default theme into DIR.
    Export {
        /// The folder to write into (created if missing).
        dir: PathBuf,
        /// Overwrite theme files that already exist there.
        #[arg(long)]
        force: bool,
    },
}

/// Runs `kbc theme`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Export { dir, force } => {
            let written = Theme::export(&dir, force)?;
            eprintln!(
                "wrote {} theme files into `{}`; edit any of them and build with `kbc build --theme {}`",
                written.len(),
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
