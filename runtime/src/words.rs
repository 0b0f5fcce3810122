//! Plain words: conditions from fact and value labels, and the sentence a
//! diagnosis shows for why a cause moved, identical in the CLI, the JSON and
//! the library (docs/SEMANTICS.md, "Plain words").
//!
//! The published guides word conditions with the same [`condition`]: a
//! [`Phrasing`] changes only how values and a few forms are said.
//!
//! ```
//! use kbc_runtime::model::*;
//! use kbc_runtime::words::{condition, Phrasing};
//!
//! let fact = |id: &str, ty, label: Option<&str>| Fact {
//!     id: id.into(),
//!     ty,
//!     question: None,
//!     label: label.map(Into::into),
//!     loc: Location::default(),
//! };
//! let kb = KnowledgeBase {
//!     facts: vec![
//!         fact("error_code", FactType::Int, None),
//!         fact("via_vpn", FactType::Bool, Some("the connection runs over a VPN")),
//!     ],
//!     ..KnowledgeBase::default()
//! };
//! let c = Condition::And(vec![
//!     Condition::Compare { fact: FactIdx(0), op: CmpOp::Ge, value: Value::Int(2308) },
//!     Condition::Compare { fact: FactIdx(1), op: CmpOp::Eq, value: Value::Bool(false) },
//! ]);
//!
//! // The diagnosis's words are the defaults.
//! struct Diagnosis;
//! impl Phrasing for Diagnosis {}
//! assert_eq!(
//!     condition(&kb, &c, &Diagnosis),
//!     "error code is at least 2308 and the connection runs over a VPN is false"
//! );
//!
//! // Another phrasing says only what it says differently.
//! struct YesNo;
//! impl Phrasing for YesNo {
//!     fn bool_value(&self, b: bool) -> &str {
//!         if b { "yes" } else { "no" }
//!     }
//!     fn is(&self, _label: &str) -> &str {
//!         ":"
//!     }
//! }
//! assert_eq!(
//!     condition(&kb, &c, &YesNo),
//!     "error code is at least 2308 and the connection runs over a VPN: no"
//! );
//! ```

use crate::model::{
    CmpOp, Condition, Evidence, Fact, FactIdx, FactType, KnowledgeBase, Strength, Value,
};

/// How [`condition`] says values and a few forms. Every method's default is
/// the wording of a diagnosis; an implementation overrides what it says
/// differently.
pub trait Phrasing {
    /// A bool value: `true` or `false`.
    fn bool_value(&self, b: bool) -> &str {
        if b {
            "true"
        } else {
            "false"
        }
    }

    /// An int value of `fact`: in decimal.
    fn int_value(&self, _fact: &Fact, i: i64) -> String {
        i.to_string()
    }

    /// Text from the rules (a string value, a `contains` needle, a pattern),
    /// quoted: `"text"`.
    fn quote(&self, text: &str) -> String {
        format!("\"{text}\"")
    }

    /// What joins a fact's label to the value it equals or the values it is
    /// one of: `" is"` (`error code is 2308`).
    fn is(&self, _label: &str) -> &str {
        " is"
    }

    /// A bool fact compared with a bool, when said in a form of its own:
    /// `holds` tells whether the condition asks for the fact to be true.
    /// `None` (the default) says it as any other comparison
    /// (`… is true`, `… is not false`).
    fn bool_fact(&self, _label: &str, _holds: bool) -> Option<String> {
        None
    }

    /// A condition with no negative form of its own, negated: `it is not the
    /// case that …`. `phrase` is that condition in words, in parentheses if
    /// it joins several.
    fn not(&self, phrase: &str) -> String {
        format!("it is not the case that {phrase}")
    }
}

/// A diagnosis's words: every default.
struct Plain;

impl Phrasing for Plain {}

/// The sentence for one piece of evidence of the cause titled `title`.
pub(crate) fn evidence_text(kb: &KnowledgeBase, ev: &Evidence, title: &str) -> String {
    let reason = match &ev.because {
        Some(b) => b.trim().trim_end_matches('.').to_string(),
        None => condition(kb, &ev.condition, &Plain),
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

/// A condition in words (not capitalised, no final period), from fact labels
/// and enum value labels: `==` "is", `!=` "is not", `<` "is less than", `<=`
/// "is at most", `>` "is greater than", `>=` "is at least", `in` "is A, B or
/// C", `contains`, `matches the pattern`, `is known` / `is unknown`; `and`
/// and `or` join parts, nested groups in parentheses. `how` says the values
/// and the forms [`Phrasing`] names.
pub fn condition(kb: &KnowledgeBase, c: &Condition, how: &dyn Phrasing) -> String {
    let mut out = String::new();
    Words { kb, how }.write(c, false, &mut out);
    out
}

struct Words<'a> {
    kb: &'a KnowledgeBase,
    how: &'a dyn Phrasing,
}

impl Words<'_> {
    fn fact(&self, f: FactIdx) -> Option<&Fact> {
        self.kb.facts.get(f.index())
    }

    fn label(&self, f: FactIdx) -> String {
        self.fact(f)
            .map(Fact::display_label)
            .unwrap_or_else(|| "an unknown fact".to_string())
    }

    /// A value of fact `f`: enum value labels; the rest as `how` says them.
    fn value(&self, f: FactIdx, v: &Value) -> String {
        let fact = self.fact(f);
        match v {
            Value::Bool(b) => self.how.bool_value(*b).to_string(),
            Value::Int(i) => match fact {
                Some(fact) => self.how.int_value(fact, *i),
                None => i.to_string(),
            },
            Value::Str(s) => self.how.quote(s),
            Value::Enum(i) => match fact.map(|f| &f.ty) {
                Some(FactType::Enum(vals)) => vals
                    .get(*i as usize)
                    .map(|e| e.display_label().to_string())
                    .unwrap_or_else(|| i.to_string()),
                _ => i.to_string(),
            },
        }
    }

    fn list(&self, f: FactIdx, vs: &[Value]) -> String {
        let words: Vec<String> = vs.iter().map(|v| self.value(f, v)).collect();
        match words.split_last() {
            None => "nothing".to_string(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }

    /// Bool fact `f` compared with `v` (`equal`: `==`, else `!=`), if `v` is
    /// a bool and `how` has a form of its own for it.
    fn bool_fact(&self, f: FactIdx, v: &Value, equal: bool) -> Option<String> {
        let Value::Bool(b) = v else {
            return None;
        };
        if !matches!(self.fact(f).map(|f| &f.ty), Some(FactType::Bool)) {
            return None;
        }
        self.how.bool_fact(&self.label(f), *b == equal)
    }

    fn write(&self, c: &Condition, nested: bool, out: &mut String) {
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
                    self.write(sub, true, out);
                }
                if paren {
                    out.push(')');
                }
            }
            Condition::Not(inner) => match inner.as_ref() {
                Condition::Compare {
                    fact: f,
                    op: CmpOp::Eq,
                    value: v,
                } => match self.bool_fact(*f, v, false) {
                    Some(words) => out.push_str(&words),
                    None => {
                        out.push_str(&format!("{} is not {}", self.label(*f), self.value(*f, v)))
                    }
                },
                Condition::In { fact: f, values } => out.push_str(&format!(
                    "{} is not {}",
                    self.label(*f),
                    self.list(*f, values)
                )),
                Condition::Contains { fact: f, needle } => out.push_str(&format!(
                    "{} does not contain {}",
                    self.label(*f),
                    self.how.quote(needle)
                )),
                Condition::Matches { fact: f, pattern } => out.push_str(&format!(
                    "{} does not match the pattern {}",
                    self.label(*f),
                    self.how.quote(pattern)
                )),
                Condition::Known { fact: f } => {
                    out.push_str(&format!("{} is unknown", self.label(*f)))
                }
                other => {
                    let mut phrase = String::new();
                    self.write(other, true, &mut phrase);
                    out.push_str(&self.how.not(&phrase));
                }
            },
            Condition::Compare {
                fact: f,
                op,
                value: v,
            } => {
                if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    if let Some(words) = self.bool_fact(*f, v, *op == CmpOp::Eq) {
                        out.push_str(&words);
                        return;
                    }
                }
                let l = self.label(*f);
                let verb = match op {
                    CmpOp::Eq => self.how.is(&l),
                    CmpOp::Ne => " is not",
                    CmpOp::Lt => " is less than",
                    CmpOp::Le => " is at most",
                    CmpOp::Gt => " is greater than",
                    CmpOp::Ge => " is at least",
                };
                out.push_str(&format!("{l}{verb} {}", self.value(*f, v)));
            }
            Condition::In { fact: f, values } => {
                let l = self.label(*f);
                out.push_str(&format!("{l}{} {}", self.how.is(&l), self.list(*f, values)));
            }
            Condition::Contains { fact: f, needle } => out.push_str(&format!(
                "{} contains {}",
                self.label(*f),
                self.how.quote(needle)
            )),
            Condition::Matches { fact: f, pattern } => out.push_str(&format!(
                "{} matches the pattern {}",
                self.label(*f),
                self.how.quote(pattern)
            )),
            Condition::Known { fact: f } => out.push_str(&format!("{} is known", self.label(*f))),
        }
    }
}
