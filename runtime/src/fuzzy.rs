//! "Did you mean": the closest known name to a mistyped one.
//!
//! The one typo matcher kbc has: the compiler's suggestions (unknown facts,
//! causes, enum values, sections, warnings, `kb.yaml` fields, theme files)
//! and the runtime's (an observation's unknown fact or enum value) all come
//! from [`closest`].
//!
//! ```
//! use kbc_runtime::fuzzy::closest;
//!
//! let facts = ["client_os", "host_os", "domain_joined"];
//! assert_eq!(closest("clinet_os", facts), Some("client_os"));
//! assert_eq!(closest("Domain_Joind", facts), Some("domain_joined"));
//! assert_eq!(closest("screen_size", facts), None);
//! ```

use std::cmp::Reverse;

/// The longest name compared, in characters: a longer input or candidate
/// gets no suggestion, so a hostile megabyte costs nothing.
pub const MAX_LEN: usize = 64;

/// The candidate closest to `input`, if it is close enough to be a likely
/// typo: at most a third of the input's length (and at least 1) edits away,
/// ignoring case.
///
/// An edit inserts, deletes or replaces a character, or swaps two neighbours
/// (`macso` → `macos` is one edit), the typos people actually make. Ties go
/// to the candidate sharing the longer start with the input, then to the one
/// whose differing characters are nearest (`windows12` → `windows11`, not
/// `windows10`), then to the smaller name, so the answer never depends on
/// the order of the candidates. Inputs and candidates longer than
/// [`MAX_LEN`] characters are never suggested or compared.
///
/// ```
/// use kbc_runtime::fuzzy::closest;
///
/// let os = ["windows10", "windows11", "macos"];
/// assert_eq!(closest("macso", os), Some("macos"));
/// assert_eq!(closest("windows12", os), Some("windows11"));
/// assert_eq!(closest("solaris", os), None);
/// assert_eq!(closest(&"x".repeat(1 << 20), os), None);
/// ```
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = lowered(input)?;
    let limit = (input.chars().count() / 3).max(1);
    let mut best: Option<(usize, Reverse<usize>, u64, &str)> = None;
    for c in candidates {
        let Some(cand) = lowered(c) else {
            continue;
        };
        // The distance is at least the difference in length: skip early.
        if cand.len().abs_diff(word.len()) > limit {
            continue;
        }
        let d = distance(&word, &cand);
        if d > limit {
            continue;
        }
        let prefix = word.iter().zip(&cand).take_while(|(a, b)| a == b).count();
        let diff: u64 = word
            .iter()
            .zip(&cand)
            .map(|(a, b)| u64::from((*a as u32).abs_diff(*b as u32)))
            .sum();
        let key = (d, Reverse(prefix), diff, c);
        if best.is_none_or(|b| key < b) {
            best = Some(key);
        }
    }
    best.map(|(_, _, _, c)| c)
}

/// The lowercased characters of `s`, or `None` past [`MAX_LEN`] (found
/// without reading further).
fn lowered(s: &str) -> Option<Vec<char>> {
    if s.chars().nth(MAX_LEN).is_some() {
        return None;
    }
    Some(s.chars().flat_map(char::to_lowercase).collect())
}

/// Edit distance counting insertions, deletions, substitutions and
/// transpositions of neighbours (optimal string alignment).
fn distance(a: &[char], b: &[char]) -> usize {
    let at = |row: &[usize], j: usize| row.get(j).copied().unwrap_or(0);
    // Three rows of the table: two back (for transpositions), the last, this.
    let mut before = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = at(&prev, j) + usize::from(ca != cb);
            let del = at(&prev, j + 1) + 1;
            let ins = at(&cur, j) + 1;
            let mut d = sub.min(del).min(ins);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                d = d.min(at(&before, j - 1) + 1);
            }
            if let Some(c) = cur.get_mut(j + 1) {
                *c = d;
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    at(&prev, b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dist(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distance(&a, &b)
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(dist("kitten", "sitting"), 3);
        assert_eq!(dist("", "abc"), 3);
        assert_eq!(dist("abc", ""), 3);
        assert_eq!(dist("same", "same"), 0);
        assert_eq!(dist("clinet_os", "client_os"), 1);
    }

    #[test]
    fn a_transposition_counts_one() {
        assert_eq!(dist("macso", "macos"), 1);
        assert_eq!(dist("ab", "ba"), 1);
        assert_eq!(dist("server2109", "server2019"), 1);
        // Plain Levenshtein says 2, more than a two-letter word may differ by.
        assert_eq!(closest("ba", ["ab", "xyz"]), Some("ab"));
        assert_eq!(closest("macso", ["macos", "linux"]), Some("macos"));
    }

    #[test]
    fn long_names_are_not_compared() {
        let at_limit = "a".repeat(MAX_LEN);
        let typo = format!("{}b", "a".repeat(MAX_LEN - 1));
        assert_eq!(closest(&typo, [at_limit.as_str()]), Some(at_limit.as_str()));
        // One character more: no suggestion, even for an exact match.
        let over = "a".repeat(MAX_LEN + 1);
        assert_eq!(closest(&over, [over.as_str()]), None);
        assert_eq!(closest("aaaa", [over.as_str()]), None);
        // A hostile megabyte is refused before any comparison.
        let huge = "é".repeat(1 << 19);
        assert_eq!(closest(&huge, ["é", "e"]), None);
    }

    #[test]
    fn nothing_close_means_no_suggestion() {
        let values = ["windows7", "windows10", "windows11", "macos"];
        assert_eq!(closest("solaris", values), None);
        assert_eq!(closest("zzzzzz", ["client_os"]), None);
        assert_eq!(closest("client_os", std::iter::empty()), None);
        // A third of the input's length: `os` is 7 edits from `client_os`.
        assert_eq!(closest("os", ["client_os"]), None);
    }

    #[test]
    fn suggestions_ignore_case() {
        assert_eq!(closest("Client_OS", ["client_os"]), Some("client_os"));
        assert_eq!(closest("clinet_os", ["Client_OS"]), Some("Client_OS"));
    }

    #[test]
    fn ties_are_broken_the_same_in_any_order() {
        // The longer common start wins.
        assert_eq!(closest("abx", ["zbx", "abc"]), Some("abc"));
        assert_eq!(closest("abx", ["abc", "zbx"]), Some("abc"));
        // Then the nearest characters.
        assert_eq!(
            closest("windows12", ["windows10", "windows11"]),
            Some("windows11")
        );
        assert_eq!(
            closest("windows12", ["windows11", "windows10"]),
            Some("windows11")
        );
        // Then the smaller name.
        assert_eq!(closest("b", ["c", "a"]), Some("a"));
        assert_eq!(closest("b", ["a", "c"]), Some("a"));
    }

    proptest! {
        #[test]
        fn never_panics_and_suggests_only_a_candidate(
            input in "\\PC{0,80}",
            candidates in proptest::collection::vec("\\PC{0,80}", 0..6),
        ) {
            let found = closest(&input, candidates.iter().map(String::as_str));
            if let Some(c) = found {
                prop_assert!(candidates.iter().any(|x| x == c));
                prop_assert!(input.chars().count() <= MAX_LEN);
                prop_assert!(c.chars().count() <= MAX_LEN);
            }
            let mut reversed = candidates.clone();
            reversed.reverse();
            prop_assert_eq!(found, closest(&input, reversed.iter().map(String::as_str)));
        }
    }
}
