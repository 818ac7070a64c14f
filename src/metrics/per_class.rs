//! Per-class precision, recall and F1 of a confusion matrix, and the ratio rule they share.
//!
//! A ratio with a zero denominator is *undefined* (`None`), never 0: a slice without positive
//! labels or predictions has no F1, rather than the worst possible one.

use serde::{Deserialize, Serialize};

use super::confusion::Confusion;

/// `a / b`, or `None` when `b` is 0 (0/0 is not 0).
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Prf {
    /// `tp / predicted`; undefined when the class is never predicted.
    pub precision: Option<f64>,
    /// `tp / support`; undefined when the class has no rows.
    pub recall: Option<f64>,
    /// `2tp / (2tp + fp + fn)`; undefined when the class is neither present nor predicted.
    pub f1: Option<f64>,
}

impl Prf {
    /// The scores of class `k` in `c` (rows with an unknown prediction count as misses).
    pub fn of_class(c: &Confusion, k: usize) -> Self {
        let tp = c.get(k, k) as f64;
        let (support, predicted) = (c.actual(k) as f64, c.predicted(k) as f64);
        // 2tp + fp + fn = support + predicted; this form stays defined when only one of
        // precision and recall is (e.g. a stray prediction of an absent class has F1 0).
        Self {
            precision: ratio(tp, predicted),
            recall: ratio(tp, support),
            f1: ratio(2.0 * tp, support + predicted),
        }
    }
}

/// One row of the per-class table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// Class name (the label value).
    pub class: String,
    /// Rows whose label is this class.
    pub support: u64,
    /// Rows predicted as this class.
    pub predicted: u64,
    /// Precision (null when never predicted).
    pub precision: Option<f64>,
    /// Recall (null without support).
    pub recall: Option<f64>,
    /// F1 (null when neither present nor predicted).
    pub f1: Option<f64>,
}

/// The per-class table of `c`, one row per class in class order; `classes` names them (a
/// missing name is shown as the class index).
pub fn per_class(c: &Confusion, classes: &[String]) -> Vec<ClassScores> {
    (0..c.n_classes)
        .map(|k| {
            let prf = Prf::of_class(c, k);
            ClassScores {
                class: classes.get(k).cloned().unwrap_or_else(|| k.to_string()),
                support: c.actual(k),
                predicted: c.predicted(k),
                precision: prf.precision,
                recall: prf.recall,
                f1: prf.f1,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stray_prediction_of_an_absent_class_has_f1_zero_and_no_recall() {
        let c = Confusion::from_rows(&[0, 0], &[0, 1], 0..2, 3);
        let t = per_class(&c, &["a".into(), "b".into()]);
        assert_eq!((t[1].support, t[1].predicted), (0, 1));
        assert_eq!(
            (t[1].recall, t[1].f1, t[1].precision),
            (None, Some(0.0), Some(0.0))
        );
        assert_eq!(t[2].class, "2");
        assert_eq!((t[2].precision, t[2].recall, t[2].f1), (None, None, None));
        assert_eq!(t[0].recall, Some(0.5));
    }
}
