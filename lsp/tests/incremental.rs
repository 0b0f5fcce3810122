//! The server's incremental check gives exactly what a full `kbc check`
//! gives, edit after edit, and (ignored test, run in release) how long an
//! edit takes to turn into diagnostics on a 10,000-rule knowledge base:
//!
//! `cargo test --release -p kbc-lsp --test incremental -- --ignored --nocapture`
//!
//! The criterion benchmark `cargo bench -p kbc-lsp --bench edit` measures
//! the same at 1,000 and 10,000 rules.

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

/// A knowledge base held twice: by the server's [`Kb`] (cached parses and
/// cached check) and as plain [`kbc_compiler::Input`] for a full check.
struct Twin {
    dir: PathBuf,
    kb: Kb,
    input: kbc_compiler::Input,
    steps: usize,
}

impl Twin {
    fn new(rules: usize, name: &str) -> Twin {
        let (dir, input) = synth_dir(rules, name);
        let mut kb = Kb::load(&dir);
        kb.check();
        Twin {
            dir,
            kb,
            input,
            steps: 0,
        }
    }

    fn text(&self, path: &str) -> String {
        let f = self.input.files.iter().find(|f| f.path == path).unwrap();
        String::from_utf8(f.bytes.clone()).unwrap()
    }

    fn set(&mut self, path: &str, text: String) {
        self.kb.set_text(path, text.clone());
        match self
            .input
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
        {
            Ok(i) => self.input.files[i].bytes = text.into_bytes(),
            Err(i) => self.input.files.insert(
                i,
                kbc_compiler::InputFile {
                    path: path.into(),
                    bytes: text.into_bytes(),
                },
            ),
        }
    }

    fn edit(&mut self, path: &str, f: impl FnOnce(&str) -> String) {
        let old = self.text(path);
        let new = f(&old);
        assert_ne!(old, new, "edit {} of {path} changed nothing", self.steps);
        self.set(path, new);
    }

    fn remove(&mut self, path: &str) {
        self.kb.remove(path);
        self.input.files.retain(|f| f.path != path);
    }

    /// The cached check equals a full check, diagnostic for diagnostic.
    fn same(&mut self, what: &str) -> usize {
        self.steps += 1;
        let cached = self.kb.check();
        let full = kbc_compiler::check(&self.input);
        assert_eq!(
            cached.diagnostics, full.diagnostics,
            "step {} ({what}): the cached check differs from a full check",
            self.steps
        );
        full.diagnostics.len()
    }
}

/// Cuts the first block starting with `start` (up to its closing `}` line).
fn cut_block(text: &str, start: &str) -> (String, String) {
    let at = text.find(start).unwrap();
    let end = at + text[at..].find("\n}\n").unwrap() + 3;
    (
        format!("{}{}", &text[..at], &text[end..]),
        text[at..end].to_string(),
    )
}

#[test]
fn edits_across_files_check_like_a_full_check() {
    let mut t = Twin::new(1_000, "edits");
    let symptoms = "areas/a000/symptoms.kb";
    let causes = "areas/a000/causes.kb";
    let fixes = "areas/a000/fixes.kb";
    let other_causes = "areas/a001/causes.kb";
    assert_eq!(t.same("loaded"), 0);
    let originals: Vec<(String, String)> = t
        .input
        .files
        .iter()
        .map(|f| (f.path.clone(), String::from_utf8(f.bytes.clone()).unwrap()))
        .collect();

    // A body edit that keeps every declaration.
    t.edit(causes, |s| s.replacen("prior ", "prior sometimes ", 1));
    assert!(t.same("a bad prior") > 0);
    t.edit(causes, |s| s.replacen("prior sometimes ", "prior ", 1));
    assert_eq!(t.same("the prior fixed"), 0);

    // Rename a symptom other files produce, then rename it back.
    let symptom_id = {
        let s = t.text(symptoms);
        let at = s.find("\nsymptom ").unwrap() + "\nsymptom ".len();
        s[at..].split(' ').next().unwrap().to_string()
    };
    t.edit(symptoms, |s| {
        s.replacen(
            &format!("symptom {symptom_id} "),
            &format!("symptom {symptom_id}x "),
            1,
        )
    });
    assert!(t.same("a symptom renamed") > 0);
    t.edit(symptoms, |s| {
        s.replacen(
            &format!("symptom {symptom_id}x "),
            &format!("symptom {symptom_id} "),
            1,
        )
    });
    assert_eq!(t.same("renamed back"), 0);

    // A syntax error breaks a declaration; then typing goes on in it.
    t.edit(symptoms, |s| s.replacen(" == ", " == == ", 1));
    assert!(t.same("a syntax error") > 0);
    t.edit(symptoms, |s| s.replacen(" == == ", " == === ", 1));
    t.same("still broken");
    t.edit(symptoms, |s| s.replacen(" == === ", " == ", 1));
    assert_eq!(t.same("the syntax error fixed"), 0);

    // A fact changes type, then disappears: conditions everywhere change.
    t.edit("facts.kb", |s| {
        s.replacen("fact ping_ok: bool", "fact ping_ok: int", 1)
    });
    t.same("a fact's type changed");
    t.edit("facts.kb", |s| {
        s.replacen("fact ping_ok: int", "fact ping_okk: bool", 1)
    });
    t.same("a fact renamed");
    t.edit("facts.kb", |s| {
        s.replacen("fact ping_okk: bool", "fact ping_ok: bool", 1)
    });
    assert_eq!(t.same("the fact back"), 0);

    // A cause moves to another file, then is declared twice.
    let (rest, block) = cut_block(&t.text(causes), "cause ");
    t.set(causes, rest);
    t.same("a cause removed");
    t.edit(other_causes, |s| format!("{s}\n{block}"));
    assert_eq!(t.same("the cause declared in another file"), 0);
    t.set(causes, format!("{}\n{block}", t.text(causes)));
    assert!(t.same("the cause declared twice") > 0);
    t.set(
        other_causes,
        originals
            .iter()
            .find(|(p, _)| p == other_causes)
            .unwrap()
            .1
            .clone(),
    );
    t.same("the copy removed");

    // A fix goes: its cause is no longer fixed (a lint in another file).
    let (rest, fix_block) = cut_block(&t.text(fixes), "fix ");
    t.set(fixes, rest);
    assert!(t.same("a fix removed") > 0);
    t.edit(fixes, |s| format!("{s}\n{fix_block}"));
    assert_eq!(t.same("the fix back"), 0);

    // Undefined names with "did you mean", an invalid regex.
    t.edit(symptoms, |s| {
        format!("{s}\nsymptom typo_one \"T\" {{\n  when ping_okay and mesage contains \"x\"\n}}\n")
    });
    assert!(t.same("undefined facts") > 0);
    t.edit(causes, |s| {
        s.replacen("produces ", "produces typo_one, ", 1)
    });
    t.same("a cause produces the new symptom");
    if t.text(symptoms).contains("matches \"") {
        t.edit(symptoms, |s| s.replacen("matches \"", "matches \"(", 1));
        t.same("an invalid regex");
    }

    // A file added first shifts every span; then it goes again.
    t.set(
        "a_first.kb",
        "symptom first_one \"F\" { when ping_ok }\ncause first_cause \"C\" {\n  produces first_one, nope\n  prior rare\n}\n".into(),
    );
    assert!(t.same("a file added first") > 0);
    t.edit(causes, |s| {
        s.replacen("produces ", "produces first_one, ", 1)
    });
    t.same("a reference into the new file");
    t.remove("a_first.kb");
    assert!(t.same("the file removed") > 0);

    // Back to the generated text, file by file.
    for (path, text) in originals {
        if t.text(&path) != text {
            t.set(&path, text);
            t.same("a file restored");
        }
    }
    assert_eq!(t.same("all restored"), 0);
    let _ = std::fs::remove_dir_all(&t.dir);
}

/// Several queued changes to one document are applied as one: the
/// diagnostics are those of the last text.
#[test]
fn queued_changes_publish_the_last_text() {
    let (dir, input) = synth_dir(300, "queued");
    let mut server = Server::new(Some(dir.clone()));
    assert!(server.diagnostics_to_publish().is_empty());
    let file = input
        .files
        .iter()
        .find(|f| f.path.contains("causes"))
        .unwrap();
    let uri = lsp_types::Url::from_file_path(dir.join(&file.path)).unwrap();
    let text = String::from_utf8(file.bytes.clone()).unwrap();
    let change = |version: i32, text: String| {
        lsp_server::Notification::new(
            "textDocument/didChange".into(),
            serde_json::json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        )
    };
    assert!(server.notification(change(2, text.replacen("prior ", "prior sometimes ", 1))));
    assert!(server.notification(change(3, text.replacen("prior ", "prior often ", 1))));
    let published = server.diagnostics_to_publish();
    assert_eq!(published.len(), 1);
    let messages: Vec<&str> = published[0]
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("often"))
            && !messages.iter().any(|m| m.contains("sometimes")),
        "{messages:?}"
    );
    // Fixing it clears the file's diagnostics.
    assert!(server.notification(change(4, text)));
    let published = server.diagnostics_to_publish();
    assert_eq!(published.len(), 1);
    assert!(published[0].diagnostics.is_empty());
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
    for round in 0..60 {
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
        "edit to diagnostics: median {:?}, p95 {:?}, max {:?} over {} edits",
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1],
        times.len()
    );
    // Where an edit's time goes.
    let mut kb = Kb::load(&dir);
    kb.check();
    let t = Instant::now();
    kb.set_text(&file.path, text.replacen("prior ", "prior sometimes ", 1));
    let parse = t.elapsed();
    let t = Instant::now();
    let parsed: Vec<_> = kb.files.iter().map(|f| f.parsed.clone()).collect();
    let clone = t.elapsed();
    let t = Instant::now();
    let checked = kbc_compiler::check_parsed(kb.kb_yaml.as_deref(), &parsed);
    let uncached = t.elapsed();
    let t = Instant::now();
    let cached = kb.check();
    println!(
        "of which: re-parse one file {parse:?}, clone the cached parses {clone:?}, \
         resolve and check without the cache {uncached:?}, with it {:?} ({} diagnostics)",
        t.elapsed(),
        checked.diagnostics.len()
    );
    assert_eq!(cached.diagnostics, checked.diagnostics);
    let t = Instant::now();
    let full = kbc_compiler::check(&input);
    println!(
        "a full check for comparison: {:?} ({} diagnostics)",
        t.elapsed(),
        full.diagnostics.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Random line edits (delete, duplicate, move to another file, swap two
/// words, a stray character), each followed by both checks.
#[test]
fn random_edits_check_like_a_full_check() {
    let mut t = Twin::new(400, "random");
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    for _ in 0..100 {
        let paths: Vec<String> = t.input.files.iter().map(|f| f.path.clone()).collect();
        let path = paths[next(paths.len())].clone();
        let mut lines: Vec<String> = t.text(&path).lines().map(str::to_string).collect();
        if lines.is_empty() {
            continue;
        }
        let i = next(lines.len());
        match next(5) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(next(lines.len()), l);
            }
            2 => {
                let l = lines.remove(i);
                let other = paths[next(paths.len())].clone();
                if other != path {
                    let text = format!("{}\n{l}\n", t.text(&other));
                    t.set(&other, text);
                }
            }
            3 => {
                let words: Vec<String> = lines
                    .iter()
                    .flat_map(|l| l.split_whitespace())
                    .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    .map(str::to_string)
                    .collect();
                if let (Some(a), Some(b)) = (
                    words.get(next(words.len())).cloned(),
                    words.get(next(words.len())).cloned(),
                ) {
                    lines[i] = lines[i].replacen(&a, &b, 1);
                }
            }
            _ => {
                let at = next(lines[i].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&k| lines[i].is_char_boundary(k))
                    .unwrap();
                lines[i].insert(at, ['{', '}', '"', 'x', ','][next(5)]);
            }
        }
        t.set(&path, lines.join("\n") + "\n");
        t.same("a random edit");
    }
    let _ = std::fs::remove_dir_all(&t.dir);
}
