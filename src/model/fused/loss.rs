//! The slice losses: per-slot masked cross-entropy and the indicator BCE.

use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor};

use super::{host, slice};

/// Per-slot masked cross-entropy: logits `[B, S, C]`, labels `[B]` (u32), mask `[B, S]` -> `[S]`,
/// each slot's mean CE over its member rows (0 for a slot with no member). A mask scaled by
/// per-row weights gives each slot's weighted mean.
pub struct SliceCeOp;

/// Members per slot, each row counted with its weight (1 without weights); an empty slot
/// counts 1 so it divides by 1. Weights can be below 1 (balanced class weights of a common
/// class), so the total is not clamped at 1 the way a plain count could be.
pub(super) fn counts(mask: &[f32], s: usize, row_weights: Option<&[f32]>) -> Vec<f32> {
    let mut n = vec![0f32; s];
    for (i, row) in mask.chunks(s).enumerate() {
        let w = row_weights.map_or(1.0, |r| r[i]);
        row.iter().zip(n.iter_mut()).for_each(|(m, c)| *c += m * w);
    }
    n.iter().map(|&c| if c > 0.0 { c } else { 1.0 }).collect()
}

/// `(log softmax(row)[y], max(row), Σ e^{row − max})`.
pub(super) fn log_softmax_at(row: &[f32], y: usize) -> (f32, f32, f32) {
    let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = row.iter().map(|v| (v - m).exp()).sum();
    (row[y] - m - sum.ln(), m, sum)
}

/// Adds `w · ∂CE(row, y)/∂row = w · (softmax(row) − onehot(y))` to `d`.
pub(super) fn add_ce_grad(row: &[f32], y: usize, w: f32, d: &mut [f32]) {
    let (_, m, sum) = log_softmax_at(row, y);
    for (ci, (d, &v)) in d.iter_mut().zip(row).enumerate() {
        *d += w * ((v - m).exp() / sum - f32::from(u8::from(ci == y)));
    }
}

impl CustomOp3 for SliceCeOp {
    fn name(&self) -> &'static str {
        "sbl-slice-ce"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, s, c) = l1.shape().dims3()?;
        let p = slice(s1, l1)?;
        let y = match l2.contiguous_offsets() {
            Some((x, z)) => &s2.as_slice::<u32>()?[x..z],
            None => candle_core::bail!("fused op expects contiguous labels"),
        };
        let mask = slice(s3, l3)?;
        let n = counts(mask, s, None);
        let mut out = vec![0f32; s];
        for bi in 0..b {
            for si in 0..s {
                let m = mask[bi * s + si];
                if m != 0.0 {
                    let k = bi * s + si;
                    out[si] -= m * log_softmax_at(&p[k * c..(k + 1) * c], y[bi] as usize).0 / n[si];
                }
            }
        }
        Ok((CpuStorage::F32(out), Shape::from(s)))
    }

    fn bwd(
        &self,
        p: &Tensor,
        y: &Tensor,
        mask: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (b, s, c) = p.dims3()?;
        let (ph, mh, gh) = (host(p)?, host(mask)?, host(grad)?);
        let (pv, yv, mv, g) = (&*ph, y.to_vec1::<u32>()?, &*mh, &*gh);
        let n = counts(mv, s, None);
        let mut dp = vec![0f32; pv.len()];
        for (bi, &label) in yv.iter().enumerate().take(b) {
            let label = label as usize;
            for si in 0..s {
                let k = bi * s + si;
                let w = mv[k] * g[si] / n[si];
                if w == 0.0 {
                    continue;
                }
                add_ce_grad(
                    &pv[k * c..(k + 1) * c],
                    label,
                    w,
                    &mut dp[k * c..(k + 1) * c],
                );
            }
        }
        Ok((
            Some(Tensor::from_vec(dp, p.shape(), p.device())?),
            None,
            None,
        ))
    }
}

/// Indicator loss: BCE with logits `q` `[B, S]` against 0/1 targets `t` `[B, S]`, mean over
/// rows, summed over slots -> scalar. Takes `ln σ(q)` as well (shared with the attention), which
/// makes the loss linear: `BCE = −t ln σ(q) − (1−t) ln σ(−q) = (1−t) q − ln σ(q)`.
pub struct BceOp;

impl CustomOp3 for BceOp {
    fn name(&self) -> &'static str {
        "sbl-indicator-bce"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let b = l1.shape().dims2()?.0;
        let (q, lq, t) = (slice(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?);
        let total: f32 = q
            .iter()
            .zip(lq)
            .zip(t)
            .map(|((&q, &lq), &t)| (1.0 - t) * q - lq)
            .sum();
        Ok((CpuStorage::F32(vec![total / b as f32]), Shape::from(())))
    }

    fn bwd(
        &self,
        q: &Tensor,
        lq: &Tensor,
        t: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let g = grad.to_scalar::<f32>()? / q.dim(0)? as f32;
        let dq: Vec<f32> = host(t)?.iter().map(|t| g * (1.0 - t)).collect();
        let dlq = vec![-g; dq.len()];
        Ok((
            Some(Tensor::from_vec(dq, q.shape(), q.device())?),
            Some(Tensor::from_vec(dlq, lq.shape(), lq.device())?),
            None,
        ))
    }
}
