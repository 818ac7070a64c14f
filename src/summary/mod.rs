//! Summaries over runs: `report.json`, the per-method, per-slice summary over seeds that the CLI
//! writes and the GUI shows in Compare, and which runs may be averaged together.
//!
//! Named `summary` rather than `report` because [`crate::metrics::report`] is the other report:
//! one model on one split. This one summarises many runs of it.

pub mod group;
pub mod over_seeds;
pub mod paired;
pub mod stop;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::{Metric, SplitReport};
pub use over_seeds::{MeanStd, ScoresSummary, SliceSummary, show, summarise_slices};
pub use paired::{PairedLift, add_paired_lifts};
pub use stop::StopReason;

/// One group of runs: one method with one set of settings, over distinct seeds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MethodReport {
    /// Method name (`vanilla`, `sbl`, ...).
    pub method: String,
    /// The group's name: the method, plus the settings that set it apart from the method's other
    /// groups (`sbl (epochs 5)`); empty means the method name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The settings every run of the group shares (epochs, widths, lr, SF noise, slice set, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
    /// Seeds averaged (distinct).
    pub seeds: Vec<u64>,
    /// Parameter count.
    pub params: usize,
    /// Relative parameter increase over Vanilla with the same backbone.
    pub param_increase: f64,
    /// Mean training seconds per epoch.
    pub epoch_secs: f64,
    /// Overall scores.
    pub overall: ScoresSummary,
    /// Per-slice scores.
    pub slices: Vec<SliceSummary>,
    /// The worst slice's score by the report's metric, mean ± std over seeds (truth slices when
    /// there are any, else SF slices; see [`crate::metrics::extremes`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst_slice: Option<MeanStd>,
    /// The mean slice score by the report's metric, mean ± std over seeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_slice: Option<MeanStd>,
    /// Seed-paired differences over the Vanilla baseline (this group minus Vanilla, per seed,
    /// then mean ± std), `overall` first; empty for Vanilla and when no seed pairs up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paired: Vec<PairedLift>,
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
    /// Mean test F1 on the true slice (NaN, null in JSON, when undefined in every run).
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
    /// Why that epoch was kept, in words (rule, its score, the overall F1 bar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<String>,
    /// Whether the run is part of its method's means (cancelled and diverged runs are listed,
    /// not averaged).
    pub summarised: bool,
    /// The run's per-slice test report (scores, per-class tables, intervals, flags).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<SplitReport>,
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
    /// The metric that ranks and flags slices in the runs' test reports.
    #[serde(default)]
    pub metric: Metric,
    /// The device the runs trained on (`cpu`, `cuda`, `metal`; `auto` resolved).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device: String,
    /// One entry per method.
    pub methods: Vec<MethodReport>,
    /// Every run that started, with how it ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<RunRecord>,
    /// Runs left out of the means, with why (cancelled, diverged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_averaged: Vec<String>,
    /// What the grouping did that a reader should know (duplicate seeds dropped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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
            metric: Metric::default(),
            device: String::new(),
            methods,
            not_averaged: vec![],
            notes: vec![],
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

    /// Finds a group by its name (for a report of one experiment, the method name).
    pub fn method(&self, name: &str) -> Option<&MethodReport> {
        self.methods.iter().find(|m| m.label() == name)
    }

    /// Every slice of every group, by name, in order of first appearance.
    pub fn slice_names(&self) -> Vec<(&str, crate::metrics::report::SliceKind)> {
        let mut out: Vec<(&str, _)> = Vec::new();
        for s in self.methods.iter().flat_map(|m| &m.slices) {
            if !out.iter().any(|(n, _)| *n == s.name) {
                out.push((&s.name, s.kind));
            }
        }
        out
    }

    /// The Vanilla group that `m`'s lift is measured against: the one with the same settings,
    /// else the only one.
    pub fn baseline(&self, m: &MethodReport) -> Option<&MethodReport> {
        let vanilla: Vec<&MethodReport> = self
            .methods
            .iter()
            .filter(|v| v.method == "vanilla")
            .collect();
        vanilla
            .iter()
            .find(|v| v.settings == m.settings)
            .or(if vanilla.len() == 1 {
                vanilla.first()
            } else {
                None
            })
            .copied()
    }
}

impl MethodReport {
    /// The paired difference over Vanilla of a slice (`overall` for all rows), if computed.
    pub fn paired_lift(&self, name: &str) -> Option<&PairedLift> {
        self.paired.iter().find(|p| p.slice == name)
    }

    /// The worst or mean slice summary for the rows named [`crate::metrics::WORST_SLICE`] and
    /// [`crate::metrics::MEAN_SLICE`].
    pub fn extreme(&self, name: &str) -> Option<&MeanStd> {
        match name {
            crate::metrics::WORST_SLICE => self.worst_slice.as_ref(),
            crate::metrics::MEAN_SLICE => self.mean_slice.as_ref(),
            _ => None,
        }
    }

    /// Finds a slice's entry.
    pub fn slice(&self, name: &str) -> Option<&SliceSummary> {
        self.slices.iter().find(|s| s.name == name)
    }

    /// The group's name (the method name when it has no other).
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.method
        } else {
            &self.name
        }
    }

    /// Summarises the per-seed test reports of one group, slices matched by name.
    pub fn summarise(
        method: &str,
        seeds: Vec<u64>,
        params: usize,
        vanilla_params: usize,
        epoch_secs: f64,
        tests: &[&SplitReport],
    ) -> Self {
        let (overall, slices) = summarise_slices(tests);
        let metric = tests.first().map_or_else(Metric::default, |t| t.metric);
        let extremes: Vec<_> = tests.iter().map(|t| t.extremes(metric)).collect();
        let worst_slice =
            MeanStd::of_defined(extremes.iter().map(|e| e.worst.as_ref().map(|w| w.1)));
        let mean_slice = MeanStd::of_defined(extremes.iter().map(|e| e.mean));
        let param_increase = if vanilla_params > 0 {
            params as f64 / vanilla_params as f64 - 1.0
        } else {
            0.0
        };
        Self {
            method: method.into(),
            name: String::new(),
            settings: BTreeMap::new(),
            seeds,
            params,
            param_increase,
            epoch_secs,
            overall,
            slices,
            worst_slice,
            mean_slice,
            paired: Vec::new(),
        }
    }
}
