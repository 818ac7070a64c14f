//! Hard parameter sharing: one shared backbone, a prediction head per slice and a base head.
//!
//! All k+1 heads are one `Linear(d, (k+1)·C)`. Each slice head is trained on its slice's rows
//! only; predictions come from the base head. Manual is the same model with per-slice loss
//! multipliers (`ModelConfig::slice_loss_weights`).

use candle_core::{Result, Tensor};
use candle_nn::{Module, VarBuilder};

use super::dense::{Dense, dense};

use super::Forward;
use super::config::ModelConfig;
use super::mlp::Mlp;

/// Backbone plus k+1 heads in one layer.
pub struct Hps {
    backbone: Mlp,
    heads: Dense,
    slots: usize,
    n_classes: usize,
    /// Loss weight per slot: 0 for the base (trained by the base loss), then one per SF.
    weights: Tensor,
}

impl Hps {
    /// Builds `backbone.*` and `heads.*`.
    pub fn new(cfg: &ModelConfig, vb: VarBuilder) -> Result<Self> {
        let slots = cfg.n_slices + 1;
        let mut weights = vec![0f32; slots];
        for (j, w) in weights.iter_mut().enumerate().skip(1) {
            *w = cfg.slice_loss_weights.get(j - 1).copied().unwrap_or(1.0);
        }
        Ok(Self {
            backbone: Mlp::new(cfg.input_dim, &cfg.hidden, vb.pp("backbone"))?,
            heads: dense(cfg.backbone_dim(), slots * cfg.n_classes, vb.pp("heads"))?,
            slots,
            n_classes: cfg.n_classes,
            weights: Tensor::from_vec(weights, slots, vb.device())?,
        })
    }

    /// Base-head logits `[batch, C]` and every head's logits `[batch, k+1, C]`.
    pub fn forward(&self, x: &Tensor) -> Result<Forward> {
        let batch = x.dim(0)?;
        let z = self.backbone.forward(x)?; // [batch, d]
        let heads = self
            .heads
            .forward(&z)?
            .reshape((batch, self.slots, self.n_classes))?; // [batch, k+1, C]
        let logits = heads.narrow(1, 0, 1)?.squeeze(1)?; // [batch, C]
        Ok(Forward {
            logits,
            indicator: None,
            slice_logits: Some(heads),
            attention: None,
            slice_weights: Some(self.weights.clone()),
            indicator_log_prob: None,
        })
    }
}
