//! The optimisers of a run: the model's variables and the tuned encoder layers', each with its
//! own learning rate under the same schedule.

use candle_core::Var;
use candle_core::backprop::GradStore;
use candle_nn::VarMap;

use super::config::TrainConfig;
use super::error::TrainError;
use crate::optim::Optimizer;
use crate::text::tower::LAYER_PREFIX;

/// The model's and the tuned encoder layers' variables, each in name order: `VarMap` iterates
/// a `HashMap`, and a varying order would change the floating-point sum of the gradient norm
/// and so make runs irreproducible.
fn sorted_vars(varmap: &VarMap) -> Result<(Vec<Var>, Vec<Var>), TrainError> {
    let data = varmap
        .data()
        .lock()
        .map_err(|_| TrainError::Config("variable map lock poisoned".into()))?;
    let mut named: Vec<(&String, &Var)> = data.iter().collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    let (encoder, model): (Vec<_>, Vec<_>) = named
        .into_iter()
        .partition(|(name, _)| name.starts_with(LAYER_PREFIX));
    let vars = |v: Vec<(&String, &Var)>| v.into_iter().map(|(_, v)| v.clone()).collect();
    Ok((vars(model), vars(encoder)))
}

/// The optimisers of a run: the model's, and the encoder layers' at their own learning rate.
pub(super) struct Optimizers {
    model: Optimizer,
    encoder: Option<Optimizer>,
}

impl Optimizers {
    /// Optimisers over `varmap`'s variables: the tuned encoder layers' (`encoder.layer.*`)
    /// apart, at the encoder's learning rate and without weight decay.
    pub(super) fn new(varmap: &VarMap, cfg: &TrainConfig) -> Result<Self, TrainError> {
        let (model, encoder) = sorted_vars(varmap)?;
        Ok(Self {
            model: Optimizer::new(model, &cfg.optim())?,
            encoder: if encoder.is_empty() {
                None
            } else {
                Some(Optimizer::new(encoder, &cfg.encoder_optim())?)
            },
        })
    }

    /// Sets both learning rates at `step` of `total` by the schedule.
    pub(super) fn schedule(&mut self, cfg: &TrainConfig, step: usize, total: usize) {
        self.model.set_lr(cfg.lr_schedule.rate(cfg.lr, step, total));
        if let Some(e) = &mut self.encoder {
            e.set_lr(cfg.lr_schedule.rate(cfg.encoder_lr, step, total));
        }
    }

    /// One step of each optimiser on the batch's gradients.
    pub(super) fn step(&mut self, mut grads: GradStore) -> Result<(), TrainError> {
        self.model.step_shared(&mut grads)?;
        if let Some(e) = &mut self.encoder {
            e.step_shared(&mut grads)?;
        }
        Ok(())
    }
}
