//! Validation of a checked model: every index in range, every value typed by
//! its fact, ids unique, conditions not nested too deeply.
//!
//! Takes a [`KnowledgeBase`], gives the first problem found as a sentence.
//! Run by [`Artifact::build`](crate::Artifact::build) and again at load, so
//! no engine ever indexes out of range.

use std::collections::HashSet;

use crate::lower::MAX_CONDITION_DEPTH;
use crate::model::{CmpOp, Condition, Expectation, FactIdx, FactType, KnowledgeBase, Value};

/// Whether `v` is a value of a fact of type `ty`.
pub(crate) fn value_fits(ty: &FactType, v: &Value) -> bool {
    match (ty, v) {
        (FactType::Bool, Value::Bool(_)) | (FactType::Int, Value::Int(_)) => true,
        (FactType::Str, Value::Str(_)) | (FactType::Text, Value::Str(_)) => true,
        (FactType::Enum(vs), Value::Enum(i)) => (*i as usize) < vs.len(),
        _ => false,
    }
}

fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a String>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(format!("{what} id `{id}` is declared twice"));
        }
    }
    Ok(())
}

/// `at` names the declaration, for the message; it is only called on an error.
fn check_cond(
    kb: &KnowledgeBase,
    c: &Condition,
    depth: usize,
    at: &dyn Fn() -> String,
) -> Result<(), String> {
    check_cond_inner(kb, c, depth).map_err(|what| format!("a condition of {} {what}", at()))
}

fn check_cond_inner(kb: &KnowledgeBase, c: &Condition, depth: usize) -> Result<(), String> {
    if depth > MAX_CONDITION_DEPTH {
        return Err(format!("is nested more than {MAX_CONDITION_DEPTH} deep"));
    }
    let fact_ty = |f: FactIdx| {
        kb.facts
            .get(f.index())
            .map(|f| &f.ty)
            .ok_or_else(|| format!("reads fact #{} which does not exist", f.0))
    };
    match c {
        Condition::True => Ok(()),
        Condition::And(cs) | Condition::Or(cs) => cs
            .iter()
            .try_for_each(|c| check_cond_inner(kb, c, depth + 1)),
        Condition::Not(c) => check_cond_inner(kb, c, depth + 1),
        Condition::Compare { fact, op, value } => {
            let ty = fact_ty(*fact)?;
            if matches!(ty, FactType::Text) {
                return Err("compares a text fact".to_string());
            }
            if !value_fits(ty, value) {
                return Err("compares with a value of the wrong type".to_string());
            }
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) && !matches!(ty, FactType::Int) {
                return Err("orders a fact that is not an int".to_string());
            }
            Ok(())
        }
        Condition::In { fact, values } => {
            let ty = fact_ty(*fact)?;
            if matches!(ty, FactType::Text) || !values.iter().all(|v| value_fits(ty, v)) {
                return Err("lists a value of the wrong type".to_string());
            }
            Ok(())
        }
        Condition::Contains { fact, .. } | Condition::Matches { fact, .. } => match fact_ty(*fact)?
        {
            FactType::Text | FactType::Str => Ok(()),
            _ => Err("searches text in a fact that is not text or string".to_string()),
        },
        Condition::Known { fact } => fact_ty(*fact).map(|_| ()),
    }
}

/// Checks the invariants of a checked model.
pub(crate) fn validate(kb: &KnowledgeBase) -> Result<(), String> {
    unique("fact", kb.facts.iter().map(|f| &f.id))?;
    unique("symptom", kb.symptoms.iter().map(|s| &s.id))?;
    unique("cause", kb.causes.iter().map(|c| &c.id))?;
    unique("fix", kb.fixes.iter().map(|f| &f.id))?;
    unique("source", kb.sources.iter().map(|s| &s.id))?;
    unique("guide", kb.guides.iter().map(|g| &g.id))?;
    unique("example", kb.examples.iter().map(|e| &e.id))?;
    for f in &kb.facts {
        if let FactType::Enum(vs) = &f.ty {
            unique(
                &format!("value of `{}`: the", f.id),
                vs.iter().map(|v| &v.id),
            )?;
            if u32::try_from(vs.len()).is_err() {
                return Err(format!("fact `{}` has too many values", f.id));
            }
        }
    }
    let ns = kb.symptoms.len();
    let nc = kb.causes.len();
    let nx = kb.fixes.len();
    let nsrc = kb.sources.len();
    for s in &kb.symptoms {
        check_cond(kb, &s.condition, 0, &|| format!("symptom `{}`", s.id))?;
    }
    for c in &kb.causes {
        if c.produces.iter().any(|s| s.index() >= ns) || c.sources.iter().any(|s| s.index() >= nsrc)
        {
            return Err(format!(
                "cause `{}` refers to a symptom or source that does not exist",
                c.id
            ));
        }
        for e in &c.evidence {
            check_cond(kb, &e.condition, 0, &|| {
                format!("cause `{}` ({})", c.id, e.loc)
            })?;
        }
    }
    for f in &kb.fixes {
        if f.resolves.iter().any(|c| c.index() >= nc) || f.sources.iter().any(|s| s.index() >= nsrc)
        {
            return Err(format!(
                "fix `{}` refers to a cause or source that does not exist",
                f.id
            ));
        }
    }
    for g in &kb.guides {
        if g.symptom.index() >= ns || g.related.iter().any(|s| s.index() >= ns) {
            return Err(format!(
                "guide `{}` refers to a symptom that does not exist",
                g.id
            ));
        }
    }
    for ex in &kb.examples {
        for (f, v) in &ex.given {
            match kb.facts.get(f.index()) {
                Some(fact) if value_fits(&fact.ty, v) => {}
                _ => {
                    return Err(format!(
                        "example `{}` gives a fact or value that does not exist",
                        ex.id
                    ))
                }
            }
        }
        for x in &ex.expect {
            let ok = match x {
                Expectation::Top(c)
                | Expectation::Ranked(c)
                | Expectation::NotRanked(c)
                | Expectation::RuledOut(c) => c.index() < nc,
                Expectation::Order(cs) => cs.iter().all(|c| c.index() < nc),
                Expectation::FirstFix(f) => f.index() < nx,
                Expectation::Question(q) => q.is_none_or(|f| f.index() < kb.facts.len()),
            };
            if !ok {
                return Err(format!(
                    "example `{}` expects something that does not exist",
                    ex.id
                ));
            }
        }
    }
    Ok(())
}
