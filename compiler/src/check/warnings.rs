//! Knowledge-base-wide lints over the resolved model: what is declared but
//! never used, never reached, never fixed or never sourced.

use crate::codes::Code;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Span;
use kbc_runtime::model::Fact;

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

/// What the lints read of a cause: the declared symptoms and sources it
/// names.
#[derive(Debug, Clone)]
pub(super) struct CauseLinks {
    pub produces: Vec<String>,
    pub sources: Vec<String>,
}

/// What the lints read of a fix: the declared causes and sources it names,
/// and whether it kept any step.
#[derive(Debug, Clone)]
pub(super) struct FixLinks {
    pub resolves: Vec<String>,
    pub has_steps: bool,
    pub sources: Vec<String>,
}

/// The part of the model the lints read, in the order of the model's
/// vectors, with names resolved by `index`: small enough for a cached check
/// to keep per file instead of the model.
pub(super) struct Links<'a> {
    /// The index of a declared `symptom`, `cause` or `source` name.
    pub index: &'a dyn Fn(&str, &str) -> Option<usize>,
    pub facts: &'a [Fact],
    pub symptoms: Vec<&'a str>,
    pub causes: Vec<(&'a str, &'a CauseLinks)>,
    pub fixes: Vec<(&'a str, &'a FixLinks)>,
    pub sources: Vec<&'a str>,
}

/// `satisfiable[i]` says whether symptom `i`'s `when` can ever hold.
pub(super) fn lint(kb: &Links, satisfiable: &[bool], spans: &Spans, diags: &mut Vec<Diagnostic>) {
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
    for (_, c) in &kb.causes {
        for s in &c.produces {
            if let Some(p) = (kb.index)("symptom", s).and_then(|s| produced.get_mut(s)) {
                *p = true;
            }
        }
    }
    for (i, id) in kb.symptoms.iter().enumerate() {
        if !produced[i] {
            diags.push(
                Diagnostic::warning(
                    Code::UnreachableSymptom,
                    format!("no cause produces symptom `{id}`"),
                    span(&spans.symptoms, i),
                )
                .label("never produced")
                .help(format!("add `produces {id}` to the causes behind it")),
            );
        }
    }

    // Causes nothing fixes; causes without sources.
    let mut fixed = vec![false; kb.causes.len()];
    for (_, f) in &kb.fixes {
        for c in &f.resolves {
            if let Some(x) = (kb.index)("cause", c).and_then(|c| fixed.get_mut(c)) {
                *x = true;
            }
        }
    }
    for (i, (id, _)) in kb.causes.iter().enumerate() {
        if !fixed[i] {
            diags.push(
                Diagnostic::warning(
                    Code::UnfixedCause,
                    format!("no fix resolves cause `{id}`"),
                    span(&spans.causes, i),
                )
                .label("never fixed")
                .help(format!("add a fix with `resolves {id}`")),
            );
        }
    }

    // Fixes nothing reaches, fixes without steps or sources.
    for (i, (id, f)) in kb.fixes.iter().enumerate() {
        let reachable = f.resolves.iter().any(|c| {
            (kb.index)("cause", c)
                .and_then(|c| kb.causes.get(c))
                .is_some_and(|(_, c)| {
                    c.produces.iter().any(|s| {
                        (kb.index)("symptom", s)
                            .and_then(|s| satisfiable.get(s).copied())
                            .unwrap_or(true)
                    })
                })
        });
        if !reachable && !f.resolves.is_empty() {
            diags.push(
                Diagnostic::warning(
                    Code::UnreachableFix,
                    format!("fix `{id}` can never be suggested"),
                    span(&spans.fixes, i),
                )
                .label("every cause it resolves produces only symptoms that are never observed")
                .help("check the `when` of those symptoms"),
            );
        }
        if !f.has_steps {
            diags.push(
                Diagnostic::warning(
                    Code::EmptyFix,
                    format!("fix `{id}` has no steps"),
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
        .flat_map(|(_, c)| &c.sources)
        .chain(kb.fixes.iter().flat_map(|(_, f)| &f.sources))
    {
        if let Some(x) = (kb.index)("source", s).and_then(|s| cited.get_mut(s)) {
            *x = true;
        }
    }
    for (i, id) in kb.sources.iter().enumerate() {
        if !cited[i] {
            diags.push(
                Diagnostic::warning(
                    Code::UnusedSource,
                    format!("source `{id}` is never cited"),
                    span(&spans.sources, i),
                )
                .label("declared here")
                .help(format!(
                    "cite it with `sources {id}` in a cause or fix, or remove it"
                )),
            );
        }
    }
}
