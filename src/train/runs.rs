//! Runs: every method x seed on the same data, backbone and budget, summarised as a report.
//! (The paper's experiments built on them live in [`crate::experiments`].)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::Device;

use super::config::TrainConfig;
use super::error::TrainError;
use super::events::{StopReason, TrainEvent};
use super::fit::{FitOutcome, fit};
use super::predict::predict;
use super::prepared::Prepared;
use super::saved::{FORMAT, ModelCard, TrainedModel};
use crate::data::demo::Figure1;
use crate::data::{Dataset, Split};
use crate::metrics::{Metric, ReportSpec, SplitReport, slice_report};
use crate::model::{Method, ModelConfig, param_count};
use crate::slices::SliceSet;
use crate::summary::group::{RunInfo, group_runs};
use crate::summary::{MethodReport, Report, RunRecord};

/// Where an experiment's data comes from.
#[derive(Clone)]
pub enum DataSource {
    /// The synthetic demo, regenerated per seed (data seed = model seed, as the reference does).
    Demo(Figure1),
    /// A loaded dataset, shared by all seeds.
    Dataset(Arc<Dataset>),
}

impl DataSource {
    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            DataSource::Demo(f) => format!(
                "demo:{:?} (n={}, k={}, noise={})",
                f.layout, f.n, f.k, f.noise
            )
            .to_lowercase(),
            DataSource::Dataset(d) => d.table.source.clone(),
        }
    }

    /// The dataset for one seed.
    pub fn dataset(&self, seed: u64) -> Arc<Dataset> {
        match self {
            DataSource::Demo(f) => Arc::new(Figure1 { seed, ..f.clone() }.dataset()),
            DataSource::Dataset(d) => d.clone(),
        }
    }

    /// The default slice set: every column named `sf_*` (for the demo, its SFs).
    pub fn default_slices(&self) -> SliceSet {
        match self {
            DataSource::Demo(f) => {
                SliceSet::from_columns(&(1..=f.k).map(|j| format!("sf_{j}")).collect::<Vec<_>>())
            }
            DataSource::Dataset(d) => SliceSet::from_sf_columns(&d.table),
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct ExperimentSpec {
    /// Methods, in report order.
    pub methods: Vec<Method>,
    /// Seeds.
    pub seeds: Vec<u64>,
    /// Shared training settings (the seed is set per run).
    pub train: TrainConfig,
    /// Expert size `h` (default: last backbone width).
    pub rep_dim: Option<usize>,
    /// Feature columns (default: all usable columns).
    pub features: Option<Vec<String>>,
    /// The metric that ranks and flags slices in the test reports (default: per task, see
    /// [`Metric::default_for`]).
    pub metric: Option<Metric>,
}

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
}

/// All runs and their summary.
pub struct ExperimentResult {
    /// Runs in (seed, method) order.
    pub runs: Vec<RunResult>,
    /// The summary written as `report.json`.
    pub report: Report,
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

/// Runs every method for every seed; stops early (keeping finished runs) when `cancel` is set.
pub fn run_experiment(
    source: &DataSource,
    slices: &SliceSet,
    spec: &ExperimentSpec,
    emit: &mut dyn FnMut(TrainEvent),
    cancel: &AtomicBool,
) -> Result<ExperimentResult, TrainError> {
    spec.train.validate().map_err(TrainError::Config)?;
    let device =
        crate::model::device::parse_device(&spec.train.device).map_err(TrainError::Config)?;
    let total = spec.methods.len() * spec.seeds.len();
    let mut runs: Vec<RunResult> = Vec::new();
    'seeds: for &seed in &spec.seeds {
        let ds = source.dataset(seed);
        let data = Prepared::new(&ds, slices, spec.features.clone(), seed, &device)?;
        let ctx = SeedContext {
            seed,
            ds: &ds,
            data: &data,
            slices,
            spec,
            cancel,
        };
        let first_of_seed = runs.len();
        for &method in &spec.methods {
            if cancel.load(Ordering::Relaxed) {
                break 'seeds;
            }
            let progress = (runs.len(), total);
            let run = if method == Method::Manual {
                let vanilla = runs[first_of_seed..]
                    .iter()
                    .find(|r| r.method == Method::Vanilla);
                super::manual::train_manual(&ctx, vanilla, progress, emit)?
            } else {
                let name = format!("{}-seed{seed}", method.name());
                train_run(
                    &ctx,
                    model_config(method, &data, spec, Vec::new()),
                    &name,
                    progress,
                    emit,
                )?
            };
            let stopped = run.outcome.stop == StopReason::Cancelled;
            runs.push(run);
            if stopped {
                break 'seeds;
            }
        }
    }
    let mut report = summarise(source.describe(), &runs, &device)?;
    report.interrupted |= cancel.load(Ordering::Relaxed);
    Ok(ExperimentResult { runs, report })
}

/// Trains one model of architecture `cfg` on the context's data and scores it on the test split.
pub fn train_run(
    ctx: &SeedContext,
    cfg: ModelConfig,
    run: &str,
    (index, total): (usize, usize),
    emit: &mut dyn FnMut(TrainEvent),
) -> Result<RunResult, TrainError> {
    let (ds, data) = (ctx.ds, ctx.data);
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
            ..ctx.spec.train.clone()
        },
        dataset: ds.table.source.clone(),
        params: 0,
        best_epoch: 0,
        stop: StopReason::Completed,
        epoch_secs: 0.0,
        test_metrics: None,
        embedding: ds.embedding.clone(),
    };
    let mut model = TrainedModel::build(card, &data.device)?;
    emit(TrainEvent::RunStarted {
        run: run.to_string(),
        index,
        total,
        params: model.params(),
    });
    let outcome = fit(
        run,
        &model.model,
        &model.varmap,
        data,
        &model.card.train,
        emit,
        ctx.cancel,
    )?;
    let test = evaluate(&model, data, Split::Test, ctx.spec.metric)?;
    model.card.params = model.params();
    model.card.best_epoch = outcome.best_epoch;
    model.card.stop = outcome.stop.clone();
    model.card.epoch_secs = outcome.epoch_secs;
    model.card.test_metrics = Some(test.clone());
    emit(TrainEvent::RunFinished {
        run: run.to_string(),
        stop: outcome.stop.clone(),
        best_epoch: outcome.best_epoch,
    });
    Ok(RunResult {
        method,
        seed: ctx.seed,
        model,
        test,
        outcome,
        grid: Vec::new(),
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
    let pred = predict(&model.model, &data.x, rows)?.classes;
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

/// Groups the runs as Compare does (cancelled and diverged runs listed, not averaged) and
/// summarises each group.
fn summarise(dataset: String, runs: &[RunResult], device: &Device) -> Result<Report, TrainError> {
    let infos: Vec<RunInfo> = runs
        .iter()
        .map(|r| RunInfo {
            label: run_name(r),
            method: r.method.name().into(),
            seed: r.seed,
            settings: r.model.card.settings(),
            stop: &r.outcome.stop,
            test: &r.test,
        })
        .collect();
    let grouping = group_runs(&infos);
    let result = |info: &RunInfo| {
        &runs[infos
            .iter()
            .position(|x| std::ptr::eq(x, info))
            .unwrap_or(0)]
    };
    let mut methods = Vec::new();
    for g in &grouping.groups {
        let mine: Vec<&RunResult> = g.runs.iter().map(|i| result(i)).collect();
        let Some(first) = mine.first() else { continue };
        let vanilla = vanilla_params(&first.model.card.model, device)?;
        let tests: Vec<&SplitReport> = mine.iter().map(|r| &r.test).collect();
        let epoch_secs = mine.iter().map(|r| r.outcome.epoch_secs).sum::<f64>() / mine.len() as f64;
        let mut m = MethodReport::summarise(
            &g.method,
            mine.iter().map(|r| r.seed).collect(),
            first.model.params(),
            vanilla,
            epoch_secs,
            &tests,
        );
        if g.name != g.method {
            m.name = g.name.clone();
        }
        methods.push(m);
    }
    let mut report = Report::new(dataset, methods);
    report.metric = runs.first().map_or_else(Metric::default, |r| r.test.metric);
    let averaged = |r: &RunResult| {
        grouping
            .groups
            .iter()
            .any(|g| g.runs.iter().any(|i| i.label == run_name(r)))
    };
    report.runs = runs
        .iter()
        .map(|r| RunRecord {
            run: run_name(r),
            method: r.method.name().into(),
            seed: r.seed,
            stop_reason: r.outcome.stop.kind().into(),
            stop: r.outcome.stop.describe(),
            epochs_run: r.outcome.history.len(),
            best_epoch: r.outcome.best_epoch,
            summarised: averaged(r),
            test: Some(r.test.clone()),
        })
        .collect();
    report.not_averaged = grouping.not_averaged;
    report.notes = grouping.notes;
    report.interrupted = runs.iter().any(|r| r.outcome.stop == StopReason::Cancelled);
    Ok(report)
}

fn run_name(r: &RunResult) -> String {
    format!("{}-seed{}", r.method.name(), r.seed)
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
