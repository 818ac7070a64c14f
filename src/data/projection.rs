//! Two-dimensional projections of feature vectors for plotting (PCA by power iteration).

use crate::kernels::gemm::{Mat, matmul};

/// Power-iteration steps; plenty for the two leading components of a small covariance matrix.
const ITERATIONS: usize = 300;

/// Squared step between iterations below which the power iteration stops early.
const CONVERGED: f64 = 1e-14;

/// Projects the rows of a row-major `[n, d]` matrix onto its first two principal components.
///
/// Components are unit vectors with their largest entry positive, so the picture is the same on
/// every run. With `d == 1` the second coordinate is zero.
pub fn pca_2d(x: &[f32], d: usize) -> Vec<[f32; 2]> {
    if d == 0 || x.len() < d {
        return Vec::new();
    }
    let mean = column_means(x, d);
    let cov = covariance(x, d, &mean);
    let first = leading_vector(&cov, d, None);
    let second = leading_vector(&cov, d, Some(&first));
    x.chunks_exact(d)
        .map(|row| {
            let dot = |v: &[f64]| -> f32 {
                let s: f64 = row
                    .iter()
                    .zip(&mean)
                    .zip(v)
                    .map(|((&x, m), v)| (f64::from(x) - m) * v)
                    .sum();
                s as f32
            };
            [dot(&first), dot(&second)]
        })
        .collect()
}

fn column_means(x: &[f32], d: usize) -> Vec<f64> {
    let mut mean = vec![0.0; d];
    let mut n = 0usize;
    for row in x.chunks_exact(d) {
        mean.iter_mut()
            .zip(row)
            .for_each(|(m, &v)| *m += f64::from(v));
        n += 1;
    }
    mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
    mean
}

// [d, d], symmetric: Xcᵀ·Xc of the centred rows in one `gemm` call (a row-by-row loop over a
// 784-wide table streamed the whole [d, d] matrix through memory once per row: 0.5 s for 5,000
// rows). `f32` products are plenty for a picture's axes.
fn covariance(x: &[f32], d: usize, mean: &[f64]) -> Vec<f64> {
    let n = x.len() / d;
    let centred: Vec<f32> = x[..n * d]
        .chunks_exact(d)
        .flat_map(|row| {
            row.iter()
                .zip(mean)
                .map(|(&v, m)| (f64::from(v) - m) as f32)
        })
        .collect();
    let mut cov = vec![0.0f32; d * d];
    matmul(
        &mut cov,
        false,
        &Mat::transposed(&centred, d),
        &Mat::rows(&centred, d),
        (d, d, n),
    );
    cov.into_iter().map(f64::from).collect()
}

/// `cov · v` for a row-major `[d, d]` matrix, each row's sum over four partial lanes (a single
/// running sum is a serial chain the compiler may not vectorise).
fn mat_vec(cov: &[f64], v: &[f64]) -> Vec<f64> {
    cov.chunks_exact(v.len())
        .map(|row| {
            let mut lanes = [0.0f64; 4];
            let mut a = row.chunks_exact(4);
            let mut b = v.chunks_exact(4);
            for (ra, rb) in a.by_ref().zip(b.by_ref()) {
                for k in 0..4 {
                    lanes[k] += ra[k] * rb[k];
                }
            }
            let tail: f64 = a
                .remainder()
                .iter()
                .zip(b.remainder())
                .map(|(p, q)| p * q)
                .sum();
            lanes.iter().sum::<f64>() + tail
        })
        .collect()
}

/// The leading eigenvector of `cov`, orthogonal to `exclude` when given.
fn leading_vector(cov: &[f64], d: usize, exclude: Option<&[f64]>) -> Vec<f64> {
    // A fixed, uneven start vector: deterministic and unlikely to be orthogonal to the answer.
    let mut v: Vec<f64> = (0..d).map(|i| 1.0 + 0.37 * i as f64).collect();
    for _ in 0..ITERATIONS {
        if let Some(e) = exclude {
            let p: f64 = v.iter().zip(e).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(e).for_each(|(a, b)| *a -= p * b);
        }
        let next = mat_vec(cov, &v);
        let norm = next.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm < 1e-12 {
            return vec![0.0; d];
        }
        let next: Vec<f64> = next.into_iter().map(|a| a / norm).collect();
        // Converged (a covariance matrix has no negative eigenvalues, so v keeps its sign).
        let moved: f64 = next.iter().zip(&v).map(|(a, b)| (a - b) * (a - b)).sum();
        v = next;
        if moved < CONVERGED {
            break;
        }
    }
    let biggest = v
        .iter()
        .copied()
        .fold(0.0f64, |acc, a| if a.abs() > acc.abs() { a } else { acc });
    if biggest < 0.0 {
        v.iter_mut().for_each(|a| *a = -*a);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_on_a_line_project_onto_the_first_axis() {
        // y = 2x: all variance lies along (1, 2)/sqrt(5).
        let x: Vec<f32> = (0..50)
            .flat_map(|i| {
                let t = i as f32 / 10.0;
                [t, 2.0 * t]
            })
            .collect();
        let p = pca_2d(&x, 2);
        assert_eq!(p.len(), 50);
        let spread = |k: usize| {
            let (lo, hi) = p
                .iter()
                .fold((f32::MAX, f32::MIN), |(l, h), q| (l.min(q[k]), h.max(q[k])));
            hi - lo
        };
        assert!(
            (spread(0) - 4.9 * 5f32.sqrt()).abs() < 1e-3,
            "{}",
            spread(0)
        );
        assert!(spread(1) < 1e-3);
    }
}
