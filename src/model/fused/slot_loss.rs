//! SBL's training head after its two linear layers as one op: the indicators' log-probabilities,
//! the attention, the attended prediction and both slice losses, with a single backward.
//!
//! Separate ops each allocate their output and gradient, and candle zero-fills and adds every
//! gradient into its store; at k = 100 that bookkeeping cost more than the arithmetic. Here
//! each step allocates one gradient per input, and the forward keeps what the backward reuses.

use std::sync::Mutex;

use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor};

use super::attention::{combine, confidence_grads, scores};
use super::loss::{add_ce_grad, counts, log_softmax_at};
use super::{host, slice};
use crate::kernels::lanes;
use crate::model::config::Attention;

/// Indicator logits `q` `[B, S]`, both heads on every expert `[B, 2·S·C]` (the shared slice head's
/// `S·C` logits, then the final head's, per row) and slice membership `[B, S]` ->
/// `[2 + B·C]`: the indicator BCE (mean over rows, summed over slots), the masked slice CE (each
/// slot's mean over its members, summed) and the attended final logits `[B, C]`.
pub struct SlotLossOp {
    attention: Attention,
    labels: Vec<u32>,
    /// Per-row weights of the slice CE (the class weight of each row's label).
    row_weights: Option<Vec<f32>>,
    classes: usize,
    saved: Mutex<Option<Saved>>,
}

/// What the forward computed that the backward needs: attention and `σ(−q)`, `[B, S]` each.
struct Saved {
    attention: Vec<f32>,
    sig_neg: Vec<f32>,
}

/// The sizes of one call: rows, slots, classes.
#[derive(Clone, Copy)]
struct Dims {
    b: usize,
    s: usize,
    c: usize,
}

impl SlotLossOp {
    /// The op for one batch with class indices `labels` and `classes` classes.
    pub fn new(attention: Attention, labels: Vec<u32>, classes: usize) -> Self {
        Self {
            attention,
            labels,
            row_weights: None,
            classes,
            saved: Mutex::new(None),
        }
    }

    /// Weighs each row's slice CE by `weights[row]` (one per label), as the class-weighted
    /// base loss weighs it.
    pub fn with_row_weights(mut self, weights: Option<Vec<f32>>) -> Self {
        self.row_weights = weights.filter(|w| w.len() == self.labels.len());
        self
    }

    fn row_weight(&self, row: usize) -> f32 {
        self.row_weights.as_ref().map_or(1.0, |w| w[row])
    }

    fn dims(&self, q: &Layout) -> Result<Dims> {
        let (b, s) = q.shape().dims2()?;
        if self.labels.len() != b || self.classes == 0 {
            candle_core::bail!("slot loss: {} labels for {b} rows", self.labels.len());
        }
        Ok(Dims {
            b,
            s,
            c: self.classes,
        })
    }

    fn uses_indicator(&self) -> bool {
        matches!(self.attention, Attention::Full | Attention::Indicator)
    }

    fn uses_confidence(&self) -> bool {
        matches!(self.attention, Attention::Full | Attention::Confidence)
    }

    /// The forward values and what the backward reuses.
    fn run(&self, q: &[f32], both: &[f32], mask: &[f32], d: Dims) -> (Vec<f32>, Saved) {
        lanes::wide(
            #[inline(always)]
            || self.run_rows(q, both, mask, d),
        )
    }

    #[inline(always)]
    fn run_rows(&self, q: &[f32], both: &[f32], mask: &[f32], d: Dims) -> (Vec<f32>, Saved) {
        let Dims { b, s, c } = d;
        let n = counts(mask, s, self.row_weights.as_deref());
        let mut out = vec![0f32; 2 + b * c];
        let (mut lq, mut sig_neg, mut bce) =
            (vec![0f32; b * s], vec![0f32; b * s], vec![0f32; b * s]);
        indicator_terms(q, mask, &mut lq, &mut sig_neg, &mut bce);
        let mut attention = vec![0f32; b * s];
        let mut ce = 0f32;
        for bi in 0..b {
            let (p, v) = both[bi * 2 * s * c..(bi + 1) * 2 * s * c].split_at(s * c);
            let rows = bi * s..(bi + 1) * s;
            let ar = &mut attention[rows.clone()];
            scores(self.attention, &lq[rows.clone()], p, c, ar);
            lanes::softmax(ar);
            combine(ar, v, &mut out[2 + bi * c..2 + (bi + 1) * c]);
            let (y, w) = (self.labels[bi] as usize, self.row_weight(bi));
            for (j, (&t, &nj)) in mask[rows].iter().zip(&n).enumerate() {
                if t != 0.0 && y < c {
                    ce -= t * w * log_softmax_at(&p[j * c..(j + 1) * c], y).0 / nj;
                }
            }
        }
        out[0] = lanes::sum(&bce) / b.max(1) as f32;
        out[1] = ce;
        (out, Saved { attention, sig_neg })
    }
}

/// Per (row, slot): `ln σ(q)`, `σ(−q)` and the BCE term `(1 − t) q − ln σ(q)`.
#[inline(always)]
fn indicator_terms(q: &[f32], t: &[f32], lq: &mut [f32], sig_neg: &mut [f32], bce: &mut [f32]) {
    let n = q.len();
    let (t, lq, sig_neg, bce) = (&t[..n], &mut lq[..n], &mut sig_neg[..n], &mut bce[..n]);
    for i in 0..n {
        let x = q[i];
        // ln σ(x) = min(x, 0) − ln(1 + e^{−|x|}); σ(−x) from the same exponential.
        let e = lanes::exp(-x.abs());
        let l = x.min(0.0) - lanes::ln_1p_unit(e);
        let r = 1.0 / (1.0 + e);
        lq[i] = l;
        sig_neg[i] = if x >= 0.0 { e * r } else { r };
        bce[i] = (1.0 - t[i]) * x - l;
    }
}

impl CustomOp3 for SlotLossOp {
    fn name(&self) -> &'static str {
        "sbl-slot-loss"
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
        let d = self.dims(l1)?;
        if l2.shape().dims2()? != (d.b, 2 * d.s * d.c) || l3.shape().dims2()? != (d.b, d.s) {
            candle_core::bail!(
                "slot loss: head logits or mask do not match [{}, {}]",
                d.b,
                d.s
            );
        }
        let (out, saved) = self.run(slice(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?, d);
        if let Ok(mut slot) = self.saved.lock() {
            *slot = Some(saved);
        }
        Ok((CpuStorage::F32(out), Shape::from(2 + d.b * d.c)))
    }

    fn bwd(
        &self,
        q: &Tensor,
        both: &Tensor,
        mask: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let d = self.dims(q.layout())?;
        let (qh, bh, mh, gh) = (host(q)?, host(both)?, host(mask)?, host(grad)?);
        let saved = self.saved.lock().ok().and_then(|mut s| s.take());
        let saved = match saved {
            Some(saved) => saved,
            None => self.run(&qh, &bh, &mh, d).1,
        };
        let (dq, dboth) = self.grads(&bh, &mh, &gh, &saved, d);
        Ok((
            Some(Tensor::from_vec(dq, q.shape(), q.device())?),
            Some(Tensor::from_vec(dboth, both.shape(), both.device())?),
            None,
        ))
    }
}

impl SlotLossOp {
    /// Gradients of `q` and of both heads' logits, given the output's gradient `g`.
    fn grads(&self, both: &[f32], mask: &[f32], g: &[f32], saved: &Saved, d: Dims) -> Grads {
        lanes::wide(
            #[inline(always)]
            || self.grad_rows(both, mask, g, saved, d),
        )
    }

    #[inline(always)]
    fn grad_rows(&self, both: &[f32], mask: &[f32], g: &[f32], saved: &Saved, d: Dims) -> Grads {
        let Dims { b, s, c } = d;
        let n = counts(mask, s, self.row_weights.as_deref());
        let (g_bce, g_ce) = (g[0] / b.max(1) as f32, g[1]);
        let mut dq = vec![0f32; b * s];
        let mut dboth = vec![0f32; b * 2 * s * c];
        let mut ds = vec![0f32; s];
        for bi in 0..b {
            let gl = &g[2 + bi * c..2 + (bi + 1) * c];
            let (p, v) = both[bi * 2 * s * c..(bi + 1) * 2 * s * c].split_at(s * c);
            let (dp, dv) = dboth[bi * 2 * s * c..(bi + 1) * 2 * s * c].split_at_mut(s * c);
            let rows = bi * s..(bi + 1) * s;
            let (ar, sr, mr) = (
                &saved.attention[rows.clone()],
                &saved.sig_neg[rows.clone()],
                &mask[rows.clone()],
            );
            attended_grads(ar, v, gl, &mut ds, dv);
            let dqr = &mut dq[rows];
            for j in 0..s {
                dqr[j] = g_bce * ((1.0 - mr[j]) - sr[j]);
            }
            if self.uses_indicator() {
                dqr.iter_mut()
                    .zip(&ds)
                    .zip(sr)
                    .for_each(|((d, g), s)| *d += g * s);
            }
            if self.uses_confidence() {
                confidence_grads(p, &ds, c, dp);
            }
            let (y, w) = (self.labels[bi] as usize, self.row_weight(bi));
            for (j, (&t, &nj)) in mr.iter().zip(&n).enumerate() {
                if t != 0.0 && y < c {
                    let span = j * c..(j + 1) * c;
                    add_ce_grad(&p[span.clone()], y, t * w * g_ce / nj, &mut dp[span]);
                }
            }
        }
        (dq, dboth)
    }
}

/// Through `o = Σ_j a_j v_j` and the softmax that made `a`: the score gradients `ds` `[S]`
/// and `dv = a_j g` `[S, C]`, given the output gradient `g` `[C]`.
#[inline(always)]
fn attended_grads(a: &[f32], v: &[f32], g: &[f32], ds: &mut [f32], dv: &mut [f32]) {
    let (s, c) = (a.len(), g.len());
    let (v, dv, ds) = (&v[..s * c], &mut dv[..s * c], &mut ds[..s]);
    // d a_j = <g, v_j>, kept in ds for now.
    if c == 2 {
        let (g0, g1) = (g[0], g[1]);
        for j in 0..s {
            ds[j] = v[2 * j] * g0 + v[2 * j + 1] * g1;
            dv[2 * j] = a[j] * g0;
            dv[2 * j + 1] = a[j] * g1;
        }
    } else {
        for j in 0..s {
            let (vr, dvr) = (&v[j * c..(j + 1) * c], &mut dv[j * c..(j + 1) * c]);
            ds[j] = vr.iter().zip(g).map(|(v, g)| v * g).sum();
            dvr.iter_mut().zip(g).for_each(|(d, g)| *d = a[j] * g);
        }
    }
    lanes::softmax_backward(a, ds);
}

/// `(d q, d both)`.
type Grads = (Vec<f32>, Vec<f32>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_avx2_loops_give_the_same_bits_as_the_default_build() {
        let d = Dims { b: 5, s: 11, c: 2 };
        let wave = |n: usize, f: f32| {
            (0..n)
                .map(|i| (i as f32 * f).sin() * 3.0)
                .collect::<Vec<f32>>()
        };
        let (q, both) = (wave(d.b * d.s, 0.7), wave(d.b * 2 * d.s * d.c, 0.3));
        let mask: Vec<f32> = (0..d.b * d.s)
            .map(|i| f32::from(i % d.s == 0 || i % 3 == 1))
            .collect();
        let op = SlotLossOp::new(Attention::Full, vec![0, 1, 1, 0, 1], d.c);
        let ((wide, saved_wide), (plain, saved_plain)) = (
            op.run(&q, &both, &mask, d),
            op.run_rows(&q, &both, &mask, d),
        );
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&wide), bits(&plain));
        assert_eq!(bits(&saved_wide.attention), bits(&saved_plain.attention));
        let g = wave(2 + d.b * d.c, 0.9);
        let (dq1, db1) = op.grads(&both, &mask, &g, &saved_wide, d);
        let (dq2, db2) = op.grad_rows(&both, &mask, &g, &saved_plain, d);
        assert_eq!((bits(&dq1), bits(&db1)), (bits(&dq2), bits(&db2)));
    }
}
