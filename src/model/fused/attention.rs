//! Attention over the k+1 experts and the attention-weighted sum of their representations.

use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};

use super::{host, margin, slice};
use crate::model::config::Attention;

/// `softmax(score)` over the k+1 experts, `score` from the indicators' log-probabilities
/// `ln σ(q)` `[B, S]` (see [`super::LogSigmoidOp`]) and slice logits `p` `[B, S, C]` as the
/// attention variant says.
pub struct AttentionOp(pub Attention);

impl AttentionOp {
    fn scores(&self, q: &[f32], p: &[f32], c: usize) -> Vec<f32> {
        q.iter()
            .enumerate()
            .map(|(i, &qi)| {
                let conf = || margin(&p[i * c..(i + 1) * c]).0;
                match self.0 {
                    Attention::Full => qi + conf(),
                    Attention::Indicator => qi,
                    Attention::Confidence => conf(),
                    Attention::Uniform => 0.0,
                }
            })
            .collect()
    }
}

fn softmax_rows(x: &mut [f32], width: usize) {
    for row in x.chunks_mut(width) {
        let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        row.iter_mut().for_each(|v| {
            *v = (*v - m).exp();
            sum += *v;
        });
        row.iter_mut().for_each(|v| *v /= sum);
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
        let mut a = self.scores(slice(s1, l1)?, slice(s2, l2)?, c);
        softmax_rows(&mut a, s);
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
        for (row, (a_row, g_row)) in a.chunks(s).zip(g.chunks(s)).enumerate() {
            let dot: f32 = a_row.iter().zip(g_row).map(|(x, y)| x * y).sum();
            for j in 0..s {
                let i = row * s + j;
                let ds = a_row[j] * (g_row[j] - dot);
                if matches!(self.0, Attention::Full | Attention::Indicator) {
                    dq[i] = ds;
                }
                if matches!(self.0, Attention::Full | Attention::Confidence) {
                    let (_, i1, i2) = margin(&pv[i * c..(i + 1) * c]);
                    if i1 != i2 {
                        dp[i * c + i1] += ds;
                        dp[i * c + i2] -= ds;
                    }
                }
            }
        }
        Ok((
            Some(Tensor::from_vec(dq, lq.shape(), lq.device())?),
            Some(Tensor::from_vec(dp, p.shape(), p.device())?),
        ))
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
            for (&w, rr) in a_row.iter().zip(r_row.chunks_exact(h.max(1))) {
                o.iter_mut().zip(rr).for_each(|(x, y)| *x += w * y);
            }
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
