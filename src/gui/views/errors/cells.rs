//! What each cell of the Errors table says: a slice's numbers as text, and the legend under
//! the table.

use crate::metrics::text::{interval, num, percent, signed};
use crate::metrics::{Metric, SliceMetrics};

/// The text cells of one row after its name.
pub fn cells(m: &SliceMetrics, overall: &SliceMetrics, metric: Metric) -> [String; 10] {
    let s = &m.scores;
    // Binary: positives beside support, so an F1 on a handful of positives looks fragile.
    let support = match s.positives {
        Some(p) => format!("{} ({p} pos)", s.support),
        None => s.support.to_string(),
    };
    [
        support,
        percent(Some(m.coverage)),
        num(s.accuracy),
        num(s.precision),
        num(s.recall),
        num(s.f1),
        num(s.mcc),
        percent(s.error_rate),
        signed(m.diff_from(overall, metric)),
        interval(m.intervals.get(&metric).copied()),
    ]
}

/// What the table's numbers mean, under it.
pub fn legend(metric: Metric, n_classes: usize) -> String {
    let f1 = if n_classes == 2 {
        "F1, precision, recall: positive class"
    } else {
        "macro F1, precision, recall: mean over the classes with support in the slice"
    };
    format!(
        "{f1} · – undefined (0/0) · ! flagged: worse {m} than overall and its 95% bootstrap CI excludes overall · \
         ? worse {m} than overall, too few rows or positives for a CI (not tested)",
        m = metric.label()
    )
}
