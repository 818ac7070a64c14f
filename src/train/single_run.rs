//! One run: a model of one method and seed trained on prepared data and scored per slice on the
//! test split. [`super::runs`] and [`super::manual`] are made of these.

use std::sync::atomic::AtomicBool;

use candle_core::Device;

use super::config::TrainConfig;
use super::error::TrainError;
use super::events::{StopReason, TrainEvent};
use super::fit::{FitOutcome, fit_with};
use super::objective::Objective;
use super::prepared::Prepared;
use super::robust::objective_for;
use super::saved::{FORMAT, ModelCard, TrainedModel};
use super::select::Chosen;
use super::spec::ExperimentSpec;
use crate::data::{Dataset, Split};
use crate::metrics::{Metric, ReportSpec, SplitReport, slice_report};
use crate::model::{Method, ModelConfig, param_count};
use crate::slices::SliceSet;

/// One trained run.
pub struct RunResult {
    /// Method.
    pub method: Method,
    /// Seed.
    pub seed: u64,
    /// The model with its card (test metrics included).
    pub model: TrainedModel,
    /// Per-slice test metrics.
    pub test: SplitReport,
    /// How training went.
    pub outcome: FitOutcome,
    /// Manual only: (multiplier, validation score) of every grid point.
    pub grid: Vec<(f32, f64)>,
    /// JTT only: the training rows its first stage misclassified, upweighted in the second.
    pub upweighted: Vec<usize>,
}

/// What one run trains: the architecture, the settings and the objective.
pub struct RunPlan {
    /// The architecture.
    pub cfg: ModelConfig,
    /// The settings (the seed is the context's).
    pub train: TrainConfig,
    /// What the steps minimise.
    pub objective: Objective,
}

/// Everything the runs of one seed share.
pub struct SeedContext<'a> {
    /// The seed of weights and batch order (and, for the demo, of the data).
    pub seed: u64,
    /// The dataset.
    pub ds: &'a Dataset,
    /// Its tensors.
    pub data: &'a Prepared,
    /// The slicing functions.
    pub slices: &'a SliceSet,
    /// The experiment.
    pub spec: &'a ExperimentSpec,
    /// Set to stop at the next batch.
    pub cancel: &'a AtomicBool,
}

/// Trains one model of architecture `cfg` on the context's data with its method's objective
/// (Group DRO with its L2 as weight decay) and scores it on the test split.
pub fn train_run(
    ctx: &SeedContext,
    cfg: ModelConfig,
    run: &str,
    progress: (usize, usize),
    emit: &mut dyn FnMut(TrainEvent),
) -> Result<RunResult, TrainError> {
    let mut train = ctx.spec.train.clone();
    if cfg.method == Method::Gdro {
        train.weight_decay = train.weight_decay.max(train.gdro_l2);
    }
    let objective = objective_for(cfg.method, ctx.data, &train)?;
    let plan = RunPlan {
        cfg,
        train,
        objective,
    };
    train_planned(ctx, plan, run, progress, emit)
}

/// Trains the model of `plan` on the context's data and scores it on the test split.
pub fn train_planned(
    ctx: &SeedContext,
    plan: RunPlan,
    run: &str,
    (index, total): (usize, usize),
    emit: &mut dyn FnMut(TrainEvent),
) -> Result<RunResult, TrainError> {
    let (ds, data) = (ctx.ds, ctx.data);
    let RunPlan {
        cfg,
        train,
        mut objective,
    } = plan;
    let method = cfg.method;
    let card = ModelCard {
        format: FORMAT.into(),
        model: cfg,
        features: data.features.clone(),
        slices: ctx.slices.clone(),
        label: ds.label.clone(),
        classes: ds.classes.clone(),
        truth_slices: ds.truth_slices.clone(),
        train: TrainConfig {
            seed: ctx.seed,
            ..train
        },
        dataset: ds.table.source.clone(),
        params: 0,
        best_epoch: 0,
        selection: None,
        stop: StopReason::Completed,
        epoch_secs: 0.0,
        test_metrics: None,
        embedding: ds.embedding.clone(),
        encoder_config: data.text.as_ref().map(|t| t.states.config.clone()),
    };
    let mut model = TrainedModel::build(card, &data.device)?;
    if let Some(text) = &data.text {
        crate::text::tower::Tower::load_pretrained(&model.varmap, &text.states.pretrained)?;
    }
    emit(TrainEvent::RunStarted {
        run: run.to_string(),
        index,
        total,
        params: model.params(),
    });
    let outcome = fit_with(
        run,
        model.net(),
        data,
        &model.card.train,
        &mut objective,
        emit,
        ctx.cancel,
    )?;
    let test = evaluate(&model, data, Split::Test, ctx.spec.metric)?;
    model.card.params = model.params();
    model.card.best_epoch = outcome.best_epoch;
    model.card.selection = outcome.chosen.clone();
    model.card.stop = outcome.stop.clone();
    model.card.epoch_secs = outcome.epoch_secs;
    model.card.test_metrics = Some(test.clone());
    emit(TrainEvent::RunFinished {
        run: run.to_string(),
        stop: outcome.stop.clone(),
        best_epoch: outcome.best_epoch,
        selection: outcome.chosen.as_ref().map(Chosen::describe),
    });
    Ok(RunResult {
        method,
        seed: ctx.seed,
        model,
        test,
        outcome,
        grid: Vec::new(),
        upweighted: Vec::new(),
    })
}

/// The architecture of `method` for this data and experiment.
pub fn model_config(
    method: Method,
    data: &Prepared,
    spec: &ExperimentSpec,
    slice_loss_weights: Vec<f32>,
) -> ModelConfig {
    let hidden = spec.train.hidden.clone();
    ModelConfig {
        method,
        input_dim: data.features.dim(),
        rep_dim: spec
            .rep_dim
            .unwrap_or_else(|| hidden.last().copied().unwrap_or(1)),
        hidden,
        n_classes: data.n_classes,
        n_slices: data.sf_names.len(),
        slice_loss_weights,
    }
}

/// Per-slice metrics of a model on one split of prepared data, slices flagged by `metric`
/// (default: per task).
pub fn evaluate(
    model: &TrainedModel,
    data: &Prepared,
    split: Split,
    metric: Option<Metric>,
) -> Result<SplitReport, TrainError> {
    let rows = data.rows(split);
    let pred = model.predict_rows(data, rows)?.classes;
    let mut full = vec![u32::MAX; data.y_host.len()];
    rows.iter().zip(pred).for_each(|(&i, p)| full[i] = p);
    Ok(slice_report(
        &data.y_host,
        &full,
        rows,
        split,
        &data.report_slices(),
        &ReportSpec::new(&model.card.classes).with_metric(metric),
    ))
}

/// Parameters of a Vanilla model with the same backbone and classes.
pub fn vanilla_params(cfg: &ModelConfig, device: &Device) -> Result<usize, TrainError> {
    let vanilla = ModelConfig {
        method: Method::Vanilla,
        ..cfg.clone()
    };
    let varmap = candle_nn::VarMap::new();
    crate::model::Model::new(
        &vanilla,
        candle_nn::VarBuilder::from_varmap(&varmap, candle_core::DType::F32, device),
    )?;
    Ok(param_count(&varmap))
}
