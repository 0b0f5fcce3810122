//! `{{{fence lang code}}}`: a fenced Markdown code block. The fence is one
//! backtick longer than the longest run of backticks in the code, so no
//! code can close it early.

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext};

/// The longest run of `c` in `s`.
pub fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Writes the code block (ending with a newline).
pub fn fence(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let lang = super::str_param(h, "fence", 0)?;
    let code = super::str_param(h, "fence", 1)?;
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let ticks = "`".repeat((longest_run(code, '`') + 1).max(3));
    out.write(&format!(
        "{ticks}{lang}\n{}\n{ticks}\n",
        code.trim_end_matches('\n')
    ))?;
    Ok(())
}
