//! Applying commands and collecting background results: the only place app state changes.

use std::path::PathBuf;
use std::sync::Arc;

use super::analysis;
use super::app::{FileOutcome, SlicelabApp};
use super::command::{Command, FilePurpose, TrainRequest};
use super::jobs::{Pending, take, take_all};
use super::models::{ModelEntry, TrainingRun};
use super::state::{Session, SourceSpec};
use super::views::OpenDialog;
use crate::model::Method;
use crate::slices::{SliceDef, SliceSet};
use crate::train::config::TrainConfig;
use crate::train::events::TrainEvent;
use crate::train::job::{JobMessage, TrainingJob};
use crate::train::{DataSource, ExperimentSpec};

/// Slice edits kept for undo.
const UNDO_DEPTH: usize = 100;

impl SlicelabApp {
    /// Applies queued commands in order.
    pub(super) fn apply_commands(&mut self) {
        while !self.commands.is_empty() {
            let batch = std::mem::take(&mut self.commands);
            batch.into_iter().for_each(|c| self.apply(c));
        }
    }

    fn apply(&mut self, c: Command) {
        match c {
            Command::PickFile(p) => self.pick_file(p),
            Command::InspectData(path) => self.inspect(path),
            Command::Load(source) => self.load(source),
            Command::AddSlice(def) => self.edit_slices(|set| set.slices.push(def)),
            Command::EditSlice(i, def) => {
                let old = self.session.slices.slices.get(i).map(|s| s.name.clone());
                self.edit_slices(|set| {
                    if let Some(s) = set.slices.get_mut(i) {
                        *s = def.clone();
                    }
                });
                if let Some(old) = old {
                    self.session
                        .disabled
                        .iter_mut()
                        .filter(|d| **d == old)
                        .for_each(|d| d.clone_from(&def.name));
                }
            }
            Command::DeleteSlice(i) => self.edit_slices(|set| {
                if i < set.slices.len() {
                    set.slices.remove(i);
                }
            }),
            Command::DuplicateSlice(i) => self.edit_slices(|set| {
                if let Some(s) = set.slices.get(i).cloned() {
                    let name = set.unique_name(&format!("{}_copy", s.name));
                    set.slices.insert(i + 1, SliceDef { name, ..s });
                }
            }),
            Command::ToggleSlice(i, on) => {
                if let Some(name) = self.session.slices.slices.get(i).map(|s| s.name.clone()) {
                    self.session.disabled.retain(|d| *d != name);
                    if !on {
                        self.session.disabled.push(name);
                    }
                    self.reanalyse();
                }
            }
            Command::Undo => {
                if let Some(prev) = self.undo.pop() {
                    self.session.slices = prev;
                    self.reanalyse();
                }
            }
            Command::StartTraining(req) => self.start_training(req, false),
            Command::TrainQuick => self.start_quick_model(),
            Command::StopTraining => {
                if let Some(t) = &mut self.training {
                    t.job.cancel();
                    t.stopping = true;
                }
            }
            Command::AnalyseModel(i) => self.analyse_model(i),
            Command::AnalyseColumn => self.analyse_column(),
            Command::SelectSlice(name) => self.session.selected = name,
            Command::DismissError => self.error = None,
            Command::SuggestSlices => self.suggest_slices(),
            Command::SlicePerValue(col, min) => self.slice_per_value(col, min),
            Command::ForgetModel(i) => {
                if i < self.models.len() {
                    let gone = self.models.remove(i);
                    if self.predicted.as_ref().is_some_and(|p| p.name == gone.name) {
                        self.predicted = None;
                        self.reanalyse();
                    }
                }
            }
        }
    }

    fn edit_slices(&mut self, f: impl FnOnce(&mut SliceSet)) {
        self.undo.push(self.session.slices.clone());
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        f(&mut self.session.slices);
        self.reanalyse();
    }

    /// Whether an undo step exists.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    fn inspect(&mut self, path: PathBuf) {
        self.session.remember(&path);
        let p = path.clone();
        self.jobs.inspect = Some(Pending::spawn(
            "inspector",
            format!("reading {}", path.display()),
            self.waker(),
            move || OpenDialog::inspect(&p),
        ));
    }

    fn load(&mut self, source: SourceSpec) {
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
    fn slice_per_value(&mut self, col: String, min_support: usize) {
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

    /// Searches the training rows for slices where the analysed predictions err most.
    fn suggest_slices(&mut self) {
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
                let rows = ds.indices(crate::data::Split::Train);
                let wrong: Vec<bool> = rows.iter().map(|&i| classes[i] != ds.y[i]).collect();
                let columns = crate::slices::columns::feature_columns(&ds, &set);
                let cfg = crate::slices::suggest::SuggestConfig::default();
                crate::slices::suggest::suggest(&ds.table, &columns, &rows, &wrong, &cfg)
            },
        ));
    }

    fn analyse_model(&mut self, i: usize) {
        let (Some(data), Some(entry)) = (&self.data, self.models.get(i)) else {
            return;
        };
        let (ds, model, name) = (data.ds.clone(), entry.model.clone(), entry.name.clone());
        self.jobs.predict = Some(Pending::spawn(
            "predictor",
            format!("predicting with {name}"),
            self.waker(),
            move || analysis::predict(&model, &ds, &name),
        ));
    }

    fn analyse_column(&mut self) {
        let Some(data) = &self.data else { return };
        let column = match &data.source {
            SourceSpec::File { pred: Some(p), .. } => p.clone(),
            _ => return self.fail("this dataset has no prediction column"),
        };
        self.predicted = analysis::from_column(&data.ds, &column);
        self.reanalyse();
    }

    /// Trains `req` in the background on the loaded data and the enabled slices.
    pub(super) fn start_training(&mut self, req: TrainRequest, quick: bool) {
        if self.training.is_some() {
            return self.fail("a training run is already in progress; stop it first");
        }
        let Some(data) = &self.data else {
            return self.fail("load a dataset before training");
        };
        let mut slices = self.session.active_slices();
        for s in &mut slices.slices {
            s.noise = req
                .noise
                .iter()
                .find(|(n, _)| *n == s.name)
                .map(|(_, r)| *r);
        }
        let epochs = req.train.epochs;
        let spec = ExperimentSpec {
            methods: req.methods,
            seeds: req.seeds,
            train: req.train,
            rep_dim: None,
            features: None,
            metric: None,
        };
        let source = DataSource::Dataset(data.ds.clone());
        match TrainingJob::spawn(source, slices, spec, self.waker()) {
            Ok(job) => {
                self.curves = Default::default();
                self.quick_job = quick;
                self.training = Some(TrainingRun::new(job, epochs));
            }
            Err(e) => self.fail(format!("could not start the training thread: {e}")),
        }
    }

    fn start_quick_model(&mut self) {
        let train = TrainConfig {
            epochs: self.quick_epochs,
            ..TrainConfig::default()
        };
        let req = TrainRequest {
            methods: vec![Method::Vanilla],
            seeds: vec![0],
            train,
            noise: Vec::new(),
        };
        self.log("training a quick Vanilla model to analyse");
        self.start_training(req, true);
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
                    self.log(format!("analysing predictions of {}", p.name));
                    self.predicted = Some(p);
                    self.reanalyse();
                }
                Err(e) => self.fail(e),
            }
        }
        let generation = self.generation;
        if let Some(a) = take(&mut self.jobs.analysis, |l| {
            analysis::Analysis::failed(generation, format!("'{l}' stopped unexpectedly"))
        }) && a.generation == self.generation
        {
            self.analysis = Some(a);
        }
        if let Some((purpose, path)) =
            take(&mut self.jobs.dialog, |_| (FilePurpose::OpenData, None))
            && let Some(path) = path
        {
            self.picked(purpose, path);
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
    }

    fn loaded(&mut self, r: Result<super::analysis::Loaded, String>) {
        match r {
            Ok(l) => {
                self.log(format!(
                    "loaded {} ({} rows) in {:.2} s",
                    l.source.describe(),
                    l.ds.n_rows(),
                    l.secs
                ));
                let changed = self.session.source != l.source;
                if changed {
                    // A new dataset starts with its own SF columns (if any) as slices.
                    self.session.slices = match l.source {
                        SourceSpec::Demo => Session::default().slices,
                        SourceSpec::File { .. } => SliceSet::from_sf_columns(&l.ds.table),
                    };
                    self.session.disabled.clear();
                    self.undo.clear();
                }
                self.session.source = l.source.clone();
                let has_column = l.ds.pred.is_some();
                let demo = l.source == SourceSpec::Demo;
                self.data = Some(l);
                self.predicted = None;
                self.analysis = None;
                let quick = self.models.iter().position(|m| m.quick);
                if has_column {
                    self.analyse_column();
                } else {
                    self.reanalyse();
                    match (demo, quick) {
                        (true, Some(i)) => self.analyse_model(i),
                        (true, None) => self.start_quick_model(),
                        _ => {}
                    }
                }
            }
            Err(e) => self.fail(e),
        }
    }

    fn poll_training(&mut self) {
        let Some(run) = &mut self.training else {
            return;
        };
        // Read before draining: the thread sends its last message before it ends, so if it had
        // ended by now, that message is in the channel and the drain below sees it.
        let finished = run.job.is_finished();
        let mut last = None;
        while let Ok(msg) = run.job.rx.try_recv() {
            match msg {
                JobMessage::Event(e) => {
                    run.follow(&e);
                    if let TrainEvent::Epoch(s) = &e {
                        self.curves.push(s);
                    }
                }
                done => {
                    last = Some(done);
                    break;
                }
            }
        }
        match last {
            Some(JobMessage::Done(result)) => {
                self.training = None;
                self.trained(*result);
            }
            Some(JobMessage::Failed(m)) => {
                self.training = None;
                self.fail(format!("training failed: {m}"));
            }
            None if finished => {
                self.training = None;
                self.fail("the training thread ended without a result");
            }
            _ => {}
        }
    }

    fn trained(&mut self, result: crate::train::ExperimentResult) {
        let quick = std::mem::take(&mut self.quick_job);
        let first = self.models.len();
        for run in result.runs {
            let base = format!("{}-seed{}", run.method.name(), run.seed);
            let name = self.unique_model_name(if quick {
                format!("{base} (quick)")
            } else {
                base
            });
            self.log(format!("trained {name}: {}", run.outcome.stop.describe()));
            self.add_model(ModelEntry {
                id: 0,
                name,
                model: Arc::new(run.model),
                path: None,
                quick,
            });
        }
        if self.models.len() == first {
            return self.log("training stopped before any run finished");
        }
        if quick || self.predicted.is_none() {
            self.analyse_model(first);
        }
        if !quick {
            self.save_models(first..self.models.len());
        }
    }

    /// Adds a model to the list under a fresh id.
    fn add_model(&mut self, mut entry: ModelEntry) {
        entry.id = self.next_model_id;
        self.next_model_id += 1;
        self.models.push(entry);
    }

    fn unique_model_name(&self, base: String) -> String {
        let taken = |n: &str| self.models.iter().any(|m| m.name == n);
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|i| format!("{base} #{i}"))
            .find(|n| !taken(n))
            .unwrap_or(base)
    }

    /// Writes models to the app's model folder in the background, so a session never loses them.
    fn save_models(&mut self, range: std::ops::Range<usize>) {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let items: Vec<(u64, String, Arc<crate::train::saved::TrainedModel>, PathBuf)> = self
            .models[range]
            .iter()
            .map(|m| {
                let dir = self.home.join("models").join(format!(
                    "{stamp}-{}",
                    crate::slices::build::name_from(&m.name)
                ));
                (m.id, m.name.clone(), m.model.clone(), dir)
            })
            .collect();
        self.jobs.files.push(Pending::spawn(
            "saver",
            "saving models",
            self.waker(),
            move || {
                let mut saved = Vec::new();
                for (id, name, model, dir) in items {
                    if let Err(e) = model.save(&dir) {
                        return FileOutcome::Failed(format!("saving {name}: {e}"));
                    }
                    saved.push((id, dir));
                }
                FileOutcome::Saved(saved)
            },
        ));
    }

    pub(super) fn reload_models(&mut self, dirs: Vec<PathBuf>) {
        self.jobs.files.push(Pending::spawn(
            "model-loader",
            "opening models",
            self.waker(),
            move || {
                let mut ok = Vec::new();
                let mut failed = Vec::new();
                for dir in dirs {
                    match crate::train::saved::TrainedModel::load(&dir, &candle_core::Device::Cpu) {
                        Ok(m) => ok.push(ModelEntry {
                            id: 0,
                            name: format!(
                                "{}-seed{}",
                                m.card.model.method.name(),
                                m.card.train.seed
                            ),
                            model: Arc::new(m),
                            path: Some(dir),
                            quick: false,
                        }),
                        Err(e) => failed.push(format!("{}: {e}", dir.display())),
                    }
                }
                FileOutcome::Loaded(ok, failed)
            },
        ));
    }

    fn file_done(&mut self, out: FileOutcome) {
        match out {
            FileOutcome::Message(m) => self.log(m),
            FileOutcome::Failed(m) => self.fail(m),
            FileOutcome::Saved(saved) => {
                for (id, dir) in saved {
                    // A model forgotten while it was being saved is simply not listed any more.
                    if let Some(m) = self.models.iter_mut().find(|m| m.id == id) {
                        m.path = Some(dir.clone());
                        let line = format!("saved {} to {}", m.name, dir.display());
                        self.log(line);
                    }
                }
            }
            FileOutcome::Loaded(models, failed) => {
                for mut m in models {
                    m.name = self.unique_model_name(m.name);
                    self.add_model(m);
                }
                failed
                    .into_iter()
                    .for_each(|f| self.fail(format!("could not open model {f}")));
            }
            FileOutcome::Slices(set) => self.edit_slices(|s| *s = set),
            FileOutcome::Session(s) => {
                let dirs = s.models.clone();
                let source = s.source.clone();
                self.session = *s;
                self.reload_models(dirs);
                self.load(source);
            }
        }
    }
}
