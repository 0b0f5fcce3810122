//! Edit to diagnostics in the language server (issue 5): a synthetic
//! knowledge base (`kbc_compiler::synth`, files of about 250 rules) of 1,000
//! and 10,000 rules is loaded from disk once; each iteration sends one
//! `textDocument/didChange` (the whole text of one file, alternately with an
//! error and without) and computes the diagnostics to publish, as the server
//! does between reading a notification and writing `publishDiagnostics`.
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
    texts: [String; 2],
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
    let broken = text.replacen("prior ", "prior sometimes ", 1);
    assert_ne!(text, broken);
    let mut server = Server::new(Some(dir.clone()));
    server.diagnostics_to_publish();
    Fixture {
        dir,
        server,
        uri,
        texts: [broken, text],
    }
}

fn edit(c: &mut Criterion) {
    let mut group = c.benchmark_group("edit_to_diagnostics");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(5));
    for rules in [1_000, 10_000] {
        let mut f = fixture(rules);
        let mut version = 1;
        group.bench_function(BenchmarkId::from_parameter(rules), |b| {
            b.iter(|| {
                version += 1;
                let change = lsp_server::Notification::new(
                    "textDocument/didChange".into(),
                    serde_json::json!({
                        "textDocument": {"uri": f.uri, "version": version},
                        "contentChanges": [{"text": f.texts[version % 2]}],
                    }),
                );
                f.server.notification(change);
                let published = f.server.diagnostics_to_publish();
                assert_eq!(
                    published.len(),
                    1,
                    "only the edited file's diagnostics change"
                );
                black_box(published)
            })
        });
        let _ = std::fs::remove_dir_all(&f.dir);
    }
    group.finish();
}

criterion_group!(benches, edit);
criterion_main!(benches);
