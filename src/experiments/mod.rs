//! The paper's experiments: each trains methods over seeds and writes `report.json`, a
//! Markdown table and, where the paper has a figure, a PNG plot.

pub mod ablation;
pub mod hidden_dim;
pub mod markdown;
pub mod noise;
pub mod plot;
pub mod scaling;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::model::Method;
use crate::slices::SliceSet;
use crate::summary::Report;
use crate::train::{DataSource, ExperimentSpec, run_experiment};
use crate::train::{TrainConfig, TrainError, TrainEvent};

/// Settings every experiment takes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Output folder.
    pub out: PathBuf,
    /// Number of seeds (0, 1, ...).
    pub seeds: u64,
    /// Training settings (epochs etc.); the seed is set per run.
    pub train: TrainConfig,
    /// The metric of the test reports' worst and mean slice (default: per task).
    pub metric: Option<crate::metrics::Metric>,
}

/// What an experiment produced.
pub struct Outcome {
    /// The summary (written as `report.json`).
    pub report: Report,
    /// The Markdown table (written as `report.md`).
    pub markdown: String,
    /// PNG files written into the output folder.
    pub plots: Vec<PathBuf>,
}

/// Progress sink and cancel flag shared by the runs of an experiment.
pub struct Progress<'a> {
    /// Receives every training event.
    pub emit: &'a mut dyn FnMut(TrainEvent),
    /// Stops the current run at the next batch.
    pub cancel: &'a AtomicBool,
}

impl Options {
    /// An experiment spec for `methods` with these seeds and settings.
    pub fn spec(&self, methods: Vec<Method>) -> ExperimentSpec {
        ExperimentSpec {
            methods,
            seeds: (0..self.seeds).collect(),
            train: self.train.clone(),
            rep_dim: None,
            features: None,
            metric: self.metric,
        }
    }
}

/// Trains `methods` on `source` and summarises them as a method table (`compare`, `figure1`).
pub fn compare(
    source: &DataSource,
    slices: &SliceSet,
    methods: Vec<Method>,
    opts: &Options,
    p: &mut Progress,
) -> Result<Outcome, TrainError> {
    let result = run_experiment(source, slices, &opts.spec(methods), p.emit, p.cancel)?;
    let mut markdown = markdown::methods_table(&result.report);
    markdown.push_str(&markdown::paired_table(&result.report));
    Ok(Outcome {
        report: result.report,
        markdown,
        plots: vec![],
    })
}

/// Creates the output folder `dir` (and its parents), naming it in the error.
pub fn create_dir(dir: &Path) -> Result<(), TrainError> {
    std::fs::create_dir_all(dir).map_err(|e| TrainError::Model {
        path: dir.into(),
        message: e.to_string(),
    })
}

/// Fails when `dir` holds a `report.json` or `report.md` that slicelab did not write (a
/// `report.md` counts as slicelab's when the `report.json` beside it is).
pub fn check_outputs(dir: &Path) -> Result<(), TrainError> {
    use crate::safe_write::{check_replaceable, is_report_json};
    let err = |e: crate::safe_write::DirError| TrainError::Model {
        path: dir.into(),
        message: e.to_string(),
    };
    let json = dir.join("report.json");
    check_replaceable(&json, "a report.json written by slicelab", is_report_json).map_err(err)?;
    if !is_report_json(&json) {
        let md = dir.join("report.md");
        check_replaceable(&md, "a report.md written by slicelab", |_| false).map_err(err)?;
    }
    Ok(())
}

/// Writes `report.json` and `report.md` into `dir` (atomically each).
pub fn write_outputs(dir: &Path, outcome: &Outcome) -> Result<(), TrainError> {
    let err = |e: String| TrainError::Model {
        path: dir.into(),
        message: e,
    };
    create_dir(dir)?;
    check_outputs(dir)?;
    let json = serde_json::to_vec_pretty(&outcome.report).map_err(|e| err(e.to_string()))?;
    crate::safe_write::write_atomic(&dir.join("report.json"), &json)
        .map_err(|e| err(e.to_string()))?;
    crate::safe_write::write_atomic(&dir.join("report.md"), outcome.markdown.as_bytes())
        .map_err(|e| err(e.to_string()))
}
