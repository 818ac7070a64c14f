//! `scaling`: time per epoch and parameter count as the number of slices grows.

use super::{Options, Outcome, Progress};
use crate::data::demo::Figure1;
use crate::model::Method;
use crate::summary::{Report, ScalingRow};
use crate::train::fit::FitOutcome;
use crate::train::{DataSource, run_experiment};
use crate::train::{TrainConfig, TrainError};

/// The slice counts measured.
pub const KS: [usize; 5] = [2, 10, 50, 100, 200];

/// Trains SBL, HPS and MoE on figure1 data with `k` slices and records the median s/epoch over
/// every timed epoch of every seed.
///
/// Each seed is one round over all `ks`, so a machine that slows down for a minute slows every
/// k alike instead of whichever k ran then; the median keeps warm-up and noisy epochs out.
pub fn scaling(ks: &[usize], opts: &Options, p: &mut Progress) -> Result<Outcome, TrainError> {
    let methods = [Method::Sbl, Method::Hps, Method::Moe];
    warm_up(opts, p)?;
    let mut cells: Vec<Cell> = Vec::new();
    for seed in 0..opts.seeds.max(1) {
        for &k in ks {
            let source = DataSource::Demo(Figure1 {
                k,
                ..Figure1::default()
            });
            let mut spec = opts.spec(methods.to_vec());
            spec.seeds = vec![seed];
            let result =
                run_experiment(&source, &source.default_slices(), &spec, p.emit, p.cancel)?;
            for run in &result.runs {
                let secs = epoch_secs(&run.outcome);
                match cells
                    .iter_mut()
                    .find(|c| c.k == k && c.method == run.method)
                {
                    Some(cell) => cell.secs.extend(secs),
                    None => cells.push(Cell {
                        k,
                        method: run.method,
                        secs,
                        params: run.model.params(),
                    }),
                }
            }
        }
    }
    let rows = cells
        .into_iter()
        .map(|c| ScalingRow {
            method: c.method.name().into(),
            k: c.k,
            epoch_secs: median(c.secs),
            params: c.params,
        })
        .collect();
    let mut report = Report::new("demo:figure1 (n=10000) with k slices".into(), vec![]);
    report.scaling = rows;
    let markdown = table(&report.scaling);
    Ok(Outcome {
        report,
        markdown,
        plots: vec![],
    })
}

/// What is measured of one method at one k, over every round.
struct Cell {
    k: usize,
    method: Method,
    /// Every timed epoch's seconds.
    secs: Vec<f64>,
    params: usize,
}

/// One untimed epoch of every method, so the first measured run does not also pay for the
/// process's first allocations and cold caches (it made k = 2 look slower than k = 10).
fn warm_up(opts: &Options, p: &mut Progress) -> Result<(), TrainError> {
    let source = DataSource::Demo(Figure1::default());
    let spec = Options {
        seeds: 1,
        train: TrainConfig {
            epochs: 1,
            ..opts.train.clone()
        },
        ..opts.clone()
    }
    .spec(vec![Method::Sbl, Method::Hps, Method::Moe]);
    run_experiment(
        &source,
        &source.default_slices(),
        &spec,
        &mut |_| {},
        p.cancel,
    )?;
    Ok(())
}

/// Seconds of each epoch of a run (the run's mean when it kept no history).
fn epoch_secs(outcome: &FitOutcome) -> Vec<f64> {
    if outcome.history.is_empty() {
        return vec![outcome.epoch_secs];
    }
    outcome.history.iter().map(|e| e.epoch_secs).collect()
}

fn median(mut secs: Vec<f64>) -> f64 {
    secs.sort_by(f64::total_cmp);
    secs.get(secs.len() / 2).copied().unwrap_or(0.0)
}

fn table(rows: &[ScalingRow]) -> String {
    let mut out = String::from(
        "| method | k | s/epoch (median) | × s/epoch at k=2 | params | × params at k=2 |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let base = rows.iter().find(|b| b.method == r.method && b.k == 2);
        let (t, p) = base.map_or((f64::NAN, f64::NAN), |b| {
            (
                r.epoch_secs / b.epoch_secs,
                r.params as f64 / b.params as f64,
            )
        });
        out.push_str(&format!(
            "| {} | {} | {:.3} | {:.2} | {} | {:.1} |\n",
            r.method, r.k, r.epoch_secs, t, r.params, p
        ));
    }
    out
}
