//! The reference interpreter: the plainest evaluation of
//! docs/SEMANTICS.md directly over the [`KnowledgeBase`]. It is the
//! specification in code; the compiled [`Matcher`](crate::Matcher) must
//! agree with it on every input (the differential tests check this).
//!
//! Takes the model and an observation, gives a [`Diagnosis`]. No index, no
//! cache: every symptom, every cause and every evidence is evaluated, by
//! recursion over the condition trees. Only the regexes are compiled once.

use std::collections::HashMap;

use regex_automata::meta::Regex;

use crate::artifact::BuildError;
use crate::diagnosis::{self, Diagnosis, Question, Raw, SymptomStatus};
use crate::math;
use crate::model::{CmpOp, Condition, FactType, KnowledgeBase, Value};
use crate::observation::Observation;
use crate::scan;

/// Kleene's three truth values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tv {
    False,
    Unknown,
    True,
}

fn not(a: Tv) -> Tv {
    match a {
        Tv::False => Tv::True,
        Tv::Unknown => Tv::Unknown,
        Tv::True => Tv::False,
    }
}

fn and(a: Tv, b: Tv) -> Tv {
    match (a, b) {
        (Tv::False, _) | (_, Tv::False) => Tv::False,
        (Tv::True, Tv::True) => Tv::True,
        _ => Tv::Unknown,
    }
}

fn or(a: Tv, b: Tv) -> Tv {
    not(and(not(a), not(b)))
}

fn tv(b: bool) -> Tv {
    if b {
        Tv::True
    } else {
        Tv::False
    }
}

/// The facts as the reference sees them: a value per fact, segments per
/// text fact.
#[derive(Clone)]
struct Facts<'o> {
    values: Vec<Option<Value>>,
    segments: Vec<&'o [String]>,
}

/// The reference interpreter over one knowledge base.
pub struct Reference<'k> {
    kb: &'k KnowledgeBase,
    regexes: HashMap<String, Regex>,
}

impl<'k> Reference<'k> {
    /// Prepares the interpreter: compiles every `matches` pattern once.
    pub fn new(kb: &'k KnowledgeBase) -> Result<Reference<'k>, BuildError> {
        crate::validate::validate(kb).map_err(|reason| BuildError::Invalid { reason })?;
        let mut regexes = HashMap::new();
        let mut patterns = Vec::new();
        let mut collect = |c: &Condition| collect_patterns(c, &mut patterns);
        kb.symptoms.iter().for_each(|s| collect(&s.condition));
        kb.causes
            .iter()
            .flat_map(|c| &c.evidence)
            .for_each(|e| collect(&e.condition));
        for p in patterns {
            if let std::collections::hash_map::Entry::Vacant(slot) = regexes.entry(p) {
                let re = scan::single_regex(slot.key())?;
                slot.insert(re);
            }
        }
        Ok(Reference { kb, regexes })
    }

    fn eval(&self, c: &Condition, facts: &Facts) -> Tv {
        let value = |f: crate::model::FactIdx| facts.values.get(f.index()).and_then(Option::as_ref);
        let segments =
            |f: crate::model::FactIdx| facts.segments.get(f.index()).copied().unwrap_or(&[]);
        match c {
            Condition::True => Tv::True,
            Condition::And(cs) => cs
                .iter()
                .fold(Tv::True, |acc, c| and(acc, self.eval(c, facts))),
            Condition::Or(cs) => cs
                .iter()
                .fold(Tv::False, |acc, c| or(acc, self.eval(c, facts))),
            Condition::Not(c) => not(self.eval(c, facts)),
            Condition::Compare { fact, op, value: k } => match value(*fact) {
                None => Tv::Unknown,
                Some(x) => tv(match (op, x, k) {
                    (CmpOp::Eq, x, k) => x == k,
                    (CmpOp::Ne, x, k) => x != k,
                    (CmpOp::Lt, Value::Int(a), Value::Int(b)) => a < b,
                    (CmpOp::Le, Value::Int(a), Value::Int(b)) => a <= b,
                    (CmpOp::Gt, Value::Int(a), Value::Int(b)) => a > b,
                    (CmpOp::Ge, Value::Int(a), Value::Int(b)) => a >= b,
                    _ => false,
                }),
            },
            Condition::In { fact, values } => match value(*fact) {
                None => Tv::Unknown,
                Some(x) => tv(values.contains(x)),
            },
            Condition::Contains { fact, needle } => {
                let needle = needle.to_ascii_lowercase();
                self.text(value(*fact), segments(*fact), |s| {
                    s.to_ascii_lowercase().contains(&needle)
                })
            }
            Condition::Matches { fact, pattern } => match self.regexes.get(pattern) {
                Some(re) => self.text(value(*fact), segments(*fact), |s| re.is_match(s)),
                None => Tv::Unknown,
            },
            Condition::Known { fact } => tv(value(*fact).is_some() || !segments(*fact).is_empty()),
        }
    }

    /// A text test over a string fact's value or a text fact's segments:
    /// unknown without any, true if any segment passes.
    fn text(&self, value: Option<&Value>, segments: &[String], test: impl Fn(&str) -> bool) -> Tv {
        match value {
            Some(Value::Str(s)) => tv(test(s)),
            Some(_) => Tv::False,
            None if segments.is_empty() => Tv::Unknown,
            None => tv(segments.iter().any(|s| test(s))),
        }
    }

    fn facts<'o>(&self, obs: &'o Observation<'_>) -> Facts<'o> {
        let n = self.kb.facts.len();
        Facts {
            values: (0..n)
                .map(|i| obs.value(crate::model::FactIdx(i as u32)).cloned())
                .collect(),
            segments: (0..n)
                .map(|i| obs.segments(crate::model::FactIdx(i as u32)))
                .collect(),
        }
    }

    /// Symptom statuses, then the candidates: `(cause, score, true evidence,
    /// true rules_out evidence)`, and the ranked ones in rank order.
    #[allow(clippy::type_complexity)]
    fn rank(
        &self,
        facts: &Facts,
    ) -> (
        Vec<Tv>,
        Vec<(usize, i64, Vec<usize>, Vec<usize>)>,
        Vec<usize>,
    ) {
        let kb = self.kb;
        let status: Vec<Tv> = kb
            .symptoms
            .iter()
            .map(|s| self.eval(&s.condition, facts))
            .collect();
        let any_observed = status.contains(&Tv::True);
        let wanted = if any_observed { Tv::True } else { Tv::Unknown };
        let mut cands = Vec::new();
        for (ci, c) in kb.causes.iter().enumerate() {
            if !c
                .produces
                .iter()
                .any(|s| status.get(s.index()) == Some(&wanted))
            {
                continue;
            }
            let mut score = i64::from(c.prior.decibans());
            let mut held = Vec::new();
            let mut ruled_by = Vec::new();
            for (k, e) in c.evidence.iter().enumerate() {
                if self.eval(&e.condition, facts) == Tv::True {
                    match e.strength.decibans() {
                        Some(d) => {
                            score += i64::from(d);
                            held.push(k);
                        }
                        None => ruled_by.push(k),
                    }
                }
            }
            cands.push((ci, score, held, ruled_by));
        }
        let mut ranked: Vec<usize> = (0..cands.len())
            .filter(|&i| cands[i].3.is_empty())
            .collect();
        ranked.sort_by(|&a, &b| {
            let (ca, cb) = (&kb.causes[cands[a].0], &kb.causes[cands[b].0]);
            cands[b]
                .1
                .cmp(&cands[a].1)
                .then(cb.prior.decibans().cmp(&ca.prior.decibans()))
                .then(ca.id.cmp(&cb.id))
        });
        (status, cands, ranked)
    }

    /// Diagnoses an observation by the rules of docs/SEMANTICS.md.
    pub fn diagnose(&self, obs: &Observation<'_>) -> Diagnosis<'k> {
        let kb = self.kb;
        let facts = self.facts(obs);
        let (status, cands, ranked) = self.rank(&facts);
        let any_observed = status.contains(&Tv::True);
        let symptoms = status
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match (s, any_observed) {
                (Tv::True, true) => Some((i as u32, SymptomStatus::Observed)),
                (Tv::Unknown, false) => Some((i as u32, SymptomStatus::Possible)),
                _ => None,
            })
            .collect();
        let ranked_causes: Vec<usize> = ranked.iter().map(|&i| cands[i].0).collect();
        let mut fixes: Vec<(u32, Vec<u32>)> = Vec::new();
        for &c in &ranked_causes {
            let mut mine: Vec<usize> = (0..kb.fixes.len())
                .filter(|&f| kb.fixes[f].resolves.iter().any(|r| r.index() == c))
                .collect();
            mine.sort_by(|&a, &b| {
                let (x, y) = (&kb.fixes[a], &kb.fixes[b]);
                (x.effort, x.risk, x.rights, &x.id).cmp(&(y.effort, y.risk, y.rights, &y.id))
            });
            for f in mine {
                if fixes.iter().any(|(g, _)| *g as usize == f) {
                    continue;
                }
                let served = ranked_causes
                    .iter()
                    .filter(|&&rc| kb.fixes[f].resolves.iter().any(|r| r.index() == rc))
                    .map(|&rc| rc as u32)
                    .collect();
                fixes.push((f as u32, served));
            }
        }
        let raw = Raw {
            symptoms,
            ranked: ranked
                .iter()
                .map(|&i| (cands[i].0 as u32, cands[i].1, cands[i].2.clone()))
                .collect(),
            ruled: cands
                .iter()
                .filter(|c| !c.3.is_empty())
                .map(|c| (c.0 as u32, c.3.clone()))
                .collect(),
            fixes,
            question: self.question(&facts),
        };
        diagnosis::build(&kb, raw)
    }

    /// The next question by the rules of docs/SEMANTICS.md.
    pub fn next_question(&self, obs: &Observation<'_>) -> Option<Question> {
        self.question(&self.facts(obs))
    }

    fn entropy_of(&self, facts: &Facts) -> f64 {
        let (_, cands, ranked) = self.rank(facts);
        let scores: Vec<i64> = ranked.iter().map(|&i| cands[i].1).collect();
        math::entropy(&scores)
    }

    fn question(&self, facts: &Facts) -> Option<Question> {
        let kb = self.kb;
        let (status, cands, ranked) = self.rank(facts);
        let mut considered: Vec<&Condition> = Vec::new();
        for &i in &ranked {
            considered.extend(kb.causes[cands[i].0].evidence.iter().map(|e| &e.condition));
        }
        if !status.contains(&Tv::True) {
            for (s, st) in kb.symptoms.iter().zip(&status) {
                if *st == Tv::Unknown {
                    considered.push(&s.condition);
                }
            }
        }
        let h_now = self.entropy_of(facts);
        let mut best: Option<(f64, usize)> = None;
        let mut best_shown = Vec::new();
        for (f, fact) in kb.facts.iter().enumerate() {
            let fi = crate::model::FactIdx(f as u32);
            let mut read = false;
            considered
                .iter()
                .for_each(|c| c.visit_facts(&mut |x| read |= x == fi));
            let known = facts.values[f].is_some() || !facts.segments[f].is_empty();
            if !read || fact.question.is_none() || fact.ty == FactType::Text || known {
                continue;
            }
            let mut consts = Vec::new();
            for c in &considered {
                constants(c, fi, &mut consts);
            }
            let (answers, shown) = diagnosis::answers(&fact.ty, &consts);
            let mut h_after: Vec<f64> = answers
                .into_iter()
                .map(|a| {
                    let mut with = facts.clone();
                    with.values[f] = Some(a);
                    self.entropy_of(&with)
                })
                .collect();
            let g = math::gain(h_now, &mut h_after);
            if math::better(best, g) {
                best = Some((g, f));
                best_shown = shown;
            }
        }
        let (_, f) = best?;
        diagnosis::question(&kb.facts, f, best_shown)
    }
}

fn collect_patterns(c: &Condition, out: &mut Vec<String>) {
    match c {
        Condition::And(cs) | Condition::Or(cs) => cs.iter().for_each(|c| collect_patterns(c, out)),
        Condition::Not(c) => collect_patterns(c, out),
        Condition::Matches { pattern, .. } => out.push(pattern.clone()),
        _ => {}
    }
}

/// The constants a condition compares `fact` with; `true` for `<`, `<=`,
/// `>`, `>=`.
fn constants(c: &Condition, fact: crate::model::FactIdx, out: &mut Vec<(Value, bool)>) {
    match c {
        Condition::And(cs) | Condition::Or(cs) => cs.iter().for_each(|c| constants(c, fact, out)),
        Condition::Not(c) => constants(c, fact, out),
        Condition::Compare { fact: f, op, value } if *f == fact => {
            out.push((value.clone(), !matches!(op, CmpOp::Eq | CmpOp::Ne)));
        }
        Condition::In { fact: f, values } if *f == fact => {
            out.extend(values.iter().map(|v| (v.clone(), false)))
        }
        _ => {}
    }
}
