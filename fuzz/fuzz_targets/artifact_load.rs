//! Arbitrary bytes as an artifact: loading returns a typed error or a
//! matcher that diagnoses without panicking. Each input is tried as it is
//! and framed with a valid header and checksum, so the payload decoder and
//! the validation behind the checksum are fuzzed too (seed the corpus with
//! `runtime/tests/golden.kbca`).
#![no_main]

use kbc_runtime::{Artifact, Matcher, FORMAT_VERSION, MAGIC};
use libfuzzer_sys::fuzz_target;

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn exercise(bytes: &[u8]) {
    let Ok(art) = Artifact::from_bytes(bytes) else {
        return;
    };
    // A diagnosis first: it decodes only the records it shows.
    let m = Matcher::new(art);
    let mut o = m.observation();
    for f in m.facts() {
        let _ = o.set(&f.id, "1");
        let _ = o.add_text(&f.id, "error 0x904 CredSSP");
    }
    let _ = m.diagnose(&o);
    let _ = m.next_question(&m.observation());
    // What loads must write back to the same model.
    let art = m.artifact();
    assert_eq!(Artifact::from_bytes(&art.to_bytes()).map(|a| a.kb().clone()).ok().as_ref(), Some(art.kb()));
    let _ = kbc_runtime::run_examples(&m);
    let _ = m.artifact().to_json();
}

fuzz_target!(|data: &[u8]| {
    exercise(data);
    // Inputs that start with a whole artifact are framed from their payload.
    let payload = if data.starts_with(&MAGIC) && data.len() >= 24 { &data[24..] } else { data };
    exercise(&frame(payload));
});
