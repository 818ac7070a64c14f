//! Per-slice metric tables for one split.

use serde::{Deserialize, Serialize};

use super::bootstrap::f1_interval;
use super::confusion::Confusion;
use super::scores::Scores;
use crate::data::Split;
use crate::slices::Bitmap;

/// What kind of row set a metrics row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SliceKind {
    /// All rows of the split.
    Overall,
    /// Rows selected by a slicing function.
    Sf,
    /// Rows of a ground-truth slice (evaluation only).
    Truth,
}

/// Metrics of one slice in one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SliceMetrics {
    /// Slice name (`overall` for all rows).
    pub name: String,
    /// Overall, SF or truth.
    pub kind: SliceKind,
    /// Fraction of the split's rows in the slice.
    pub coverage: f64,
    /// Scores.
    pub scores: Scores,
    /// Slice F1 minus overall F1.
    pub f1_diff: f64,
    /// Bootstrap 95% interval of F1.
    pub f1_ci: (f64, f64),
    /// Confusion counts, row-major `[true][pred]`.
    pub confusion: Vec<u64>,
}

/// The per-slice table of one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SplitReport {
    /// The split.
    pub split: Split,
    /// `overall` first, then each slice.
    pub rows: Vec<SliceMetrics>,
}

/// A named slice to report on.
pub struct SliceRef<'a> {
    /// Name.
    pub name: &'a str,
    /// SF or truth.
    pub kind: SliceKind,
    /// Membership over all rows of the dataset.
    pub mask: &'a Bitmap,
}

/// Computes overall and per-slice metrics of `pred` against `y` on `rows` (one split).
pub fn slice_report(
    y: &[u32],
    pred: &[u32],
    rows: &[usize],
    split: Split,
    slices: &[SliceRef],
    n_classes: usize,
) -> SplitReport {
    let metrics = |name: &str, kind, subset: &[usize], overall_f1: f64, seed: u64| {
        let c = Confusion::from_rows(y, pred, subset.iter().copied(), n_classes);
        let scores = Scores::from_confusion(&c);
        SliceMetrics {
            name: name.to_string(),
            kind,
            coverage: subset.len() as f64 / rows.len().max(1) as f64,
            f1_diff: scores.f1 - overall_f1,
            f1_ci: f1_interval(y, pred, subset, n_classes, seed),
            scores,
            confusion: c.counts,
        }
    };
    let overall = metrics("overall", SliceKind::Overall, rows, 0.0, 0);
    let overall_f1 = overall.scores.f1;
    let mut out = vec![SliceMetrics {
        f1_diff: 0.0,
        ..overall
    }];
    for (j, s) in slices.iter().enumerate() {
        let subset: Vec<usize> = rows.iter().copied().filter(|&i| s.mask.get(i)).collect();
        out.push(metrics(s.name, s.kind, &subset, overall_f1, j as u64 + 1));
    }
    SplitReport { split, rows: out }
}
