//! "Did you mean" suggestions by edit distance over known names.

/// Edit distance in characters, counting insertions, deletions,
/// substitutions and transpositions of neighbours (`macso` → `macos` is one
/// edit), the typos people actually make.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut d = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely
/// typo: at most a third of the word's length (and at least 1) edits away.
/// Ties go to the earlier candidate.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.chars().count() > 200 {
        return None;
    }
    let len = word.chars().count();
    let limit = (len / 3).max(1);
    let lower = word.to_lowercase();
    let ascii = word.is_ascii();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let c_len = c.chars().count();
        // The distance is at least the difference in length (lowercasing
        // keeps ASCII lengths): skip early.
        if c_len > 200 || (ascii && c.is_ascii() && c_len.abs_diff(len) > limit) {
            continue;
        }
        let d = distance(&lower, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
        assert_eq!(distance("macso", "macos"), 1);
        assert_eq!(distance("ab", "ba"), 1);
    }

    #[test]
    fn closest_suggests_typos_only() {
        let values = ["windows7", "windows10", "windows11", "macos"];
        assert_eq!(closest("windows12", values), Some("windows10"));
        assert_eq!(closest("macso", values), Some("macos"));
        assert_eq!(closest("solaris", values), None);
    }
}
