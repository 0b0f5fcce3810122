//! Bad input never panics: arbitrary bytes as an artifact, damaged payloads
//! with a valid checksum, arbitrary strings and JSON as facts, hostile logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use kbc_runtime::{Artifact, Matcher, FORMAT_VERSION, MAGIC};
use proptest::prelude::*;

/// Frames a payload with a valid header, so decoding and validation run.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn golden_payload() -> Vec<u8> {
    Artifact::build(common::sample_kb()).unwrap().to_bytes()[24..].to_vec()
}

/// Whatever loads must also diagnose without panicking.
fn exercise(bytes: &[u8]) {
    if let Ok(m) = Matcher::from_bytes(bytes) {
        let mut o = m.observation();
        for f in m.facts() {
            let _ = o.set(&f.id, "1");
        }
        let _ = m.diagnose(&o);
        let _ = m.next_question(&m.observation());
        let _ = kbc_runtime::run_examples(&m);
        // What loads writes bytes that load to the same model, even when
        // its prose is damaged.
        let again = Artifact::from_bytes(&m.artifact().to_bytes()).expect("written bytes load");
        assert_eq!(again.kb(), m.kb());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        exercise(&bytes);
        let mut with_magic = MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        exercise(&with_magic);
        exercise(&frame(&bytes));
    }

    #[test]
    fn damaged_payloads_with_a_valid_checksum_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
    ) {
        let mut p = golden_payload();
        for (at, b) in edits {
            let i = at % p.len();
            p[i] = b;
        }
        exercise(&frame(&p));
        let cut = cut % p.len();
        exercise(&frame(&p[..cut]));
    }

    #[test]
    fn arbitrary_strings_as_facts_never_panic(name in ".{0,20}", raw in "(?s).{0,200}") {
        let m = Matcher::new(Artifact::build(common::sample_kb()).unwrap());
        let mut o = m.observation();
        let _ = o.set(&name, &raw);
        for f in &m.kb().facts {
            let _ = o.set(&f.id, &raw);
            let _ = o.set_json(&f.id, &serde_json::Value::String(raw.clone()));
            let _ = o.add_text(&f.id, &raw);
        }
        let _ = m.diagnose(&o);
    }

    #[test]
    fn arbitrary_logs_never_panic(log in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let m = Matcher::new(Artifact::build(common::sample_kb()).unwrap());
        let mut o = m.observation();
        let sum = o.scan_log("message", &log[..]).unwrap();
        prop_assert!(sum.kept <= sum.lines);
        let _ = m.diagnose(&o);
    }
}

/// A reader that gives at most one byte at a time, so a log scan never
/// sees a block of whole lines and takes every line on its own.
struct OneByte<'a>(&'a [u8]);

impl std::io::Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = usize::from(!self.0.is_empty() && !buf.is_empty());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

impl std::io::BufRead for OneByte<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        Ok(&self.0[..self.0.len().min(1)])
    }
    fn consume(&mut self, n: usize) {
        self.0 = &self.0[n.min(self.0.len())..];
    }
}

/// Pieces of log lines: literals and pattern matches in any case, CRLF,
/// invalid UTF-8, blank lines, a line longer than a scan block.
fn log_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"CredSSP ".to_vec()),
        Just(b"credssp".to_vec()),
        Just(b"code 0x1f ".to_vec()),
        Just(b"plain words ".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        Just("h\u{e9}\u{e9} ".as_bytes().to_vec()),
        Just(vec![b'x'; 20_000]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Scanning whole blocks of lines for literals at once finds exactly
    /// what scanning every line on its own finds.
    #[test]
    fn block_and_line_by_line_log_scans_agree(
        pieces in proptest::collection::vec(log_piece(), 0..60),
    ) {
        let log: Vec<u8> = pieces.concat();
        let m = Matcher::new(Artifact::build(common::sample_kb()).unwrap());
        let mut blocks = m.observation();
        let a = blocks.scan_log("message", &log[..]).unwrap();
        let mut lines = m.observation();
        let b = lines.scan_log("message", OneByte(&log)).unwrap();
        prop_assert_eq!(a, b);
        let f = m.kb().facts.iter().position(|f| f.id == "message").unwrap();
        let f = kbc_runtime::model::FactIdx(f as u32);
        prop_assert_eq!(blocks.segments(f), lines.segments(f));
        prop_assert_eq!(
            serde_json::to_string(&m.diagnose(&blocks)).unwrap(),
            serde_json::to_string(&m.diagnose(&lines)).unwrap()
        );
    }
}

#[test]
fn arbitrary_json_values_are_errors_not_panics() {
    let m = Matcher::new(Artifact::build(common::sample_kb()).unwrap());
    let mut o = m.observation();
    let values = [
        serde_json::json!(null),
        serde_json::json!(true),
        serde_json::json!(-1),
        serde_json::json!(1.5),
        serde_json::json!(u64::MAX),
        serde_json::json!("0x904"),
        serde_json::json!(["a", "b"]),
        serde_json::json!(["a", 1]),
        serde_json::json!({"a": 1}),
    ];
    for f in &m.kb().facts {
        for v in &values {
            let _ = o.set_json(&f.id, v);
        }
    }
    assert!(o.set_json_object(&serde_json::json!([1])).is_err());
    o.set_json_object(
        &serde_json::json!({"error_code": "0x904", "extended_code": 7, "client_os": "macos"}),
    )
    .unwrap();
    let _ = m.diagnose(&o);
}

#[test]
fn hostile_text_is_handled() {
    let m = Matcher::new(Artifact::build(common::sample_kb()).unwrap());
    let mut o = m.observation();
    let big = "CredSSP \u{0}\u{7}\u{1b}[31m 0x904 ".repeat(1 << 15); // ~1 MB
    o.add_text("message", &big).unwrap();
    o.set("host_name", &big).unwrap();
    let e = o.set("client_os", &big).unwrap_err().to_string();
    assert!(e.len() < 300, "messages quote at most a short prefix: {e}");
    let e = o
        .set("error_code", &"9".repeat(100_000))
        .unwrap_err()
        .to_string();
    assert!(e.contains("too large"), "{e}");
    let d = m.diagnose(&o);
    assert_eq!(d.causes[0].id, "credssp_mismatch");
}

#[test]
fn a_100_mb_log_streams_in_bounded_memory() {
    // A reader that produces 100 MB of lines without holding them.
    struct Lines {
        left: u64,
        line: Vec<u8>,
        at: usize,
    }
    impl std::io::Read for Lines {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let mut n = 0;
            while n < buf.len() && self.left > 0 {
                buf[n] = self.line[self.at];
                n += 1;
                self.at = (self.at + 1) % self.line.len();
                self.left -= 1;
            }
            Ok(n)
        }
    }
    let m = Matcher::new(Artifact::build(common::sample_kb()).unwrap());
    let mut o = m.observation();
    let reader = std::io::BufReader::with_capacity(
        1 << 16,
        Lines {
            left: 100 << 20,
            line: b"2024-01-01 connection refused: CredSSP error 0x904 at step 7\n".to_vec(),
            at: 0,
        },
    );
    let sum = o.scan_log("message", reader).unwrap();
    assert!(sum.lines > 1_000_000);
    assert_eq!(sum.kept, 1, "repeats are kept once");
    assert_eq!(o.segments(kbc_runtime::model::FactIdx(5)).len(), 1);
}
