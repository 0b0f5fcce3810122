//! Arbitrary observations against the golden knowledge base: every way of
//! setting facts returns a typed error or a value, never a panic; and the
//! compiled matcher and the reference interpreter agree on the result.
//!
//! Input: records separated by `0xFF`; a record is `[op, fact, raw...]`.
#![no_main]

use std::sync::OnceLock;

use kbc_runtime::{Matcher, Reference};
use libfuzzer_sys::fuzz_target;

static GOLDEN: &[u8] = include_bytes!("../../runtime/tests/golden.kbca");

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| Matcher::from_static(GOLDEN).expect("the golden artifact loads"))
}

fn reference() -> &'static Reference<'static> {
    static R: OnceLock<Reference<'static>> = OnceLock::new();
    R.get_or_init(|| Reference::new(matcher().kb()).expect("reference"))
}

fuzz_target!(|data: &[u8]| {
    let m = matcher();
    let facts = &m.kb().facts;
    let mut o = m.observation();
    for rec in data.split(|&b| b == 0xFF) {
        let [op, fact, raw @ ..] = rec else { continue };
        let raw = String::from_utf8_lossy(raw);
        let name = match facts.get(*fact as usize % (facts.len() + 1)) {
            Some(f) => f.id.clone(),
            None => raw.chars().take(12).collect(),
        };
        let _ = match op % 7 {
            0 => o.set(&name, &raw),
            1 => o.add_text(&name, &raw),
            2 => o.unset(&name),
            3 => o.scan_log(&name, rec).map(|_| ()),
            4 => match serde_json::from_str::<serde_json::Value>(&raw) {
                Ok(v) => o.set_json(&name, &v),
                Err(_) => Ok(()),
            },
            5 => match serde_json::from_slice::<serde_json::Value>(rec) {
                Ok(v) => o.set_json_object(&v),
                Err(_) => Ok(()),
            },
            _ => o.set(&name, &format!("0x{raw}")),
        };
    }
    let d = m.diagnose(&o);
    let r = reference();
    let rd = r.diagnose(&o);
    assert_eq!(
        serde_json::to_string(&d).expect("json"),
        serde_json::to_string(&rd).expect("json"),
        "the engines disagree"
    );
    assert_eq!(m.next_question(&o), r.next_question(&o));
});
