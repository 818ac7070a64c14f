//! Bootstrap confidence intervals of a slice's metrics, reproducible per set of rows.
//!
//! Each slice is resampled with an RNG seeded from its own row indices and the report's seed, so
//! the same rows always get the same interval, whatever other slices are in the report.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::confusion::Confusion;
use super::metric::Metric;
use super::scores::Scores;

/// Number of bootstrap resamples.
pub const RESAMPLES: usize = 200;

/// Resamples in which a metric must be defined for its interval to be (90%); the undefined
/// ones are skipped.
pub const MIN_DEFINED: usize = 180;

/// Above this many rows a slice is resampled through its confusion counts (a multinomial
/// bootstrap, [`super::multinomial`]) instead of row by row: 200 row resamples of 10 million rows
/// took minutes per slice.
pub const ROW_RESAMPLING_MAX: usize = 200_000;

/// A percentile 95% interval `(low, high)`.
pub type Interval = (f64, f64);

/// The RNG seed of a set of rows: a 64-bit FNV-1a hash of the indices, mixed with `seed`.
pub fn rows_seed(rows: &[usize], seed: u64) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &i in rows {
        for b in (i as u64).to_le_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    h
}

/// Percentile 95% intervals of every [`Metric`] over `rows`, resampled with replacement from an
/// RNG seeded by [`rows_seed`]. A metric undefined in more than `RESAMPLES - MIN_DEFINED`
/// resamples has no interval (it is absent from the map).
pub fn intervals(
    y: &[u32],
    pred: &[u32],
    rows: &[usize],
    n_classes: usize,
    seed: u64,
) -> BTreeMap<Metric, Interval> {
    if rows.is_empty() {
        return BTreeMap::new();
    }
    if rows.len() > ROW_RESAMPLING_MAX {
        // The metrics depend on a resample only through its confusion counts, so resampling the
        // counts is the same bootstrap at a cost that does not grow with the rows.
        let c = Confusion::from_rows(y, pred, rows.iter().copied(), n_classes);
        return super::multinomial::multinomial_intervals(&c, rows_seed(rows, seed));
    }
    let mut rng = StdRng::seed_from_u64(rows_seed(rows, seed));
    let mut samples: BTreeMap<Metric, Vec<f64>> = BTreeMap::new();
    for _ in 0..RESAMPLES {
        let mut c = Confusion::new(n_classes);
        for _ in 0..rows.len() {
            let i = rows[rng.random_range(0..rows.len())];
            c.add(y[i], pred[i]);
        }
        record(&mut samples, &c);
    }
    percentiles(samples)
}

/// The 95% percentile interval of each metric defined in at least [`MIN_DEFINED`] resamples.
pub(super) fn percentiles(samples: BTreeMap<Metric, Vec<f64>>) -> BTreeMap<Metric, Interval> {
    let mut out = BTreeMap::new();
    for (m, mut v) in samples {
        if v.len() >= MIN_DEFINED {
            v.sort_by(f64::total_cmp);
            let at = |q: f64| v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
            out.insert(m, (at(0.025), at(0.975)));
        }
    }
    out
}

/// Adds every metric of `c` that is defined to its resample list.
pub(super) fn record(samples: &mut BTreeMap<Metric, Vec<f64>>, c: &Confusion) {
    let s = Scores::from_confusion(c);
    for m in Metric::ALL {
        if let Some(v) = m.of(&s) {
            samples.entry(m).or_default().push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_brackets_the_estimate_and_narrows_with_data() {
        let y: Vec<u32> = (0..2000).map(|i| u32::from(i % 2 == 0)).collect();
        let p: Vec<u32> = (0..2000)
            .map(|i| if i % 10 == 0 { 1 - y[i] } else { y[i] })
            .collect();
        let all: Vec<usize> = (0..2000).collect();
        let c = Confusion::from_rows(&y, &p, all.iter().copied(), 2);
        let point = Scores::from_confusion(&c).f1.unwrap();
        let (lo, hi) = intervals(&y, &p, &all, 2, 1)[&Metric::F1];
        assert!(lo <= point && point <= hi, "{lo} {point} {hi}");
        let (lo_s, hi_s) = intervals(&y, &p, &all[..100], 2, 1)[&Metric::F1];
        assert!(hi_s - lo_s > hi - lo);
    }

    #[test]
    fn mostly_undefined_resamples_leave_no_interval() {
        // One positive in 100 rows: most resamples hold no positive label or prediction.
        let y: Vec<u32> = (0..100).map(|i| u32::from(i == 0)).collect();
        let rows: Vec<usize> = (0..100).collect();
        let iv = intervals(&y, &y, &rows, 2, 0);
        assert!(!iv.contains_key(&Metric::F1));
        assert_eq!(iv[&Metric::Accuracy], (1.0, 1.0));
    }

    #[test]
    fn large_slices_resample_their_counts_with_the_same_spread() {
        // Accuracy 0.9 over n rows: the bootstrap's 95% interval is about ±1.96·sqrt(0.09 / n).
        let n = ROW_RESAMPLING_MAX + 100_000;
        let y = vec![1u32; n];
        let p: Vec<u32> = (0..n).map(|i| u32::from(i % 10 != 0)).collect();
        let rows: Vec<usize> = (0..n).collect();
        let (lo, hi) = intervals(&y, &p, &rows, 2, 3)[&Metric::Accuracy];
        let half = 1.96 * (0.09 / n as f64).sqrt();
        assert!(lo < 0.9 && 0.9 < hi, "{lo} {hi}");
        assert!(
            (hi - lo - 2.0 * half).abs() < 0.5 * half,
            "{lo} {hi} vs ±{half}"
        );
    }
}
