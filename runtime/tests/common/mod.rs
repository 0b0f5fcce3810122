//! A small hand-made knowledge base using every kind of condition and step.
#![allow(dead_code)]

use kbc_runtime::model::*;

fn loc(line: u32) -> Location {
    Location {
        file: "rules/rdp.kb".into(),
        line,
        column: 3,
    }
}

pub fn sample_kb() -> KnowledgeBase {
    let enm = |ids: &[(&str, Option<&str>)]| {
        FactType::Enum(
            ids.iter()
                .map(|(i, l)| EnumValue {
                    id: i.to_string(),
                    label: l.map(str::to_string),
                })
                .collect(),
        )
    };
    let fact = |id: &str, ty: FactType, label: Option<&str>, line| Fact {
        id: id.into(),
        ty,
        question: Some(format!("What is the {}?", id.replace('_', " "))),
        label: label.map(str::to_string),
        loc: loc(line),
    };
    let f = |i: u32| FactIdx(i);
    KnowledgeBase {
        meta: Meta {
            title: "Golden".into(),
            product: "Remote Desktop".into(),
            version: "1.0.0".into(),
            base_url: Some("https://support.example.com/".into()),
            language: "en".into(),
        },
        facts: vec![
            fact("error_code", FactType::Int, None, 1),
            fact("extended_code", FactType::Int, None, 2),
            fact(
                "client_os",
                enm(&[("windows10", Some("Windows 10")), ("windows11", Some("Windows 11")), ("macos", None)]),
                Some("the client's operating system"),
                3,
            ),
            fact("domain_joined", FactType::Bool, Some("the client is domain-joined"), 4),
            fact("host_name", FactType::Str, None, 5),
            fact("message", FactType::Text, None, 6),
        ],
        symptoms: vec![Symptom {
            id: "rdp_0x904_0x7".into(),
            title: "Remote Desktop error 0x904, extended error 0x7".into(),
            condition: Condition::And(vec![
                Condition::Compare {
                    fact: f(0),
                    op: CmpOp::Eq,
                    value: Value::Int(0x904),
                },
                Condition::Compare {
                    fact: f(1),
                    op: CmpOp::Eq,
                    value: Value::Int(0x7),
                },
            ]),
            description: Some("The connection was refused.".into()),
            loc: loc(10),
        }],
        causes: vec![
            Cause {
                id: "credssp_mismatch".into(),
                title: "CredSSP encryption oracle mismatch".into(),
                produces: vec![SymptomIdx(0)],
                prior: Prior::Common,
                description: Some("Client and host disagree.".into()),
                evidence: vec![
                    Evidence {
                        strength: Strength::Strong,
                        condition: Condition::And(vec![
                            Condition::Compare {
                                fact: f(3),
                                op: CmpOp::Eq,
                                value: Value::Bool(true),
                            },
                            Condition::In {
                                fact: f(2),
                                values: vec![Value::Enum(0), Value::Enum(1)],
                            },
                        ]),
                        because: Some("your client is domain-joined and runs Windows".into()),
                        loc: loc(20),
                    },
                    Evidence {
                        strength: Strength::Moderate,
                        condition: Condition::Contains {
                            fact: f(5),
                            needle: "CredSSP".into(),
                        },
                        because: None,
                        loc: loc(21),
                    },
                    Evidence {
                        strength: Strength::AgainstWeak,
                        condition: Condition::Matches {
                            fact: f(5),
                            pattern: "0x[0-9a-f]+".into(),
                        },
                        because: None,
                        loc: loc(22),
                    },
                    Evidence {
                        strength: Strength::RulesOut,
                        condition: Condition::Not(Box::new(Condition::Or(vec![
                            Condition::Known { fact: f(4) },
                            Condition::Compare {
                                fact: f(0),
                                op: CmpOp::Gt,
                                value: Value::Int(-1),
                            },
                        ]))),
                        because: None,
                        loc: loc(23),
                    },
                ],
                sources: vec![SourceIdx(0)],
                loc: loc(19),
            },
            Cause {
                id: "network".into(),
                title: "an unstable network".into(),
                produces: vec![SymptomIdx(0)],
                prior: Prior::VeryCommon,
                description: None,
                evidence: vec![Evidence {
                    strength: Strength::AgainstStrong,
                    condition: Condition::Compare {
                        fact: f(4),
                        op: CmpOp::Ne,
                        value: Value::Str("gateway".into()),
                    },
                    because: Some("the host is reached directly".into()),
                    loc: loc(31),
                }],
                sources: vec![],
                loc: loc(30),
            },
        ],
        fixes: vec![Fix {
            id: "oracle_workaround".into(),
            title: "Temporarily allow vulnerable CredSSP connections".into(),
            resolves: vec![CauseIdx(0)],
            effort: Level::Low,
            risk: Level::High,
            rights: Rights::Admin,
            description: None,
            steps: vec![
                Step::Warning {
                    text: "Back up the registry first.".into(),
                },
                Step::Prose { text: "Open an elevated prompt.".into() },
                Step::Command {
                    shell: Shell::Cmd,
                    code: "netstat -an | find \"3389\"".into(),
                },
                Step::Registry {
                    path: r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters".into(),
                    name: "AllowEncryptionOracle".into(),
                    data: RegistryData::Dword(2),
                },
                Step::Registry {
                    path: r"HKLM\X".into(),
                    name: "Multi".into(),
                    data: RegistryData::MultiSz(vec!["a".into(), "b".into()]),
                },
                Step::Policy {
                    path: vec!["Computer Configuration".into(), "Administrative Templates".into()],
                    setting: Some("Encryption Oracle Remediation".into()),
                    value: Some("Enabled: Vulnerable".into()),
                },
                Step::Ui {
                    path: vec!["certlm.msc".into(), "Remote Desktop".into()],
                },
                Step::Reboot { what: None },
                Step::Link {
                    url: "https://learn.microsoft.com/".into(),
                    title: "Troubleshooting".into(),
                },
            ],
            sources: vec![SourceIdx(0)],
            loc: loc(40),
        }],
        sources: vec![Source {
            id: "ms_credssp".into(),
            title: "CredSSP updates for CVE-2018-0886".into(),
            url: Some("https://support.microsoft.com/help/4093492".into()),
            publisher: Some("Microsoft".into()),
            note: None,
            loc: loc(50),
        }],
        guides: vec![Guide {
            id: "rdp_guide".into(),
            title: "Fixing error 0x904".into(),
            symptom: SymptomIdx(0),
            intro: Some("Intro.".into()),
            meaning: None,
            start_here: None,
            summary: None,
            sections: Section::ALL.to_vec(),
            related: vec![],
            loc: loc(60),
        }],
        examples: vec![Example {
            id: "domain_joined_windows".into(),
            title: "Domain-joined Windows client".into(),
            given: vec![
                (f(0), Value::Int(0x904)),
                (f(1), Value::Int(7)),
                (f(3), Value::Bool(true)),
                (f(2), Value::Enum(1)),
                (f(5), Value::Str("CredSSP error".into())),
            ],
            expect: vec![
                Expectation::Top(CauseIdx(0)),
                Expectation::Order(vec![CauseIdx(0), CauseIdx(1)]),
                Expectation::FirstFix(FixIdx(0)),
                Expectation::Question(Some(f(4))),
            ],
            loc: loc(70),
        }],
    }
}
