//! Bootstrap confidence intervals for a slice's headline metric.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::confusion::Confusion;
use super::scores::Scores;

/// Number of bootstrap resamples.
pub const RESAMPLES: usize = 200;

/// Percentile 95% interval of F1 over `rows`, resampled with replacement (seeded).
pub fn f1_interval(
    y: &[u32],
    pred: &[u32],
    rows: &[usize],
    n_classes: usize,
    seed: u64,
) -> (f64, f64) {
    if rows.is_empty() {
        return (0.0, 0.0);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut samples: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let mut c = Confusion::new(n_classes);
            for _ in 0..rows.len() {
                let i = rows[rng.random_range(0..rows.len())];
                c.add(y[i], pred[i]);
            }
            Scores::from_confusion(&c).f1
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((q * (RESAMPLES - 1) as f64).round() as usize).min(RESAMPLES - 1)];
    (at(0.025), at(0.975))
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
        let point =
            Scores::from_confusion(&Confusion::from_rows(&y, &p, all.iter().copied(), 2)).f1;
        let (lo, hi) = f1_interval(&y, &p, &all, 2, 1);
        assert!(lo <= point && point <= hi, "{lo} {point} {hi}");
        let (lo_s, hi_s) = f1_interval(&y, &p, &all[..100], 2, 1);
        assert!(hi_s - lo_s > hi - lo);
    }
}
