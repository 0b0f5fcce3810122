//! Property tests for the front end (parse + check): no input makes it
//! panic, every diagnostic points inside its file, and the result depends on
//! the input only. Inputs: arbitrary bytes, arbitrary text, strings built
//! from the language's own tokens, and valid generated knowledge bases with
//! a span deleted, inserted or duplicated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_compiler::diagnostics::{render_text, to_json};
use kbc_compiler::synth::{self, SynthConfig, SynthKb};
use kbc_compiler::{check, Checked, Input, InputFile, Severity, SourceMap};
use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::OnceLock;

const KB_YAML: &[u8] = b"title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\n";

fn one_file(bytes: Vec<u8>) -> Input {
    Input {
        kb_yaml: Some(KB_YAML.to_vec()),
        files: vec![InputFile {
            path: "input.kb".into(),
            bytes,
        }],
    }
}

/// Checks, renders, and asserts what holds for every input.
fn check_and_render(input: &Input) -> Checked {
    let c = check(input);
    let has_errors = c.diagnostics.iter().any(|d| d.severity == Severity::Error);
    assert_eq!(
        c.model.is_some(),
        !has_errors,
        "a model exactly when no errors"
    );
    for d in &c.diagnostics {
        let spans = std::iter::once(d.span).chain(d.secondary.iter().map(|l| l.span));
        for s in spans {
            let file = c
                .sources
                .get(s.file)
                .unwrap_or_else(|| panic!("{d:?} points at no file"));
            assert!(s.start <= s.end, "{d:?}");
            assert!(s.end as usize <= file.text.len(), "{d:?} past the end");
            assert!(file.text.is_char_boundary(s.start as usize), "{d:?}");
            assert!(file.text.is_char_boundary(s.end as usize), "{d:?}");
        }
        assert!(!d.message.is_empty());
    }
    let text = render_text(&c.diagnostics, &c.sources, false);
    assert_eq!(text.is_empty(), c.diagnostics.is_empty());
    let _ = render_text(&c.diagnostics, &c.sources, true);
    let json = to_json(&c.diagnostics, &c.sources);
    assert_eq!(json.len(), c.diagnostics.len());
    c
}

/// Every keyword and punctuation mark of the language, and some near misses.
const TOKENS: &[&str] = &[
    "fact",
    "symptom",
    "cause",
    "fix",
    "source",
    "guide",
    "example",
    "@allow",
    "@",
    "bool",
    "int",
    "string",
    "text",
    "enum",
    "ask",
    "label",
    "when",
    "description",
    "produces",
    "prior",
    "very_common",
    "common",
    "uncommon",
    "rare",
    "evidence",
    "because",
    "strong",
    "moderate",
    "weak",
    "against",
    "rules_out",
    "sources",
    "resolves",
    "effort",
    "risk",
    "low",
    "medium",
    "high",
    "needs",
    "user",
    "admin",
    "domain_admin",
    "step",
    "run",
    "cmd",
    "powershell",
    "shell",
    "registry",
    "dword",
    "qword",
    "sz",
    "expand_sz",
    "multi_sz",
    "policy",
    "setting",
    "ui",
    "reboot",
    "warning",
    "link",
    "url",
    "publisher",
    "note",
    "for",
    "intro",
    "meaning",
    "start_here",
    "summary",
    "sections",
    "related",
    "given",
    "expect",
    "top",
    "order",
    "ranked",
    "not_ranked",
    "ruled_out",
    "first_fix",
    "question",
    "no_question",
    "and",
    "or",
    "not",
    "in",
    "contains",
    "matches",
    "is",
    "known",
    "unknown",
    "true",
    "false",
    "unused_fact",
    "culprits",
    "environments",
    "fixes",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "!",
    "'",
    "//",
    "#",
    "-",
    ".",
    "\\",
    "\"\"\"",
];

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(TOKENS).prop_map(str::to_string),
        2 => "[a-z_][a-z0-9_]{0,8}",
        1 => "[A-Za-z][A-Za-z0-9_-]{0,6}",
        1 => "-?(0x[0-9a-fA-F]{1,20}|[0-9]{1,22})",
        2 => r#""([^"\\\n]|\\.){0,12}""#,
        1 => r#""[^"\n]{0,8}"#,
        1 => "\"\"\"[^\"]{0,20}(\"\"\")?",
        1 => "#[^\n]{0,10}\n",
        1 => "[\\PC]{1,3}",
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&[" ", " ", " ", "\n", "\n  ", "\t", "", "\r\n"][..])
}

/// Valid generated knowledge bases, made once.
fn bases() -> &'static [SynthKb] {
    static BASES: OnceLock<Vec<SynthKb>> = OnceLock::new();
    BASES.get_or_init(|| {
        (0..4)
            .map(|seed| {
                synth::generate_kb(&SynthConfig {
                    rules: 120,
                    seed,
                    text_patterns: 25,
                })
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index, Index),
    Insert(Index, String),
    Duplicate(Index, Index, Index),
    Swap(Index, Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let small = || prop::collection::vec(token(), 1..4).prop_map(|t| t.join(" "));
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Delete(a, b)),
        (any::<Index>(), small()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c)| Mutation::Duplicate(a, b, c)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c)| Mutation::Swap(a, b, c)),
    ]
}

/// A char boundary at or before `i.index(len + 1)`.
fn boundary(text: &str, i: &Index) -> usize {
    let mut at = i.index(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `[a, b)` with `b - a` at most `max` (short spans are the interesting ones).
fn span(text: &str, a: &Index, b: &Index, max: usize) -> (usize, usize) {
    let start = boundary(text, a);
    let mut end = (start + b.index(max + 1)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (start, end)
}

fn apply(text: &mut String, m: &Mutation) {
    match m {
        Mutation::Delete(a, b) => {
            let (s, e) = span(text, a, b, 200);
            text.replace_range(s..e, "");
        }
        Mutation::Insert(a, t) => {
            let at = boundary(text, a);
            text.insert_str(at, t);
        }
        Mutation::Duplicate(a, b, c) => {
            let (s, e) = span(text, a, b, 400);
            let copy = text[s..e].to_string();
            let at = boundary(text, c);
            text.insert_str(at, &copy);
        }
        Mutation::Swap(a, b, c) => {
            // Exchange a span with the text that follows it.
            let (s, e) = span(text, a, b, 100);
            let mut e2 = (e + c.index(101)).min(text.len());
            while !text.is_char_boundary(e2) {
                e2 -= 1;
            }
            let first = text[s..e].to_string();
            let second = text[e..e2].to_string();
            text.replace_range(s..e2, &(second + &first));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_and_render(&one_file(bytes));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}|[\\x00-\\x7f]{0,400}") {
        check_and_render(&one_file(text.into_bytes()));
    }

    #[test]
    fn arbitrary_bytes_as_kb_yaml_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut input = one_file(b"fact a: bool ask \"A?\"\n".to_vec());
        input.kb_yaml = Some(bytes);
        check_and_render(&input);
    }

    #[test]
    fn token_soup_never_panics(
        parts in prop::collection::vec((token(), separator()), 0..200),
    ) {
        let text: String = parts.iter().map(|(t, s)| format!("{t}{s}")).collect();
        check_and_render(&one_file(text.into_bytes()));
    }

    #[test]
    fn token_soup_after_a_valid_prefix_never_panics(
        parts in prop::collection::vec((token(), separator()), 0..80),
    ) {
        // Start inside a declaration, where most of the grammar is reachable.
        let mut text = String::from(
            "fact a: bool ask \"A?\"\nfact m: text ask \"M?\"\ncause c \"C\" {\n  produces s\n  evidence {\n    strong when ",
        );
        text.extend(parts.iter().map(|(t, s)| format!("{t}{s}")));
        check_and_render(&one_file(text.into_bytes()));
    }

    #[test]
    fn mutated_valid_knowledge_bases_never_panic(
        base in 0..4usize,
        file in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let kb = &bases()[base];
        let mut input = kb.to_input();
        let f = file.index(input.files.len());
        let mut text = kb.files[f].1.clone();
        for m in &mutations {
            apply(&mut text, m);
        }
        input.files[f].bytes = text.into_bytes();
        check_and_render(&input);
    }

    #[test]
    fn mutated_bytes_of_a_valid_file_never_panic(
        base in 0..4usize,
        file in any::<Index>(),
        flips in prop::collection::vec((any::<Index>(), any::<u8>()), 1..8),
    ) {
        let kb = &bases()[base];
        let mut input = kb.to_input();
        let f = file.index(input.files.len());
        let bytes = &mut input.files[f].bytes;
        for (at, b) in &flips {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        check_and_render(&input);
    }

    #[test]
    fn line_col_counts_lines_and_characters(
        text in "(\\PC|\n){0,300}",
        offsets in prop::collection::vec(any::<Index>(), 1..16),
    ) {
        let mut map = SourceMap::default();
        let file = map.add("t.kb", text.clone());
        for i in &offsets {
            let at = boundary(&text, i);
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            let lc = map.line_col(file, at as u32);
            prop_assert_eq!((lc.line as usize, lc.column as usize), (line, column), "at {}", at);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn checking_is_deterministic(
        base in 0..4usize,
        mutations in prop::collection::vec(mutation(), 0..3),
    ) {
        let kb = &bases()[base];
        let mut input = kb.to_input();
        let last = input.files.len() - 1;
        let mut text = kb.files[last].1.clone();
        for m in &mutations {
            apply(&mut text, m);
        }
        input.files[last].bytes = text.into_bytes();
        let a = check(&input);
        let b = check(&input);
        prop_assert_eq!(a.diagnostics, b.diagnostics);
        prop_assert_eq!(a.model, b.model);
    }

    #[test]
    fn generated_knowledge_bases_check_clean(
        rules in 3..400usize,
        seed in any::<u64>(),
        text_patterns in 0..100usize,
    ) {
        let kb = synth::generate_kb(&SynthConfig { rules, seed, text_patterns });
        let c = check_and_render(&kb.to_input());
        prop_assert!(
            c.diagnostics.is_empty(),
            "{}",
            render_text(&c.diagnostics, &c.sources, false)
        );
        prop_assert!(kb.counts.rules() >= rules && kb.counts.rules() <= rules + 2);
        let model = c.model.unwrap();
        let obs = synth::observations(&model, 8, seed);
        prop_assert_eq!(obs.len(), 8);
    }
}

/// A long line of non-ASCII text: columns stay exact past the checkpoints
/// the line index keeps.
#[test]
fn line_col_is_exact_on_long_non_ascii_lines() {
    let text: String = "aé€𝄞\n".repeat(3) + &"é€x𝄞".repeat(5_000);
    let mut map = SourceMap::default();
    let file = map.add("t.kb", text.clone());
    for at in (0..=text.len())
        .filter(|i| text.is_char_boundary(*i))
        .step_by(37)
    {
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let lc = map.line_col(file, at as u32);
        assert_eq!(lc.line as usize, before.matches('\n').count() + 1);
        assert_eq!(
            lc.column as usize,
            before[line_start..].chars().count() + 1,
            "at {at}"
        );
    }
}
