//! Training settings; the defaults match the reference harness (Adam, lr 0.01, batch 32, clip 1).

use serde::{Deserialize, Serialize};

/// Which optimiser to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adam; weight decay is an L2 term added to the gradient.
    Adam,
    /// AdamW; weight decay is decoupled from the gradient.
    AdamW,
}

/// How to train one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// Passes over the training rows.
    pub epochs: usize,
    /// Rows per step.
    pub batch_size: usize,
    /// Learning rate.
    pub lr: f64,
    /// Optimiser.
    pub optimizer: OptimizerKind,
    /// Weight decay (L2 for Adam, decoupled for AdamW).
    pub weight_decay: f64,
    /// Clip the global gradient norm to this value (none when `None`).
    pub grad_clip: Option<f64>,
    /// Backbone widths.
    pub hidden: Vec<usize>,
    /// Seed of weights and batch order.
    pub seed: u64,
    /// Keep the weights of the epoch with the best validation F1 (else the last epoch's).
    pub select_best: bool,
    /// Stop after this many epochs without validation improvement.
    pub patience: Option<usize>,
    /// `cpu`, `cuda` or `metal`.
    pub device: String,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 30,
            batch_size: 32,
            lr: 0.01,
            optimizer: OptimizerKind::Adam,
            weight_decay: 0.0,
            grad_clip: Some(1.0),
            hidden: vec![13, 13],
            seed: 0,
            select_best: true,
            patience: None,
            device: "cpu".into(),
        }
    }
}

impl TrainConfig {
    /// Checks the settings, naming the first bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.epochs == 0 {
            return Err("epochs must be at least 1".into());
        }
        if self.batch_size == 0 {
            return Err("batch size must be at least 1".into());
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(format!("learning rate must be positive, got {}", self.lr));
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err("hidden widths must be one or more positive numbers".into());
        }
        Ok(())
    }
}
