//! Scores derived from a confusion matrix.
//!
//! Every ratio whose denominator is 0 is undefined (`None`, `null` in JSON, `–` in tables).
//! Binary tasks score the positive class (class index 1). Multi-class precision, recall and F1
//! are macro averages over the classes *with support in the rows* (a class that is only
//! predicted does not enter the average; its stray predictions still cost the precision of no
//! class and the recall of the rows' own classes). Weighted F1 weights each supported class by
//! its support; micro F1 equals accuracy.

use serde::{Deserialize, Serialize};

use super::confusion::Confusion;
use super::per_class::{Prf, ratio};

/// The headline scores of one set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    /// Number of rows.
    pub support: u64,
    /// Binary tasks: rows whose label is the positive class (how fragile F1 is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positives: Option<u64>,
    /// Fraction correct (undefined without rows).
    pub accuracy: Option<f64>,
    /// `1 - accuracy`.
    #[serde(default)]
    pub error_rate: Option<f64>,
    /// Precision (binary: positive class; multi-class: macro over supported classes whose
    /// precision is defined).
    pub precision: Option<f64>,
    /// Recall (binary: positive class; multi-class: macro over supported classes).
    pub recall: Option<f64>,
    /// F1 (binary: positive class; multi-class: `macro_f1`).
    pub f1: Option<f64>,
    /// Mean F1 over the classes with support in the rows.
    #[serde(default)]
    pub macro_f1: Option<f64>,
    /// Support-weighted mean F1 over the classes with support.
    #[serde(default)]
    pub weighted_f1: Option<f64>,
    /// Micro-averaged F1, which for single-label rows equals accuracy.
    #[serde(default)]
    pub micro_f1: Option<f64>,
    /// Matthews correlation (multi-class: Gorodkin's R_K); undefined when all labels or all
    /// predictions are one class.
    pub mcc: Option<f64>,
}

/// Mean of the defined values; `None` when none is.
fn mean_defined(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (sum, n) = values
        .flatten()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    ratio(sum, n as f64)
}

impl Scores {
    /// Computes all scores.
    pub fn from_confusion(c: &Confusion) -> Self {
        let total = c.total() as f64;
        let accuracy = ratio(c.correct() as f64, total);
        let supported: Vec<(u64, Prf)> = (0..c.n_classes)
            .filter(|&k| c.actual(k) > 0)
            .map(|k| (c.actual(k), Prf::of_class(c, k)))
            .collect();
        let macro_f1 = mean_defined(supported.iter().map(|(_, p)| p.f1));
        let weighted_f1 = ratio(
            supported
                .iter()
                .map(|(n, p)| *n as f64 * p.f1.unwrap_or(0.0))
                .sum(),
            supported.iter().map(|(n, _)| *n as f64).sum(),
        );
        let (precision, recall, f1, positives) = if c.n_classes == 2 {
            let p = Prf::of_class(c, 1);
            (p.precision, p.recall, p.f1, Some(c.actual(1)))
        } else {
            (
                mean_defined(supported.iter().map(|(_, p)| p.precision)),
                mean_defined(supported.iter().map(|(_, p)| p.recall)),
                macro_f1,
                None,
            )
        };
        Self {
            support: c.total(),
            positives,
            accuracy,
            error_rate: accuracy.map(|a| 1.0 - a),
            precision,
            recall,
            f1,
            macro_f1,
            weighted_f1,
            micro_f1: accuracy,
            mcc: mcc(c),
        }
    }
}

/// Matthews correlation coefficient, `R_K` of Gorodkin (2004) for K classes.
fn mcc(c: &Confusion) -> Option<f64> {
    let s = c.total() as f64;
    let correct = c.correct() as f64;
    let (mut pt, mut pp, mut tt) = (0.0, 0.0, 0.0);
    for k in 0..c.n_classes {
        let (t, p) = (c.actual(k) as f64, c.predicted(k) as f64);
        pt += p * t;
        pp += p * p;
        tt += t * t;
    }
    ratio(correct * s - pt, ((s * s - pp) * (s * s - tt)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(y: &[u32], p: &[u32], k: usize) -> Confusion {
        Confusion::from_rows(y, p, 0..y.len(), k)
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn binary_scores_match_hand_computation() {
        // tp=2, fp=1, fn=1, tn=2
        let s = Scores::from_confusion(&conf(&[1, 1, 1, 0, 0, 0], &[1, 1, 0, 1, 0, 0], 2));
        assert!(close(s.precision, 2.0 / 3.0) && close(s.recall, 2.0 / 3.0));
        assert!(close(s.f1, 2.0 / 3.0) && close(s.accuracy, 4.0 / 6.0));
        // (tp*tn - fp*fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (4-1)/9
        assert!(close(s.mcc, 3.0 / 9.0) && close(s.error_rate, 2.0 / 6.0));
        assert_eq!(s.positives, Some(3));
    }

    #[test]
    fn multiclass_macro_f1() {
        // class 0: p=1, r=1/2; class 1: p=1/2, r=1; class 2: p=1, r=1
        let s = Scores::from_confusion(&conf(&[0, 0, 1, 2], &[0, 1, 1, 2], 3));
        assert!(close(s.f1, (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0));
        assert!(close(
            s.weighted_f1,
            (2.0 * 2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 4.0
        ));
        assert!(close(s.accuracy, 0.75) && close(s.micro_f1, 0.75));
        assert_eq!(s.positives, None);
    }

    #[test]
    fn zero_denominators_are_undefined_not_zero() {
        let s = Scores::from_confusion(&conf(&[0, 0], &[0, 0], 2));
        assert_eq!(
            (s.f1, s.precision, s.recall, s.mcc),
            (None, None, None, None)
        );
        assert_eq!(s.accuracy, Some(1.0));
        let s = Scores::from_confusion(&Confusion::new(2));
        assert_eq!((s.support, s.accuracy, s.error_rate), (0, None, None));
        // Unknown predictions count as wrong.
        let s = Scores::from_confusion(&conf(&[1, 0], &[u32::MAX, 0], 2));
        assert_eq!(s.accuracy, Some(0.5));
    }
}
