//! The training loop: shuffled mini-batches, per-epoch validation, model selection, NaN guard.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use candle_core::Tensor;
use candle_nn::VarMap;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::config::TrainConfig;
use super::error::TrainError;
use super::events::{EpochStats, LossBreakdown, StopReason, TrainEvent};
use super::objective::Objective;
use super::optimizers::Optimizers;
use super::predict::predict_prepared;
use super::prepared::Prepared;
use super::select::{Chosen, Selector};
use crate::metrics::{Confusion, Metric, Scores};
use crate::model::{Batch, Model};
use crate::text::tower::Tower;

/// A network to train: the model, its variables, and the tuned encoder layers when the run
/// tunes them (their variables are in the same map, named `encoder.layer.*`).
#[derive(Clone, Copy)]
pub struct Net<'a> {
    /// The model.
    pub model: &'a Model,
    /// Every trained variable.
    pub varmap: &'a VarMap,
    /// The tuned encoder layers, if any.
    pub tower: Option<&'a Tower>,
}

/// How a run ended and what it recorded.
#[derive(Debug, Clone)]
pub struct FitOutcome {
    /// Why it stopped.
    pub stop: StopReason,
    /// Epoch whose weights are in the model (0 = initial weights).
    pub best_epoch: usize,
    /// One entry per finished epoch.
    pub history: Vec<EpochStats>,
    /// Mean training seconds per epoch.
    pub epoch_secs: f64,
    /// Why the kept epoch was kept (`None` when no epoch finished or selection was off).
    pub chosen: Option<Chosen>,
    /// Group DRO only: the group weights at the end (base slice first, then each SF).
    pub group_weights: Option<Vec<f64>>,
}

type Snapshot = HashMap<String, Tensor>;

fn snapshot(varmap: &VarMap) -> Result<Snapshot, TrainError> {
    let data = varmap
        .data()
        .lock()
        .map_err(|_| TrainError::Config("variable map lock poisoned".into()))?;
    data.iter()
        .map(|(k, v)| Ok((k.clone(), v.as_tensor().copy()?)))
        .collect()
}

fn restore(varmap: &VarMap, snap: &Snapshot) -> Result<(), TrainError> {
    let data = varmap
        .data()
        .lock()
        .map_err(|_| TrainError::Config("variable map lock poisoned".into()))?;
    for (k, v) in data.iter() {
        if let Some(t) = snap.get(k) {
            v.set(t)?;
        }
    }
    Ok(())
}

/// Trains `model` (whose variables are `varmap`) on `data` with its own loss; `emit` receives
/// progress.
pub fn fit(
    run: &str,
    net: Net<'_>,
    data: &Prepared,
    cfg: &TrainConfig,
    emit: &mut dyn FnMut(TrainEvent),
    cancel: &AtomicBool,
) -> Result<FitOutcome, TrainError> {
    let mut plain = Objective::Plain;
    fit_with(run, net, data, cfg, &mut plain, emit, cancel)
}

/// [`fit`] minimising `objective` (per-row weights, Group DRO) instead of the model's own loss.
pub fn fit_with(
    run: &str,
    net: Net<'_>,
    data: &Prepared,
    cfg: &TrainConfig,
    objective: &mut Objective,
    emit: &mut dyn FnMut(TrainEvent),
    cancel: &AtomicBool,
) -> Result<FitOutcome, TrainError> {
    let varmap = net.varmap;
    let mut opt = Optimizers::new(varmap, cfg)?;
    let mut rng = StdRng::seed_from_u64(cfg.seed.wrapping_add(0xBA7C4));
    let mut order = data.train.clone();
    let class_weights = class_weight_tensor(cfg, data)?;
    let select_metric = cfg
        .select_metric
        .unwrap_or_else(|| Metric::default_for(data.n_classes));
    let mut selector = Selector::new(cfg.select, cfg.select_tolerance, select_metric);
    let mut last_good = snapshot(varmap)?;
    let (mut history, mut train_secs) = (Vec::new(), 0.0);
    let started = Instant::now();
    let mut stop = StopReason::Completed;
    let mut initial = None;
    'epochs: for epoch in 1..=cfg.epochs {
        order.shuffle(&mut rng);
        let t0 = Instant::now();
        let mut sums = LossBreakdown::default();
        let batches = batches(&order, cfg.batch_size, data, &mut rng);
        let n_batches = batches.len();
        for (b, chunk) in batches.iter().map(Vec::as_slice).enumerate() {
            opt.schedule(cfg, (epoch - 1) * n_batches + b, cfg.epochs * n_batches);
            if cancel.load(Ordering::Relaxed) {
                stop = StopReason::Cancelled;
                break 'epochs;
            }
            let terms = step(
                net,
                objective,
                &mut opt,
                data,
                chunk,
                class_weights.as_ref(),
            )?;
            initial.get_or_insert(terms.total);
            if !terms.total.is_finite() {
                restore(varmap, &last_good)?;
                stop = StopReason::NonFinite {
                    epoch,
                    batch: b + 1,
                };
                break 'epochs;
            }
            add(&mut sums, &terms, 1.0 / n_batches as f64);
        }
        if let Some(initial) = initial.filter(|&i| runaway(sums.total, i)) {
            stop = StopReason::Diverged {
                epoch,
                loss: sums.total,
                initial,
            };
        }
        let epoch_secs = t0.elapsed().as_secs_f64();
        train_secs += epoch_secs;
        last_good = snapshot(varmap)?;
        let (stats, slice_scores) = validate(
            run,
            (epoch, cfg.epochs),
            net,
            data,
            sums,
            (epoch_secs, started.elapsed().as_secs_f64()),
            select_metric,
        )?;
        selector.offer(epoch, stats.valid_f1, &slice_scores, || last_good.clone());
        emit(TrainEvent::Epoch(stats.clone()));
        history.push(stats);
        if stop.diverged() {
            break;
        }
        if let Some(patience) = cfg.patience
            && epoch - selector.epoch().unwrap_or(0) >= patience
        {
            stop = StopReason::EarlyStopped;
            break;
        }
    }
    let (best_epoch, chosen) = keep_selected(selector, varmap, cfg, history.len())?;
    let epoch_secs = if history.is_empty() {
        0.0
    } else {
        train_secs / history.len() as f64
    };
    Ok(FitOutcome {
        stop,
        best_epoch,
        history,
        epoch_secs,
        chosen,
        group_weights: match objective {
            Objective::GroupDro(g) => Some(g.q.clone()),
            _ => None,
        },
    })
}

/// Batches of more texts than this many batches are sorted by length when encoder layers are
/// tuned.
const BUCKET_BATCHES: usize = 50;

/// The epoch's batches: `order` in chunks; when encoder layers are tuned, each run of
/// [`BUCKET_BATCHES`] batches is first sorted by token count and the batches are then
/// shuffled, so a batch pads its texts to a similar length (random batches of Rotten Tomatoes
/// reviews pad to about twice their mean length). The tuned layers run on packed tokens
/// ([`crate::text::packed`]), so padding now costs only in attention; the bucketing stays so runs
/// keep the batch order of the published results.
fn batches(order: &[usize], size: usize, data: &Prepared, rng: &mut StdRng) -> Vec<Vec<usize>> {
    let Some(text) = &data.text else {
        return order.chunks(size).map(<[usize]>::to_vec).collect();
    };
    let mut out: Vec<Vec<usize>> = Vec::with_capacity(order.len().div_ceil(size));
    for pool in order.chunks(size * BUCKET_BATCHES) {
        let mut pool = pool.to_vec();
        pool.sort_by_key(|&i| text.states.tokens(i));
        out.extend(pool.chunks(size).map(<[usize]>::to_vec));
    }
    out.shuffle(rng);
    out
}

/// The per-class weights of the loss as a `[C]` tensor, when the settings ask for them.
fn class_weight_tensor(cfg: &TrainConfig, data: &Prepared) -> Result<Option<Tensor>, TrainError> {
    Ok(cfg
        .class_weights
        .weights(&data.y_host, &data.train, data.n_classes)
        .map(|w| Tensor::from_vec(w, data.n_classes, &data.device))
        .transpose()?)
}

/// Restores the selected epoch's weights (with selection on) and says which epoch the model
/// holds and why; `epochs_run` is the last epoch, kept when selection is off.
fn keep_selected(
    selector: Selector<Snapshot>,
    varmap: &VarMap,
    cfg: &TrainConfig,
    epochs_run: usize,
) -> Result<(usize, Option<Chosen>), TrainError> {
    Ok(match selector.finish() {
        _ if !cfg.select_best => (epochs_run, None),
        Some((best, chosen)) => {
            restore(varmap, &best)?;
            (chosen.epoch, Some(chosen))
        }
        None => (0, None),
    })
}

/// A run whose mean loss exceeds this multiple of its first batch's loss has diverged: a
/// working run's loss falls from where it starts, and even a bad one stays within a few times it.
const DIVERGENCE_FACTOR: f64 = 10.0;

/// Whether an epoch's mean loss shows divergence from the first batch's.
fn runaway(epoch_loss: f64, initial: f64) -> bool {
    initial.is_finite() && epoch_loss > DIVERGENCE_FACTOR * initial && epoch_loss > initial + 1.0
}

fn step(
    net: Net<'_>,
    objective: &mut Objective,
    opt: &mut Optimizers,
    data: &Prepared,
    chunk: &[usize],
    class_weights: Option<&Tensor>,
) -> Result<LossBreakdown, TrainError> {
    let idx: Vec<u32> = chunk.iter().map(|&i| i as u32).collect();
    let idx = Tensor::from_vec(idx, chunk.len(), &data.device)?;
    let batch = Batch {
        x: data.inputs(net.tower, chunk)?,
        y: data.y.index_select(&idx, 0)?,
        slices: data.slices.index_select(&idx, 0)?,
        class_weights: class_weights.cloned(),
    };
    let terms = objective.loss(net.model, &batch, &idx)?;
    let scalar = |t: &Tensor| -> Result<f64, TrainError> { Ok(f64::from(t.to_scalar::<f32>()?)) };
    let out = LossBreakdown {
        total: scalar(&terms.total)?,
        base: scalar(&terms.base)?,
        indicator: scalar(&terms.indicator)?,
        slice_pred: scalar(&terms.slice_pred)?,
    };
    if out.total.is_finite() {
        opt.step(terms.total.backward()?)?;
    }
    Ok(out)
}

fn add(sums: &mut LossBreakdown, t: &LossBreakdown, w: f64) {
    sums.total += t.total * w;
    sums.base += t.base * w;
    sums.indicator += t.indicator * w;
    sums.slice_pred += t.slice_pred * w;
}

/// One epoch's validation statistics, and each SF slice's score by `metric` for selection.
fn validate(
    run: &str,
    (epoch, epochs): (usize, usize),
    net: Net<'_>,
    data: &Prepared,
    loss: LossBreakdown,
    (epoch_secs, elapsed_secs): (f64, f64),
    metric: Metric,
) -> Result<(EpochStats, Vec<f64>), TrainError> {
    // Without validation rows, score the training rows so selection still has a signal.
    let rows = if data.valid.is_empty() {
        &data.train
    } else {
        &data.valid
    };
    let pred = predict_prepared(net.model, net.tower, data, rows)?.classes;
    let score = |subset: &mut dyn Iterator<Item = usize>| {
        let mut c = Confusion::new(data.n_classes);
        for k in subset {
            c.add(data.y_host[rows[k]], pred[k]);
        }
        Scores::from_confusion(&c)
    };
    let overall = score(&mut (0..rows.len()));
    let slices: Vec<(&str, Scores)> = data
        .report_slices()
        .iter()
        .map(|s| {
            let scores = score(&mut (0..rows.len()).filter(|&k| s.mask.get(rows[k])));
            (s.name, scores)
        })
        .collect();
    let slice_f1 = slices
        .iter()
        .map(|(n, s)| (n.to_string(), s.f1.unwrap_or(f64::NAN)))
        .collect();
    // The SF slices' scores by the selection metric, as "goodness" (higher is better).
    let select = slices
        .iter()
        .take(data.sf_names.len())
        .map(|(_, s)| match metric.of(s) {
            Some(v) if metric.higher_is_better() => v,
            Some(v) => -v,
            None => f64::NAN,
        })
        .collect();
    let stats = EpochStats {
        run: run.into(),
        epoch,
        epochs,
        loss,
        // Undefined overall F1 (no positive label or prediction) selects like the worst F1.
        valid_f1: overall.f1.unwrap_or(0.0),
        valid_accuracy: overall.accuracy.unwrap_or(0.0),
        slice_f1,
        epoch_secs,
        elapsed_secs,
    };
    Ok((stats, select))
}
