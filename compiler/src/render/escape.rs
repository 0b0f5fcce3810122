//! Escaping, chosen per format: HTML for the site and fragments, Markdown
//! for the Markdown pages, and JSON that is safe inside `<script>`.

/// HTML escaping for text and quoted attribute values (`& < > " ' ` =`).
pub fn html(s: &str) -> String {
    handlebars::html_escape(s)
}

/// Markdown escaping for inline text: every character that could start
/// emphasis, a link, an HTML tag, a heading, a table cell or a list is
/// backslash-escaped (`&` is left alone: an entity is text, never
/// markup); line breaks become spaces so a value never leaves its
/// paragraph or table cell. CommonMark turns each `\x` back into `x`.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut at_start = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '{' | '}'
            | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            '-' | '+' | '='
                if at_start && matches!(chars.peek(), None | Some(' ' | '\t' | '-' | '=')) =>
            {
                out.push('\\');
                out.push(c);
            }
            d if at_start && d.is_ascii_digit() => {
                // "1. text" at the start would become a list item.
                out.push(d);
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_digit() {
                        out.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let mut rest = chars.clone();
                if matches!(rest.next(), Some('.' | ')'))
                    && matches!(rest.next(), None | Some(' ' | '\t'))
                {
                    out.push('\\');
                }
            }
            c => out.push(c),
        }
        at_start = false;
    }
    out
}

/// JSON text made safe to embed in an HTML `<script>` element or a `.js`
/// file: `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026` (so no
/// `</script>` or `<!--` can appear), and U+2028/U+2029 are escaped for
/// older JavaScript parsers. The result is still valid JSON.
pub fn json_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_links_and_tags() {
        assert_eq!(
            markdown("[x](javascript:alert(1)) <script>"),
            "\\[x\\](javascript:alert(1)) \\<script\\>"
        );
        assert_eq!(markdown("# no heading"), "\\# no heading");
        assert_eq!(markdown("1. no list"), "1\\. no list");
        assert_eq!(markdown("1.0.0"), "1.0.0");
        assert_eq!(markdown("- no list - here"), "\\- no list - here");
        assert_eq!(markdown("a\nb | c"), "a b \\| c");
    }

    #[test]
    fn json_script_cannot_close_the_script() {
        let s = json_script(r#""</script><!--""#);
        assert!(!s.contains('<'));
        assert_eq!(
            serde_json::from_str::<String>(&s).ok().as_deref(),
            Some("</script><!--")
        );
    }
}
