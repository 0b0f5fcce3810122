//! Diagnosis speed on synthetic knowledge bases of 100, 1,000, 10,000 and
//! 100,000 rules (`kbc_compiler::synth`), against the targets of issue 3:
//!
//! | what | target |
//! |---|---|
//! | `rank`: rank one observation (an error code and its extended code, four environment facts, a 200-byte message) | < 2 µs at 10k, nearly flat 1k → 100k |
//! | `next_question` at 10k | < 20 µs |
//! | `log_scan`: a log against 1,000 text patterns | > 300 MB/s |
//! | `artifact_load` at 10k | < 5 ms |
//!
//! Also measured: `next_question_nothing_observed` (environment facts
//! only, so every cause is a candidate), `observe` (reading the observation: typing the facts and
//! scanning the message once), `diagnose` (the whole diagnosis: ranking,
//! evidence, ruled out, fixes, next question) and `reference` (the same
//! diagnosis by the reference interpreter, so the speed-up is visible).
//!
//! The 10,000-rule artifact and one observation are written to
//! `target/tmp/kb10k.kbc` and `target/tmp/obs10k.json` for the resident
//! memory measurement (docs/CLI.md, "Performance"):
//! `cargo run --release -p kbc-runtime --example rss -- target/tmp/kb10k.kbc target/tmp/obs10k.json`
//! (the runtime alone) and
//! `/usr/bin/time -v target/release/kbc diagnose --kb target/tmp/kb10k.kbc --facts target/tmp/obs10k.json`.
//!
//! `cargo bench -p kbc-compiler --bench diagnose -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kbc_compiler::synth::{self, SynthConfig, SynthObservation};
use kbc_runtime::model::KnowledgeBase;
use kbc_runtime::{Artifact, Matcher, Observation, Reference};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const SIZES: &[usize] = &[100, 1_000, 10_000, 100_000];
const TEXT_PATTERNS: usize = 1_000;
const OBSERVATIONS: usize = 64;

struct Kb {
    rules: usize,
    model: KnowledgeBase,
    matcher: Matcher,
    bytes: Vec<u8>,
    observations: Vec<SynthObservation>,
}

fn kb(rules: usize) -> Kb {
    let t = Instant::now();
    let src = synth::generate_kb(&SynthConfig {
        rules,
        seed: 1,
        text_patterns: TEXT_PATTERNS,
    });
    let checked = kbc_compiler::check(&src.to_input());
    let model = checked.model.expect("synthetic bases check clean");
    let bytes = Artifact::build(model.clone()).expect("builds").to_bytes();
    let matcher = Matcher::from_bytes(&bytes).expect("loads");
    let observations = synth::observations(&model, OBSERVATIONS, 7);
    eprintln!(
        "{rules} rules: {} symptoms, {} causes, {} fixes, {} text patterns; artifact {} bytes; set up in {:.1?}",
        src.counts.symptoms,
        src.counts.causes,
        src.counts.fixes,
        src.counts.text_patterns,
        bytes.len(),
        t.elapsed()
    );
    Kb {
        rules,
        model,
        matcher,
        bytes,
        observations,
    }
}

fn observe<'m>(m: &'m Matcher, o: &SynthObservation) -> Observation<'m> {
    let mut obs = m.observation();
    for (f, v) in &o.facts {
        obs.set_value(*f, v.clone()).expect("synthetic values fit");
    }
    obs
}

/// Writes the 10k artifact and an observation for the RSS measurement.
fn write_rss_inputs(k: &Kb) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("kb10k.kbc"), &k.bytes);
    if let Some(o) = k.observations.first() {
        let json = serde_json::to_string_pretty(&o.to_json(&k.model)).unwrap();
        let _ = std::fs::write(dir.join("obs10k.json"), json);
    }
}

/// About `bytes` of log lines: timestamps, services and filler words, one
/// line in 500 carrying one of the knowledge base's `contains` literals.
fn log_text(kb: &KnowledgeBase, bytes: usize) -> Vec<u8> {
    let mut literals = Vec::new();
    fn walk(c: &kbc_runtime::model::Condition, out: &mut Vec<String>) {
        use kbc_runtime::model::Condition as C;
        match c {
            C::And(cs) | C::Or(cs) => cs.iter().for_each(|c| walk(c, out)),
            C::Not(c) => walk(c, out),
            C::Contains { needle, .. } => out.push(needle.clone()),
            _ => {}
        }
    }
    kb.causes
        .iter()
        .flat_map(|c| &c.evidence)
        .for_each(|e| walk(&e.condition, &mut literals));
    const WORDS: &[&str] = &[
        "service",
        "entered",
        "the",
        "running",
        "state",
        "connection",
        "from",
        "client",
        "session",
        "accepted",
        "closed",
        "timeout",
        "policy",
        "applied",
        "update",
        "installed",
        "network",
        "adapter",
        "reset",
        "user",
        "logon",
        "logoff",
        "event",
        "handle",
        "worker",
    ];
    let mut out = Vec::with_capacity(bytes + 256);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut line = 0u64;
    while out.len() < bytes {
        line += 1;
        out.extend_from_slice(
            format!(
                "2024-05-{:02}T{:02}:{:02}:{:02}Z host{:03} TermService[{}]: ",
                1 + line % 28,
                line % 24,
                line % 60,
                (line * 7) % 60,
                next() % 200,
                next() % 9000
            )
            .as_bytes(),
        );
        for _ in 0..(6 + next() % 10) {
            out.extend_from_slice(WORDS[(next() % WORDS.len() as u64) as usize].as_bytes());
            out.push(b' ');
        }
        if line % 500 == 0 && !literals.is_empty() {
            out.extend_from_slice(literals[(next() % literals.len() as u64) as usize].as_bytes());
        }
        out.push(b'\n');
    }
    out
}

fn benches(c: &mut Criterion) {
    let kbs: Vec<Kb> = SIZES.iter().map(|&n| kb(n)).collect();

    let mut g = c.benchmark_group("observe");
    for k in &kbs {
        let mut i = 0;
        g.bench_with_input(BenchmarkId::from_parameter(k.rules), k, |b, k| {
            b.iter(|| {
                i = (i + 1) % k.observations.len();
                black_box(observe(&k.matcher, &k.observations[i]))
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("rank");
    for k in &kbs {
        let obs: Vec<Observation<'_>> = k
            .observations
            .iter()
            .map(|o| observe(&k.matcher, o))
            .collect();
        let mut i = 0;
        g.bench_with_input(BenchmarkId::from_parameter(k.rules), k, |b, k| {
            b.iter(|| {
                i = (i + 1) % obs.len();
                black_box(k.matcher.rank(&obs[i]))
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("diagnose");
    for k in &kbs {
        let obs: Vec<Observation<'_>> = k
            .observations
            .iter()
            .map(|o| observe(&k.matcher, o))
            .collect();
        let mut i = 0;
        g.bench_with_input(BenchmarkId::from_parameter(k.rules), k, |b, k| {
            b.iter(|| {
                i = (i + 1) % obs.len();
                black_box(k.matcher.diagnose(&obs[i]))
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("reference");
    g.sample_size(10);
    for k in &kbs {
        let reference = Reference::new(k.matcher.kb()).expect("reference builds");
        let obs: Vec<Observation<'_>> = k
            .observations
            .iter()
            .map(|o| observe(&k.matcher, o))
            .collect();
        let mut i = 0;
        g.bench_with_input(BenchmarkId::from_parameter(k.rules), k, |b, _| {
            b.iter(|| {
                i = (i + 1) % obs.len();
                black_box(reference.diagnose(&obs[i]))
            })
        });
    }
    g.finish();

    let k10 = kbs.iter().find(|k| k.rules == 10_000).expect("10k");
    write_rss_inputs(k10);
    eprintln!(
        "artifact at 10k rules: {} bytes ({:.2} MiB)",
        k10.bytes.len(),
        k10.bytes.len() as f64 / (1 << 20) as f64
    );

    let mut g = c.benchmark_group("next_question");
    for k in &kbs {
        let obs: Vec<Observation<'_>> = k
            .observations
            .iter()
            .map(|o| observe(&k.matcher, o))
            .collect();
        let mut i = 0;
        g.bench_with_input(BenchmarkId::from_parameter(k.rules), k, |b, k| {
            b.iter(|| {
                i = (i + 1) % obs.len();
                black_box(k.matcher.next_question(&obs[i]))
            })
        });
    }
    g.finish();

    // No symptom observed: only environment facts, so every symptom is
    // possible and every cause a candidate.
    let mut g = c.benchmark_group("next_question_nothing_observed");
    g.sample_size(10);
    for k in kbs.iter().filter(|k| k.rules <= 10_000) {
        let obs: Vec<Observation<'_>> = k
            .observations
            .iter()
            .map(|o| {
                let mut obs = k.matcher.observation();
                for (f, v) in &o.facts {
                    let fact = &k.model.facts[f.index()];
                    let selects = matches!(fact.id.as_str(), "error_code" | "extended_code")
                        || fact.ty == kbc_runtime::model::FactType::Text;
                    if !selects {
                        obs.set_value(*f, v.clone()).expect("synthetic values fit");
                    }
                }
                obs
            })
            .collect();
        let mut i = 0;
        g.bench_with_input(BenchmarkId::from_parameter(k.rules), k, |b, k| {
            b.iter(|| {
                i = (i + 1) % obs.len();
                black_box(k.matcher.next_question(&obs[i]))
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("artifact_load");
    g.bench_function("10000", |b| {
        b.iter(|| black_box(Matcher::from_bytes(&k10.bytes).expect("loads")))
    });
    g.finish();

    // Log scanning: a 10k-rule base with exactly 1,000 text patterns.
    let log = log_text(&k10.model, 16 << 20);
    let text_fact = k10
        .model
        .facts
        .iter()
        .find(|f| f.id == "message")
        .map(|f| f.id.clone())
        .expect("a message fact");
    let mut g = c.benchmark_group("log_scan");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.sample_size(10);
    g.bench_function("10000_rules_1000_patterns", |b| {
        b.iter(|| {
            let mut obs = k10.matcher.observation();
            black_box(obs.scan_log(&text_fact, &log[..]).expect("scans"))
        })
    });
    g.finish();
}

criterion_group! {
    name = diagnose;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(diagnose);
