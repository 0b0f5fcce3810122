//! Knowledge-base-wide lints over the resolved model: what is declared but
//! never used, never reached, never fixed or never sourced.

use crate::codes::Code;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Span;
use kbc_runtime::model::KnowledgeBase;

/// Declaration spans by kind, indexed like the model's vectors.
pub(super) struct Spans {
    pub facts: Vec<Span>,
    pub symptoms: Vec<Span>,
    pub causes: Vec<Span>,
    pub fixes: Vec<Span>,
    pub sources: Vec<Span>,
    /// Facts named by some condition (even one with errors).
    pub used_facts: std::collections::BTreeSet<u32>,
}

/// `satisfiable[i]` says whether symptom `i`'s `when` can ever hold.
pub(super) fn lint(
    kb: &KnowledgeBase,
    satisfiable: &[bool],
    spans: &Spans,
    diags: &mut Vec<Diagnostic>,
) {
    let span = |v: &Vec<Span>, i: usize| v.get(i).copied().unwrap_or_default();

    let mut seen = std::collections::HashSet::new();
    for (i, fact) in kb.facts.iter().enumerate() {
        let duplicate = !seen.insert(fact.id.as_str());
        if !duplicate && !spans.used_facts.contains(&(i as u32)) {
            diags.push(
                Diagnostic::warning(
                    Code::UnusedFact,
                    format!("fact `{}` is never used in a condition", fact.id),
                    span(&spans.facts, i),
                )
                .label("declared here")
                .help("use it in a symptom's `when` or a cause's evidence, or remove it"),
            );
        }
        if fact.question.is_none() {
            diags.push(
                Diagnostic::warning(
                    Code::MissingQuestion,
                    format!("fact `{}` has no question", fact.id),
                    span(&spans.facts, i),
                )
                .label("no `ask`")
                .help(format!(
                    "add `ask \"...\"` so the runtime can ask for `{}`",
                    fact.id
                )),
            );
        }
    }

    // Symptoms no cause produces.
    let mut produced = vec![false; kb.symptoms.len()];
    for c in &kb.causes {
        for s in &c.produces {
            if let Some(p) = produced.get_mut(s.index()) {
                *p = true;
            }
        }
    }
    for (i, s) in kb.symptoms.iter().enumerate() {
        if !produced[i] {
            diags.push(
                Diagnostic::warning(
                    Code::UnreachableSymptom,
                    format!("no cause produces symptom `{}`", s.id),
                    span(&spans.symptoms, i),
                )
                .label("never produced")
                .help(format!("add `produces {}` to the causes behind it", s.id)),
            );
        }
    }

    // Causes nothing fixes; causes without sources.
    let mut fixed = vec![false; kb.causes.len()];
    for f in &kb.fixes {
        for c in &f.resolves {
            if let Some(x) = fixed.get_mut(c.index()) {
                *x = true;
            }
        }
    }
    for (i, c) in kb.causes.iter().enumerate() {
        if !fixed[i] {
            diags.push(
                Diagnostic::warning(
                    Code::UnfixedCause,
                    format!("no fix resolves cause `{}`", c.id),
                    span(&spans.causes, i),
                )
                .label("never fixed")
                .help(format!("add a fix with `resolves {}`", c.id)),
            );
        }
    }

    // Fixes nothing reaches, fixes without steps or sources.
    for (i, f) in kb.fixes.iter().enumerate() {
        let reachable = f.resolves.iter().any(|c| {
            kb.causes.get(c.index()).is_some_and(|c| {
                c.produces
                    .iter()
                    .any(|s| satisfiable.get(s.index()).copied().unwrap_or(true))
            })
        });
        if !reachable && !f.resolves.is_empty() {
            diags.push(
                Diagnostic::warning(
                    Code::UnreachableFix,
                    format!("fix `{}` can never be suggested", f.id),
                    span(&spans.fixes, i),
                )
                .label("every cause it resolves produces only symptoms that are never observed")
                .help("check the `when` of those symptoms"),
            );
        }
        if f.steps.is_empty() {
            diags.push(
                Diagnostic::warning(
                    Code::EmptyFix,
                    format!("fix `{}` has no steps", f.id),
                    span(&spans.fixes, i),
                )
                .label("nothing to do")
                .help("add steps such as `step \"...\"`, `run cmd \"...\"` or `registry ...`"),
            );
        }
    }

    // Sources nobody cites.
    let mut cited = vec![false; kb.sources.len()];
    for s in kb
        .causes
        .iter()
        .flat_map(|c| &c.sources)
        .chain(kb.fixes.iter().flat_map(|f| &f.sources))
    {
        if let Some(x) = cited.get_mut(s.index()) {
            *x = true;
        }
    }
    for (i, s) in kb.sources.iter().enumerate() {
        if !cited[i] {
            diags.push(
                Diagnostic::warning(
                    Code::UnusedSource,
                    format!("source `{}` is never cited", s.id),
                    span(&spans.sources, i),
                )
                .label("declared here")
                .help(format!(
                    "cite it with `sources {}` in a cause or fix, or remove it",
                    s.id
                )),
            );
        }
    }
}
