//! The compiled matcher: diagnoses an observation through the lowered
//! tables, doing work proportional to the observation and its candidates,
//! not to the knowledge base.
//!
//! `Observation → (symptom statuses → candidates → scores → ranking) →
//! Diagnosis`. Symptoms are found through their anchors (an exact-value
//! lookup per known fact) plus the few without one; only the candidates'
//! evidence is evaluated; text conditions read the bits set when the
//! segments were scanned.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::artifact::{Artifact, LoadError};
use crate::diagnosis::{self, Diagnosis, Question, Raw, SymptomStatus};
use crate::lower::{Node, Tables, NO_TABLE};
use crate::math;
use crate::model::{CmpOp, FactType, KnowledgeBase, Value};
use crate::observation::Observation;
use crate::scan::Scanners;

const F: u8 = 0;
const U: u8 = 1;
const T: u8 = 2;

/// A loaded knowledge base, ready to diagnose.
#[derive(Debug, Clone)]
pub struct Matcher {
    art: Artifact,
    by_name: HashMap<String, u32>,
    /// Per fact: some symptom's `when` reads it.
    in_symptoms: Vec<bool>,
    /// Per evidence (numbered cause by cause): its decibans, `None` for
    /// `rules_out`.
    evidence_db: Vec<Option<i32>>,
    /// Derived at load from the tables (not stored in the artifact): the
    /// unanchored symptoms split by whether their `when` is, or is a
    /// conjunction with, a `contains`/`matches` test. Those are visited
    /// only through the atoms a segment hit, or, while their fact is
    /// unknown, only when no symptom is observed; the others always.
    text_anchors: TextAnchors,
    /// Per cause: the position of its id in byte order (the last tie-break).
    id_rank: Vec<u32>,
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

/// The text atom of a `when` program: the root itself, or a direct
/// conjunct of a root `and`.
fn text_anchor(nodes: &[Node], p: usize) -> Option<(u32, u32)> {
    let atom = |n: Option<&Node>| match n {
        Some(Node::Contains { fact, atom, .. } | Node::Matches { fact, atom, .. }) => {
            Some((*fact, *atom))
        }
        _ => None,
    };
    match nodes.get(p) {
        Some(Node::And { end }) => {
            let mut j = p + 1;
            while j < *end as usize {
                if let Some(a) = atom(nodes.get(j)) {
                    return Some(a);
                }
                j = prog_end(nodes, j, 0).max(j + 1);
            }
            None
        }
        n => atom(n),
    }
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
/// while a question is weighed.
#[derive(Clone, Copy)]
struct View<'a, 'm> {
    obs: &'a Observation<'m>,
    over: Option<(u32, &'a Value, &'a [u32])>,
}

impl View<'_, '_> {
    fn value(&self, f: u32) -> Option<&Value> {
        if let Some((of, v, _)) = self.over {
            if of == f {
                return Some(v);
            }
        }
        self.obs.values.get(f as usize).and_then(Option::as_ref)
    }

    fn known(&self, f: u32) -> bool {
        self.value(f).is_some()
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

/// Evaluates the program at `i`; returns its value and the index after it.
fn eval(nodes: &[Node], i: usize, v: &View) -> (u8, usize) {
    let Some(node) = nodes.get(i) else {
        return (U, i + 1);
    };
    match node {
        Node::True => (T, i + 1),
        Node::And { end } | Node::Or { end } => {
            let end = *end as usize;
            let and = matches!(node, Node::And { .. });
            let mut acc = if and { T } else { F };
            let mut j = i + 1;
            while j < end {
                let (x, next) = eval(nodes, j, v);
                acc = if and { acc.min(x) } else { acc.max(x) };
                if (and && acc == F) || (!and && acc == T) {
                    break;
                }
                j = next.max(j + 1);
            }
            (acc, end.max(i + 1))
        }
        Node::Not => {
            let (x, next) = eval(nodes, i + 1, v);
            (T - x, next)
        }
        Node::Cmp { fact, op, value } => {
            let r = match v.value(*fact) {
                None => U,
                Some(x) => {
                    let b = match op {
                        CmpOp::Eq => x == value,
                        CmpOp::Ne => x != value,
                        _ => match (x, value) {
                            (Value::Int(a), Value::Int(b)) => match op {
                                CmpOp::Lt => a < b,
                                CmpOp::Le => a <= b,
                                CmpOp::Gt => a > b,
                                _ => a >= b,
                            },
                            _ => false,
                        },
                    };
                    if b {
                        T
                    } else {
                        F
                    }
                }
            };
            (r, i + 1)
        }
        Node::In { fact, values } => {
            let r = match v.value(*fact) {
                None => U,
                Some(x) if values.contains(x) => T,
                Some(_) => F,
            };
            (r, i + 1)
        }
        Node::Contains { fact, atom, .. } | Node::Matches { fact, atom, .. } => {
            (v.text(*fact, *atom), i + 1)
        }
        Node::Known { fact } => (if v.known(*fact) { T } else { F }, i + 1),
    }
}

/// The index after the program at `i`.
fn prog_end(nodes: &[Node], i: usize, depth: usize) -> usize {
    match nodes.get(i) {
        Some(Node::And { end }) | Some(Node::Or { end }) => (*end as usize).max(i + 1),
        Some(Node::Not) if depth < crate::lower::MAX_CONDITION_DEPTH + 1 => {
            prog_end(nodes, i + 1, depth + 1)
        }
        _ => i + 1,
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
}

impl Matcher {
    /// A matcher over a built or loaded artifact.
    pub fn new(artifact: Artifact) -> Matcher {
        let kb = &artifact.kb;
        let by_name = kb
            .facts
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i as u32))
            .collect();
        let mut in_symptoms = vec![false; kb.facts.len()];
        for s in 0..artifact.tables.symptom_facts.rows() {
            for &f in artifact.tables.symptom_facts.get(s) {
                if let Some(b) = in_symptoms.get_mut(f as usize) {
                    *b = true;
                }
            }
        }
        let t = &artifact.tables;
        let mut text_anchors = TextAnchors::default();
        for &s in &t.unanchored {
            let anchor = t
                .symptom_prog
                .get(s as usize)
                .and_then(|&p| text_anchor(&t.nodes, p as usize));
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
        let mut by_id: Vec<u32> = (0..kb.causes.len() as u32).collect();
        by_id.sort_by(|&a, &b| {
            let id = |c: u32| kb.causes.get(c as usize).map_or("", |c| c.id.as_str());
            id(a).cmp(id(b))
        });
        let mut id_rank = vec![0u32; kb.causes.len()];
        for (rank, &c) in by_id.iter().enumerate() {
            if let Some(r) = id_rank.get_mut(c as usize) {
                *r = rank as u32;
            }
        }
        let evidence_db = kb
            .causes
            .iter()
            .flat_map(|c| c.evidence.iter().map(|e| e.strength.decibans()))
            .collect();
        Matcher {
            art: artifact,
            by_name,
            in_symptoms,
            text_anchors,
            id_rank,
            evidence_db,
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
        let fa = &self.art.tables.fact_atoms;
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

    /// Loads an artifact embedded with `include_bytes!`.
    pub fn from_static(bytes: &'static [u8]) -> Result<Matcher, LoadError> {
        Self::from_bytes(bytes)
    }

    /// Loads an artifact file.
    pub fn load(path: impl AsRef<Path>) -> Result<Matcher, LoadError> {
        Artifact::load(path).map(Matcher::new)
    }

    /// The knowledge base.
    pub fn kb(&self) -> &KnowledgeBase {
        &self.art.kb
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
        &self.art.tables
    }

    pub(crate) fn scanners(&self) -> &Scanners {
        &self.art.scanners
    }

    pub(crate) fn fact_index(&self, name: &str) -> Option<crate::model::FactIdx> {
        self.by_name.get(name).map(|&i| crate::model::FactIdx(i))
    }

    fn visit_symptom(&self, s: u32, v: &View, sc: &mut Scratch) {
        let t = &self.art.tables;
        let Some(&p) = t.symptom_prog.get(s as usize) else {
            return;
        };
        match eval(&t.nodes, p as usize, v).0 {
            T => sc.observed.push(s),
            U => sc.possible.push(s),
            _ => {}
        }
    }

    fn anchored_at(&self, f: u32, value: &Value) -> &[u32] {
        let t = &self.art.tables;
        match value {
            Value::Int(i) => match t.int_keys.binary_search(&(f, *i)) {
                Ok(k) => t.int_anchored.get(k),
                Err(_) => &[],
            },
            Value::Bool(_) | Value::Enum(_) => {
                let base = t.enum_base.get(f as usize).copied().unwrap_or(NO_TABLE);
                match crate::lower::slot(value) {
                    Some(o) if base != NO_TABLE => t.enum_anchored.get(base as usize + o),
                    _ => &[],
                }
            }
            Value::Str(_) => &[],
        }
    }

    /// Symptom statuses, candidates and their scores.
    fn rank_into(&self, v: &View, sc: &mut Scratch) {
        let t = &self.art.tables;
        let kb = &self.art.kb;
        sc.observed.clear();
        sc.possible.clear();
        let over = v.over.map(|(f, _, _)| f);
        for &f in v.obs.known.iter().chain(over.as_slice()) {
            if let Some(val) = v.value(f) {
                for &s in self.anchored_at(f, val) {
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
                if v.value(f as u32).is_none() {
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
        sc.cands.sort_unstable();
        sc.cands.dedup();
        sc.scores.clear();
        sc.ruled.clear();
        for &c in &sc.cands {
            let Some(cause) = kb.causes.get(c as usize) else {
                sc.scores.push(0);
                sc.ruled.push(1);
                continue;
            };
            let mut score = i64::from(cause.prior.decibans());
            let mut ruled = 0u32;
            let first = t.cause_evidence.get(c as usize).copied().unwrap_or(0) as usize;
            for (k, e) in cause.evidence.iter().enumerate() {
                let Some(&p) = t.evidence_prog.get(first + k) else {
                    continue;
                };
                if eval(&t.nodes, p as usize, v).0 == T {
                    match e.strength.decibans() {
                        Some(d) => score += i64::from(d),
                        None => ruled += 1,
                    }
                }
            }
            sc.scores.push(score);
            sc.ruled.push(ruled);
        }
        sc.ranked.clear();
        sc.ranked
            .extend((0..sc.cands.len() as u32).filter(|&k| sc.ruled.get(k as usize) == Some(&0)));
        let key = |k: &u32| {
            let c = sc.cands.get(*k as usize).copied().unwrap_or(0);
            let cause = kb.causes.get(c as usize);
            (
                std::cmp::Reverse(sc.scores.get(*k as usize).copied().unwrap_or(0)),
                std::cmp::Reverse(cause.map_or(0, |c| c.prior.decibans())),
                self.id_rank.get(c as usize).copied().unwrap_or(u32::MAX),
            )
        };
        let mut ranked = std::mem::take(&mut sc.ranked);
        ranked.sort_unstable_by_key(key);
        sc.ranked = ranked;
    }

    /// Diagnoses an observation: ranked and ruled-out causes with their
    /// evidence, fixes in order, and the next question.
    pub fn diagnose<'a>(&'a self, obs: &Observation<'_>) -> Diagnosis<'a> {
        let kb = &self.art.kb;
        let t = &self.art.tables;
        let v = View { obs, over: None };
        let mut sc = Scratch::default();
        self.rank_into(&v, &mut sc);
        let true_evidence = |c: u32, rules_out: bool| -> Vec<usize> {
            let Some(cause) = kb.causes.get(c as usize) else {
                return Vec::new();
            };
            let first = t.cause_evidence.get(c as usize).copied().unwrap_or(0) as usize;
            (0..cause.evidence.len())
                .filter(|&k| {
                    let is_ro = cause
                        .evidence
                        .get(k)
                        .is_some_and(|e| e.strength.decibans().is_none());
                    is_ro == rules_out
                        && t.evidence_prog
                            .get(first + k)
                            .is_some_and(|&p| eval(&t.nodes, p as usize, &v).0 == T)
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
        // fix once at its first place with every ranked cause it serves.
        let rank_of: HashMap<u32, usize> =
            ranked.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
        let mut seen = std::collections::HashSet::new();
        let mut fixes = Vec::new();
        for (c, _, _) in &ranked {
            for &f in t.cause_fixes.get(*c as usize) {
                if !seen.insert(f) {
                    continue;
                }
                let mut served: Vec<u32> = kb
                    .fixes
                    .get(f as usize)
                    .map(|x| {
                        x.resolves
                            .iter()
                            .map(|c| c.0)
                            .filter(|c| rank_of.contains_key(c))
                            .collect()
                    })
                    .unwrap_or_default();
                served.sort_by_key(|c| rank_of.get(c).copied().unwrap_or(usize::MAX));
                served.dedup();
                fixes.push((f, served));
            }
        }
        let raw = Raw {
            symptoms: symptoms.iter().map(|&s| (s, status)).collect(),
            ranked,
            ruled,
            fixes,
            question: self.question_from(obs, &sc, &[]),
        };
        let text = |c: u32, k: usize| -> Cow<'a, str> {
            let first = t.cause_evidence.get(c as usize).copied().unwrap_or(0) as usize;
            Cow::Borrowed(
                t.evidence_text
                    .get(first + k)
                    .map(String::as_str)
                    .unwrap_or(""),
            )
        };
        diagnosis::build(kb, raw, &text)
    }

    /// The ranked causes only, as `(cause index, score)` in rank order: the
    /// cheapest way to rank an observation.
    pub fn rank(&self, obs: &Observation<'_>) -> Vec<(crate::model::CauseIdx, i64)> {
        let mut sc = Scratch::default();
        self.rank_into(&View { obs, over: None }, &mut sc);
        sc.ranked
            .iter()
            .filter_map(|&k| {
                Some((
                    crate::model::CauseIdx(*sc.cands.get(k as usize)?),
                    *sc.scores.get(k as usize)?,
                ))
            })
            .collect()
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
        let mut sc = Scratch::default();
        self.rank_into(&View { obs, over: None }, &mut sc);
        self.question_from(obs, &sc, skip)
    }

    fn evidence_range(&self, c: u32) -> std::ops::Range<usize> {
        let ce = &self.art.tables.cause_evidence;
        let a = ce.get(c as usize).copied().unwrap_or(0) as usize;
        let b = ce.get(c as usize + 1).copied().unwrap_or(0) as usize;
        a..b.max(a)
    }

    fn question_from(
        &self,
        obs: &Observation<'_>,
        base: &Scratch,
        skip: &[crate::model::FactIdx],
    ) -> Option<Question> {
        let kb = &self.art.kb;
        let t = &self.art.tables;
        let mut scores: Vec<i64> = base
            .ranked
            .iter()
            .filter_map(|&k| base.scores.get(k as usize).copied())
            .collect();
        let h_now = math::entropy(&mut scores);
        // The programs considered: ranked candidates' evidence, and when no
        // symptom is observed, the possible symptoms' `when`. One pass over
        // their nodes gathers the constants compared with each fact.
        let mut progs: Vec<u32> = Vec::new();
        let mut facts: Vec<u32> = Vec::new();
        for &k in &base.ranked {
            let Some(&c) = base.cands.get(k as usize) else {
                continue;
            };
            for e in self.evidence_range(c) {
                facts.extend_from_slice(t.evidence_facts.get(e));
                progs.extend(t.evidence_prog.get(e));
            }
        }
        if base.observed.is_empty() {
            for &s in &base.possible {
                facts.extend_from_slice(t.symptom_facts.get(s as usize));
                progs.extend(t.symptom_prog.get(s as usize));
            }
        }
        facts.sort_unstable();
        facts.dedup();
        facts.retain(|&f| {
            let fi = crate::model::FactIdx(f);
            kb.facts
                .get(f as usize)
                .is_some_and(|fact| fact.question.is_some() && fact.ty != FactType::Text)
                && !obs.is_known(fi)
                && !skip.contains(&fi)
        });
        if facts.is_empty() {
            return None;
        }
        let mut consts: Vec<(u32, Value, bool)> = Vec::new();
        for &p in &progs {
            let end = prog_end(&t.nodes, p as usize, 0);
            for n in t.nodes.get(p as usize..end).unwrap_or(&[]) {
                match n {
                    Node::Cmp { fact, op, value } if facts.binary_search(fact).is_ok() => {
                        consts.push((*fact, value.clone(), !matches!(op, CmpOp::Eq | CmpOp::Ne)));
                    }
                    Node::In { fact, values } if facts.binary_search(fact).is_ok() => {
                        consts.extend(values.iter().map(|v| (*fact, v.clone(), false)));
                    }
                    _ => {}
                }
            }
        }
        consts.sort_by_key(|c| c.0);
        // For the answers that leave the candidates alone: every
        // candidate's evidence that reads a considered fact, with whether it
        // holds now, grouped by fact.
        let now = View { obs, over: None };
        let mut reads: Vec<(u32, u32, u32, bool)> = Vec::new(); // (fact, candidate, evidence, holds)
        if !base.observed.is_empty() {
            for (k, &c) in base.cands.iter().enumerate() {
                for e in self.evidence_range(c) {
                    let mut holds = None;
                    for &f in t.evidence_facts.get(e) {
                        if facts.binary_search(&f).is_ok() {
                            let h = *holds.get_or_insert_with(|| {
                                t.evidence_prog
                                    .get(e)
                                    .is_some_and(|&p| eval(&t.nodes, p as usize, &now).0 == T)
                            });
                            reads.push((f, k as u32, e as u32, h));
                        }
                    }
                }
            }
            reads.sort_by_key(|r| r.0);
        }
        // Working copies of the candidates' scores, changed and restored
        // around each answer.
        let mut scores: Vec<i64> = base.scores.clone();
        let mut ruled: Vec<u32> = base.ruled.clone();
        let mut best: Option<(f64, usize)> = None;
        let mut best_shown = Vec::new();
        let mut sc = Scratch::default();
        let mut h_after = Vec::new();
        let mut tmp = Vec::new();
        let mut lits = Vec::new();
        let mut pats = Vec::new();
        let mut hits: Vec<u32> = Vec::new();
        let mut set = None;
        let mut fact_consts: Vec<(Value, bool)> = Vec::new();
        let mut memo: Vec<(u128, f64)> = Vec::new();
        let mut news: Vec<bool> = Vec::new();
        let mut answers: Vec<Value> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        for &f in &facts {
            let Some(fact) = kb.facts.get(f as usize) else {
                continue;
            };
            let lo = consts.partition_point(|c| c.0 < f);
            let hi = consts.partition_point(|c| c.0 <= f);
            fact_consts.clear();
            fact_consts.extend(
                consts
                    .get(lo..hi)
                    .unwrap_or(&[])
                    .iter()
                    .map(|c| (c.1.clone(), c.2)),
            );
            diagnosis::answer_values_into(&fact.ty, &fact_consts, &mut answers, &mut ints);
            let atoms = {
                let fa = &t.fact_atoms;
                let a = fa.get(f as usize).copied().unwrap_or(0) as usize;
                let b = fa.get(f as usize + 1).copied().unwrap_or(0) as usize;
                a..b.max(a)
            };
            let lo = reads.partition_point(|r| r.0 < f);
            let hi = reads.partition_point(|r| r.0 <= f);
            let my_reads = reads.get(lo..hi).unwrap_or(&[]);
            h_after.clear();
            let delta = !base.observed.is_empty()
                && !self.in_symptoms.get(f as usize).copied().unwrap_or(true);
            // Answers that flip the same evidence give the same entropy:
            // remember it by the flips (as a bit mask, for up to 128 reads).
            memo.clear();
            for a in &answers {
                hits.clear();
                if let (Value::Str(s), false) = (a, atoms.is_empty()) {
                    self.art.scanners.scan(s, &mut lits, &mut pats, &mut set);
                    for (list, rows) in [(&lits, &t.literal_atoms), (&pats, &t.pattern_atoms)] {
                        for &l in list.iter() {
                            hits.extend(
                                rows.get(l as usize)
                                    .iter()
                                    .filter(|&&x| atoms.contains(&(x as usize))),
                            );
                        }
                    }
                    hits.sort_unstable();
                    hits.dedup();
                }
                let over = View {
                    obs,
                    over: Some((f, a, &hits)),
                };
                tmp.clear();
                let mut sig = None;
                if delta {
                    // The candidates stay; only evidence reading `f` moves.
                    news.clear();
                    news.extend(my_reads.iter().map(|&(_, _, e, _)| {
                        t.evidence_prog
                            .get(e as usize)
                            .is_some_and(|&p| eval(&t.nodes, p as usize, &over).0 == T)
                    }));
                    if my_reads.len() <= 128 {
                        let flips = my_reads
                            .iter()
                            .zip(&news)
                            .enumerate()
                            .filter(|(_, (r, &new))| r.3 != new)
                            .fold(0u128, |m, (i, _)| m | 1 << i);
                        if flips == 0 {
                            h_after.push(h_now);
                            continue;
                        }
                        if let Some(&(_, h)) = memo.iter().find(|(m, _)| *m == flips) {
                            h_after.push(h);
                            continue;
                        }
                        sig = Some(flips);
                    }
                    let apply = |scores: &mut [i64], ruled: &mut [u32], undo: bool| {
                        for (&(_, k, e, old), &new) in my_reads.iter().zip(news.iter()) {
                            if old == new {
                                continue;
                            }
                            let on = new != undo;
                            let k = k as usize;
                            match (
                                self.evidence_db.get(e as usize),
                                scores.get_mut(k),
                                ruled.get_mut(k),
                            ) {
                                (Some(Some(d)), Some(s), _) => {
                                    *s += if on { i64::from(*d) } else { -i64::from(*d) };
                                }
                                (Some(None), _, Some(r)) => {
                                    *r = if on { *r + 1 } else { r.saturating_sub(1) };
                                }
                                _ => {}
                            }
                        }
                    };
                    apply(&mut scores, &mut ruled, false);
                    tmp.extend(
                        scores
                            .iter()
                            .zip(&ruled)
                            .filter(|(_, &r)| r == 0)
                            .map(|(&s, _)| s),
                    );
                    apply(&mut scores, &mut ruled, true);
                } else {
                    self.rank_into(&over, &mut sc);
                    tmp.extend(
                        sc.ranked
                            .iter()
                            .filter_map(|&k| sc.scores.get(k as usize).copied()),
                    );
                }
                let h = math::entropy(&mut tmp);
                if let Some(flips) = sig {
                    memo.push((flips, h));
                }
                h_after.push(h);
            }
            let g = math::gain(h_now, &h_after);
            if math::better(best, g) {
                best = Some((g, f as usize));
                best_shown = diagnosis::shown_answers(&fact.ty, &fact_consts);
            }
        }
        let (_, f) = best?;
        diagnosis::question(kb, f, best_shown)
    }
}
