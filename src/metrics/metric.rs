//! The metric that ranks and flags slices, chosen by the user.

use serde::{Deserialize, Serialize};

use super::scores::Scores;

/// A metric slices can be ranked and flagged by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// `1 - accuracy` (lower is better).
    ErrorRate,
    /// Fraction correct.
    Accuracy,
    /// Binary: F1 of the positive class; multi-class: macro F1 over supported classes.
    #[default]
    F1,
    /// Mean F1 over the classes with support in the rows (both classes for binary tasks).
    MacroF1,
    /// Matthews correlation.
    Mcc,
    /// Binary: recall of the positive class; multi-class: macro recall.
    Recall,
}

impl Metric {
    /// Every metric, in menu order.
    pub const ALL: [Metric; 6] = [
        Metric::ErrorRate,
        Metric::Accuracy,
        Metric::F1,
        Metric::MacroF1,
        Metric::Mcc,
        Metric::Recall,
    ];

    /// The default for a task: F1 for binary tasks, error rate for multi-class ones.
    pub fn default_for(n_classes: usize) -> Self {
        if n_classes == 2 {
            Metric::F1
        } else {
            Metric::ErrorRate
        }
    }

    /// The name used in JSON and on the command line (`error_rate`, `f1`, `macro_f1`, ...).
    pub fn key(self) -> &'static str {
        match self {
            Metric::ErrorRate => "error_rate",
            Metric::Accuracy => "accuracy",
            Metric::F1 => "f1",
            Metric::MacroF1 => "macro_f1",
            Metric::Mcc => "mcc",
            Metric::Recall => "recall",
        }
    }

    /// The name shown in tables (`error rate`, `F1`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Metric::ErrorRate => "error rate",
            Metric::Accuracy => "accuracy",
            Metric::F1 => "F1",
            Metric::MacroF1 => "macro F1",
            Metric::Mcc => "MCC",
            Metric::Recall => "recall",
        }
    }

    /// Parses [`Metric::key`] (also accepting `-` for `_`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|m| m.key() == s)
    }

    /// The metric's value in `s`; `None` where it is undefined.
    pub fn of(self, s: &Scores) -> Option<f64> {
        match self {
            Metric::ErrorRate => s.error_rate,
            Metric::Accuracy => s.accuracy,
            Metric::F1 => s.f1,
            Metric::MacroF1 => s.macro_f1,
            Metric::Mcc => s.mcc,
            Metric::Recall => s.recall,
        }
    }

    /// Whether larger values are better (all but the error rate).
    pub fn higher_is_better(self) -> bool {
        self != Metric::ErrorRate
    }

    /// Whether `a` is strictly worse than `b` by this metric.
    pub fn worse(self, a: f64, b: f64) -> bool {
        if self.higher_is_better() {
            a < b
        } else {
            a > b
        }
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
