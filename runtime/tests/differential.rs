//! Differential tests: on generated knowledge bases and observations, the
//! compiled matcher and the reference interpreter give identical diagnosis
//! JSON and next questions (docs/SEMANTICS.md is what both implement).
//!
//! Knowledge bases are built from a byte string that proptest generates and
//! shrinks: every choice reads one byte (0 once the bytes run out), so a
//! shrunk failure is a small knowledge base.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_runtime::model::*;
use kbc_runtime::{Artifact, Matcher, Reference};
use proptest::prelude::*;

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.byte() as usize % n
        }
    }
    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }
}

const WORDS: [&str; 6] = ["a", "b", "A", "err", "ab", ""];
const NEEDLES: [&str; 5] = ["a", "B", "err", "", "é"];
const PATTERNS: [&str; 6] = ["a+", "^b", "(?i)a$", "x|err", "^$", "[0-9]{2}"];
const SEGMENTS: [&str; 7] = ["err 42", "b", "aaa", "ERR x", "", "é b", "xa"];

fn loc(u: &mut Bytes) -> Location {
    Location {
        file: "gen.kb".into(),
        line: u.below(50) as u32 + 1,
        column: 1,
    }
}

fn value(u: &mut Bytes, ty: &FactType) -> Value {
    match ty {
        FactType::Bool => Value::Bool(u.byte() % 2 == 0),
        FactType::Int => Value::Int(u.below(7) as i64 - 2),
        FactType::Str | FactType::Text => Value::Str(u.pick(&WORDS).to_string()),
        FactType::Enum(vs) => Value::Enum(u.below(vs.len()) as u32),
    }
}

fn leaf(u: &mut Bytes, facts: &[Fact]) -> Condition {
    let f = u.below(facts.len());
    let fact = FactIdx(f as u32);
    let ty = &facts[f].ty;
    match (ty, u.below(6)) {
        (_, 0) => Condition::Known { fact },
        (FactType::Text, k) | (FactType::Str, k @ (1 | 2)) => {
            if k % 2 == 0 {
                Condition::Contains {
                    fact,
                    needle: u.pick(&NEEDLES).to_string(),
                }
            } else {
                Condition::Matches {
                    fact,
                    pattern: u.pick(&PATTERNS).to_string(),
                }
            }
        }
        (_, 3) => Condition::In {
            fact,
            values: (0..u.below(3)).map(|_| value(u, ty)).collect(),
        },
        _ => {
            let ops = if *ty == FactType::Int {
                &[
                    CmpOp::Eq,
                    CmpOp::Ne,
                    CmpOp::Lt,
                    CmpOp::Le,
                    CmpOp::Gt,
                    CmpOp::Ge,
                ][..]
            } else {
                &[CmpOp::Eq, CmpOp::Ne][..]
            };
            Condition::Compare {
                fact,
                op: *u.pick(ops),
                value: value(u, ty),
            }
        }
    }
}

fn condition(u: &mut Bytes, facts: &[Fact], depth: u32) -> Condition {
    let k = if depth == 0 { 0 } else { u.below(8) };
    match k {
        5 => Condition::And(
            (0..u.below(3) + 1)
                .map(|_| condition(u, facts, depth - 1))
                .collect(),
        ),
        6 => Condition::Or(
            (0..u.below(3) + 1)
                .map(|_| condition(u, facts, depth - 1))
                .collect(),
        ),
        7 => Condition::Not(Box::new(condition(u, facts, depth - 1))),
        _ if u.below(12) == 0 => Condition::True,
        _ => leaf(u, facts),
    }
}

fn kb(u: &mut Bytes) -> KnowledgeBase {
    let mut kb = KnowledgeBase::default();
    for i in 0..u.below(5) + 1 {
        let ty = match u.below(5) {
            0 => FactType::Bool,
            1 => FactType::Int,
            2 => FactType::Str,
            3 => FactType::Enum(
                (0..u.below(3) + 1)
                    .map(|v| EnumValue {
                        id: format!("v{v}"),
                        label: (v == 0).then(|| "Value Zero".to_string()),
                    })
                    .collect(),
            ),
            _ => FactType::Text,
        };
        kb.facts.push(Fact {
            id: format!("f{i}"),
            ty,
            question: (u.below(5) != 0).then(|| format!("What is f{i}?")),
            label: (u.below(2) == 0).then(|| format!("the f{i}")),
            loc: loc(u),
        });
    }
    for i in 0..u.below(3) + 1 {
        let facts = kb.facts.clone();
        // Anchored symptoms are common: exercise the exact-value tables.
        let condition = match u.below(3) {
            0 => {
                let f = u.below(facts.len());
                let anchor = Condition::Compare {
                    fact: FactIdx(f as u32),
                    op: CmpOp::Eq,
                    value: value(u, &facts[f].ty),
                };
                if facts[f].ty == FactType::Text {
                    condition(u, &facts, 2)
                } else {
                    Condition::And(vec![anchor, condition(u, &facts, 1)])
                }
            }
            _ => condition(u, &facts, 2),
        };
        kb.symptoms.push(Symptom {
            id: format!("s{i}"),
            title: format!("Symptom {i}"),
            condition,
            description: None,
            loc: loc(u),
        });
    }
    let priors = [
        Prior::VeryCommon,
        Prior::Common,
        Prior::Uncommon,
        Prior::Rare,
    ];
    let strengths = [
        Strength::Strong,
        Strength::Moderate,
        Strength::Weak,
        Strength::AgainstWeak,
        Strength::AgainstModerate,
        Strength::AgainstStrong,
        Strength::RulesOut,
    ];
    for i in 0..u.below(6) + 1 {
        let ns = kb.symptoms.len();
        let mut produces: Vec<SymptomIdx> = (0..u.below(2) + 1)
            .map(|_| SymptomIdx(u.below(ns) as u32))
            .collect();
        produces.dedup();
        let facts = kb.facts.clone();
        let evidence = (0..u.below(5))
            .map(|_| Evidence {
                strength: *u.pick(&strengths),
                condition: condition(u, &facts, 3),
                because: (u.below(3) == 0).then(|| "the reason".to_string()),
                loc: loc(u),
            })
            .collect();
        kb.causes.push(Cause {
            id: format!("c{}", (i * 7) % 10),
            title: format!("Cause {i}"),
            produces,
            prior: *u.pick(&priors),
            description: None,
            evidence,
            sources: vec![],
            loc: loc(u),
        });
    }
    // Unique ids even when `(i * 7) % 10` repeats.
    for (i, c) in kb.causes.iter_mut().enumerate() {
        c.id = format!("{}_{i}", c.id);
    }
    let levels = [Level::Low, Level::Medium, Level::High];
    let rights = [Rights::User, Rights::Admin, Rights::DomainAdmin];
    for i in 0..u.below(5) {
        let nc = kb.causes.len();
        let resolves = (0..u.below(3) + 1)
            .map(|_| CauseIdx(u.below(nc) as u32))
            .collect();
        kb.fixes.push(Fix {
            id: format!("x{i}"),
            title: format!("Fix {i}"),
            resolves,
            effort: *u.pick(&levels),
            risk: *u.pick(&levels),
            rights: *u.pick(&rights),
            description: None,
            steps: vec![Step::Prose {
                text: "step".into(),
            }],
            sources: vec![],
            loc: loc(u),
        });
    }
    kb
}

/// What one generated case exercised, to check the generator's reach.
#[derive(Default, Debug)]
struct Reach {
    ranked: usize,
    evidence: usize,
    ruled_out: usize,
    question: usize,
    shared_fix: usize,
    no_observed: usize,
}

fn check(bytes: &[u8]) -> Reach {
    let mut u = Bytes(bytes);
    let kb = kb(&mut u);
    let art = Artifact::build(kb.clone()).expect("generated knowledge bases are valid");
    let bytes = art.to_bytes();
    // The matcher diagnoses from the loaded records; the whole model is
    // decoded only at the end, to check the round trip.
    let m = Matcher::new(Artifact::from_bytes(&bytes).expect("artifact round trip"));
    let r = Reference::new(&kb).expect("reference");
    let mut obs = m.observation();
    for (i, f) in kb.facts.iter().enumerate() {
        if u.below(3) == 0 {
            continue;
        }
        if f.ty == FactType::Text {
            for _ in 0..u.below(3) + 1 {
                obs.add_text(&f.id, SEGMENTS[u.below(SEGMENTS.len())])
                    .unwrap();
            }
        } else {
            obs.set_value(FactIdx(i as u32), value(&mut u, &f.ty))
                .unwrap();
        }
    }
    let d = serde_json::to_string_pretty(&m.diagnose(&obs)).unwrap();
    let rd = serde_json::to_string_pretty(&r.diagnose(&obs)).unwrap();
    assert_eq!(d, rd, "diagnoses differ for {kb:#?}");
    assert_eq!(m.next_question(&obs), r.next_question(&obs));
    let ranked: Vec<&str> = m
        .rank(&obs)
        .iter()
        .map(|(c, _)| kb.causes[c.index()].id.as_str())
        .collect();
    let from_diagnosis: Vec<&str> = r.diagnose(&obs).causes.iter().map(|c| c.id).collect();
    assert_eq!(ranked, from_diagnosis);
    let d = m.diagnose(&obs);
    assert_eq!(m.kb(), &kb, "the artifact round trip keeps the model");
    assert_eq!(
        m.artifact().to_bytes(),
        bytes,
        "a loaded artifact writes its bytes"
    );
    Reach {
        ranked: usize::from(d.causes.len() > 1),
        evidence: usize::from(d.causes.iter().any(|c| !c.evidence.is_empty())),
        ruled_out: usize::from(!d.ruled_out.is_empty()),
        question: usize::from(d.next_question.is_some()),
        shared_fix: usize::from(d.fixes.iter().any(|f| f.causes.len() > 1)),
        no_observed: usize::from(
            d.symptoms
                .iter()
                .any(|s| s.status == kbc_runtime::SymptomStatus::Possible),
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn matcher_and_reference_agree(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
    }
}

#[test]
fn agree_on_fixed_seeds() {
    // A deterministic sweep beside the random one, so CI always covers these.
    let mut total = Reach::default();
    for seed in 0u64..300 {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let bytes: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let r = check(&bytes);
        total.ranked += r.ranked;
        total.evidence += r.evidence;
        total.ruled_out += r.ruled_out;
        total.question += r.question;
        total.shared_fix += r.shared_fix;
        total.no_observed += r.no_observed;
    }
    // The generator reaches every interesting case often enough.
    let t = &total;
    for (what, n) in [
        ("several ranked", t.ranked),
        ("evidence", t.evidence),
        ("ruled out", t.ruled_out),
        ("a question", t.question),
        ("a shared fix", t.shared_fix),
        ("nothing observed", t.no_observed),
    ] {
        assert!(n >= 15, "only {n} of 300 cases have {what}: {total:?}");
    }
}
