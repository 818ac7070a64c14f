//! candle models: the MLP backbone, Vanilla, the slice-residual-attention (SBL) model and the
//! baselines (HPS, Manual, MoE).

pub mod checkpoint;
pub mod config;
pub mod dense;
pub mod device;
pub mod error;
pub mod fused;
pub mod hps;
pub mod loss;
pub mod mlp;
pub mod moe;
pub mod sram;
pub mod vanilla;

pub use config::{Attention, Method, ModelConfig};
pub use error::{BoundsError, CheckpointError, DeviceError};

use candle_core::{Result, Tensor};
use candle_nn::{VarBuilder, VarMap};

/// The tensors of one training batch.
pub struct Batch {
    /// Features, `[batch, d_in]`.
    pub x: Tensor,
    /// Class indices, `[batch]` (u32).
    pub y: Tensor,
    /// Slice membership with the base slice first, `[batch, k+1]` (f32 0/1).
    pub slices: Tensor,
    /// Per-class weights of the base loss, `[C]` (f32); `None` weighs every row the same.
    pub class_weights: Option<Tensor>,
}

/// What a forward pass returns; the SBL-only fields are `None` for other models.
pub struct Forward {
    /// Final class logits, `[batch, C]`.
    pub logits: Tensor,
    /// Indicator logits, `[batch, k+1]`.
    pub indicator: Option<Tensor>,
    /// `ln σ(indicator logits)`, `[batch, k+1]`, where the CPU kernels computed it for the
    /// attention (the indicator loss reuses it).
    pub indicator_log_prob: Option<Tensor>,
    /// Shared slice-head logits per expert, `[batch, k+1, C]`.
    pub slice_logits: Option<Tensor>,
    /// Attention over experts, `[batch, k+1]`, rows sum to 1.
    pub attention: Option<Tensor>,
    /// Weights of the per-slot slice-prediction losses, `[k+1]` (default: all 1).
    pub slice_weights: Option<Tensor>,
}

/// The loss of one batch, split into the paper's terms.
pub struct LossTerms {
    /// Sum of all terms (what is differentiated).
    pub total: Tensor,
    /// Cross-entropy of the final prediction.
    pub base: Tensor,
    /// Indicator BCE summed over slices (0 for Vanilla).
    pub indicator: Tensor,
    /// Masked slice-prediction CE summed over slices (0 for Vanilla).
    pub slice_pred: Tensor,
}

/// A trainable classifier.
pub enum Model {
    /// Backbone + linear head.
    Vanilla(vanilla::Vanilla),
    /// Hard parameter sharing (also Manual, with loss multipliers).
    Hps(hps::Hps),
    /// Mixture of experts.
    Moe(moe::Moe),
    /// Slice-based Learning and its attention ablations.
    Sbl(sram::SliceModel),
}

impl Model {
    /// Builds the model described by `cfg` with variables from `vb`.
    pub fn new(cfg: &ModelConfig, vb: VarBuilder) -> Result<Self> {
        Ok(match cfg.method {
            Method::Vanilla | Method::Gdro | Method::Jtt | Method::Reweight => {
                Model::Vanilla(vanilla::Vanilla::new(cfg, vb)?)
            }
            Method::Hps | Method::Manual => Model::Hps(hps::Hps::new(cfg, vb)?),
            Method::Moe => Model::Moe(moe::Moe::new(cfg, vb)?),
            Method::Sbl | Method::SblUniform | Method::SblIndicator | Method::SblConfidence => {
                Model::Sbl(sram::SliceModel::new(cfg, vb)?)
            }
        })
    }

    /// Runs the model.
    pub fn forward(&self, x: &Tensor) -> Result<Forward> {
        match self {
            Model::Vanilla(m) => m.forward(x),
            Model::Hps(m) => m.forward(x),
            Model::Moe(m) => m.forward(x),
            Model::Sbl(m) => m.forward(x),
        }
    }

    /// Computes the training loss of a batch.
    pub fn loss(&self, batch: &Batch) -> Result<LossTerms> {
        if let Model::Sbl(m) = self
            && let Some(terms) = m.fused_loss(batch)?
        {
            return Ok(terms);
        }
        let out = self.forward(&batch.x)?;
        loss::loss_terms(&out, batch)
    }
}

/// Total number of scalar parameters in a variable map.
pub fn param_count(varmap: &VarMap) -> usize {
    varmap.all_vars().iter().map(|v| v.elem_count()).sum()
}
