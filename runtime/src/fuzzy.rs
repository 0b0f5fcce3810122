//! "Did you mean": the closest known name by edit distance.

/// Longest input compared; longer inputs get no suggestion (and cost nothing).
const MAX_LEN: usize = 64;

/// Levenshtein distance over chars.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The candidate closest to `input`, if it is close enough to be a likely
/// typo (distance at most a third of the longer length, and at least 1 allowed).
pub(crate) fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if input.len() > MAX_LEN {
        return None;
    }
    let lower = input.to_lowercase();
    // Ties go to the longer common prefix, then to the smaller sum of
    // character differences (`windows12` → `windows11`, not `windows10`).
    let closeness = |c: &str| {
        let c = c.to_lowercase();
        let prefix = lower
            .chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let diff: u64 = lower
            .chars()
            .zip(c.chars())
            .map(|(a, b)| u64::from((a as u32).abs_diff(b as u32)))
            .sum();
        (distance(&lower, &c), std::cmp::Reverse(prefix), diff)
    };
    candidates
        .into_iter()
        .filter(|c| c.len() <= MAX_LEN)
        .map(|c| (closeness(c), c))
        .filter(|((d, _, _), c)| *d <= (c.chars().count().max(input.chars().count()) / 3).max(1))
        .min_by_key(|(k, _)| *k)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_typo_fix() {
        assert_eq!(distance("clinet_os", "client_os"), 2);
        assert_eq!(
            closest("clinet_os", ["client_os", "host_os"]),
            Some("client_os")
        );
        assert_eq!(
            closest("windows12", ["windows7", "windows11"]),
            Some("windows11")
        );
        assert_eq!(closest("zzzzzz", ["client_os"]), None);
    }
}
