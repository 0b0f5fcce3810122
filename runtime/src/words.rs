//! Plain words for evidence: the sentence shown to an end user for why a
//! cause moved, identical in the CLI, the JSON and the library.
//!
//! Takes the model, gives `String`s (docs/SEMANTICS.md, "Plain words").

use crate::model::{CmpOp, Condition, Evidence, Fact, FactType, KnowledgeBase, Strength, Value};

/// The sentence for one piece of evidence of the cause titled `title`.
pub(crate) fn evidence_text(kb: &KnowledgeBase, ev: &Evidence, title: &str) -> String {
    let reason = match &ev.because {
        Some(b) => b.trim().trim_end_matches('.').to_string(),
        None => condition(kb, &ev.condition),
    };
    let tail = match ev.strength {
        Strength::Strong | Strength::Moderate | Strength::Weak => {
            format!("which makes {title} more likely")
        }
        Strength::AgainstWeak | Strength::AgainstModerate | Strength::AgainstStrong => {
            format!("which makes {title} less likely")
        }
        Strength::RulesOut => format!("which rules out {title}"),
    };
    capitalise(&format!("{reason}, {tail}"))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A condition in words, from fact labels and enum value labels.
pub(crate) fn condition(kb: &KnowledgeBase, c: &Condition) -> String {
    let mut out = String::new();
    write_cond(kb, c, false, &mut out);
    out
}

fn label(kb: &KnowledgeBase, fact: crate::model::FactIdx) -> String {
    kb.facts
        .get(fact.index())
        .map(Fact::display_label)
        .unwrap_or_else(|| "an unknown fact".to_string())
}

/// A value in words: enum value labels, `true`/`false`, decimal integers,
/// quoted strings.
pub(crate) fn value(kb: &KnowledgeBase, fact: crate::model::FactIdx, v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Str(s) => format!("\"{s}\""),
        Value::Enum(i) => match kb.facts.get(fact.index()).map(|f| &f.ty) {
            Some(FactType::Enum(vals)) => vals
                .get(*i as usize)
                .map(|e| e.display_label().to_string())
                .unwrap_or_else(|| i.to_string()),
            _ => i.to_string(),
        },
    }
}

fn list(kb: &KnowledgeBase, fact: crate::model::FactIdx, vs: &[Value]) -> String {
    let words: Vec<String> = vs.iter().map(|v| value(kb, fact, v)).collect();
    match words.split_last() {
        None => "nothing".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn write_cond(kb: &KnowledgeBase, c: &Condition, nested: bool, out: &mut String) {
    match c {
        Condition::True => out.push_str("always"),
        Condition::And(cs) | Condition::Or(cs) => {
            let sep = if matches!(c, Condition::And(_)) {
                " and "
            } else {
                " or "
            };
            let paren = nested && cs.len() > 1;
            if paren {
                out.push('(');
            }
            for (i, sub) in cs.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                write_cond(kb, sub, true, out);
            }
            if cs.is_empty() {
                out.push_str(if matches!(c, Condition::And(_)) {
                    "always"
                } else {
                    "never"
                });
            }
            if paren {
                out.push(')');
            }
        }
        Condition::Not(inner) => match inner.as_ref() {
            Condition::Compare {
                fact,
                op: CmpOp::Eq,
                value: v,
            } => {
                out.push_str(&format!(
                    "{} is not {}",
                    label(kb, *fact),
                    value(kb, *fact, v)
                ));
            }
            Condition::In { fact, values } => {
                out.push_str(&format!(
                    "{} is not {}",
                    label(kb, *fact),
                    list(kb, *fact, values)
                ));
            }
            Condition::Contains { fact, needle } => {
                out.push_str(&format!(
                    "{} does not contain \"{needle}\"",
                    label(kb, *fact)
                ));
            }
            Condition::Matches { fact, pattern } => {
                out.push_str(&format!(
                    "{} does not match the pattern \"{pattern}\"",
                    label(kb, *fact)
                ));
            }
            Condition::Known { fact } => {
                out.push_str(&format!("{} is unknown", label(kb, *fact)));
            }
            other => {
                out.push_str("it is not the case that ");
                write_cond(kb, other, true, out);
            }
        },
        Condition::Compare { fact, op, value: v } => {
            let verb = match op {
                CmpOp::Eq => "is",
                CmpOp::Ne => "is not",
                CmpOp::Lt => "is less than",
                CmpOp::Le => "is at most",
                CmpOp::Gt => "is greater than",
                CmpOp::Ge => "is at least",
            };
            out.push_str(&format!(
                "{} {verb} {}",
                label(kb, *fact),
                value(kb, *fact, v)
            ));
        }
        Condition::In { fact, values } => {
            out.push_str(&format!(
                "{} is {}",
                label(kb, *fact),
                list(kb, *fact, values)
            ));
        }
        Condition::Contains { fact, needle } => {
            out.push_str(&format!("{} contains \"{needle}\"", label(kb, *fact)));
        }
        Condition::Matches { fact, pattern } => {
            out.push_str(&format!(
                "{} matches the pattern \"{pattern}\"",
                label(kb, *fact)
            ));
        }
        Condition::Known { fact } => {
            out.push_str(&format!("{} is known", label(kb, *fact)));
        }
    }
}
