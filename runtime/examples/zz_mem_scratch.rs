// Scratch (not committed): memory of the text scanners of an artifact.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use aho_corasick::{AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_automata::meta::Regex;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let m = kbc_runtime::Matcher::load(&path).unwrap();
    let j = m.artifact().to_json();
    let lits: Vec<String> = j["tables"]["literals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let pats: Vec<String> = j["tables"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    eprintln!("{} literals, {} patterns", lits.len(), pats.len());
    for kind in [
        None,
        Some(AhoCorasickKind::DFA),
        Some(AhoCorasickKind::ContiguousNFA),
    ] {
        let t = std::time::Instant::now();
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(&lits)
            .unwrap();
        eprintln!(
            "ac {:?} -> {:?}: {} bytes, built in {:?}",
            kind,
            ac.kind(),
            ac.memory_usage(),
            t.elapsed()
        );
    }
    for kind in [
        regex_automata::MatchKind::All,
        regex_automata::MatchKind::LeftmostFirst,
    ] {
        let t = std::time::Instant::now();
        let re = Regex::builder()
            .configure(
                Regex::config()
                    .match_kind(kind)
                    .nfa_size_limit(Some(64 << 20))
                    .onepass_size_limit(Some(64 << 20))
                    .dfa_size_limit(Some(8 << 20))
                    .hybrid_cache_capacity(8 << 20),
            )
            .build_many(&pats)
            .unwrap();
        eprintln!(
            "regex {:?}: {} bytes, built in {:?}",
            kind,
            re.memory_usage(),
            t.elapsed()
        );
        let mut cache = re.create_cache();
        let text = "Your computer can't connect to the remote computer: CredSSP handshake was rejected user profile (33f4): TLS negotiation timed out group policy cache (f1a1). metric yankee uniform index zulu";
        re.search_with(&mut cache, &regex_automata::Input::new(text));
        eprintln!("  cache after one search: {} bytes", cache.memory_usage());
    }
}
