//! Why a run ended. Training sets it; the summary needs it to leave cancelled and diverged runs
//! out of averages, so it lives here, below [`crate::train`], which re-exports it.

use serde::{Deserialize, Serialize};

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
