//! A quick timing of the matcher on synthetic knowledge bases (the
//! criterion benchmarks measure properly; this is a smoke check).
//! Run: `cargo run --release -p kbc-runtime --example measure`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use kbc_runtime::model::*;
use kbc_runtime::{Artifact, Matcher, Reference};

fn loc() -> Location {
    Location::default()
}

/// `rules` causes, 10 per symptom, each with 3 evidence over 4 env facts
/// and the message; symptoms anchored on (error_code, extended_code).
fn synth(rules: usize, patterns: usize) -> KnowledgeBase {
    let vals = |n: usize| {
        FactType::Enum(
            (0..n)
                .map(|i| EnumValue {
                    id: format!("v{i}"),
                    label: None,
                })
                .collect(),
        )
    };
    let fact = |id: &str, ty| Fact {
        id: id.into(),
        ty,
        question: Some("?".into()),
        label: None,
        loc: loc(),
    };
    let mut kb = KnowledgeBase {
        facts: vec![
            fact("error_code", FactType::Int),
            fact("extended_code", FactType::Int),
            fact("client_os", vals(7)),
            fact("host_os", vals(6)),
            fact("domain_joined", FactType::Bool),
            fact("via_vpn", FactType::Bool),
            fact("message", FactType::Text),
        ],
        ..Default::default()
    };
    // 24 more facts, as in a real base: booleans, 12-value enums, ints.
    for i in 0..8 {
        kb.facts.push(fact(&format!("b{i}"), FactType::Bool));
        kb.facts.push(fact(&format!("e{i}"), vals(12)));
        kb.facts.push(fact(&format!("n{i}"), FactType::Int));
    }
    let nsym = rules.div_ceil(10);
    for s in 0..nsym {
        kb.symptoms.push(Symptom {
            id: format!("s{s}"),
            title: format!("S{s}"),
            condition: Condition::And(vec![
                Condition::Compare {
                    fact: FactIdx(0),
                    op: CmpOp::Eq,
                    value: Value::Int(0x900 + (s / 8) as i64),
                },
                Condition::Compare {
                    fact: FactIdx(1),
                    op: CmpOp::Eq,
                    value: Value::Int((s % 8) as i64),
                },
            ]),
            description: None,
            loc: loc(),
        });
    }
    for c in 0..rules {
        let p = c % patterns.max(1);
        kb.causes.push(Cause {
            id: format!("c{c}"),
            title: format!("C{c}"),
            produces: vec![SymptomIdx((c / 10) as u32)],
            prior: [
                Prior::VeryCommon,
                Prior::Common,
                Prior::Uncommon,
                Prior::Rare,
            ][c % 4],
            description: None,
            evidence: vec![
                Evidence {
                    strength: Strength::Strong,
                    condition: Condition::And(vec![
                        Condition::Compare {
                            fact: FactIdx(4),
                            op: CmpOp::Eq,
                            value: Value::Bool(true),
                        },
                        Condition::In {
                            fact: FactIdx(3),
                            values: vec![
                                Value::Enum((c % 6) as u32),
                                Value::Enum(((c + 1) % 6) as u32),
                            ],
                        },
                    ]),
                    because: None,
                    loc: loc(),
                },
                Evidence {
                    strength: Strength::AgainstModerate,
                    condition: Condition::Compare {
                        fact: FactIdx(2),
                        op: CmpOp::Eq,
                        value: Value::Enum((c % 7) as u32),
                    },
                    because: None,
                    loc: loc(),
                },
                Evidence {
                    strength: Strength::Weak,
                    condition: if c % 2 == 0 {
                        Condition::Contains {
                            fact: FactIdx(6),
                            needle: format!("token{p}x"),
                        }
                    } else {
                        Condition::Matches {
                            fact: FactIdx(6),
                            pattern: format!("err{p}: [0-9]+"),
                        }
                    },
                    because: None,
                    loc: loc(),
                },
            ],
            sources: vec![],
            loc: loc(),
        });
        // Two more evidence lines over the extra facts.
        let base = 7 + 3 * ((c * 7) % 8) as u32;
        if let Some(cause) = kb.causes.last_mut() {
            cause.evidence.push(Evidence {
                strength: Strength::Moderate,
                condition: Condition::And(vec![
                    Condition::Compare {
                        fact: FactIdx(base),
                        op: CmpOp::Eq,
                        value: Value::Bool(c % 3 == 0),
                    },
                    Condition::In {
                        fact: FactIdx(base + 1),
                        values: vec![
                            Value::Enum((c % 12) as u32),
                            Value::Enum(((c + 5) % 12) as u32),
                        ],
                    },
                ]),
                because: None,
                loc: loc(),
            });
            cause.evidence.push(Evidence {
                strength: if c % 5 == 0 {
                    Strength::RulesOut
                } else {
                    Strength::AgainstWeak
                },
                condition: Condition::Compare {
                    fact: FactIdx(7 + 3 * ((c * 3) % 8) as u32 + 2),
                    op: CmpOp::Gt,
                    value: Value::Int((c % 50) as i64),
                },
                because: None,
                loc: loc(),
            });
        }
    }
    kb
}

/// CPU time of this thread in ns (Linux), so a busy machine does not skew
/// the numbers; wall time elsewhere.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Microseconds per call, in CPU time where available: at least `n`
/// calls and at least 200 ms (the CPU clock may tick coarsely).
fn time<T>(n: u32, mut f: impl FnMut() -> T) -> f64 {
    let (t, c) = (Instant::now(), cpu_ns());
    let mut calls = 0u64;
    while calls < u64::from(n) || t.elapsed().as_millis() < 200 {
        std::hint::black_box(f());
        calls += 1;
    }
    match (c, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e3 / calls as f64,
        _ => t.elapsed().as_secs_f64() / calls as f64 * 1e6,
    }
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    // `measure rss N`: peak memory of loading an N-rule artifact and
    // diagnosing one observation with a message (the artifact is written to
    // a temporary file by a first run of the same command).
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("rss") {
        let rules: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
        let path = std::env::temp_dir().join(format!("kbc-measure-{rules}.kbca"));
        if !path.exists() {
            std::fs::write(
                &path,
                Artifact::build(synth(rules, 1000)).unwrap().to_bytes(),
            )
            .unwrap();
            println!("wrote {}; run again to measure", path.display());
            return;
        }
        let m = Matcher::load(&path).unwrap();
        let mut o = m.observation();
        o.set("error_code", "0x901").unwrap();
        o.set("extended_code", "3").unwrap();
        o.add_text("message", "token110x err111: 42").unwrap();
        let d = m.diagnose(&o);
        println!(
            "{rules} rules: {} causes ranked, peak RSS {} MB",
            d.causes.len(),
            peak_rss_kb() / 1024
        );
        return;
    }
    // `measure load`: a loop of loading the 10k artifact, for a profiler.
    if args.get(1).map(String::as_str) == Some("load") {
        let bytes = Artifact::build(synth(10_000, 1000)).unwrap().to_bytes();
        let mut keep = Vec::new();
        println!(
            "{:.2} ms CPU per load of {} KB",
            time(20, || keep.push(Matcher::from_bytes(&bytes).unwrap())) / 1e3,
            bytes.len() / 1024
        );
        return;
    }
    // `measure nq`: a loop of next_question at 10k rules, for a profiler.
    if args.get(1).map(String::as_str) == Some("nq") {
        let m = Matcher::new(Artifact::build(synth(10_000, 1000)).unwrap());
        let mut o = m.observation();
        for (f, v) in [
            ("error_code", "0x901"),
            ("extended_code", "3"),
            ("client_os", "v2"),
            ("host_os", "v3"),
            ("domain_joined", "true"),
            ("via_vpn", "false"),
        ] {
            o.set(f, v).unwrap();
        }
        println!("{:.2} µs", time(50_000, || m.next_question(&o)));
        return;
    }
    for rules in [100, 1_000, 10_000, 100_000] {
        let t = Instant::now();
        let art = Artifact::build(synth(rules, 1000)).unwrap();
        let build = t.elapsed().as_secs_f64() * 1e3;
        let bytes = art.to_bytes();
        let t = Instant::now();
        let m = Matcher::from_bytes(&bytes).unwrap();
        let load = t.elapsed().as_secs_f64() * 1e3;
        let mut o = m.observation();
        o.set("error_code", "0x901").unwrap();
        o.set("extended_code", "3").unwrap();
        o.set("client_os", "v2").unwrap();
        o.set("host_os", "v3").unwrap();
        o.set("domain_joined", "true").unwrap();
        o.set("via_vpn", "false").unwrap();
        let msg = format!("{} token110x err111: 42", "x".repeat(160));
        // The text scanners compile on first use; time that apart.
        let t = Instant::now();
        m.observation().add_text("message", "warm up").unwrap();
        let compile = t.elapsed().as_secs_f64() * 1e3;
        let t_msg = time(2000, || {
            let mut o2 = m.observation();
            o2.add_text("message", &msg).unwrap();
        });
        let t_new = time(2000, || m.observation());
        let mut o3 = m.observation();
        let t_add = time(2000, || o3.add_text("message", &msg).unwrap());
        o.add_text("message", &msg).unwrap();
        let t_fresh_set = time(2000, || {
            let mut o2 = m.observation();
            o2.set("error_code", "1").unwrap();
        });
        let t_fresh_short = time(2000, || {
            let mut o2 = m.observation();
            o2.add_text("message", "nothing here").unwrap();
        });
        println!(
            "  scanners compiled on first text in {compile:.1} ms; new observation {t_new:.2} µs, +set {t_fresh_set:.2} µs, +short text {t_fresh_short:.2} µs; add a 200-byte message {t_add:.2} µs"
        );
        let rank = time(20_000, || m.rank(&o));
        let nq = time(2_000, || m.next_question(&o));
        let diag = time(2_000, || m.diagnose(&o));
        let r = Reference::new(m.kb()).unwrap();
        let refr = time(if rules > 10_000 { 3 } else { 30 }, || r.diagnose(&o));
        println!(
            "{rules:>7} rules: build {build:.1} ms, artifact {} KB, load {load:.2} ms | rank {rank:.2} µs, next_question {nq:.2} µs, diagnose {diag:.2} µs, obs+message {t_msg:.2} µs | reference diagnose {refr:.0} µs",
            bytes.len() / 1024
        );
    }
    // Log scanning against 1,000 patterns (500 literals + 500 regexes).
    let m = Matcher::new(Artifact::build(synth(1000, 1000)).unwrap());
    let mut log = Vec::new();
    let mut i = 0u64;
    while log.len() < 64 << 20 {
        i += 1;
        log.extend_from_slice(
            format!("2024-01-01T00:00:{:02} host{} service[{}]: connection state changed, nothing to see {}\n", i % 60, i % 97, i, i * 7919 % 100_000).as_bytes(),
        );
        if i % 10_000 == 0 {
            log.extend_from_slice(b"error: token42x happened; err17: 99\n");
        }
    }
    let mut o = m.observation();
    let t = Instant::now();
    let sum = o.scan_log("message", &log[..]).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "log scan: {} MB in {:.3} s = {:.0} MB/s ({} lines, {} kept)",
        log.len() >> 20,
        secs,
        (log.len() as f64 / 1e6) / secs,
        sum.lines,
        sum.kept
    );
}
