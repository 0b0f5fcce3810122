//! The golden artifact: `tests/golden.kbca` holds the bytes of
//! `common::sample_kb()` as this runtime writes them. A change of the
//! artifact format makes this test fail; then bump `FORMAT_VERSION` (see
//! its doc comment) and rewrite the file with
//! `KBC_BLESS=1 cargo test -p kbc-runtime --test golden`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use kbc_runtime::{run_examples, Artifact, LoadError, Matcher, FORMAT_VERSION};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden.kbca");

#[test]
fn the_format_changes_only_with_a_version_bump() {
    let bytes = Artifact::build(common::sample_kb()).unwrap().to_bytes();
    if std::env::var_os("KBC_BLESS").is_some() {
        std::fs::write(GOLDEN, &bytes).unwrap();
    }
    let golden = std::fs::read(GOLDEN).expect("tests/golden.kbca exists (KBC_BLESS=1 writes it)");
    let version = u32::from_le_bytes(golden[8..12].try_into().unwrap());
    assert_eq!(
        version, FORMAT_VERSION,
        "FORMAT_VERSION changed: rewrite the golden file with KBC_BLESS=1"
    );
    assert!(
        bytes == golden,
        "the artifact bytes changed without a FORMAT_VERSION bump: bump it in runtime/src/artifact.rs, \
         then run KBC_BLESS=1 cargo test -p kbc-runtime --test golden"
    );
}

#[test]
fn the_golden_artifact_loads_and_diagnoses() {
    let m = Matcher::load(GOLDEN).unwrap();
    assert_eq!(m.kb(), &common::sample_kb());
    let (reports, coverage) = run_examples(&m);
    assert!(reports.iter().all(|r| r.passed()), "{reports:#?}");
    assert_eq!(coverage.percent(), 100.0);
}

#[test]
fn from_static_embeds_bytes() {
    static BYTES: &[u8] = include_bytes!("golden.kbca");
    let m = Matcher::from_static(BYTES).unwrap();
    let copied = Matcher::from_bytes(BYTES).unwrap();
    let mut obs = m.observation();
    obs.set("error_code", "0x904").unwrap();
    obs.set("extended_code", "7").unwrap();
    let d = serde_json::to_string(&m.diagnose(&obs)).unwrap();
    let mut obs = copied.observation();
    obs.set("error_code", "0x904").unwrap();
    obs.set("extended_code", "7").unwrap();
    assert_eq!(d, serde_json::to_string(&copied.diagnose(&obs)).unwrap());
    assert!(d.contains("credssp_mismatch"), "{d}");
    assert_eq!(m.kb().causes.len(), 2);
}

#[test]
fn another_version_is_a_typed_error() {
    let mut bytes = std::fs::read(GOLDEN).unwrap();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    match Artifact::from_bytes(&bytes) {
        Err(LoadError::InvalidVersion { expected, actual }) => {
            assert_eq!((expected, actual), (FORMAT_VERSION, FORMAT_VERSION + 1));
        }
        other => panic!("{other:?}"),
    }
    let e = Artifact::from_bytes(&bytes).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "format version {} is not supported",
            FORMAT_VERSION + 1
        )),
        "{e}"
    );
}

#[test]
fn damage_is_a_typed_error() {
    let bytes = std::fs::read(GOLDEN).unwrap();
    assert!(matches!(
        Artifact::from_bytes(b"PK\x03\x04"),
        Err(LoadError::NotAnArtifact)
    ));
    assert!(matches!(
        Artifact::from_bytes(&bytes[..bytes.len() - 1]),
        Err(LoadError::Truncated { .. })
    ));
    assert!(matches!(
        Artifact::from_bytes(&bytes[..10]),
        Err(LoadError::Truncated { .. })
    ));
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(matches!(
        Artifact::from_bytes(&flipped),
        Err(LoadError::ChecksumMismatch { .. })
    ));
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        Artifact::from_bytes(&longer),
        Err(LoadError::Damaged { .. })
    ));
    assert!(matches!(
        Matcher::load("/nonexistent/kb.kbca"),
        Err(LoadError::Io { .. })
    ));
}

#[test]
fn the_json_export_has_the_model_and_tables() {
    let art = Artifact::build(common::sample_kb()).unwrap();
    let j = art.to_json();
    assert_eq!(j["format_version"], FORMAT_VERSION);
    assert_eq!(j["kb"]["causes"][0]["id"], "credssp_mismatch");
    assert!(j["tables"]["literals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "credssp"));
}
