//! Small builders for hand-made knowledge bases in unit tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use crate::model::*;
use crate::{Artifact, Diagnosis, Matcher, Observation, Reference};

pub(crate) fn loc(line: u32) -> Location {
    Location {
        file: "t.kb".into(),
        line,
        column: 1,
    }
}

#[derive(Default)]
pub(crate) struct Kb(pub KnowledgeBase);

impl Kb {
    pub fn fact(mut self, id: &str, ty: FactType) -> Self {
        self.0.facts.push(Fact {
            id: id.into(),
            ty,
            question: Some(format!("What is {id}?")),
            label: None,
            loc: loc(1),
        });
        self
    }
    pub fn silent_fact(mut self, id: &str, ty: FactType) -> Self {
        self = self.fact(id, ty);
        if let Some(f) = self.0.facts.last_mut() {
            f.question = None;
        }
        self
    }
    pub fn symptom(mut self, id: &str, when: Condition) -> Self {
        self.0.symptoms.push(Symptom {
            id: id.into(),
            title: format!("symptom {id}"),
            condition: when,
            description: None,
            loc: loc(2),
        });
        self
    }
    pub fn cause(
        mut self,
        id: &str,
        prior: Prior,
        produces: &[u32],
        evidence: Vec<Evidence>,
    ) -> Self {
        self.0.causes.push(Cause {
            id: id.into(),
            title: format!("cause {id}"),
            produces: produces.iter().map(|&s| SymptomIdx(s)).collect(),
            prior,
            description: None,
            evidence,
            sources: vec![],
            loc: loc(3),
        });
        self
    }
    pub fn fix(
        mut self,
        id: &str,
        resolves: &[u32],
        effort: Level,
        risk: Level,
        rights: Rights,
    ) -> Self {
        self.0.fixes.push(Fix {
            id: id.into(),
            title: format!("fix {id}"),
            resolves: resolves.iter().map(|&c| CauseIdx(c)).collect(),
            effort,
            risk,
            rights,
            description: None,
            steps: vec![Step::Prose {
                text: "do it".into(),
            }],
            sources: vec![],
            loc: loc(4),
        });
        self
    }
    pub fn matcher(self) -> Matcher {
        Matcher::new(Artifact::build(self.0).expect("valid kb"))
    }
}

pub(crate) fn ev(strength: Strength, condition: Condition) -> Evidence {
    Evidence {
        strength,
        condition,
        because: None,
        loc: loc(9),
    }
}

pub(crate) fn cmp(f: u32, op: CmpOp, value: Value) -> Condition {
    Condition::Compare {
        fact: FactIdx(f),
        op,
        value,
    }
}
pub(crate) fn eq(f: u32, value: Value) -> Condition {
    cmp(f, CmpOp::Eq, value)
}
pub(crate) fn int(i: i64) -> Value {
    Value::Int(i)
}
pub(crate) fn yes(f: u32) -> Condition {
    eq(f, Value::Bool(true))
}
pub(crate) fn contains(f: u32, needle: &str) -> Condition {
    Condition::Contains {
        fact: FactIdx(f),
        needle: needle.into(),
    }
}
pub(crate) fn matches(f: u32, pattern: &str) -> Condition {
    Condition::Matches {
        fact: FactIdx(f),
        pattern: pattern.into(),
    }
}
pub(crate) fn known(f: u32) -> Condition {
    Condition::Known { fact: FactIdx(f) }
}
pub(crate) fn enm(ids: &[&str]) -> FactType {
    FactType::Enum(
        ids.iter()
            .map(|i| EnumValue {
                id: i.to_string(),
                label: None,
            })
            .collect(),
    )
}

/// Diagnoses with both engines, asserts they agree, returns the matcher's.
pub(crate) fn both<'m>(m: &'m Matcher, obs: &Observation<'_>) -> Diagnosis<'m> {
    let r = Reference::new(m.kb()).expect("reference");
    let d = m.diagnose(obs);
    let rd = r.diagnose(obs);
    assert_eq!(
        serde_json::to_string_pretty(&d).unwrap(),
        serde_json::to_string_pretty(&rd).unwrap(),
        "the engines disagree"
    );
    assert_eq!(m.next_question(obs), r.next_question(obs));
    d
}

pub(crate) fn ids<'a>(d: &'a Diagnosis<'_>) -> Vec<&'a str> {
    d.causes.iter().map(|c| c.id).collect()
}
