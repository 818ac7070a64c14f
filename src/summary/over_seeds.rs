//! Mean ± std over runs: of one score, of every score of a slice, and of a method's slices,
//! matched by slice name (never by position).

use serde::{Deserialize, Serialize};

use crate::metrics::report::{SliceKind, SplitReport};
use crate::metrics::{Metric, Scores};

/// Mean and sample standard deviation over runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanStd {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (undefined, null, below two values).
    #[serde(default)]
    pub std: Option<f64>,
    /// Number of values averaged (runs where the score is defined).
    #[serde(default)]
    pub n: usize,
}

impl MeanStd {
    /// Summarises values (mean 0 and `n` 0 for none).
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let std = (n > 1).then(|| {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        });
        Self { mean, std, n }
    }

    /// Summarises the defined values; `None` when no value is defined.
    pub fn of_defined(values: impl IntoIterator<Item = Option<f64>>) -> Option<Self> {
        let v: Vec<f64> = values.into_iter().flatten().collect();
        (!v.is_empty()).then(|| Self::of(&v))
    }

    /// The standard deviation, 0 where it is undefined (for plots and lifts).
    pub fn std_or_zero(&self) -> f64 {
        self.std.unwrap_or(0.0)
    }
}

impl std::fmt::Display for MeanStd {
    /// `0.806 ± 0.071`, or `0.806 (n=1)` for a single value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.std {
            Some(s) => write!(f, "{:.3} ± {s:.3}", self.mean),
            None => write!(f, "{:.3} (n={})", self.mean, self.n),
        }
    }
}

/// A summary as table text: `–` when undefined in every run.
pub fn show(m: Option<&MeanStd>) -> String {
    m.map_or_else(|| "–".into(), ToString::to_string)
}

/// Every score of one row set, summarised over runs (each `None` where undefined in all runs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoresSummary {
    /// Binary tasks: mean number of positive labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positives: Option<f64>,
    /// Accuracy.
    pub accuracy: Option<MeanStd>,
    /// Error rate.
    pub error_rate: Option<MeanStd>,
    /// Precision (binary: positive class; multi-class: macro).
    pub precision: Option<MeanStd>,
    /// Recall (binary: positive class; multi-class: macro).
    pub recall: Option<MeanStd>,
    /// F1 (binary: positive class; multi-class: macro over supported classes).
    pub f1: Option<MeanStd>,
    /// Macro F1 over the classes with support.
    pub macro_f1: Option<MeanStd>,
    /// Support-weighted F1.
    pub weighted_f1: Option<MeanStd>,
    /// Matthews correlation.
    pub mcc: Option<MeanStd>,
}

impl ScoresSummary {
    /// Summarises the scores of several runs.
    pub fn of(runs: &[&Scores]) -> Self {
        let col = |f: fn(&Scores) -> Option<f64>| MeanStd::of_defined(runs.iter().map(|s| f(s)));
        let positives: Vec<f64> = runs
            .iter()
            .filter_map(|s| s.positives.map(|p| p as f64))
            .collect();
        Self {
            positives: (!positives.is_empty())
                .then(|| positives.iter().sum::<f64>() / positives.len() as f64),
            accuracy: col(|s| s.accuracy),
            error_rate: col(|s| s.error_rate),
            precision: col(|s| s.precision),
            recall: col(|s| s.recall),
            f1: col(|s| s.f1),
            macro_f1: col(|s| s.macro_f1),
            weighted_f1: col(|s| s.weighted_f1),
            mcc: col(|s| s.mcc),
        }
    }

    /// The summary of metric `m`.
    pub fn get(&self, m: Metric) -> Option<&MeanStd> {
        match m {
            Metric::ErrorRate => self.error_rate.as_ref(),
            Metric::Accuracy => self.accuracy.as_ref(),
            Metric::F1 => self.f1.as_ref(),
            Metric::MacroF1 => self.macro_f1.as_ref(),
            Metric::Mcc => self.mcc.as_ref(),
            Metric::Recall => self.recall.as_ref(),
        }
    }
}

/// Scores of one slice for a group of runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SliceSummary {
    /// Slice name.
    pub name: String,
    /// `sf` or `truth`.
    pub kind: SliceKind,
    /// Rows of the slice in the evaluation split (mean over the runs that have the slice).
    pub support: u64,
    /// Runs that have this slice (a slice deleted or added between runs is in fewer).
    #[serde(default)]
    pub runs: usize,
    /// Scores over those runs.
    #[serde(flatten)]
    pub scores: ScoresSummary,
}

/// Overall scores and per-slice scores of `tests`, slices matched by name, in order of first
/// appearance; a slice missing from some runs is summarised over the runs that have it.
pub fn summarise_slices(tests: &[&SplitReport]) -> (ScoresSummary, Vec<SliceSummary>) {
    let overall: Vec<&Scores> = tests
        .iter()
        .filter_map(|t| t.overall().map(|r| &r.scores))
        .collect();
    let mut names: Vec<(&str, SliceKind)> = Vec::new();
    for r in tests.iter().flat_map(|t| &t.rows) {
        if r.kind != SliceKind::Overall && !names.iter().any(|(n, _)| *n == r.name) {
            names.push((&r.name, r.kind));
        }
    }
    let slices = names
        .into_iter()
        .map(|(name, kind)| {
            let mine: Vec<&Scores> = tests
                .iter()
                .filter_map(|t| t.row(name).map(|r| &r.scores))
                .collect();
            let support = mine.iter().map(|s| s.support).sum::<u64>() as f64 / mine.len() as f64;
            SliceSummary {
                name: name.to_string(),
                kind,
                support: support.round() as u64,
                runs: mine.len(),
                scores: ScoresSummary::of(&mine),
            }
        })
        .collect();
    (ScoresSummary::of(&overall), slices)
}

impl SliceSummary {
    /// The support in words, with the positives of binary labels (`612 (41 pos)`); both means
    /// are rounded the same way, so an all-positive slice reads `59 (59 pos)`.
    pub fn support_text(&self) -> String {
        match self.scores.positives {
            Some(p) => format!("{} ({} pos)", self.support, p.round() as u64),
            None => self.support.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_and_positives_averaged_over_seeds_round_together() {
        // An all-positive slice of 58 rows in one seed and 59 in the other.
        let seeds = [58u64, 59].map(|n| Scores {
            support: n,
            positives: Some(n),
            ..Scores::default()
        });
        let refs: Vec<&Scores> = seeds.iter().collect();
        let support = (58.0f64 + 59.0) / 2.0;
        let s = SliceSummary {
            name: "all_pos".into(),
            kind: SliceKind::Sf,
            support: support.round() as u64,
            runs: 2,
            scores: ScoresSummary::of(&refs),
        };
        assert_eq!(s.support_text(), "59 (59 pos)");
    }

    #[test]
    fn mean_std_uses_sample_std_and_has_none_for_one_value() {
        let m = MeanStd::of(&[1.0, 2.0, 3.0]);
        assert_eq!((m.mean, m.n), (2.0, 3));
        assert!((m.std.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(MeanStd::of(&[5.0]).std, None);
        assert_eq!(MeanStd::of(&[5.0]).to_string(), "5.000 (n=1)");
        assert_eq!(MeanStd::of_defined([None, Some(1.0)]).map(|m| m.n), Some(1));
        assert_eq!(MeanStd::of_defined([None]), None);
    }
}
