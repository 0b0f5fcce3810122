//! Rendering speed: the guides of a 10,000-rule knowledge base in every
//! format (Markdown, HTML site, fragments, JSON), in memory.
//!
//! The knowledge base is the render test fixture (tests/fixtures/render/small)
//! repeated with renamed ids until it holds 10,000 rules (symptoms, causes,
//! fixes and examples), so every page has the fixture's full mix of step
//! kinds. Target: under 3 s for all formats on the project's 2-core machine.
//!
//! `cargo bench -p kbc-compiler --bench render`
#![allow(clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use kbc_compiler::render::{Format, Renderer, Theme};
use kbc_runtime::model::*;
use std::path::Path;
use std::time::Duration;

fn fixture() -> KnowledgeBase {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/render/small");
    let input = kbc_compiler::load_dir(&dir).expect("fixture readable");
    let checked = kbc_compiler::check(&input);
    checked.model.expect("fixture checks clean")
}

fn rules(kb: &KnowledgeBase) -> usize {
    kb.symptoms.len() + kb.causes.len() + kb.fixes.len() + kb.examples.len()
}

/// The fixture repeated until it has at least `target` rules; facts are
/// shared, every other declaration is copied with `_<n>` added to its id.
fn scaled(base: &KnowledgeBase, target: usize) -> KnowledgeBase {
    let copies = target.div_ceil(rules(base).max(1));
    let mut kb = KnowledgeBase {
        meta: base.meta.clone(),
        facts: base.facts.clone(),
        ..KnowledgeBase::default()
    };
    for n in 0..copies {
        let (s0, c0, r0) = (
            kb.symptoms.len() as u32,
            kb.causes.len() as u32,
            kb.sources.len() as u32,
        );
        let id = |s: &str| format!("{s}_{n}");
        kb.symptoms.extend(base.symptoms.iter().map(|s| Symptom {
            id: id(&s.id),
            title: format!("{} ({n})", s.title),
            ..s.clone()
        }));
        kb.causes.extend(base.causes.iter().map(|c| Cause {
            id: id(&c.id),
            produces: c.produces.iter().map(|s| SymptomIdx(s.0 + s0)).collect(),
            sources: c.sources.iter().map(|s| SourceIdx(s.0 + r0)).collect(),
            ..c.clone()
        }));
        kb.fixes.extend(base.fixes.iter().map(|f| Fix {
            id: id(&f.id),
            resolves: f.resolves.iter().map(|c| CauseIdx(c.0 + c0)).collect(),
            sources: f.sources.iter().map(|s| SourceIdx(s.0 + r0)).collect(),
            ..f.clone()
        }));
        kb.sources.extend(base.sources.iter().map(|s| Source {
            id: id(&s.id),
            ..s.clone()
        }));
        kb.guides.extend(base.guides.iter().map(|g| Guide {
            id: id(&g.id),
            symptom: SymptomIdx(g.symptom.0 + s0),
            related: g.related.iter().map(|s| SymptomIdx(s.0 + s0)).collect(),
            ..g.clone()
        }));
        kb.examples.extend(base.examples.iter().map(|e| Example {
            id: id(&e.id),
            expect: Vec::new(),
            ..e.clone()
        }));
    }
    kb
}

fn bench(c: &mut Criterion) {
    let kb = scaled(&fixture(), 10_000);
    let renderer = Renderer::new(&Theme::default()).expect("default theme compiles");
    let files = renderer.render(&kb, &Format::ALL).expect("renders");
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    eprintln!(
        "{} rules, {} guides, {} fixes: {} files, {:.1} MB",
        rules(&kb),
        kb.guides.len(),
        kb.fixes.len(),
        files.len(),
        bytes as f64 / 1e6
    );
    if std::env::var_os("KBC_BENCH_QUICK").is_some() {
        let t = std::time::Instant::now();
        let site = kbc_compiler::render::build_view(&kb);
        eprintln!("view: {:?}", t.elapsed());
        for f in Format::ALL {
            let t = std::time::Instant::now();
            let _ = renderer.render_site(&kb, &site, &[f]);
            eprintln!("{}: {:?}", f.dir(), t.elapsed());
        }
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let _ = renderer.render(&kb, &Format::ALL);
            eprintln!("all formats, view included: {:?}", t.elapsed());
        }
        return;
    }
    let mut g = c.benchmark_group("render_10k_rules");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("all_formats", |b| {
        b.iter(|| renderer.render(&kb, &Format::ALL).expect("renders"))
    });
    for f in Format::ALL {
        g.bench_function(f.dir(), |b| {
            b.iter(|| renderer.render(&kb, &[f]).expect("renders"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
