//! Conditions in words, for the environment table and the evidence lists:
//! fact labels and enumeration value labels instead of identifiers
//! ("the client's operating system is Windows 7").
//!
//! The wording is the runtime's, the one a diagnosis shows
//! ([`kbc_runtime::words`]); [`Guide`] lists all that a guide says
//! differently.

use super::text::int_text;
use kbc_runtime::model::{Condition, Fact, KnowledgeBase};
use kbc_runtime::words::{self, Phrasing};

/// The condition as a phrase (not capitalised, no final period).
pub fn condition(kb: &KnowledgeBase, c: &Condition) -> String {
    words::condition(kb, c, &Guide)
}

/// How a guide words a condition where a diagnosis words it otherwise.
struct Guide;

impl Phrasing for Guide {
    /// `yes` and `no`, as a reader answers.
    fn bool_value(&self, b: bool) -> &str {
        if b {
            "yes"
        } else {
            "no"
        }
    }

    /// Codes in hex (`0x904`), as the error messages print them.
    fn int_value(&self, fact: &Fact, i: i64) -> String {
        int_text(&fact.id, i)
    }

    /// Typographic quotes.
    fn quote(&self, text: &str) -> String {
        format!("\u{201c}{text}\u{201d}")
    }

    /// Labels phrased as a question ("when the connection fails") read
    /// better as "label: value" than "label is value".
    fn is(&self, label: &str) -> &str {
        let question = ["when ", "where ", "which ", "how ", "what "]
            .iter()
            .any(|w| label.starts_with(w));
        if question {
            ":"
        } else {
            " is"
        }
    }

    /// Labels written "whether X" read as "X" when true and "X: no" when
    /// false; other labels as "label: yes" and "label: no".
    fn bool_fact(&self, label: &str, holds: bool) -> Option<String> {
        let yes_no = self.bool_value(holds);
        Some(match label.strip_prefix("whether ") {
            Some(rest) if holds => rest.to_string(),
            Some(rest) => format!("{rest}: {yes_no}"),
            None => format!("{label}: {yes_no}"),
        })
    }

    /// `not (…)`.
    fn not(&self, phrase: &str) -> String {
        if phrase.starts_with('(') {
            format!("not {phrase}")
        } else {
            format!("not ({phrase})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kbc_runtime::model::{CmpOp, EnumValue, FactIdx, FactType, Location, Value};

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
