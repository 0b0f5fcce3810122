//! Edit to diagnostics in the language server (issue 5): a synthetic
//! knowledge base (`kbc_compiler::synth`, files of about 250 rules) of 1,000
//! and 10,000 rules is loaded from disk once; each iteration sends one
//! `textDocument/didChange` (the whole text of one file) and computes the
//! diagnostics to publish, as the server does between reading a
//! notification and writing `publishDiagnostics`. Two kinds of edit:
//!
//! - `syntax/N` alternately breaks and repairs a cause (`prior sometimes`
//!   is a syntax error): the declarations change, so every file that names
//!   the cause is checked again;
//! - `body/N` alternately edits and restores a description: the
//!   declarations stay, so only the edited file is checked again.
//!
//! `cargo bench -p kbc-lsp --bench edit`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kbc_compiler::synth::{generate_kb, SynthConfig};
use kbc_lsp::Server;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

struct Fixture {
    dir: PathBuf,
    server: Server,
    uri: lsp_types::Url,
    text: String,
}

fn fixture(rules: usize) -> Fixture {
    let dir = std::env::temp_dir().join(format!("kbc-lsp-bench-{rules}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let kb = generate_kb(&SynthConfig {
        rules,
        seed: 11,
        text_patterns: rules / 10,
    });
    kb.write_to(&dir).unwrap();
    let input = kbc_compiler::load_dir(&dir).unwrap();
    // A file in the middle of the sorted list, holding causes.
    let file = input
        .files
        .iter()
        .find(|f| f.path.contains("areas/"))
        .unwrap();
    let uri = lsp_types::Url::from_file_path(dir.join(&file.path)).unwrap();
    let text = String::from_utf8(file.bytes.clone()).unwrap();
    let mut server = Server::new(Some(dir.clone()));
    server.diagnostics_to_publish();
    Fixture {
        dir,
        server,
        uri,
        text,
    }
}

fn edit(c: &mut Criterion) {
    let mut group = c.benchmark_group("edit_to_diagnostics");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(5));
    for rules in [1_000, 10_000] {
        let mut f = fixture(rules);
        let edits = [
            (
                "syntax",
                f.text.replacen("prior ", "prior sometimes ", 1),
                1,
            ),
            (
                "body",
                f.text
                    .replacen("description \"", "description \"Edited. ", 1),
                0,
            ),
        ];
        let mut version = 1;
        for (name, edited, diagnostics) in edits {
            assert_ne!(edited, f.text);
            let texts = [edited, f.text.clone()];
            group.bench_function(BenchmarkId::new(name, rules), |b| {
                b.iter(|| {
                    version += 1;
                    let change = lsp_server::Notification::new(
                        "textDocument/didChange".into(),
                        serde_json::json!({
                            "textDocument": {"uri": f.uri, "version": version},
                            "contentChanges": [{"text": texts[version % 2]}],
                        }),
                    );
                    f.server.notification(change);
                    let published = f.server.diagnostics_to_publish();
                    if diagnostics > 0 {
                        assert_eq!(published.len(), 1, "only the edited file changes");
                    }
                    black_box(published)
                })
            });
        }
        let _ = std::fs::remove_dir_all(&f.dir);
    }
    group.finish();
}

criterion_group!(benches, edit);
criterion_main!(benches);
