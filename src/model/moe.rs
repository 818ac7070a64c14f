//! Mixture of experts: one full Vanilla model (backbone + head) per slice and one for the base,
//! combined by a learned gate on the input.
//!
//! The k+1 experts are batched: every layer is one `[k+1, in, out]` weight applied with a
//! batched matmul, so there is no loop over experts. Expert j is trained on slice j's rows (the
//! base expert on all rows); the gated mixture of their logits is the prediction.

use candle_core::{D, Result, Tensor};
use candle_nn::{Init, Module, VarBuilder};

use super::dense::{Dense, dense};

use super::Forward;
use super::config::ModelConfig;

/// One batched layer: `[k+1, batch, in] -> [k+1, batch, out]`.
struct ExpertLayer {
    weight: Tensor, // [k+1, in, out]
    bias: Tensor,   // [k+1, 1, out]
}

impl ExpertLayer {
    fn new(experts: usize, d_in: usize, d_out: usize, vb: VarBuilder) -> Result<Self> {
        let init = Init::Uniform { lo: -1.0, up: 1.0 };
        Ok(Self {
            weight: vb.get_with_hints((experts, d_in, d_out), "weight", init)?,
            bias: vb.get_with_hints((experts, 1, d_out), "bias", init)?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.matmul(&self.weight)?.broadcast_add(&self.bias)
    }
}

/// k+1 experts and a gate.
pub struct Moe {
    layers: Vec<ExpertLayer>,
    head: ExpertLayer,
    gate: Dense,
    experts: usize,
}

impl Moe {
    /// Builds `experts.{i}.*`, `experts.head.*` and `gate.*`.
    pub fn new(cfg: &ModelConfig, vb: VarBuilder) -> Result<Self> {
        let experts = cfg.n_slices + 1;
        let mut layers = Vec::with_capacity(cfg.hidden.len());
        let mut d = cfg.input_dim;
        for (i, &w) in cfg.hidden.iter().enumerate() {
            layers.push(ExpertLayer::new(experts, d, w, vb.pp("experts").pp(i))?);
            d = w;
        }
        Ok(Self {
            layers,
            head: ExpertLayer::new(experts, d, cfg.n_classes, vb.pp("experts").pp("head"))?,
            gate: dense(cfg.input_dim, experts, vb.pp("gate"))?,
            experts,
        })
    }

    /// Gated logits `[batch, C]`; each expert's logits `[batch, k+1, C]`; the gate `[batch, k+1]`.
    pub fn forward(&self, x: &Tensor) -> Result<Forward> {
        let (batch, d_in) = x.dims2()?;
        let mut h = x
            .unsqueeze(0)?
            .broadcast_as((self.experts, batch, d_in))?
            .contiguous()?; // [k+1, batch, d_in]
        for layer in &self.layers {
            h = layer.forward(&h)?.relu()?; // [k+1, batch, w]
        }
        let per_expert = self.head.forward(&h)?.transpose(0, 1)?.contiguous()?; // [batch, k+1, C]
        let gate = candle_nn::ops::softmax(&self.gate.forward(x)?, D::Minus1)?; // [batch, k+1]
        let logits = gate.unsqueeze(1)?.matmul(&per_expert)?.squeeze(1)?; // [batch, C]
        Ok(Forward {
            logits,
            indicator: None,
            slice_logits: Some(per_expert),
            attention: Some(gate),
            slice_weights: None,
            indicator_log_prob: None,
        })
    }
}
