//! The diagnosis: what both engines return, and the public JSON contract.
//!
//! Takes an engine's raw result (symptom statuses, ranked and ruled-out
//! causes with their true evidence, fixes, question), gives the
//! [`Diagnosis`] with probabilities, shares and plain-words text. Both
//! engines share this last step; everything before it they compute on
//! their own.

use std::borrow::Cow;

use serde::Serialize;

use crate::math;
use crate::model::{
    Fact, FactIdx, FactType, Fix, KnowledgeBase, Level, Location, Prior, Rights, Step, Strength,
    Value,
};

/// Whether a symptom's `when` holds for the observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymptomStatus {
    /// The `when` is true.
    Observed,
    /// The `when` is unknown: it may hold once more is known.
    Possible,
    /// The `when` is false.
    Excluded,
}

/// A symptom the candidates were drawn from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SymptomReport<'a> {
    /// The symptom's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Observed or possible.
    pub status: SymptomStatus,
}

/// One piece of evidence that held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceReport<'a> {
    /// The strength keyword, such as `strong` or `rules_out`.
    pub strength: &'static str,
    /// The score change in decibans (`null` for `rules_out`).
    pub decibans: Option<i32>,
    /// The plain-words reason.
    pub text: Cow<'a, str>,
    /// Where the evidence was written.
    pub location: &'a Location,
    /// The ids of the facts its condition reads.
    pub facts: Vec<&'a str>,
}

/// A ranked cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedCause<'a> {
    /// The cause's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Log-odds in decibans: prior plus the evidence that held.
    pub score: i64,
    /// `1 / (1 + 10^(−score/10))`.
    pub probability: f64,
    /// Its weight `10^(score/10)` over the sum of the ranked causes' weights.
    pub share: f64,
    /// The prior keyword, such as `common`.
    pub prior: &'static str,
    /// The evidence that held, in declaration order.
    pub evidence: Vec<EvidenceReport<'a>>,
}

/// A candidate cause that evidence ruled out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuledOutCause<'a> {
    /// The cause's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The `rules_out` evidence that held.
    pub evidence: Vec<EvidenceReport<'a>>,
}

/// A fix to try, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixReport<'a> {
    /// The fix's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The highest-ranked cause it resolves.
    pub cause: &'a str,
    /// Every ranked cause it resolves, in rank order.
    pub causes: Vec<&'a str>,
    /// `low`, `medium` or `high`.
    pub effort: &'static str,
    /// `low`, `medium` or `high`.
    pub risk: &'static str,
    /// `user`, `admin` or `domain_admin`.
    pub needs: &'static str,
    /// The steps, in order.
    pub steps: &'a [Step],
}

/// The question to ask next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// The fact's id.
    pub fact: String,
    /// The question text.
    pub text: String,
    /// The fact's label.
    pub label: String,
    /// The answers to offer: value ids for enums, `true`/`false`, the
    /// constants the rules compare with for ints and strings.
    pub answers: Vec<String>,
    /// The fact's index.
    #[serde(skip)]
    pub index: FactIdx,
}

/// The result of diagnosing one observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis<'a> {
    /// The symptoms the candidates come from: the observed ones, or when
    /// none is observed the possible ones, in declaration order.
    pub symptoms: Vec<SymptomReport<'a>>,
    /// The ranked causes, most likely first.
    pub causes: Vec<RankedCause<'a>>,
    /// Candidates that evidence ruled out, in declaration order.
    pub ruled_out: Vec<RuledOutCause<'a>>,
    /// The fixes to try, in order.
    pub fixes: Vec<FixReport<'a>>,
    /// The question whose answer best separates the ranked causes.
    pub next_question: Option<Question>,
    /// Exactly one cause is ranked, or the first has a share of at least 0.8.
    pub conclusive: bool,
}

impl Diagnosis<'_> {
    /// The diagnosis as JSON (the public contract, see docs/SEMANTICS.md).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// An engine's raw result, all indexes.
pub(crate) struct Raw {
    pub symptoms: Vec<(u32, SymptomStatus)>,
    /// `(cause, score, local indexes of true evidence)` in rank order.
    pub ranked: Vec<(u32, i64, Vec<usize>)>,
    /// `(cause, local indexes of true rules_out evidence)`, by cause index.
    pub ruled: Vec<(u32, Vec<usize>)>,
    /// `(fix, ranked causes served)` in order.
    pub fixes: Vec<(u32, Vec<u32>)>,
    pub question: Option<Question>,
}

/// A symptom by name, as a diagnosis shows it.
pub(crate) struct Named<'a> {
    pub id: &'a str,
    pub title: &'a str,
}

/// A cause as a diagnosis shows it.
pub(crate) struct ShownCause<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub prior: Prior,
}

/// One evidence line as a diagnosis shows it.
pub(crate) struct ShownEvidence<'a> {
    pub strength: Strength,
    pub text: Cow<'a, str>,
    pub location: &'a Location,
    /// The ids of the facts its condition reads, each once.
    pub facts: Vec<&'a str>,
}

/// A fix as a diagnosis shows it.
pub(crate) struct ShownFix<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub effort: Level,
    pub risk: Level,
    pub rights: Rights,
    pub steps: &'a [Step],
}

/// What a diagnosis shows of a knowledge base, looked up one record at a
/// time: a loaded artifact decodes only what it is asked for.
pub(crate) trait Shown<'a> {
    /// Symptom `s`.
    fn symptom(&self, s: u32) -> Option<Named<'a>>;
    /// Cause `c`.
    fn cause(&self, c: u32) -> Option<ShownCause<'a>>;
    /// Evidence `k` of cause `c`.
    fn evidence(&self, c: u32, k: usize) -> Option<ShownEvidence<'a>>;
    /// Fix `f`.
    fn fix(&self, f: u32) -> Option<ShownFix<'a>>;
}

/// The ids of the facts `read` names, each once, in order.
pub(crate) fn fact_ids(facts: &[Fact], read: impl Iterator<Item = u32>) -> Vec<&str> {
    let mut ids = Vec::new();
    for f in read {
        if let Some(fact) = facts.get(f as usize) {
            if !ids.contains(&fact.id.as_str()) {
                ids.push(fact.id.as_str());
            }
        }
    }
    ids
}

/// A whole model shows itself; evidence text is worded on demand.
impl<'a> Shown<'a> for &'a KnowledgeBase {
    fn symptom(&self, s: u32) -> Option<Named<'a>> {
        let s = self.symptoms.get(s as usize)?;
        Some(Named {
            id: &s.id,
            title: &s.title,
        })
    }
    fn cause(&self, c: u32) -> Option<ShownCause<'a>> {
        let c = self.causes.get(c as usize)?;
        Some(ShownCause {
            id: &c.id,
            title: &c.title,
            prior: c.prior,
        })
    }
    fn evidence(&self, c: u32, k: usize) -> Option<ShownEvidence<'a>> {
        let cause = self.causes.get(c as usize)?;
        let e = cause.evidence.get(k)?;
        let mut read = Vec::new();
        e.condition.visit_facts(&mut |f| read.push(f.0));
        Some(ShownEvidence {
            strength: e.strength,
            text: Cow::Owned(crate::words::evidence_text(self, e, &cause.title)),
            location: &e.loc,
            facts: fact_ids(&self.facts, read.into_iter()),
        })
    }
    fn fix(&self, f: u32) -> Option<ShownFix<'a>> {
        self.fixes.get(f as usize).map(ShownFix::of)
    }
}

impl<'a> ShownFix<'a> {
    pub(crate) fn of(f: &'a Fix) -> ShownFix<'a> {
        ShownFix {
            id: &f.id,
            title: &f.title,
            effort: f.effort,
            risk: f.risk,
            rights: f.rights,
            steps: &f.steps,
        }
    }
}

/// The reports of evidence `local` of cause `cause`.
fn evidence<'a>(shown: &impl Shown<'a>, cause: u32, local: &[usize]) -> Vec<EvidenceReport<'a>> {
    local
        .iter()
        .filter_map(|&k| {
            let e = shown.evidence(cause, k)?;
            Some(EvidenceReport {
                strength: e.strength.keyword(),
                decibans: e.strength.decibans(),
                text: e.text,
                location: e.location,
                facts: e.facts,
            })
        })
        .collect()
}

/// Builds the diagnosis from an engine's raw result.
pub(crate) fn build<'a>(shown: &impl Shown<'a>, raw: Raw) -> Diagnosis<'a> {
    let scores: Vec<i64> = raw.ranked.iter().map(|r| r.1).collect();
    let mut shares = Vec::new();
    math::shares(&scores, &mut shares);
    let symptoms = raw
        .symptoms
        .iter()
        .filter_map(|&(s, status)| {
            let s = shown.symptom(s)?;
            Some(SymptomReport {
                id: s.id,
                title: s.title,
                status,
            })
        })
        .collect();
    let causes: Vec<RankedCause<'a>> = raw
        .ranked
        .iter()
        .zip(shares.iter().copied())
        .filter_map(|((c, score, ev), share)| {
            let cause = shown.cause(*c)?;
            Some(RankedCause {
                id: cause.id,
                title: cause.title,
                score: *score,
                probability: math::probability(*score),
                share,
                prior: cause.prior.keyword(),
                evidence: evidence(shown, *c, ev),
            })
        })
        .collect();
    let ruled_out = raw
        .ruled
        .iter()
        .filter_map(|(c, ev)| {
            let cause = shown.cause(*c)?;
            Some(RuledOutCause {
                id: cause.id,
                title: cause.title,
                evidence: evidence(shown, *c, ev),
            })
        })
        .collect();
    let fixes = raw
        .fixes
        .iter()
        .filter_map(|(f, served)| {
            let fix = shown.fix(*f)?;
            let causes: Vec<&str> = served
                .iter()
                .filter_map(|&c| shown.cause(c).map(|c| c.id))
                .collect();
            Some(FixReport {
                id: fix.id,
                title: fix.title,
                cause: causes.first().copied().unwrap_or(""),
                causes,
                effort: fix.effort.keyword(),
                risk: fix.risk.keyword(),
                needs: fix.rights.keyword(),
                steps: fix.steps,
            })
        })
        .collect();
    let conclusive =
        causes.len() == 1 || shares.first().is_some_and(|&s| s >= math::CONCLUSIVE_SHARE);
    Diagnosis {
        symptoms,
        causes,
        ruled_out,
        fixes,
        next_question: raw.question,
        conclusive,
    }
}

/// The answers to weigh for a fact, and the answers to offer, from the
/// constants the considered conditions compare it with (`ordered` when the
/// comparison is `<`, `<=`, `>` or `>=`). See docs/SEMANTICS.md, "Next question".
pub(crate) fn answers(ty: &FactType, consts: &[(Value, bool)]) -> (Vec<Value>, Vec<String>) {
    let values = answer_values(ty, consts);
    (values, shown_answers(ty, consts))
}

/// The answers to weigh (see [`answers`]).
pub(crate) fn answer_values(ty: &FactType, consts: &[(Value, bool)]) -> Vec<Value> {
    match ty {
        FactType::Bool => vec![Value::Bool(true), Value::Bool(false)],
        FactType::Enum(vs) => (0..vs.len() as u32).map(Value::Enum).collect(),
        FactType::Int => {
            let mut ints = Vec::new();
            for (v, ordered) in consts {
                if let Value::Int(c) = v {
                    push_int_constant(&mut ints, *c, *ordered);
                }
            }
            int_answers(&mut ints);
            ints.into_iter().map(Value::Int).collect()
        }
        FactType::Str => {
            let set = str_constants(consts);
            let other = other_string(&set);
            let mut out: Vec<Value> = set.iter().map(|s| Value::Str(s.to_string())).collect();
            out.push(Value::Str(other));
            out
        }
        FactType::Text => Vec::new(),
    }
}

/// Adds an `int` constant to the answers of [`int_answers`]: with its
/// neighbours when the comparison is ordered.
pub(crate) fn push_int_constant(ints: &mut Vec<i64>, c: i64, ordered: bool) {
    ints.push(c);
    if ordered {
        ints.extend(c.checked_sub(1));
        ints.extend(c.checked_add(1));
    }
}

/// The `int` answers: the constants (and neighbours) gathered, distinct and
/// ascending, then one other value.
pub(crate) fn int_answers(ints: &mut Vec<i64>) {
    ints.sort_unstable();
    ints.dedup();
    let max = ints.last().and_then(|m| m.checked_add(1));
    let min = ints.first().and_then(|m| m.checked_sub(1));
    let other = max
        .or(min)
        .into_iter()
        .chain(0..)
        .find(|v| ints.binary_search(v).is_err())
        .unwrap_or(0);
    ints.push(other);
}

/// The other `string` answer: the empty string, or the shortest run of `_`
/// that is not one of the constants.
pub(crate) fn other_string(constants: &[&str]) -> String {
    let mut other = String::new();
    while constants.contains(&other.as_str()) {
        other.push('_');
    }
    other
}

fn str_constants(consts: &[(Value, bool)]) -> Vec<&str> {
    let mut set: Vec<&str> = consts
        .iter()
        .filter_map(|(v, _)| match v {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// The answers to offer (see [`answers`]).
pub(crate) fn shown_answers(ty: &FactType, consts: &[(Value, bool)]) -> Vec<String> {
    match ty {
        FactType::Bool => vec!["true".into(), "false".into()],
        FactType::Enum(vs) => vs.iter().map(|v| v.id.clone()).collect(),
        FactType::Int => {
            let mut shown: Vec<i64> = consts
                .iter()
                .filter_map(|(v, _)| match v {
                    Value::Int(c) => Some(*c),
                    _ => None,
                })
                .collect();
            shown.sort_unstable();
            shown.dedup();
            shown.iter().map(|c| c.to_string()).collect()
        }
        FactType::Str => str_constants(consts)
            .into_iter()
            .map(str::to_string)
            .collect(),
        FactType::Text => Vec::new(),
    }
}

/// A question for a fact, with its offered answers.
pub(crate) fn question(facts: &[Fact], f: usize, shown: Vec<String>) -> Option<Question> {
    let fact = facts.get(f)?;
    Some(Question {
        fact: fact.id.clone(),
        text: fact.question.clone().unwrap_or_default(),
        label: fact.display_label(),
        answers: shown,
        index: FactIdx(f as u32),
    })
}
