//! `kbc diagnose` through the real binary: the README's scenario, facts
//! from every source, logs, bad input, compiled artifacts.

use crate::support::{kbc, root, run_in, transcript};
use std::io::Write as _;
use std::path::Path;

const README: &[&str] = &[
    "diagnose",
    "--fact",
    "error_code=0x904",
    "--fact",
    "extended_code=0x7",
];

fn diagnose(args: &[&str]) -> std::process::Output {
    kbc()
        .current_dir(root())
        .arg("diagnose")
        .args(args)
        .output()
        .expect("run kbc")
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", transcript(out));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn cause_ids(d: &serde_json::Value) -> Vec<&str> {
    d["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect()
}

/// The shipped rules compiled into an artifact, written to `dir/kb.kbc`.
fn write_artifact(dir: &Path) -> Vec<u8> {
    let input = kbc_compiler::load_dir(&root().join("rules")).expect("load rules");
    let model = kbc_compiler::check(&input).model.expect("rules check");
    let files = kbc_compiler::emit::artifact_files(&model).expect("emit");
    let (_, bytes) = files
        .iter()
        .find(|(p, _)| p == kbc_compiler::emit::ARTIFACT_PATH)
        .expect("artifact file");
    std::fs::write(dir.join("kb.kbc"), bytes).expect("write artifact");
    bytes.clone()
}

#[test]
fn readme_scenario_gives_a_real_diagnosis() {
    let out = kbc()
        .current_dir(root())
        .args(README)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn readme_scenario_as_json() {
    let mut args = README.to_vec();
    args.push("--json");
    let out = kbc().current_dir(root()).args(&args).output().expect("run");
    let d = json_of(&out);
    // The documented contract (docs/CLI.md).
    for key in [
        "symptoms",
        "causes",
        "ruled_out",
        "fixes",
        "next_question",
        "conclusive",
    ] {
        assert!(d.get(key).is_some(), "missing `{key}`");
    }
    let c = &d["causes"][0];
    for key in [
        "id",
        "title",
        "score",
        "probability",
        "share",
        "prior",
        "evidence",
    ] {
        assert!(c.get(key).is_some(), "cause lacks `{key}`");
    }
    let f = &d["fixes"][0];
    for key in ["id", "title", "cause", "causes", "steps"] {
        assert!(f.get(key).is_some(), "fix lacks `{key}`");
    }
    assert_eq!(d["next_question"]["fact"], "fails_when");
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn domain_joined_windows11_client_to_server2019_puts_credssp_first() {
    let out = diagnose(&[
        "--fact",
        "error_code=0x904",
        "--fact",
        "extended_code=0x7",
        "--fact",
        "domain_joined=yes",
        "--fact",
        "client_os=windows11",
        "--fact",
        "host_os=server2019",
        "--json",
    ]);
    let d = json_of(&out);
    assert_eq!(cause_ids(&d)[0], "credssp_oracle_mismatch");
    let why: Vec<&str> = d["causes"][0]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| e["text"].as_str().expect("text"))
        .collect();
    assert!(
        why.iter()
            .any(|t| t.contains("domain-joined") && t.contains("more likely")),
        "{why:?}"
    );
    // Windows 11 is not Windows 7: that cause is ruled out, and says why.
    let ruled = &d["ruled_out"];
    assert_eq!(ruled[0]["id"], "win7_client_missing_updates", "{ruled}");
    assert_eq!(ruled[0]["evidence"][0]["facts"][0], "client_os");
    // The human form says the same.
    let human = diagnose(&[
        "--fact",
        "error_code=0x904",
        "--fact",
        "extended_code=0x7",
        "--fact",
        "domain_joined=true",
        "--fact",
        "client_os=windows11",
        "--fact",
        "host_os=server2019",
    ]);
    let text = String::from_utf8_lossy(&human.stdout);
    let first = text
        .lines()
        .find(|l| l.trim_start().starts_with("1. "))
        .expect("a first cause");
    assert!(first.contains("CredSSP"), "{text}");
}

#[test]
fn facts_from_json_and_yaml_files_equal_the_same_facts_as_flags() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("facts.json"),
        r#"{"error_code": "0x904", "extended_code": 7, "domain_joined": true,
            "client_os": "windows10", "host_os": "server2019", "via_vpn": null}"#,
    )
    .expect("write");
    std::fs::write(
        dir.path().join("facts.yaml"),
        "# as a portal might send them\nerror_code: 2308\nextended_code: 0x7\ndomain_joined: yes\nclient_os: windows10\nhost_os: server2019\n",
    )
    .expect("write");
    // No extension: sniffed (JSON here).
    std::fs::write(
        dir.path().join("facts"),
        r#"  {"error_code": 2308, "extended_code": "7", "domain_joined": "yes", "client_os": "windows10", "host_os": "server2019"}"#,
    )
    .expect("write");
    let rules = root().join("rules");
    let rules = rules.to_str().expect("utf-8 path");
    let run = |extra: &[&str]| {
        let mut args = vec!["diagnose", "--rules", rules, "--json"];
        args.extend_from_slice(extra);
        json_of(&run_in(dir.path(), &args))
    };
    let flags = run(&[
        "--fact",
        "error_code=2308",
        "--fact",
        "extended_code=0x7",
        "--fact",
        "domain_joined=1",
        "--fact",
        "client_os=windows10",
        "--fact",
        "host_os=server2019",
    ]);
    assert_eq!(cause_ids(&flags)[0], "credssp_oracle_mismatch");
    assert_eq!(run(&["--facts", "facts.json"]), flags);
    assert_eq!(run(&["--facts", "facts.yaml"]), flags);
    assert_eq!(run(&["--facts", "facts"]), flags);
    // A flag wins over a file.
    let over = run(&["--facts", "facts.yaml", "--fact", "client_os=windows7"]);
    let windows7 = run(&[
        "--fact",
        "error_code=2308",
        "--fact",
        "extended_code=0x7",
        "--fact",
        "domain_joined=1",
        "--fact",
        "client_os=windows7",
        "--fact",
        "host_os=server2019",
    ]);
    assert_eq!(over, windows7);
    assert_ne!(over, flags);
}

#[test]
fn message_adds_to_the_message_fact() {
    let out = diagnose(&[
        "--fact",
        "error_code=0x904",
        "--message",
        "An authentication error has occurred. This could be due to CredSSP encryption oracle remediation.",
        "--json",
    ]);
    let d = json_of(&out);
    assert_eq!(cause_ids(&d)[0], "credssp_oracle_mismatch");
    let facts = &d["causes"][0]["evidence"][0]["facts"];
    assert_eq!(facts[0], "message", "{d}");
}

#[test]
fn log_with_invalid_utf8_and_many_lines_is_scanned_and_the_replacement_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("System.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    for i in 0..200_000u32 {
        match i {
            7 | 150_000 => f.write_all(b"Event 5: bad bytes \xff\xfe in a line\n"),
            123_456 => f.write_all(
                b"Warning TermService 1006: The terminal server received large number of incomplete connections.\r\n",
            ),
            _ => writeln!(f, "{i:08} Information Service Control Manager: service entered the running state"),
        }
        .expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    let rules = root().join("rules");
    let out = run_in(
        dir.path(),
        &[
            "diagnose",
            "--rules",
            rules.to_str().expect("utf-8"),
            "--fact",
            "error_code=0x904",
            "--fact",
            "extended_code=0x7",
            "--log",
            "System.log",
            "--json",
        ],
    );
    let d = json_of(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "note: 2 lines of `System.log` were not valid UTF-8; the invalid bytes were replaced with U+FFFD\n"
    );
    // Event 1006 on the host: too many half-open connections leads.
    assert_eq!(cause_ids(&d)[0], "outstanding_connections_limit", "{d}");
    let symptoms: Vec<&str> = d["symptoms"]
        .as_array()
        .expect("symptoms")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert!(
        symptoms.contains(&"rdp_incomplete_connections_event"),
        "{symptoms:?}"
    );
    // The human form says how much of the log was read.
    let out = run_in(
        dir.path(),
        &[
            "diagnose",
            "--rules",
            rules.to_str().expect("utf-8"),
            "--fact",
            "error_code=0x904",
            "--log",
            "System.log",
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("System.log: 200000 lines read, 2 kept as evidence"),
        "{}",
        transcript(&out)
    );
}

#[test]
fn unknown_fact_names_the_closest_and_the_facts_there_are() {
    let out = diagnose(&["--fact", "error_code=0x904", "--fact", "domain_joind=yes"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn value_outside_an_enumeration_names_the_values_and_the_closest() {
    let out = diagnose(&["--fact", "host_os=server2109"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn bad_integer_says_how_to_write_one() {
    let out = diagnose(&["--fact", "error_code=0x90G"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn bad_values_in_a_facts_file_name_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("f.yaml"), "client_os: windows 11\n").expect("write");
    let rules = root().join("rules");
    let out = run_in(
        dir.path(),
        &[
            "diagnose",
            "--rules",
            rules.to_str().expect("utf-8"),
            "--facts",
            "f.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn malformed_fact_flag_and_missing_rules_are_usage_errors() {
    let out = diagnose(&["--fact", "error_code"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not of the form NAME=VALUE"));
    let dir = tempfile::tempdir().expect("tmp");
    let out = run_in(dir.path(), &["diagnose", "--fact", "error_code=0x904"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: `rules` is not a knowledge base folder; give one with `--rules DIR`, or a compiled knowledge base with `--kb FILE`\n"
    );
}

#[test]
fn rules_with_errors_are_reported_like_check_and_exit_one() {
    let dir = crate::support::write_kb(
        None,
        &[(
            "rules.kb",
            b"fact x: bool ask \"X?\"\nsymptom s \"S\" { when y }\n",
        )],
    );
    let out = run_in(dir.path(), &["diagnose", "--rules", ".", "--fact", "x=yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[E"), "{err}");
    assert!(err.ends_with("error: cannot diagnose because the knowledge base has errors\n"));
}

#[test]
fn a_built_artifact_gives_the_same_diagnosis_as_the_rules() {
    let dir = tempfile::tempdir().expect("tmp");
    write_artifact(dir.path());
    let mut args = vec!["diagnose", "--kb", "kb.kbc", "--json"];
    args.extend_from_slice(&README[1..]);
    let from_kb = json_of(&run_in(dir.path(), &args));
    let mut args = README.to_vec();
    args.push("--json");
    let from_rules = json_of(&kbc().current_dir(root()).args(&args).output().expect("run"));
    assert_eq!(from_kb, from_rules);
}

#[test]
fn a_damaged_artifact_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut bytes = write_artifact(dir.path());
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(dir.path().join("kb.kbc"), &bytes).expect("write");
    let out = run_in(
        dir.path(),
        &["diagnose", "--kb", "kb.kbc", "--fact", "error_code=0x904"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: cannot load `kb.kbc`: the artifact is damaged: checksum "),
        "{err}"
    );
    // Not an artifact at all, and a missing file.
    std::fs::write(dir.path().join("notes.txt"), "hello").expect("write");
    let out = run_in(dir.path(), &["diagnose", "--kb", "notes.txt"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&out));
    let out = run_in(dir.path(), &["diagnose", "--kb", "missing.kbc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .starts_with("error: cannot read artifact `missing.kbc`: "));
}

#[test]
fn an_artifact_of_another_format_version_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut bytes = write_artifact(dir.path());
    let other = kbc_runtime::FORMAT_VERSION + 1;
    bytes[8..12].copy_from_slice(&other.to_le_bytes());
    std::fs::write(dir.path().join("kb.kbc"), &bytes).expect("write");
    let out = run_in(
        dir.path(),
        &["diagnose", "--kb", "kb.kbc", "--fact", "error_code=0x904"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: cannot load `kb.kbc`: artifact format version {other} is not supported; this runtime reads version {} (rebuild the knowledge base with a matching `kbc build`)\n",
            kbc_runtime::FORMAT_VERSION
        )
    );
}

#[test]
fn kb_and_rules_together_are_a_usage_error() {
    let out = diagnose(&["--kb", "x.kbc", "--rules", "rules"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_matching_symptom_says_so() {
    let out = diagnose(&[
        "--fact",
        "error_code=0x1234",
        "--message",
        "The printer is out of paper",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("No symptom of this knowledge base fits the facts given"),
        "{text}"
    );
}
