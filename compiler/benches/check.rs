//! Front-end speed: parse + check of synthetic knowledge bases
//! (`kbc_compiler::synth`, 1,000 text patterns) of 1,000, 10,000 and 100,000
//! rules, generated in memory so no file system time is counted.
//!
//! - `check/N`: [`kbc_compiler::check`] on the whole input: UTF-8, parse,
//!   lower, resolve, type-check, lint; the work of `kbc check` minus reading
//!   files and printing. Target (issue 2): well under a second at 10,000.
//! - `parse/N`: the parser alone ([`kbc_compiler::syntax::parse_file`] on
//!   every file), to show how the time splits.
//!
//! Throughput is in bytes of `.kb` source (10,000 rules are about 6 MB).
//! 100,000 rules are measured only under `cargo bench` (ten samples), not in
//! the one-pass smoke run of `cargo test --benches`.
//!
//! `cargo bench -p kbc-compiler --bench check`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kbc_compiler::synth::{self, SynthConfig};
use kbc_compiler::{check, Input};
use std::hint::black_box;
use std::time::Duration;

fn sizes() -> Vec<usize> {
    let benching = std::env::args().any(|a| a == "--bench");
    let mut sizes = vec![1_000, 10_000];
    if benching {
        sizes.push(100_000);
    }
    sizes
}

fn input(rules: usize) -> (Input, u64) {
    let kb = synth::generate_kb(&SynthConfig {
        rules,
        seed: 1,
        text_patterns: 1_000,
    });
    let bytes = kb.source_bytes() as u64;
    let input = kb.to_input();
    let checked = check(&input);
    assert!(
        checked.diagnostics.is_empty(),
        "the {rules}-rule knowledge base does not check clean"
    );
    (input, bytes)
}

fn front_end(c: &mut Criterion) {
    for rules in sizes() {
        let (input, bytes) = input(rules);
        let mut group = c.benchmark_group("front_end");
        group.throughput(Throughput::Bytes(bytes));
        if rules >= 10_000 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(if rules >= 100_000 { 60 } else { 8 }));
        }
        group.bench_with_input(BenchmarkId::new("check", rules), &input, |b, input| {
            b.iter(|| black_box(check(input)))
        });
        let texts: Vec<String> = input
            .files
            .iter()
            .map(|f| String::from_utf8(f.bytes.clone()).unwrap())
            .collect();
        group.bench_with_input(BenchmarkId::new("parse", rules), &texts, |b, texts| {
            b.iter(|| {
                for (i, t) in texts.iter().enumerate() {
                    black_box(kbc_compiler::syntax::parse_file(t, i as u32 + 1));
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, front_end);
criterion_main!(benches);
