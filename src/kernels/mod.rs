//! CPU kernel support shared by the models, the optimiser and the map's PCA: the process-wide
//! switch of the fused CPU kernels, loops the compiler can vectorise (`lanes`), and one checked
//! entry point into `gemm`.
//!
//! [`crate::model`] (the fused SBL ops), [`crate::optim`] (the host Adam pass) and
//! [`crate::data::projection`] (the covariance of the PCA) need them, so they live below all
//! three rather than inside the model.

pub(crate) mod gemm;
pub(crate) mod lanes;

use candle_core::{DType, Tensor};

/// Off routes CPU tensors through the composite expressions that GPUs run.
static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Switches the fused CPU kernels on (the default) or off for the whole process, so tests can
/// train through the GPU path's composite expressions on a machine without a GPU.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the fused kernels apply: CPU tensors of `f32`, unless switched off.
pub fn usable(t: &Tensor) -> bool {
    t.device().is_cpu()
        && t.dtype() == DType::F32
        && ENABLED.load(std::sync::atomic::Ordering::Relaxed)
}
