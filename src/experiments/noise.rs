//! `noise` (the paper's Figure 5): how SBL's indicators cope with noisy slicing functions.
//!
//! For SF noise 0%, 40% and 80% (swap mode: coverage kept), reports per slice the mean indicator
//! probability on rows truly in the slice and on the rows the noisy SF wrongly includes, the
//! slice F1, and a PNG heatmap of each indicator over the input square.

use candle_core::Device;

use super::plot::heatmap;
use super::{Options, Outcome, Progress, create_dir};
use crate::data::demo::Figure1;
use crate::data::{Column, ColumnData, ColumnKind, Table};
use crate::model::Method;
use crate::summary::{NoiseRow, Report};
use crate::train::TrainError;
use crate::train::prepared::Prepared;
use crate::train::{DataSource, RunResult, run_experiment};

/// Noise rates tried.
pub const NOISES: [f64; 3] = [0.0, 0.4, 0.8];
/// Heatmap resolution (cells per side).
pub const CELLS: usize = 60;

/// Runs SBL at each noise rate and summarises what the indicators learned.
pub fn noise(noises: &[f64], opts: &Options, p: &mut Progress) -> Result<Outcome, TrainError> {
    let mut rows = Vec::new();
    let mut plots = Vec::new();
    create_dir(&opts.out)?;
    for &rate in noises {
        let source = DataSource::Demo(Figure1 {
            noise: rate,
            ..Figure1::default()
        });
        let slices = source.default_slices();
        let result = run_experiment(
            &source,
            &slices,
            &opts.spec(vec![Method::Sbl]),
            p.emit,
            p.cancel,
        )?;
        let per_run: Vec<Vec<(f64, f64, f64)>> = result
            .runs
            .iter()
            .map(|run| indicator_stats(&source, run))
            .collect::<Result<_, _>>()?;
        for j in 0..2 {
            let mean = |f: fn(&(f64, f64, f64)) -> f64| {
                per_run.iter().map(|r| f(&r[j])).sum::<f64>() / per_run.len().max(1) as f64
            };
            rows.push(NoiseRow {
                noise: rate,
                slice: format!("slice_{}", j + 1),
                ind_prob_members: mean(|s| s.0),
                ind_prob_flipped: mean(|s| s.1),
                f1: mean(|s| s.2),
            });
        }
        if let Some(run) = result.runs.first() {
            plots.extend(indicator_heatmaps(run, rate, &opts.out)?);
        }
    }
    let mut report = Report::new(
        "demo:figure1 (n=10000, k=2) with SF swap noise".into(),
        vec![],
    );
    report.noise = rows;
    let markdown = table(&report.noise);
    Ok(Outcome {
        report,
        markdown,
        plots,
    })
}

/// For each of the first two slices: (mean indicator prob on true members, on wrongly included
/// rows, test F1 on the true slice), over the test split.
fn indicator_stats(
    source: &DataSource,
    run: &RunResult,
) -> Result<Vec<(f64, f64, f64)>, TrainError> {
    let ds = source.dataset(run.seed);
    let data = Prepared::new(&ds, &run.model.card.slices, None, run.seed, &Device::Cpu)?;
    let pred = run.model.predict_rows(&data, &data.test)?;
    let slots = data.sf_names.len() + 1;
    let mean = |v: &[f64]| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let stats = (0..2)
        .map(|j| {
            let truth = &data.truth[j].1;
            let sf = &data.sf_masks[j];
            let prob = |k: usize| f64::from(pred.indicator[k * slots + j + 1]);
            let members: Vec<f64> = data
                .test
                .iter()
                .enumerate()
                .filter(|(_, i)| truth.get(**i))
                .map(|(k, _)| prob(k))
                .collect();
            let flipped: Vec<f64> = data
                .test
                .iter()
                .enumerate()
                .filter(|(_, i)| sf.get(**i) && !truth.get(**i))
                .map(|(k, _)| prob(k))
                .collect();
            let f1 = run
                .test
                .rows
                .iter()
                .find(|r| r.name == format!("slice_{}", j + 1))
                .and_then(|r| r.scores.f1)
                .unwrap_or(f64::NAN);
            (mean(&members), mean(&flipped), f1)
        })
        .collect();
    Ok(stats)
}

/// Writes one heatmap per slice of the indicator probability over a grid of the input square.
fn indicator_heatmaps(
    run: &RunResult,
    rate: f64,
    out: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, TrainError> {
    let step = 2.0 / CELLS as f64;
    let centre = |i: usize| -1.0 + (i as f64 + 0.5) * step;
    let x1: Vec<f64> = (0..CELLS * CELLS).map(|i| centre(i % CELLS)).collect();
    let x2: Vec<f64> = (0..CELLS * CELLS).map(|i| centre(i / CELLS)).collect();
    let num = |name: &str, v: Vec<f64>| Column {
        name: name.into(),
        kind: ColumnKind::Numeric,
        data: ColumnData::Numeric(v),
    };
    let grid = Table {
        source: "grid".into(),
        columns: vec![num("x1", x1), num("x2", x2)],
        ..Default::default()
    };
    let pred = run.model.predict_table(&grid)?;
    let slots = run.model.card.model.n_slices + 1;
    let mut files = Vec::new();
    for j in 0..slots - 1 {
        let values: Vec<f64> = (0..CELLS * CELLS)
            .map(|i| f64::from(pred.indicator[i * slots + j + 1]))
            .collect();
        let path = out.join(format!(
            "indicator_noise{:02}_sf_{}.png",
            (rate * 100.0).round() as u32,
            j + 1
        ));
        let title = format!(
            "P(in sf_{}) at {:.0}% SF noise (white 0, blue 1)",
            j + 1,
            rate * 100.0
        );
        heatmap(&path, &title, &values, CELLS).map_err(|e| TrainError::Model {
            path: path.clone(),
            message: e.to_string(),
        })?;
        files.push(path);
    }
    Ok(files)
}

fn table(rows: &[NoiseRow]) -> String {
    let mut out = String::from(
        "| SF noise | slice | indicator prob. on true members | indicator prob. on wrongly included rows | slice F1 |\n|---:|---|---:|---:|---:|\n",
    );
    // No row is wrongly included at 0% noise: show a dash rather than NaN.
    let num = |x: f64| {
        if x.is_nan() {
            "–".to_string()
        } else {
            format!("{x:.3}")
        }
    };
    for r in rows {
        out.push_str(&format!(
            "| {:.0}% | {} | {} | {} | {} |\n",
            r.noise * 100.0,
            r.slice,
            num(r.ind_prob_members),
            num(r.ind_prob_flipped),
            num(r.f1)
        ));
    }
    out
}
