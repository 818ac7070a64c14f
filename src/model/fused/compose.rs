//! Composes linear heads with every expert: `M_{p,s} = W_p · E_s`.
//!
//! A head is linear, so `g(r_s) = W (E_s z + e_s) + b = (W E_s) z + (W e_s + b)`: the same
//! function, computed as one `[batch, d] × [d, (k+1)·C]` matmul instead of `(k+1)·batch` tiny
//! products over the `[batch, k+1, h]` expert tensor. Several heads ("parts") are composed at
//! once, part-major, so each part's logits are one contiguous block per row.
//!
//! Both passes are single gemms over the experts with their two outer axes swapped
//! (`[S, h, d] -> [h, S·d]`); the swaps are plain copies, far cheaper than `S·C` tiny products.

use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};

use super::gemm::{Mat, matmul};
use super::{host, slice};

/// `M[(p·S + s)·C + c, j] = Σ_i W[p·C + c, i] · E[s·h + i, j]` for experts `E` `[S·h, d]` and
/// `parts` heads stacked in `W` `[parts·C, h]`; the output is `[parts·S·C, d]`.
pub struct ComposeOp {
    /// How many heads are stacked in `W`.
    pub parts: usize,
}

/// The sizes of one composition: slots, hidden, input, classes per part.
#[derive(Clone, Copy)]
struct Dims {
    s: usize,
    h: usize,
    d: usize,
    c: usize,
}

impl ComposeOp {
    fn dims(&self, e: (usize, usize), w: (usize, usize)) -> Dims {
        let ((sh, d), (pc, h)) = (e, w);
        Dims {
            s: sh / h.max(1),
            h,
            d,
            c: pc / self.parts.max(1),
        }
    }
}

/// `[P, a, b, n] -> [P, b, a, n]`: swaps the axes `a` and `b` of a row-major block array, for
/// as many leading parts `P` as `src` holds.
fn swap_outer(src: &[f32], a: usize, b: usize, n: usize) -> Vec<f32> {
    let mut out = vec![0f32; src.len()];
    let part = (a * b * n).max(1);
    for (dst, src) in out.chunks_exact_mut(part).zip(src.chunks_exact(part)) {
        for i in 0..a {
            for j in 0..b {
                let (from, to) = ((i * b + j) * n, (j * a + i) * n);
                dst[to..to + n].copy_from_slice(&src[from..from + n]);
            }
        }
    }
    out
}

impl CustomOp2 for ComposeOp {
    fn name(&self) -> &'static str {
        "sbl-compose-head"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (e, w) = (slice(s1, l1)?, slice(s2, l2)?);
        let Dims { s, h, d, c } = self.dims(l1.shape().dims2()?, l2.shape().dims2()?);
        let pc = self.parts * c;
        let et = swap_outer(e, s, h, d); // [h, S·d]
        let mut mt = vec![0f32; pc * s * d]; // [P·C, S·d]
        let (lhs, rhs) = (Mat::rows(w, h), Mat::rows(&et, s * d));
        matmul(&mut mt, false, &lhs, &rhs, (pc, s * d, h));
        let m = swap_outer(&mt, c, s, d); // [P, C, S, d] -> [P, S, C, d]
        Ok((CpuStorage::F32(m), Shape::from((pc * s, d))))
    }

    fn bwd(
        &self,
        e: &Tensor,
        w: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let Dims { s, h, d, c } = self.dims(e.dims2()?, w.dims2()?);
        let pc = self.parts * c;
        let (eh, wh, gh) = (host(e)?, host(w)?, host(grad)?);
        let et = swap_outer(&eh, s, h, d); // [h, S·d]
        let gt = swap_outer(&gh, s, c, d); // [P, S, C, d] -> [P, C, S, d] = [P·C, S·d]
        let mut dw = vec![0f32; pc * h];
        let (lhs, rhs) = (Mat::rows(&gt, s * d), Mat::transposed(&et, s * d));
        matmul(&mut dw, false, &lhs, &rhs, (pc, h, s * d));
        let mut det = vec![0f32; h * s * d]; // [h, S·d]
        let (lhs, rhs) = (Mat::transposed(&wh, h), Mat::rows(&gt, s * d));
        matmul(&mut det, false, &lhs, &rhs, (h, s * d, pc));
        Ok((
            Some(Tensor::from_vec(
                swap_outer(&det, h, s, d),
                e.shape(),
                e.device(),
            )?),
            Some(Tensor::from_vec(dw, w.shape(), w.device())?),
        ))
    }
}
