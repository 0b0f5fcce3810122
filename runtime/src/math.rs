//! The numbers of a diagnosis: probability, share and entropy from integer
//! scores in decibans.
//!
//! Takes scores (`i64` decibans), gives `f64`s. Both engines call these
//! functions, always with the same inputs in the same order, so their floats
//! agree bit for bit (docs/SEMANTICS.md, "Numbers").

/// The independent probability of a cause with this score:
/// `1 / (1 + 10^(−score/10))`.
pub(crate) fn probability(score: i64) -> f64 {
    1.0 / (1.0 + 10f64.powf(-(score as f64) / 10.0))
}

/// The weight of `score` relative to `max`: `10^((score − max)/10)`.
///
/// The difference is an integer, nearly always small: those weights come
/// from a table of the very same `powf` results (so they are bit for bit
/// what `powf` gives), which saves the `powf` calls that dominated choosing
/// the next question.
fn rel_weight(score: i64, max: i64) -> f64 {
    let d = score.saturating_sub(max);
    match usize::try_from(-(d as i128)) {
        Ok(k) if k < WEIGHT_TABLE => weights()[k],
        _ => 10f64.powf(d as f64 / 10.0),
    }
}

/// Entries of the weight table: differences 0 to −(WEIGHT_TABLE − 1) dB.
const WEIGHT_TABLE: usize = 1024;

fn weights() -> &'static [f64; WEIGHT_TABLE] {
    static TABLE: std::sync::OnceLock<[f64; WEIGHT_TABLE]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0.0; WEIGHT_TABLE];
        for (k, w) in t.iter_mut().enumerate() {
            *w = 10f64.powf(-(k as i64) as f64 / 10.0);
        }
        t
    })
}

/// Shares `w_i / Σw` of the scores, in the order given.
pub(crate) fn shares(scores: &[i64], out: &mut Vec<f64>) {
    out.clear();
    let Some(max) = scores.iter().copied().max() else {
        return;
    };
    let total: f64 = scores.iter().map(|&s| rel_weight(s, max)).sum();
    out.extend(scores.iter().map(|&s| rel_weight(s, max) / total));
}

/// The entropy in bits, `−Σ s_i log2 s_i`, of the shares of `scores`
/// (0 for none). The scores are sorted descending first, so the result does
/// not depend on the order they are given in.
///
/// Computed as `log2 W − (log2 10 / 10) · Σ w_i (score_i − max) / W` with
/// `w_i = 10^((score_i − max)/10)` and `W = Σ w_i`: the same quantity, since
/// `log2 w_i` is linear in the score, with one logarithm instead of one per
/// cause.
pub(crate) fn entropy(scores: &mut [i64]) -> f64 {
    scores.sort_unstable_by(|a, b| b.cmp(a));
    let Some(&max) = scores.first() else {
        return 0.0;
    };
    let mut total = 0.0;
    let mut weighted = 0.0;
    for &s in scores.iter() {
        let w = rel_weight(s, max);
        total += w;
        if w > 0.0 {
            weighted += w * (s.saturating_sub(max)) as f64;
        }
    }
    let h = total.log2() - std::f64::consts::LOG2_10 / 10.0 * weighted / total;
    // Rounding can leave a hair below zero when one cause dominates.
    h.max(0.0)
}

/// The expected information gain of a question: `h_now` minus the mean of
/// the entropies after each answer (answers weighted uniformly).
pub(crate) fn gain(h_now: f64, h_after: &[f64]) -> f64 {
    if h_after.is_empty() {
        return 0.0;
    }
    let sum: f64 = h_after.iter().sum();
    h_now - sum / h_after.len() as f64
}

/// A gain must exceed this to be worth a question.
pub(crate) const MIN_GAIN: f64 = 1e-9;
/// Gains closer than this are a tie, won by the earlier-declared fact.
pub(crate) const GAIN_TIE: f64 = 1e-12;

/// The share of the leading cause at or above which a diagnosis is conclusive.
pub(crate) const CONCLUSIVE_SHARE: f64 = 0.8;

/// Keeps the best `(gain, fact)` seen so far, facts offered in declaration
/// order.
pub(crate) fn better(best: Option<(f64, usize)>, gain: f64) -> bool {
    gain > MIN_GAIN
        && match best {
            None => true,
            Some((g, _)) => gain > g + GAIN_TIE,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_of_zero_is_one_half() {
        assert!((probability(0) - 0.5).abs() < 1e-12);
        assert!((probability(10) - 10.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn entropy_of_two_equal_is_one_bit() {
        assert!((entropy(&mut [3, 3]) - 1.0).abs() < 1e-12);
        assert_eq!(entropy(&mut []), 0.0);
        assert_eq!(entropy(&mut [7]), 0.0);
    }

    #[test]
    fn table_weights_are_the_powf_weights_bit_for_bit() {
        for d in -2000i64..=0 {
            let direct = 10f64.powf(d as f64 / 10.0);
            assert_eq!(rel_weight(d, 0).to_bits(), direct.to_bits(), "{d}");
            assert_eq!(rel_weight(d + 37, 37).to_bits(), direct.to_bits(), "{d}");
        }
    }

    #[test]
    fn entropy_matches_its_definition() {
        for scores in [
            vec![0, -5],
            vec![3, 3, 3],
            vec![10, 0, -6, -15, -40],
            vec![0, -3000, -4000],
        ] {
            let mut shares_v = Vec::new();
            shares(&scores, &mut shares_v);
            let direct: f64 = shares_v
                .iter()
                .filter(|p| **p > 0.0)
                .map(|p| -p * p.log2())
                .sum();
            let mut s = scores.clone();
            assert!((entropy(&mut s) - direct).abs() < 1e-12, "{scores:?}");
        }
    }

    #[test]
    fn huge_scores_do_not_overflow() {
        let mut v = Vec::new();
        shares(&[i64::MAX / 2, 0, i64::MIN / 2], &mut v);
        assert!((v[0] - 1.0).abs() < 1e-12);
        assert!(entropy(&mut [i64::MAX, i64::MIN]).is_finite());
    }
}
