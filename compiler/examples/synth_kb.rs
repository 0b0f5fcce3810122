//! Writes a synthetic knowledge base to a folder, for benchmarks and demos:
//!
//! ```text
//! cargo run --release -p kbc-compiler --example synth_kb -- OUT_DIR [RULES] [SEED] [TEXT_PATTERNS]
//! cargo run --release -p kbc-compiler --example synth_kb -- /tmp/kb10k 10000 1 1000
//! kbc check /tmp/kb10k
//! ```

use kbc_compiler::synth::{self, SynthConfig};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: synth_kb OUT_DIR [RULES=1000] [SEED=1] [TEXT_PATTERNS=100]";
    let Some(dir) = args.first() else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let number = |i: usize, default: u64| -> Option<u64> {
        match args.get(i) {
            None => Some(default),
            Some(s) => s.replace('_', "").parse().ok(),
        }
    };
    let (Some(rules), Some(seed), Some(patterns)) = (number(1, 1000), number(2, 1), number(3, 100))
    else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let config = SynthConfig {
        rules: rules as usize,
        seed,
        text_patterns: patterns as usize,
    };
    match synth::write_dir(&config, std::path::Path::new(dir)) {
        Ok(kb) => {
            let c = kb.counts;
            println!(
                "{dir}: {} rules ({} symptoms, {} causes, {} fixes, {} examples), {} facts, {} sources, {} guides, {} evidence lines, {} text patterns, {} files, {} bytes",
                c.rules(),
                c.symptoms,
                c.causes,
                c.fixes,
                c.examples,
                c.facts,
                c.sources,
                c.guides,
                c.evidence_lines,
                c.text_patterns,
                kb.files.len(),
                kb.source_bytes()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write `{dir}`: {e}");
            ExitCode::FAILURE
        }
    }
}
