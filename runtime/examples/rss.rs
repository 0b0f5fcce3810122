//! Peak resident memory of a program that links only the runtime: loads an
//! artifact, diagnoses one observation (a JSON map of facts), and prints the
//! process's peak resident set (Linux `VmHWM`).
//!
//! `cargo run --release -p kbc-runtime --example rss -- ARTIFACT FACTS.json`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kbc_runtime::Matcher;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(artifact), Some(facts)) = (args.next(), args.next()) else {
        eprintln!("usage: rss ARTIFACT FACTS.json");
        std::process::exit(2);
    };
    let m = Matcher::load(&artifact).expect("artifact loads");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&facts).expect("facts read"))
            .expect("facts are JSON");
    let mut obs = m.observation();
    obs.set_json_object(&json).expect("facts fit");
    let d = m.diagnose(&obs);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: unknown");
    println!("{} causes ranked; {peak}", d.causes.len());
}
