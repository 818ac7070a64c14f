//! Slice-based Learning: slice-residual-attention modules on a shared backbone.
//!
//! All k+1 slices (the base slice of all rows comes first) are computed with batched tensor
//! ops: one matmul for every indicator head, one for every expert, the shared slice head
//! applied to a `[batch, k+1, h]` tensor. Confidence is the margin between the two largest
//! slice-head logits, which equals `|logit|` of a single-logit binary head when `C = 2`.
//!
//! Attention is `softmax(Q + |P|)` with `Q = ln σ(indicator logit)`, i.e. proportional to
//! `P(member) · e^{|P|}`. Using the log-probability rather than the raw logit keeps the base
//! slice (whose target is always 1, so its logit grows without bound) from drowning the slice
//! experts, and caps every member's indicator term at 0.

use candle_core::{D, Result, Tensor};
use candle_nn::{Module, VarBuilder};

use super::Forward;
use super::config::{Attention, ModelConfig};
use super::dense::{Dense, affine, dense};
use super::fused::{self, AttentionOp, CombineOp, ComposeOp, LogSigmoidOp};
use super::mlp::Mlp;

/// The SBL model: backbone, indicator heads, experts, shared slice head, attention, final head.
pub struct SliceModel {
    backbone: Mlp,
    /// All k+1 indicator heads as one layer: `[d] -> [k+1]`.
    indicator: Dense,
    /// All k+1 linear experts as one layer: `[d] -> [(k+1) * h]`.
    experts: Dense,
    /// The one slice prediction head shared by every expert: `[h] -> [C]`.
    slice_head: Dense,
    /// The final prediction head on the attended representation: `[h] -> [C]`.
    head: Dense,
    slots: usize,
    rep_dim: usize,
    attention: Attention,
}

impl SliceModel {
    /// Builds the model; variable names become the checkpoint's safetensors keys.
    pub fn new(cfg: &ModelConfig, vb: VarBuilder) -> Result<Self> {
        let d = cfg.backbone_dim();
        let slots = cfg.n_slices + 1;
        Ok(Self {
            backbone: Mlp::new(cfg.input_dim, &cfg.hidden, vb.pp("backbone"))?,
            indicator: dense(d, slots, vb.pp("indicator"))?,
            experts: dense(d, slots * cfg.rep_dim, vb.pp("experts"))?,
            slice_head: dense(cfg.rep_dim, cfg.n_classes, vb.pp("slice_head"))?,
            head: dense(cfg.rep_dim, cfg.n_classes, vb.pp("head"))?,
            slots,
            rep_dim: cfg.rep_dim,
            attention: cfg.attention(),
        })
    }

    /// Runs every slice module at once.
    pub fn forward(&self, x: &Tensor) -> Result<Forward> {
        let batch = x.dim(0)?;
        let z = self.backbone.forward(x)?; // [batch, d]
        let q = self.indicator.forward(&z)?; // [batch, k+1]
        let r = self
            .experts
            .forward(&z)?
            .reshape((batch, self.slots, self.rep_dim))?; // [batch, k+1, h]
        let p = self.slice_logits(&z)?; // [batch, k+1, C]
        let (a, combined, lq) = if fused::usable(&q) {
            let lq = q.contiguous()?.apply_op1(LogSigmoidOp)?; // [batch, k+1]
            let a = lq.apply_op2(&p.contiguous()?, AttentionOp(self.attention))?; // [batch, k+1]
            let combined = a.apply_op2(&r.contiguous()?, CombineOp)?; // [batch, h]
            (a, combined, Some(lq))
        } else {
            let a = attention(&q, &p, self.attention)?;
            let combined = a.unsqueeze(1)?.matmul(&r)?.squeeze(1)?;
            (a, combined, None)
        };
        let logits = self.head.forward(&combined)?; // [batch, C]
        Ok(Forward {
            logits,
            indicator: Some(q),
            indicator_log_prob: lq,
            slice_logits: Some(p),
            attention: Some(a),
            slice_weights: None,
        })
    }
}

impl SliceModel {
    /// The shared slice head on every expert, `g(r_s)` for all `s`, as one matmul of `z` `[batch, d]`
    /// with the head composed into each expert (see [`ComposeOp`]) -> `[batch, k+1, C]`.
    fn slice_logits(&self, z: &Tensor) -> Result<Tensor> {
        let (w, b) = (self.slice_head.weight(), self.slice_head.bias()); // [C, h], [1, C]
        let (e, e_bias) = (self.experts.weight(), self.experts.bias()); // [S·h, d], [1, S·h]
        let c = w.dim(0)?;
        let m = compose(e, w)?; // [S·C, d]
        let m_bias = compose(&e_bias.reshape((self.slots * self.rep_dim, 1))?, w)? // [S·C, 1]
            .reshape((self.slots, c))?
            .broadcast_add(b)?
            .reshape((1, self.slots * c))?;
        affine(z, &m, &m_bias)?.reshape((z.dim(0)?, self.slots, c))
    }
}

/// `W · E_s` for every slot: experts `[S·h, d]`, head `[C, h]` -> `[S·C, d]`.
pub fn compose(e: &Tensor, w: &Tensor) -> Result<Tensor> {
    if fused::usable(e) && fused::usable(w) {
        return e.contiguous()?.apply_op2(&w.contiguous()?, ComposeOp);
    }
    let (sh, d) = e.dims2()?;
    let (c, h) = w.dims2()?;
    let s = sh / h.max(1);
    w.broadcast_left(s)?
        .matmul(&e.reshape((s, h, d))?)? // [S, C, d]
        .reshape((s * c, d))
}

/// Attention over experts from indicator logits `[.., k+1]` and slice logits `[.., k+1, C]`,
/// as composite tensor ops (the path for GPUs; the CPU uses [`AttentionOp`]).
pub fn attention(q: &Tensor, p: &Tensor, kind: Attention) -> Result<Tensor> {
    let scores = match kind {
        Attention::Full => (log_sigmoid(q)? + confidence(p)?)?,
        Attention::Indicator => log_sigmoid(q)?,
        Attention::Confidence => confidence(p)?,
        Attention::Uniform => q.zeros_like()?,
    }; // [batch, k+1]
    candle_nn::ops::softmax(&scores, D::Minus1)
}

/// Margin between the two largest logits along the last axis: `[.., C] -> [..]`.
pub fn confidence(logits: &Tensor) -> Result<Tensor> {
    let c = logits.dim(D::Minus1)?;
    if c == 2 {
        let l0 = logits.narrow(D::Minus1, 0, 1)?;
        let l1 = logits.narrow(D::Minus1, 1, 1)?;
        return (l1 - l0)?.abs()?.squeeze(D::Minus1);
    }
    let top = logits.max_keepdim(D::Minus1)?; // [.., 1]
    let is_top = logits.broadcast_ge(&top)?;
    let floor = (logits
        .min_keepdim(D::Minus1)?
        .broadcast_as(logits.shape())?
        - 1.0)?;
    let rest = is_top.where_cond(&floor, logits)?;
    let second = rest.max_keepdim(D::Minus1)?;
    (top - second)?.squeeze(D::Minus1)
}

/// `ln σ(x) = -softplus(-x)`, computed stably: `min(x, 0) - ln(1 + e^{-|x|})`.
pub fn log_sigmoid(x: &Tensor) -> Result<Tensor> {
    let softplus_neg_abs = (x.abs()?.neg()?.exp()? + 1.0)?.log()?;
    (x.minimum(0f32)? - softplus_neg_abs)?.contiguous()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn log_sigmoid_is_stable_and_bounded() {
        let x = Tensor::new(&[-100f32, -1.0, 0.0, 2.0, 100.0], &Device::Cpu).unwrap();
        let v = log_sigmoid(&x).unwrap().to_vec1::<f32>().unwrap();
        let expect = |z: f32| -(1.0 + (-z).exp()).ln();
        assert!((v[0] + 100.0).abs() < 1e-3);
        for (i, z) in [-1.0f32, 0.0, 2.0].iter().enumerate() {
            assert!((v[i + 1] - expect(*z)).abs() < 1e-5);
        }
        assert!(v[4] <= 0.0 && v[4] > -1e-6);
    }
}
