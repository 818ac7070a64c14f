//! Trained models the app holds, and the state of a training job as the Train view shows it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use candle_core::Device;

use crate::metrics::SplitReport;
use crate::report::{MethodReport, Report};
use crate::train::events::{EpochStats, TrainEvent};
use crate::train::experiment::vanilla_params;
use crate::train::job::TrainingJob;
use crate::train::saved::TrainedModel;

/// One model in the Models list.
pub struct ModelEntry {
    /// Stable identity for the app's lifetime (list positions shift when models are forgotten,
    /// so dialogs and background saves refer to a model by this).
    pub id: u64,
    /// Unique display name (`sbl-seed0 #2`).
    pub name: String,
    /// The model.
    pub model: Arc<TrainedModel>,
    /// Where it is saved, once it is.
    pub path: Option<PathBuf>,
    /// The quick model trained when the demo opens (left out of comparisons).
    pub quick: bool,
}

impl ModelEntry {
    /// The method's report name (`sbl`, `vanilla`, ...).
    pub fn method(&self) -> &'static str {
        self.model.card.model.method.name()
    }
}

/// Epoch curves of the latest training job, per run (`sbl-seed0`).
#[derive(Default)]
pub struct Curves {
    /// Epoch statistics per run, in arrival order.
    pub runs: BTreeMap<String, Vec<EpochStats>>,
}

impl Curves {
    /// Records an epoch.
    pub fn push(&mut self, e: &EpochStats) {
        self.runs.entry(e.run.clone()).or_default().push(e.clone());
    }
}

/// A training job in flight.
pub struct TrainingRun {
    /// The background job.
    pub job: TrainingJob,
    /// Run being trained: (0-based index, total runs).
    pub run: (usize, usize),
    /// Its name.
    pub run_name: String,
    /// Last finished epoch of the current run, and the planned epochs.
    pub epoch: (usize, usize),
    /// When the job started.
    pub started: Instant,
    /// Whether Stop was pressed.
    pub stopping: bool,
}

impl TrainingRun {
    /// Wraps a started job.
    pub fn new(job: TrainingJob, epochs: usize) -> Self {
        Self {
            job,
            run: (0, 1),
            run_name: String::new(),
            epoch: (0, epochs),
            started: Instant::now(),
            stopping: false,
        }
    }

    /// Follows an event.
    pub fn follow(&mut self, e: &TrainEvent) {
        match e {
            TrainEvent::RunStarted {
                run, index, total, ..
            } => {
                self.run = (*index, *total);
                self.run_name = run.clone();
                self.epoch.0 = 0;
            }
            TrainEvent::Epoch(s) => self.epoch = (s.epoch, s.epochs),
            TrainEvent::RunFinished { .. } => {}
        }
    }

    /// Fraction of the whole job done.
    pub fn fraction(&self) -> f32 {
        let (i, n) = self.run;
        let (e, es) = self.epoch;
        ((i as f32 + e as f32 / es.max(1) as f32) / n.max(1) as f32).clamp(0.0, 1.0)
    }

    /// Estimated seconds left, from the pace so far.
    pub fn secs_left(&self) -> Option<f64> {
        let f = f64::from(self.fraction());
        (f > 0.01).then(|| self.started.elapsed().as_secs_f64() * (1.0 - f) / f)
    }
}

/// A comparison of every trained model but the quick one, grouped by method (mean ± std over
/// seeds, test split).
pub fn compare(models: &[ModelEntry]) -> Report {
    let kept: Vec<&ModelEntry> = models.iter().filter(|m| !m.quick).collect();
    compare_entries(&kept)
}

fn compare_entries(models: &[&ModelEntry]) -> Report {
    let mut order: Vec<&'static str> = Vec::new();
    for m in models {
        if !order.contains(&m.method()) {
            order.push(m.method());
        }
    }
    let vanilla = models
        .iter()
        .find(|m| m.method() == "vanilla")
        .map(|m| m.model.params());
    let mut methods = Vec::new();
    for method in order {
        let mine: Vec<&ModelEntry> = models
            .iter()
            .copied()
            .filter(|m| m.method() == method && m.model.card.test_metrics.is_some())
            .collect();
        let Some(first) = mine.first() else { continue };
        let tests: Vec<&SplitReport> = mine
            .iter()
            .filter_map(|m| m.model.card.test_metrics.as_ref())
            .collect();
        let base = vanilla.unwrap_or_else(|| {
            vanilla_params(&first.model.card.model, &Device::Cpu).unwrap_or(first.model.params())
        });
        let epoch_secs =
            mine.iter().map(|m| m.model.card.epoch_secs).sum::<f64>() / mine.len() as f64;
        methods.push(MethodReport::summarise(
            method,
            mine.iter().map(|m| m.model.card.train.seed).collect(),
            first.model.params(),
            base,
            epoch_secs,
            &tests,
        ));
    }
    let dataset = models
        .first()
        .map(|m| m.model.card.dataset.clone())
        .unwrap_or_default();
    Report::new(dataset, methods)
}
