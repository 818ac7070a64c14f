//! Slice-based Learning: slice-residual-attention modules on a shared backbone.
//!
//! All k+1 slices (the base slice of all rows comes first) are computed with batched tensor
//! ops: one matmul for every indicator head, and one for both linear heads (the shared slice
//! head and the final head) composed into every expert, so the `[batch, k+1, h]` expert tensor
//! is never built. On the CPU, training runs everything after those two matmuls as one op
//! ([`SlotLossOp`]). Confidence is the margin between the two largest
//! slice-head logits, which equals `|logit|` of a single-logit binary head when `C = 2`.
//!
//! Attention is `softmax(Q + |P|)` with `Q = ln σ(indicator logit)`, i.e. proportional to
//! `P(member) · e^{|P|}`. Using the log-probability rather than the raw logit keeps the base
//! slice (whose target is always 1, so its logit grows without bound) from drowning the slice
//! experts, and caps every member's indicator term at 0.

use candle_core::{D, Result, Tensor};
use candle_nn::{Module, VarBuilder};

use super::config::{Attention, ModelConfig};
use super::dense::{Dense, affine, dense};
use super::fused::{AttentionOp, CombineOp, ComposeOp, LogSigmoidOp, SlotLossOp};
use super::mlp::Mlp;
use super::{Batch, Forward, LossTerms, loss};
use crate::kernels;

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
        let z = self.backbone.forward(x)?; // [batch, d]
        let q = self.indicator.forward(&z)?; // [batch, k+1]
        let (p, v) = self.slot_logits(&z)?; // [batch, k+1, C] each: g(r_s), h(r_s)
        let (a, logits, lq) = if kernels::usable(&q) {
            let lq = q.contiguous()?.apply_op1(LogSigmoidOp)?; // [batch, k+1]
            let a = lq.apply_op2(&p, AttentionOp(self.attention))?; // [batch, k+1]
            let logits = a.apply_op2(&v, CombineOp)?; // [batch, C]
            (a, logits, Some(lq))
        } else {
            let a = attention(&q, &p, self.attention)?;
            let logits = a.unsqueeze(1)?.matmul(&v)?.squeeze(1)?;
            (a, logits, None)
        };
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
    /// Both linear heads on every expert, `g(r_s)` (the shared slice head) and `h(r_s)` (the
    /// final head), each `[batch, k+1, C]`, from one matmul of `z` `[batch, d]` with the heads
    /// composed into each expert (see [`ComposeOp`]).
    ///
    /// The final head is linear and the attention weights sum to 1, so
    /// `h(Σ a_s r_s) = Σ a_s h(r_s)`: the prediction never needs the `[batch, k+1, h]` expert
    /// tensor, and the per-slot work is `2C` wide instead of `h` wide.
    fn slot_logits(&self, z: &Tensor) -> Result<(Tensor, Tensor)> {
        let both = self.packed_slot_logits(z)?; // [batch, 2·S·C]
        let (batch, s, c) = (z.dim(0)?, self.slots, both.dim(1)? / (2 * self.slots));
        let part = |i: usize| both.narrow(1, i * s * c, s * c)?.reshape((batch, s, c));
        Ok((part(0)?, part(1)?))
    }

    /// [`Self::slot_logits`] before the split: `[batch, 2·S·C]`, each row the shared slice
    /// head's `S·C` logits, then the final head's.
    fn packed_slot_logits(&self, z: &Tensor) -> Result<Tensor> {
        let w = Tensor::cat(&[self.slice_head.weight(), self.head.weight()], 0)?; // [2C, h]
        let b = Tensor::cat(&[self.slice_head.bias(), self.head.bias()], 1)?; // [1, 2C]
        let (e, e_bias) = (self.experts.weight(), self.experts.bias()); // [S·h, d], [1, S·h]
        let (s, c) = (self.slots, w.dim(0)? / 2);
        let m = compose(e, &w, 2)?; // [2·S·C, d]
        let m_bias = compose(&e_bias.reshape((s * self.rep_dim, 1))?, &w, 2)? // [2·S·C, 1]
            .reshape((2, s, c))?
            .broadcast_add(&b.reshape((2, 1, c))?)?
            .reshape((1, 2 * s * c))?;
        affine(z, &m, &m_bias) // [batch, 2·S·C], part-major
    }

    /// The training loss as one fused op after the linear layers ([`SlotLossOp`]), for `f32`
    /// on the CPU; `None` elsewhere, where [`loss::loss_terms`] on [`Self::forward`] applies.
    pub fn fused_loss(&self, batch: &Batch) -> Result<Option<LossTerms>> {
        if !kernels::usable(&batch.x) {
            return Ok(None);
        }
        let z = self.backbone.forward(&batch.x)?; // [batch, d]
        let q = self.indicator.forward(&z)?.contiguous()?; // [batch, k+1]
        let both = self.packed_slot_logits(&z)?; // [batch, 2·S·C]
        let (rows, c) = (z.dim(0)?, self.head.bias().dim(1)?);
        let labels = batch.y.to_vec1::<u32>()?;
        let row_weights = match &batch.class_weights {
            Some(w) => {
                let w = w.to_vec1::<f32>()?;
                Some(
                    labels
                        .iter()
                        .map(|&y| w.get(y as usize).copied().unwrap_or(1.0))
                        .collect(),
                )
            }
            None => None,
        };
        let op = SlotLossOp::new(self.attention, labels, c).with_row_weights(row_weights);
        let out = q.apply_op3(&both, &batch.slices.contiguous()?, op)?; // [2 + batch·C]
        let logits = out.narrow(0, 2, rows * c)?.reshape((rows, c))?;
        let base = loss::base_loss(&logits, batch)?;
        let (indicator, slice_pred) = (out.get(0)?, out.get(1)?);
        let total = ((&base + &indicator)? + &slice_pred)?;
        Ok(Some(LossTerms {
            total,
            base,
            indicator,
            slice_pred,
        }))
    }
}

/// `W_p · E_s` for every head `p` and slot `s`: experts `[S·h, d]`, `parts` heads stacked in
/// `[parts·C, h]` -> `[parts·S·C, d]`, part-major.
pub fn compose(e: &Tensor, w: &Tensor, parts: usize) -> Result<Tensor> {
    if kernels::usable(e) && kernels::usable(w) {
        return e
            .contiguous()?
            .apply_op2(&w.contiguous()?, ComposeOp::new(parts));
    }
    let (sh, d) = e.dims2()?;
    let (pc, h) = w.dims2()?;
    let (s, c) = (sh / h.max(1), pc / parts.max(1));
    w.reshape((parts, 1, c, h))?
        .broadcast_matmul(&e.reshape((1, s, h, d))?)? // [P, S, C, d]
        .reshape((parts * s * c, d))
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
    use crate::model::{Method, Model};
    use crate::optim::init_seeded;
    use candle_core::{DType, Device};
    use candle_nn::VarMap;

    /// The prediction as the paper writes it: `h(Σ_s a_s r_s)` over the `[batch, k+1, h]` experts.
    fn attended_prediction(m: &SliceModel, x: &Tensor, a: &Tensor) -> Tensor {
        let z = m.backbone.forward(x).unwrap();
        let r = m
            .experts
            .forward(&z)
            .unwrap()
            .reshape((x.dim(0).unwrap(), m.slots, m.rep_dim))
            .unwrap(); // [batch, k+1, h]
        let combined = a
            .unsqueeze(1)
            .unwrap()
            .matmul(&r)
            .unwrap()
            .squeeze(1)
            .unwrap();
        m.head.forward(&combined).unwrap()
    }

    /// Largest absolute difference between two tensors of the same shape.
    fn worst(a: &Tensor, b: &Tensor) -> f64 {
        let diff = (a - b).unwrap().abs().unwrap().flatten_all().unwrap();
        let max = diff.max(0).unwrap().to_dtype(DType::F64).unwrap();
        max.to_scalar::<f64>().unwrap()
    }

    #[test]
    fn composed_prediction_equals_the_head_on_the_attended_experts() {
        // f32 runs the fused CPU kernels, f64 the composite (GPU) expressions.
        for dtype in [DType::F32, DType::F64] {
            let cfg = ModelConfig {
                method: Method::Sbl,
                input_dim: 3,
                hidden: vec![8],
                rep_dim: 5,
                n_classes: 3,
                n_slices: 4,
                slice_loss_weights: vec![],
            };
            let varmap = VarMap::new();
            let vb = VarBuilder::from_varmap(&varmap, dtype, &Device::Cpu);
            let model = SliceModel::new(&cfg, vb).unwrap();
            init_seeded(&varmap, 7).unwrap();
            let x = Tensor::arange(0u32, 18, &Device::Cpu)
                .unwrap()
                .to_dtype(dtype)
                .unwrap()
                .affine(0.37, -2.0)
                .unwrap()
                .sin()
                .unwrap()
                .reshape((6, 3))
                .unwrap();
            let out = model.forward(&x).unwrap();
            let a = out.attention.unwrap();
            let direct = attended_prediction(&model, &x, &a);
            let values = worst(&out.logits, &direct);
            assert!(values < 1e-5, "{dtype:?}: logits differ by {values}");
            // Same function, so the same gradient for every variable (through `a` as well).
            let weights = x.narrow(1, 0, 3).unwrap().cos().unwrap(); // [6, C]
            let loss = |l: &Tensor| (l * &weights).unwrap().sum_all().unwrap();
            let composed = loss(&out.logits).backward().unwrap();
            let paper = loss(&direct).backward().unwrap();
            for var in varmap.all_vars() {
                let (g1, g2) = (composed.get(&var), paper.get(&var));
                let (g1, g2) = (g1.expect("composed grad"), g2.expect("paper grad"));
                let grads = worst(g1, g2);
                assert!(grads < 1e-4, "{dtype:?}: gradients differ by {grads}");
            }
        }
    }

    #[test]
    fn the_fused_training_loss_equals_the_separate_ops_in_value_and_gradient() {
        let methods = [
            Method::Sbl,
            Method::SblUniform,
            Method::SblIndicator,
            Method::SblConfidence,
        ];
        let weighted = [None, Some(vec![0.3f32, 2.5, 1.0])];
        for ((method, n_classes), class_weights) in methods
            .into_iter()
            .zip([2, 3, 2, 3])
            .chain([(Method::Sbl, 3)])
            .flat_map(|m| weighted.clone().map(|w| (m, w)))
        {
            let cfg = ModelConfig {
                method,
                input_dim: 3,
                hidden: vec![8],
                rep_dim: 5,
                n_classes,
                n_slices: 11,
                slice_loss_weights: vec![],
            };
            let varmap = VarMap::new();
            let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
            let model = Model::new(&cfg, vb).unwrap();
            init_seeded(&varmap, 3).unwrap();
            let rows = 13;
            let x: Vec<f32> = (0..rows * 3)
                .map(|i| (i as f32 * 0.61).sin() * 2.0)
                .collect();
            let y: Vec<u32> = (0..rows).map(|i| (i * 7 % n_classes) as u32).collect();
            // Base slot all ones; slot 11 has no member in the batch.
            let mask: Vec<f32> = (0..rows * 12)
                .map(|i| f32::from(i % 12 == 0 || (i % 12 != 11 && (i * 5) % 7 < 3)))
                .collect();
            let d = Device::Cpu;
            let batch = Batch {
                x: Tensor::from_vec(x, (rows, 3), &d).unwrap(),
                y: Tensor::from_vec(y, rows, &d).unwrap(),
                slices: Tensor::from_vec(mask, (rows, 12), &d).unwrap(),
                class_weights: class_weights
                    .map(|w| Tensor::from_vec(w[..n_classes].to_vec(), n_classes, &d).unwrap()),
            };
            let Model::Sbl(sbl) = &model else {
                panic!("an SBL model")
            };
            let fused = sbl
                .fused_loss(&batch)
                .unwrap()
                .expect("the fused path on f32");
            let separate = loss::loss_terms(&model.forward(&batch.x).unwrap(), &batch).unwrap();
            fn terms(t: &LossTerms) -> [&Tensor; 4] {
                [&t.base, &t.indicator, &t.slice_pred, &t.total]
            }
            for (a, b) in terms(&fused).into_iter().zip(terms(&separate)) {
                let diff = worst(a, b);
                assert!(
                    diff < 1e-5,
                    "{method:?}, C = {n_classes}: terms differ by {diff}"
                );
            }
            let (g1, g2) = (
                fused.total.backward().unwrap(),
                separate.total.backward().unwrap(),
            );
            for var in varmap.all_vars() {
                let grads = worst(g1.get(&var).unwrap(), g2.get(&var).unwrap());
                assert!(
                    grads < 1e-5,
                    "{method:?}, C = {n_classes}: gradients differ by {grads}"
                );
            }
        }
    }

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
