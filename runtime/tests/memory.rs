//! Memory stays bounded on hostile text: scanning one message must not raise the
//! process's peak resident memory by more than a set amount.
//!
//! The case it guards: with many `matches` patterns using a Unicode `\b`,
//! the regex engine's lazy DFA gives up on a non-ASCII byte and falls back
//! to an engine whose per-search table grows with NFA states × capture
//! slots. With slots, one 100-byte message took over 400 MB.
//!
//! It reads the process's peak resident set (Linux `VmHWM`), so it is the
//! only test in this binary: nothing else runs beside it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_runtime::model::*;
use kbc_runtime::{Artifact, Matcher};

/// The process's peak resident set in bytes, where the system says.
fn peak_resident() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb << 10)
}

/// One symptom on `message`, and a cause per pattern `\bword-N\d{2,4}\b`.
fn word_boundary_kb(patterns: usize) -> KnowledgeBase {
    let at = Location::default();
    let message = FactIdx(0);
    KnowledgeBase {
        facts: vec![Fact {
            id: "message".into(),
            ty: FactType::Text,
            question: None,
            label: None,
            loc: at.clone(),
        }],
        symptoms: vec![Symptom {
            id: "failed".into(),
            title: "It failed".into(),
            condition: Condition::Known { fact: message },
            description: None,
            loc: at.clone(),
        }],
        causes: (0..patterns)
            .map(|i| Cause {
                id: format!("cause_{i}"),
                title: format!("Cause {i}"),
                produces: vec![SymptomIdx(0)],
                prior: Prior::Common,
                description: None,
                evidence: vec![Evidence {
                    strength: Strength::Strong,
                    condition: Condition::Matches {
                        fact: message,
                        pattern: format!(r"\bword-{i:x}\d{{2,4}}\b"),
                    },
                    because: None,
                    loc: at.clone(),
                }],
                sources: vec![],
                loc: at.clone(),
            })
            .collect(),
        ..KnowledgeBase::default()
    }
}

#[test]
fn a_non_ascii_message_matching_word_boundary_patterns_takes_bounded_memory() {
    let m = Matcher::new(Artifact::build(word_boundary_kb(300)).unwrap());
    // Matches pattern 0x2a; the `é` makes the lazy DFA give up.
    let text = format!("é {} word-2a123 é", "x".repeat(100));
    let mut obs = m.observation();
    let before = peak_resident();
    obs.set("message", &text).unwrap();
    if let (Some(before), Some(after)) = (before, peak_resident()) {
        let grew = after.saturating_sub(before);
        assert!(
            grew < 64 << 20,
            "scanning one message raised the peak resident set by {} MB",
            grew >> 20
        );
    }
    let d = m.diagnose(&obs);
    assert_eq!(d.causes.first().map(|c| c.id), Some("cause_42"));
}
