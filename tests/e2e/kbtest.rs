//! `kbc test`: the knowledge base's own examples, run by the real binary.

use crate::support::{kbc, root, run_in, transcript, write_kb};

/// A small knowledge base with one passing and one failing example, and a
/// fix no example reaches.
const SMALL: &[u8] = br#"fact error_code: int ask "What error code?"
fact via_vpn: bool ask "Over a VPN?"

symptom rdp_0x904 "Error 0x904" { when error_code == 0x904 }

cause network "Unstable network" {
  produces rdp_0x904
  prior common
  evidence {
    strong when via_vpn because "you connect over a VPN"
  }
}

cause credssp "CredSSP mismatch" {
  produces rdp_0x904
  prior very_common
}

fix update "Install updates" {
  resolves credssp
  effort medium  risk low  needs admin
  step "Run Windows Update."
}

fix tcp_only "Use TCP only" {
  resolves network
  effort low  risk low  needs admin
  step "Turn off UDP."
}

example vpn "Over a VPN the network comes first" {
  given error_code = 0x904, via_vpn = true
  expect top network
  expect first_fix tcp_only
}

example no_vpn "Without a VPN the network still comes first (wrong)" {
  given error_code = 0x904, via_vpn = false
  expect top network
  expect order network > credssp
  expect ranked credssp
  expect first_fix tcp_only
  expect question via_vpn
}
"#;

const YAML: &[u8] = b"title: T\nproduct: P\nversion: 1.0.0\nlanguage: en\nallow: [unsourced]\n";

#[test]
fn shipped_rules_pass_at_full_coverage() {
    let out = kbc()
        .current_dir(root())
        .args(["test", "rules", "--min-coverage", "100"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let summary = text
        .lines()
        .find(|l| l.ends_with(" passed, 0 failed"))
        .unwrap_or_else(|| panic!("no summary line: {text}"));
    let passed: usize = summary
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(passed >= 30, "{summary}");
    assert!(text.contains("coverage: 100.0% ("), "{text}");
    assert!(out.stderr.is_empty(), "{}", transcript(&out));
}

#[test]
fn failing_example_shows_expected_and_actual_side_by_side() {
    let dir = write_kb(Some(YAML), &[("rules.kb", SMALL)]);
    let out = run_in(dir.path(), &["test", "."]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn locations_are_relative_to_where_kbc_runs() {
    let dir = write_kb(Some(YAML), &[("examples/small.kb", SMALL)]);
    let parent = dir.path().parent().expect("parent");
    let name = dir
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .to_string();
    let out = run_in(parent, &["test", &name]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("  --> {name}/examples/small.kb:37:9\n")),
        "{text}"
    );
}

#[test]
fn coverage_lists_what_no_example_reaches_and_min_coverage_fails_below() {
    // Only the passing example, and `credssp` moved to a symptom no example
    // observes: that symptom, that cause and its fix are unreached (3 of 6).
    let only_vpn = String::from_utf8_lossy(SMALL)
        .split("example no_vpn")
        .next()
        .expect("head")
        .replace("cause credssp \"CredSSP mismatch\" {\n  produces rdp_0x904", "cause credssp \"CredSSP mismatch\" {\n  produces other")
        .replace(
            "symptom rdp_0x904 \"Error 0x904\" { when error_code == 0x904 }",
            "symptom rdp_0x904 \"Error 0x904\" { when error_code == 0x904 }\nsymptom other \"Other\" { when error_code == 0x905 }",
        );
    let dir = write_kb(Some(YAML), &[("rules.kb", only_vpn.as_bytes())]);
    let out = run_in(dir.path(), &["test", ".", "--coverage"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
    let out = run_in(dir.path(), &["test", ".", "--min-coverage", "90"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("error: coverage 50.0% is below the minimum of 90%"));
    let out = run_in(dir.path(), &["test", ".", "--min-coverage", "50"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn json_output_reports_every_example() {
    let dir = write_kb(Some(YAML), &[("rules.kb", SMALL)]);
    let out = run_in(dir.path(), &["test", ".", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["passed"], 1);
    assert_eq!(doc["failed"], 1);
    assert_eq!(doc["examples"][1]["id"], "no_vpn");
    assert_eq!(doc["examples"][1]["passed"], false);
    assert_eq!(doc["examples"][1]["location"]["line"], 37);
    assert_eq!(doc["coverage"]["percent"], 100.0);
}

#[test]
fn rules_with_errors_exit_one_and_bad_flags_two() {
    let dir = write_kb(None, &[("rules.kb", b"symptom s \"S\" { when nope }\n")]);
    let out = run_in(dir.path(), &["test", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let out = run_in(dir.path(), &["test", ".", "--min-coverage", "120"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let out = run_in(dir.path(), &["test", "missing"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
}
