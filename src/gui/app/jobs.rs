//! Starting the app's background work (loading, inspecting, slice evaluation, prediction,
//! suggestions) and collecting what it produced. Training lives in `training.rs`, file work in
//! `persist.rs`.

use std::path::PathBuf;

use super::SlicelabApp;
use crate::gui::aggregate::{Counted, Opened};
use crate::gui::analysis::{self, Analysis, Loaded, Predicted};
use crate::gui::command::FilePurpose;
use crate::gui::jobs::{Pending, take, take_all};
use crate::gui::models::ModelEntry;
use crate::gui::state::{Session, SourceSpec};
use crate::gui::views::OpenDialog;
use crate::slices::SliceSet;
use crate::slices::suggest::Suggestion;

/// The log line that says which predictions are being analysed (the name follows).
const ANALYSING: &str = "analysing predictions of ";
const ANALYSED: &str = "analysed predictions of ";

/// Background jobs the app is waiting for.
#[derive(Default)]
pub struct Jobs {
    /// Loading a dataset.
    pub load: Option<Pending<Result<Loaded, String>>>,
    /// Reading a file for the open dialog.
    pub inspect: Option<Pending<Result<OpenDialog, String>>>,
    /// Evaluating and scoring slices.
    pub analysis: Option<Pending<Analysis>>,
    /// Predicting with a model.
    pub predict: Option<Pending<Result<Predicted, String>>>,
    /// A native file dialog: what it picked and how many seconds it was open.
    pub dialog: Option<Pending<(FilePurpose, Option<PathBuf>, f64)>>,
    /// Saving or loading files (models, slice sets, sessions, exports, per-value slicing): each
    /// job keeps its own slot, so starting one never drops another's result.
    pub files: Vec<Pending<FileOutcome>>,
    /// Searching for slice suggestions.
    pub suggest: Option<Pending<Vec<Suggestion>>>,
    /// Opening files for aggregate mode and reading their columns.
    pub aggregate_read: Option<Pending<Result<Opened, String>>>,
    /// Counting the slices over those files.
    pub aggregate_count: Option<Pending<Result<Counted, String>>>,
}

impl Jobs {
    /// What the running jobs are doing, for the status bar; `None` when idle.
    pub fn describe(&self) -> Option<String> {
        let labels = [
            self.load.as_ref().map(Pending::describe),
            self.inspect.as_ref().map(Pending::describe),
            self.analysis.as_ref().map(Pending::describe),
            self.predict.as_ref().map(Pending::describe),
            self.suggest.as_ref().map(Pending::describe),
            self.aggregate_read.as_ref().map(Pending::describe),
            self.counting(),
        ];
        let files = self.files.iter().map(Pending::describe);
        let list: Vec<String> = labels.into_iter().flatten().chain(files).collect();
        (!list.is_empty()).then(|| list.join(", "))
    }

    /// The aggregate count under way, with its progress and seconds so far.
    pub fn counting(&self) -> Option<String> {
        let job = self.aggregate_count.as_ref()?;
        Some(format!("{} {:.1} s", job.describe(), job.elapsed_secs()))
    }
}

/// What a file job produced.
pub enum FileOutcome {
    /// A message for the log.
    Message(String),
    /// Models were saved to these folders (model id, folder).
    Saved(Vec<(u64, PathBuf)>),
    /// Models were loaded.
    Loaded(Vec<ModelEntry>, Vec<String>),
    /// A slice set was read.
    Slices(SliceSet),
    /// A session was read.
    Session(Box<Session>),
    /// Something failed.
    Failed(String),
}

impl SlicelabApp {
    pub(super) fn inspect(
        &mut self,
        path: PathBuf,
        header: crate::data::HeaderMode,
        delimiter: crate::data::dialect::Delimiter,
    ) {
        self.session.remember(&path);
        let p = path.clone();
        self.jobs.inspect = Some(Pending::spawn(
            "inspector",
            format!("reading {}", path.display()),
            self.waker(),
            move || OpenDialog::inspect(&p, header, delimiter),
        ));
    }

    pub(super) fn load(&mut self, source: SourceSpec) {
        if let SourceSpec::File { path, .. } = &source {
            self.session.remember(path);
        }
        let label = format!("loading {}", source.describe());
        let demo = self.demo.clone();
        self.jobs.load = Some(Pending::spawn_with_progress(
            "loader",
            label,
            self.waker(),
            move |progress| analysis::load(&source, &demo, progress),
        ));
    }

    /// Starts evaluating and scoring the slices in the background; older answers are dropped.
    pub(super) fn reanalyse(&mut self) {
        let Some(data) = &self.data else { return };
        self.generation += 1;
        let generation = self.generation;
        let ds = data.ds.clone();
        let set = self.session.slices.clone();
        let enabled: Vec<bool> = set
            .slices
            .iter()
            .map(|s| self.session.enabled(&s.name))
            .collect();
        let pred = self.predicted.as_ref().map(|p| p.classes.clone());
        self.jobs.analysis = Some(Pending::spawn(
            "analyser",
            "evaluating slices",
            self.waker(),
            move || {
                analysis::analyse(
                    generation,
                    &ds,
                    &set,
                    &enabled,
                    pred.as_deref().map(|v| &v[..]),
                )
            },
        ));
    }

    /// Adds one slice per value of `col` in the background (the result goes through undo).
    pub(super) fn slice_per_value(&mut self, col: String, min_support: usize) {
        let Some(data) = &self.data else { return };
        let (ds, mut set) = (data.ds.clone(), self.session.slices.clone());
        self.jobs.files.push(Pending::spawn(
            "slicer",
            format!("slicing on {col}"),
            self.waker(),
            move || match set.add_per_value(&ds.table, &col, min_support) {
                Ok(_) => FileOutcome::Slices(set),
                Err(e) => FileOutcome::Failed(e),
            },
        ));
    }

    /// Searches the validation rows (the training rows when there are none) for slices where
    /// the analysed predictions err most.
    pub(super) fn suggest_slices(&mut self) {
        let (Some(data), Some(pred)) = (&self.data, &self.predicted) else {
            return self.fail("slice suggestions need predictions: train or open a model first");
        };
        let (ds, classes) = (data.ds.clone(), pred.classes.clone());
        let set = self.session.slices.clone();
        self.jobs.suggest = Some(Pending::spawn(
            "suggester",
            "searching for slices",
            self.waker(),
            move || {
                let rows = match ds.indices(crate::data::Split::Valid) {
                    valid if valid.is_empty() => ds.indices(crate::data::Split::Train),
                    valid => valid,
                };
                let wrong: Vec<bool> = rows.iter().map(|&i| classes[i] != ds.y[i]).collect();
                let columns = crate::slices::columns::feature_columns(&ds, &set);
                let cfg = crate::slices::suggest::SuggestConfig::default();
                crate::slices::suggest::suggest(&ds.table, &columns, &rows, &wrong, &cfg)
            },
        ));
    }

    pub(super) fn analyse_model(&mut self, i: usize) {
        let (Some(data), Some(entry)) = (&self.data, self.models.get(i)) else {
            return;
        };
        let (ds, model, name) = (data.ds.clone(), entry.model.clone(), entry.name.clone());
        self.jobs.predict = Some(Pending::spawn_with_progress(
            "predictor",
            format!("predicting with {name}"),
            self.waker(),
            move |p| analysis::predict_reporting(&model, &ds, &name, p),
        ));
    }

    /// Stops the prediction under way (its job sees the cancel flag at the next chunk of texts).
    pub(super) fn stop_predicting(&mut self) {
        if let Some(job) = self.jobs.predict.take() {
            self.log.push(format!("stopped: {}", job.label));
        }
    }

    pub(super) fn analyse_column(&mut self) {
        let Some(data) = &self.data else { return };
        let column = match &data.source {
            SourceSpec::File { pred: Some(p), .. } => p.clone(),
            _ => return self.fail("this dataset has no prediction column"),
        };
        let predicted = analysis::from_column(&data.ds, &column);
        self.set_predicted(predicted);
        self.reanalyse();
    }

    /// Collects finished background work.
    pub(super) fn poll_jobs(&mut self) {
        fn lost<T>(label: &str) -> Result<T, String> {
            Err(format!("the background job '{label}' stopped unexpectedly"))
        }
        if let Some(r) = take(&mut self.jobs.load, lost) {
            self.loaded(r);
        }
        if let Some(r) = take(&mut self.jobs.inspect, lost) {
            match r {
                Ok(d) => self.open_dialog = Some(d),
                Err(e) => self.fail(e),
            }
        }
        if let Some(r) = take(&mut self.jobs.predict, lost) {
            match r {
                Ok(p) => {
                    self.log(format!("{ANALYSING}{}", p.name));
                    self.set_predicted(Some(p));
                    self.reanalyse();
                }
                Err(e) => self.fail(e),
            }
        }
        let generation = self.generation;
        if let Some(a) = take(&mut self.jobs.analysis, |l| {
            Analysis::failed(generation, format!("'{l}' stopped unexpectedly"))
        }) && a.generation == self.generation
        {
            // The status bar's "analysing predictions of …" gives way to what came of it.
            // Another job's line (suggestions found, say) may have come in between.
            let pending = self
                .log
                .iter()
                .rev()
                .find(|l| l.starts_with(ANALYSING) || l.starts_with(ANALYSED))
                .is_some_and(|l| l.starts_with(ANALYSING));
            if let Some(p) = &self.predicted
                && pending
            {
                let line = format!("{ANALYSED}{} ({} slices)", p.name, a.stats.len());
                self.log(line);
            }
            self.analysis = Some(a);
            self.check_for_leaks();
        }
        if let Some((purpose, path, secs)) = take(&mut self.jobs.dialog, |_| {
            (FilePurpose::OpenData, None, 0.0)
        }) {
            match path {
                Some(path) => self.picked(purpose, path),
                None if crate::gui::views::path_dialog::dialog_never_showed(secs) => {
                    self.own_file_chooser(
                        purpose,
                        "The system file dialog did not open (no xdg desktop portal answered), \
                         so slicelab's own chooser is used.",
                    );
                }
                None => {}
            }
        }
        for out in take_all(&mut self.jobs.files, |l| {
            FileOutcome::Failed(format!("'{l}' stopped unexpectedly"))
        }) {
            self.file_done(out);
        }
        if let Some(found) = take(&mut self.jobs.suggest, |_| Vec::new()) {
            self.log(format!("{} slice suggestions", found.len()));
            self.suggestions = found;
        }
        self.poll_training();
        self.poll_builds();
        self.poll_aggregate();
    }

    fn loaded(&mut self, r: Result<Loaded, String>) {
        let retrain = std::mem::take(&mut self.retrain_on_load);
        let mut l = match r {
            Ok(l) => l,
            Err(e) => return self.fail(e),
        };
        self.log(format!(
            "loaded {} ({} rows) in {:.2} s",
            l.source.describe(),
            l.ds.n_rows(),
            l.secs
        ));
        // What the loader decided or renamed goes to the log and to the notices panel, and so
        // do the feature decisions' leakage and identifier warnings; errors alone get the banner.
        let notes = l.ds.table.notices.clone();
        for n in &notes {
            self.log(format!("note: {n}"));
        }
        for line in &l.feature_lines {
            self.log(line.clone());
        }
        self.notices = crate::gui::notices::of_load(&notes, &l.warnings);
        if !self.session.source.same_file(&l.source) {
            // A dataset opened before gets its slices back; a new one starts with its own SF
            // columns (if any) as slices.
            let fresh = match l.source {
                SourceSpec::Demo => Session::default().slices,
                SourceSpec::File { .. } => SliceSet::from_sf_columns(&l.ds.table),
            };
            if self.session.switch_dataset(&l.source, fresh) {
                self.log(format!("{}: its slices are back", l.source.describe()));
            }
            self.undo.clear();
            self.slices_changed();
        }
        self.session.source = l.source.clone();
        // A dataset in memory ends aggregate mode.
        self.leave_aggregate();
        let has_column = l.ds.pred.is_some();
        l.revision = self.next_revision();
        self.data = Some(l);
        self.predicted = None;
        self.analysis = None;
        if has_column {
            self.analyse_column();
        } else {
            self.reanalyse();
            if retrain {
                self.start_quick_model();
            } else {
                self.choose_analysis();
            }
        }
    }

    /// Picks what to analyse on data without its own predictions, when nothing is analysed or
    /// being predicted: the saved model the restored session analysed (once the saved models
    /// have reopened), else on the demo its quick model, trained if there is none.
    pub(super) fn choose_analysis(&mut self) {
        let Some(data) = &self.data else { return };
        if self.predicted.is_some() || self.jobs.predict.is_some() || data.ds.pred.is_some() {
            return;
        }
        let demo = data.source == SourceSpec::Demo;
        if let Some(path) = &self.restore_analysing {
            let found = (self.models.iter()).position(|m| m.path.as_ref() == Some(path));
            match found {
                Some(i) => {
                    self.restore_analysing = None;
                    return self.analyse_model(i);
                }
                // The saved models are still opening: wait for them.
                None if self.models_loading > 0 => return,
                None => self.restore_analysing = None,
            }
        }
        if demo && self.training.is_none() {
            // A quick model of another dataset cannot read the demo.
            let fits = |m: &crate::gui::models::ModelEntry| m.quick && m.fits(&data.ds);
            match self.models.iter().position(fits) {
                Some(i) => self.analyse_model(i),
                None => self.start_quick_model(),
            }
        }
    }
}
