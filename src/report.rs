//! `report.json`: the per-method, per-slice summary over seeds that the CLI writes and the GUI reads.

use serde::{Deserialize, Serialize};

use crate::metrics::report::{SliceKind, SplitReport};

/// Mean and sample standard deviation over seeds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanStd {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 for a single value).
    pub std: f64,
}

impl MeanStd {
    /// Summarises values.
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        Self {
            mean,
            std: var.sqrt(),
        }
    }
}

/// Overall scores of a method.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OverallSummary {
    /// F1 over seeds.
    pub f1: MeanStd,
    /// Accuracy over seeds.
    pub accuracy: MeanStd,
}

/// Scores of one slice for a method.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SliceSummary {
    /// Slice name.
    pub name: String,
    /// `sf` or `truth`.
    pub kind: SliceKind,
    /// Rows of the slice in the evaluation split (mean over seeds when the data varies by seed).
    pub support: u64,
    /// F1 over seeds.
    pub f1: MeanStd,
    /// Accuracy over seeds.
    pub accuracy: MeanStd,
}

/// One method over all seeds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MethodReport {
    /// Method name (`vanilla`, `sbl`, ...).
    pub method: String,
    /// Seeds run.
    pub seeds: Vec<u64>,
    /// Parameter count.
    pub params: usize,
    /// Relative parameter increase over Vanilla with the same backbone.
    pub param_increase: f64,
    /// Mean training seconds per epoch.
    pub epoch_secs: f64,
    /// Overall scores.
    pub overall: OverallSummary,
    /// Per-slice scores.
    pub slices: Vec<SliceSummary>,
}

/// Time and size of one method at one number of slices (the `scaling` experiment).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScalingRow {
    /// Method name.
    pub method: String,
    /// Number of slices.
    pub k: usize,
    /// Mean training seconds per epoch.
    pub epoch_secs: f64,
    /// Parameter count.
    pub params: usize,
}

/// What the indicator of one slice learned at one SF noise rate (the `noise` experiment).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoiseRow {
    /// SF noise rate.
    pub noise: f64,
    /// Slice (ground-truth column) name.
    pub slice: String,
    /// Mean indicator probability on rows truly in the slice.
    pub ind_prob_members: f64,
    /// Mean indicator probability on rows the noisy SF wrongly includes.
    pub ind_prob_flipped: f64,
    /// Mean test F1 on the true slice.
    pub f1: f64,
}

/// Slice and overall F1 of one method at one hidden size (the `hidden-dim` experiment).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HiddenDimRow {
    /// Method name.
    pub method: String,
    /// Backbone width (both layers) and expert size.
    pub hidden: usize,
    /// Mean F1 over the ground-truth slices.
    pub slice_f1: MeanStd,
    /// Overall F1.
    pub overall_f1: MeanStd,
}

/// How one run (a method and a seed) ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// Run name (`sbl-seed0`).
    pub run: String,
    /// Method name.
    pub method: String,
    /// Seed.
    pub seed: u64,
    /// `completed`, `early_stopped`, `cancelled`, `non_finite` or `diverged`.
    pub stop_reason: String,
    /// The stop reason in words.
    pub stop: String,
    /// Epochs that ran.
    pub epochs_run: usize,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Whether the run is part of its method's means (cancelled runs are listed, not averaged).
    pub summarised: bool,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Dataset description.
    pub dataset: String,
    /// Always `test`.
    pub eval_split: String,
    /// Set when the job was interrupted (Ctrl-C, SIGTERM, Stop): only finished runs are in it.
    #[serde(default)]
    pub interrupted: bool,
    /// One entry per method.
    pub methods: Vec<MethodReport>,
    /// Every run that started, with how it ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<RunRecord>,
    /// `scaling` experiment rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scaling: Vec<ScalingRow>,
    /// `noise` experiment rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noise: Vec<NoiseRow>,
    /// `hidden-dim` experiment rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_dim: Vec<HiddenDimRow>,
}

impl Report {
    /// A report of methods only.
    pub fn new(dataset: String, methods: Vec<MethodReport>) -> Self {
        Self {
            dataset,
            eval_split: "test".into(),
            interrupted: false,
            methods,
            runs: vec![],
            scaling: vec![],
            noise: vec![],
            hidden_dim: vec![],
        }
    }

    /// Whether every run diverged (none left a model worth using).
    pub fn all_diverged(&self) -> bool {
        !self.runs.is_empty()
            && self
                .runs
                .iter()
                .all(|r| r.stop_reason == "non_finite" || r.stop_reason == "diverged")
    }

    /// Finds a method's entry.
    pub fn method(&self, name: &str) -> Option<&MethodReport> {
        self.methods.iter().find(|m| m.method == name)
    }
}

impl MethodReport {
    /// Finds a slice's entry.
    pub fn slice(&self, name: &str) -> Option<&SliceSummary> {
        self.slices.iter().find(|s| s.name == name)
    }

    /// Summarises the per-seed test reports of one method.
    pub fn summarise(
        method: &str,
        seeds: Vec<u64>,
        params: usize,
        vanilla_params: usize,
        epoch_secs: f64,
        tests: &[&SplitReport],
    ) -> Self {
        let col =
            |f: &dyn Fn(&SplitReport) -> f64| -> Vec<f64> { tests.iter().map(|t| f(t)).collect() };
        let overall = OverallSummary {
            f1: MeanStd::of(&col(&|t| t.rows[0].scores.f1)),
            accuracy: MeanStd::of(&col(&|t| t.rows[0].scores.accuracy)),
        };
        let slices = tests
            .first()
            .map(|first| {
                first.rows[1..]
                    .iter()
                    .enumerate()
                    .map(|(j, row)| {
                        let at = |t: &SplitReport| t.rows[j + 1].scores;
                        let support = col(&|t| at(t).support as f64);
                        SliceSummary {
                            name: row.name.clone(),
                            kind: row.kind,
                            support: (support.iter().sum::<f64>() / support.len() as f64).round()
                                as u64,
                            f1: MeanStd::of(&col(&|t| at(t).f1)),
                            accuracy: MeanStd::of(&col(&|t| at(t).accuracy)),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let param_increase = if vanilla_params > 0 {
            params as f64 / vanilla_params as f64 - 1.0
        } else {
            0.0
        };
        Self {
            method: method.into(),
            seeds,
            params,
            param_increase,
            epoch_secs,
            overall,
            slices,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_uses_sample_std() {
        let m = MeanStd::of(&[1.0, 2.0, 3.0]);
        assert_eq!(m.mean, 2.0);
        assert!((m.std - 1.0).abs() < 1e-12);
        assert_eq!(MeanStd::of(&[5.0]).std, 0.0);
    }
}
