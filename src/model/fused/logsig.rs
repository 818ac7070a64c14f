//! `ln σ(q)` of the indicator logits, computed once per step and shared by the attention and
//! the indicator loss (both are cheap functions of it, so neither needs its own exp and log).

use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};

use super::{host, log_sigmoid, slice};

/// Elementwise `ln σ(x)`; its gradient is `σ(−x) = e^{ln σ(x) − x}`.
pub struct LogSigmoidOp;

impl CustomOp1 for LogSigmoidOp {
    fn name(&self) -> &'static str {
        "log-sigmoid"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let y = slice(s, l)?.iter().map(|&x| log_sigmoid(x)).collect();
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }

    fn bwd(&self, x: &Tensor, res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let (xh, rh, gh) = (host(x)?, host(res)?, host(grad)?);
        let dx = xh
            .iter()
            .zip(rh.iter())
            .zip(gh.iter())
            .map(|((&x, &ls), &g)| g * (ls - x).exp())
            .collect();
        Ok(Some(Tensor::from_vec(dx, x.shape(), x.device())?))
    }
}
