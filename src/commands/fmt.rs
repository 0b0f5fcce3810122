//! `kbc fmt [PATHS]`: rewrite `.kb` files in the canonical layout, or with
//! `--check` list the files that differ with a short diff. Exit 0 when
//! everything is (or now is) formatted, 1 when `--check` found a difference
//! or a file has syntax errors (such files are reported and left untouched),
//! 2 on usage errors.
//!
//! Files are rewritten atomically: the new text goes to a temporary file in
//! the same folder, which then replaces the original with one rename, so a
//! crash leaves either the old file or the new one, never half of either.

use anyhow::Context as _;
use kbc_compiler::format::{format_source, FormatError};
use kbc_compiler::{diagnostics, Code, Diagnostic, SourceMap};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `kbc fmt`.
#[derive(clap::Args)]
pub struct Args {
    /// `.kb` files or folders to format (folders are searched for `.kb` files).
    #[arg(default_value = "rules")]
    paths: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted, with a diff,
    /// and exit 1 if there are any.
    #[arg(long)]
    check: bool,
}

/// Most diff lines shown per file under `--check`.
const MAX_DIFF_LINES: usize = 40;

/// Runs `kbc fmt`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let files = collect(&args.paths)?;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stdout = std::io::stdout().lock();
    let mut changed = 0usize;
    let mut broken = 0usize;
    for path in &files {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("cannot read `{shown}`"))?;
        let mut sources = SourceMap::default();
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to() as u32;
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let file = sources.add(shown.clone(), lossy);
                let span = kbc_compiler::syntax::ast::Span {
                    file,
                    start: at,
                    end: at + 1,
                };
                let d = Diagnostic::error(
                    Code::InvalidUtf8,
                    format!("`{shown}` is not valid UTF-8"),
                    span,
                )
                .help("save the file as UTF-8");
                report(&[d], &sources, color);
                broken += 1;
                continue;
            }
        };
        let file = sources.add(shown.clone(), text.clone());
        let formatted = match format_source(&text, file) {
            Ok(f) => f,
            Err(FormatError::Syntax(diags)) => {
                report(&diags, &sources, color);
                broken += 1;
                continue;
            }
            Err(e) => {
                eprintln!("error: cannot format `{shown}`: {e}; the file is left as it is");
                broken += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            writeln!(stdout, "{}", short_diff(&shown, &text, &formatted))?;
        } else {
            write_atomically(path, &formatted)
                .with_context(|| format!("cannot write `{shown}`"))?;
            eprintln!("formatted {shown}");
        }
    }
    let total = files.len();
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let mut summary = format!(
        "{changed} of {total} {} {verb}",
        if total == 1 { "file" } else { "files" }
    );
    if broken > 0 {
        summary.push_str(&format!(", {broken} left untouched because of errors"));
    }
    eprintln!("{summary}");
    let failed = broken > 0 || (args.check && changed > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every `.kb` file named or found under the given paths, sorted within
/// each folder, without duplicates.
fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        let meta =
            std::fs::metadata(p).with_context(|| format!("cannot format `{}`", p.display()))?;
        if meta.is_file() {
            files.push(p.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot read `{}`", p.display()))?;
            let path = entry.path();
            if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "kb") {
                files.push(path.to_path_buf());
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    Ok(files)
}

fn report(diags: &[Diagnostic], sources: &SourceMap, color: bool) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(diagnostics::render_text(diags, sources, color).as_bytes());
}

/// A unified diff of at most [`MAX_DIFF_LINES`] lines.
fn short_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let full = diff
        .unified_diff()
        .context_radius(2)
        .header(path, &format!("{path} (formatted)"))
        .to_string();
    let lines: Vec<&str> = full.lines().collect();
    let mut out = format!("Diff in {path}:\n");
    for l in lines.iter().take(MAX_DIFF_LINES) {
        out.push_str(l);
        out.push('\n');
    }
    if lines.len() > MAX_DIFF_LINES {
        out.push_str(&format!(
            "... {} more diff lines\n",
            lines.len() - MAX_DIFF_LINES
        ));
    }
    out
}

/// Writes `text` to a temporary file next to `path` (same permissions) and
/// renames it over `path`.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let perms = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".kbc-fmt-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), perms)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
