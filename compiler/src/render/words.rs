//! Conditions in words, for the environment table and the evidence lists:
//! fact labels and enumeration value labels instead of identifiers
//! ("the client's operating system is Windows 7").

use super::text::int_text;
use kbc_runtime::model::{CmpOp, Condition, Fact, FactIdx, FactType, KnowledgeBase, Value};

/// The condition as a phrase (not capitalised, no final period).
pub fn condition(kb: &KnowledgeBase, c: &Condition) -> String {
    let mut out = String::new();
    write(kb, c, false, &mut out);
    out
}

fn fact(kb: &KnowledgeBase, f: FactIdx) -> Option<&Fact> {
    kb.facts.get(f.index())
}

fn label(kb: &KnowledgeBase, f: FactIdx) -> String {
    fact(kb, f)
        .map(Fact::display_label)
        .unwrap_or_else(|| "an unknown fact".to_string())
}

/// A value in words: enum labels, yes/no, hex codes, quoted strings.
fn value(kb: &KnowledgeBase, f: FactIdx, v: &Value) -> String {
    let fact = fact(kb, f);
    match v {
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Int(i) => int_text(fact.map(|f| f.id.as_str()).unwrap_or(""), *i),
        Value::Str(s) => format!("\u{201c}{s}\u{201d}"),
        Value::Enum(i) => match fact.map(|f| &f.ty) {
            Some(FactType::Enum(vals)) => vals
                .get(*i as usize)
                .map(|e| e.display_label().to_string())
                .unwrap_or_else(|| i.to_string()),
            _ => i.to_string(),
        },
    }
}

fn list(kb: &KnowledgeBase, f: FactIdx, vs: &[Value]) -> String {
    let words: Vec<String> = vs.iter().map(|v| value(kb, f, v)).collect();
    match words.split_last() {
        None => "nothing".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A bool fact being true or false. Labels written "whether X" read as "X"
/// when true and "X: no" when false.
fn boolean(kb: &KnowledgeBase, f: FactIdx, yes: bool) -> String {
    let l = label(kb, f);
    match (l.strip_prefix("whether "), yes) {
        (Some(rest), true) => rest.to_string(),
        (Some(rest), false) => format!("{rest}: no"),
        (None, true) => format!("{l}: yes"),
        (None, false) => format!("{l}: no"),
    }
}

/// Labels phrased as a question ("when the connection fails") read better
/// as "label: value" than "label is value".
fn is_question_label(l: &str) -> bool {
    ["when ", "where ", "which ", "how ", "what "]
        .iter()
        .any(|w| l.starts_with(w))
}

fn is_bool(kb: &KnowledgeBase, f: FactIdx) -> bool {
    matches!(fact(kb, f).map(|f| &f.ty), Some(FactType::Bool))
}

fn write(kb: &KnowledgeBase, c: &Condition, nested: bool, out: &mut String) {
    match c {
        Condition::True => out.push_str("always"),
        Condition::And(cs) | Condition::Or(cs) => {
            let and = matches!(c, Condition::And(_));
            if cs.is_empty() {
                out.push_str(if and { "always" } else { "never" });
                return;
            }
            let paren = nested && cs.len() > 1;
            if paren {
                out.push('(');
            }
            for (i, sub) in cs.iter().enumerate() {
                if i > 0 {
                    out.push_str(if and { " and " } else { " or " });
                }
                write(kb, sub, true, out);
            }
            if paren {
                out.push(')');
            }
        }
        Condition::Not(inner) => match inner.as_ref() {
            Condition::Compare {
                fact: f,
                op: CmpOp::Eq,
                value: Value::Bool(b),
            } if is_bool(kb, *f) => out.push_str(&boolean(kb, *f, !b)),
            Condition::Compare {
                fact: f,
                op: CmpOp::Eq,
                value: v,
            } => out.push_str(&format!("{} is not {}", label(kb, *f), value(kb, *f, v))),
            Condition::In { fact: f, values } => out.push_str(&format!(
                "{} is not {}",
                label(kb, *f),
                list(kb, *f, values)
            )),
            Condition::Contains { fact: f, needle } => out.push_str(&format!(
                "{} does not contain \u{201c}{needle}\u{201d}",
                label(kb, *f)
            )),
            Condition::Matches { fact: f, pattern } => out.push_str(&format!(
                "{} does not match the pattern \u{201c}{pattern}\u{201d}",
                label(kb, *f)
            )),
            Condition::Known { fact: f } => out.push_str(&format!("{} is unknown", label(kb, *f))),
            other => {
                out.push_str("not ");
                let mut inner = String::new();
                write(kb, other, true, &mut inner);
                if !inner.starts_with('(') {
                    inner = format!("({inner})");
                }
                out.push_str(&inner);
            }
        },
        Condition::Compare {
            fact: f,
            op,
            value: v,
        } => {
            if let (Value::Bool(b), CmpOp::Eq | CmpOp::Ne) = (v, op) {
                if is_bool(kb, *f) {
                    out.push_str(&boolean(kb, *f, *b == (*op == CmpOp::Eq)));
                    return;
                }
            }
            let l = label(kb, *f);
            if *op == CmpOp::Eq && is_question_label(&l) {
                // "when the connection fails: only some of the time"
                out.push_str(&format!("{l}: {}", value(kb, *f, v)));
                return;
            }
            let verb = match op {
                CmpOp::Eq => "is",
                CmpOp::Ne => "is not",
                CmpOp::Lt => "is less than",
                CmpOp::Le => "is at most",
                CmpOp::Gt => "is greater than",
                CmpOp::Ge => "is at least",
            };
            out.push_str(&format!("{l} {verb} {}", value(kb, *f, v)));
        }
        Condition::In { fact: f, values } => {
            let l = label(kb, *f);
            let sep = if is_question_label(&l) { ":" } else { " is" };
            out.push_str(&format!("{l}{sep} {}", list(kb, *f, values)))
        }
        Condition::Contains { fact: f, needle } => out.push_str(&format!(
            "{} contains \u{201c}{needle}\u{201d}",
            label(kb, *f)
        )),
        Condition::Matches { fact: f, pattern } => out.push_str(&format!(
            "{} matches the pattern \u{201c}{pattern}\u{201d}",
            label(kb, *f)
        )),
        Condition::Known { fact: f } => out.push_str(&format!("{} is known", label(kb, *f))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kbc_runtime::model::{EnumValue, Location};

    fn kb() -> KnowledgeBase {
        KnowledgeBase {
            facts: vec![
                Fact {
                    id: "client_os".into(),
                    ty: FactType::Enum(vec![
                        EnumValue {
                            id: "windows7".into(),
                            label: Some("Windows 7".into()),
                        },
                        EnumValue {
                            id: "macos".into(),
                            label: Some("macOS".into()),
                        },
                    ]),
                    question: None,
                    label: Some("the client's operating system".into()),
                    loc: Location::default(),
                },
                Fact {
                    id: "via_vpn".into(),
                    ty: FactType::Bool,
                    question: None,
                    label: Some("whether the connection runs over a VPN".into()),
                    loc: Location::default(),
                },
                Fact {
                    id: "error_code".into(),
                    ty: FactType::Int,
                    question: None,
                    label: None,
                    loc: Location::default(),
                },
            ],
            ..KnowledgeBase::default()
        }
    }

    #[test]
    fn words_use_labels() {
        let kb = kb();
        let c = Condition::And(vec![
            Condition::Compare {
                fact: FactIdx(0),
                op: CmpOp::Eq,
                value: Value::Enum(0),
            },
            Condition::Not(Box::new(Condition::Compare {
                fact: FactIdx(1),
                op: CmpOp::Eq,
                value: Value::Bool(true),
            })),
            Condition::Compare {
                fact: FactIdx(2),
                op: CmpOp::Eq,
                value: Value::Int(0x904),
            },
        ]);
        assert_eq!(
            condition(&kb, &c),
            "the client's operating system is Windows 7 and the connection runs over a VPN: no and error code is 0x904"
        );
    }
}
