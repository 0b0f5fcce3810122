//! The text scanners: one aho-corasick automaton for every `contains`
//! literal and one multi-pattern regex for every `matches` pattern, each run
//! once per text segment.
//!
//! Takes the literal and pattern lists of the lowered tables, gives the ids
//! of the literals and patterns found in a segment. Both are built with
//! explicit size limits; a set that exceeds them is a [`BuildError`].

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex_automata::{
    meta::{self, Regex},
    nfa::thompson::WhichCaptures,
    util::syntax,
    Input, MatchKind, PatternSet,
};

use crate::artifact::BuildError;

/// Size limit of the regex's compiled NFA (and of its one-pass DFA).
pub const REGEX_NFA_LIMIT: usize = 64 << 20;
/// Size limit of a fully compiled regex DFA (larger sets use the lazy DFA).
pub const REGEX_DFA_LIMIT: usize = 8 << 20;
/// Capacity of the lazy DFA's cache.
pub const REGEX_CACHE_LIMIT: usize = 8 << 20;
/// Limit of group and repetition nesting in one pattern.
pub const REGEX_NEST_LIMIT: u32 = 100;
/// Up to this many literals the automaton may be a full DFA; above, a
/// contiguous NFA keeps memory proportional to the literals.
pub const AC_DFA_LIMIT_PATTERNS: usize = 2_000;

/// The text scanners of one knowledge base, compiled on first use.
///
/// [`Artifact::build`](crate::Artifact::build) compiles them at once, so a
/// pattern set over the limits is a build error. Loading an artifact leaves
/// compiling to the first text segment, so a matcher that is never given
/// text never pays for it; patterns that do not compile then (only possible
/// for bytes not written by `build`) find nothing.
#[derive(Debug, Clone)]
pub(crate) struct Scanners {
    literals: Vec<String>,
    patterns: Vec<String>,
    built: std::sync::OnceLock<Result<Built, BuildError>>,
}

/// The compiled automaton and regexes.
#[derive(Debug, Clone)]
struct Built {
    ac: Option<AhoCorasick>,
    /// Literal ids of the automaton's patterns (empty literals are left out).
    ac_ids: Vec<u32>,
    /// Ids of empty literals: they are found in every segment.
    empty_literals: Vec<u32>,
    /// The patterns, leftmost-first: whether any matches. This search can
    /// use a literal prefilter, which the overlapping one cannot, so the
    /// many segments that match nothing cost little.
    ///
    /// Both regexes keep no capture groups: we ask only whether and which
    /// patterns match. That matters for bounded memory: when the lazy DFA
    /// gives up (a Unicode `\b` meets a non-ASCII byte), the fallback
    /// engine's per-search table is as large as NFA states × capture slots
    /// — hundreds of megabytes for a thousand patterns with slots, under
    /// one without.
    re_any: Option<Regex>,
    /// The same patterns, `MatchKind::All`: which patterns match. Compiled
    /// when a segment first matches some pattern, which many observations
    /// never do: compiling is most of a one-shot diagnosis's time and
    /// memory.
    re: std::sync::OnceLock<Option<Regex>>,
    patterns: Vec<String>,
}

impl Scanners {
    /// Scanners compiled now, both regexes included: errors are reported.
    pub(crate) fn build(literals: &[String], patterns: &[String]) -> Result<Scanners, BuildError> {
        let s = Scanners::lazy(literals, patterns);
        let built = s.get()?;
        if !patterns.is_empty() {
            let re = multi_regex(patterns, MatchKind::All)?;
            let _ = built.re.set(Some(re));
        }
        Ok(s)
    }

    /// Scanners compiled on first use.
    pub(crate) fn lazy(literals: &[String], patterns: &[String]) -> Scanners {
        Scanners {
            literals: literals.to_vec(),
            patterns: patterns.to_vec(),
            built: std::sync::OnceLock::new(),
        }
    }

    fn get(&self) -> Result<&Built, BuildError> {
        self.built
            .get_or_init(|| Built::build(&self.literals, &self.patterns))
            .as_ref()
            .map_err(Clone::clone)
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
        match self.get() {
            Ok(b) => b.scan(text, true, lits, pats, set),
            Err(_) => {
                lits.clear();
                pats.clear();
            }
        }
    }

    /// Spans of non-empty literals in `bytes`, in order, into `out`: every
    /// occurrence of a literal starts inside one of them (a search that
    /// resumes after each match). A line that overlaps none holds no
    /// literal and can be scanned with [`scan_without_literals`]; one
    /// search over many lines costs far less than one per line.
    ///
    /// [`scan_without_literals`]: Scanners::scan_without_literals
    pub(crate) fn literal_spans(&self, bytes: &[u8], out: &mut Vec<(usize, usize)>) {
        out.clear();
        if let Some(ac) = self.get().ok().and_then(|b| b.ac.as_ref()) {
            out.extend(ac.find_iter(bytes).map(|m| (m.start(), m.end())));
        }
    }

    /// [`scan`](Scanners::scan) for a text known to hold no non-empty
    /// literal: only the empty literals and the patterns are found.
    pub(crate) fn scan_without_literals(
        &self,
        text: &str,
        lits: &mut Vec<u32>,
        pats: &mut Vec<u32>,
        set: &mut Option<PatternSet>,
    ) {
        match self.get() {
            Ok(b) => b.scan(text, false, lits, pats, set),
            Err(_) => {
                lits.clear();
                pats.clear();
            }
        }
    }
}

impl Built {
    fn build(literals: &[String], patterns: &[String]) -> Result<Built, BuildError> {
        let mut ac_ids = Vec::new();
        let mut ac_pats = Vec::new();
        let mut empty_literals = Vec::new();
        for (i, l) in literals.iter().enumerate() {
            let id = u32::try_from(i).map_err(|_| BuildError::TooLarge {
                what: "literals".into(),
            })?;
            if l.is_empty() {
                empty_literals.push(id);
            } else {
                ac_ids.push(id);
                ac_pats.push(l.as_str());
            }
        }
        let ac = if ac_pats.is_empty() {
            None
        } else {
            let mut b = AhoCorasickBuilder::new();
            b.ascii_case_insensitive(true)
                .match_kind(AcMatchKind::Standard)
                // A full DFA only for small sets: it is fast but large.
                .kind(if ac_pats.len() <= AC_DFA_LIMIT_PATTERNS {
                    Some(aho_corasick::AhoCorasickKind::DFA)
                } else {
                    Some(aho_corasick::AhoCorasickKind::ContiguousNFA)
                });
            Some(b.build(&ac_pats).map_err(|e| BuildError::Literals {
                message: e.to_string(),
            })?)
        };
        let re_any = if patterns.is_empty() {
            None
        } else {
            Some(multi_regex(patterns, MatchKind::LeftmostFirst)?)
        };
        Ok(Built {
            ac,
            ac_ids,
            empty_literals,
            re_any,
            re: std::sync::OnceLock::new(),
            patterns: patterns.to_vec(),
        })
    }

    /// The overlapping regex. It compiles whenever the leftmost-first one
    /// did (same patterns, same limits); if it did not, nothing is found.
    fn re(&self) -> Option<&Regex> {
        self.re
            .get_or_init(|| multi_regex(&self.patterns, MatchKind::All).ok())
            .as_ref()
    }

    /// Finds the literals (the non-empty ones only if `literals`) and the
    /// patterns in `text`; ids are appended to the two vectors, sorted and
    /// without repeats. `set` is a reusable buffer.
    fn scan(
        &self,
        text: &str,
        literals: bool,
        lits: &mut Vec<u32>,
        pats: &mut Vec<u32>,
        set: &mut Option<PatternSet>,
    ) {
        lits.clear();
        pats.clear();
        lits.extend_from_slice(&self.empty_literals);
        if let Some(ac) = self.ac.as_ref().filter(|_| literals) {
            for m in ac.find_overlapping_iter(text) {
                if let Some(&id) = self.ac_ids.get(m.pattern().as_usize()) {
                    lits.push(id);
                }
            }
            lits.sort_unstable();
            lits.dedup();
        }
        if let Some(any) = &self.re_any {
            // Most segments match nothing: the leftmost-first search settles
            // those quickly.
            if !any.is_match(Input::new(text)) {
                return;
            }
            let Some(re) = self.re() else {
                return;
            };
            let input = Input::new(text);
            let set = match set {
                Some(s) if s.capacity() == re.pattern_len() => s,
                _ => set.insert(PatternSet::new(re.pattern_len())),
            };
            set.clear();
            re.which_overlapping_matches(&input, set);
            pats.extend(set.iter().map(|p| p.as_usize() as u32));
        }
    }
}

/// The regex builder every pattern set is compiled with: the size limits,
/// the nesting limit, and no capture groups (see [`Built::re_any`]).
fn regex_builder(kind: MatchKind) -> meta::Builder {
    let config = Regex::config()
        .match_kind(kind)
        .which_captures(WhichCaptures::None)
        .nfa_size_limit(Some(REGEX_NFA_LIMIT))
        .onepass_size_limit(Some(REGEX_NFA_LIMIT))
        .dfa_size_limit(Some(REGEX_DFA_LIMIT))
        .hybrid_cache_capacity(REGEX_CACHE_LIMIT);
    let mut b = meta::Builder::new();
    b.configure(config)
        .syntax(syntax::Config::new().nest_limit(REGEX_NEST_LIMIT));
    b
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

    #[test]
    fn the_matcher_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<crate::Matcher>();
        check::<crate::Artifact>();
    }
}
