//! A linear layer with few outputs applied to many rows: the shared slice head on
//! `[batch·(k+1), h]`, and every final classification head.
//!
//! gemm packs its operands for wide outputs; with `C = 2` columns the packing dominates and the
//! backward costs several passes. Here each output is a dot product over a contiguous row.

use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor};

use super::{host, slice};

/// `y[n, c] = b[c] + Σ_j x[n, j] · W[c, j]` for `x` `[.., H]`, `W` `[C, H]`, `b` with `C` values.
pub struct NarrowLinearOp;

impl CustomOp3 for NarrowLinearOp {
    fn name(&self) -> &'static str {
        "narrow-linear"
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
        let (x, w, b) = (slice(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?);
        let (c, h) = l2.shape().dims2()?;
        let mut y = Vec::with_capacity(x.len() / h.max(1) * c);
        for row in x.chunks_exact(h) {
            for (wc, bc) in w.chunks_exact(h).zip(b) {
                y.push(bc + dot(row, wc));
            }
        }
        let mut dims = l1.shape().dims().to_vec();
        if let Some(last) = dims.last_mut() {
            *last = c;
        }
        Ok((CpuStorage::F32(y), Shape::from(dims)))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (c, h) = w.dims2()?;
        let (xh, wh, gh) = (host(x)?, host(w)?, host(grad)?);
        let (xv, wv, g) = (&*xh, &*wh, &*gh);
        let mut dx = Vec::with_capacity(xv.len());
        let mut dw = vec![0f32; wv.len()];
        let mut db = vec![0f32; c];
        for (row, grow) in xv.chunks_exact(h).zip(g.chunks_exact(c)) {
            // dx[row] = Σ_c g[row, c] · W[c]: the first term initialises it.
            let start = dx.len();
            dx.extend(wv[..h].iter().map(|w| grow[0] * w));
            for (ci, &gc) in grow.iter().enumerate() {
                if ci > 0 {
                    axpy(gc, &wv[ci * h..(ci + 1) * h], &mut dx[start..]);
                }
                axpy(gc, row, &mut dw[ci * h..(ci + 1) * h]);
                db[ci] += gc;
            }
        }
        Ok((
            Some(Tensor::from_vec(dx, x.shape(), x.device())?),
            Some(Tensor::from_vec(dw, w.shape(), w.device())?),
            Some(Tensor::from_vec(db, b.shape(), b.device())?),
        ))
    }
}

/// Dot product with eight independent accumulators, so the adds need not wait on each other
/// (a single running sum makes a length-13 dot latency-bound).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// `y += a · x`.
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}
