//! The knowledge base's own tests: run each [`Example`] against the
//! matcher, report each expectation, and measure coverage.
//!
//! Takes a [`Matcher`], gives [`ExampleReport`]s and a [`Coverage`]. A
//! cause is reached when some example ranks it, a fix when it appears in
//! some example's fixes, a symptom when some example observes it.

use serde::Serialize;

use crate::diagnosis::{Diagnosis, SymptomStatus};
use crate::matcher::Matcher;
use crate::model::{Example, Expectation, Location};
use crate::observation::Observation;

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectationResult {
    /// The expectation as written, such as `top credssp_mismatch`.
    pub expectation: String,
    /// Whether it held.
    pub passed: bool,
    /// What the diagnosis showed instead, when it failed.
    pub actual: String,
}

/// The outcome of one example.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExampleReport {
    /// The example's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it was written.
    pub location: Location,
    /// Each expectation in order.
    pub results: Vec<ExpectationResult>,
    /// The actual ranking (cause ids, first to last).
    pub ranking: Vec<String>,
    /// An error setting a given fact, if any (the example then fails).
    pub error: Option<String>,
}

impl ExampleReport {
    /// Every expectation held and every fact was accepted.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.results.iter().all(|r| r.passed)
    }
}

/// What no example reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Coverage {
    /// Symptoms no example observes.
    pub symptoms: Vec<String>,
    /// Causes no example ranks.
    pub causes: Vec<String>,
    /// Fixes that appear in no example's fixes.
    pub fixes: Vec<String>,
    /// Items reached, out of `total`.
    pub reached: usize,
    /// Symptoms, causes and fixes in the knowledge base.
    pub total: usize,
}

impl Coverage {
    /// The share reached, in percent (100 for an empty knowledge base).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.reached as f64 * 100.0 / self.total as f64
        }
    }
}

/// Runs every example of the matcher's knowledge base.
pub fn run_examples(m: &Matcher) -> (Vec<ExampleReport>, Coverage) {
    let kb = m.kb();
    let mut sym = vec![false; kb.symptoms.len()];
    let mut cau = vec![false; kb.causes.len()];
    let mut fix = vec![false; kb.fixes.len()];
    let mut reports = Vec::new();
    for ex in &kb.examples {
        let (report, d) = run_one(m, ex);
        if let Some(d) = d {
            for s in d
                .symptoms
                .iter()
                .filter(|s| s.status == SymptomStatus::Observed)
            {
                if let Some(i) = kb.symptoms.iter().position(|x| x.id == s.id) {
                    sym[i] = true;
                }
            }
            for c in &d.causes {
                if let Some(i) = kb.causes.iter().position(|x| x.id == c.id) {
                    cau[i] = true;
                }
            }
            for f in &d.fixes {
                if let Some(i) = kb.fixes.iter().position(|x| x.id == f.id) {
                    fix[i] = true;
                }
            }
        }
        reports.push(report);
    }
    let missing = |flags: &[bool], ids: Vec<&String>| -> Vec<String> {
        flags
            .iter()
            .zip(ids)
            .filter(|(r, _)| !**r)
            .map(|(_, id)| id.clone())
            .collect()
    };
    let coverage = Coverage {
        symptoms: missing(&sym, kb.symptoms.iter().map(|s| &s.id).collect()),
        causes: missing(&cau, kb.causes.iter().map(|c| &c.id).collect()),
        fixes: missing(&fix, kb.fixes.iter().map(|f| &f.id).collect()),
        reached: sym.iter().chain(&cau).chain(&fix).filter(|r| **r).count(),
        total: sym.len() + cau.len() + fix.len(),
    };
    (reports, coverage)
}

/// Runs one example: its report and, when its facts were accepted, the diagnosis.
pub fn run_example<'m>(m: &'m Matcher, ex: &Example) -> (ExampleReport, Option<Diagnosis<'m>>) {
    run_one(m, ex)
}

fn run_one<'m>(m: &'m Matcher, ex: &Example) -> (ExampleReport, Option<Diagnosis<'m>>) {
    let kb = m.kb();
    let mut report = ExampleReport {
        id: ex.id.clone(),
        title: ex.title.clone(),
        location: ex.loc.clone(),
        results: Vec::new(),
        ranking: Vec::new(),
        error: None,
    };
    let mut obs = Observation::new(m);
    for (f, v) in &ex.given {
        if let Err(e) = obs.set_value(*f, v.clone()) {
            report.error = Some(e.to_string());
            return (report, None);
        }
    }
    let d = m.diagnose(&obs);
    let cause_id =
        |c: crate::model::CauseIdx| kb.causes.get(c.index()).map_or("?", |c| c.id.as_str());
    let ranking: Vec<&str> = d.causes.iter().map(|c| c.id).collect();
    let pos = |id: &str| ranking.iter().position(|r| *r == id);
    let shown_ranking = if ranking.is_empty() {
        "nothing is ranked".to_string()
    } else {
        format!("ranking is {}", ranking.join(" > "))
    };
    for x in &ex.expect {
        let (text, passed, actual) = match x {
            Expectation::Top(c) => {
                let id = cause_id(*c);
                (
                    format!("top {id}"),
                    ranking.first() == Some(&id),
                    shown_ranking.clone(),
                )
            }
            Expectation::Order(cs) => {
                let ids: Vec<&str> = cs.iter().map(|c| cause_id(*c)).collect();
                let ps: Vec<Option<usize>> = ids.iter().map(|id| pos(id)).collect();
                let ok = ps.iter().all(Option::is_some) && ps.windows(2).all(|w| w[0] < w[1]);
                (
                    format!("order {}", ids.join(" > ")),
                    ok,
                    shown_ranking.clone(),
                )
            }
            Expectation::Ranked(c) => {
                let id = cause_id(*c);
                (
                    format!("ranked {id}"),
                    pos(id).is_some(),
                    shown_ranking.clone(),
                )
            }
            Expectation::NotRanked(c) => {
                let id = cause_id(*c);
                (
                    format!("not_ranked {id}"),
                    pos(id).is_none(),
                    shown_ranking.clone(),
                )
            }
            Expectation::RuledOut(c) => {
                let id = cause_id(*c);
                let ruled: Vec<&str> = d.ruled_out.iter().map(|r| r.id).collect();
                (
                    format!("ruled_out {id}"),
                    ruled.contains(&id),
                    format!(
                        "ruled out: {}",
                        if ruled.is_empty() {
                            "none".into()
                        } else {
                            ruled.join(", ")
                        }
                    ),
                )
            }
            Expectation::FirstFix(f) => {
                let id = kb.fixes.get(f.index()).map_or("?", |f| f.id.as_str());
                let first = d.fixes.first().map(|f| f.id);
                (
                    format!("first_fix {id}"),
                    first == Some(id),
                    format!("first fix: {}", first.unwrap_or("none")),
                )
            }
            Expectation::Question(q) => {
                let want = q
                    .and_then(|f| kb.facts.get(f.index()))
                    .map(|f| f.id.as_str());
                let got = d.next_question.as_ref().map(|q| q.fact.as_str());
                (
                    match want {
                        Some(w) => format!("question {w}"),
                        None => "no_question".into(),
                    },
                    want == got,
                    format!("question: {}", got.unwrap_or("none")),
                )
            }
        };
        report.results.push(ExpectationResult {
            expectation: text,
            passed,
            actual: if passed { String::new() } else { actual },
        });
    }
    report.ranking = ranking.iter().map(|s| s.to_string()).collect();
    (report, Some(d))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::model::*;
    use crate::testkit::*;

    fn kb() -> Kb {
        Kb::default()
            .fact("code", FactType::Int)
            .fact("joined", FactType::Bool)
            .symptom("s", eq(0, int(1)))
            .symptom("never", eq(0, int(99)))
            .cause("a", Prior::Common, &[0], vec![ev(Strength::Strong, yes(1))])
            .cause("b", Prior::VeryCommon, &[0], vec![])
            .cause("c", Prior::Rare, &[1], vec![])
            .fix("fa", &[0], Level::Low, Level::Low, Rights::User)
            .fix("fc", &[2], Level::Low, Level::Low, Rights::User)
    }

    fn example(given: Vec<(FactIdx, Value)>, expect: Vec<Expectation>) -> Example {
        Example {
            id: "e".into(),
            title: "E".into(),
            given,
            expect,
            loc: loc(7),
        }
    }

    #[test]
    fn a_failing_expectation_shows_the_actual_ranking() {
        let mut k = kb();
        k.0.examples.push(example(
            vec![(FactIdx(0), int(1))],
            vec![
                Expectation::Top(CauseIdx(0)),
                Expectation::Order(vec![CauseIdx(1), CauseIdx(0)]),
                Expectation::NotRanked(CauseIdx(2)),
                Expectation::FirstFix(FixIdx(0)),
                // `joined` only swaps two equal shares: no gain, no question.
                Expectation::Question(None),
            ],
        ));
        let m = k.matcher();
        let (reports, coverage) = run_examples(&m);
        let r = &reports[0];
        assert!(!r.passed());
        assert_eq!(r.ranking, ["b", "a"]);
        let got: Vec<(&str, bool, &str)> = r
            .results
            .iter()
            .map(|x| (x.expectation.as_str(), x.passed, x.actual.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("top a", false, "ranking is b > a"),
                ("order b > a", true, ""),
                ("not_ranked c", true, ""),
                ("first_fix fa", true, ""),
                ("no_question", true, ""),
            ]
        );
        assert_eq!(r.location.line, 7);
        // Reached: symptom s, causes a and b, fix fa; not: never, c, fc.
        assert_eq!(coverage.symptoms, ["never"]);
        assert_eq!(coverage.causes, ["c"]);
        assert_eq!(coverage.fixes, ["fc"]);
        assert_eq!((coverage.reached, coverage.total), (4, 7));
    }

    #[test]
    fn a_fact_of_the_wrong_type_fails_the_example() {
        let mut k = kb();
        k.0.examples
            .push(example(vec![(FactIdx(0), int(1))], vec![]));
        let m = k.matcher();
        let bad = example(vec![(FactIdx(1), int(1))], vec![]);
        let (r, d) = run_example(&m, &bad);
        assert!(d.is_none() && !r.passed());
        assert!(r.error.is_some());
    }
}
