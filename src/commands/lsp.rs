//! `kbc lsp`: the language server for editors, speaking LSP over stdin and
//! stdout. The server itself is the `kbc-lsp` crate; see editors/README.md
//! for setting it up in VS Code, Neovim and Helix.

use std::process::ExitCode;

/// Arguments of `kbc lsp`.
#[derive(clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long, hide = true)]
    stdio: bool,
}

/// Runs `kbc lsp` until the editor ends the session.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    kbc_lsp::run_stdio()?;
    Ok(ExitCode::SUCCESS)
}
