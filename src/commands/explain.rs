//! `kbc explain CODE`: the long explanation of a diagnostic code, as in
//! `rustc --explain`. `kbc explain --all` prints the whole reference that is
//! checked in as docs/errors.md.

use kbc_compiler::codes::{self, Code};
use std::process::ExitCode;

/// Arguments of `kbc explain`.
#[derive(clap::Args)]
pub struct Args {
    /// A code such as `E0005` or a warning name such as `unused_fact`.
    #[arg(required_unless_present = "all")]
    code: Option<String>,
    /// Print the whole error reference (docs/errors.md).
    #[arg(long, conflicts_with = "code")]
    all: bool,
}

/// Runs `kbc explain`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.all {
        print!("{}", codes::error_index_markdown());
        return Ok(ExitCode::SUCCESS);
    }
    let wanted = args.code.unwrap_or_default();
    let code = Code::by_id(&wanted.to_uppercase()).or_else(|| Code::by_warning_name(&wanted));
    let Some(code) = code else {
        anyhow::bail!("`{wanted}` is not a diagnostic code; codes look like `E0005`, warnings like `unused_fact`");
    };
    println!("{} — {}\n", code.id(), code.title());
    println!("{}\n", code.explanation());
    for (path, src) in code.example() {
        println!("Example `{path}`:\n\n{}", String::from_utf8_lossy(src));
    }
    Ok(ExitCode::SUCCESS)
}
