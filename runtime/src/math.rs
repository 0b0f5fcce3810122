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
/// (0 for none), in any order.
///
/// Computed as `log2 W + (log2 10 / 10) · Σ w_i (m − score_i) / W` with
/// integer sums: `w_i` is `10^((score_i − m)/10)` in fixed point (2⁶² for
/// the top score `m`, 0 below −186 dB, where a share is under 10⁻¹⁸), and
/// `W = Σ w_i`. Integer addition does not depend on order, so the result
/// is the same for every order of the same scores — no sorting, one
/// logarithm — and both engines get the same bits.
pub(crate) fn entropy(scores: &[i64]) -> f64 {
    let Some(max) = scores.iter().copied().max() else {
        return 0.0;
    };
    let mut sums = EntropySums::new(max);
    scores.iter().for_each(|&s| sums.add(s));
    sums.entropy()
}

/// The integer sums behind [`entropy`], relative to a top score, which
/// scores can be added to and removed from: the same scores give the same
/// sums however they got there, so an entropy updated for a few changed
/// scores has the very bits of one computed afresh.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntropySums {
    max: i64,
    total: u128,
    weighted: u128,
}

impl EntropySums {
    /// Empty sums for scores at most `max` (the top score, once added).
    pub(crate) fn new(max: i64) -> EntropySums {
        EntropySums {
            max,
            total: 0,
            weighted: 0,
        }
    }

    /// The top score the sums are relative to.
    pub(crate) fn max(&self) -> i64 {
        self.max
    }

    fn terms(&self, s: i64) -> (u128, u128) {
        let below = self.max.saturating_sub(s);
        match usize::try_from(below)
            .ok()
            .and_then(|k| fixed_weights().get(k))
        {
            Some(&w) => (u128::from(w), u128::from(w) * below as u128),
            None => (0, 0),
        }
    }

    /// Adds a score (at most `max`).
    pub(crate) fn add(&mut self, s: i64) {
        let (w, d) = self.terms(s);
        self.total += w;
        self.weighted += d;
    }

    /// Removes a score added before.
    pub(crate) fn remove(&mut self, s: i64) {
        let (w, d) = self.terms(s);
        self.total = self.total.saturating_sub(w);
        self.weighted = self.weighted.saturating_sub(d);
    }

    /// The entropy of the scores added, in bits (0 for none).
    pub(crate) fn entropy(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let h = (self.total as f64).log2() - f64::from(FIXED_ONE_BITS)
            + std::f64::consts::LOG2_10 / 10.0 * self.weighted as f64 / self.total as f64;
        // Rounding can leave a hair below zero when one cause dominates.
        h.max(0.0)
    }
}

/// The fixed-point scale of [`fixed_weights`]: 1.0 is `2^FIXED_ONE_BITS`.
const FIXED_ONE_BITS: u32 = 62;

/// `10^(−k/10)` in fixed point for `k` = 0 dB down to where it rounds to 0.
fn fixed_weights() -> &'static [u64] {
    static TABLE: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let one = (1u64 << FIXED_ONE_BITS) as f64;
        (0..WEIGHT_TABLE)
            .map(|k| (weights()[k] * one).round() as u64)
            .take_while(|&w| w > 0)
            .collect()
    })
}

/// The expected information gain of a question: `h_now` minus the mean of
/// the entropies after each answer (answers weighted uniformly). The
/// entropies are summed in ascending order, so the order the answers were
/// weighed in does not change a bit of the result.
pub(crate) fn gain(h_now: f64, h_after: &mut [f64]) -> f64 {
    if h_after.is_empty() {
        return 0.0;
    }
    h_after.sort_unstable_by(f64::total_cmp);
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
        assert!((entropy(&[3, 3]) - 1.0).abs() < 1e-12);
        assert_eq!(entropy(&[]), 0.0);
        assert_eq!(entropy(&[7]), 0.0);
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
            assert!((entropy(&scores) - direct).abs() < 1e-12, "{scores:?}");
        }
    }

    #[test]
    fn huge_scores_do_not_overflow() {
        let mut v = Vec::new();
        shares(&[i64::MAX / 2, 0, i64::MIN / 2], &mut v);
        assert!((v[0] - 1.0).abs() < 1e-12);
        assert!(entropy(&[i64::MAX, i64::MIN]).is_finite());
    }

    #[test]
    fn sums_updated_give_the_bits_of_sums_afresh() {
        let before = [10, -3, 0, -6, 10, -15];
        let after = [10, -3, 6, -6, 10, -15, 4];
        let mut sums = EntropySums::new(10);
        before.iter().for_each(|&s| sums.add(s));
        sums.remove(0);
        sums.add(6);
        sums.add(4);
        assert_eq!(sums.entropy().to_bits(), entropy(&after).to_bits());
    }

    #[test]
    fn entropy_does_not_depend_on_order() {
        let scores = [10, -3, 0, -6, 10, -15, -200, 4, -5, -5, 3];
        let h = entropy(&scores);
        let mut s = scores;
        for _ in 0..20 {
            s.rotate_left(3);
            s.swap(1, 7);
            assert_eq!(entropy(&s).to_bits(), h.to_bits());
        }
    }
}
