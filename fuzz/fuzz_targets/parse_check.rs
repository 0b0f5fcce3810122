//! The whole front end on arbitrary input: the fuzzer's bytes are the only
//! `.kb` file of a knowledge base with a valid `kb.yaml`. Parse, lower,
//! resolve, type-check and lint run, then both renderers (text with and
//! without colour, JSON). Never a panic, and:
//!
//! - a model exactly when there are no errors;
//! - every span (primary and secondary) inside its file, on char boundaries.
//!
//! Seed with the shipped rules and the dictionary of the language's tokens:
//! `cargo +nightly fuzz run parse_check corpus/parse_check ../rules -- -dict=parse_check.dict`
#![no_main]

use kbc_compiler::diagnostics::{render_text, to_json};
use kbc_compiler::{check, Input, InputFile, Severity};
use libfuzzer_sys::fuzz_target;

const KB_YAML: &[u8] = b"title: Fuzz\nproduct: P\nversion: 1.0.0\nlanguage: en\n";

fuzz_target!(|data: &[u8]| {
    let input = Input {
        kb_yaml: Some(KB_YAML.to_vec()),
        files: vec![InputFile {
            path: "fuzz.kb".into(),
            bytes: data.to_vec(),
        }],
    };
    let checked = check(&input);
    let errors = checked
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    assert_eq!(checked.model.is_some(), !errors);
    for d in &checked.diagnostics {
        for s in std::iter::once(d.span).chain(d.secondary.iter().map(|l| l.span)) {
            let text = &checked
                .sources
                .get(s.file)
                .unwrap_or_else(|| panic!("{d:?}: no file {}", s.file))
                .text;
            assert!(s.start <= s.end && s.end as usize <= text.len(), "{d:?}");
            assert!(text.is_char_boundary(s.start as usize), "{d:?}");
            assert!(text.is_char_boundary(s.end as usize), "{d:?}");
        }
    }
    let _ = render_text(&checked.diagnostics, &checked.sources, false);
    let _ = render_text(&checked.diagnostics, &checked.sources, true);
    let _ = to_json(&checked.diagnostics, &checked.sources);
});
