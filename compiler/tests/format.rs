//! The formatter's promises, tested on the shipped rules, on the golden pairs
//! in `tests/fmt/`, and on generated files with random layout and comments:
//!
//! - formatting is idempotent;
//! - the formatted knowledge base checks to the same model (locations
//!   aside) and the same diagnostics as the original;
//! - every comment survives, in order.
//!
//! `UPDATE_GOLDEN=1 cargo test -p kbc-compiler --test format` rewrites the
//! `*.formatted.kb` files from their `*.unformatted.kb` twins.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_compiler::format::{comments, format_source};
use kbc_compiler::{check, Input, InputFile};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The model as JSON without locations, and the diagnostics without spans.
fn meaning(input: &Input) -> (serde_json::Value, Vec<String>) {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("loc");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let checked = check(input);
    let mut model = serde_json::to_value(&checked.model).expect("model serializes");
    strip(&mut model);
    let diags = checked
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code.id(), d.message))
        .collect();
    (model, diags)
}

fn format_input(input: &Input) -> Input {
    Input {
        kb_yaml: input.kb_yaml.clone(),
        files: input
            .files
            .iter()
            .map(|f| {
                let text = String::from_utf8(f.bytes.clone()).expect("utf-8");
                let out =
                    format_source(&text, 0).unwrap_or_else(|e| panic!("{}: {e:?}\n{text}", f.path));
                InputFile {
                    path: f.path.clone(),
                    bytes: out.into_bytes(),
                }
            })
            .collect(),
    }
}

/// Asserts all three promises for one knowledge base.
fn assert_formatting_preserves(input: &Input) {
    let formatted = format_input(input);
    for (a, b) in input.files.iter().zip(&formatted.files) {
        let before = String::from_utf8_lossy(&a.bytes);
        let after = String::from_utf8_lossy(&b.bytes);
        let again = format_source(&after, 0).expect("formatted text formats");
        assert_eq!(
            again, after,
            "not idempotent: {}\n--- input\n{before}",
            a.path
        );
        assert_eq!(
            comments(&before),
            comments(&after),
            "comments changed in {}",
            a.path
        );
    }
    assert_eq!(meaning(input), meaning(&formatted));
}

#[test]
fn shipped_rules_format_without_changing_the_model() {
    let input = kbc_compiler::load_dir(&repo().join("rules")).expect("rules load");
    assert!(!input.files.is_empty());
    let (model, diags) = meaning(&input);
    assert!(
        model.is_object(),
        "the shipped rules check clean: {diags:?}"
    );
    assert_formatting_preserves(&input);
}

#[test]
fn golden_pairs() {
    let dir = repo().join("tests/fmt");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fmt")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(stem) = name.strip_suffix(".unformatted.kb") else {
            continue;
        };
        count += 1;
        let src = std::fs::read_to_string(&path).expect("read");
        let out = format_source(&src, 0).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let expected_path = dir.join(format!("{stem}.formatted.kb"));
        if update {
            std::fs::write(&expected_path, &out).expect("write golden");
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("missing {stem}.formatted.kb"));
        assert_eq!(out, expected, "{name} (UPDATE_GOLDEN=1 to accept)");
        assert_eq!(
            format_source(&expected, 0).expect("formats"),
            expected,
            "{stem}.formatted.kb is not a fixed point"
        );
        assert_eq!(comments(&src), comments(&expected), "{name}: comments");
        let one = |text: &str| Input {
            kb_yaml: Some(b"title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\n".to_vec()),
            files: vec![InputFile {
                path: "a.kb".into(),
                bytes: text.as_bytes().to_vec(),
            }],
        };
        assert_eq!(meaning(&one(&src)), meaning(&one(&expected)), "{name}");
    }
    assert!(count >= 3, "golden pairs found: {count}");
}

#[test]
fn syntax_errors_are_refused_with_diagnostics() {
    let err =
        format_source("fact a: bool\nsymptom s \"S\" { when a == }\n", 3).expect_err("refused");
    match err {
        kbc_compiler::format::FormatError::Syntax(d) => {
            assert_eq!(d[0].code.id(), "E0001");
            assert_eq!(d[0].span.file, 3);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(format_source("", 0).unwrap(), "");
    assert_eq!(format_source(" \n\n\t\n", 0).unwrap(), "");
    assert_eq!(
        format_source("\n\n# hi  \n\n\n# there\n", 0).unwrap(),
        "# hi\n\n# there\n"
    );
    assert_eq!(
        format_source("\u{FEFF}fact a: bool\r\n  ask \"A?\"\r\n", 0).unwrap(),
        "fact a: bool\n  ask \"A?\"\n"
    );
}

// ---- generated files ----

/// Tokens of a small, valid knowledge base; the test joins them with
/// random whitespace and comments.
fn kb_tokens() -> impl Strategy<Value = Vec<String>> {
    let cond = condition();
    let decls = prop::collection::vec(
        prop_oneof![
            (cond.clone(), text_value()).prop_map(|(c, d)| {
                let mut t = toks("symptom s2 \"Second\" { when");
                t.extend(c);
                t.extend(toks("description"));
                t.push(d);
                t.push("}".into());
                t
            }),
            (prop::collection::vec(
                (strength(), cond.clone(), prop::option::of(text_value())),
                0..4
            ))
            .prop_map(|lines| {
                let mut t = toks("cause c2 \"Cause-two\" { produces s1 , s2 prior rare evidence {");
                for (s, c, because) in lines {
                    t.extend(toks(s));
                    t.push("when".into());
                    t.extend(c);
                    if let Some(b) = because {
                        t.push("because".into());
                        t.push(b);
                    }
                }
                t.extend(toks("} sources src1 }"));
                t
            }),
            prop::collection::vec(step(), 0..6).prop_map(|steps| {
                let mut t =
                    toks("fix f2 \"Fix-two\" { resolves c1 effort low risk medium needs user");
                for s in steps {
                    t.extend(s);
                }
                t.extend(toks("sources src1 }"));
                t
            }),
            (prop::collection::vec(assignment(), 1..8), any::<bool>()).prop_map(
                |(given, trailing)| {
                    let mut t = toks("example e2 \"Example-two\" { given");
                    for (i, a) in given.iter().enumerate() {
                        if i > 0 {
                            t.push(",".into());
                        }
                        t.extend(a.clone());
                    }
                    if trailing {
                        t.push(",".into());
                    }
                    t.extend(toks(
                        "expect top c1 expect order c1 > c2 > c1 expect no_question }",
                    ));
                    t
                }
            ),
        ],
        0..4,
    );
    (decls, text_value()).prop_map(|(decls, ask)| {
        let mut t = toks("@allow ( unused_fact , unsourced , ) fact b1: bool ask");
        t.push(ask);
        t.extend(toks(
            "fact b2 : bool fact n: int label \"a-number\" fact msg: text \
             fact os: enum( win \"Windows\", mac, linux \"Linux\" , ) \
             symptom s1 \"First\" { when n == 0x904 } \
             cause c1 \"Cause-one\" { produces s1 prior common sources src1 } \
             fix f1 \"Fix-one\" { resolves c1 sources src1 } \
             source src1 \"Source\" { url \"https://example.com\" publisher \"P\" note \"N\" } \
             guide g1 \"Guide\" for s1 { intro \"I\" sections intro, fixes related s1 }",
        ));
        for d in decls {
            t.extend(d);
        }
        t
    })
}

fn toks(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn strength() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "strong",
        "moderate",
        "weak",
        "against",
        "against weak",
        "against strong",
        "against moderate",
        "rules_out",
    ])
}

fn string_value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,.>\\\\#\u{e9}]{0,30}".prop_map(|s| {
        // A backslash before the closing quote would escape it.
        let tail = if s.ends_with('\\') { "x" } else { "" };
        format!("\"{s}{tail}\"")
    })
}

/// A string or a text block with ragged indentation, blank lines and
/// characters that look like syntax.
fn text_value() -> impl Strategy<Value = String> {
    let line = "[ \t]{0,6}[a-z#\"{}(), ]{0,40}";
    prop_oneof![
        string_value(),
        (
            any::<bool>(),
            prop::collection::vec(line, 0..5),
            "[ \t]{0,4}"
        )
            .prop_map(|(newline_first, lines, last)| {
                let mut inner = String::new();
                if newline_first {
                    inner.push('\n');
                }
                inner.push_str(&lines.join("\n"));
                inner.push('\n');
                inner.push_str(&last);
                // A text block cannot hold `"""` nor end in a quote.
                let inner = inner.replace("\"\"", "\" ");
                format!("\"\"\"{}\"\"\"", inner.trim_end_matches('"'))
            }),
    ]
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("true".to_string()),
        Just("win".to_string()),
        (-5000i64..5000).prop_map(|n| n.to_string()),
        (0u32..0xffff).prop_map(|n| format!("0x{n:x}")),
        string_value(),
    ]
}

fn assignment() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(toks("b1 = true")),
        Just(toks("os = mac")),
        (0u32..4000).prop_map(|n| vec!["n".into(), "=".into(), n.to_string()]),
        string_value().prop_map(|s| vec!["msg".into(), "=".into(), s]),
    ]
}

fn condition() -> BoxedStrategy<Vec<String>> {
    let leaf = prop_oneof![
        Just(toks("b1")),
        Just(toks("b2 is known")),
        Just(toks("os is unknown")),
        prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]).prop_map(|op| vec![
            "n".into(),
            op.into(),
            "0x904".into()
        ]),
        literal().prop_map(|v| vec!["n".into(), "!=".into(), v]),
        prop::collection::vec(prop::sample::select(vec!["win", "mac", "linux"]), 0..12).prop_map(
            |vals| {
                let mut t = toks("os not in [");
                if vals.len() % 2 == 0 {
                    t.remove(1);
                }
                for (i, v) in vals.iter().enumerate() {
                    if i > 0 {
                        t.push(",".into());
                    }
                    t.push(v.to_string());
                }
                t.push("]".into());
                t
            }
        ),
        string_value().prop_map(|s| vec!["msg".into(), "contains".into(), s]),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..5).prop_map(|v| join(v, "and")),
            prop::collection::vec(inner.clone(), 2..5).prop_map(|v| join(v, "or")),
            inner.clone().prop_map(|c| {
                let mut t = vec!["not".to_string(), "(".into()];
                t.extend(c);
                t.push(")".into());
                t
            }),
            inner.prop_map(|c| {
                let mut t = vec!["(".to_string()];
                t.extend(c);
                t.push(")".into());
                t
            }),
        ]
    })
    .boxed()
}

fn join(parts: Vec<Vec<String>>, op: &str) -> Vec<String> {
    let mut t = Vec::new();
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            t.push(op.to_string());
        }
        t.extend(p);
    }
    t
}

fn step() -> impl Strategy<Value = Vec<String>> {
    let s = string_value;
    prop_oneof![
        text_value().prop_map(|t| vec!["step".into(), t]),
        (
            prop::sample::select(vec!["cmd", "powershell", "shell"]),
            text_value()
        )
            .prop_map(|(sh, t)| vec!["run".into(), sh.into(), t]),
        (s(), "[A-Za-z][A-Za-z0-9_.-]{0,12}", 0u32..70000).prop_map(|(p, n, v)| vec![
            "registry".into(),
            p,
            n,
            "=".into(),
            "dword".into(),
            v.to_string()
        ]),
        (s(), s(), s()).prop_map(|(p, n, v)| vec![
            "registry".into(),
            p,
            n,
            "=".into(),
            "sz".into(),
            v
        ]),
        (s(), prop::collection::vec(s(), 0..6)).prop_map(|(p, vals)| {
            let mut t = vec![
                "registry".into(),
                p,
                "Name".into(),
                "=".into(),
                "multi_sz".into(),
                "[".into(),
            ];
            for (i, v) in vals.into_iter().enumerate() {
                if i > 0 {
                    t.push(",".into());
                }
                t.push(v);
            }
            t.push("]".into());
            t
        }),
        (s(), prop::option::of((s(), prop::option::of(s())))).prop_map(|(p, set)| {
            let mut t = vec!["policy".to_string(), p];
            if let Some((name, value)) = set {
                t.push("setting".into());
                t.push(name);
                if let Some(v) = value {
                    t.push("=".into());
                    t.push(v);
                }
            }
            t
        }),
        s().prop_map(|p| vec!["ui".into(), p]),
        prop::option::of(s()).prop_map(|w| {
            let mut t = vec!["reboot".to_string()];
            t.extend(w);
            t
        }),
        text_value().prop_map(|t| vec!["warning".into(), t]),
        (s(), prop::option::of(s())).prop_map(|(u, title)| {
            let mut t = vec!["link".to_string(), u];
            t.extend(title);
            t
        }),
    ]
}

/// What goes between two tokens: some whitespace, maybe a comment.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(" ".to_string()),
        2 => Just("\n  ".to_string()),
        1 => Just("\t\r\n\n".to_string()),
        1 => "[a-z ]{0,20}".prop_map(|c| format!("  #{c}\n")),
        1 => "[a-z #]{0,20}".prop_map(|c| format!("\n\n# {c}\n   ")),
    ]
}

fn messy_file() -> impl Strategy<Value = String> {
    kb_tokens()
        .prop_flat_map(|tokens| {
            let n = tokens.len();
            (Just(tokens), prop::collection::vec(separator(), n))
        })
        .prop_map(|(tokens, seps)| {
            let mut s = String::new();
            for (t, sep) in tokens.iter().zip(seps) {
                s.push_str(t);
                s.push_str(&sep);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_files_format_idempotently_and_keep_their_meaning(src in messy_file()) {
        let input = Input {
            kb_yaml: Some(b"title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\n".to_vec()),
            files: vec![InputFile { path: "gen.kb".into(), bytes: src.clone().into_bytes() }],
        };
        let (model, diags) = meaning(&input);
        prop_assert!(
            !diags.iter().any(|d| d.starts_with("E0001")),
            "the generator made a syntax error: {diags:?}\n{src}"
        );
        let _ = model;
        assert_formatting_preserves(&input);
    }
}
