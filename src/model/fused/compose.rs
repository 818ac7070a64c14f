//! Composes linear heads with every expert: `M_{p,s} = W_p · E_s`.
//!
//! A head is linear, so `g(r_s) = W (E_s z + e_s) + b = (W E_s) z + (W e_s + b)`: the same
//! function, computed as one `[batch, d] × [d, (k+1)·C]` matmul instead of `(k+1)·batch` tiny
//! products over the `[batch, k+1, h]` expert tensor. Several heads ("parts") are composed at
//! once, part-major, so each part's logits are one contiguous block per row.
//!
//! Both passes are single gemms over the experts with their two outer axes swapped
//! (`[S, h, d] -> [h, S·d]`); the swaps are plain copies, far cheaper than `S·C` tiny products,
//! and the backward reuses the forward's swapped experts.

use std::sync::Mutex;

use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};

use super::{host, slice};
use crate::kernels::gemm::{Mat, matmul};

/// `M[(p·S + s)·C + c, j] = Σ_i W[p·C + c, i] · E[s·h + i, j]` for experts `E` `[S·h, d]` and
/// `parts` heads stacked in `W` `[parts·C, h]`; the output is `[parts·S·C, d]`.
pub struct ComposeOp {
    /// How many heads are stacked in `W`.
    parts: usize,
    /// The forward's swapped experts `[h, S·d]`, which the backward needs again.
    swapped: Mutex<Option<Vec<f32>>>,
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
    /// Composes `parts` heads stacked in `W` with every expert.
    pub fn new(parts: usize) -> Self {
        Self {
            parts,
            swapped: Mutex::new(None),
        }
    }

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
        if n <= BLOCK {
            swap_short_runs(dst, src, a, b, n);
            continue;
        }
        for j in 0..b {
            for i in 0..a {
                let (to, from) = ((j * a + i) * n, (i * b + j) * n);
                dst[to..to + n].copy_from_slice(&src[from..from + n]);
            }
        }
    }
    out
}

/// [`swap_outer`] of one part for runs of at most [`BLOCK`] values.
///
/// The experts' runs are short (`n = d`, 13 on the demo), and a `memcpy` call per run cost more
/// than the copy. So runs are copied as fixed-size blocks, in increasing `to`: the values past
/// a run's end land where a later run is written.
fn swap_short_runs(dst: &mut [f32], src: &[f32], a: usize, b: usize, n: usize) {
    let len = dst.len();
    let mut overran = Vec::new();
    for j in 0..b {
        for i in 0..a {
            let (to, from) = ((j * a + i) * n, (i * b + j) * n);
            if to + BLOCK <= len && from + BLOCK <= len {
                // Fixed-size arrays: the copy compiles to a few vector moves.
                let d = <&mut [f32; BLOCK]>::try_from(&mut dst[to..to + BLOCK]);
                let s = <&[f32; BLOCK]>::try_from(&src[from..from + BLOCK]);
                if let (Ok(d), Ok(s)) = (d, s) {
                    *d = *s;
                }
            } else {
                overran.push((to, from));
            }
        }
    }
    // Then the runs a block would overrun, exactly (in the same loop, the compiler merges both
    // copies into one `memcpy` call of either length).
    for (to, from) in overran {
        dst[to..to + n].copy_from_slice(&src[from..from + n]);
    }
}

/// The widest run [`swap_outer`] copies as one fixed-size block.
const BLOCK: usize = 16;

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
        if let Ok(mut slot) = self.swapped.lock() {
            *slot = Some(et);
        }
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
        let saved = self.swapped.lock().ok().and_then(|mut e| e.take());
        let et = saved.unwrap_or_else(|| swap_outer(&eh, s, h, d)); // [h, S·d]
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

#[cfg(test)]
mod tests {
    use super::swap_outer;

    #[test]
    fn swapping_moves_every_run_whatever_its_length() {
        // Runs shorter than, equal to and longer than a block, over two parts.
        for n in [1, 5, 13, 16, 17, 40] {
            let (a, b) = (3, 4);
            let src: Vec<f32> = (0..2 * a * b * n).map(|v| v as f32).collect();
            let out = swap_outer(&src, a, b, n);
            for (p, i, j, t) in every_index(2, a, b, n) {
                let from = ((p * a + i) * b + j) * n + t;
                let to = ((p * b + j) * a + i) * n + t;
                assert_eq!(out[to], src[from], "n = {n}: part {p}, ({i}, {j}), {t}");
            }
        }
    }

    fn every_index(
        parts: usize,
        a: usize,
        b: usize,
        n: usize,
    ) -> impl Iterator<Item = (usize, usize, usize, usize)> {
        (0..parts).flat_map(move |p| {
            (0..a).flat_map(move |i| (0..b).flat_map(move |j| (0..n).map(move |t| (p, i, j, t))))
        })
    }
}
