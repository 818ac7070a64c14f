//! A linear layer `y = x Wᵀ + b` as one op over gemm, with a backward of two gemms and a
//! column sum.
//!
//! Built from candle ops, the same layer is a matmul with a transposed view, a bias add, and in
//! the backward a transposed (strided) weight gradient that every later op on it walks element
//! by element; for the SBL expert layer at k = 100 those passes cost more than the products.

use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor};

use super::{host, slice};
use crate::kernels::gemm::{Mat, matmul};

/// `y[r, o] = b[o] + Σ_i x[r, i] · W[o, i]` for `x` `[rows, in]`, `W` `[out, in]`, `b` `[1, out]`.
pub struct DenseOp;

impl CustomOp3 for DenseOp {
    fn name(&self) -> &'static str {
        "dense"
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
        let (rows, in_dim) = l1.shape().dims2()?;
        let out = l2.shape().dims2()?.0;
        let mut y = vec![0f32; rows * out];
        y.chunks_exact_mut(out.max(1))
            .for_each(|row| row.copy_from_slice(b));
        let (lhs, rhs) = (Mat::rows(x, in_dim), Mat::transposed(w, in_dim));
        matmul(&mut y, true, &lhs, &rhs, (rows, out, in_dim));
        Ok((CpuStorage::F32(y), Shape::from((rows, out))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (rows, in_dim) = x.dims2()?;
        let out = w.dim(0)?;
        let (xh, wh, gh) = (host(x)?, host(w)?, host(grad)?);
        let (xv, wv, g) = (&*xh, &*wh, &*gh);
        let mut dx = vec![0f32; rows * in_dim];
        matmul(
            &mut dx,
            false,
            &Mat::rows(g, out),
            &Mat::rows(wv, in_dim),
            (rows, in_dim, out),
        );
        let mut dw = vec![0f32; out * in_dim];
        matmul(
            &mut dw,
            false,
            &Mat::transposed(g, out),
            &Mat::rows(xv, in_dim),
            (out, in_dim, rows),
        );
        let mut db = vec![0f32; out];
        for row in g.chunks_exact(out) {
            db.iter_mut().zip(row).for_each(|(d, v)| *d += v);
        }
        Ok((
            Some(Tensor::from_vec(dx, x.shape(), x.device())?),
            Some(Tensor::from_vec(dw, w.shape(), w.device())?),
            Some(Tensor::from_vec(db, b.shape(), b.device())?),
        ))
    }
}
