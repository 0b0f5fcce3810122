//! `kbc fmt` as a command: rewriting, `--check`, syntax errors, exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::{kbc, root, run_in, transcript, write_kb};

const UNFORMATTED: &[u8] =
    b"fact ping_ok : bool ask \"Ping?\"   # why\nsymptom s \"S\" { when ping_ok }\n";
const FORMATTED: &str =
    "fact ping_ok: bool\n  ask \"Ping?\"  # why\n\nsymptom s \"S\" {\n  when ping_ok\n}\n";

#[test]
fn rewrites_files_in_place() {
    let dir = write_kb(
        None,
        &[("rules/a.kb", UNFORMATTED), ("rules/sub/b.kb", UNFORMATTED)],
    );
    let out = run_in(dir.path(), &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    for f in ["rules/a.kb", "rules/sub/b.kb"] {
        let text = std::fs::read_to_string(dir.path().join(f)).expect("read");
        assert_eq!(text, FORMATTED, "{f}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 of 2 files reformatted"));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("rules"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".kbc-fmt-")), "{names:?}");
    // A second run changes nothing.
    let again = run_in(dir.path(), &["fmt", "--check", "rules"]);
    assert_eq!(again.status.code(), Some(0), "{}", transcript(&again));
}

#[test]
fn check_lists_differences_with_a_diff_and_changes_nothing() {
    let dir = write_kb(
        None,
        &[("a.kb", UNFORMATTED), ("ok.kb", FORMATTED.as_bytes())],
    );
    let out = run_in(dir.path(), &["fmt", "--check", "a.kb", "ok.kb"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("Diff in a.kb:\n--- a.kb\n+++ a.kb (formatted)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("-fact ping_ok : bool"), "{stdout}");
    assert!(stdout.contains("+fact ping_ok: bool"), "{stdout}");
    assert!(!stdout.contains("ok.kb"), "{stdout}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "1 of 2 files would be reformatted\n"
    );
    let text = std::fs::read(dir.path().join("a.kb")).expect("read");
    assert_eq!(text, UNFORMATTED);
}

#[test]
fn syntax_errors_are_reported_and_the_file_is_left_untouched() {
    let broken: &[u8] = b"fact a: bool\nsymptom s \"S\" { when a == }\n";
    let dir = write_kb(None, &[("bad.kb", broken), ("good.kb", UNFORMATTED)]);
    let out = run_in(dir.path(), &["fmt", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[E0001]: expected a value, found `}`"),
        "{stderr}"
    );
    assert!(stderr.contains("--> ./bad.kb:2:27"), "{stderr}");
    assert!(stderr.contains("1 of 2 files reformatted, 1 left untouched because of errors"));
    assert_eq!(
        std::fs::read(dir.path().join("bad.kb")).expect("read"),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("good.kb")).expect("read"),
        FORMATTED
    );
}

#[test]
fn invalid_utf8_is_an_error() {
    let dir = write_kb(None, &[("bad.kb", b"fact a: bool ask \"\xff\"\n")]);
    let out = run_in(dir.path(), &["fmt", "--check", "bad.kb"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not valid UTF-8"));
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = run_in(dir.path(), &["fmt", "nowhere"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot format `nowhere`"));
}

#[test]
fn formatting_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = write_kb(None, &[("a.kb", UNFORMATTED)]);
    let path = dir.path().join("a.kb");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = run_in(dir.path(), &["fmt", "a.kb"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn golden_pairs_through_the_binary() {
    let dir = root().join("tests/fmt");
    let out = kbc()
        .current_dir(&dir)
        .args(["fmt", "--check"])
        .args(
            std::fs::read_dir(&dir)
                .expect("tests/fmt")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".formatted.kb")),
        )
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn shipped_rules_are_formatted() {
    let out = kbc()
        .current_dir(root())
        .args(["fmt", "--check", "rules"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "run `kbc fmt rules`\n{}",
        transcript(&out)
    );
}
