//! The worst slice and the mean over slices of one split report, next to overall.
//!
//! Over which slices: the ground-truth slices when the report has any (they are the groups a
//! user evaluates on), else the SF slices. Slices whose metric is undefined (0/0) are left out;
//! with none defined, both are undefined. "Worst" follows the metric's direction (the lowest F1,
//! the highest error rate).

use serde::{Deserialize, Serialize};

use super::metric::Metric;
use super::report::{SliceKind, SplitReport};

/// The worst and mean slice score of one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceExtremes {
    /// The metric.
    pub metric: Metric,
    /// The worst slice's name and score.
    pub worst: Option<(String, f64)>,
    /// The mean score over the slices where it is defined.
    pub mean: Option<f64>,
    /// How many slices had the metric defined.
    pub slices: usize,
}

impl SplitReport {
    /// The slices worst and mean are taken over: truth slices if any, else SF slices.
    pub fn evaluation_kind(&self) -> SliceKind {
        if self.rows.iter().any(|r| r.kind == SliceKind::Truth) {
            SliceKind::Truth
        } else {
            SliceKind::Sf
        }
    }

    /// The worst and mean slice score by `metric`.
    pub fn extremes(&self, metric: Metric) -> SliceExtremes {
        let kind = self.evaluation_kind();
        let defined: Vec<(&str, f64)> = self
            .rows
            .iter()
            .filter(|r| r.kind == kind)
            .filter_map(|r| Some((r.name.as_str(), r.value(metric)?)))
            .collect();
        let worst = defined
            .iter()
            .copied()
            .reduce(|a, b| if metric.worse(b.1, a.1) { b } else { a })
            .map(|(n, v)| (n.to_string(), v));
        let mean = (!defined.is_empty())
            .then(|| defined.iter().map(|(_, v)| v).sum::<f64>() / defined.len() as f64);
        SliceExtremes {
            metric,
            worst,
            mean,
            slices: defined.len(),
        }
    }
}

/// The names of the two summary rows, as reports and tables show them.
pub const WORST_SLICE: &str = "worst slice";
/// See [`WORST_SLICE`].
pub const MEAN_SLICE: &str = "mean slice";

/// The value of `name` in a report: a slice's score, or the worst/mean slice score for the
/// summary rows [`WORST_SLICE`] and [`MEAN_SLICE`].
pub fn named_value(report: &SplitReport, name: &str, metric: Metric) -> Option<f64> {
    match name {
        WORST_SLICE => report.extremes(metric).worst.map(|(_, v)| v),
        MEAN_SLICE => report.extremes(metric).mean,
        _ => report.row(name)?.value(metric),
    }
}

/// How tables name the slices worst and mean are over: `ground-truth` or `SF`.
pub fn kind_word(kind: SliceKind) -> &'static str {
    if kind == SliceKind::Truth {
        "ground-truth"
    } else {
        "SF"
    }
}

/// `worst slice: F1 0.412 (slice_2) · mean slice F1 0.630 over 4 ground-truth slices`, or why
/// there is none; the line the CLI prints under its table and the app shows under Errors.
pub fn summary_line(report: &SplitReport, metric: Metric) -> String {
    let e = report.extremes(metric);
    let m = metric.label();
    let over = kind_word(report.evaluation_kind());
    match (&e.worst, e.mean) {
        (Some((name, w)), Some(mean)) => format!(
            "worst slice: {m} {} ({name}) · mean slice {m} {} over {} {over} slices",
            super::text::num(Some(*w)),
            super::text::num(Some(mean)),
            e.slices
        ),
        _ => format!("worst and mean slice {m}: – (no {over} slice has it defined)"),
    }
}
