//! Per-SF analysis: size and coverage per split, pairwise overlap, and noise against ground truth.

use serde::Serialize;

use super::bitmap::Bitmap;
use crate::data::Split;

/// Size of a slice within one split.
#[derive(Debug, Clone, Serialize)]
pub struct SplitCoverage {
    /// The split.
    pub split: Split,
    /// Rows of the split inside the slice.
    pub size: usize,
    /// `size` as a fraction of the split's rows.
    pub coverage: f64,
}

/// Overlap of a slice with another.
#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    /// The other slice.
    pub other: String,
    /// Rows in both.
    pub both: usize,
    /// Intersection over union.
    pub jaccard: f64,
}

/// How well an SF matches its closest ground-truth slice (the SF's noise).
#[derive(Debug, Clone, Serialize)]
pub struct TruthMatch {
    /// The ground-truth slice column.
    pub truth: String,
    /// Fraction of SF rows that are truly in the slice.
    pub precision: f64,
    /// Fraction of true slice rows the SF catches.
    pub recall: f64,
}

/// The analysis of one SF.
#[derive(Debug, Clone, Serialize)]
pub struct SliceStats {
    /// SF name.
    pub name: String,
    /// Rows in the slice over all splits.
    pub size: usize,
    /// `size` over all rows.
    pub coverage: f64,
    /// Per split.
    pub per_split: Vec<SplitCoverage>,
    /// With the other SF it overlaps most (largest Jaccard), if there is another.
    ///
    /// Only the largest is kept: every pair is scored, but keeping them all would hold k² entries
    /// (1.8 GB at 5,000 slices).
    pub max_overlap: Option<Overlap>,
    /// Against the best-matching ground-truth slice, if any are declared.
    pub truth: Option<TruthMatch>,
}

/// Analyses SFs `masks` (named `names`) against ground-truth slices `truth`.
pub fn analyse(
    names: &[String],
    masks: &[Bitmap],
    splits: &[Split],
    truth: &[(String, Bitmap)],
) -> Vec<SliceStats> {
    let n = splits.len().max(1);
    let sizes: Vec<usize> = masks.iter().map(Bitmap::count).collect();
    let split_rows: Vec<(Split, Bitmap)> = Split::ALL
        .iter()
        .map(|&s| (s, Bitmap::from_fn(splits.len(), |i| splits[i] == s)))
        .collect();
    names
        .iter()
        .zip(masks)
        .map(|(name, mask)| {
            let size = mask.count();
            let per_split = split_rows
                .iter()
                .filter(|(_, rows)| rows.count() > 0)
                .map(|(split, rows)| {
                    let s = mask.and(rows).count();
                    SplitCoverage {
                        split: *split,
                        size: s,
                        coverage: s as f64 / rows.count() as f64,
                    }
                })
                .collect();
            // Counts without building the intersection: |a ∪ b| = |a| + |b| − |a ∩ b|.
            let max_overlap = names
                .iter()
                .zip(masks)
                .zip(&sizes)
                .filter(|((other, _), _)| *other != name)
                .map(|((other, m), &other_size)| {
                    let both = mask.and_count(m);
                    (other, both, ratio(both, size + other_size - both))
                })
                .max_by(|a, b| a.2.total_cmp(&b.2))
                .map(|(other, both, jaccard)| Overlap {
                    other: other.clone(),
                    both,
                    jaccard,
                });
            SliceStats {
                name: name.clone(),
                size,
                coverage: size as f64 / n as f64,
                per_split,
                max_overlap,
                truth: best_truth(mask, truth),
            }
        })
        .collect()
}

fn best_truth(mask: &Bitmap, truth: &[(String, Bitmap)]) -> Option<TruthMatch> {
    truth
        .iter()
        .map(|(name, t)| {
            let both = mask.and(t).count();
            TruthMatch {
                truth: name.clone(),
                precision: ratio(both, mask.count()),
                recall: ratio(both, t.count()),
            }
        })
        .max_by(|a, b| f1(a).total_cmp(&f1(b)))
}

fn f1(m: &TruthMatch) -> f64 {
    if m.precision + m.recall == 0.0 {
        0.0
    } else {
        2.0 * m.precision * m.recall / (m.precision + m.recall)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
