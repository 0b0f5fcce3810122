//! `{{{mermaid text}}}`: text for a quoted Mermaid label (`id["..."]`).
//! Quotes, angle brackets, `&` and backticks become Mermaid entity codes
//! (`#quot;`), so a label cannot end the string, add markup, or close the
//! Markdown code fence it sits in; line breaks become spaces.

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext};

/// Escapes text for a Mermaid label.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Writes the escaped label text.
pub fn mermaid(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&escape(super::str_param(h, "mermaid", 0)?))?;
    Ok(())
}
