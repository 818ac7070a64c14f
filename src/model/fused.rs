//! Fused CPU kernels for the SBL head: attention, expert combination, masked slice CE and
//! indicator BCE, each one op with a hand-written backward.
//!
//! On the CPU, candle's broadcasting and gather kernels on `[batch, k+1, C]` tensors cost more
//! than the arithmetic, and their count grows with k. Each op here is a plain loop over
//! contiguous `f32` data. Other devices (and dtypes) use the composite tensor expressions in
//! [`super::sram`] and [`super::loss`]; tests check both paths give the same values and gradients.

use candle_core::{CpuStorage, CustomOp2, CustomOp3, DType, Layout, Result, Shape, Tensor};

use super::config::Attention;

fn slice<'a>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [f32]> {
    let data = s.as_slice::<f32>()?;
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&data[a..b]),
        None => candle_core::bail!("fused op expects contiguous input"),
    }
}

fn host(t: &Tensor) -> Result<Vec<f32>> {
    t.flatten_all()?.to_vec1::<f32>()
}

/// Whether the fused kernels apply: CPU tensors of `f32`.
pub fn usable(t: &Tensor) -> bool {
    t.device().is_cpu() && t.dtype() == DType::F32
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `ln σ(x)`, stable for large |x|.
fn log_sigmoid(x: f32) -> f32 {
    x.min(0.0) - (-x.abs()).exp().ln_1p()
}

/// Margin between the two largest of `row`, and the indices of those two.
fn margin(row: &[f32]) -> (f32, usize, usize) {
    let (mut i1, mut i2) = (0, usize::MAX);
    for (c, &v) in row.iter().enumerate().skip(1) {
        if v > row[i1] {
            i2 = i1;
            i1 = c;
        } else if i2 == usize::MAX || v > row[i2] {
            i2 = c;
        }
    }
    if i2 == usize::MAX {
        return (0.0, i1, i1);
    }
    (row[i1] - row[i2], i1, i2)
}

/// `softmax(score)` over the k+1 experts, `score` from indicator logits `q` `[B, S]` and slice
/// logits `p` `[B, S, C]` as the attention variant says.
pub struct AttentionOp(pub Attention);

impl AttentionOp {
    fn scores(&self, q: &[f32], p: &[f32], c: usize) -> Vec<f32> {
        q.iter()
            .enumerate()
            .map(|(i, &qi)| {
                let conf = || margin(&p[i * c..(i + 1) * c]).0;
                match self.0 {
                    Attention::Full => log_sigmoid(qi) + conf(),
                    Attention::Indicator => log_sigmoid(qi),
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
        q: &Tensor,
        p: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let (_, s, c) = p.dims3()?;
        let (qv, pv, a, g) = (host(q)?, host(p)?, host(res)?, host(grad)?);
        let mut dq = vec![0f32; qv.len()];
        let mut dp = vec![0f32; pv.len()];
        for (row, (a_row, g_row)) in a.chunks(s).zip(g.chunks(s)).enumerate() {
            let dot: f32 = a_row.iter().zip(g_row).map(|(x, y)| x * y).sum();
            for j in 0..s {
                let i = row * s + j;
                let ds = a_row[j] * (g_row[j] - dot);
                if matches!(self.0, Attention::Full | Attention::Indicator) {
                    dq[i] = ds * sigmoid(-qv[i]);
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
            Some(Tensor::from_vec(dq, q.shape(), q.device())?),
            Some(Tensor::from_vec(dp, p.shape(), p.device())?),
        ))
    }
}

/// `z'[b] = Σ_s a[b,s] · r[b,s,:]`: attention `[B, S]` times experts `[B, S, H]` -> `[B, H]`.
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
        for bi in 0..b {
            let o = &mut out[bi * h..(bi + 1) * h];
            for si in 0..s {
                let w = a[bi * s + si];
                let rr = &r[(bi * s + si) * h..(bi * s + si + 1) * h];
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
        let (av, rv, g) = (host(a)?, host(r)?, host(grad)?);
        let mut da = vec![0f32; b * s];
        let mut dr = vec![0f32; b * s * h];
        for bi in 0..b {
            let gr = &g[bi * h..(bi + 1) * h];
            for si in 0..s {
                let k = bi * s + si;
                let rr = &rv[k * h..(k + 1) * h];
                da[k] = rr.iter().zip(gr).map(|(x, y)| x * y).sum();
                dr[k * h..(k + 1) * h]
                    .iter_mut()
                    .zip(gr)
                    .for_each(|(d, y)| *d = av[k] * y);
            }
        }
        Ok((
            Some(Tensor::from_vec(da, a.shape(), a.device())?),
            Some(Tensor::from_vec(dr, r.shape(), r.device())?),
        ))
    }
}

/// Per-slot masked cross-entropy: logits `[B, S, C]`, labels `[B]` (u32), mask `[B, S]` -> `[S]`,
/// each slot's mean CE over its member rows (0 for a slot with no member).
pub struct SliceCeOp;

fn counts(mask: &[f32], s: usize) -> Vec<f32> {
    let mut n = vec![0f32; s];
    mask.chunks(s)
        .for_each(|row| row.iter().zip(n.iter_mut()).for_each(|(m, c)| *c += m));
    n.iter().map(|c| c.max(1.0)).collect()
}

fn log_softmax_at(row: &[f32], y: usize) -> (f32, f32, f32) {
    let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = row.iter().map(|v| (v - m).exp()).sum();
    (row[y] - m - sum.ln(), m, sum)
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
        let n = counts(mask, s);
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
        let (pv, yv, mv, g) = (host(p)?, y.to_vec1::<u32>()?, host(mask)?, host(grad)?);
        let n = counts(&mv, s);
        let mut dp = vec![0f32; pv.len()];
        for (bi, &label) in yv.iter().enumerate().take(b) {
            let label = label as usize;
            for si in 0..s {
                let k = bi * s + si;
                let w = mv[k] * g[si] / n[si];
                if w == 0.0 {
                    continue;
                }
                let row = &pv[k * c..(k + 1) * c];
                let (_, m, sum) = log_softmax_at(row, label);
                for (ci, (d, &v)) in dp[k * c..(k + 1) * c].iter_mut().zip(row).enumerate() {
                    *d = w * ((v - m).exp() / sum - f32::from(u8::from(ci == label)));
                }
            }
        }
        Ok((
            Some(Tensor::from_vec(dp, p.shape(), p.device())?),
            None,
            None,
        ))
    }
}

/// Indicator loss: BCE with logits `[B, S]` against 0/1 targets `[B, S]`, mean over rows, summed
/// over slots -> scalar.
pub struct BceOp;

fn bce(x: f32, t: f32) -> f32 {
    x.max(0.0) - x * t + (-x.abs()).exp().ln_1p()
}

impl CustomOp2 for BceOp {
    fn name(&self) -> &'static str {
        "sbl-indicator-bce"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let b = l1.shape().dims2()?.0;
        let total: f32 = slice(s1, l1)?
            .iter()
            .zip(slice(s2, l2)?)
            .map(|(&x, &t)| bce(x, t))
            .sum();
        Ok((CpuStorage::F32(vec![total / b as f32]), Shape::from(())))
    }

    fn bwd(
        &self,
        q: &Tensor,
        t: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let b = q.dim(0)? as f32;
        let g = grad.to_scalar::<f32>()?;
        let dq: Vec<f32> = host(q)?
            .iter()
            .zip(host(t)?)
            .map(|(&x, t)| g * (sigmoid(x) - t) / b)
            .collect();
        Ok((Some(Tensor::from_vec(dq, q.shape(), q.device())?), None))
    }
}
