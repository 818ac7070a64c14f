//! Adam/AdamW with global gradient-norm clipping on top of candle-nn's AdamW.

use candle_core::backprop::GradStore;
use candle_core::{Result, Var};
use candle_nn::{AdamW, Optimizer as _, ParamsAdamW};

use serde::{Deserialize, Serialize};

use super::host_adam::{HostAdam, host_sum_sq};

/// Which optimiser to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adam; weight decay is an L2 term added to the gradient.
    Adam,
    /// AdamW; weight decay is decoupled from the gradient.
    AdamW,
}

/// What the optimiser needs of a run's settings; the defaults are the training defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimConfig {
    /// Which update rule.
    pub kind: OptimizerKind,
    /// Learning rate of the first step (a schedule changes it through [`Optimizer::set_lr`]).
    pub lr: f64,
    /// Weight decay (L2 for Adam, decoupled for AdamW).
    pub weight_decay: f64,
    /// Clip the global gradient norm to this value (none when `None`).
    pub grad_clip: Option<f64>,
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            lr: 0.01,
            weight_decay: 0.0,
            grad_clip: Some(1.0),
        }
    }
}

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
    /// Builds the optimiser over `vars` from the run's settings.
    pub fn new(vars: Vec<Var>, cfg: &OptimConfig) -> Result<Self> {
        let decoupled = if cfg.kind == OptimizerKind::AdamW {
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
        let l2 = if cfg.kind == OptimizerKind::Adam {
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

    /// Applies L2, clips the global norm (of the gradients with L2 added), and takes one step.
    pub fn step(&mut self, mut grads: GradStore) -> Result<()> {
        self.step_shared(&mut grads)
    }

    /// [`Optimizer::step`] on a gradient store other optimisers (of other variables) also read:
    /// only this optimiser's variables' gradients are changed.
    pub fn step_shared(&mut self, grads: &mut GradStore) -> Result<()> {
        if self.l2 > 0.0 {
            for v in &self.vars {
                if let Some(g) = grads.remove(v.as_tensor()) {
                    grads.insert(v.as_tensor(), (g + (v.as_tensor() * self.l2)?)?);
                }
            }
        }
        let scale = match self.clip {
            Some(max_norm) => clip_scale(global_norm(&self.vars, grads)?, max_norm),
            None => 1.0,
        };
        match &mut self.inner {
            // The host pass scales each gradient as it reads it.
            Inner::Host(adam) => adam.step(grads, scale),
            Inner::Candle(adam) => {
                if scale < 1.0 {
                    for v in &self.vars {
                        if let Some(g) = grads.remove(v.as_tensor()) {
                            grads.insert(v.as_tensor(), (g * scale)?);
                        }
                    }
                }
                adam.step(grads)
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    /// Three steps of a quadratic loss with `cfg`, through the host or candle update.
    fn run(cfg: &OptimConfig, host: bool) -> Vec<f32> {
        let init: Vec<f32> = (0..8).map(|i| (i as f32 * 0.9).cos() * 3.0).collect();
        let v =
            Var::from_tensor(&Tensor::from_slice(&init, (2, 4), &Device::Cpu).unwrap()).unwrap();
        let mut opt = Optimizer::new(vec![v.clone()], cfg).unwrap();
        if !host {
            let params = ParamsAdamW {
                lr: cfg.lr,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
            };
            opt.inner = Inner::Candle(AdamW::new(vec![v.clone()], params).unwrap());
        }
        for _ in 0..3 {
            let loss = (v.as_tensor() * 4.0)
                .unwrap()
                .sqr()
                .unwrap()
                .sum_all()
                .unwrap();
            opt.step(loss.backward().unwrap()).unwrap();
        }
        v.flatten_all().unwrap().to_vec1().unwrap()
    }

    #[test]
    fn host_and_candle_updates_agree_with_l2_and_clipping() {
        let cfg = OptimConfig {
            lr: 0.1,
            kind: OptimizerKind::Adam,
            weight_decay: 0.5,
            grad_clip: Some(1.0),
        };
        let (host, candle) = (run(&cfg, true), run(&cfg, false));
        for (a, b) in host.iter().zip(&candle) {
            assert!((a - b).abs() < 1e-5, "host {host:?} vs candle {candle:?}");
        }
    }
}
