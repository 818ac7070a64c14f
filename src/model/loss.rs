//! The training loss: base CE + indicator BCE + masked slice-prediction CE, each batched.

use candle_core::{D, Result, Tensor};

use super::fused::{BceOp, LogSigmoidOp, SliceCeOp};
use super::{Batch, Forward, LossTerms};
use crate::kernels;

/// Mean cross-entropy of `[batch, C]` logits against `[batch]` class indices.
pub fn cross_entropy(logits: &Tensor, y: &Tensor) -> Result<Tensor> {
    candle_nn::loss::cross_entropy(logits, y)
}

/// Each row's cross-entropy: `[batch, C]` logits and `[batch]` class indices -> `[batch]`.
pub fn per_row_nll(logits: &Tensor, y: &Tensor) -> Result<Tensor> {
    let logp = candle_nn::ops::log_softmax(logits, D::Minus1)?; // [batch, C]
    logp.gather(&y.unsqueeze(1)?.contiguous()?, D::Minus1)?
        .squeeze(D::Minus1)?
        .neg()
}

/// Cross-entropy with per-class weights `w` (`[C]`): `sum_i w[y_i] nll_i / sum_i w[y_i]`.
pub fn weighted_cross_entropy(logits: &Tensor, y: &Tensor, w: &Tensor) -> Result<Tensor> {
    let nll = per_row_nll(logits, y)?; // [batch]
    let wy = w.index_select(y, 0)?; // [batch]
    (nll * &wy)?.sum_all()? / wy.sum_all()?.to_scalar::<f32>()?.max(1e-12) as f64
}

/// Numerically stable BCE with logits, elementwise: `max(x,0) - x*t + ln(1 + e^{-|x|})`.
pub fn bce_with_logits(x: &Tensor, t: &Tensor) -> Result<Tensor> {
    let softplus = (x.abs()?.neg()?.exp()? + 1.0)?.log()?;
    (x.relu()? - (x * t)?)? + softplus
}

/// The final prediction's cross-entropy, class-weighted where the batch says so.
pub fn base_loss(logits: &Tensor, batch: &Batch) -> Result<Tensor> {
    match &batch.class_weights {
        Some(w) => weighted_cross_entropy(logits, &batch.y, w),
        None => cross_entropy(logits, &batch.y),
    }
}

/// Builds all loss terms from a forward pass; slice terms are zero for models without slices.
pub fn loss_terms(out: &Forward, batch: &Batch) -> Result<LossTerms> {
    let base = base_loss(&out.logits, batch)?;
    let zero = base.zeros_like()?;
    let indicator = match &out.indicator {
        // Mean over rows per slice, summed over the k+1 slices.
        Some(q) if kernels::usable(q) => {
            let q = q.contiguous()?;
            let lq = match &out.indicator_log_prob {
                Some(lq) => lq.clone(),
                None => q.apply_op1(LogSigmoidOp)?,
            };
            q.apply_op3(&lq, &batch.slices.contiguous()?, BceOp)?
        }
        Some(q) => bce_with_logits(q, &batch.slices)?.mean(0)?.sum_all()?,
        None => zero.clone(),
    };
    let slice_pred = match &out.slice_logits {
        Some(p) => {
            let mask = weighted_membership(batch)?; // [batch, k+1]
            let per_slot = if kernels::usable(p) {
                p.contiguous()?
                    .apply_op3(&batch.y.contiguous()?, &mask.contiguous()?, SliceCeOp)?
            } else {
                masked_slice_ce_per_slot(p, &batch.y, &mask)?
            }; // [k+1]
            match &out.slice_weights {
                Some(w) => (per_slot * w)?.sum_all()?,
                None => per_slot.sum_all()?,
            }
        }
        None => zero,
    };
    let total = ((&base + &indicator)? + &slice_pred)?;
    Ok(LossTerms {
        total,
        base,
        indicator,
        slice_pred,
    })
}

/// Slice membership `[batch, k+1]`, each row scaled by its label's class weight when the batch
/// is class-weighted: the slice heads' CE is then weighted the way the base loss is.
fn weighted_membership(batch: &Batch) -> Result<Tensor> {
    match &batch.class_weights {
        Some(w) => batch
            .slices
            .broadcast_mul(&w.index_select(&batch.y, 0)?.unsqueeze(1)?),
        None => Ok(batch.slices.clone()),
    }
}

/// CE of `[batch, k+1, C]` logits, averaged over each slice's member rows, summed over slices;
/// a slice with no member in the batch contributes 0.
pub fn masked_slice_ce(p: &Tensor, y: &Tensor, mask: &Tensor) -> Result<Tensor> {
    masked_slice_ce_per_slot(p, y, mask)?.sum_all()
}

/// The per-slot terms of [`masked_slice_ce`], `[k+1]`.
pub fn masked_slice_ce_per_slot(p: &Tensor, y: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let (batch, slots, _) = p.dims3()?;
    let logp = candle_nn::ops::log_softmax(p, D::Minus1)?; // [batch, k+1, C]
    let idx = y
        .reshape((batch, 1, 1))?
        .broadcast_as((batch, slots, 1))?
        .contiguous()?;
    let nll = logp.gather(&idx, D::Minus1)?.squeeze(D::Minus1)?.neg()?; // [batch, k+1]
    let per_slice = (nll * mask)?.sum(0)?; // [k+1]
    let counts = mask.sum(0)?; // [k+1], weighted counts when the mask holds row weights
    // An empty slot divides by 1; weighted counts may be below 1, so no clamp at 1.
    let empty = counts.eq(0f32)?.to_dtype(counts.dtype())?;
    per_slice / (counts + empty)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn bce_matches_formula() {
        let d = Device::Cpu;
        let x = Tensor::new(&[[2.0f32, -1.0]], &d).unwrap();
        let t = Tensor::new(&[[1.0f32, 0.0]], &d).unwrap();
        let v: Vec<Vec<f32>> = bce_with_logits(&x, &t).unwrap().to_vec2().unwrap();
        let sig = |z: f32| 1.0 / (1.0 + (-z).exp());
        assert!((v[0][0] + sig(2.0).ln()).abs() < 1e-5);
        assert!((v[0][1] + (1.0 - sig(-1.0)).ln()).abs() < 1e-5);
    }

    #[test]
    fn weighted_ce_with_equal_weights_is_plain_ce_and_weights_shift_it() {
        let d = Device::Cpu;
        let logits = Tensor::new(&[[2.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]], &d).unwrap();
        let y = Tensor::new(&[0u32, 1, 1], &d).unwrap();
        let plain: f32 = cross_entropy(&logits, &y).unwrap().to_scalar().unwrap();
        let ones = Tensor::new(&[3.0f32, 3.0], &d).unwrap();
        let same: f32 = weighted_cross_entropy(&logits, &y, &ones)
            .unwrap()
            .to_scalar()
            .unwrap();
        assert!((plain - same).abs() < 1e-6);
        // Only class 0 counts: the loss is row 0's nll alone.
        let only0 = Tensor::new(&[1.0f32, 0.0], &d).unwrap();
        let v: f32 = weighted_cross_entropy(&logits, &y, &only0)
            .unwrap()
            .to_scalar()
            .unwrap();
        assert!((v - (1.0 + (-2f32).exp()).ln()).abs() < 1e-5, "{v}");
    }

    #[test]
    fn class_weights_weigh_the_slice_heads_loss_on_both_paths() {
        let d = Device::Cpu;
        // 3 rows, 2 slots, 2 classes; slot 1 holds rows 0 and 2 (labels 0 and 1).
        let p = Tensor::new(
            &[
                [[0f32, 0.0], [2.0, 0.0]],
                [[1.0, 0.0], [0.0, 0.0]],
                [[0.0, 0.0], [0.0, -1.0]],
            ],
            &d,
        )
        .unwrap();
        let y = Tensor::new(&[0u32, 0, 1], &d).unwrap();
        let slices = Tensor::new(&[[1f32, 1.0], [1.0, 0.0], [1.0, 1.0]], &d).unwrap();
        let w = Tensor::new(&[0.25f32, 4.0], &d).unwrap();
        let batch = Batch {
            x: p.clone(),
            y: y.clone(),
            slices,
            class_weights: Some(w),
        };
        let mask = weighted_membership(&batch).unwrap();
        let nll = |l: [f32; 2], y: usize| -(l[y] - (l[0].exp() + l[1].exp()).ln());
        // Slot 1: (0.25·nll(row 0) + 4·nll(row 2)) / (0.25 + 4).
        let want = (0.25 * nll([2.0, 0.0], 0) + 4.0 * nll([0.0, -1.0], 1)) / 4.25;
        let composite: Vec<f32> = masked_slice_ce_per_slot(&p, &y, &mask)
            .unwrap()
            .to_vec1()
            .unwrap();
        let fused: Vec<f32> = p
            .apply_op3(&y, &mask.contiguous().unwrap(), SliceCeOp)
            .unwrap()
            .to_vec1()
            .unwrap();
        for got in [&composite, &fused] {
            assert!((got[1] - want).abs() < 1e-5, "{got:?} vs {want}");
        }
        // Unweighted, the slot is the plain mean, which differs.
        let plain = (nll([2.0, 0.0], 0) + nll([0.0, -1.0], 1)) / 2.0;
        assert!((plain - want).abs() > 0.1);
        // A single member of weight below 1 still gets its full CE (no clamp of the count at 1).
        let one = Tensor::new(&[[0f32, 0.25], [0.0, 0.0], [0.0, 0.0]], &d).unwrap();
        let v: Vec<f32> = masked_slice_ce_per_slot(&p, &y, &one)
            .unwrap()
            .to_vec1()
            .unwrap();
        assert!((v[1] - nll([2.0, 0.0], 0)).abs() < 1e-5, "{v:?}");
    }

    #[test]
    fn masked_ce_ignores_rows_outside_the_slice() {
        let d = Device::Cpu;
        // 2 rows, 2 slots, 2 classes; slot 1 contains only row 0.
        let p = Tensor::new(
            &[[[0f32, 0.0], [5.0, 0.0]], [[0.0, 0.0], [-50.0, 50.0]]],
            &d,
        )
        .unwrap();
        let y = Tensor::new(&[0u32, 0], &d).unwrap();
        let m = Tensor::new(&[[1f32, 1.0], [1.0, 0.0]], &d).unwrap();
        let loss: f32 = masked_slice_ce(&p, &y, &m).unwrap().to_scalar().unwrap();
        let ln2 = 2f32.ln();
        let slot1 = (1.0 + (-5f32).exp()).ln();
        assert!((loss - (ln2 + slot1)).abs() < 1e-4, "{loss}");
    }
}
