//! The compiled matcher: diagnoses an observation through the lowered
//! tables, doing work proportional to the observation and its candidates,
//! not to the knowledge base.
//!
//! `Observation → (symptom statuses → candidates → scores → ranking) →
//! Diagnosis`. Symptoms are found through their anchors (an exact-value
//! lookup per known fact) plus the few without one; only the candidates'
//! evidence is evaluated; text conditions read the bits set when the
//! segments were scanned.

use std::collections::HashMap;
use std::path::Path;

use crate::artifact::{Artifact, LoadError};
use crate::diagnosis::{self, Diagnosis, Question, Raw, SymptomStatus};
use crate::exec::{fact_bit, Facts, F, T, U};
use crate::lower::{Tables, NO_TABLE};
use crate::model::{KnowledgeBase, Value};
use crate::observation::Observation;
use crate::scan::Scanners;

mod question;

/// A loaded knowledge base, ready to diagnose.
#[derive(Debug, Clone)]
pub struct Matcher {
    art: Artifact,
    by_name: HashMap<String, u32>,
    /// Per fact: some symptom's `when` reads it.
    in_symptoms: Vec<bool>,
    /// `(fact, symptom)` for every fact a symptom's `when` reads, sorted.
    symptoms_reading: Vec<(u32, u32)>,
    /// Derived at load from the tables (not stored in the artifact): the
    /// unanchored symptoms split by whether their `when` is, or is a
    /// conjunction with, a `contains`/`matches` test. Those are visited
    /// only through the atoms a segment hit, or, while their fact is
    /// unknown, only when no symptom is observed; the others always.
    text_anchors: TextAnchors,
}

/// Unanchored symptoms indexed by a text test in their `when`.
#[derive(Debug, Clone, Default)]
struct TextAnchors {
    /// Symptoms without a text test either: visited on every observation.
    plain: Vec<u32>,
    /// `(atom, symptom)`, sorted.
    by_atom: Vec<(u32, u32)>,
    /// `(fact, symptom)`, sorted.
    by_fact: Vec<(u32, u32)>,
    /// The facts of `by_fact`, ascending, without repeats.
    facts: Vec<u32>,
}

/// A sorted pair list's second items whose first item is `key`.
fn pairs_at(pairs: &[(u32, u32)], key: u32) -> impl Iterator<Item = u32> + '_ {
    let start = pairs.partition_point(|&(k, _)| k < key);
    pairs
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .take_while(move |&&(k, _)| k == key)
        .map(|&(_, s)| s)
}

/// What the evaluator reads: an observation, plus one hypothetical answer
/// (the fact, its value's key, the text atoms it hits) while a question is
/// weighed.
#[derive(Clone, Copy)]
struct View<'a, 'm> {
    obs: &'a Observation<'m>,
    over: Option<(u32, i64, &'a [u32])>,
}

impl View<'_, '_> {
    /// The [`fact_bit`] mask of the known facts.
    fn known_mask(&self) -> u64 {
        let over = self.over.map_or(0, |(f, _, _)| fact_bit(f));
        self.obs.known.iter().fold(over, |m, &f| m | fact_bit(f))
    }
}

impl Facts for View<'_, '_> {
    fn key(&self, f: u32) -> Option<i64> {
        if let Some((of, key, _)) = self.over {
            if of == f {
                return Some(key);
            }
        }
        self.obs.keys.get(f as usize).copied().flatten()
    }

    fn known(&self, f: u32) -> bool {
        if let Some((of, _, _)) = self.over {
            if of == f {
                return true;
            }
        }
        self.obs.keys.get(f as usize).is_some_and(Option::is_some)
            || self
                .obs
                .segments
                .get(f as usize)
                .is_some_and(|s| !s.is_empty())
    }

    fn text(&self, f: u32, atom: u32) -> u8 {
        if let Some((of, _, hits)) = self.over {
            if of == f {
                return if hits.binary_search(&atom).is_ok() {
                    T
                } else {
                    F
                };
            }
        }
        if !self.known(f) {
            U
        } else if self.obs.hit(atom as usize) {
            T
        } else {
            F
        }
    }
}

/// Reusable buffers of one ranking.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scratch {
    observed: Vec<u32>,
    possible: Vec<u32>,
    /// Candidate causes, ascending.
    cands: Vec<u32>,
    /// Per candidate: score and number of true `rules_out` evidence.
    scores: Vec<i64>,
    ruled: Vec<u32>,
    /// Ranked candidates as positions in `cands`, in rank order.
    ranked: Vec<u32>,
    /// Every candidate's evidence: `(position in cands, evidence, value)`.
    evals: Vec<(u32, u32, u8)>,
    /// The sort keys of `ranked`.
    order: Vec<(std::cmp::Reverse<i64>, std::cmp::Reverse<i32>, u32, u32)>,
}

thread_local! {
    /// The buffers of the last ranking on this thread, reused by the next.
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

/// Runs `f` with this thread's reusable ranking buffers.
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let mut sc = SCRATCH.with(std::cell::Cell::take);
    let r = f(&mut sc);
    SCRATCH.with(|s| s.set(sc));
    r
}

impl Matcher {
    /// A matcher over a built or loaded artifact.
    pub fn new(artifact: Artifact) -> Matcher {
        let core = &artifact.core;
        let by_name = core
            .facts
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i as u32))
            .collect();
        let mut in_symptoms = vec![false; core.facts.len()];
        let mut symptoms_reading = Vec::new();
        for s in 0..core.tables.symptom_facts.rows() {
            for &f in core.tables.symptom_facts.get(s) {
                if let Some(b) = in_symptoms.get_mut(f as usize) {
                    *b = true;
                }
                symptoms_reading.push((f, s as u32));
            }
        }
        symptoms_reading.sort_unstable();
        let t = &core.tables;
        let mut text_anchors = TextAnchors::default();
        for &s in &t.unanchored {
            let anchor = t
                .symptom_prog
                .get(s as usize)
                .and_then(|&p| artifact.exec.text_anchor(p));
            match anchor {
                Some((fact, atom)) => {
                    text_anchors.by_atom.push((atom, s));
                    text_anchors.by_fact.push((fact, s));
                    text_anchors.facts.push(fact);
                }
                None => text_anchors.plain.push(s),
            }
        }
        text_anchors.by_atom.sort_unstable();
        text_anchors.by_fact.sort_unstable();
        text_anchors.facts.sort_unstable();
        text_anchors.facts.dedup();
        Matcher {
            art: artifact,
            by_name,
            in_symptoms,
            symptoms_reading,
            text_anchors,
        }
    }

    /// Calls `each` with every atom of fact `f` the view's text hits.
    fn each_hit_atom(&self, v: &View, f: u32, mut each: impl FnMut(u32)) {
        if let Some((of, _, hits)) = v.over {
            if of == f {
                hits.iter().for_each(|&a| each(a));
                return;
            }
        }
        let fa = &self.art.core.tables.fact_atoms;
        let a = fa.get(f as usize).copied().unwrap_or(0) as usize;
        let b = fa.get(f as usize + 1).copied().unwrap_or(0) as usize;
        if a >= b {
            return;
        }
        for w in a / 64..=(b - 1) / 64 {
            let mut word = v.obs.hits.get(w).copied().unwrap_or(0);
            while word != 0 {
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                let atom = w * 64 + bit;
                if (a..b).contains(&atom) {
                    each(atom as u32);
                }
            }
        }
    }

    /// Loads an artifact from bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Matcher, LoadError> {
        Artifact::from_bytes(bytes).map(Matcher::new)
    }

    /// Loads an artifact embedded with `include_bytes!`, without copying
    /// it (see [`Artifact::from_static`]).
    pub fn from_static(bytes: &'static [u8]) -> Result<Matcher, LoadError> {
        Artifact::from_static(bytes).map(Matcher::new)
    }

    /// Loads an artifact file.
    pub fn load(path: impl AsRef<Path>) -> Result<Matcher, LoadError> {
        Artifact::load(path).map(Matcher::new)
    }

    /// The knowledge base (for a loaded artifact, its prose is decoded the
    /// first time this is called; ranking and questions never need it).
    pub fn kb(&self) -> &KnowledgeBase {
        self.art.kb()
    }

    /// The facts, in declaration order.
    pub fn facts(&self) -> &[crate::model::Fact] {
        &self.art.core.facts
    }

    /// The artifact this matcher runs.
    pub fn artifact(&self) -> &Artifact {
        &self.art
    }

    /// An empty observation against this knowledge base.
    pub fn observation(&self) -> Observation<'_> {
        Observation::new(self)
    }

    pub(crate) fn tables(&self) -> &Tables {
        &self.art.core.tables
    }

    pub(crate) fn scanners(&self) -> &Scanners {
        &self.art.scanners
    }

    /// The key of a value in the matcher's programs.
    pub(crate) fn value_key(&self, v: &Value) -> Option<i64> {
        self.art.exec.value_key(v)
    }

    pub(crate) fn fact_index(&self, name: &str) -> Option<crate::model::FactIdx> {
        self.by_name.get(name).map(|&i| crate::model::FactIdx(i))
    }

    fn visit_symptom(&self, s: u32, v: &View, sc: &mut Scratch) {
        let t = &self.art.core.tables;
        let Some(&p) = t.symptom_prog.get(s as usize) else {
            return;
        };
        match self.art.exec.eval(p, v) {
            T => sc.observed.push(s),
            U => sc.possible.push(s),
            _ => {}
        }
    }

    /// The symptoms anchored at fact `f` having the value of `key`.
    fn anchored_at(&self, f: u32, key: i64) -> &[u32] {
        let t = &self.art.core.tables;
        let base = t.enum_base.get(f as usize).copied().unwrap_or(NO_TABLE);
        if base != NO_TABLE {
            return match usize::try_from(key) {
                Ok(o) => t.enum_anchored.get(base as usize + o),
                Err(_) => &[],
            };
        }
        match t.int_keys.binary_search(&(f, key)) {
            Ok(k) => t.int_anchored.get(k),
            Err(_) => &[],
        }
    }

    /// Symptom statuses, candidates and their scores.
    fn rank_into(&self, v: &View, sc: &mut Scratch) {
        let t = &self.art.core.tables;
        sc.observed.clear();
        sc.possible.clear();
        let over = v.over.map(|(f, _, _)| f);
        for &f in v.obs.known.iter().chain(over.as_slice()) {
            if let Some(key) = v.key(f) {
                for &s in self.anchored_at(f, key) {
                    self.visit_symptom(s, v, sc);
                }
            }
        }
        let ta = &self.text_anchors;
        for &s in &ta.plain {
            self.visit_symptom(s, v, sc);
        }
        // A text-anchored `when` is false while its fact is known and the
        // anchor's atom is not hit: only the hit atoms' symptoms can hold.
        for &f in &ta.facts {
            if v.known(f) {
                self.each_hit_atom(v, f, |atom| {
                    for s in pairs_at(&ta.by_atom, atom) {
                        self.visit_symptom(s, v, sc);
                    }
                });
            }
        }
        if sc.observed.is_empty() {
            for f in 0..t.anchored_by_fact.rows() {
                if v.key(f as u32).is_none() {
                    for &s in t.anchored_by_fact.get(f) {
                        self.visit_symptom(s, v, sc);
                    }
                }
            }
            // With the fact unknown, a text-anchored `when` is unknown or
            // false: possible at most.
            for &f in &ta.facts {
                if !v.known(f) {
                    for s in pairs_at(&ta.by_fact, f) {
                        self.visit_symptom(s, v, sc);
                    }
                }
            }
        }
        sc.observed.sort_unstable();
        sc.observed.dedup();
        sc.possible.sort_unstable();
        sc.possible.dedup();
        sc.cands.clear();
        let from = if sc.observed.is_empty() {
            &sc.possible
        } else {
            &sc.observed
        };
        for &s in from {
            sc.cands.extend_from_slice(t.producers.get(s as usize));
        }
        // One symptom's producers are ascending already.
        if from.len() > 1 {
            sc.cands.sort_unstable();
            sc.cands.dedup();
        }
        sc.scores.clear();
        sc.ruled.clear();
        sc.evals.clear();
        let ex = &self.art.exec;
        let known = v.known_mask();
        for (k, &c) in sc.cands.iter().enumerate() {
            let Some(rec) = ex.causes.get(c as usize) else {
                sc.scores.push(0);
                sc.ruled.push(1);
                continue;
            };
            let mut score = i64::from(rec.prior);
            let mut ruled = 0u32;
            let evidence = ex
                .evidence
                .get(rec.first as usize..rec.end as usize)
                .unwrap_or(&[]);
            for (i, e) in evidence.iter().enumerate() {
                let value = ex.evidence_value(e, known, v);
                sc.evals.push((k as u32, rec.first + i as u32, value));
                if value == T {
                    match e.db() {
                        Some(d) => score += i64::from(d),
                        None => ruled += 1,
                    }
                }
            }
            sc.scores.push(score);
            sc.ruled.push(ruled);
        }
        // Rank order: score, then prior (both descending), then id.
        sc.order.clear();
        for (k, (&c, (&score, &ruled))) in sc
            .cands
            .iter()
            .zip(sc.scores.iter().zip(&sc.ruled))
            .enumerate()
        {
            if ruled == 0 {
                let rec = ex.causes.get(c as usize).copied().unwrap_or_default();
                sc.order.push((
                    std::cmp::Reverse(score),
                    std::cmp::Reverse(rec.prior),
                    rec.id_rank,
                    k as u32,
                ));
            }
        }
        sc.order.sort_unstable();
        sc.ranked.clear();
        sc.ranked.extend(sc.order.iter().map(|o| o.3));
    }

    /// Diagnoses an observation: ranked and ruled-out causes with their
    /// evidence, fixes in order, and the next question.
    pub fn diagnose<'a>(&'a self, obs: &Observation<'_>) -> Diagnosis<'a> {
        let t = &self.art.core.tables;
        let v = View { obs, over: None };
        let mut sc = Scratch::default();
        self.rank_into(&v, &mut sc);
        let ex = &self.art.exec;
        let known = v.known_mask();
        let true_evidence = |c: u32, rules_out: bool| -> Vec<usize> {
            let Some(rec) = ex.causes.get(c as usize) else {
                return Vec::new();
            };
            let evidence = ex
                .evidence
                .get(rec.first as usize..rec.end as usize)
                .unwrap_or(&[]);
            (0..evidence.len())
                .filter(|&k| {
                    evidence.get(k).is_some_and(|e| {
                        e.db().is_none() == rules_out && ex.evidence_value(e, known, &v) == T
                    })
                })
                .collect()
        };
        let status = if sc.observed.is_empty() {
            SymptomStatus::Possible
        } else {
            SymptomStatus::Observed
        };
        let symptoms = if sc.observed.is_empty() {
            &sc.possible
        } else {
            &sc.observed
        };
        let ranked: Vec<(u32, i64, Vec<usize>)> = sc
            .ranked
            .iter()
            .filter_map(|&k| {
                let c = *sc.cands.get(k as usize)?;
                Some((c, *sc.scores.get(k as usize)?, true_evidence(c, false)))
            })
            .collect();
        let ruled = sc
            .cands
            .iter()
            .zip(&sc.ruled)
            .filter(|(_, &r)| r > 0)
            .map(|(&c, _)| (c, true_evidence(c, true)))
            .collect();
        // Fixes: ranked causes in order, each one's fixes in fix order, a
        // fix once at its first place with every ranked cause it serves
        // (in rank order).
        let mut fixes: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut place: HashMap<u32, usize> = HashMap::new();
        for (c, _, _) in &ranked {
            for &f in t.cause_fixes.get(*c as usize) {
                let at = *place.entry(f).or_insert_with(|| {
                    fixes.push((f, Vec::new()));
                    fixes.len() - 1
                });
                if let Some((_, served)) = fixes.get_mut(at) {
                    served.push(*c);
                }
            }
        }
        let raw = Raw {
            symptoms: symptoms.iter().map(|&s| (s, status)).collect(),
            ranked,
            ruled,
            fixes,
            question: question::choose(self, obs, &sc, &[]),
        };
        diagnosis::build(&&self.art, raw)
    }

    /// The ranked causes only, as `(cause index, score)` in rank order: the
    /// cheapest way to rank an observation.
    pub fn rank(&self, obs: &Observation<'_>) -> Vec<(crate::model::CauseIdx, i64)> {
        with_scratch(|sc| {
            self.rank_into(&View { obs, over: None }, sc);
            sc.ranked
                .iter()
                .filter_map(|&k| {
                    Some((
                        crate::model::CauseIdx(*sc.cands.get(k as usize)?),
                        *sc.scores.get(k as usize)?,
                    ))
                })
                .collect()
        })
    }

    /// The unknown fact whose answer best separates the ranked causes.
    pub fn next_question(&self, obs: &Observation<'_>) -> Option<Question> {
        self.next_question_skipping(obs, &[])
    }

    /// The next question, never asking about the facts in `skip` (those a
    /// person said they don't know): the best question among the other
    /// unknown facts, chosen exactly as [`next_question`](Self::next_question)
    /// chooses. Guided sessions (`kbc ask`) use it.
    ///
    /// ```
    /// # use kbc_runtime::model::*;
    /// # use kbc_runtime::{Artifact, Matcher};
    /// # let at = Location::default();
    /// # let fact = |id: &str| Fact { id: id.into(), ty: FactType::Bool, question: Some(format!("{id}?")), label: None, loc: at.clone() };
    /// # let cause = |id: &str, f: u32| Cause { id: id.into(), title: id.into(), produces: vec![SymptomIdx(0)], prior: Prior::Common, description: None,
    /// #     evidence: vec![Evidence { strength: Strength::Strong, condition: Condition::Compare { fact: FactIdx(f), op: CmpOp::Eq, value: Value::Bool(true) }, because: None, loc: at.clone() }],
    /// #     sources: vec![], loc: at.clone() };
    /// # let kb = KnowledgeBase {
    /// #     facts: vec![fact("a"), fact("b")],
    /// #     symptoms: vec![Symptom { id: "s".into(), title: "S".into(), condition: Condition::True, description: None, loc: at.clone() }],
    /// #     causes: vec![cause("ca", 0), cause("cb", 1)],
    /// #     ..KnowledgeBase::default()
    /// # };
    /// let m = Matcher::new(Artifact::build(kb)?);
    /// let obs = m.observation();
    /// assert_eq!(m.next_question(&obs).unwrap().fact, "a");
    /// // "I don't know" to `a`: ask about `b` instead.
    /// assert_eq!(m.next_question_skipping(&obs, &[FactIdx(0)]).unwrap().fact, "b");
    /// assert!(m.next_question_skipping(&obs, &[FactIdx(0), FactIdx(1)]).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_question_skipping(
        &self,
        obs: &Observation<'_>,
        skip: &[crate::model::FactIdx],
    ) -> Option<Question> {
        with_scratch(|sc| {
            self.rank_into(&View { obs, over: None }, sc);
            question::choose(self, obs, sc, skip)
        })
    }

    /// Calls `each` with every fact evidence `e` reads: from its mask when
    /// that names them all, else from the tables.
    fn each_fact_read(&self, e: u32, r: &crate::exec::EvidenceRec, mut each: impl FnMut(u32)) {
        if r.reads & fact_bit(63) == 0 {
            let mut m = r.reads;
            while m != 0 {
                each(m.trailing_zeros());
                m &= m - 1;
            }
        } else {
            self.art
                .core
                .tables
                .evidence_facts
                .get(e as usize)
                .iter()
                .for_each(|&f| each(f));
        }
    }
}
