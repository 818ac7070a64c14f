//! Adam/AdamW with global gradient-norm clipping on top of candle-nn's AdamW.

use candle_core::backprop::GradStore;
use candle_core::{Result, Var};
use candle_nn::{AdamW, Optimizer as _, ParamsAdamW};

use super::adam::{HostAdam, host_sum_sq};
use super::config::{OptimizerKind, TrainConfig};

/// The update rule: one host pass per variable on the CPU, candle-nn's elsewhere.
enum Inner {
    Host(HostAdam),
    Candle(AdamW),
}

/// The optimiser of a training run.
pub struct Optimizer {
    inner: Inner,
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
            inner: if HostAdam::applies(&vars) {
                Inner::Host(HostAdam::new(vars.clone(), params))
            } else {
                Inner::Candle(AdamW::new(vars.clone(), params)?)
            },
            vars,
            clip: cfg.grad_clip,
            l2,
        })
    }

    /// Sets the learning rate for the next steps.
    pub fn set_lr(&mut self, lr: f64) {
        match &mut self.inner {
            Inner::Host(a) => a.set_learning_rate(lr),
            Inner::Candle(a) => a.set_learning_rate(lr),
        }
    }

    /// Applies L2, clips the global norm, and takes one step.
    pub fn step(&mut self, mut grads: GradStore) -> Result<()> {
        if let Inner::Host(adam) = &mut self.inner {
            let scale = match self.clip {
                Some(max_norm) => clip_scale(global_norm(&self.vars, &grads)?, max_norm),
                None => 1.0,
            };
            return adam.step(&grads, scale, self.l2);
        }
        if self.l2 > 0.0 {
            for v in &self.vars {
                if let Some(g) = grads.remove(v.as_tensor()) {
                    grads.insert(v.as_tensor(), (g + (v.as_tensor() * self.l2)?)?);
                }
            }
        }
        if let Some(max_norm) = self.clip {
            let scale = clip_scale(global_norm(&self.vars, &grads)?, max_norm);
            if scale < 1.0 {
                for v in &self.vars {
                    if let Some(g) = grads.remove(v.as_tensor()) {
                        grads.insert(v.as_tensor(), (g * scale)?);
                    }
                }
            }
        }
        match &mut self.inner {
            Inner::Candle(a) => a.step(&grads),
            Inner::Host(a) => a.step(&grads, 1.0, 0.0),
        }
    }
}

/// The factor that brings a gradient of norm `norm` down to `max_norm` (1 when already within).
fn clip_scale(norm: f64, max_norm: f64) -> f64 {
    if norm > max_norm {
        max_norm / (norm + 1e-6)
    } else {
        1.0
    }
}

/// The L2 norm of all gradients together.
pub fn global_norm(vars: &[Var], grads: &GradStore) -> Result<f64> {
    let mut total: Option<candle_core::Tensor> = None;
    let mut host_total = 0.0;
    for v in vars {
        if let Some(g) = grads.get(v.as_tensor()) {
            if let Some(host) = host_sum_sq(g) {
                host_total += host;
                continue;
            }
            let s = g.sqr()?.sum_all()?;
            total = Some(match total {
                Some(t) => (t + s)?,
                None => s,
            });
        }
    }
    match total {
        Some(t) => {
            let device = f64::from(t.to_dtype(candle_core::DType::F32)?.to_scalar::<f32>()?);
            Ok((device + host_total).sqrt())
        }
        None => Ok(host_total.sqrt()),
    }
}
