//! What a training run reports while it runs.

use serde::{Deserialize, Serialize};

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

/// Why a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// All epochs ran.
    Completed,
    /// Validation stopped improving.
    EarlyStopped,
    /// The user cancelled.
    Cancelled,
    /// The loss became NaN or infinite; the last good weights were kept.
    NonFinite {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based batch within the epoch.
        batch: usize,
    },
    /// The loss stayed finite but rose far above where training started (the learning rate is
    /// too high); the best validation epoch's weights were kept, but the run is not to be trusted.
    Diverged {
        /// 1-based epoch.
        epoch: usize,
        /// That epoch's mean training loss.
        loss: f64,
        /// The loss of the first batch, at the initial weights.
        initial: f64,
    },
}

impl StopReason {
    /// A sentence for people.
    pub fn describe(&self) -> String {
        match self {
            StopReason::Completed => "completed".into(),
            StopReason::EarlyStopped => "stopped early (no validation improvement)".into(),
            StopReason::Cancelled => "cancelled by the user".into(),
            StopReason::NonFinite { epoch, batch } => format!(
                "diverged: the loss became NaN/inf at epoch {epoch}, batch {batch}; the last good weights were kept \
                 (try a lower learning rate or gradient clipping)"
            ),
            StopReason::Diverged {
                epoch,
                loss,
                initial,
            } => format!(
                "diverged: the training loss rose to {loss:.4e} at epoch {epoch}, from {initial:.4} at the start; \
                 the model is not to be trusted (try a lower learning rate)"
            ),
        }
    }

    /// Whether training went wrong (NaN/inf or a runaway loss), as opposed to ending normally.
    pub fn diverged(&self) -> bool {
        matches!(
            self,
            StopReason::NonFinite { .. } | StopReason::Diverged { .. }
        )
    }

    /// A short machine-readable kind: `completed`, `early_stopped`, `cancelled`, `non_finite`, `diverged`.
    pub fn kind(&self) -> &'static str {
        match self {
            StopReason::Completed => "completed",
            StopReason::EarlyStopped => "early_stopped",
            StopReason::Cancelled => "cancelled",
            StopReason::NonFinite { .. } => "non_finite",
            StopReason::Diverged { .. } => "diverged",
        }
    }
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
    },
}
