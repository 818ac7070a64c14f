//! Bootstrap intervals from confusion counts alone: a multinomial resample over the cells.
//!
//! Resampling `n` rows with replacement and tallying them draws the cell counts from a
//! multinomial with the cells' proportions; drawing the cells directly gives the same
//! distribution of every metric without the rows, so counts from an SQL engine get intervals too.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::bootstrap::{Interval, RESAMPLES, percentiles, record};
use super::confusion::Confusion;
use super::metric::Metric;

/// Up to this many rows each resample draws every row; above, cells are drawn as binomials.
pub const DIRECT_DRAWS: u64 = 200_000;

/// The RNG seed of a confusion matrix: a 64-bit FNV-1a hash of its cells, mixed with `seed`.
pub fn counts_seed(c: &Confusion, seed: u64) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &x in c.counts.iter().chain(&c.unknown) {
        for b in x.to_le_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    h
}

/// Percentile 95% intervals of every [`Metric`] over [`RESAMPLES`] multinomial resamples of
/// `c`'s cells (unknown predictions included), seeded by [`counts_seed`].
pub fn multinomial_intervals(c: &Confusion, seed: u64) -> BTreeMap<Metric, Interval> {
    let n = c.total();
    if n == 0 {
        return BTreeMap::new();
    }
    let k = c.n_classes;
    let cells: Vec<u64> = c.counts.iter().chain(&c.unknown).copied().collect();
    let mut rng = StdRng::seed_from_u64(counts_seed(c, seed));
    let mut samples: BTreeMap<Metric, Vec<f64>> = BTreeMap::new();
    for _ in 0..RESAMPLES {
        let drawn = if n <= DIRECT_DRAWS {
            direct(&cells, n, &mut rng)
        } else {
            by_binomials(&cells, n, &mut rng)
        };
        let mut r = Confusion::new(k);
        r.counts.copy_from_slice(&drawn[..k * k]);
        r.unknown.copy_from_slice(&drawn[k * k..]);
        record(&mut samples, &r);
    }
    percentiles(samples)
}

/// `n` draws of a row index; each falls in the cell that holds that row.
fn direct(cells: &[u64], n: u64, rng: &mut StdRng) -> Vec<u64> {
    let ends: Vec<u64> = cells
        .iter()
        .scan(0u64, |acc, &x| {
            *acc += x;
            Some(*acc)
        })
        .collect();
    let mut out = vec![0u64; cells.len()];
    for _ in 0..n {
        let row = rng.random_range(0..n);
        out[ends.partition_point(|&end| end <= row)] += 1;
    }
    out
}

/// A multinomial draw as a chain of binomials: each cell given what earlier cells took.
fn by_binomials(cells: &[u64], n: u64, rng: &mut StdRng) -> Vec<u64> {
    let (mut left_n, mut left_w) = (n, n);
    cells
        .iter()
        .map(|&w| {
            if left_w == 0 || left_n == 0 {
                return 0;
            }
            let x = binomial(left_n, w as f64 / left_w as f64, rng);
            left_n -= x;
            left_w -= w;
            x
        })
        .collect()
}

/// A Binomial(n, p) draw: exact (geometric waiting times) when a tail is small, else the
/// normal approximation, whose error is far below the bootstrap's own at these sizes.
fn binomial(n: u64, p: f64, rng: &mut StdRng) -> u64 {
    if p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let mean = n as f64 * p;
    if mean < 30.0 {
        return waiting_times(n, p, rng);
    }
    if n as f64 - mean < 30.0 {
        return n - waiting_times(n, 1.0 - p, rng);
    }
    // Box-Muller.
    let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (mean + z * (mean * (1.0 - p)).sqrt())
        .round()
        .clamp(0.0, n as f64) as u64
}

/// Successes among `n` trials counted by jumping from one success to the next.
fn waiting_times(n: u64, p: f64, rng: &mut StdRng) -> u64 {
    let log_q = (1.0 - p).ln();
    let (mut at, mut hits) = (0u64, 0u64);
    loop {
        let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
        at = at.saturating_add((u.ln() / log_q).floor() as u64 + 1);
        if at > n {
            return hits;
        }
        hits += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::bootstrap::intervals;

    fn data() -> (Vec<u32>, Vec<u32>, Vec<usize>) {
        let y: Vec<u32> = (0..3000).map(|i| (i % 3) as u32).collect();
        let p: Vec<u32> = (0..3000)
            .map(|i| if i % 7 == 0 { (y[i] + 1) % 3 } else { y[i] })
            .collect();
        (y, p, (0..3000).collect())
    }

    #[test]
    fn multinomial_interval_is_close_to_the_row_bootstrap() {
        let (y, p, rows) = data();
        let by_rows = intervals(&y, &p, &rows, 3, 7);
        let c = Confusion::from_rows(&y, &p, rows.iter().copied(), 3);
        let by_counts = multinomial_intervals(&c, 7);
        for m in [Metric::Accuracy, Metric::MacroF1, Metric::ErrorRate] {
            let ((a, b), (c, d)) = (by_rows[&m], by_counts[&m]);
            assert!((a - c).abs() < 0.01 && (b - d).abs() < 0.01, "{m:?}");
        }
        // The binomial chain used for large tables agrees too.
        let mut big = c.clone();
        big.counts.iter_mut().for_each(|x| *x *= 100);
        let wide = multinomial_intervals(&c, 7)[&Metric::Accuracy];
        let narrow = multinomial_intervals(&big, 7)[&Metric::Accuracy];
        let point = c.correct() as f64 / c.total() as f64;
        assert!(narrow.0 < point && point < narrow.1);
        let ratio = (wide.1 - wide.0) / (narrow.1 - narrow.0);
        assert!((7.0..13.0).contains(&ratio), "{ratio}");
    }

    #[test]
    fn same_counts_same_interval() {
        let (y, p, rows) = data();
        let c = Confusion::from_rows(&y, &p, rows.iter().copied(), 3);
        assert_eq!(multinomial_intervals(&c, 1), multinomial_intervals(&c, 1));
        assert!(multinomial_intervals(&Confusion::new(2), 1).is_empty());
    }
}
