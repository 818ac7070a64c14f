//! Scores derived from a confusion matrix.
//!
//! Binary tasks score the positive class (class index 1); multi-class tasks use macro averages
//! over the classes that occur in the truth or the predictions.

use serde::{Deserialize, Serialize};

use super::confusion::Confusion;

/// The headline scores of one set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    /// Number of rows.
    pub support: u64,
    /// Fraction correct.
    pub accuracy: f64,
    /// Precision (binary: positive class; multi-class: macro).
    pub precision: f64,
    /// Recall (binary: positive class; multi-class: macro).
    pub recall: f64,
    /// F1 (binary: positive class; multi-class: macro).
    pub f1: f64,
    /// Matthews correlation (multi-class generalisation by Gorodkin).
    pub mcc: f64,
    /// `1 - accuracy`.
    pub error_rate: f64,
}

fn div(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

fn f1_of(p: f64, r: f64) -> f64 {
    div(2.0 * p * r, p + r)
}

impl Scores {
    /// Computes all scores.
    pub fn from_confusion(c: &Confusion) -> Self {
        let total = c.total() as f64;
        let accuracy = div(c.correct() as f64, total);
        let (precision, recall, f1) = if c.n_classes == 2 {
            let tp = c.get(1, 1) as f64;
            let (p, r) = (div(tp, c.predicted(1) as f64), div(tp, c.actual(1) as f64));
            (p, r, f1_of(p, r))
        } else {
            macro_scores(c)
        };
        Self {
            support: c.total(),
            accuracy,
            precision,
            recall,
            f1,
            mcc: mcc(c),
            error_rate: if total > 0.0 { 1.0 - accuracy } else { 0.0 },
        }
    }
}

fn macro_scores(c: &Confusion) -> (f64, f64, f64) {
    let present: Vec<usize> = (0..c.n_classes)
        .filter(|&k| c.actual(k) + c.predicted(k) > 0)
        .collect();
    let m = present.len().max(1) as f64;
    let (mut p_sum, mut r_sum, mut f_sum) = (0.0, 0.0, 0.0);
    for &k in &present {
        let tp = c.get(k, k) as f64;
        let (p, r) = (div(tp, c.predicted(k) as f64), div(tp, c.actual(k) as f64));
        p_sum += p;
        r_sum += r;
        f_sum += f1_of(p, r);
    }
    (p_sum / m, r_sum / m, f_sum / m)
}

/// Matthews correlation coefficient, `R_K` of Gorodkin (2004) for K classes.
fn mcc(c: &Confusion) -> f64 {
    let s = c.total() as f64;
    let correct = c.correct() as f64;
    let (mut pt, mut pp, mut tt) = (0.0, 0.0, 0.0);
    for k in 0..c.n_classes {
        let (t, p) = (c.actual(k) as f64, c.predicted(k) as f64);
        pt += p * t;
        pp += p * p;
        tt += t * t;
    }
    div(correct * s - pt, ((s * s - pp) * (s * s - tt)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(y: &[u32], p: &[u32], k: usize) -> Confusion {
        Confusion::from_rows(y, p, 0..y.len(), k)
    }

    #[test]
    fn binary_scores_match_hand_computation() {
        // tp=2, fp=1, fn=1, tn=2
        let s = Scores::from_confusion(&conf(&[1, 1, 1, 0, 0, 0], &[1, 1, 0, 1, 0, 0], 2));
        assert!((s.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.accuracy - 4.0 / 6.0).abs() < 1e-12);
        // (tp*tn - fp*fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (4-1)/9
        assert!((s.mcc - 3.0 / 9.0).abs() < 1e-12);
        assert!((s.error_rate - 2.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn multiclass_macro_f1() {
        // class 0: p=1, r=1/2; class 1: p=1/2, r=1; class 2: p=1, r=1
        let s = Scores::from_confusion(&conf(&[0, 0, 1, 2], &[0, 1, 1, 2], 3));
        let f = (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0;
        assert!((s.f1 - f).abs() < 1e-12);
        assert!((s.accuracy - 0.75).abs() < 1e-12);
    }

    #[test]
    fn degenerate_cases_do_not_divide_by_zero() {
        let s = Scores::from_confusion(&conf(&[0, 0], &[0, 0], 2));
        assert_eq!((s.f1, s.mcc, s.accuracy), (0.0, 0.0, 1.0));
        let s = Scores::from_confusion(&Confusion::new(2));
        assert_eq!((s.support, s.error_rate), (0, 0.0));
        // Unknown predictions count as wrong.
        let s = Scores::from_confusion(&conf(&[1, 0], &[u32::MAX, 0], 2));
        assert_eq!(s.accuracy, 0.5);
    }
}
