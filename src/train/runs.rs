//! Runs: every method x seed on the same data, backbone and budget, summarised as a report.
//! (The paper's experiments built on them live in [`crate::experiments`].)

use std::sync::atomic::{AtomicBool, Ordering};

use super::error::TrainError;
use super::events::{StopReason, TrainEvent};
use super::prepared::Prepared;
use super::single_run::{RunResult, SeedContext, model_config, train_run};
use super::spec::{DataSource, ExperimentSpec};
use crate::metrics::{Metric, SplitReport};
use crate::model::Method;
use crate::slices::SliceSet;
use crate::summary::group::{RunInfo, group_runs};
use crate::summary::{MethodReport, Report, RunRecord};

/// All runs and their summary.
pub struct ExperimentResult {
    /// Runs in (seed, method) order.
    pub runs: Vec<RunResult>,
    /// The summary written as `report.json`.
    pub report: Report,
}

/// Called on the training thread as each run ends, with that run and the report of every run so
/// far, so a caller can save the run before the next one starts (an `Err` ends the experiment).
pub type OnRun<'a> = &'a mut dyn FnMut(&RunResult, &Report) -> Result<(), String>;

/// Runs every method for every seed; stops early (keeping finished runs) when `cancel` is set.
pub fn run_experiment(
    source: &DataSource,
    slices: &SliceSet,
    spec: &ExperimentSpec,
    emit: &mut dyn FnMut(TrainEvent),
    cancel: &AtomicBool,
) -> Result<ExperimentResult, TrainError> {
    run_experiment_with(source, slices, spec, emit, &mut |_, _| Ok(()), cancel)
}

/// [`run_experiment`], calling `on_run` as each run ends.
pub fn run_experiment_with(
    source: &DataSource,
    slices: &SliceSet,
    spec: &ExperimentSpec,
    emit: &mut dyn FnMut(TrainEvent),
    on_run: OnRun<'_>,
    cancel: &AtomicBool,
) -> Result<ExperimentResult, TrainError> {
    spec.train
        .validate()
        .map_err(|e| TrainError::Config(e.to_string()))?;
    let device = crate::model::device::parse_device(&spec.train.device)
        .map_err(|e| TrainError::Config(e.to_string()))?;
    let total = spec.methods.len() * spec.seeds.len();
    let mut runs: Vec<RunResult> = Vec::new();
    'seeds: for &seed in &spec.seeds {
        let ds = source.dataset(seed);
        let mut data = Prepared::new(&ds, slices, spec.features.clone(), seed, &device)?;
        data.tune_text(
            &ds,
            spec.train.tune_layers,
            &mut |done, total| {
                emit(TrainEvent::Stage {
                    what: "frozen encoder layers".into(),
                    done,
                    total,
                })
            },
            cancel,
        )?;
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
            let run = if method == Method::Jtt {
                super::robust::train_jtt(&ctx, progress, emit)?
            } else if method == Method::Manual {
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
            let so_far = report(source, &device, &runs, cancel)?;
            if let Some(run) = runs.last() {
                on_run(run, &so_far).map_err(TrainError::Job)?;
            }
            if stopped {
                break 'seeds;
            }
        }
    }
    let report = report(source, &device, &runs, cancel)?;
    Ok(ExperimentResult { runs, report })
}

/// The report of `runs`, on `device`, marked interrupted once `cancel` is set.
fn report(
    source: &DataSource,
    device: &candle_core::Device,
    runs: &[RunResult],
    cancel: &AtomicBool,
) -> Result<Report, TrainError> {
    let mut report = summarise(source.describe(), runs)?;
    report.device = crate::model::device::device_name(device).into();
    report.interrupted |= cancel.load(Ordering::Relaxed);
    Ok(report)
}

/// Groups the runs as Compare does (cancelled and diverged runs listed, not averaged) and
/// summarises each group.
fn summarise(dataset: String, runs: &[RunResult]) -> Result<Report, TrainError> {
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
        let vanilla = first.model.vanilla_params()?;
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
            selection: r
                .outcome
                .chosen
                .as_ref()
                .map(super::select::Chosen::describe),
            summarised: averaged(r),
            test: Some(r.test.clone()),
        })
        .collect();
    report.not_averaged = grouping.not_averaged;
    report.notes = grouping.notes;
    report.interrupted = runs.iter().any(|r| r.outcome.stop == StopReason::Cancelled);
    crate::summary::add_paired_lifts(&mut report);
    Ok(report)
}

fn run_name(r: &RunResult) -> String {
    format!("{}-seed{}", r.method.name(), r.seed)
}
