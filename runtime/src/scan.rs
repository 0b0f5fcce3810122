//! The text scanners: one aho-corasick automaton for every `contains`
//! literal and one multi-pattern regex for every `matches` pattern, each run
//! once per text segment.
//!
//! Takes the literal and pattern lists of the lowered tables, gives the ids
//! of the literals and patterns found in a segment. Both are built with
//! explicit size limits; a set that exceeds them is a [`BuildError`].

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind as AcMatchKind};
use regex_automata::{
    meta::{self, Regex},
    nfa::thompson::WhichCaptures,
    util::syntax,
    Input, MatchKind, PatternSet,
};

use crate::artifact::BuildError;

/// Size limit of the regex's compiled NFA.
pub const REGEX_NFA_LIMIT: usize = 64 << 20;
/// Size limit of a fully compiled regex DFA (larger sets use the lazy DFA).
pub const REGEX_DFA_LIMIT: usize = 8 << 20;
/// Capacity of the lazy DFA's cache.
pub const REGEX_CACHE_LIMIT: usize = 8 << 20;
/// Limit of group and repetition nesting in one pattern.
pub const REGEX_NEST_LIMIT: u32 = 100;
/// Up to this many literals the log scanner's automaton is a full DFA;
/// above, it is a contiguous NFA like the one for messages.
pub const AC_DFA_LIMIT_PATTERNS: usize = 2_000;

/// Which searches a segment needs: the non-empty literals, the patterns.
/// A log scan knows from one search over a block of lines that a line
/// holds neither; the empty literals are found in every segment anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    pub literals: bool,
    pub patterns: bool,
}

impl Parts {
    /// Both searches.
    pub(crate) const ALL: Parts = Parts {
        literals: true,
        patterns: true,
    };
}

/// The text scanners of one knowledge base, compiled on first use.
///
/// [`Artifact::build`](crate::Artifact::build) compiles them at once, so a
/// pattern set over the limits is a build error. Loading an artifact leaves
/// compiling to the first text segment, so a matcher that is never given
/// text never pays for it; patterns that do not compile then (only possible
/// for bytes not written by `build`) find nothing.
///
/// Two sets of searchers, chosen by how much text there is. A message is a
/// few hundred bytes: a contiguous-NFA automaton for the literals and one
/// overlapping regex for the patterns, both small. A log is megabytes:
/// [`for_logs`](Scanners::for_logs) adds a full-DFA automaton (fast, a few
/// megabytes) and a leftmost-first regex that can use a literal prefilter,
/// so the many lines that match no pattern cost little. Both sets find the
/// same literals and patterns.
#[derive(Debug, Clone)]
pub(crate) struct Scanners {
    literals: Vec<String>,
    patterns: Vec<String>,
    built: OnceLock<Result<Built, BuildError>>,
}

/// The compiled searchers.
///
/// The regexes keep no capture groups: we ask only whether and which
/// patterns match. That bounds memory: when the lazy DFA gives up (a
/// Unicode `\b` meets a non-ASCII byte), the fallback engine's per-search
/// table is as large as NFA states × capture slots — hundreds of megabytes
/// for a thousand patterns with slots, under one without.
#[derive(Debug, Clone)]
struct Built {
    /// The literals as a contiguous NFA.
    ac: Option<AhoCorasick>,
    /// Literal ids of the automaton's patterns (empty literals are left out).
    ac_ids: Vec<u32>,
    /// Ids of empty literals: they are found in every segment.
    empty_literals: Vec<u32>,
    /// The patterns, `MatchKind::All`: which patterns match.
    re: Option<Regex>,
    /// The searchers for logs, once a log is scanned.
    for_logs: OnceLock<ForLogs>,
}

/// The searchers that pay off over a log.
#[derive(Debug, Clone)]
struct ForLogs {
    /// The literals as a full DFA, when there are few enough of them.
    ac: Option<AhoCorasick>,
    /// The patterns, leftmost-first: whether any matches.
    re_any: Option<Regex>,
    /// The patterns with `^` and `$` at every line's start and end
    /// (multi-line, CRLF-aware): whether any matches in a block of lines.
    /// A line that a pattern matches on its own is matched in the block
    /// too, so a block without a match has no line with one. `None` when
    /// a pattern anchors at the text's start or end (`\A`, `\z`, `(?-m)^`),
    /// which a block cannot tell from a line's.
    re_block: Option<Regex>,
}

impl Scanners {
    /// Scanners compiled now, the log searchers included: errors are
    /// reported.
    pub(crate) fn build(literals: &[String], patterns: &[String]) -> Result<Scanners, BuildError> {
        let s = Scanners::lazy(literals, patterns);
        let built = s.get()?;
        let for_logs = ForLogs::build(literals, built, patterns)?;
        let _ = built.for_logs.set(for_logs);
        Ok(s)
    }

    /// Scanners compiled on first use.
    pub(crate) fn lazy(literals: &[String], patterns: &[String]) -> Scanners {
        Scanners {
            literals: literals.to_vec(),
            patterns: patterns.to_vec(),
            built: OnceLock::new(),
        }
    }

    fn get(&self) -> Result<&Built, BuildError> {
        self.built
            .get_or_init(|| Built::build(&self.literals, &self.patterns))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Compiles the searchers for logs, if not yet done: every scan after
    /// this uses them. Searchers that fail to compile (only possible for an
    /// artifact not written by `build`) leave the message searchers in use.
    pub(crate) fn for_logs(&self) {
        if let Ok(b) = self.get() {
            b.for_logs.get_or_init(|| {
                ForLogs::build(&self.literals, b, &self.patterns).unwrap_or(ForLogs {
                    ac: None,
                    re_any: None,
                    re_block: None,
                })
            });
        }
    }

    /// Finds the literals and patterns in `text`; ids are appended to the
    /// two vectors, sorted and without repeats. `set` is a reusable buffer.
    /// Scanners that fail to compile (only possible for an artifact not
    /// written by this runtime's `build`) find nothing.
    pub(crate) fn scan(
        &self,
        text: &str,
        lits: &mut Vec<u32>,
        pats: &mut Vec<u32>,
        set: &mut Option<PatternSet>,
    ) {
        self.scan_parts(text, Parts::ALL, lits, pats, set);
    }

    /// [`scan`](Scanners::scan) for the `parts` that `text` may hold: a
    /// search left out finds nothing (but the empty literals).
    pub(crate) fn scan_parts(
        &self,
        text: &str,
        parts: Parts,
        lits: &mut Vec<u32>,
        pats: &mut Vec<u32>,
        set: &mut Option<PatternSet>,
    ) {
        match self.get() {
            Ok(b) => b.scan(text, parts, lits, pats, set),
            Err(_) => {
                lits.clear();
                pats.clear();
            }
        }
    }

    /// Spans of non-empty literals in `bytes`, in order, into `out`: every
    /// occurrence of a literal starts inside one of them (a search that
    /// resumes after each match). A line that overlaps none holds no
    /// literal; one search over many lines costs far less than one per
    /// line.
    pub(crate) fn literal_spans(&self, bytes: &[u8], out: &mut Vec<(usize, usize)>) {
        out.clear();
        if let Some(ac) = self.get().ok().and_then(Built::literals) {
            out.extend(ac.find_iter(bytes).map(|m| (m.start(), m.end())));
        }
    }

    /// Whether some line of `block` (lines ended by `\n`) may match a
    /// pattern: `false` only when none does.
    pub(crate) fn patterns_in_block(&self, block: &str) -> bool {
        let Ok(b) = self.get() else {
            return false;
        };
        if b.re.is_none() {
            return false;
        }
        match b.for_logs.get().and_then(|l| l.re_block.as_ref()) {
            Some(re) => re.is_match(Input::new(block)),
            None => true,
        }
    }
}

/// An automaton over the non-empty `literals` (ASCII case-insensitive),
/// of the given kind.
fn automaton(literals: &[&str], kind: AhoCorasickKind) -> Result<AhoCorasick, BuildError> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(AcMatchKind::Standard)
        .kind(Some(kind))
        .build(literals)
        .map_err(|e| BuildError::Literals {
            message: e.to_string(),
        })
}

/// The non-empty literals, as the automata number them.
fn non_empty(literals: &[String]) -> Vec<&str> {
    literals
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect()
}

impl Built {
    fn build(literals: &[String], patterns: &[String]) -> Result<Built, BuildError> {
        let mut ac_ids = Vec::new();
        let mut empty_literals = Vec::new();
        for (i, l) in literals.iter().enumerate() {
            let id = u32::try_from(i).map_err(|_| BuildError::TooLarge {
                what: "literals".into(),
            })?;
            if l.is_empty() {
                empty_literals.push(id);
            } else {
                ac_ids.push(id);
            }
        }
        let ac_pats = non_empty(literals);
        let ac = if ac_pats.is_empty() {
            None
        } else {
            Some(automaton(&ac_pats, AhoCorasickKind::ContiguousNFA)?)
        };
        let re = if patterns.is_empty() {
            None
        } else {
            Some(multi_regex(patterns, MatchKind::All)?)
        };
        Ok(Built {
            ac,
            ac_ids,
            empty_literals,
            re,
            for_logs: OnceLock::new(),
        })
    }

    /// The literal automaton to search with: the log one once built.
    fn literals(&self) -> Option<&AhoCorasick> {
        self.for_logs
            .get()
            .and_then(|l| l.ac.as_ref())
            .or(self.ac.as_ref())
    }

    /// Finds the `parts` of `text` (and the empty literals); ids are
    /// appended to the two vectors, sorted and without repeats. `set` is a
    /// reusable buffer.
    fn scan(
        &self,
        text: &str,
        parts: Parts,
        lits: &mut Vec<u32>,
        pats: &mut Vec<u32>,
        set: &mut Option<PatternSet>,
    ) {
        lits.clear();
        pats.clear();
        lits.extend_from_slice(&self.empty_literals);
        if let Some(ac) = self.literals().filter(|_| parts.literals) {
            for m in ac.find_overlapping_iter(text) {
                if let Some(&id) = self.ac_ids.get(m.pattern().as_usize()) {
                    lits.push(id);
                }
            }
            lits.sort_unstable();
            lits.dedup();
        }
        let Some(re) = self.re.as_ref().filter(|_| parts.patterns) else {
            return;
        };
        // Over a log, most lines match nothing: the prefiltered
        // leftmost-first search settles those quickly.
        let gate = self.for_logs.get().and_then(|l| l.re_any.as_ref());
        if gate.is_some_and(|any| !any.is_match(Input::new(text))) {
            return;
        }
        let set = match set {
            Some(s) if s.capacity() == re.pattern_len() => s,
            _ => set.insert(PatternSet::new(re.pattern_len())),
        };
        set.clear();
        re.which_overlapping_matches(&Input::new(text), set);
        pats.extend(set.iter().map(|p| p.as_usize() as u32));
    }
}

impl ForLogs {
    fn build(
        literals: &[String],
        built: &Built,
        patterns: &[String],
    ) -> Result<ForLogs, BuildError> {
        let ac_pats = non_empty(literals);
        let ac = if ac_pats.is_empty() || ac_pats.len() > AC_DFA_LIMIT_PATTERNS {
            None
        } else {
            Some(automaton(&ac_pats, AhoCorasickKind::DFA)?)
        };
        let (re_any, re_block) = match built.re {
            Some(_) => (
                Some(multi_regex(patterns, MatchKind::LeftmostFirst)?),
                block_regex(patterns),
            ),
            None => (None, None),
        };
        Ok(ForLogs {
            ac,
            re_any,
            re_block,
        })
    }
}

/// The regex builder every pattern set is compiled with: the size limits,
/// the nesting limit, and no capture groups (see [`Built::re_any`]).
fn regex_builder(kind: MatchKind) -> meta::Builder {
    let config = Regex::config()
        .match_kind(kind)
        .which_captures(WhichCaptures::None)
        .nfa_size_limit(Some(REGEX_NFA_LIMIT))
        // The one-pass DFA serves anchored searches with captures, which
        // we never run; trying to build it for a large set takes tens of
        // megabytes for a moment.
        .onepass(false)
        .dfa_size_limit(Some(REGEX_DFA_LIMIT))
        .hybrid_cache_capacity(REGEX_CACHE_LIMIT);
    let mut b = meta::Builder::new();
    b.configure(config).syntax(syntax());
    b
}

/// The syntax of every pattern: the nesting limit.
fn syntax() -> syntax::Config {
    syntax::Config::new().nest_limit(REGEX_NEST_LIMIT)
}

/// The patterns with line anchors at every line (see [`ForLogs::re_block`]),
/// or `None` when one anchors at the text's start or end, or they do not
/// compile so.
fn block_regex(patterns: &[String]) -> Option<Regex> {
    let lines = syntax().multi_line(true).crlf(true);
    for p in patterns {
        let hir = syntax::parse_with(p, &lines).ok()?;
        if hir.properties().look_set().contains_anchor_haystack() {
            return None;
        }
    }
    let mut b = regex_builder(MatchKind::LeftmostFirst);
    b.syntax(lines).build_many(patterns).ok()
}

fn multi_regex(patterns: &[String], kind: MatchKind) -> Result<Regex, BuildError> {
    regex_builder(kind)
        .build_many(patterns)
        .map_err(|e| BuildError::Patterns {
            pattern: e.pattern().map(|p| p.as_usize()),
            message: e.to_string(),
        })
}

/// Compiles one pattern on its own, with the same syntax and limits as the
/// combined regex (used by the reference interpreter, which asks only
/// `is_match`).
pub(crate) fn single_regex(pattern: &str) -> Result<Regex, BuildError> {
    regex_builder(MatchKind::LeftmostFirst)
        .build(pattern)
        .map_err(|e| BuildError::Patterns {
            pattern: None,
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn patterns_over_the_size_limits_are_a_build_error() {
        let huge = vec![r"(?:\w{500}){200}".to_string()];
        assert!(matches!(
            Scanners::build(&[], &huge),
            Err(BuildError::Patterns { .. })
        ));
        let deep = vec![format!("{}a{}", "(".repeat(200), ")".repeat(200))];
        assert!(matches!(
            Scanners::build(&[], &deep),
            Err(BuildError::Patterns { .. })
        ));
        assert!(single_regex(&huge[0]).is_err());
    }

    #[test]
    fn scanning_reports_each_literal_and_pattern_once() {
        let s = Scanners::build(
            &["ab".into(), String::new(), "b".into()],
            &["a+".into(), "z".into()],
        )
        .unwrap();
        let (mut l, mut p, mut set) = (Vec::new(), Vec::new(), None);
        s.scan("xABab", &mut l, &mut p, &mut set);
        assert_eq!((l.clone(), p.clone()), (vec![0, 1, 2], vec![0]));
        s.scan("", &mut l, &mut p, &mut set);
        assert_eq!((l, p), (vec![1], vec![]));
    }

    proptest::proptest! {
        /// The searchers for logs find exactly what the message ones find,
        /// and a line of a block runs only what the block's searches say
        /// it may hold, without missing anything.
        #[test]
        fn log_and_message_searchers_agree(block in "[abAB01 éx\\-\r\n]{0,60}") {
            let literals: Vec<String> = ["ab", "b", "", "é", "x-1"].map(String::from).to_vec();
            let patterns: Vec<String> = [r"\bab\b", r"a+b", r"x-\d+", r"^b", r"é$", r"^$", r"a\s*b"]
                .map(String::from)
                .to_vec();
            let message = Scanners::lazy(&literals, &patterns);
            let log = Scanners::lazy(&literals, &patterns);
            log.for_logs();
            let (mut l1, mut p1, mut l2, mut p2, mut set) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new(), None);
            let mut spans = Vec::new();
            log.literal_spans(block.as_bytes(), &mut spans);
            let patterns_in_block = log.patterns_in_block(&block);
            let mut at = 0;
            for raw in block.split_inclusive('\n') {
                let end = at + raw.len();
                let line = raw.trim_end_matches(['\n', '\r']);
                message.scan(line, &mut l1, &mut p1, &mut set);
                log.scan(line, &mut l2, &mut p2, &mut set);
                proptest::prop_assert_eq!((&l1, &p1), (&l2, &p2));
                let parts = Parts {
                    literals: spans.iter().any(|s| s.0 < end && s.1 > at),
                    patterns: patterns_in_block,
                };
                log.scan_parts(line, parts, &mut l2, &mut p2, &mut set);
                proptest::prop_assert_eq!((&l1, &p1), (&l2, &p2));
                at = end;
            }
        }
    }

    #[test]
    fn a_block_gate_only_without_text_anchors() {
        let with = |p: &str| {
            let s = Scanners::lazy(&[], &[p.to_string(), "x".into()]);
            s.for_logs();
            s.patterns_in_block("a\nb\n")
        };
        // `^b` holds at the second line's start; the block says so.
        assert!(with("^b"));
        assert!(!with("^c$"));
        // `\Ab` does not hold for the second line alone, nor `(?-m)^b`;
        // with such a pattern no block search is made: every line runs.
        assert!(with(r"\Ac"));
        assert!(with("(?-m)^c"));
    }

    #[test]
    fn the_matcher_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<crate::Matcher>();
        check::<crate::Artifact>();
    }
}
