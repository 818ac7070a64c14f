//! Composes the shared slice head with every expert: `M_s = W · E_s`.
//!
//! The head is linear, so `g(r_s) = W (E_s z + e_s) + b = (W E_s) z + (W e_s + b)`: the same
//! function, computed as one `[batch, d] × [d, (k+1)·C]` matmul instead of `(k+1)·batch` tiny
//! products over the `[batch, k+1, h]` expert tensor.

use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};

use super::{host, slice};

/// `M[s·C + c, j] = Σ_i W[c, i] · E[s·h + i, j]` for experts `E` `[S·h, d]` and head `W` `[C, h]`.
pub struct ComposeOp;

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
        let (sh, d) = l1.shape().dims2()?;
        let (c, h) = l2.shape().dims2()?;
        let s = sh / h.max(1);
        let mut m = vec![0f32; s * c * d];
        for si in 0..s {
            for ci in 0..c {
                let out = &mut m[(si * c + ci) * d..(si * c + ci + 1) * d];
                for i in 0..h {
                    let row = &e[(si * h + i) * d..(si * h + i + 1) * d];
                    let wv = w[ci * h + i];
                    out.iter_mut().zip(row).for_each(|(o, x)| *o += wv * x);
                }
            }
        }
        Ok((CpuStorage::F32(m), Shape::from((s * c, d))))
    }

    fn bwd(
        &self,
        e: &Tensor,
        w: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let (sh, d) = e.dims2()?;
        let (c, h) = w.dims2()?;
        let s = sh / h.max(1);
        let (eh, wh, gh) = (host(e)?, host(w)?, host(grad)?);
        let (ev, wv, g) = (&*eh, &*wh, &*gh);
        let mut de = vec![0f32; ev.len()];
        let mut dw = vec![0f32; wv.len()];
        for si in 0..s {
            for ci in 0..c {
                let gm = &g[(si * c + ci) * d..(si * c + ci + 1) * d];
                for i in 0..h {
                    let k = si * h + i;
                    let row = &ev[k * d..(k + 1) * d];
                    let wv = wv[ci * h + i];
                    de[k * d..(k + 1) * d]
                        .iter_mut()
                        .zip(gm)
                        .for_each(|(o, gv)| *o += wv * gv);
                    dw[ci * h + i] += row.iter().zip(gm).map(|(x, y)| x * y).sum::<f32>();
                }
            }
        }
        Ok((
            Some(Tensor::from_vec(de, e.shape(), e.device())?),
            Some(Tensor::from_vec(dw, w.shape(), w.device())?),
        ))
    }
}
