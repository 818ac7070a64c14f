//! Vanilla: backbone + linear prediction head, trained on the label alone.

use candle_core::{Result, Tensor};
use candle_nn::{Module, VarBuilder};

use super::dense::{Dense, dense};

use super::Forward;
use super::config::ModelConfig;
use super::mlp::Mlp;

/// Backbone followed by one linear head.
pub struct Vanilla {
    backbone: Mlp,
    head: Dense,
}

impl Vanilla {
    /// Builds `backbone.*` and `head.*`.
    pub fn new(cfg: &ModelConfig, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            backbone: Mlp::new(cfg.input_dim, &cfg.hidden, vb.pp("backbone"))?,
            head: dense(cfg.backbone_dim(), cfg.n_classes, vb.pp("head"))?,
        })
    }

    /// Class logits `[batch, C]`.
    pub fn forward(&self, x: &Tensor) -> Result<Forward> {
        let z = self.backbone.forward(x)?; // [batch, d]
        Ok(Forward {
            logits: self.head.forward(&z)?,
            indicator: None,
            slice_logits: None,
            attention: None,
            slice_weights: None,
            indicator_log_prob: None,
        })
    }
}
