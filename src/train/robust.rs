//! The robust-training methods beside SBL: slice reweighting, Just Train Twice and Group DRO.
//! All three train a Vanilla network; this module builds their objectives and runs JTT's two
//! stages.

use candle_core::Tensor;

use super::config::TrainConfig;
use super::error::TrainError;
use super::events::{StopReason, TrainEvent};
use super::objective::{GroupDro, Objective};
use super::prepared::Prepared;
use super::single_run::{RunPlan, RunResult, SeedContext, model_config, train_planned};
use crate::model::Method;

/// Per-row weights of slice reweighting, one per dataset row: a training row `i` weighs
/// `Σ_{g ∋ i} n / n_g` over the base slice and every SF slice `g` it is in (`n` training rows,
/// `n_g` of them in `g`), scaled so the training rows' weights average 1. A row in no SF weighs
/// the least; with disjoint SFs, the rows of each SF slice together weigh `n_g + n` before
/// scaling: every slice about as much as the whole table. Rows outside training weigh 1.
pub fn reweight_weights(data: &Prepared) -> Vec<f32> {
    let n = data.train.len() as f64;
    let sizes: Vec<f64> = data
        .sf_masks
        .iter()
        .map(|m| data.train.iter().filter(|&&i| m.get(i)).count() as f64)
        .collect();
    let mut w = vec![1f64; data.y_host.len()];
    for &i in &data.train {
        w[i] = 1.0
            + data
                .sf_masks
                .iter()
                .zip(&sizes)
                .filter(|(m, s)| **s > 0.0 && m.get(i))
                .map(|(_, s)| n / s)
                .sum::<f64>();
    }
    let mean = data.train.iter().map(|&i| w[i]).sum::<f64>() / n.max(1.0);
    for &i in &data.train {
        w[i] /= mean;
    }
    w.into_iter().map(|x| x as f32).collect()
}

/// JTT's second-stage weights: `λ_up` on the `errors` rows, 1 elsewhere (one per dataset row).
pub fn jtt_weights(n_rows: usize, errors: &[usize], upweight: f64) -> Vec<f32> {
    let mut w = vec![1f32; n_rows];
    errors.iter().for_each(|&i| w[i] = upweight as f32);
    w
}

/// The objective of `method` on `data`: reweighting's row weights, Group DRO's state over the
/// base slice and the SFs, else the model's own loss (JTT's second stage is set by
/// [`train_jtt`]).
pub fn objective_for(
    method: Method,
    data: &Prepared,
    train: &TrainConfig,
) -> Result<Objective, TrainError> {
    Ok(match method {
        Method::Reweight => row_weights(reweight_weights(data), data, train)?,
        Method::Gdro => {
            Objective::GroupDro(GroupDro::new(data.sf_names.len() + 1, train.gdro_step))
        }
        _ => Objective::Plain,
    })
}

/// The row-weighted objective of one weight per dataset row, normalised by the training rows'
/// mean weight (class weights included), as [`Objective::RowWeights`] says.
fn row_weights(w: Vec<f32>, data: &Prepared, train: &TrainConfig) -> Result<Objective, TrainError> {
    let class = train
        .class_weights
        .weights(&data.y_host, &data.train, data.n_classes);
    let of = |i: usize| {
        let cw = class.as_ref().map_or(1.0, |c| c[data.y_host[i] as usize]);
        f64::from(w[i]) * f64::from(cw)
    };
    let mean = data.train.iter().map(|&i| of(i)).sum::<f64>() / data.train.len().max(1) as f64;
    let n = w.len();
    Ok(Objective::RowWeights {
        weights: Tensor::from_vec(w, n, &data.device)?,
        mean,
    })
}

/// Training rows the model of `run` misclassifies.
pub fn training_errors(run: &RunResult, data: &Prepared) -> Result<Vec<usize>, TrainError> {
    let pred = run.model.predict_rows(data, &data.train)?.classes;
    Ok(data
        .train
        .iter()
        .zip(pred)
        .filter(|&(&i, p)| data.y_host[i] != p)
        .map(|(&i, _)| i)
        .collect())
}

/// JTT's first stage: a Vanilla model trained `jtt_epochs` epochs, kept as it ends (its
/// errors, not its validation score, are what the second stage needs).
pub fn jtt_first_stage(
    ctx: &SeedContext,
    progress: (usize, usize),
    emit: &mut dyn FnMut(TrainEvent),
) -> Result<RunResult, TrainError> {
    let train = TrainConfig {
        epochs: ctx.spec.train.jtt_epochs,
        select_best: false,
        patience: None,
        ..ctx.spec.train.clone()
    };
    let plan = RunPlan {
        cfg: model_config(Method::Vanilla, ctx.data, ctx.spec, Vec::new()),
        train,
        objective: Objective::Plain,
    };
    let name = format!("jtt-stage1-seed{}", ctx.seed);
    train_planned(ctx, plan, &name, progress, emit)
}

/// Just Train Twice for one seed: the first stage's misclassified training rows are upweighted
/// by `jtt_upweight` in a second, fresh Vanilla model, which is the run's result.
pub fn train_jtt(
    ctx: &SeedContext,
    progress: (usize, usize),
    emit: &mut dyn FnMut(TrainEvent),
) -> Result<RunResult, TrainError> {
    let first = jtt_first_stage(ctx, progress, emit)?;
    if first.outcome.stop == StopReason::Cancelled {
        return Ok(first);
    }
    let errors = training_errors(&first, ctx.data)?;
    let weights = jtt_weights(ctx.data.y_host.len(), &errors, ctx.spec.train.jtt_upweight);
    let plan = RunPlan {
        cfg: model_config(Method::Jtt, ctx.data, ctx.spec, Vec::new()),
        train: ctx.spec.train.clone(),
        objective: row_weights(weights, ctx.data, &ctx.spec.train)?,
    };
    let name = format!("jtt-seed{}", ctx.seed);
    let mut run = train_planned(ctx, plan, &name, progress, emit)?;
    run.upweighted = errors;
    Ok(run)
}
