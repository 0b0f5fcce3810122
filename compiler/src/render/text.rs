//! Text shaping shared by every format: paragraphs from text blocks, short
//! descriptions, error codes, safe URLs, and line wrapping for the diagram.
//!
//! Everything here produces plain text; escaping for a format happens in the
//! templates (see `escape.rs`).

use kbc_runtime::model::{CmpOp, Condition, FactType, KnowledgeBase, Value};

/// Splits author text into paragraphs: blank lines separate paragraphs, the
/// lines of one paragraph are joined with a space.
pub fn paragraphs(text: Option<&str>) -> Vec<String> {
    let Some(text) = text else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// A one-line summary of at most `max` characters, cut at a word boundary
/// with an ellipsis, for meta descriptions and front matter.
pub fn summary(paras: &[String], max: usize) -> String {
    let Some(first) = paras.first() else {
        return String::new();
    };
    if first.chars().count() <= max {
        return first.clone();
    }
    let cut: String = first.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].trim_end_matches([',', ';', ':', '.']).to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

/// Whether an int fact holds codes, written in hex (`0x904`) rather than decimal.
pub fn is_code_fact(id: &str) -> bool {
    id.contains("code")
}

/// An integer as written for a fact: hex for codes, decimal otherwise.
pub fn int_text(fact_id: &str, v: i64) -> String {
    if is_code_fact(fact_id) && v >= 0 {
        format!("0x{v:x}")
    } else {
        v.to_string()
    }
}

/// The error codes a symptom is recognised by: every `code_fact == int` in
/// the top-level conjunction of its condition, in the order written.
pub fn symptom_codes(kb: &KnowledgeBase, c: &Condition) -> Vec<String> {
    let mut out = Vec::new();
    collect_codes(kb, c, &mut out);
    out
}

fn collect_codes(kb: &KnowledgeBase, c: &Condition, out: &mut Vec<String>) {
    match c {
        Condition::And(cs) => cs.iter().for_each(|c| collect_codes(kb, c, out)),
        Condition::Compare {
            fact,
            op: CmpOp::Eq,
            value: Value::Int(v),
        } => {
            if let Some(f) = kb.facts.get(fact.index()) {
                if matches!(f.ty, FactType::Int) && is_code_fact(&f.id) {
                    out.push(int_text(&f.id, *v));
                }
            }
        }
        _ => {}
    }
}

/// The URL if it is safe to link to (http, https or mailto), with characters
/// that could end a Markdown link or an attribute percent-encoded; `None`
/// for anything else (`javascript:`, `data:`, relative paths).
pub fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:"))
    {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for ch in url.chars() {
        match ch {
            ' ' | '"' | '\'' | '<' | '>' | '(' | ')' | '`' | '\\' | '[' | ']' | '{' | '}' | '|'
            | '^' => {
                let mut buf = [0u8; 4];
                for b in ch.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Wraps `text` into at most `max_lines` lines of at most `width`
/// characters, breaking at spaces (and inside words longer than a line);
/// the last line ends with `…` when text was cut.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let wl = word.len();
            if len > 0 && len + 1 + wl <= width {
                line.push(' ');
                line.extend(word.iter());
                len += 1 + wl;
                break;
            }
            if len == 0 && wl <= width {
                line.extend(word.iter());
                len = wl;
                break;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            // A word longer than a line: hard-break it.
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if len > 0 {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let mut chars: Vec<char> = last.chars().collect();
            chars.truncate(width.saturating_sub(1));
            *last = chars.into_iter().collect::<String>().trim_end().to_string() + "…";
        }
    }
    lines
}

/// Upper-cases the first character, unless the first word is a name with
/// capitals of its own (`macOS`, `iOS`), which stays as written.
pub fn capitalise(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs(Some("a\nb\n\n  c\n")),
            vec!["a b".to_string(), "c".to_string()]
        );
        assert!(paragraphs(None).is_empty());
    }

    #[test]
    fn wrap_breaks_long_words_and_truncates() {
        assert_eq!(wrap("aaaaaaaaaa", 4, 5), vec!["aaaa", "aaaa", "aa"]);
        assert_eq!(wrap("one two three four", 7, 2), vec!["one two", "three…"]);
        assert!(wrap("", 10, 3).is_empty());
    }

    #[test]
    fn unsafe_urls_are_refused() {
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url(" JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(
            safe_url("https://e.com/a b\"><script>").as_deref(),
            Some("https://e.com/a%20b%22%3E%3Cscript%3E")
        );
    }

    #[test]
    fn capitalise_keeps_brand_names() {
        assert_eq!(capitalise("macOS prints"), "macOS prints");
        assert_eq!(capitalise("the client"), "The client");
    }

    #[test]
    fn summary_cuts_at_a_word() {
        let p = vec!["one two three four five six".to_string()];
        assert_eq!(summary(&p, 12), "one two…");
    }
}
