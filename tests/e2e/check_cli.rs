//! `kbc check` as a command: exit codes, formats, the shipped rules.

use crate::support::{kbc, root, run_in, transcript, write_kb};

const WARNING_ONLY: &[u8] = b"fact ping_ok: bool ask \"Ping?\"\nfact unused: bool ask \"Unused?\"\nsymptom s \"S\" { when ping_ok }\n";

#[test]
fn shipped_rules_are_clean_even_with_deny_warnings() {
    let out = kbc()
        .current_dir(root())
        .args(["check", "rules", "--deny-warnings"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", transcript(&out));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "no problems found\n");
}

#[test]
fn warnings_alone_exit_zero() {
    let dir = write_kb(None, &[("rules.kb", WARNING_ONLY)]);
    let out = run_in(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning[W0001]"));
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let dir = write_kb(None, &[("rules.kb", WARNING_ONLY)]);
    let out = run_in(dir.path(), &["check", ".", "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
}

#[test]
fn errors_exit_one() {
    let dir = write_kb(
        None,
        &[(
            "rules.kb",
            b"fact x: bool ask \"X?\"\nsymptom s \"S\" { when y }\n",
        )],
    );
    let out = run_in(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
}

#[test]
fn missing_folder_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = run_in(dir.path(), &["check", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("`does-not-exist` is not a knowledge base folder"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = kbc().args(["check", "--frobnicate"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_format_is_machine_readable() {
    let dir = write_kb(
        None,
        &[(
            "rules.kb",
            b"fact os: enum(windows10, windows11) ask \"OS?\"\nsymptom s \"S\" { when os == windows12 }\n",
        )],
    );
    let out = run_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    insta::assert_json_snapshot!(doc);
}

#[test]
fn explain_prints_a_code() {
    let out = kbc().args(["explain", "E0007"]).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("E0007 — a value is not one of the enumeration's values"),
        "{text}"
    );
    let out = kbc()
        .args(["explain", "unused_fact"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("W0001"));
    let out = kbc().args(["explain", "E9999"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}
