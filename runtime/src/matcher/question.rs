//! Choosing the next question: the unknown fact whose answer most reduces
//! the entropy of the ranking (docs/SEMANTICS.md, "Next question").
//!
//! Weighing an answer by ranking afresh would cost a whole ranking per
//! answer. Most answers move little, so there are three ways to the
//! entropy after one, cheapest first:
//!
//! - **Only evidence moves** (a symptom is observed and no `when` reads
//!   the fact): the candidates stay; the evidence that reads the fact is
//!   evaluated with the answer and the entropy updated for the scores it
//!   moved. Answers that flip the same evidence share one entropy.
//! - **Candidates leave** (nothing is observed): an answer can make some
//!   possible symptoms false, which takes away the causes only they
//!   produce; counted per candidate, then as above.
//! - **Ranked afresh**: an answer that makes a symptom observed, or
//!   possible anew (through `is known`), changes the candidates wholesale.
//!
//! All three give the very bits a fresh ranking gives: the entropy sums are
//! integers (docs/SEMANTICS.md, "Numbers"), and the differential tests hold
//! the result to the reference interpreter's.

use std::cell::Cell;

use super::{fact_bit, pairs_at, Matcher, Scratch, View, F, T, U};
use crate::diagnosis::{self, Question};
use crate::exec::EvidenceRec;
use crate::math;
use crate::model::{FactIdx, FactType, Value};
use crate::observation::Observation;

/// A considered evidence line that reads a fact to weigh: the fact, the
/// candidate (position in `cands`), the evidence, and whether it holds now.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Read {
    fact: u32,
    cand: u32,
    evidence: u32,
    holds: bool,
}

/// What is fixed while the answers are weighed.
struct Chooser<'a, 'm> {
    m: &'a Matcher,
    obs: &'a Observation<'m>,
    base: &'a Scratch,
    h_now: f64,
    /// The entropy sums of the ranking now (`None` when nothing is ranked).
    now_sums: Option<math::EntropySums>,
    /// Per fact: weigh its answers.
    weigh: Vec<bool>,
    /// The considered evidence that an answer can move, grouped by fact
    /// (`read_off[f]..read_off[f + 1]`).
    reads: Vec<Read>,
    read_off: Vec<u32>,
    /// `(fact, key, ordered)`: the constants each fact to weigh is compared
    /// with in the considered programs, grouped by fact.
    consts: Vec<(u32, i64, bool)>,
    const_off: Vec<u32>,
    /// Nothing is observed: answers can take candidates away.
    shrink: bool,
}

/// Buffers changed and restored around each answer.
#[derive(Default)]
struct Work {
    /// Per candidate: score and true `rules_out` count with the answer.
    scores: Vec<i64>,
    ruled: Vec<u32>,
    /// Per candidate (when `shrink`): how many possible symptoms it
    /// produces, and whether it is still a candidate.
    producing: Vec<u32>,
    present: Vec<bool>,
    /// The possible symptoms the answer makes false.
    gone_symptoms: Vec<u32>,
    /// The candidates the answer takes away.
    leaving: Vec<usize>,
    /// Per read of the fact: whether it holds with the answer.
    news: Vec<bool>,
    /// Entropies already computed, by the set of reads an answer flips.
    memo: Vec<(u128, f64)>,
    /// The entropy after each answer weighed.
    h_after: Vec<f64>,
    /// The scores of a ranking, for its entropy.
    ranked: Vec<i64>,
    ranking: Scratch,
    /// The answers weighed, as keys, and for a `string` fact as text.
    answers: Vec<i64>,
    texts: Vec<String>,
    /// Scanning a `string` answer for text tests.
    lits: Vec<u32>,
    pats: Vec<u32>,
    set: Option<regex_automata::PatternSet>,
}

/// The vectors of one choice, kept for the next on the same thread: a
/// choice is a few microseconds, and a few dozen allocations were a tenth
/// of it.
#[derive(Default)]
struct Buffers {
    work: Work,
    now_scores: Vec<i64>,
    progs: Vec<(u32, u64)>,
    want: Vec<bool>,
    found_reads: Vec<Read>,
    found_consts: Vec<(u32, i64, bool)>,
    weigh: Vec<bool>,
    reads: Vec<Read>,
    read_off: Vec<u32>,
    consts: Vec<(u32, i64, bool)>,
    const_off: Vec<u32>,
    hits: Vec<u32>,
}

thread_local! {
    static BUFFERS: Cell<Buffers> = Cell::new(Buffers::default());
}

/// The next question for `obs`, ranked into `base`, never about `skip`.
pub(super) fn choose(
    m: &Matcher,
    obs: &Observation<'_>,
    base: &Scratch,
    skip: &[FactIdx],
) -> Option<Question> {
    let mut b = BUFFERS.with(Cell::take);
    let q = choose_with(m, obs, base, skip, &mut b);
    BUFFERS.with(|cell| cell.set(b));
    q
}

fn choose_with(
    m: &Matcher,
    obs: &Observation<'_>,
    base: &Scratch,
    skip: &[FactIdx],
    b: &mut Buffers,
) -> Option<Question> {
    let c = Chooser::new(m, obs, base, skip, b);
    let mut w = std::mem::take(&mut b.work);
    w.scores.clone_from(&base.scores);
    w.ruled.clone_from(&base.ruled);
    w.present.clear();
    w.present.resize(base.cands.len(), true);
    c.producing(&mut w.producing);
    let mut best: Option<(f64, u32)> = None;
    for f in (0..m.art.core.facts.len() as u32).filter(|&f| c.weighs(f)) {
        let g = c.gain(f, &mut w, &mut b.hits);
        if math::better(best.map(|(g, f)| (g, f as usize)), g) {
            best = Some((g, f));
        }
    }
    let q = best.and_then(|(_, f)| c.question(f));
    b.work = w;
    c.give_back(b);
    q
}

/// `items` grouped by fact into `out` (a stable counting sort: items of one
/// fact keep their order), with `offsets[f]..offsets[f + 1]` the items of
/// fact `f`. Items of a fact `>= facts` are left out.
fn group_by_fact<T: Copy>(
    items: &[T],
    fact: impl Fn(&T) -> u32,
    facts: usize,
    offsets: &mut Vec<u32>,
    out: &mut Vec<T>,
) {
    offsets.clear();
    offsets.resize(facts + 1, 0);
    for it in items {
        let f = fact(it) as usize;
        if f < facts {
            if let Some(n) = offsets.get_mut(f + 1) {
                *n += 1;
            }
        }
    }
    for f in 0..facts {
        let before = offsets.get(f).copied().unwrap_or(0);
        if let Some(n) = offsets.get_mut(f + 1) {
            *n += before;
        }
    }
    out.clear();
    let Some(&filler) = items.first() else {
        return;
    };
    out.resize(offsets.last().copied().unwrap_or(0) as usize, filler);
    // `offsets[f]` is the next free slot of fact `f`; once every item is
    // placed it is the end of `f`, which shifted by one is the start of
    // `f + 1`.
    for it in items {
        let f = fact(it) as usize;
        if f >= facts {
            continue;
        }
        if let Some(at) = offsets.get_mut(f) {
            if let Some(slot) = out.get_mut(*at as usize) {
                *slot = *it;
            }
            *at += 1;
        }
    }
    offsets.rotate_right(1);
    if let Some(first) = offsets.first_mut() {
        *first = 0;
    }
}

/// The row `f` of a grouping by fact.
fn row(off: &[u32], f: u32) -> std::ops::Range<usize> {
    let a = off.get(f as usize).copied().unwrap_or(0) as usize;
    let b = off.get(f as usize + 1).copied().unwrap_or(0) as usize;
    a..b.max(a)
}

impl<'a, 'm> Chooser<'a, 'm> {
    fn new(
        m: &'a Matcher,
        obs: &'a Observation<'m>,
        base: &'a Scratch,
        skip: &[FactIdx],
        b: &mut Buffers,
    ) -> Self {
        let facts = &m.art.core.facts;
        let t = &m.art.core.tables;
        let ex = &m.art.exec;
        let now_scores = &mut b.now_scores;
        now_scores.clear();
        now_scores.extend(
            base.ranked
                .iter()
                .filter_map(|&k| base.scores.get(k as usize).copied()),
        );
        let now_sums = now_scores.iter().copied().max().map(|max| {
            let mut sums = math::EntropySums::new(max);
            now_scores.iter().for_each(|&s| sums.add(s));
            sums
        });
        // The programs considered: ranked candidates' evidence, and when no
        // symptom is observed, the possible symptoms' `when`; the facts
        // they read that can be asked.
        // (program, mask of the facts it reads; all bits when not known).
        let progs = &mut b.progs;
        progs.clear();
        let want = &mut b.want;
        want.clear();
        want.resize(facts.len(), false);
        let mut mark = |f: u32| {
            if let Some(w) = want.get_mut(f as usize) {
                *w = true;
            }
        };
        for &(k, e, _) in &base.evals {
            if base.ruled.get(k as usize) != Some(&0) {
                continue;
            }
            if let Some(r) = ex.evidence.get(e as usize) {
                m.each_fact_read(e, r, &mut mark);
                progs.push((r.prog, r.reads));
            }
        }
        let shrink = base.observed.is_empty();
        if shrink {
            for &s in &base.possible {
                t.symptom_facts
                    .get(s as usize)
                    .iter()
                    .for_each(|&f| mark(f));
                progs.extend(t.symptom_prog.get(s as usize).map(|&p| (p, u64::MAX)));
            }
        }
        for (f, w) in want.iter_mut().enumerate() {
            let fi = FactIdx(f as u32);
            *w = *w
                && facts
                    .get(f)
                    .is_some_and(|fact| fact.question.is_some() && fact.ty != FactType::Text)
                && !obs.is_known(fi)
                && !skip.contains(&fi);
        }
        let want = |f: u32| want.get(f as usize).copied().unwrap_or(false);
        // Every candidate's evidence that reads a fact to ask and that some
        // answer can move, grouped by fact.
        let now = View { obs, over: None };
        let found = &mut b.found_reads;
        found.clear();
        for &(k, e, value) in &base.evals {
            let Some(r) = ex.evidence.get(e as usize) else {
                continue;
            };
            // A decided condition stays decided whatever the answer (unless
            // it tests `is known`): it never moves a score.
            if value != U && !r.can_flip_when_decided() {
                continue;
            }
            m.each_fact_read(e, r, |f| {
                // Unknown now and never true whatever `f` is: it never
                // moves a score either.
                if want(f) && (value == T || ex.can_become_true(r.prog, f, &now)) {
                    found.push(Read {
                        fact: f,
                        cand: k,
                        evidence: e,
                        holds: value == T,
                    });
                }
            });
        }
        let (mut reads, mut read_off) = (
            std::mem::take(&mut b.reads),
            std::mem::take(&mut b.read_off),
        );
        group_by_fact(found, |r| r.fact, facts.len(), &mut read_off, &mut reads);
        // The facts to weigh: those asked, but for those whose answers can
        // move nothing (no reads, and no `when` reads them).
        let mut weigh = std::mem::take(&mut b.weigh);
        weigh.clear();
        weigh.resize(facts.len(), false);
        for (f, w) in weigh.iter_mut().enumerate() {
            *w = want(f as u32) && !only_evidence_moves(m, base, f as u32);
        }
        for r in &reads {
            if let Some(w) = weigh.get_mut(r.fact as usize) {
                *w = true;
            }
        }
        let weigh_mask = weigh
            .iter()
            .enumerate()
            .filter(|(_, &w)| w)
            .fold(0u64, |m, (f, _)| m | fact_bit(f as u32));
        let found = &mut b.found_consts;
        found.clear();
        for &(p, reads) in progs.iter() {
            if reads & weigh_mask == 0 {
                continue;
            }
            ex.constants(p, |f, key, ordered| {
                if weigh.get(f as usize).copied().unwrap_or(false) {
                    found.push((f, key, ordered));
                }
            });
        }
        let (mut consts, mut const_off) = (
            std::mem::take(&mut b.consts),
            std::mem::take(&mut b.const_off),
        );
        group_by_fact(found, |c| c.0, facts.len(), &mut const_off, &mut consts);
        Chooser {
            m,
            obs,
            base,
            h_now: now_sums.map_or(0.0, |s| s.entropy()),
            now_sums,
            weigh,
            reads,
            read_off,
            consts,
            const_off,
            shrink,
        }
    }

    /// Returns the vectors it holds to `b`, for the next choice.
    fn give_back(self, b: &mut Buffers) {
        b.weigh = self.weigh;
        b.reads = self.reads;
        b.read_off = self.read_off;
        b.consts = self.consts;
        b.const_off = self.const_off;
    }

    fn weighs(&self, f: u32) -> bool {
        self.weigh.get(f as usize).copied().unwrap_or(false)
    }

    /// Per candidate: how many possible symptoms it produces (when nothing
    /// is observed; empty otherwise).
    fn producing(&self, producing: &mut Vec<u32>) {
        let base = self.base;
        producing.clear();
        if !self.shrink {
            return;
        }
        producing.resize(base.cands.len(), 0);
        for &s in &base.possible {
            for c in self.m.art.core.tables.producers.get(s as usize) {
                if let Ok(k) = base.cands.binary_search(c) {
                    if let Some(n) = producing.get_mut(k) {
                        *n += 1;
                    }
                }
            }
        }
    }

    /// The expected entropy reduction of asking fact `f`; `hits` is a
    /// buffer for the text atoms an answer hits.
    fn gain(&self, f: u32, w: &mut Work, hits: &mut Vec<u32>) -> f64 {
        let m = self.m;
        let t = &m.art.core.tables;
        let Some(fact) = m.art.core.facts.get(f as usize) else {
            return 0.0;
        };
        let (mut answers, mut texts) =
            (std::mem::take(&mut w.answers), std::mem::take(&mut w.texts));
        answer_keys(
            &m.art.exec,
            &fact.ty,
            self.fact_consts(f),
            &mut answers,
            &mut texts,
        );
        let atoms = row(&t.fact_atoms, f);
        let mut h_after = std::mem::take(&mut w.h_after);
        h_after.clear();
        w.memo.clear();
        for (i, &key) in answers.iter().enumerate() {
            hits.clear();
            if let (Some(text), false) = (texts.get(i), atoms.is_empty()) {
                m.art
                    .scanners
                    .scan(text, &mut w.lits, &mut w.pats, &mut w.set);
                for (list, rows) in [(&w.lits, &t.literal_atoms), (&w.pats, &t.pattern_atoms)] {
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
                obs: self.obs,
                over: Some((f, key, hits)),
            };
            h_after.push(self.entropy_after(f, &over, w));
        }
        (w.answers, w.texts) = (answers, texts);
        let g = math::gain(self.h_now, &mut h_after);
        w.h_after = h_after;
        g
    }

    fn fact_consts(&self, f: u32) -> &[(u32, i64, bool)] {
        self.consts.get(row(&self.const_off, f)).unwrap_or(&[])
    }

    /// The entropy of the ranking with the answer `over` gives fact `f`.
    fn entropy_after(&self, f: u32, over: &View, w: &mut Work) -> f64 {
        // The possible symptoms this answer makes false; whether it makes
        // none observed or possible anew.
        w.gone_symptoms.clear();
        let mut symptoms_stay = true;
        if self.shrink {
            let t = &self.m.art.core.tables;
            for s in pairs_at(&self.m.symptoms_reading, f) {
                let was = self.base.possible.binary_search(&s).is_ok();
                let now = t
                    .symptom_prog
                    .get(s as usize)
                    .map_or(U, |&p| self.m.art.exec.eval(p, over));
                match (was, now) {
                    (_, T) | (false, U) => symptoms_stay = false,
                    (true, F) => w.gone_symptoms.push(s),
                    _ => {}
                }
            }
        }
        if (self.shrink || only_evidence_moves(self.m, self.base, f)) && symptoms_stay {
            self.entropy_moved(f, over, w)
        } else {
            self.m.rank_into(over, &mut w.ranking);
            w.ranked.clear();
            w.ranked.extend(
                w.ranking
                    .ranked
                    .iter()
                    .filter_map(|&k| w.ranking.scores.get(k as usize).copied()),
            );
            math::entropy(&w.ranked)
        }
    }

    /// The entropy after an answer that leaves the candidates but for
    /// `w.gone_symptoms`' producers and moves only evidence reading `f`.
    fn entropy_moved(&self, f: u32, over: &View, w: &mut Work) -> f64 {
        let ex = &self.m.art.exec;
        let reads = self.reads.get(row(&self.read_off, f)).unwrap_or(&[]);
        w.news.clear();
        w.news.extend(reads.iter().map(|r| {
            ex.evidence
                .get(r.evidence as usize)
                .is_some_and(|e| ex.eval(e.prog, over) == T)
        }));
        // Answers that flip the same evidence (and take no candidate away)
        // give the same entropy: remember it by the flips, as a bit mask,
        // for up to 128 reads.
        let mut sig = None;
        if reads.len() <= 128 && w.gone_symptoms.is_empty() {
            let flips = reads
                .iter()
                .zip(&w.news)
                .enumerate()
                .filter(|(_, (r, &new))| r.holds != new)
                .fold(0u128, |m, (i, _)| m | 1 << i);
            if flips == 0 {
                return self.h_now;
            }
            if let Some(&(_, h)) = w.memo.iter().find(|(m, _)| *m == flips) {
                return h;
            }
            sig = Some(flips);
        }
        w.leaving.clear();
        self.take_away(w, false);
        apply(ex, reads, w, false);
        let h = self.entropy_of(reads, w);
        apply(ex, reads, w, true);
        self.take_away(w, true);
        if let Some(flips) = sig {
            w.memo.push((flips, h));
        }
        h
    }

    /// Takes away (or with `undo` gives back) the candidates that only
    /// `w.gone_symptoms` produce; those taken away go to `w.leaving`.
    fn take_away(&self, w: &mut Work, undo: bool) {
        let t = &self.m.art.core.tables;
        for &s in &w.gone_symptoms {
            for c in t.producers.get(s as usize) {
                let Ok(k) = self.base.cands.binary_search(c) else {
                    continue;
                };
                let (Some(n), Some(p)) = (w.producing.get_mut(k), w.present.get_mut(k)) else {
                    continue;
                };
                if undo {
                    *n += 1;
                    *p = true;
                } else {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        *p = false;
                        w.leaving.push(k);
                    }
                }
            }
        }
    }

    /// The entropy of the working scores: the sums of now updated for the
    /// candidates that moved or left when the top score stays (the same
    /// bits as afresh), else computed afresh.
    fn entropy_of(&self, reads: &[Read], w: &mut Work) -> f64 {
        let base = self.base;
        let max = still_ranked(w).max();
        match self.now_sums {
            Some(mut sums) if max == Some(sums.max()) => {
                let score_now = |k: usize| base.scores.get(k).copied().unwrap_or(0);
                for &k in &w.leaving {
                    if base.ruled.get(k) == Some(&0) {
                        sums.remove(score_now(k));
                    }
                }
                let mut last = None;
                for (r, &new) in reads.iter().zip(&w.news) {
                    if r.holds == new || last == Some(r.cand) {
                        continue;
                    }
                    last = Some(r.cand);
                    let k = r.cand as usize;
                    if !w.present.get(k).copied().unwrap_or(false) {
                        continue;
                    }
                    if base.ruled.get(k) == Some(&0) {
                        sums.remove(score_now(k));
                    }
                    if w.ruled.get(k) == Some(&0) {
                        sums.add(w.scores.get(k).copied().unwrap_or(0));
                    }
                }
                sums.entropy()
            }
            _ => {
                let mut ranked = std::mem::take(&mut w.ranked);
                ranked.clear();
                ranked.extend(still_ranked(w));
                let h = math::entropy(&ranked);
                w.ranked = ranked;
                h
            }
        }
    }

    /// The question about fact `f`, with the answers its constants give.
    fn question(&self, f: u32) -> Option<Question> {
        let facts = &self.m.art.core.facts;
        let fact = facts.get(f as usize)?;
        let shown: Vec<(Value, bool)> = self
            .fact_consts(f)
            .iter()
            .filter_map(|&(_, key, ordered)| {
                let v = match fact.ty {
                    FactType::Int => Value::Int(key),
                    FactType::Str => Value::Str(self.m.art.exec.string(key)?.to_string()),
                    _ => return None,
                };
                Some((v, ordered))
            })
            .collect();
        diagnosis::question(
            facts,
            f as usize,
            diagnosis::shown_answers(&fact.ty, &shown),
        )
    }
}

/// The working scores of the candidates still ranked.
fn still_ranked(w: &Work) -> impl Iterator<Item = i64> + '_ {
    w.scores
        .iter()
        .zip(&w.ruled)
        .zip(&w.present)
        .filter(|((_, &r), &p)| r == 0 && p)
        .map(|((&s, _), _)| s)
}

/// Whether an answer to `f` can only move evidence: a symptom is observed
/// and no symptom's `when` reads `f`, so the candidates stay.
fn only_evidence_moves(m: &Matcher, base: &Scratch, f: u32) -> bool {
    !base.observed.is_empty() && !m.in_symptoms.get(f as usize).copied().unwrap_or(true)
}

/// Applies (or with `undo` reverts) the flips of `reads` to the working
/// scores and `rules_out` counts.
fn apply(ex: &crate::exec::Exec, reads: &[Read], w: &mut Work, undo: bool) {
    for (r, &new) in reads.iter().zip(&w.news) {
        if r.holds == new {
            continue;
        }
        let on = new != undo;
        let k = r.cand as usize;
        let rec: Option<&EvidenceRec> = ex.evidence.get(r.evidence as usize);
        match (rec.map(|r| r.db()), w.scores.get_mut(k), w.ruled.get_mut(k)) {
            (Some(Some(d)), Some(s), _) => {
                *s += if on { i64::from(d) } else { -i64::from(d) };
            }
            (Some(None), _, Some(n)) => {
                *n = if on { *n + 1 } else { n.saturating_sub(1) };
            }
            _ => {}
        }
    }
}

/// The answers to weigh for a fact of type `ty` compared with `consts`
/// (`(fact, key, ordered)`), as keys: the same set as
/// [`diagnosis::answer_values`] gives as values (docs/SEMANTICS.md,
/// "Next question"). For a `string` fact, `texts` gets the answers'
/// text, in the same order; otherwise it is left empty.
fn answer_keys(
    ex: &crate::exec::Exec,
    ty: &FactType,
    consts: &[(u32, i64, bool)],
    out: &mut Vec<i64>,
    texts: &mut Vec<String>,
) {
    out.clear();
    texts.clear();
    match ty {
        FactType::Bool => out.extend([1, 0]),
        FactType::Enum(vs) => out.extend(0..vs.len() as i64),
        FactType::Int => {
            for &(_, c, ordered) in consts {
                diagnosis::push_int_constant(out, c, ordered);
            }
            diagnosis::int_answers(out);
        }
        FactType::Str => {
            let mut set: Vec<&str> = consts
                .iter()
                .filter_map(|&(_, key, _)| ex.string(key))
                .collect();
            set.sort_unstable();
            set.dedup();
            let other = diagnosis::other_string(&set);
            texts.extend(set.iter().map(|s| s.to_string()));
            texts.push(other);
            out.extend(texts.iter().map(|s| ex.string_key(s)));
        }
        FactType::Text => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_by_fact_keeps_order_within_a_fact_and_drops_strangers() {
        let items = [
            (2u32, 'a'),
            (0, 'b'),
            (2, 'c'),
            (9, 'x'),
            (0, 'd'),
            (1, 'e'),
            (3, 'y'),
        ];
        let (mut off, mut out) = (vec![7], vec![(5, 'z')]);
        group_by_fact(&items, |i| i.0, 3, &mut off, &mut out);
        assert_eq!(out, vec![(0, 'b'), (0, 'd'), (1, 'e'), (2, 'a'), (2, 'c')]);
        assert_eq!(off, vec![0, 2, 3, 5]);
        group_by_fact(&items[3..4], |i| i.0, 3, &mut off, &mut out);
        assert_eq!((off, out), (vec![0, 0, 0, 0], vec![]));
    }
}
