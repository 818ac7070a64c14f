//! Trained models the app holds, and the state of a training job as the Train view shows it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::metrics::SplitReport;
use crate::summary::group::{RunInfo, group_runs};
use crate::summary::{MethodReport, Report};
use crate::train::events::{EpochStats, TrainEvent};
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

    /// Whether this model can predict `ds`: the table has its label and every column its
    /// features read (a model of another dataset is offered apart, under "other datasets").
    pub fn fits(&self, ds: &crate::data::Dataset) -> bool {
        let card = &self.model.card;
        card.label == ds.label
            && card
                .features
                .columns()
                .iter()
                .all(|c| ds.table.column(c).is_some())
    }
}

/// The base name of a trained model: `sbl-seed0`, with the SF noise it was trained under
/// (`sbl-seed0 noise 20%`; `noise sf_1 20% sf_2 10%` when the rates differ).
pub fn model_name(card: &crate::train::saved::ModelCard) -> String {
    let base = format!("{}-seed{}", card.model.method.name(), card.train.seed);
    let noisy: Vec<(&str, f64)> = card
        .slices
        .slices
        .iter()
        .filter_map(|s| s.noise.filter(|r| *r > 0.0).map(|r| (s.name.as_str(), r)))
        .collect();
    let pct = |r: f64| format!("{:.0}%", 100.0 * r);
    match noisy.first() {
        None => base,
        Some((_, r)) if noisy.iter().all(|(_, x)| x == r) => format!("{base} noise {}", pct(*r)),
        Some(_) => {
            let each: Vec<String> = noisy
                .iter()
                .map(|(n, r)| format!("{n} {}", pct(*r)))
                .collect();
            format!("{base} noise {}", each.join(" "))
        }
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
            TrainEvent::Stage { what, done, total } => {
                self.run_name = format!("{what} {done}/{total}");
            }
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

/// A comparison of every trained model but the quick one: runs grouped by method and settings
/// (mean ± std over distinct seeds, test split; see [`crate::summary::group`]).
pub fn compare(models: &[ModelEntry]) -> Report {
    let kept: Vec<&ModelEntry> = models.iter().filter(|m| !m.quick).collect();
    compare_entries(&kept)
}

fn compare_entries(models: &[&ModelEntry]) -> Report {
    let scored: Vec<(&ModelEntry, &SplitReport)> = models
        .iter()
        .filter_map(|m| Some((*m, m.model.card.test_metrics.as_ref()?)))
        .collect();
    let infos: Vec<RunInfo> = scored
        .iter()
        .map(|(m, test)| RunInfo {
            label: m.name.clone(),
            method: m.method().into(),
            seed: m.model.card.train.seed,
            settings: m.model.card.settings(),
            stop: &m.model.card.stop,
            test,
        })
        .collect();
    let grouping = group_runs(&infos);
    let entry = |r: &RunInfo| {
        let i = infos.iter().position(|x| std::ptr::eq(x, r)).unwrap_or(0);
        scored[i].0
    };
    let mut methods = Vec::new();
    for g in &grouping.groups {
        let mine: Vec<&ModelEntry> = g.runs.iter().map(|r| entry(r)).collect();
        let Some(first) = mine.first() else { continue };
        let tests: Vec<&SplitReport> = g.runs.iter().map(|r| r.test).collect();
        let base = first.model.vanilla_params().unwrap_or(first.model.params());
        let epoch_secs =
            mine.iter().map(|m| m.model.card.epoch_secs).sum::<f64>() / mine.len() as f64;
        let mut m = MethodReport::summarise(
            &g.method,
            g.runs.iter().map(|r| r.seed).collect(),
            first.model.params(),
            base,
            epoch_secs,
            &tests,
        );
        m.name = g.name.clone();
        m.settings = g.settings.clone();
        methods.push(m);
    }
    let mut datasets: Vec<&str> = Vec::new();
    for (m, _) in &scored {
        if !datasets.contains(&m.model.card.dataset.as_str()) {
            datasets.push(&m.model.card.dataset);
        }
    }
    let mut report = Report::new(datasets.join(" / "), methods);
    report.metric = scored.first().map(|(_, t)| t.metric).unwrap_or_default();
    report.not_averaged = grouping.not_averaged;
    report.notes = grouping.notes;
    report
}
