//! Bad input never panics, hangs or overflows the stack (issue 2, "Bad
//! input"): empty files, binary garbage, non-UTF-8 bytes, huge files, deep
//! nesting, unterminated strings. Each test is named after what it feeds the
//! front end. The exact wording of diagnostics is covered by the insta UI
//! tests in `tests/ui/`; these tests pin down codes and robustness.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_compiler::diagnostics::{render_text, to_json};
use kbc_compiler::{check, Checked, Code, Input, InputFile, Severity};

const KB_YAML: &[u8] = b"title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\n";

fn one_file(bytes: impl Into<Vec<u8>>) -> Input {
    Input {
        kb_yaml: Some(KB_YAML.to_vec()),
        files: vec![InputFile {
            path: "rules/input.kb".into(),
            bytes: bytes.into(),
        }],
    }
}

/// Checks and renders (text and JSON) so the renderers see every span too.
fn run(input: &Input) -> Checked {
    let checked = check(input);
    let _ = render_text(&checked.diagnostics, &checked.sources, false);
    let _ = render_text(&checked.diagnostics, &checked.sources, true);
    let _ = to_json(&checked.diagnostics, &checked.sources);
    checked
}

fn codes(c: &Checked) -> Vec<Code> {
    c.diagnostics.iter().map(|d| d.code).collect()
}

fn errors(c: &Checked) -> Vec<Code> {
    c.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.code)
        .collect()
}

#[test]
fn empty_file_is_clean() {
    let c = run(&one_file(Vec::new()));
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let model = c.model.unwrap();
    assert!(model.facts.is_empty() && model.causes.is_empty());
}

#[test]
fn whitespace_and_comments_only_file_is_clean() {
    let c = run(&one_file(
        "\n\n   \t# only a comment\r\n#another\n\u{feff}  ".as_bytes(),
    ));
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn no_files_at_all_is_clean() {
    let c = run(&Input {
        kb_yaml: Some(KB_YAML.to_vec()),
        files: Vec::new(),
    });
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn binary_garbage_is_an_error_not_a_panic() {
    // Every byte value, a few times over, plus a pseudo-random tail.
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..65536 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push(x as u8);
    }
    let c = run(&one_file(bytes));
    assert!(!errors(&c).is_empty());
    assert!(c.model.is_none());
}

#[test]
fn valid_utf8_garbage_is_a_syntax_error() {
    let c = run(&one_file(
        "\u{0}\u{1}\u{7f}ü€𝄞\u{202e}{[(<>)]}\"\\\u{fffd}".as_bytes(),
    ));
    assert_eq!(errors(&c), vec![Code::Syntax]);
}

#[test]
fn non_utf8_bytes_name_the_file_and_the_byte() {
    let c = run(&one_file(&b"fact ok: bool\n  ask \"caf\xe9?\"\n"[..]));
    assert_eq!(errors(&c), vec![Code::InvalidUtf8]);
    let d = &c.diagnostics[0];
    assert!(d.message.contains("rules/input.kb"), "{}", d.message);
    assert_eq!(d.span.start as usize, b"fact ok: bool\n  ask \"caf".len());
    let text = render_text(&c.diagnostics, &c.sources, false);
    assert!(text.contains("rules/input.kb:2:"), "{text}");
    assert!(text.contains("0xE9"), "{text}");
}

#[test]
fn invalid_utf8_span_covers_the_replacement_character() {
    // The source map holds the lossy text, where the bad byte became U+FFFD
    // (three bytes): a one-byte span ended inside it.
    let c = run(&one_file(&b"fact ok: bool ask \"\xff\"\n"[..]));
    let d = &c.diagnostics[0];
    let text = &c.sources.get(d.span.file).unwrap().text;
    assert_eq!(
        &text[d.span.start as usize..d.span.end as usize],
        "\u{fffd}"
    );
}

#[test]
fn kb_yaml_error_span_is_on_char_boundaries() {
    // An error at a multi-byte character got a one-byte span.
    for yaml in [
        &b"\xff\x01"[..],
        "é\u{1}".as_bytes(),
        "title: [é".as_bytes(),
    ] {
        let mut input = one_file(Vec::new());
        input.kb_yaml = Some(yaml.to_vec());
        let c = run(&input);
        for d in &c.diagnostics {
            let text = &c.sources.get(d.span.file).unwrap().text;
            assert!(text.is_char_boundary(d.span.start as usize), "{d:?}");
            assert!(text.is_char_boundary(d.span.end as usize), "{d:?}");
        }
    }
}

#[test]
fn non_utf8_in_one_file_does_not_hide_errors_in_another() {
    let mut input = one_file(&b"\xff\xfe\x00garbage"[..]);
    input.files.push(InputFile {
        path: "b.kb".into(),
        bytes: b"symptom s \"S\" { when nope }\n".to_vec(),
    });
    let c = run(&input);
    let codes = errors(&c);
    assert!(codes.contains(&Code::InvalidUtf8), "{codes:?}");
    assert!(codes.contains(&Code::UndefinedReference), "{codes:?}");
}

#[test]
fn non_utf8_kb_yaml_is_an_error_not_a_panic() {
    let mut input = one_file(Vec::new());
    input.kb_yaml = Some(b"title: \xff\xfe\nproduct: P\n".to_vec());
    let c = run(&input);
    assert!(errors(&c).contains(&Code::BadKbYaml), "{:?}", codes(&c));
}

/// A valid knowledge base of about 10 MB: the synthetic generator's files
/// concatenated into one.
#[test]
fn ten_megabyte_valid_file_checks() {
    let kb = kbc_compiler::synth::generate_kb(&kbc_compiler::synth::SynthConfig {
        rules: 17_000,
        seed: 11,
        text_patterns: 500,
    });
    let mut text = String::new();
    for (_, t) in &kb.files {
        text.push_str(t);
        text.push('\n');
    }
    assert!(text.len() >= 10_000_000, "{} bytes", text.len());
    let c = run(&one_file(text));
    assert!(c.diagnostics.is_empty(), "{:?}", &c.diagnostics[..3]);
    assert_eq!(c.model.unwrap().causes.len(), kb.counts.causes);
}

/// 10 MB on a single line, non-ASCII: the location of every declaration
/// is a column on one 10 MB line, which must not be counted from the start
/// of the line each time (that was quadratic).
#[test]
fn ten_megabyte_single_line_checks() {
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 10_000_000 {
        text.push_str(&format!("fact f{n}: bool ask \"Ça va ? — oui\" "));
        n += 1;
    }
    let mut input = one_file(text.clone());
    input.kb_yaml = Some([KB_YAML, b"allow: [unused_fact]\n"].concat());
    let c = run(&input);
    assert!(c.diagnostics.is_empty(), "{:?}", &c.diagnostics[..1]);
    let model = c.model.unwrap();
    assert_eq!(model.facts.len(), n);
    let last = &model.facts[n - 1].loc;
    let start = text.rfind("fact f").unwrap() + "fact ".len();
    assert_eq!(last.line, 1);
    assert_eq!(last.column as usize, text[..start].chars().count() + 1);

    // And one error at its very end is rendered without trouble.
    text.push_str("fact oops: bool = 1");
    let c = run(&one_file(text));
    assert_eq!(errors(&c), vec![Code::Syntax]);
}

/// 4 MB of one declaration per line, every one broken: recovery parses
/// each on its own, and reports each.
#[test]
fn megabytes_of_broken_declarations() {
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 4_000_000 {
        text.push_str(&format!("fact f{n}: bool ask \"Q?\" = oops\n"));
        n += 1;
    }
    let c = run(&one_file(text));
    assert!(errors(&c).iter().all(|c| *c == Code::Syntax));
    assert!(
        errors(&c).len() >= n / 2,
        "{} errors for {n}",
        errors(&c).len()
    );
}

/// 4 MB of valid declarations that each refer to an undefined name: every
/// lookup fails and asks for a "did you mean", which must not be quadratic
/// in the number of declarations.
#[test]
fn megabytes_of_undefined_references() {
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 4_000_000 {
        text.push_str(&format!(
            "fact f{n}: bool ask \"Q?\"\nsymptom s{n} \"S\" {{ when g{n} }}\n"
        ));
        n += 1;
    }
    let c = run(&one_file(text));
    let undefined = errors(&c)
        .iter()
        .filter(|c| **c == Code::UndefinedReference)
        .count();
    assert_eq!(undefined, n);
}

#[test]
fn ten_thousand_nested_parentheses_are_too_deep() {
    let depth = 10_000;
    let text = format!(
        "fact a: bool ask \"A?\"\nsymptom s \"S\" {{ when {}a{} }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let c = run(&one_file(text));
    assert_eq!(errors(&c), vec![Code::TooDeep]);
    let d = &c.diagnostics[0];
    assert_eq!(d.message, "nesting too deep");
}

#[test]
fn ten_thousand_unclosed_brackets_are_too_deep() {
    for open in ["(", "[", "{"] {
        let c = run(&one_file(open.repeat(10_000)));
        assert_eq!(errors(&c), vec![Code::TooDeep], "{open}");
    }
}

#[test]
fn brackets_in_strings_and_comments_do_not_count_as_nesting() {
    let text = format!(
        "fact a: bool ask \"{}\" # {}\n  label \"\"\"\n{}\n\"\"\"\nsymptom s \"S\" {{ when a }}\n",
        "(".repeat(10_000),
        "[".repeat(10_000),
        "{".repeat(10_000)
    );
    let c = run(&one_file(text));
    assert!(errors(&c).is_empty(), "{:?}", codes(&c));
}

/// 7,000 nested `not`s parsed, then overflowed the 8 MiB main-thread stack
/// in the lowering (`kbc check` aborted). Runs of `not` now count as
/// nesting, like brackets.
#[test]
fn ten_thousand_nested_nots_are_too_deep_not_a_stack_overflow() {
    let text = format!(
        "fact a: bool ask \"A?\"\nsymptom s \"S\" {{ when {}a }}\n",
        "not ".repeat(10_000)
    );
    let c = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || errors(&run(&one_file(text))))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(c, vec![Code::TooDeep]);
}

#[test]
fn nots_and_brackets_nest_together() {
    let deep = |nots: usize, parens: usize| {
        let mut cond = String::from("a");
        for _ in 0..parens {
            cond = format!("({}{cond})", "not ".repeat(nots));
        }
        format!("fact a: bool ask \"A?\"\nsymptom s \"S\" {{ when {cond} }}\n")
    };
    // 63 levels: the symptom's braces, then 31 of `(not`.
    assert!(errors(&run(&one_file(deep(1, 31)))).is_empty());
    assert_eq!(errors(&run(&one_file(deep(1, 40)))), vec![Code::TooDeep]);
    assert_eq!(errors(&run(&one_file(deep(10, 7)))), vec![Code::TooDeep]);
}

#[test]
fn nots_in_separate_conditions_do_not_add_up() {
    let text = format!(
        "fact a: bool ask \"A?\"\nfact b: bool ask \"B?\"\nsymptom s \"S\" {{ when a{} }}\n",
        " and not a or not not b and (not a) and b not in [true]".repeat(500)
    );
    assert!(errors(&run(&one_file(text))).is_empty());
    let ok = format!(
        "fact a: bool ask \"A?\"\nsymptom s \"S\" {{ when {}a }}\n",
        "not ".repeat(62)
    );
    assert!(errors(&run(&one_file(ok))).is_empty());
}

#[test]
fn a_hundred_thousand_nested_nots_on_a_small_stack() {
    // Test threads have 2 MiB of stack; the front end must not rely on 8.
    let text = format!(
        "fact a: bool ask \"A?\"\nsymptom s \"S\" {{ when {}a }}\n",
        "not ".repeat(100_000)
    );
    let c = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || errors(&run(&one_file(text))))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(c, vec![Code::TooDeep]);
}

#[test]
fn a_long_flat_condition_is_fine() {
    let text = format!(
        "fact a: bool ask \"A?\"\nfact b: bool ask \"B?\"\nsymptom s \"S\" {{ when a{} }}\n",
        " and (b or not a)".repeat(20_000)
    );
    let c = run(&one_file(text));
    assert!(errors(&c).is_empty(), "{:?}", codes(&c));
}

#[test]
fn unterminated_string_at_end_of_file() {
    for text in [
        "fact a: bool ask \"never closed",
        "fact a: bool ask \"never closed\\",
        "fact a: bool ask \"",
        "symptom s \"",
    ] {
        let c = run(&one_file(text));
        assert_eq!(errors(&c), vec![Code::Syntax], "{text:?}");
        let d = &c.diagnostics[0];
        assert!(
            d.message.contains("unterminated string"),
            "{text:?}: {}",
            d.message
        );
    }
}

#[test]
fn unterminated_text_block_at_end_of_file() {
    let c = run(&one_file("fact a: bool ask \"\"\"never\nclosed\n\"\""));
    assert_eq!(errors(&c), vec![Code::Syntax]);
    assert!(
        c.diagnostics[0].message.contains("unterminated text block"),
        "{}",
        c.diagnostics[0].message
    );
}

#[test]
fn control_characters_and_bidi_overrides_are_syntax_errors() {
    for text in [
        "fact a\u{0}: bool ask \"x\"\n",
        "fact a: bool ask \"x\"\n\u{1b}[31m\u{202e}\n",
        "\u{202e}fact a: bool ask \"x\"\n",
    ] {
        let c = run(&one_file(text));
        assert_eq!(errors(&c), vec![Code::Syntax], "{text:?}");
    }
    let c = run(&one_file("fact a: bool ask \"x\"\n\u{1b}[31m\n"));
    assert!(
        c.diagnostics[0].message.contains("U+001B"),
        "{}",
        c.diagnostics[0].message
    );
}

#[test]
fn a_huge_integer_literal_is_out_of_range() {
    let c = run(&one_file(format!(
        "fact a: int ask \"A?\"\nsymptom s \"S\" {{ when a == {} }}\n",
        "9".repeat(10_000)
    )));
    assert_eq!(errors(&c), vec![Code::NumberOutOfRange]);
}

#[test]
fn a_huge_identifier_and_string_are_fine() {
    let id = "a".repeat(1_000_000);
    let c = run(&one_file(format!(
        "fact {id}: bool ask \"{}\"\nsymptom s \"S\" {{ when {id} }}\n",
        "q".repeat(1_000_000)
    )));
    assert!(errors(&c).is_empty(), "{:?}", codes(&c));
}

#[test]
fn huge_undefined_names_do_not_make_suggestions_slow() {
    let long = "b".repeat(100_000);
    let c = run(&one_file(format!(
        "fact {}: bool ask \"A?\"\nsymptom s \"S\" {{ when {long} }}\n",
        "a".repeat(100_000)
    )));
    assert_eq!(errors(&c), vec![Code::UndefinedReference]);
}

#[test]
fn pathological_regexes_are_rejected_or_accepted_quickly() {
    for pattern in [
        "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))",
        "a{1000}{1000}{1000}",
        "(a*)*(b+)+$",
        "[",
        "\\",
        "(?<",
        "\\p{NotAProperty}",
    ] {
        let text = format!(
            "fact m: text ask \"M?\"\nsymptom s \"S\" {{ when m matches \"{}\" }}\n",
            pattern.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let _ = run(&one_file(text));
    }
}

#[test]
fn deeply_nested_kb_yaml_is_refused_before_the_yaml_scanner() {
    let mut input = one_file(Vec::new());
    input.kb_yaml = Some(format!("title: {}\n", "[".repeat(100_000)).into_bytes());
    let c = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || codes(&run(&input)))
        .unwrap()
        .join()
        .unwrap();
    assert!(c.contains(&Code::BadKbYaml), "{c:?}");
}

#[test]
fn oversized_kb_yaml_is_an_error() {
    let mut input = one_file(Vec::new());
    input.kb_yaml = Some(
        format!(
            "{}title: T\nproduct: P\nversion: 1\nlanguage: en\n",
            "# padding\n".repeat(10_000)
        )
        .into_bytes(),
    );
    let c = run(&input);
    assert_eq!(errors(&c), vec![Code::BadKbYaml]);
}

#[test]
fn kb_yaml_alias_bomb_is_an_error_or_bounded() {
    // The "billion laughs": nine levels of nine aliases each.
    let mut yaml = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (prev, next) = (w[0], w[1]);
        yaml.push_str(&format!(
            "{next}: &{next} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    yaml.push_str("title: T\nproduct: P\nversion: 1\nlanguage: en\n");
    let mut input = one_file(Vec::new());
    input.kb_yaml = Some(yaml.into_bytes());
    let c = run(&input);
    assert!(errors(&c).contains(&Code::BadKbYaml), "{:?}", codes(&c));
}

#[test]
fn missing_kb_yaml_is_an_error() {
    let mut input = one_file("fact a: bool ask \"A?\"\n");
    input.kb_yaml = None;
    let c = run(&input);
    assert!(errors(&c).contains(&Code::BadKbYaml));
}

#[test]
fn many_files_with_the_same_path_do_not_confuse_spans() {
    let input = Input {
        kb_yaml: Some(KB_YAML.to_vec()),
        files: (0..50)
            .map(|i| InputFile {
                path: "same.kb".into(),
                bytes: format!("fact f{i}: bool ask \"?\"\n{}", "x".repeat(i)).into_bytes(),
            })
            .collect(),
    };
    let c = run(&input);
    for d in &c.diagnostics {
        let file = c.sources.get(d.span.file).unwrap();
        assert!(d.span.end as usize <= file.text.len(), "{d:?}");
    }
}
