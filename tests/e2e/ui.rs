//! UI tests: every `tests/ui/*.kb` is checked by the real CLI and its exact
//! diagnostics are an insta snapshot. A case is one file, or several
//! separated by `#--- path.kb` lines; `tests/ui/NAME.yaml` replaces the
//! default kb.yaml. Add a case: drop a file, run `cargo insta review`.

use crate::support::{run_in, transcript, write_kb};

/// Splits a case into files at `#--- path` marker lines.
fn split_case(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![("rules.kb".to_string(), Vec::new())];
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if let Some(rest) = line.strip_prefix(b"#--- ") {
            let name = String::from_utf8_lossy(rest).trim().to_string();
            files.push((name, Vec::new()));
        } else if let Some(last) = files.last_mut() {
            last.1.extend_from_slice(line);
        }
    }
    files.retain(|(name, body)| !(name == "rules.kb" && body.is_empty()) || bytes.is_empty());
    files
}

#[test]
fn ui_cases() {
    insta::glob!("../ui", "*.kb", |path| {
        let bytes = std::fs::read(path).expect("read case");
        let yaml = std::fs::read(path.with_extension("yaml")).ok();
        let files = split_case(&bytes);
        let refs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let dir = write_kb(yaml.as_deref(), &refs);
        let out = run_in(dir.path(), &["check", "."]);
        insta::assert_snapshot!(transcript(&out));
    });
}
