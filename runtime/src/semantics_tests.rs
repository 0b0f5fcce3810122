//! One test per rule of docs/SEMANTICS.md, each named after its rule. Every
//! test runs both engines (`both`) and checks that they agree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::model::*;
use crate::testkit::*;
use crate::{ObservationError, SymptomStatus};

/// error_code (int), client_os (enum), domain_joined (bool), message (text).
fn rdp() -> Kb {
    Kb::default()
        .fact("error_code", FactType::Int)
        .fact(
            "client_os",
            enm(&["windows7", "windows10", "windows11", "macos"]),
        )
        .fact("domain_joined", FactType::Bool)
        .fact("message", FactType::Text)
}

// 1. Observations

#[test]
fn typed_values_hex_and_decimal_are_one_int() {
    let m = rdp()
        .symptom("s", eq(0, int(0x904)))
        .cause("c", Prior::Common, &[0], vec![])
        .matcher();
    for raw in ["0x904", "2308", " 0X904 ", "+2308"] {
        let mut o = m.observation();
        o.set("error_code", raw).unwrap();
        assert_eq!(o.value(FactIdx(0)), Some(&int(2308)), "{raw}");
        assert_eq!(both(&m, &o).symptoms[0].status, SymptomStatus::Observed);
    }
    let mut o = m.observation();
    o.set("error_code", "-0x7").unwrap();
    assert_eq!(o.value(FactIdx(0)), Some(&int(-7)));
    o.set_json("error_code", &serde_json::json!(2308)).unwrap();
    assert_eq!(o.value(FactIdx(0)), Some(&int(2308)));
    o.set_json("error_code", &serde_json::json!("0x904"))
        .unwrap();
    assert_eq!(o.value(FactIdx(0)), Some(&int(2308)));
}

#[test]
fn typed_values_bool_spellings() {
    let m = rdp().matcher();
    let mut o = m.observation();
    for (raw, want) in [
        ("true", true),
        ("YES", true),
        ("1", true),
        ("false", false),
        ("no", false),
        ("0", false),
    ] {
        o.set("domain_joined", raw).unwrap();
        assert_eq!(o.value(FactIdx(2)), Some(&Value::Bool(want)));
    }
    let e = o.set("domain_joined", "maybe").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`maybe` is not a yes/no value, as `domain_joined` needs; expected one of true, false, yes, no, 1, 0"
    );
}

#[test]
fn typed_values_int_overflow_is_an_error() {
    let m = rdp().matcher();
    let mut o = m.observation();
    assert!(matches!(
        o.set("error_code", "99999999999999999999999"),
        Err(ObservationError::IntegerOverflow { .. })
    ));
    assert!(matches!(
        o.set("error_code", "0x8000000000000000"),
        Err(ObservationError::IntegerOverflow { .. })
    ));
    o.set("error_code", "-9223372036854775808").unwrap();
    assert_eq!(o.value(FactIdx(0)), Some(&int(i64::MIN)));
    assert!(matches!(
        o.set("error_code", "12abc"),
        Err(ObservationError::NotAnInteger { .. })
    ));
    assert!(matches!(
        o.set("error_code", ""),
        Err(ObservationError::NotAnInteger { .. })
    ));
    assert!(matches!(
        o.set_json("error_code", &serde_json::json!(u64::MAX)),
        Err(ObservationError::IntegerOverflow { .. })
    ));
}

#[test]
fn typed_values_unknown_fact_names_the_closest() {
    let m = rdp().matcher();
    let mut o = m.observation();
    let e = o.set("clinet_os", "windows11").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown fact `clinet_os`; did you mean `client_os`?"
    );
    let e = o.set("zzzzzzzz", "1").unwrap_err();
    assert_eq!(e.to_string(), "unknown fact `zzzzzzzz`");
}

#[test]
fn typed_values_enum_error_lists_values_and_closest() {
    let m = rdp().matcher();
    let mut o = m.observation();
    let e = o.set("client_os", "windows12").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`windows12` is not a value of `client_os`; expected one of windows7, windows10, windows11, macos; did you mean `windows11`?"
    );
}

#[test]
fn last_value_wins() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause("c", Prior::Common, &[0], vec![ev(Strength::Strong, yes(2))])
        .matcher();
    let mut o = m.observation();
    o.set("domain_joined", "true").unwrap();
    o.set("domain_joined", "false").unwrap();
    assert_eq!(both(&m, &o).causes[0].score, -5);
    o.set_json("domain_joined", &serde_json::Value::Null)
        .unwrap();
    assert!(!o.is_known(FactIdx(2)));
}

#[test]
fn text_facts_hold_segments() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, contains(3, "credssp"))],
        )
        .matcher();
    let mut o = m.observation();
    o.add_text("message", "first").unwrap();
    o.set("message", "CredSSP failed").unwrap();
    assert_eq!(o.segments(FactIdx(3)).len(), 2);
    assert_eq!(both(&m, &o).causes[0].score, 5);
    assert!(matches!(
        o.add_text("client_os", "x"),
        Err(ObservationError::NotText { .. })
    ));
}

#[test]
fn logs_keep_the_first_and_the_matching_lines() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![
                ev(Strength::Strong, contains(3, "credssp")),
                ev(
                    Strength::Weak,
                    Condition::Not(Box::new(matches(3, "^fatal"))),
                ),
            ],
        )
        .matcher();
    let mut log = String::from("boot\n");
    for i in 0..5000 {
        log.push_str(&format!("noise line {i}\n"));
    }
    log.push_str("the CredSSP check failed\nthe CredSSP check failed\r\n");
    let mut o = m.observation();
    let sum = o.scan_log("message", log.as_bytes()).unwrap();
    assert_eq!(sum.lines, 5003);
    assert_eq!(sum.kept, 2);
    assert_eq!(sum.dropped, 1);
    assert_eq!(o.segments(FactIdx(3)), ["boot", "the CredSSP check failed"]);
    // `not matches` is true: the fact is known and no line starts with `fatal`.
    assert_eq!(both(&m, &o).causes[0].score, 8);
}

#[test]
fn logs_past_the_caps_keep_lines_with_new_hits() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![
                ev(Strength::Weak, contains(3, "err")),
                ev(Strength::Strong, contains(3, "rare")),
            ],
        )
        .matcher();
    let mut log = String::new();
    for i in 0..(crate::MAX_KEPT_SEGMENTS + 500) {
        log.push_str(&format!("err {i}\n"));
    }
    log.push_str("err rare\n");
    let mut o = m.observation();
    let sum = o.scan_log("message", log.as_bytes()).unwrap();
    assert_eq!(sum.kept as usize, crate::MAX_KEPT_SEGMENTS + 1);
    assert_eq!(both(&m, &o).causes[0].score, 8);
}

#[test]
fn logs_replace_invalid_utf8_and_say_so() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, contains(3, "bad"))],
        )
        .matcher();
    let mut o = m.observation();
    let sum = o
        .scan_log("message", &b"ok\nbad \xff\xfe byte\n"[..])
        .unwrap();
    assert_eq!(sum.replaced_lines, 1);
    assert_eq!(o.segments(FactIdx(3))[1], "bad \u{fffd}\u{fffd} byte");
    assert_eq!(both(&m, &o).causes[0].score, 5);
}

#[test]
fn logs_split_long_lines() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, contains(3, "needle"))],
        )
        .matcher();
    let mut line = "é".repeat(crate::MAX_LINE_BYTES);
    line.push_str("needle\n");
    let mut o = m.observation();
    let sum = o.scan_log("message", line.as_bytes()).unwrap();
    assert_eq!(sum.split_lines, 1);
    assert_eq!(sum.replaced_lines, 0, "splits never cut a character");
    assert_eq!(both(&m, &o).causes[0].score, 5);
}

// 2. Conditions

#[test]
fn comparisons_on_an_unknown_fact_are_unknown() {
    // The symptom reads an unknown fact: it is possible, not observed nor excluded.
    for when in [
        eq(0, int(1)),
        cmp(0, CmpOp::Lt, int(1)),
        Condition::In {
            fact: FactIdx(1),
            values: vec![Value::Enum(0)],
        },
        contains(3, "x"),
        matches(3, "x"),
    ] {
        let m = rdp()
            .symptom("s", when)
            .cause("c", Prior::Common, &[0], vec![])
            .matcher();
        let d = both(&m, &m.observation());
        assert_eq!(d.symptoms[0].status, SymptomStatus::Possible);
    }
}

#[test]
fn is_known_is_never_unknown() {
    let not_known = Condition::Not(Box::new(known(0)));
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![
                ev(Strength::Strong, not_known),
                ev(Strength::Weak, known(3)),
            ],
        )
        .matcher();
    let mut o = m.observation();
    assert_eq!(both(&m, &o).causes[0].score, 5);
    o.set("error_code", "1").unwrap();
    o.add_text("message", "").unwrap();
    assert_eq!(both(&m, &o).causes[0].score, -2);
}

#[test]
fn kleene_and_or_not() {
    // and(unknown, false) = false; or(unknown, true) = true; not(unknown) = unknown.
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::VeryCommon,
            &[0],
            vec![
                ev(
                    Strength::Strong,
                    Condition::Not(Box::new(Condition::And(vec![eq(0, int(1)), yes(2)]))),
                ),
                ev(
                    Strength::Moderate,
                    Condition::Or(vec![eq(0, int(1)), yes(2)]),
                ),
                ev(Strength::Weak, Condition::Not(Box::new(eq(0, int(1))))),
                ev(
                    Strength::AgainstStrong,
                    Condition::And(vec![eq(0, int(1)), yes(2)]),
                ),
            ],
        )
        .matcher();
    let mut o = m.observation();
    o.set("domain_joined", "false").unwrap();
    // not(and(U, F)) = T: +10; or(U, F) = U; not(U) = U; and(U, F) = F.
    assert_eq!(both(&m, &o).causes[0].score, 10);
    o.set("domain_joined", "true").unwrap();
    // not(and(U, T)) = U; or(U, T) = T: +6.
    assert_eq!(both(&m, &o).causes[0].score, 6);
}

#[test]
fn ordering_applies_to_ints_only() {
    let kb = rdp().symptom("s", cmp(2, CmpOp::Lt, Value::Bool(true))).0;
    assert!(crate::Artifact::build(kb).is_err());
    let m = rdp()
        .symptom(
            "s",
            Condition::And(vec![
                cmp(0, CmpOp::Ge, int(0x900)),
                cmp(0, CmpOp::Lt, int(0x910)),
            ]),
        )
        .cause("c", Prior::Common, &[0], vec![])
        .matcher();
    let mut o = m.observation();
    o.set("error_code", "0x904").unwrap();
    assert_eq!(both(&m, &o).symptoms[0].status, SymptomStatus::Observed);
    o.set("error_code", "0x910").unwrap();
    assert!(both(&m, &o).symptoms.is_empty());
}

#[test]
fn contains_is_ascii_case_insensitive() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, contains(3, "CredSSP"))],
        )
        .cause(
            "d",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, contains(3, "ÉCHEC"))],
        )
        .matcher();
    let mut o = m.observation();
    o.add_text("message", "an error in credssp: échec").unwrap();
    let d = both(&m, &o);
    assert_eq!(ids(&d), ["c", "d"]);
    assert_eq!(d.causes[0].score, 5);
    assert_eq!(d.causes[1].score, -5, "non-ASCII letters compare exactly");
}

#[test]
fn matches_is_an_unanchored_search_per_segment() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, matches(3, "0x[0-9a-f]{3}"))],
        )
        .cause(
            "d",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, matches(3, "^one.*two$"))],
        )
        .matcher();
    let mut o = m.observation();
    o.add_text("message", "one: code 0x904").unwrap();
    o.add_text("message", "two").unwrap();
    let d = both(&m, &o);
    assert_eq!(ids(&d), ["c", "d"]);
    assert_eq!(
        (d.causes[0].score, d.causes[1].score),
        (5, -5),
        "no match across segments"
    );
}

#[test]
fn text_conditions_hold_if_any_segment_does() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, contains(3, "b"))],
        )
        .cause(
            "d",
            Prior::Common,
            &[0],
            vec![ev(
                Strength::Strong,
                Condition::Not(Box::new(contains(3, "z"))),
            )],
        )
        .matcher();
    let mut o = m.observation();
    let d = both(&m, &o);
    assert_eq!(
        (d.causes[0].score, d.causes[1].score),
        (-5, -5),
        "no segment: unknown"
    );
    o.add_text("message", "a").unwrap();
    o.add_text("message", "b").unwrap();
    let d = both(&m, &o);
    assert_eq!((d.causes[0].score, d.causes[1].score), (5, 5));
}

#[test]
fn string_facts_hold_one_value() {
    let m = rdp()
        .fact("host", FactType::Str)
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, contains(4, "prod"))],
        )
        .cause(
            "d",
            Prior::Common,
            &[0],
            vec![ev(Strength::Weak, eq(4, Value::Str("Prod-1".into())))],
        )
        .matcher();
    let mut o = m.observation();
    o.set("host", "Prod-1").unwrap();
    let d = both(&m, &o);
    assert_eq!(
        (d.causes[0].id, d.causes[0].score, d.causes[1].score),
        ("c", 5, -2)
    );
    o.set("host", "test").unwrap();
    assert_eq!(
        both(&m, &o).causes[0].score,
        -5,
        "the new value replaces the old one's hits"
    );
}

// 3. Symptoms and candidates

#[test]
fn symptom_status_observed_possible_excluded() {
    let m = rdp()
        .symptom("a", eq(0, int(1)))
        .symptom("b", Condition::And(vec![eq(0, int(1)), yes(2)]))
        .symptom("c", eq(0, int(2)))
        .cause("x", Prior::Common, &[0, 1, 2], vec![])
        .matcher();
    let mut o = m.observation();
    o.set("error_code", "1").unwrap();
    let d = both(&m, &o);
    let got: Vec<_> = d.symptoms.iter().map(|s| (s.id, s.status)).collect();
    assert_eq!(
        got,
        [("a", SymptomStatus::Observed)],
        "possible b and excluded c are not listed"
    );
    let d = both(&m, &m.observation());
    let got: Vec<_> = d.symptoms.iter().map(|s| (s.id, s.status)).collect();
    assert_eq!(
        got,
        [
            ("a", SymptomStatus::Possible),
            ("b", SymptomStatus::Possible),
            ("c", SymptomStatus::Possible)
        ]
    );
}

#[test]
fn candidates_come_from_observed_symptoms_else_possible_ones() {
    let m = rdp()
        .symptom("a", eq(0, int(1)))
        .symptom("b", Condition::And(vec![eq(0, int(1)), yes(2)]))
        .symptom("c", eq(1, Value::Enum(0)))
        .cause("pa", Prior::Common, &[0], vec![])
        .cause("pb", Prior::Common, &[1], vec![])
        .cause("pc", Prior::Common, &[2], vec![])
        .matcher();
    let mut o = m.observation();
    o.set("error_code", "1").unwrap();
    assert_eq!(ids(&both(&m, &o)), ["pa"]);
    o.set("error_code", "2").unwrap();
    // a and b are excluded; c is possible.
    assert_eq!(ids(&both(&m, &o)), ["pc"]);
    o.set("client_os", "windows10").unwrap();
    assert!(
        ids(&both(&m, &o)).is_empty(),
        "nothing observed or possible: no candidates"
    );
}

#[test]
fn a_symptom_without_when_is_always_observed() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause("c", Prior::Rare, &[0], vec![])
        .matcher();
    let d = both(&m, &m.observation());
    assert_eq!(d.symptoms[0].status, SymptomStatus::Observed);
    assert_eq!(ids(&d), ["c"]);
}

// 4. Scores

#[test]
fn score_is_prior_plus_true_evidence() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::Uncommon,
            &[0],
            vec![
                ev(Strength::Strong, yes(2)),
                ev(Strength::Moderate, yes(2)),
                ev(Strength::Weak, yes(2)),
                ev(Strength::AgainstWeak, yes(2)),
                ev(Strength::AgainstModerate, yes(2)),
                ev(Strength::AgainstStrong, eq(0, int(5))),
                ev(Strength::Strong, eq(1, Value::Enum(0))),
            ],
        )
        .matcher();
    let mut o = m.observation();
    o.set("domain_joined", "yes").unwrap();
    o.set("error_code", "4").unwrap();
    // −10 + 10 + 6 + 3 − 3 − 6; false and unknown evidence add nothing.
    let d = both(&m, &o);
    assert_eq!(d.causes[0].score, 0);
    assert_eq!(d.causes[0].evidence.len(), 5);
}

#[test]
fn rules_out_leaves_the_ranking_with_its_evidence_and_facts() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "c",
            Prior::VeryCommon,
            &[0],
            vec![
                ev(Strength::Strong, yes(2)),
                ev(
                    Strength::RulesOut,
                    Condition::And(vec![yes(2), eq(1, Value::Enum(3))]),
                ),
            ],
        )
        .cause("d", Prior::Rare, &[0], vec![])
        .matcher();
    let mut o = m.observation();
    o.set("domain_joined", "yes").unwrap();
    assert_eq!(
        ids(&both(&m, &o)),
        ["c", "d"],
        "unknown rules_out does nothing"
    );
    o.set("client_os", "macos").unwrap();
    let d = both(&m, &o);
    assert_eq!(ids(&d), ["d"]);
    assert_eq!(d.ruled_out.len(), 1);
    let r = &d.ruled_out[0];
    assert_eq!(r.id, "c");
    assert_eq!(r.evidence.len(), 1);
    assert_eq!(r.evidence[0].strength, "rules_out");
    assert_eq!(r.evidence[0].decibans, None);
    assert_eq!(r.evidence[0].facts, ["domain_joined", "client_os"]);
    assert_eq!(
        r.evidence[0].text,
        "Domain joined is true and client os is macos, which rules out cause c"
    );
}

#[test]
fn probability_and_share() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "a",
            Prior::VeryCommon,
            &[0],
            vec![ev(Strength::Strong, Condition::True)],
        )
        .cause("b", Prior::VeryCommon, &[0], vec![])
        .matcher();
    let d = both(&m, &m.observation());
    let (a, b) = (&d.causes[0], &d.causes[1]);
    assert!((a.probability - 10.0 / 11.0).abs() < 1e-12);
    assert!((b.probability - 0.5).abs() < 1e-12);
    assert!((a.share - 10.0 / 11.0).abs() < 1e-12);
    assert!((b.share - 1.0 / 11.0).abs() < 1e-12);
}

// 5. Ranking

#[test]
fn ranking_by_score_then_prior_then_id() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "zeta",
            Prior::Common,
            &[0],
            vec![ev(Strength::Weak, Condition::True)],
        ) // −2
        .cause(
            "beta",
            Prior::Rare,
            &[0],
            vec![
                ev(Strength::Strong, Condition::True),
                ev(Strength::Weak, Condition::True),
            ],
        ) // −2
        .cause(
            "alpha",
            Prior::Common,
            &[0],
            vec![ev(Strength::Weak, Condition::True)],
        ) // −2
        .cause(
            "top",
            Prior::Rare,
            &[0],
            vec![
                ev(Strength::Strong, Condition::True),
                ev(Strength::Strong, Condition::True),
            ],
        ) // 5
        .matcher();
    assert_eq!(
        ids(&both(&m, &m.observation())),
        ["top", "alpha", "zeta", "beta"]
    );
}

// 6. Fixes

#[test]
fn fixes_follow_rank_then_effort_risk_rights_id_and_appear_once() {
    use Level::*;
    let m = rdp()
        .symptom("s", Condition::True)
        .cause("first", Prior::VeryCommon, &[0], vec![])
        .cause("second", Prior::Common, &[0], vec![])
        .cause("other", Prior::Common, &[], vec![])
        .fix("risky", &[0], Low, High, Rights::User)
        .fix("safe", &[0], Low, Low, Rights::Admin)
        .fix("safe_user", &[0], Low, Low, Rights::User)
        .fix("shared", &[1, 0], Medium, Low, Rights::User)
        .fix("own", &[1], Low, Low, Rights::User)
        .fix("unranked", &[2], Low, Low, Rights::User)
        .matcher();
    let d = both(&m, &m.observation());
    let got: Vec<(&str, &str, Vec<&str>)> = d
        .fixes
        .iter()
        .map(|f| (f.id, f.cause, f.causes.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("safe_user", "first", vec!["first"]),
            ("safe", "first", vec!["first"]),
            ("risky", "first", vec!["first"]),
            ("shared", "first", vec!["first", "second"]),
            ("own", "second", vec!["second"]),
        ]
    );
}

// 7. Next question

#[test]
fn next_question_picks_the_largest_gain() {
    // `a` separates the two causes; `b` moves both alike.
    let m = rdp()
        .fact("a", FactType::Bool)
        .fact("b", FactType::Bool)
        .symptom("s", Condition::True)
        .cause(
            "x",
            Prior::Common,
            &[0],
            vec![
                ev(Strength::Strong, yes(5)),
                ev(Strength::AgainstStrong, eq(4, Value::Bool(false))),
            ],
        )
        .cause("y", Prior::Common, &[0], vec![ev(Strength::Strong, yes(5))])
        .matcher();
    let q = m.next_question(&m.observation()).unwrap();
    assert_eq!(
        (q.fact.as_str(), q.answers.clone()),
        ("a", vec!["true".into(), "false".into()])
    );
    assert_eq!(q.text, "What is a?");
    both(&m, &m.observation());
}

#[test]
fn next_question_ties_go_to_the_earlier_declared_fact() {
    let m = rdp()
        .fact("a", FactType::Bool)
        .fact("b", FactType::Bool)
        .symptom("s", Condition::True)
        .cause(
            "x",
            Prior::Common,
            &[0],
            vec![
                ev(Strength::RulesOut, yes(5)),
                ev(Strength::RulesOut, yes(4)),
            ],
        )
        .cause("y", Prior::Common, &[0], vec![])
        .matcher();
    assert_eq!(m.next_question(&m.observation()).unwrap().fact, "a");
    both(&m, &m.observation());
}

#[test]
fn next_question_skips_text_known_and_unasked_facts() {
    let m = rdp()
        .silent_fact("quiet", FactType::Bool)
        .symptom("s", Condition::True)
        .cause(
            "x",
            Prior::Common,
            &[0],
            vec![
                ev(Strength::RulesOut, yes(4)),
                ev(Strength::RulesOut, contains(3, "x")),
                ev(Strength::RulesOut, yes(2)),
            ],
        )
        .cause("y", Prior::Common, &[0], vec![])
        .matcher();
    let mut o = m.observation();
    assert_eq!(m.next_question(&o).unwrap().fact, "domain_joined");
    o.set("domain_joined", "no").unwrap();
    assert_eq!(m.next_question(&o), None);
    both(&m, &o);
}

#[test]
fn next_question_int_answers_are_the_constants() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "x",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, cmp(0, CmpOp::Ge, int(10)))],
        )
        .cause(
            "y",
            Prior::Common,
            &[0],
            vec![ev(Strength::Strong, eq(0, int(3)))],
        )
        .matcher();
    let q = m.next_question(&m.observation()).unwrap();
    assert_eq!(q.answers, ["3", "10"]);
    assert_eq!(
        crate::diagnosis::answers(&FactType::Int, &[(int(3), false), (int(10), true)]).0,
        [int(3), int(9), int(10), int(11), int(12)]
    );
    both(&m, &m.observation());
}

#[test]
fn next_question_when_nothing_is_observed_reads_possible_symptoms() {
    let m = rdp()
        .symptom("a", eq(0, int(1)))
        .symptom("b", eq(0, int(2)))
        .cause("x", Prior::Common, &[0], vec![])
        .cause("y", Prior::Common, &[1], vec![])
        .matcher();
    let q = m.next_question(&m.observation()).unwrap();
    assert_eq!(
        (q.fact.as_str(), q.answers.clone()),
        ("error_code", vec!["1".to_string(), "2".into()])
    );
    both(&m, &m.observation());
}

#[test]
fn no_question_when_no_answer_gains() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause("x", Prior::Common, &[0], vec![ev(Strength::Strong, yes(2))])
        .matcher();
    assert_eq!(
        m.next_question(&m.observation()),
        None,
        "one cause: entropy is 0 whatever the answer"
    );
    assert!(both(&m, &m.observation()).next_question.is_none());
}

// 8. Conclusive

#[test]
fn conclusive_when_one_cause_or_a_share_of_at_least_0_8() {
    let one = rdp()
        .symptom("s", Condition::True)
        .cause("x", Prior::Rare, &[0], vec![])
        .matcher();
    assert!(both(&one, &one.observation()).conclusive);
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "x",
            Prior::VeryCommon,
            &[0],
            vec![ev(Strength::Moderate, yes(2))],
        )
        .cause("y", Prior::VeryCommon, &[0], vec![])
        .matcher();
    let mut o = m.observation();
    assert!(!both(&m, &o).conclusive);
    o.set("domain_joined", "yes").unwrap();
    // +6 dB: share 10^0.6 / (1 + 10^0.6) = 0.799 < 0.8.
    assert!(!both(&m, &o).conclusive);
    let m = rdp()
        .symptom("s", Condition::True)
        .cause(
            "x",
            Prior::VeryCommon,
            &[0],
            vec![ev(Strength::Strong, yes(2))],
        )
        .cause("y", Prior::VeryCommon, &[0], vec![])
        .matcher();
    let mut o = m.observation();
    o.set("domain_joined", "yes").unwrap();
    assert!(both(&m, &o).conclusive);
}

// 9. Plain words

#[test]
fn plain_words_use_because_when_given() {
    let mut e = ev(Strength::Strong, yes(2));
    e.because = Some("your client is domain-joined.".into());
    let mut against = ev(Strength::AgainstWeak, yes(2));
    against.because = Some("it is joined".into());
    let m = rdp()
        .symptom("s", Condition::True)
        .cause("x", Prior::Common, &[0], vec![e, against])
        .matcher();
    let mut o = m.observation();
    o.set("domain_joined", "yes").unwrap();
    let d = both(&m, &o);
    let texts: Vec<&str> = d.causes[0]
        .evidence
        .iter()
        .map(|e| e.text.as_ref())
        .collect();
    assert_eq!(
        texts,
        [
            "Your client is domain-joined, which makes cause x more likely",
            "It is joined, which makes cause x less likely"
        ]
    );
    assert_eq!(d.causes[0].evidence[0].location.line, 9);
    assert_eq!(d.causes[0].evidence[0].decibans, Some(10));
}

#[test]
fn plain_words_from_labels_without_because() {
    let mut kb = rdp();
    kb.0.facts[1].label = Some("the client's operating system".into());
    if let FactType::Enum(vs) = &mut kb.0.facts[1].ty {
        vs[2].label = Some("Windows 11".into());
    }
    let cond = Condition::And(vec![
        eq(1, Value::Enum(2)),
        Condition::Or(vec![
            cmp(0, CmpOp::Ge, int(2308)),
            Condition::Not(Box::new(known(3))),
        ]),
    ]);
    let m = kb
        .symptom("s", Condition::True)
        .cause("x", Prior::Common, &[0], vec![ev(Strength::Moderate, cond)])
        .matcher();
    let mut o = m.observation();
    o.set("client_os", "windows11").unwrap();
    o.set("error_code", "0x904").unwrap();
    let d = both(&m, &o);
    assert_eq!(
        d.causes[0].evidence[0].text,
        "The client's operating system is Windows 11 and (error code is at least 2308 or message is unknown), which makes cause x more likely"
    );
}

// 10. JSON

#[test]
fn the_diagnosis_json_has_the_documented_shape() {
    let m = rdp()
        .symptom("s", Condition::True)
        .cause("x", Prior::Common, &[0], vec![ev(Strength::Strong, yes(2))])
        .cause(
            "y",
            Prior::Common,
            &[0],
            vec![ev(Strength::RulesOut, eq(0, int(1)))],
        )
        .cause("z", Prior::Common, &[0], vec![])
        .fix("f", &[0], Level::Low, Level::Low, Rights::User)
        .matcher();
    let mut o = m.observation();
    o.set("error_code", "1").unwrap();
    let j = both(&m, &o).to_json();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(&j),
        [
            "causes",
            "conclusive",
            "fixes",
            "next_question",
            "ruled_out",
            "symptoms"
        ]
    );
    assert_eq!(
        keys(&j["causes"][0]),
        [
            "evidence",
            "id",
            "prior",
            "probability",
            "score",
            "share",
            "title"
        ]
    );
    assert_eq!(
        keys(&j["fixes"][0]),
        ["cause", "causes", "effort", "id", "needs", "risk", "steps", "title"]
    );
    assert_eq!(
        j["fixes"][0]["steps"][0],
        serde_json::json!({"kind": "prose", "text": "do it"})
    );
    assert_eq!(
        keys(&j["ruled_out"][0]["evidence"][0]),
        ["decibans", "facts", "location", "strength", "text"]
    );
    assert_eq!(
        keys(&j["next_question"]),
        ["answers", "fact", "label", "text"]
    );
    assert_eq!(j["symptoms"][0]["status"], "observed");
}
