//! What a training run reports while it runs.

use serde::{Deserialize, Serialize};

pub use crate::summary::StopReason;

/// Mean loss terms over one epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LossBreakdown {
    /// Sum of the terms.
    pub total: f64,
    /// Final-prediction CE.
    pub base: f64,
    /// Indicator BCE.
    pub indicator: f64,
    /// Masked slice-prediction CE.
    pub slice_pred: f64,
}

/// One finished epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochStats {
    /// Which run (`sbl-seed0`).
    pub run: String,
    /// 1-based epoch.
    pub epoch: usize,
    /// Planned epochs.
    pub epochs: usize,
    /// Mean training losses.
    pub loss: LossBreakdown,
    /// Validation F1 of all rows (0 where undefined, so model selection still has a signal).
    pub valid_f1: f64,
    /// Validation accuracy of all rows.
    pub valid_accuracy: f64,
    /// Validation F1 per slice (SFs then ground-truth slices); NaN where undefined.
    pub slice_f1: Vec<(String, f64)>,
    /// Training time of this epoch (excluding validation).
    pub epoch_secs: f64,
    /// Time since the run started.
    pub elapsed_secs: f64,
}

/// Progress of a training job, sent over a bounded channel.
#[derive(Debug, Clone)]
pub enum TrainEvent {
    /// A run (one method and seed) starts.
    RunStarted {
        /// Run name.
        run: String,
        /// 0-based index of this run.
        index: usize,
        /// Number of runs in the job.
        total: usize,
        /// Parameter count.
        params: usize,
    },
    /// Work before the runs, such as running the frozen encoder layers once over every text.
    Stage {
        /// What is being done.
        what: String,
        /// Items done.
        done: usize,
        /// Items in all.
        total: usize,
    },
    /// An epoch finished.
    Epoch(EpochStats),
    /// A run ended.
    RunFinished {
        /// Run name.
        run: String,
        /// Why it ended.
        stop: StopReason,
        /// Epoch whose weights were kept.
        best_epoch: usize,
        /// Why that epoch was kept, in words (`None` when selection was off or no epoch ran).
        selection: Option<String>,
    },
}
