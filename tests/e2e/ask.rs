//! `kbc ask` through the real binary, with answers piped on stdin.

use crate::support::{kbc, root, transcript};
use std::io::Write as _;
use std::process::{Output, Stdio};

fn ask(args: &[&str], answers: &str) -> Output {
    let mut child = kbc()
        .current_dir(root())
        .arg("ask")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kbc");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(answers.as_bytes())
        .expect("write answers");
    child.wait_with_output().expect("wait")
}

const CODES: &[&str] = &["--fact", "error_code=0x904", "--fact", "extended_code=0x7"];

#[test]
fn piped_session_answers_skips_and_retries() {
    // fails_when: by number; domain_joined: don't know; client_os: a typo,
    // then by label; recent_upgrade: no; then the input ends.
    let out = ask(CODES, "2\n?\nwindows12\nWindows 10\nno\n");
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn session_stops_when_the_leading_cause_is_clear() {
    let out = ask(&[], "0x904\n0x7\n1\n\n");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    // Whatever path the questions take, the session ends with a verdict
    // and the fixes.
    assert!(text.contains("Fixes to try, in order"), "{text}");
}

#[test]
fn windows7_client_session_is_conclusive() {
    let out = ask(
        &[
            "--fact",
            "error_code=0x904",
            "--fact",
            "extended_code=0x7",
            "--fact",
            "client_os=windows7",
            "--fact",
            "host_os=windows11",
            "--fact",
            "fails_when=after_credentials",
        ],
        "",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(
        text.contains("The leading cause is clear. 0 questions asked, 0 answered, 0 skipped."),
        "{text}"
    );
    assert!(text.contains("Most likely cause (conclusive)"), "{text}");
    assert!(
        text.contains("1. Windows 7 client without the updates it needs"),
        "{text}"
    );
}

#[test]
fn empty_input_stops_asking_and_prints_the_result() {
    let out = ask(CODES, "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(
        text.contains("No more answers. 1 question asked, 0 answered, 0 skipped."),
        "{text}"
    );
    // The question left open is shown with the result.
    assert!(text.contains("Next question (fails_when)"), "{text}");
}

#[test]
fn skipped_questions_are_not_asked_again() {
    let out = ask(CODES, &"?\n".repeat(40));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let asked: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Question "))
        .collect();
    let mut facts: Vec<&str> = asked.iter().filter_map(|l| l.split('(').nth(1)).collect();
    let n = facts.len();
    facts.sort_unstable();
    facts.dedup();
    assert_eq!(facts.len(), n, "a question came back: {asked:?}");
    assert!(
        text.contains("Nothing left to ask would change the ranking."),
        "{text}"
    );
}
