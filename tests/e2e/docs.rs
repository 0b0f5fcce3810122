//! The documentation cannot rot: docs/errors.md is generated from the code
//! table, every code's example triggers exactly that code, and every `kb`
//! example in docs/LANGUAGE.md checks.

use crate::support::root;
use kbc_compiler::{check, codes, Code, Input, InputFile, Severity};
use std::collections::BTreeSet;

fn input(files: &[(&str, &[u8])], default_yaml: String) -> Input {
    let mut yaml = Some(default_yaml.into_bytes());
    let mut kb_files = Vec::new();
    for (path, bytes) in files {
        if *path == "kb.yaml" {
            yaml = Some(bytes.to_vec());
        } else {
            kb_files.push(InputFile {
                path: path.to_string(),
                bytes: bytes.to_vec(),
            });
        }
    }
    Input {
        kb_yaml: yaml,
        files: kb_files,
    }
}

#[test]
fn error_reference_is_current() {
    let path = root().join("docs/errors.md");
    let expected = codes::error_index_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/errors.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/errors.md is out of date; run `UPDATE_DOCS=1 cargo test --test e2e error_reference` and commit it"
    );
}

#[test]
fn every_code_example_triggers_exactly_its_code() {
    for &code in Code::ALL {
        if code.example().is_empty() {
            assert_eq!(
                code,
                Code::Io,
                "only file-system errors may lack an example"
            );
            continue;
        }
        // Allow every other warning so the example shows only its own code.
        let others: Vec<&str> = Code::warning_names()
            .into_iter()
            .filter(|n| Some(*n) != code.warning_name())
            .collect();
        let yaml = format!(
            "title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\nallow: [{}]\n",
            others.join(", ")
        );
        let checked = check(&input(code.example(), yaml));
        let found: BTreeSet<&str> = checked.diagnostics.iter().map(|d| d.code.id()).collect();
        assert_eq!(
            found,
            BTreeSet::from([code.id()]),
            "example of {} produced {:?}",
            code.id(),
            checked.diagnostics
        );
        let severity = if code.warning_name().is_some() {
            Severity::Warning
        } else {
            Severity::Error
        };
        assert!(checked.diagnostics.iter().all(|d| d.severity == severity));
    }
}

#[test]
fn every_code_is_in_the_reference() {
    let text = std::fs::read_to_string(root().join("docs/errors.md")).unwrap_or_default();
    for code in Code::ALL {
        assert!(
            text.contains(&format!("\n## {}\n", code.id())),
            "{} missing from docs/errors.md",
            code.id()
        );
    }
}

/// The ```kb blocks of docs/LANGUAGE.md.
fn language_examples() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("docs/LANGUAGE.md")).expect("read LANGUAGE.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```kb") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn language_reference_examples_parse_and_check() {
    let blocks = language_examples();
    let all = blocks.concat();
    // Every construct of the language appears in some example.
    for construct in [
        "fact ",
        ": bool",
        ": int",
        ": string",
        ": text",
        ": enum(",
        "ask ",
        "label ",
        "symptom ",
        "when ",
        "description ",
        "cause ",
        "produces ",
        "prior ",
        "evidence {",
        "strong ",
        "moderate ",
        "weak ",
        "against ",
        "against weak ",
        "rules_out ",
        "because ",
        " and ",
        " or ",
        "not ",
        " in [",
        " contains ",
        " matches ",
        " is known",
        " is unknown",
        "==",
        "0x",
        "\"\"\"",
        "fix ",
        "resolves ",
        "effort ",
        "risk ",
        "needs ",
        "step ",
        "run cmd ",
        "run powershell ",
        "run shell ",
        "registry ",
        "dword ",
        "multi_sz ",
        "sz ",
        "policy ",
        "setting ",
        "ui ",
        "reboot",
        "warning ",
        "link ",
        "source ",
        "url ",
        "publisher ",
        "note ",
        "guide ",
        "for ",
        "start_here ",
        "intro ",
        "meaning ",
        "summary ",
        "sections ",
        "related ",
        "example ",
        "given ",
        "expect top ",
        "expect order ",
        "expect ranked ",
        "expect ruled_out ",
        "expect not_ranked ",
        "expect first_fix ",
        "expect question ",
        "expect no_question",
        "@allow(",
        "#",
    ] {
        assert!(
            all.contains(construct),
            "no example in LANGUAGE.md shows `{construct}`"
        );
    }
    for (i, block) in blocks.iter().enumerate() {
        let (_, diags) = kbc_compiler::syntax::parse_file(block, 0);
        assert!(
            diags.is_empty(),
            "kb block {i} of LANGUAGE.md does not parse: {diags:#?}"
        );
    }
    let files: Vec<(String, Vec<u8>)> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("example_{i:02}.kb"), b.clone().into_bytes()))
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let yaml =
        "title: Language reference\nproduct: Docs\nversion: 1.0.0\nlanguage: en\n".to_string();
    let checked = check(&input(&refs, yaml));
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(
        errors.is_empty(),
        "LANGUAGE.md examples have errors: {errors:#?}"
    );
}
