//! Per-slice metric tables for one split.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::bootstrap::{Interval, intervals};
use super::confusion::Confusion;
use super::metric::Metric;
use super::per_class::{ClassScores, per_class};
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
    /// Support, precision, recall and F1 per class.
    #[serde(default)]
    pub per_class: Vec<ClassScores>,
    /// Bootstrap 95% interval of every metric that is defined in enough resamples.
    #[serde(default)]
    pub intervals: BTreeMap<Metric, Interval>,
    /// The interval of the report's metric (null when undefined).
    #[serde(default)]
    pub interval: Option<Interval>,
    /// The report's metric here minus overall (null when either is undefined).
    #[serde(default)]
    pub diff: Option<f64>,
    /// Worse than overall by the report's metric, with an interval that excludes overall.
    #[serde(default)]
    pub flagged: bool,
    /// Worse than overall by the report's metric, but without an interval to test that (too
    /// few rows or positives): neither flagged nor cleared.
    #[serde(default)]
    pub untested: bool,
    /// Confusion counts, row-major `[true][pred]`.
    pub confusion: Vec<u64>,
}

impl SliceMetrics {
    /// The value of `m` here.
    pub fn value(&self, m: Metric) -> Option<f64> {
        m.of(&self.scores)
    }

    /// `m` here minus `m` overall; `None` when either is undefined.
    pub fn diff_from(&self, overall: &SliceMetrics, m: Metric) -> Option<f64> {
        Some(self.value(m)? - overall.value(m)?)
    }

    /// Whether this slice is flagged by `m`: worse than `overall`, and its bootstrap interval
    /// lies entirely on the worse side of the overall value. The overall row and slices whose
    /// metric or interval is undefined are never flagged.
    pub fn flagged_by(&self, overall: &SliceMetrics, m: Metric) -> bool {
        let (Some(v), Some(o), Some(&(lo, hi))) =
            (self.value(m), overall.value(m), self.intervals.get(&m))
        else {
            return false;
        };
        let excludes = if m.higher_is_better() { hi < o } else { lo > o };
        self.kind != SliceKind::Overall && m.worse(v, o) && excludes
    }

    /// Whether this slice is worse than `overall` by `m` but has no interval for `m` (too few
    /// rows or positives to resample), so whether it is really worse is not known. Such a slice
    /// is marked `?` rather than left unmarked, where it would read as healthy.
    pub fn untested_by(&self, overall: &SliceMetrics, m: Metric) -> bool {
        let (Some(v), Some(o)) = (self.value(m), overall.value(m)) else {
            return false;
        };
        self.kind != SliceKind::Overall && m.worse(v, o) && !self.intervals.contains_key(&m)
    }
}

/// The per-slice table of one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SplitReport {
    /// The split.
    pub split: Split,
    /// The metric that `interval`, `diff` and `flagged` of each row refer to.
    #[serde(default)]
    pub metric: Metric,
    /// Class names, in class-index order.
    #[serde(default)]
    pub classes: Vec<String>,
    /// `overall` first, then each slice.
    pub rows: Vec<SliceMetrics>,
}

impl SplitReport {
    /// The `overall` row.
    pub fn overall(&self) -> Option<&SliceMetrics> {
        self.rows.iter().find(|r| r.kind == SliceKind::Overall)
    }

    /// The row of slice `name`.
    pub fn row(&self, name: &str) -> Option<&SliceMetrics> {
        self.rows.iter().find(|r| r.name == name)
    }

    /// Makes `m` the metric of each row's `interval`, `diff` and `flagged`.
    pub fn set_metric(&mut self, m: Metric) {
        self.metric = m;
        let Some(overall) = self.overall().cloned() else {
            return;
        };
        for r in &mut self.rows {
            r.interval = r.intervals.get(&m).copied();
            r.diff = r.diff_from(&overall, m);
            r.flagged = r.flagged_by(&overall, m);
            r.untested = r.untested_by(&overall, m);
        }
    }
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

impl<'a> SliceRef<'a> {
    /// The slices of a per-slice report, in report order: the SFs `(name, mask)`, then the
    /// ground-truth slices.
    pub fn list(
        sfs: impl IntoIterator<Item = (&'a str, &'a Bitmap)>,
        truth: &'a [(String, Bitmap)],
    ) -> Vec<Self> {
        let sfs = sfs.into_iter().map(|(name, mask)| SliceRef {
            name,
            kind: SliceKind::Sf,
            mask,
        });
        let truth = truth.iter().map(|(name, mask)| SliceRef {
            name,
            kind: SliceKind::Truth,
            mask,
        });
        sfs.chain(truth).collect()
    }
}

/// How a report is made: the classes, the metric that flags slices, the bootstrap seed.
#[derive(Debug, Clone)]
pub struct ReportSpec<'a> {
    /// Class names, in class-index order (their number is the number of classes).
    pub classes: &'a [String],
    /// The metric of `interval`, `diff` and `flagged`.
    pub metric: Metric,
    /// Mixed into every slice's resampling seed.
    pub seed: u64,
}

impl<'a> ReportSpec<'a> {
    /// The task's default metric ([`Metric::default_for`]) and seed 0.
    pub fn new(classes: &'a [String]) -> Self {
        Self {
            classes,
            metric: Metric::default_for(classes.len()),
            seed: 0,
        }
    }

    /// With `metric` instead of the default (`None` keeps it).
    pub fn with_metric(self, metric: Option<Metric>) -> Self {
        Self {
            metric: metric.unwrap_or(self.metric),
            ..self
        }
    }
}

/// Computes overall and per-slice metrics of `pred` against `y` on `rows` (one split).
pub fn slice_report(
    y: &[u32],
    pred: &[u32],
    rows: &[usize],
    split: Split,
    slices: &[SliceRef],
    spec: &ReportSpec,
) -> SplitReport {
    let n_classes = spec.classes.len();
    let metrics = |name: &str, kind, subset: &[usize]| {
        let c = Confusion::from_rows(y, pred, subset.iter().copied(), n_classes);
        let coverage = subset.len() as f64 / rows.len().max(1) as f64;
        let intervals = intervals(y, pred, subset, n_classes, spec.seed);
        metrics_row(name, kind, coverage, c, intervals, spec.classes)
    };
    let mut out = vec![metrics("overall", SliceKind::Overall, rows)];
    for s in slices {
        let subset: Vec<usize> = rows.iter().copied().filter(|&i| s.mask.get(i)).collect();
        out.push(metrics(s.name, s.kind, &subset));
    }
    finish(split, spec, out)
}

/// One row of a report from its confusion counts and intervals, whichever way both were made.
pub(super) fn metrics_row(
    name: &str,
    kind: SliceKind,
    coverage: f64,
    c: Confusion,
    intervals: BTreeMap<Metric, Interval>,
    classes: &[String],
) -> SliceMetrics {
    SliceMetrics {
        name: name.to_string(),
        kind,
        coverage,
        scores: Scores::from_confusion(&c),
        per_class: per_class(&c, classes),
        intervals,
        interval: None,
        diff: None,
        flagged: false,
        untested: false,
        confusion: c.counts,
    }
}

/// The report of `rows` (`overall` first) with `spec`'s metric applied.
pub(super) fn finish(split: Split, spec: &ReportSpec, rows: Vec<SliceMetrics>) -> SplitReport {
    let mut report = SplitReport {
        split,
        metric: spec.metric,
        classes: spec.classes.to_vec(),
        rows,
    };
    report.set_metric(spec.metric);
    report
}
