//! Where every id is declared and used, read straight from the parsed files
//! (not the checked model), so navigation keeps working while the knowledge
//! base has errors.

use kbc_compiler::syntax::ast::{ExpectExpr, Expr, Ident, Item, ItemKind, Span, Spanned};

/// The kinds of declared ids; ids are unique within a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// `fact`
    Fact,
    /// `symptom`
    Symptom,
    /// `cause`
    Cause,
    /// `fix`
    Fix,
    /// `source`
    Source,
    /// `guide`
    Guide,
    /// `example`
    Example,
}

impl IdKind {
    /// The declaration keyword.
    pub fn word(self) -> &'static str {
        match self {
            IdKind::Fact => "fact",
            IdKind::Symptom => "symptom",
            IdKind::Cause => "cause",
            IdKind::Fix => "fix",
            IdKind::Source => "source",
            IdKind::Guide => "guide",
            IdKind::Example => "example",
        }
    }

    /// The kind a declaration introduces.
    pub fn of(item: &ItemKind) -> IdKind {
        match item {
            ItemKind::Fact(_) => IdKind::Fact,
            ItemKind::Symptom(_) => IdKind::Symptom,
            ItemKind::Cause(_) => IdKind::Cause,
            ItemKind::Fix(_) => IdKind::Fix,
            ItemKind::Source(_) => IdKind::Source,
            ItemKind::Guide(_) => IdKind::Guide,
            ItemKind::Example(_) => IdKind::Example,
        }
    }
}

/// One place an id is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// What kind of thing the id names.
    pub kind: IdKind,
    /// The id.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// Whether this is the declaration.
    pub decl: bool,
}

/// Every id declared or used in `items`, in file order.
pub fn occurrences(items: &[Item]) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut push = |kind: IdKind, id: &Ident, decl: bool| {
        out.push(Occurrence {
            kind,
            name: id.node.clone(),
            span: id.span,
            decl,
        })
    };
    for item in items {
        push(IdKind::of(&item.kind), item.kind.id(), true);
        match &item.kind {
            ItemKind::Fact(_) | ItemKind::Source(_) => {}
            ItemKind::Symptom(s) => {
                for w in &s.when {
                    condition_facts(w, &mut |id| push(IdKind::Fact, id, false));
                }
            }
            ItemKind::Cause(c) => {
                c.produces
                    .iter()
                    .for_each(|i| push(IdKind::Symptom, i, false));
                for e in &c.evidence {
                    condition_facts(&e.condition, &mut |id| push(IdKind::Fact, id, false));
                }
                c.sources
                    .iter()
                    .for_each(|i| push(IdKind::Source, i, false));
            }
            ItemKind::Fix(f) => {
                f.resolves
                    .iter()
                    .for_each(|i| push(IdKind::Cause, i, false));
                f.sources
                    .iter()
                    .for_each(|i| push(IdKind::Source, i, false));
            }
            ItemKind::Guide(g) => {
                push(IdKind::Symptom, &g.symptom, false);
                g.related
                    .iter()
                    .for_each(|i| push(IdKind::Symptom, i, false));
            }
            ItemKind::Example(e) => {
                e.given
                    .iter()
                    .for_each(|(i, _)| push(IdKind::Fact, i, false));
                for x in &e.expect {
                    match &x.node {
                        ExpectExpr::Top(i)
                        | ExpectExpr::Ranked(i)
                        | ExpectExpr::NotRanked(i)
                        | ExpectExpr::RuledOut(i) => push(IdKind::Cause, i, false),
                        ExpectExpr::Order(v) => {
                            v.iter().for_each(|i| push(IdKind::Cause, i, false))
                        }
                        ExpectExpr::FirstFix(i) => push(IdKind::Fix, i, false),
                        ExpectExpr::Question(Some(i)) => push(IdKind::Fact, i, false),
                        ExpectExpr::Question(None) => {}
                    }
                }
            }
        }
    }
    out
}

/// Calls `f` for every fact named in a condition (without recursion, so
/// no condition is too deep).
fn condition_facts<'a>(root: &'a Spanned<Expr>, f: &mut impl FnMut(&'a Ident)) {
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        match &e.node {
            Expr::And(v) | Expr::Or(v) => stack.extend(v.iter().rev()),
            Expr::Not(inner) => stack.push(inner),
            Expr::Bare(id)
            | Expr::Compare(id, ..)
            | Expr::In(id, ..)
            | Expr::Contains(id, _)
            | Expr::Matches(id, _)
            | Expr::Known(id, _) => f(id),
        }
    }
}
