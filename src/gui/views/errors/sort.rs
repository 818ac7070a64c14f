//! Sorting the per-slice error table: the sortable columns, each row's key, and the order of
//! the slices under `overall`.

use serde::{Deserialize, Serialize};

use crate::metrics::{Metric, SliceMetrics};

/// Sortable columns of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortBy {
    /// Table order (overall first, then slices).
    Slice,
    /// Rows in the slice.
    Support,
    /// Fraction of the split.
    Coverage,
    /// Accuracy.
    Accuracy,
    /// Precision.
    Precision,
    /// Recall.
    Recall,
    /// F1.
    F1,
    /// MCC.
    Mcc,
    /// Error rate.
    ErrorRate,
    /// The chosen metric minus overall.
    Diff,
}

pub(super) const COLUMNS: [(&str, SortBy); 10] = [
    ("slice", SortBy::Slice),
    ("support", SortBy::Support),
    ("coverage", SortBy::Coverage),
    ("accuracy", SortBy::Accuracy),
    ("precision", SortBy::Precision),
    ("recall", SortBy::Recall),
    ("F1", SortBy::F1),
    ("MCC", SortBy::Mcc),
    ("error rate", SortBy::ErrorRate),
    ("Δ", SortBy::Diff),
];

/// The sort key of a row; `None` (undefined) sorts last either way.
pub(super) fn key(
    m: &SliceMetrics,
    by: SortBy,
    overall: &SliceMetrics,
    metric: Metric,
) -> Option<f64> {
    let s = &m.scores;
    match by {
        SortBy::Slice => Some(0.0),
        SortBy::Support => Some(s.support as f64),
        SortBy::Coverage => Some(m.coverage),
        SortBy::Accuracy => s.accuracy,
        SortBy::Precision => s.precision,
        SortBy::Recall => s.recall,
        SortBy::F1 => s.f1,
        SortBy::Mcc => s.mcc,
        SortBy::ErrorRate => s.error_rate,
        SortBy::Diff => m.diff_from(overall, metric),
    }
}

/// The slices (not `overall`) in display order: sorted by `by`, undefined values last.
pub(super) fn sorted<'a>(
    rows: &'a [SliceMetrics],
    (by, desc): (SortBy, bool),
    overall: &SliceMetrics,
    metric: Metric,
) -> Vec<&'a SliceMetrics> {
    let mut out: Vec<&SliceMetrics> = rows.iter().filter(|r| r.name != overall.name).collect();
    if by != SortBy::Slice || desc {
        out.sort_by(
            |a, b| match (key(a, by, overall, metric), key(b, by, overall, metric)) {
                (Some(x), Some(y)) if desc => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (a, b) => b.is_some().cmp(&a.is_some()),
            },
        );
        if by == SortBy::Slice {
            out.reverse();
        }
    }
    out
}
