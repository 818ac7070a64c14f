//! `hidden-dim` (the paper's Figure 4): slice F1 as the hidden size varies.

use super::plot::{Series, line_plot};
use super::{Options, Outcome, Progress, create_dir};
use crate::data::demo::Figure1;
use crate::metrics::report::SliceKind;
use crate::model::Method;
use crate::summary::{HiddenDimRow, MeanStd, Report};
use crate::train::TrainError;
use crate::train::{DataSource, RunResult, run_experiment};

/// Hidden sizes tried.
pub const HIDDEN: [usize; 6] = [5, 7, 9, 11, 13, 15];

/// Mean test F1 over the ground-truth slices of one run where it is defined; `None` when it is
/// defined on none.
pub fn truth_slice_f1(run: &RunResult) -> Option<f64> {
    let f: Vec<f64> = run
        .test
        .rows
        .iter()
        .filter(|r| r.kind == SliceKind::Truth)
        .filter_map(|r| r.scores.f1)
        .collect();
    (!f.is_empty()).then(|| f.iter().sum::<f64>() / f.len() as f64)
}

/// Trains Vanilla, HPS, MoE and SBL on figure1 data at each hidden size and plots slice F1.
pub fn hidden_dim(
    sizes: &[usize],
    opts: &Options,
    p: &mut Progress,
) -> Result<Outcome, TrainError> {
    let methods = [Method::Vanilla, Method::Hps, Method::Moe, Method::Sbl];
    let source = DataSource::Demo(Figure1::default());
    let slices = source.default_slices();
    let mut rows = Vec::new();
    for &h in sizes {
        let mut o = opts.clone();
        o.train.hidden = vec![h, h];
        let result = run_experiment(
            &source,
            &slices,
            &o.spec(methods.to_vec()),
            p.emit,
            p.cancel,
        )?;
        for m in methods {
            let runs: Vec<&RunResult> = result.runs.iter().filter(|r| r.method == m).collect();
            let slice: Vec<f64> = runs.iter().filter_map(|r| truth_slice_f1(r)).collect();
            let overall: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.test.overall().and_then(|o| o.scores.f1))
                .collect();
            rows.push(HiddenDimRow {
                method: m.name().into(),
                hidden: h,
                slice_f1: MeanStd::of(&slice),
                overall_f1: MeanStd::of(&overall),
            });
        }
    }
    let png = opts.out.join("hidden_dim.png");
    let series: Vec<Series> = methods
        .iter()
        .map(|m| Series {
            label: m.name().into(),
            points: rows
                .iter()
                .filter(|r| r.method == m.name())
                .map(|r| (r.hidden as f64, r.slice_f1.mean))
                .collect(),
        })
        .collect();
    create_dir(&opts.out)?;
    line_plot(
        &png,
        "Mean F1 on the critical slices vs hidden size",
        "hidden size",
        "slice F1 (test)",
        &series,
    )
    .map_err(|e| TrainError::Model {
        path: png.clone(),
        message: e.to_string(),
    })?;
    let mut report = Report::new("demo:figure1 (n=10000, k=2)".into(), vec![]);
    report.hidden_dim = rows;
    let markdown = table(&report.hidden_dim);
    Ok(Outcome {
        report,
        markdown,
        plots: vec![png],
    })
}

fn table(rows: &[HiddenDimRow]) -> String {
    let mut out =
        String::from("| method | hidden | slice F1 | overall F1 |\n|---|---:|---:|---:|\n");
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.method, r.hidden, r.slice_f1, r.overall_f1
        ));
    }
    out
}
