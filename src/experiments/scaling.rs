//! `scaling`: time per epoch and parameter count as the number of slices grows.

use super::{Options, Outcome, Progress};
use crate::data::demo::Figure1;
use crate::model::Method;
use crate::report::{Report, ScalingRow};
use crate::train::experiment::{DataSource, run_experiment};
use crate::train::fit::FitOutcome;
use crate::train::{TrainConfig, TrainError};

/// The slice counts measured.
pub const KS: [usize; 5] = [2, 10, 50, 100, 200];

/// Trains SBL, HPS and MoE on figure1 data with `k` slices (one seed) and records the median
/// s/epoch (the median keeps the first run's warm-up and a noisy epoch out of the comparison).
pub fn scaling(ks: &[usize], opts: &Options, p: &mut Progress) -> Result<Outcome, TrainError> {
    let methods = [Method::Sbl, Method::Hps, Method::Moe];
    warm_up(opts, p)?;
    let mut rows = Vec::new();
    for &k in ks {
        let source = DataSource::Demo(Figure1 {
            k,
            ..Figure1::default()
        });
        let slices = source.default_slices();
        let spec = Options {
            seeds: 1,
            ..opts.clone()
        }
        .spec(methods.to_vec());
        let result = run_experiment(&source, &slices, &spec, p.emit, p.cancel)?;
        for run in &result.runs {
            rows.push(ScalingRow {
                method: run.method.name().into(),
                k,
                epoch_secs: median_epoch_secs(&run.outcome),
                params: run.model.params(),
            });
        }
    }
    let mut report = Report::new("demo:figure1 (n=10000) with k slices".into(), vec![]);
    report.scaling = rows;
    let markdown = table(&report.scaling);
    Ok(Outcome {
        report,
        markdown,
        plots: vec![],
    })
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

fn median_epoch_secs(outcome: &FitOutcome) -> f64 {
    let mut secs: Vec<f64> = outcome.history.iter().map(|e| e.epoch_secs).collect();
    if secs.is_empty() {
        return outcome.epoch_secs;
    }
    secs.sort_by(f64::total_cmp);
    secs[secs.len() / 2]
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
