//! Attention over the k+1 experts and the attention-weighted sum of their representations.

use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};

use super::{host, margin, slice};
use crate::kernels::lanes;
use crate::model::config::Attention;

/// `softmax(score)` over the k+1 experts, `score` from the indicators' log-probabilities
/// `ln σ(q)` `[B, S]` (see [`super::LogSigmoidOp`]) and slice logits `p` `[B, S, C]` as the
/// attention variant says.
pub struct AttentionOp(pub Attention);

/// The attention scores of `kind` from `ln σ(q)` and slice logits `p` (`[.., C]` per score).
#[inline(always)]
pub(super) fn scores(kind: Attention, lq: &[f32], p: &[f32], c: usize, out: &mut [f32]) {
    if matches!(kind, Attention::Full | Attention::Confidence) {
        confidences(p, c, out);
    } else {
        out.fill(0.0);
    }
    if matches!(kind, Attention::Full | Attention::Indicator) {
        out.iter_mut().zip(lq).for_each(|(o, l)| *o += l);
    }
}

/// Adds the margin's gradient: `+ds` to each slot's largest logit, `−ds` to the runner-up.
#[inline(always)]
pub(super) fn confidence_grads(p: &[f32], ds: &[f32], c: usize, dp: &mut [f32]) {
    let s = ds.len();
    if c == 2 {
        let (p, dp) = (&p[..2 * s], &mut dp[..2 * s]);
        for j in 0..s {
            // margin() breaks a tie towards the first logit.
            let g = if p[2 * j + 1] > p[2 * j] {
                ds[j]
            } else {
                -ds[j]
            };
            dp[2 * j] -= g;
            dp[2 * j + 1] += g;
        }
        return;
    }
    for (j, &g) in ds.iter().enumerate() {
        let (_, i1, i2) = margin(&p[j * c..(j + 1) * c]);
        if i1 != i2 {
            dp[j * c + i1] += g;
            dp[j * c + i2] -= g;
        }
    }
}

/// Each slot's margin between its two largest slice-head logits (`|p₁ − p₀|` for two classes).
#[inline(always)]
fn confidences(p: &[f32], c: usize, out: &mut [f32]) {
    if c == 2 {
        let p = &p[..2 * out.len()];
        for (j, o) in out.iter_mut().enumerate() {
            *o = (p[2 * j + 1] - p[2 * j]).abs();
        }
    } else {
        for (o, row) in out.iter_mut().zip(p.chunks_exact(c.max(1))) {
            *o = margin(row).0;
        }
    }
}

impl CustomOp2 for AttentionOp {
    fn name(&self) -> &'static str {
        "sbl-attention"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, s) = l1.shape().dims2()?;
        let c = l2.shape().dims3()?.2;
        let (lq, p) = (slice(s1, l1)?, slice(s2, l2)?);
        let mut a = vec![0f32; b * s];
        lanes::wide(
            #[inline(always)]
            || {
                scores(self.0, lq, p, c, &mut a);
                a.chunks_mut(s.max(1)).for_each(lanes::softmax);
            },
        );
        Ok((CpuStorage::F32(a), Shape::from((b, s))))
    }

    fn bwd(
        &self,
        lq: &Tensor,
        p: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let (_, s, c) = p.dims3()?;
        let (ph, ah, gh) = (host(p)?, host(res)?, host(grad)?);
        let (pv, a, g) = (&*ph, &*ah, &*gh);
        let mut dq = vec![0f32; a.len()];
        let mut dp = vec![0f32; pv.len()];
        let rows = a.chunks(s).zip(g.chunks(s)).zip(dq.chunks_mut(s));
        for (row, ((a_row, g_row), dq_row)) in rows.enumerate() {
            let mut ds = g_row.to_vec();
            lanes::softmax_backward(a_row, &mut ds);
            if matches!(self.0, Attention::Full | Attention::Indicator) {
                dq_row.copy_from_slice(&ds);
            }
            if matches!(self.0, Attention::Full | Attention::Confidence) {
                let span = row * s * c..(row + 1) * s * c;
                confidence_grads(&pv[span.clone()], &ds, c, &mut dp[span]);
            }
        }
        Ok((
            Some(Tensor::from_vec(dq, lq.shape(), lq.device())?),
            Some(Tensor::from_vec(dp, p.shape(), p.device())?),
        ))
    }
}

/// `o = Σ_j a_j v_j` over one row's slots, `v` `[S, C]`; `o` starts at zero.
#[inline(always)]
pub(super) fn combine(a: &[f32], v: &[f32], o: &mut [f32]) {
    let c = o.len();
    if c == 2 {
        let mut acc = [[0f32; 2]; 8];
        let full = a.len() / 8 * 8;
        for j0 in (0..full).step_by(8) {
            for (l, lane) in acc.iter_mut().enumerate() {
                let j = j0 + l;
                lane[0] += a[j] * v[2 * j];
                lane[1] += a[j] * v[2 * j + 1];
            }
        }
        let (mut o0, mut o1) = acc
            .iter()
            .fold((0.0, 0.0), |(x, y), l| (x + l[0], y + l[1]));
        for j in full..a.len() {
            o0 += a[j] * v[2 * j];
            o1 += a[j] * v[2 * j + 1];
        }
        o.copy_from_slice(&[o0, o1]);
        return;
    }
    for (&w, vr) in a.iter().zip(v.chunks_exact(c)) {
        o.iter_mut().zip(vr).for_each(|(o, v)| *o += w * v);
    }
}

/// `z'[b] = Σ_s a[b,s] · r[b,s,:]`: attention `[B, S]` times per-expert vectors `[B, S, H]` ->
/// `[B, H]` (SBL passes the final head's logits on each expert, `H = C`).
pub struct CombineOp;

impl CustomOp2 for CombineOp {
    fn name(&self) -> &'static str {
        "sbl-combine"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, s, h) = l2.shape().dims3()?;
        let (a, r) = (slice(s1, l1)?, slice(s2, l2)?);
        let mut out = vec![0f32; b * h];
        let rows = out.chunks_exact_mut(h.max(1)).zip(a.chunks_exact(s.max(1)));
        for ((o, a_row), r_row) in rows.zip(r.chunks_exact((s * h).max(1))) {
            combine(a_row, r_row, o);
        }
        Ok((CpuStorage::F32(out), Shape::from((b, h))))
    }

    fn bwd(
        &self,
        a: &Tensor,
        r: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let (b, s, h) = r.dims3()?;
        let (ah, rh, gh) = (host(a)?, host(r)?, host(grad)?);
        let (av, rv, g) = (&*ah, &*rh, &*gh);
        let (s, h) = (s.max(1), h.max(1));
        let mut da = vec![0f32; b * s];
        let mut dr = vec![0f32; b * s * h];
        let rows = g.chunks_exact(h).zip(av.chunks_exact(s));
        let outs = da.chunks_exact_mut(s).zip(dr.chunks_exact_mut(s * h));
        for (((gr, a_row), r_row), (da_row, dr_row)) in rows.zip(rv.chunks_exact(s * h)).zip(outs) {
            let slots = r_row.chunks_exact(h).zip(dr_row.chunks_exact_mut(h));
            for (((rr, dd), &w), d_a) in slots.zip(a_row).zip(da_row.iter_mut()) {
                *d_a = rr.iter().zip(gr).map(|(x, y)| x * y).sum::<f32>();
                dd.iter_mut().zip(gr).for_each(|(d, y)| *d = w * y);
            }
        }
        Ok((
            Some(Tensor::from_vec(da, a.shape(), a.device())?),
            Some(Tensor::from_vec(dr, r.shape(), r.device())?),
        ))
    }
}
