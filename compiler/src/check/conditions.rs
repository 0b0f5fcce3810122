//! Conditions: resolve fact names, type every value by its fact, validate
//! regexes, and find conjunctions that can never hold.

use super::{show_literal, Checker, Kind};
use crate::codes::Code;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Expr, ItemKind, Literal, SourceFile, Span, Spanned};
use kbc_runtime::fuzzy;
use kbc_runtime::model::{CmpOp, Condition, FactIdx, FactType, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Lowers a top-level condition and warns when it can never be true; the
/// flag says whether it can.
pub(super) fn lower(ck: &mut Checker, e: &Spanned<Expr>) -> (Condition, bool) {
    let c = expr(ck, e);
    let never = unsat(ck, e);
    if let Some((a, b)) = never {
        let mut d = Diagnostic::warning(Code::Unsatisfiable, "this condition can never be true", b)
            .label("this can never hold together with the rest");
        if b != a {
            d = d.with_secondary(a, "given this");
        }
        ck.diags
            .push(d.help("a fact has one value at a time: did you mean `or`, or `in [...]`?"));
    }
    (c, never.is_none())
}

fn expr(ck: &mut Checker, e: &Spanned<Expr>) -> Condition {
    match &e.node {
        Expr::And(parts) => Condition::And(parts.iter().map(|p| expr(ck, p)).collect()),
        Expr::Or(parts) => Condition::Or(parts.iter().map(|p| expr(ck, p)).collect()),
        Expr::Not(inner) => Condition::Not(Box::new(expr(ck, inner))),
        Expr::Bare(name) => {
            let Some(f) = fact_ref(ck, name) else {
                return Condition::True;
            };
            if !matches!(fact_ty(ck, f), Some(FactType::Bool)) {
                let ty = fact_ty(ck, f).map_or("?", |t| t.name());
                ck.diags.push(
                    Diagnostic::error(
                        Code::OperatorNotAllowed,
                        format!(
                            "`{}` is {} `{ty}` fact, not a `bool`",
                            name.node,
                            super::article(ty)
                        ),
                        name.span,
                    )
                    .label("a fact on its own must be a bool")
                    .help(format!(
                        "compare it with a value, e.g. `{} == ...`, or test `{} is known`",
                        name.node, name.node
                    )),
                );
            }
            Condition::Compare {
                fact: FactIdx(f),
                op: CmpOp::Eq,
                value: Value::Bool(true),
            }
        }
        Expr::Compare(name, op, lit) => {
            let Some(f) = fact_ref(ck, name) else {
                return Condition::True;
            };
            match fact_ty(ck, f) {
                Some(FactType::Text) => not_allowed(
                    ck,
                    name,
                    op.symbol(),
                    "text",
                    "use `contains` or `matches` on free text",
                ),
                Some(FactType::Int) | None => {}
                Some(t) if !matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                    let ty = t.name();
                    not_allowed(
                        ck,
                        name,
                        op.symbol(),
                        ty,
                        "order comparisons apply to `int` facts; use `==`, `!=` or `in`",
                    )
                }
                Some(_) => {}
            }
            match value(ck, f, lit, false) {
                Some(v) => Condition::Compare {
                    fact: FactIdx(f),
                    op: *op,
                    value: v,
                },
                None => Condition::True,
            }
        }
        Expr::In(name, lits, negated) => {
            let Some(f) = fact_ref(ck, name) else {
                return Condition::True;
            };
            if matches!(fact_ty(ck, f), Some(FactType::Text)) {
                not_allowed(
                    ck,
                    name,
                    "in",
                    "text",
                    "use `contains` or `matches` on free text",
                );
            }
            let values: Vec<Value> = lits.iter().filter_map(|l| value(ck, f, l, false)).collect();
            let c = Condition::In {
                fact: FactIdx(f),
                values,
            };
            if *negated {
                Condition::Not(Box::new(c))
            } else {
                c
            }
        }
        Expr::Contains(name, needle) => {
            let Some(f) = fact_ref(ck, name) else {
                return Condition::True;
            };
            text_only(ck, f, name, "contains");
            Condition::Contains {
                fact: FactIdx(f),
                needle: needle.node.clone(),
            }
        }
        Expr::Matches(name, pattern) => {
            let Some(f) = fact_ref(ck, name) else {
                return Condition::True;
            };
            text_only(ck, f, name, "matches");
            check_regex(ck, pattern);
            Condition::Matches {
                fact: FactIdx(f),
                pattern: pattern.node.clone(),
            }
        }
        Expr::Known(name, negated) => {
            let Some(f) = fact_ref(ck, name) else {
                return Condition::True;
            };
            let c = Condition::Known { fact: FactIdx(f) };
            if *negated {
                Condition::Not(Box::new(c))
            } else {
                c
            }
        }
    }
}

/// Resolves a fact named in a condition and records that it is used.
fn fact_ref(ck: &mut Checker, name: &crate::syntax::ast::Ident) -> Option<u32> {
    let f = ck.lookup(Kind::Fact, name)?;
    ck.used_facts.insert(f);
    Some(f)
}

fn fact_ty<'a>(ck: &'a Checker, f: u32) -> Option<&'a FactType> {
    ck.fact_decl(f).map(|d| &d.ty)
}

fn not_allowed(ck: &mut Checker, name: &crate::syntax::ast::Ident, op: &str, ty: &str, help: &str) {
    ck.diags.push(
        Diagnostic::error(
            Code::OperatorNotAllowed,
            format!(
                "`{op}` does not apply to `{}`, {} `{ty}` fact",
                name.node,
                super::article(ty)
            ),
            name.span,
        )
        .label(format!("`{ty}` fact"))
        .help(help.to_string()),
    );
}

fn text_only(ck: &mut Checker, f: u32, name: &crate::syntax::ast::Ident, op: &str) {
    match fact_ty(ck, f) {
        Some(FactType::Text | FactType::Str) | None => {}
        Some(t) => {
            let ty = t.name();
            not_allowed(ck, name, op, ty, "`contains` and `matches` apply to `text` and `string` facts; compare with `==` or `in`")
        }
    }
}

/// A parser for `matches` patterns, as the matcher will read them.
fn regex_parser() -> regex_syntax::Parser {
    regex_syntax::ParserBuilder::new().nest_limit(64).build()
}

/// The patterns of a file's `matches` conditions that are valid regexes.
/// Validity depends on the pattern alone, so a parse computes it once and
/// every later check of the file reuses it.
pub(super) fn valid_patterns(file: &SourceFile) -> HashSet<String> {
    fn walk(e: &Spanned<Expr>, out: &mut HashSet<String>) {
        match &e.node {
            Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| walk(p, out)),
            Expr::Not(inner) => walk(inner, out),
            Expr::Matches(_, pattern) => {
                if !out.contains(&pattern.node) && regex_parser().parse(&pattern.node).is_ok() {
                    out.insert(pattern.node.clone());
                }
            }
            Expr::Bare(_)
            | Expr::Compare(..)
            | Expr::In(..)
            | Expr::Contains(..)
            | Expr::Known(..) => {}
        }
    }
    let mut out = HashSet::new();
    for item in &file.items {
        match &item.kind {
            ItemKind::Symptom(d) => d.when.iter().for_each(|w| walk(w, &mut out)),
            ItemKind::Cause(d) => d.evidence.iter().for_each(|e| walk(&e.condition, &mut out)),
            _ => {}
        }
    }
    out
}

fn check_regex(ck: &mut Checker, pattern: &Spanned<String>) {
    let known_valid = ck
        .valid_patterns
        .get(pattern.span.file as usize)
        .copied()
        .flatten()
        .is_some_and(|v| v.contains(&pattern.node));
    if known_valid {
        return;
    }
    let Err(err) = regex_parser().parse(&pattern.node) else {
        return;
    };
    // Point into the pattern when the source text between the quotes is the
    // pattern itself (no escapes changed the offsets).
    let source = ck
        .sources
        .get(pattern.span.file)
        .map(|f| f.text.as_str())
        .unwrap_or("");
    let inner =
        source.get(pattern.span.start as usize + 1..(pattern.span.end as usize).saturating_sub(1));
    let (span, what) = match (&err, inner) {
        (regex_syntax::Error::Parse(e), Some(raw)) if raw == pattern.node => {
            let s = e.span();
            let start = pattern.span.start + 1 + s.start.offset as u32;
            let end = (pattern.span.start + 1 + s.end.offset as u32).max(start + 1);
            (
                Span {
                    file: pattern.span.file,
                    start,
                    end: end.min(pattern.span.end),
                },
                e.kind().to_string(),
            )
        }
        (regex_syntax::Error::Parse(e), _) => (pattern.span, e.kind().to_string()),
        (regex_syntax::Error::Translate(e), _) => (pattern.span, e.kind().to_string()),
        (e, _) => (pattern.span, e.to_string()),
    };
    ck.diags.push(
        Diagnostic::error(Code::InvalidRegex, "invalid regular expression", span)
            .label(what)
            .help("patterns use Rust regex syntax; escape a literal `(` `[` `.` with a backslash"),
    );
}

/// Types a literal by fact `f`'s type. `given` is true in examples, where a
/// `text` fact takes a string.
pub(super) fn value(
    ck: &mut Checker,
    f: u32,
    lit: &Spanned<Literal>,
    given: bool,
) -> Option<Value> {
    // Borrow the fact and the diagnostics side by side: cloning the fact
    // for every literal was a good part of a check's time.
    let fact = ck.facts.get(f as usize)?;
    let diags = &mut *ck.diags;
    let mismatch = |diags: &mut Vec<Diagnostic>, expected: &str, help: Option<String>| {
        let mut d = Diagnostic::error(
            Code::TypeMismatch,
            format!(
                "expected {expected} for `{}`, found {} `{}`",
                fact.id,
                lit.node.describe(),
                show_literal(&lit.node)
            ),
            lit.span,
        )
        .label(format!(
            "`{}` is {} `{}` fact",
            fact.id,
            super::article(fact.ty.name()),
            fact.ty.name()
        ));
        if let Some(h) = help {
            d = d.help(h);
        }
        diags.push(d);
        None
    };
    match (&fact.ty, &lit.node) {
        (FactType::Bool, Literal::Bool(b)) => Some(Value::Bool(*b)),
        (FactType::Bool, _) => mismatch(diags, "`true` or `false`", None),
        (FactType::Int, Literal::Int(i)) => match i64::try_from(*i) {
            Ok(v) => Some(Value::Int(v)),
            Err(_) => {
                diags.push(
                    Diagnostic::error(
                        Code::NumberOutOfRange,
                        "integer does not fit in 64 bits",
                        lit.span,
                    )
                    .label(format!("`{}` is an `int` fact (signed 64-bit)", fact.id)),
                );
                None
            }
        },
        (FactType::Int, Literal::Str(s)) => {
            let help = s
                .trim()
                .starts_with(|c: char| c.is_ascii_digit() || c == '-')
                .then(|| format!("write the number without quotes: `{}`", s.trim()));
            mismatch(diags, "an integer", help)
        }
        (FactType::Int, _) => mismatch(diags, "an integer", None),
        (FactType::Str, Literal::Str(s)) => Some(Value::Str(s.clone())),
        (FactType::Text, Literal::Str(s)) if given => Some(Value::Str(s.clone())),
        (FactType::Text, Literal::Str(_)) => None,
        (FactType::Str | FactType::Text, Literal::Ident(s)) => {
            mismatch(diags, "a string", Some(format!("quote it: `\"{s}\"`")))
        }
        (FactType::Str | FactType::Text, _) => mismatch(diags, "a string", None),
        (FactType::Enum(values), Literal::Ident(name)) => match values
            .iter()
            .position(|v| &v.id == name)
        {
            Some(i) => Some(Value::Enum(i as u32)),
            None => {
                let ids: Vec<&str> = values.iter().map(|v| v.id.as_str()).collect();
                let mut d = Diagnostic::error(
                    Code::UnknownEnumValue,
                    format!("`{name}` is not a value of `{}`", fact.id),
                    lit.span,
                )
                .label("not in the enumeration")
                .note(format!("`{}` is one of: {}", fact.id, ids.join(", ")));
                if let Some(c) = fuzzy::closest(name, ids.iter().copied()) {
                    d = d.help(format!("did you mean `{c}`?"));
                }
                diags.push(d);
                None
            }
        },
        (FactType::Enum(values), Literal::Str(s)) => {
            let help = values
                .iter()
                .any(|v| &v.id == s)
                .then(|| format!("write the value without quotes: `{s}`"));
            mismatch(diags, "an enumeration value", help)
        }
        (FactType::Enum(_), _) => mismatch(diags, "an enumeration value", None),
    }
}

// ---- satisfiability of conjunctions ----

/// What one conjunct says about one fact.
#[derive(Debug, Clone)]
enum Constraint {
    /// The fact's value is in this set (finite domains: bool and enum).
    OneOf(BTreeSet<Value>),
    /// The fact's value is not in this set.
    NoneOf(BTreeSet<Value>),
    /// An integer range, inclusive.
    Range(i64, i64),
    /// `is known` (true) or `is unknown` (false).
    Known(bool),
}

/// Returns two spans that conflict when `e` can never be true.
fn unsat(ck: &Checker, e: &Spanned<Expr>) -> Option<(Span, Span)> {
    match &e.node {
        Expr::Or(parts) => {
            let mut first = None;
            for p in parts {
                match unsat(ck, p) {
                    Some(s) => first = first.or(Some(s)),
                    None => return None,
                }
            }
            first
        }
        Expr::And(parts) => {
            for p in parts {
                if let Some(s) = unsat(ck, p) {
                    return Some(s);
                }
            }
            let mut per_fact: HashMap<u32, Vec<(Constraint, Span)>> = HashMap::new();
            for p in parts {
                if let Some((f, c)) = constraint(ck, p, false) {
                    per_fact.entry(f).or_default().push((c, p.span));
                }
            }
            let mut facts: Vec<_> = per_fact.into_iter().collect();
            facts.sort_by_key(|(f, _)| *f);
            facts.into_iter().find_map(|(f, cs)| conflict(ck, f, &cs))
        }
        _ => None,
    }
}

fn constraint(ck: &Checker, e: &Spanned<Expr>, negated: bool) -> Option<(u32, Constraint)> {
    let lookup = |name: &str| ck.symbols.facts.get(name).map(|d| d.index);
    let typed = |f: u32, l: &Literal| -> Option<Value> {
        let fact = ck.fact_decl(f)?;
        match (&fact.ty, l) {
            (FactType::Bool, Literal::Bool(b)) => Some(Value::Bool(*b)),
            (FactType::Int, Literal::Int(i)) => i64::try_from(*i).ok().map(Value::Int),
            (FactType::Str, Literal::Str(s)) => Some(Value::Str(s.clone())),
            (FactType::Enum(vs), Literal::Ident(n)) => vs
                .iter()
                .position(|v| &v.id == n)
                .map(|i| Value::Enum(i as u32)),
            _ => None,
        }
    };
    match &e.node {
        Expr::Not(inner) => constraint(ck, inner, !negated),
        Expr::Bare(name) => {
            let f = lookup(&name.node)?;
            let set = BTreeSet::from([Value::Bool(true)]);
            Some((
                f,
                if negated {
                    Constraint::NoneOf(set)
                } else {
                    Constraint::OneOf(set)
                },
            ))
        }
        Expr::Known(name, neg) => Some((lookup(&name.node)?, Constraint::Known(neg == &negated))),
        Expr::In(name, lits, neg) => {
            let f = lookup(&name.node)?;
            let set: BTreeSet<Value> = lits.iter().filter_map(|l| typed(f, &l.node)).collect();
            Some((
                f,
                if *neg != negated {
                    Constraint::NoneOf(set)
                } else {
                    Constraint::OneOf(set)
                },
            ))
        }
        Expr::Compare(name, op, lit) => {
            let f = lookup(&name.node)?;
            let v = typed(f, &lit.node)?;
            let op = if negated { negate(*op) } else { *op };
            let set = BTreeSet::from([v.clone()]);
            Some((
                f,
                match (op, v) {
                    (CmpOp::Eq, _) => Constraint::OneOf(set),
                    (CmpOp::Ne, _) => Constraint::NoneOf(set),
                    (CmpOp::Lt, Value::Int(i)) => Constraint::Range(i64::MIN, i.checked_sub(1)?),
                    (CmpOp::Le, Value::Int(i)) => Constraint::Range(i64::MIN, i),
                    (CmpOp::Gt, Value::Int(i)) => Constraint::Range(i.checked_add(1)?, i64::MAX),
                    (CmpOp::Ge, Value::Int(i)) => Constraint::Range(i, i64::MAX),
                    _ => return None,
                },
            ))
        }
        _ => None,
    }
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

/// Intersects the constraints on one fact in order; returns the first span
/// that narrowed the domain and the one that emptied it.
fn conflict(ck: &Checker, f: u32, cs: &[(Constraint, Span)]) -> Option<(Span, Span)> {
    let fact = ck.fact_decl(f)?;
    let domain: Option<BTreeSet<Value>> = match &fact.ty {
        FactType::Bool => Some(BTreeSet::from([Value::Bool(false), Value::Bool(true)])),
        FactType::Enum(vs) => Some((0..vs.len() as u32).map(Value::Enum).collect()),
        _ => None,
    };
    let mut allowed = domain;
    let mut eq: Option<BTreeSet<Value>> = None;
    let mut excluded: BTreeSet<Value> = BTreeSet::new();
    let (mut lo, mut hi) = (i64::MIN, i64::MAX);
    let mut known: Option<(bool, Span)> = None;
    let mut valued: Option<Span> = None;
    let mut first: Option<Span> = None;
    for (c, span) in cs {
        let start = *first.get_or_insert(*span);
        match c {
            Constraint::Known(k) => {
                if let Some((prev, s)) = known {
                    if prev != *k {
                        return Some((s, *span));
                    }
                }
                if !*k {
                    if let Some(v) = valued {
                        return Some((v, *span));
                    }
                }
                known = Some((*k, *span));
                continue;
            }
            _ => {
                if let Some((false, s)) = known {
                    // `is unknown` and any value test: the test is never true.
                    if !matches!(c, Constraint::NoneOf(_)) {
                        return Some((s, *span));
                    }
                }
                if !matches!(c, Constraint::NoneOf(_)) {
                    valued.get_or_insert(*span);
                }
            }
        }
        match c {
            Constraint::OneOf(set) => {
                eq = Some(match eq {
                    Some(prev) => prev.intersection(set).cloned().collect(),
                    None => set.clone(),
                });
            }
            Constraint::NoneOf(set) => excluded.extend(set.iter().cloned()),
            Constraint::Range(l, h) => {
                lo = lo.max(*l);
                hi = hi.min(*h);
            }
            Constraint::Known(_) => {}
        }
        if let Some(a) = allowed.as_mut() {
            if let Some(e) = &eq {
                a.retain(|v| e.contains(v));
            }
            a.retain(|v| !excluded.contains(v));
            if a.is_empty() {
                return Some((start, *span));
            }
        }
        if let Some(e) = &eq {
            let live = e
                .iter()
                .filter(|v| !excluded.contains(v))
                .filter(|v| match v {
                    Value::Int(i) => lo <= *i && *i <= hi,
                    _ => true,
                })
                .count();
            if live == 0 {
                return Some((start, *span));
            }
        }
        if lo > hi {
            return Some((start, *span));
        }
    }
    None
}
