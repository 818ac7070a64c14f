//! Training settings. The defaults follow the reference harness (Adam, lr 0.01, batch 32, clip 1)
//! except the learning-rate schedule: a cosine decay, which stops the late-epoch oscillation that
//! makes small slices be learned and forgotten (`LrSchedule::Constant` reproduces the reference).

use serde::{Deserialize, Serialize};

use super::select::Selection;
use crate::optim::OptimConfig;
pub use crate::optim::OptimizerKind;

/// How the learning rate changes over training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LrSchedule {
    /// The same rate throughout (the reference's setting).
    Constant,
    /// Half-cosine decay from `lr` to 0 over all steps.
    Cosine,
    /// Linear decay from `lr` to 0 over all steps.
    Linear,
}

impl LrSchedule {
    /// The rate at `step` of `total` steps.
    pub fn rate(self, lr: f64, step: usize, total: usize) -> f64 {
        let t = step as f64 / total.max(1) as f64;
        match self {
            LrSchedule::Constant => lr,
            LrSchedule::Cosine => lr * 0.5 * (1.0 + (std::f64::consts::PI * t).cos()),
            LrSchedule::Linear => lr * (1.0 - t),
        }
    }
}

/// How the classes are weighted in the prediction loss.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeights {
    /// Every row counts the same.
    #[default]
    None,
    /// Each class weighs `n / (C * n_class)` on the training rows, so a rare positive class
    /// counts as much as the common one (for imbalanced data such as census income).
    Balanced,
}

impl ClassWeights {
    /// Per-class weights for the labels `y` of the training rows `rows`, or `None` when unweighted.
    pub fn weights(self, y: &[u32], rows: &[usize], n_classes: usize) -> Option<Vec<f32>> {
        match self {
            ClassWeights::None => None,
            ClassWeights::Balanced => {
                let mut counts = vec![0usize; n_classes];
                rows.iter().for_each(|&i| counts[y[i] as usize] += 1);
                let n = rows.len() as f32;
                Some(
                    counts
                        .iter()
                        .map(|&c| n / (n_classes as f32 * c.max(1) as f32))
                        .collect(),
                )
            }
        }
    }
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
    /// Learning-rate schedule.
    pub lr_schedule: LrSchedule,
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
    /// The validation score the kept epoch maximises (with `select_best`).
    pub select: Selection,
    /// How far below the run's best overall validation F1 a kept epoch's may be.
    pub select_tolerance: f64,
    /// The metric the slice rules score slices by (`None`: the task's default, F1 for two
    /// classes, error rate for more; the CLI passes `--metric`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_metric: Option<crate::metrics::Metric>,
    /// Stop after this many epochs without validation improvement.
    pub patience: Option<usize>,
    /// `auto` (a GPU when the build and the machine have one, else the CPU), `cpu`, `cuda`
    /// or `metal`.
    pub device: String,
    /// Class weighting of the prediction loss.
    pub class_weights: ClassWeights,
    /// Group DRO's step size η of the group-weight update.
    pub gdro_step: f64,
    /// Group DRO's L2 penalty, used as the weight decay of its runs when larger.
    pub gdro_l2: f64,
    /// JTT's first-stage epochs T.
    pub jtt_epochs: usize,
    /// JTT's weight λ_up on the first stage's misclassified training rows.
    pub jtt_upweight: f64,
    /// Top layers of the text encoder trained jointly with the model (0: the embedding is
    /// frozen); needs a table whose text column was embedded.
    pub tune_layers: usize,
    /// Learning rate of the tuned encoder layers (the model's own is `lr`).
    pub encoder_lr: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 30,
            batch_size: 32,
            lr: 0.01,
            optimizer: OptimizerKind::Adam,
            lr_schedule: LrSchedule::Cosine,
            weight_decay: 0.0,
            grad_clip: Some(1.0),
            hidden: vec![13, 13],
            seed: 0,
            select_best: true,
            select: Selection::Overall,
            select_tolerance: 0.005,
            select_metric: None,
            patience: None,
            device: "auto".into(),
            class_weights: ClassWeights::None,
            gdro_step: 0.01,
            gdro_l2: 0.001,
            jtt_epochs: 2,
            jtt_upweight: 6.0,
            tune_layers: 0,
            encoder_lr: 5e-5,
        }
    }
}

impl TrainConfig {
    /// The optimiser's part of the settings.
    pub fn optim(&self) -> OptimConfig {
        OptimConfig {
            kind: self.optimizer,
            lr: self.lr,
            weight_decay: self.weight_decay,
            grad_clip: self.grad_clip,
        }
    }

    /// Checks the settings, naming the first bad one.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.epochs == 0 {
            return Err(SettingError::Epochs);
        }
        if self.batch_size == 0 {
            return Err(SettingError::BatchSize);
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(SettingError::Lr(self.lr));
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(SettingError::NoWidths);
        }
        if let Some(w) = self
            .hidden
            .iter()
            .find(|&&w| w > crate::model::config::MAX_WIDTH)
        {
            return Err(SettingError::Width {
                width: *w,
                max: crate::model::config::MAX_WIDTH,
            });
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return Err(SettingError::WeightDecay(self.weight_decay));
        }
        if let Some(c) = self.grad_clip.filter(|c| !(*c > 0.0 && c.is_finite())) {
            return Err(SettingError::GradClip(c));
        }
        if !(0.0..=1.0).contains(&self.select_tolerance) {
            return Err(SettingError::SelectTolerance(self.select_tolerance));
        }
        for (name, v) in [("--gdro-step", self.gdro_step), ("--gdro-l2", self.gdro_l2)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(SettingError::Robust(format!(
                    "{name} must be a finite number ≥ 0, got {v}"
                )));
            }
        }
        if self.jtt_epochs == 0 {
            return Err(SettingError::Robust(
                "--jtt-epochs must be at least 1".into(),
            ));
        }
        if !(self.jtt_upweight >= 1.0 && self.jtt_upweight.is_finite()) {
            return Err(SettingError::Robust(format!(
                "--jtt-upweight must be a finite number ≥ 1, got {}",
                self.jtt_upweight
            )));
        }
        if !(self.encoder_lr > 0.0 && self.encoder_lr.is_finite()) {
            return Err(SettingError::EncoderLr(self.encoder_lr));
        }
        Ok(())
    }

    /// The encoder layers' optimiser settings: the model's, at the encoder's learning rate and
    /// without weight decay (with Adam, decay is an L2 pull of the pretrained weights, the
    /// LayerNorm gains included, towards 0).
    pub fn encoder_optim(&self) -> OptimConfig {
        OptimConfig {
            lr: self.encoder_lr,
            weight_decay: 0.0,
            ..self.optim()
        }
    }
}

/// The first bad training setting, in words a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingError {
    /// No epochs.
    #[error("epochs must be at least 1")]
    Epochs,
    /// An empty batch.
    #[error("batch size must be at least 1")]
    BatchSize,
    /// A learning rate that is not a positive number.
    #[error("learning rate must be a finite number above 0, got {0}")]
    Lr(f64),
    /// No backbone widths, or a zero one.
    #[error("hidden widths must be one or more positive numbers")]
    NoWidths,
    /// A backbone width above the model's limit.
    #[error("hidden width {width} is larger than {max}")]
    Width {
        /// The width given.
        width: usize,
        /// The limit.
        max: usize,
    },
    /// Negative or non-finite weight decay.
    #[error("weight decay must be a finite number ≥ 0, got {0}")]
    WeightDecay(f64),
    /// A clipping norm that is not a finite positive number.
    #[error("gradient clipping must be a finite positive norm (0 turns it off), got {0}")]
    GradClip(f64),
    /// A selection tolerance outside [0, 1].
    #[error("the selection tolerance is an F1 difference between 0 and 1, got {0}")]
    SelectTolerance(f64),
    /// An encoder learning rate that is not a positive number.
    #[error("the encoder learning rate must be a finite number above 0, got {0}")]
    EncoderLr(f64),
    /// A Group DRO or JTT setting out of range.
    #[error("{0}")]
    Robust(String),
}

/// The app shows settings errors as text next to the Train button.
impl From<SettingError> for String {
    fn from(e: SettingError) -> Self {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_start_at_lr_and_decay_to_zero() {
        for s in [LrSchedule::Cosine, LrSchedule::Linear] {
            assert_eq!(s.rate(0.01, 0, 100), 0.01);
            assert!(s.rate(0.01, 100, 100).abs() < 1e-12);
            assert!((s.rate(0.01, 50, 100) - 0.005).abs() < 1e-12);
        }
        assert_eq!(LrSchedule::Constant.rate(0.01, 99, 100), 0.01);
        // The encoder tuner starts from the optimiser's defaults: they must stay the training ones.
        assert_eq!(
            TrainConfig::default().optim(),
            crate::optim::OptimConfig::default()
        );
        let w = ClassWeights::Balanced.weights(&[0, 0, 0, 1, 9], &[0, 1, 2, 3], 2);
        assert_eq!(w, Some(vec![4.0 / 6.0, 2.0]));
        assert!(
            TrainConfig {
                epochs: 0,
                ..TrainConfig::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            TrainConfig {
                lr: f64::NAN,
                ..TrainConfig::default()
            }
            .validate()
            .is_err()
        );
    }
}
