//! Adam/AdamW with global gradient-norm clipping on top of candle-nn's AdamW.

use candle_core::backprop::GradStore;
use candle_core::{Result, Var};
use candle_nn::{AdamW, Optimizer as _, ParamsAdamW};

use super::config::{OptimizerKind, TrainConfig};

/// The optimiser of a training run.
pub struct Optimizer {
    inner: AdamW,
    vars: Vec<Var>,
    clip: Option<f64>,
    l2: f64,
}

impl Optimizer {
    /// Builds the optimiser over `vars` from the training settings.
    pub fn new(vars: Vec<Var>, cfg: &TrainConfig) -> Result<Self> {
        let decoupled = if cfg.optimizer == OptimizerKind::AdamW {
            cfg.weight_decay
        } else {
            0.0
        };
        let params = ParamsAdamW {
            lr: cfg.lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: decoupled,
        };
        let l2 = if cfg.optimizer == OptimizerKind::Adam {
            cfg.weight_decay
        } else {
            0.0
        };
        Ok(Self {
            inner: AdamW::new(vars.clone(), params)?,
            vars,
            clip: cfg.grad_clip,
            l2,
        })
    }

    /// Sets the learning rate for the next steps.
    pub fn set_lr(&mut self, lr: f64) {
        self.inner.set_learning_rate(lr);
    }

    /// Applies L2, clips the global norm, and takes one step.
    pub fn step(&mut self, mut grads: GradStore) -> Result<()> {
        if self.l2 > 0.0 {
            for v in &self.vars {
                if let Some(g) = grads.remove(v.as_tensor()) {
                    grads.insert(v.as_tensor(), (g + (v.as_tensor() * self.l2)?)?);
                }
            }
        }
        if let Some(max_norm) = self.clip {
            let norm = global_norm(&self.vars, &grads)?;
            if norm > max_norm {
                let scale = max_norm / (norm + 1e-6);
                for v in &self.vars {
                    if let Some(g) = grads.remove(v.as_tensor()) {
                        grads.insert(v.as_tensor(), (g * scale)?);
                    }
                }
            }
        }
        self.inner.step(&grads)
    }
}

/// The L2 norm of all gradients together.
pub fn global_norm(vars: &[Var], grads: &GradStore) -> Result<f64> {
    let mut total: Option<candle_core::Tensor> = None;
    for v in vars {
        if let Some(g) = grads.get(v.as_tensor()) {
            let s = g.sqr()?.sum_all()?;
            total = Some(match total {
                Some(t) => (t + s)?,
                None => s,
            });
        }
    }
    match total {
        Some(t) => Ok(f64::from(t.to_dtype(candle_core::DType::F32)?.to_scalar::<f32>()?).sqrt()),
        None => Ok(0.0),
    }
}
