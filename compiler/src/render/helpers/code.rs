//! `{{{code_span text}}}`: a Markdown code span, with enough backticks around it
//! that backticks inside cannot end it, on one line.

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext};

/// Writes the code span.
pub fn code(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let text = super::str_param(h, "code_span", 0)?.replace(['\n', '\r'], " ");
    let ticks = "`".repeat(super::fence::longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.starts_with(' ') {
        " "
    } else {
        ""
    };
    out.write(&format!("{ticks}{pad}{text}{pad}{ticks}"))?;
    Ok(())
}
