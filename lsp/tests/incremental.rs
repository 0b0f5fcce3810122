//! The server's incremental check gives exactly what a full `kbc check`
//! gives, and (ignored test, run in release) how long an edit takes to turn
//! into diagnostics on a 10,000-rule knowledge base:
//!
//! `cargo test --release -p kbc-lsp --test incremental -- --ignored --nocapture`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_compiler::synth::{generate_kb, SynthConfig};
use kbc_lsp::{Kb, Server};
use std::path::PathBuf;
use std::time::Instant;

fn synth_dir(rules: usize, name: &str) -> (PathBuf, kbc_compiler::Input) {
    let dir = std::env::temp_dir().join(format!("kbc-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let kb = generate_kb(&SynthConfig {
        rules,
        seed: 11,
        text_patterns: rules / 10,
    });
    kb.write_to(&dir).unwrap();
    let input = kbc_compiler::load_dir(&dir).unwrap();
    (dir, input)
}

fn summary(c: &kbc_compiler::Checked) -> Vec<String> {
    c.diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} {:?} {}",
                d.code.id(),
                d.message,
                d.span,
                d.help.clone().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn cached_parses_check_like_a_full_check() {
    let (dir, mut input) = synth_dir(600, "same");
    let mut kb = Kb::load(&dir);
    assert_eq!(summary(&kb.check()), summary(&kbc_compiler::check(&input)));
    // Break one file, then add a new one: both paths must agree each time.
    let i = input.files.len() / 2;
    let path = input.files[i].path.clone();
    let text = String::from_utf8(input.files[i].bytes.clone()).unwrap();
    let broken = format!(
        "{text}\nsymptom broken_one \"B\" {{ when nope }}\ncause half \"H\" {{ prior sometimes }}\n"
    );
    kb.set_text(&path, broken.clone());
    input.files[i].bytes = broken.into_bytes();
    let full = kbc_compiler::check(&input);
    assert!(full.has_errors());
    assert_eq!(summary(&kb.check()), summary(&full));
    let extra = "fact extra_fact: bool\n  ask \"Extra?\"\n".to_string();
    kb.set_text("a_new_file.kb", extra.clone());
    input.files.insert(
        0,
        kbc_compiler::InputFile {
            path: "a_new_file.kb".into(),
            bytes: extra.into_bytes(),
        },
    );
    assert_eq!(summary(&kb.check()), summary(&kbc_compiler::check(&input)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "a measurement: run in release with --nocapture"]
fn edit_to_diagnostics_at_10k_rules() {
    let (dir, input) = synth_dir(10_000, "latency");
    let bytes: usize = input.files.iter().map(|f| f.bytes.len()).sum();
    let start = Instant::now();
    let mut server = Server::new(Some(dir.clone()));
    let first = server.diagnostics_to_publish();
    println!(
        "{} files, {} KiB: load, parse and first check {:?} ({} files with diagnostics)",
        input.files.len(),
        bytes / 1024,
        start.elapsed(),
        first.len()
    );
    let file = input
        .files
        .iter()
        .find(|f| f.path.contains("areas/"))
        .unwrap();
    let uri = lsp_types::Url::from_file_path(dir.join(&file.path)).unwrap();
    let text = String::from_utf8(file.bytes.clone()).unwrap();
    let mut times = Vec::new();
    for round in 0..10 {
        // Alternate a broken and a fixed version of one file.
        let new_text = if round % 2 == 0 {
            text.replacen("prior ", "prior sometimes ", 1)
        } else {
            text.clone()
        };
        let change = lsp_server::Notification::new(
            "textDocument/didChange".into(),
            serde_json::json!({
                "textDocument": {"uri": uri, "version": round + 2},
                "contentChanges": [{"text": new_text}],
            }),
        );
        let t = Instant::now();
        server.notification(change);
        let published = server.diagnostics_to_publish();
        times.push(t.elapsed());
        assert_eq!(
            published.len(),
            1,
            "only the edited file's diagnostics change"
        );
    }
    times.sort();
    println!(
        "edit to diagnostics: median {:?}, max {:?} over {} edits",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
    // Where an edit's time goes.
    let mut kb = Kb::load(&dir);
    let t = Instant::now();
    kb.set_text(&file.path, text.replacen("prior ", "prior sometimes ", 1));
    let parse = t.elapsed();
    let t = Instant::now();
    let parsed: Vec<_> = kb.files.iter().map(|f| f.parsed.clone()).collect();
    let clone = t.elapsed();
    let t = Instant::now();
    let checked = kbc_compiler::check_parsed(kb.kb_yaml.as_deref(), &parsed);
    println!(
        "of which: re-parse one file {parse:?}, clone the cached parses {clone:?}, resolve and check {:?} ({} diagnostics)",
        t.elapsed(),
        checked.diagnostics.len()
    );
    let t = Instant::now();
    let full = kbc_compiler::check(&input);
    println!(
        "a full check for comparison: {:?} ({} diagnostics)",
        t.elapsed(),
        full.diagnostics.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
