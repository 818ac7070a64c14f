//! Slice-aware model selection: which epoch's weights a run keeps.
//!
//! Keeping the epoch with the best overall validation F1 throws away epochs where the slices were
//! learned at almost no overall cost. The rule here keeps the epoch that maximises the chosen
//! validation score among the epochs whose overall F1 is within a tolerance of the best overall
//! F1 of the whole run. Since the best overall F1 is only known at the end, the candidates are
//! kept as a Pareto front over (overall F1, score): an epoch beaten on both by another can never
//! be chosen, and one that falls out of the tolerance band never returns to it.

use serde::{Deserialize, Serialize};

use crate::metrics::Metric;

/// The validation score a run's kept epoch maximises.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// Overall validation F1 (the historical rule).
    #[default]
    Overall,
    /// The mean validation score over the SF slices where it is defined.
    MeanSlice,
    /// The worst validation score among the SF slices where it is defined.
    WorstSlice,
}

impl Selection {
    /// The name used on the command line, in reports and in the app.
    pub fn label(self) -> &'static str {
        match self {
            Selection::Overall => "overall",
            Selection::MeanSlice => "mean-slice",
            Selection::WorstSlice => "worst-slice",
        }
    }

    /// Every rule, in menu order.
    pub const ALL: [Selection; 3] = [
        Selection::Overall,
        Selection::MeanSlice,
        Selection::WorstSlice,
    ];

    /// The score of one epoch from its overall validation F1 and its per-slice "goodness"
    /// (the slice metric, negated when lower is better; `NaN` = undefined): `None` for a slice
    /// rule when no slice score is defined.
    pub fn score(self, overall: f64, slice_goodness: &[f64]) -> Option<f64> {
        let defined = slice_goodness.iter().copied().filter(|f| f.is_finite());
        match self {
            Selection::Overall => Some(overall),
            Selection::MeanSlice => {
                let (sum, n) = defined.fold((0.0, 0usize), |(s, n), f| (s + f, n + 1));
                (n > 0).then(|| sum / n as f64)
            }
            Selection::WorstSlice => defined.reduce(f64::min),
        }
    }
}

/// Why a run kept the weights it kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chosen {
    /// The rule.
    pub rule: Selection,
    /// The metric slices were scored by (slice rules).
    #[serde(default)]
    pub metric: Metric,
    /// The kept epoch (1-based).
    pub epoch: usize,
    /// Its overall validation F1.
    pub overall: f64,
    /// Its score under the rule, in the metric's own terms (the overall F1 for `overall`; `None`
    /// when no slice score was defined, in which case the overall F1 decided).
    pub score: Option<f64>,
    /// The best overall validation F1 of any epoch.
    pub best_overall: f64,
    /// How far below `best_overall` a kept epoch's overall F1 may be.
    pub tolerance: f64,
}

impl Chosen {
    /// One sentence for logs and reports.
    pub fn describe(&self) -> String {
        match (self.rule, self.score) {
            (Selection::Overall, _) => format!(
                "kept epoch {}: best overall validation F1 {:.4}",
                self.epoch, self.overall
            ),
            (rule, Some(score)) => format!(
                "kept epoch {}: best {} validation {} {:.4} (SF slices) among epochs with overall \
                 F1 ≥ {:.4} (best {:.4} − {}); its overall F1 {:.4}",
                self.epoch,
                rule.label(),
                self.metric.label(),
                score,
                self.best_overall - self.tolerance,
                self.best_overall,
                self.tolerance,
                self.overall
            ),
            (rule, None) => format!(
                "kept epoch {}: no SF slice had a defined validation {}, so {} fell back to the \
                 best overall validation F1 {:.4}",
                self.epoch,
                self.metric.label(),
                rule.label(),
                self.overall
            ),
        }
    }
}

/// One candidate epoch and the weights the caller stored with it.
#[derive(Debug, Clone)]
struct Candidate<W> {
    epoch: usize,
    overall: f64,
    score: f64,
    weights: W,
}

/// Chooses a run's epoch online, holding only the weights that can still be chosen.
#[derive(Debug, Clone)]
pub struct Selector<W> {
    rule: Selection,
    metric: Metric,
    tolerance: f64,
    best_overall: f64,
    any_score: bool,
    front: Vec<Candidate<W>>,
}

impl<W> Selector<W> {
    /// A selector for `rule` scoring slices by `metric`; `tolerance` is clamped to `[0, 1]`
    /// (NaN counts as 0).
    pub fn new(rule: Selection, tolerance: f64, metric: Metric) -> Self {
        let tolerance = if tolerance.is_nan() {
            0.0
        } else {
            tolerance.clamp(0.0, 1.0)
        };
        Self {
            rule,
            metric,
            tolerance,
            best_overall: f64::NEG_INFINITY,
            any_score: false,
            front: Vec::new(),
        }
    }

    /// Offers an epoch with its overall validation F1 and each SF slice's goodness (the
    /// metric, negated when lower is better); `weights` is only built when the epoch can still
    /// be chosen. Returns whether the epoch became the currently chosen one.
    pub fn offer(
        &mut self,
        epoch: usize,
        overall: f64,
        slice_goodness: &[f64],
        weights: impl FnOnce() -> W,
    ) -> bool {
        let score = self.rule.score(overall, slice_goodness);
        self.any_score |= score.is_some();
        // Epochs without a defined slice score rank below every epoch with one.
        let score = score.unwrap_or(f64::NEG_INFINITY);
        self.best_overall = self.best_overall.max(overall);
        let floor = self.best_overall - self.tolerance;
        self.front.retain(|c| c.overall >= floor);
        let eligible = overall >= floor;
        let dominated = self
            .front
            .iter()
            .any(|c| c.overall >= overall && c.score >= score);
        if eligible && !dominated {
            self.front
                .retain(|c| !(overall >= c.overall && score >= c.score));
            self.front.push(Candidate {
                epoch,
                overall,
                score,
                weights: weights(),
            });
        }
        self.current().is_some_and(|c| c.epoch == epoch)
    }

    /// The epoch chosen so far (1-based), if any epoch was offered.
    pub fn epoch(&self) -> Option<usize> {
        self.current().map(|c| c.epoch)
    }

    /// The best candidate by score, then overall F1 (without any defined slice score every
    /// score is −∞, so overall F1 decides).
    fn current(&self) -> Option<&Candidate<W>> {
        self.front.iter().max_by(|a, b| {
            a.score
                .total_cmp(&b.score)
                .then_with(|| a.overall.total_cmp(&b.overall))
        })
    }

    /// The chosen epoch's weights and why it was chosen; `None` when no epoch was offered.
    pub fn finish(mut self) -> Option<(W, Chosen)> {
        let epoch = self.epoch()?;
        let idx = self.front.iter().position(|c| c.epoch == epoch)?;
        let c = self.front.swap_remove(idx);
        // Back from goodness to the metric's own value (slice rules only).
        let sign = if self.rule != Selection::Overall && !self.metric.higher_is_better() {
            -1.0
        } else {
            1.0
        };
        let chosen = Chosen {
            rule: self.rule,
            metric: self.metric,
            epoch: c.epoch,
            overall: c.overall,
            score: (self.any_score && c.score.is_finite()).then_some(sign * c.score),
            best_overall: self.best_overall,
            tolerance: self.tolerance,
        };
        Some((c.weights, chosen))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rule: Selection, tol: f64, epochs: &[(f64, &[f64])]) -> Chosen {
        let mut s = Selector::new(rule, tol, Metric::F1);
        for (i, (o, f)) in epochs.iter().enumerate() {
            s.offer(i + 1, *o, f, || i + 1);
        }
        let (w, chosen) = s.finish().unwrap();
        assert_eq!(w, chosen.epoch);
        chosen
    }

    const EPOCHS: &[(f64, &[f64])] = &[
        (0.80, &[0.30, 0.50]),
        (0.850, &[0.40, 0.60]),
        (0.847, &[0.70, 0.55]),
        (0.846, &[0.50, 0.80]),
        (0.70, &[0.90, 0.95]),
    ];

    #[test]
    fn overall_keeps_the_best_overall_epoch() {
        assert_eq!(run(Selection::Overall, 0.005, EPOCHS).epoch, 2);
    }

    #[test]
    fn slice_rules_pick_within_the_tolerance_of_the_best_overall() {
        // Epoch 5 has the best slices but loses 0.15 overall: not eligible.
        let mean = run(Selection::MeanSlice, 0.005, EPOCHS);
        assert_eq!(mean.epoch, 4, "{}", mean.describe());
        assert!((mean.score.unwrap() - 0.65).abs() < 1e-12);
        assert_eq!(run(Selection::WorstSlice, 0.005, EPOCHS).epoch, 3);
        // A zero tolerance is the overall rule.
        assert_eq!(run(Selection::MeanSlice, 0.0, EPOCHS).epoch, 2);
        // A huge one takes the best slices whatever the overall cost.
        assert_eq!(run(Selection::MeanSlice, 1.0, EPOCHS).epoch, 5);
    }

    #[test]
    fn an_epoch_chosen_early_is_dropped_when_a_later_one_raises_the_bar() {
        let epochs: &[(f64, &[f64])] = &[(0.80, &[0.9]), (0.90, &[0.1]), (0.899, &[0.2])];
        let c = run(Selection::MeanSlice, 0.005, epochs);
        assert_eq!(c.epoch, 3, "{}", c.describe());
    }

    #[test]
    fn undefined_slice_scores_fall_back_to_overall_and_say_so() {
        let epochs: &[(f64, &[f64])] = &[(0.6, &[f64::NAN]), (0.7, &[f64::NAN])];
        let c = run(Selection::WorstSlice, 0.005, epochs);
        assert_eq!((c.epoch, c.score), (2, None));
        assert!(c.describe().contains("fell back"), "{}", c.describe());
        // A lower-is-better metric: the slice scores come in negated and go out as they are.
        let mut e = Selector::new(Selection::WorstSlice, 0.005, Metric::ErrorRate);
        e.offer(1, 0.8, &[-0.30, -0.10], || 1);
        e.offer(2, 0.8, &[-0.20, -0.15], || 2);
        let (_, c) = e.finish().unwrap();
        assert_eq!(c.epoch, 2);
        assert!((c.score.unwrap() - 0.20).abs() < 1e-12, "{}", c.describe());
        // Undefined slices are skipped, defined ones count.
        assert_eq!(Selection::MeanSlice.score(0.5, &[f64::NAN, 0.4]), Some(0.4));
    }

    #[test]
    fn the_front_holds_few_weights() {
        let mut s = Selector::new(Selection::MeanSlice, 0.005, Metric::F1);
        let mut built = 0;
        for e in 1..=200 {
            let overall = 0.5 + e as f64 * 0.001;
            s.offer(e, overall, &[0.3], || built += 1);
        }
        assert!(s.front.len() <= 6, "{}", s.front.len());
        assert_eq!(s.epoch(), Some(200));
        assert!(built <= 200);
    }
}
