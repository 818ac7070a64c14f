//! Fused CPU kernels for the SBL head: attention, expert combination, masked slice CE and
//! indicator BCE, each one op with a hand-written backward, and all of them as one training op
//! ([`SlotLossOp`]).
//!
//! On the CPU, candle's broadcasting and gather kernels on `[batch, k+1, C]` tensors cost more
//! than the arithmetic, and their count grows with k. Each op here is a plain loop over
//! contiguous `f32` data. They apply where [`crate::kernels::usable`] says so. Other devices (and dtypes) use the composite tensor expressions in
//! [`super::sram`] and [`super::loss`]; tests check both paths give the same values and gradients.

mod attention;
mod compose;
mod dense;
mod head;
mod logsig;
mod loss;
mod slot_loss;

pub use attention::{AttentionOp, CombineOp};
pub use compose::ComposeOp;
pub use dense::DenseOp;
pub use head::NarrowLinearOp;
pub use logsig::LogSigmoidOp;
pub use loss::{BceOp, SliceCeOp};
pub use slot_loss::SlotLossOp;

use std::ops::Deref;

use candle_core::{CpuStorage, Layout, Result, Storage, Tensor};

pub(crate) fn slice<'a>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [f32]> {
    let data = s.as_slice::<f32>()?;
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&data[a..b]),
        None => candle_core::bail!("fused op expects contiguous input"),
    }
}

/// A tensor's `f32` values in row-major order, borrowed from its CPU storage when contiguous.
pub(crate) enum Host<'a> {
    Borrowed(Box<dyn Deref<Target = Storage> + 'a>, usize, usize),
    Owned(Vec<f32>),
}

impl Deref for Host<'_> {
    type Target = [f32];

    fn deref(&self) -> &[f32] {
        match self {
            Host::Borrowed(guard, a, b) => match &***guard {
                Storage::Cpu(CpuStorage::F32(d)) => &d[*a..*b],
                _ => &[],
            },
            Host::Owned(v) => v,
        }
    }
}

/// Reads `t` without copying when it is a contiguous `f32` CPU tensor (backward passes read
/// inputs several times the size of their arithmetic otherwise).
pub(crate) fn host(t: &Tensor) -> Result<Host<'_>> {
    let (guard, layout) = t.storage_and_layout();
    if let (Storage::Cpu(CpuStorage::F32(_)), Some((a, b))) = (&*guard, layout.contiguous_offsets())
    {
        return Ok(Host::Borrowed(Box::new(guard), a, b));
    }
    drop(guard);
    Ok(Host::Owned(t.flatten_all()?.to_vec1::<f32>()?))
}

/// `ln σ(x) = min(x, 0) − ln(1 + e^{−|x|})`, stable for large |x|. `ln(1 + e)` rather than
/// `ln_1p(e)`: for `e < 2⁻²⁴` both round to within 6e-8 of each other, and `ln` is the faster.
pub(crate) fn log_sigmoid(x: f32) -> f32 {
    x.min(0.0) - (1.0 + (-x.abs()).exp()).ln()
}

/// Margin between the two largest of `row`, and the indices of those two.
pub(crate) fn margin(row: &[f32]) -> (f32, usize, usize) {
    // Binary heads, the common case, without the scan (ties go to the first, as below).
    if let &[x0, x1] = row {
        return if x1 > x0 {
            (x1 - x0, 1, 0)
        } else {
            (x0 - x1, 0, 1)
        };
    }
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
