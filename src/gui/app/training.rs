//! Training from the app: starting a run (or the quick model the demo opens with), following
//! its events, and listing what it trained.

use std::sync::Arc;

use super::SlicelabApp;
use crate::gui::command::TrainRequest;
use crate::gui::models::{ModelEntry, TrainingRun};
use crate::model::Method;
use crate::train::config::TrainConfig;
use crate::train::events::TrainEvent;
use crate::train::job::{JobMessage, TrainingJob};
use crate::train::{DataSource, ExperimentResult, ExperimentSpec};

impl SlicelabApp {
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
        if let Some(problem) = spec.no_slices_problem(slices.slices.len()) {
            return self.fail(problem);
        }
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

    pub(super) fn start_quick_model(&mut self) {
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

    pub(super) fn poll_training(&mut self) {
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

    fn trained(&mut self, result: ExperimentResult) {
        let quick = std::mem::take(&mut self.quick_job);
        let first = self.models.len();
        for run in result.runs {
            // The SF noise a retraining used is part of the name (`sbl-seed0 noise 20%`).
            let base = crate::gui::models::model_name(&run.model.card);
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
            return self.log("training cancelled before any run finished");
        }
        if quick || self.predicted.is_none() {
            self.analyse_model(first);
        }
        // The quick model is saved too, so a restored session analyses it again instead of
        // training another.
        self.save_models(first..self.models.len());
    }

    /// Adds a model to the list under a fresh id.
    pub(super) fn add_model(&mut self, mut entry: ModelEntry) {
        entry.id = self.next_model_id;
        self.next_model_id += 1;
        self.models.push(entry);
        self.models_changed();
    }

    pub(super) fn unique_model_name(&self, base: String) -> String {
        let taken = |n: &str| self.models.iter().any(|m| m.name == n);
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|i| format!("{base} #{i}"))
            .find(|n| !taken(n))
            .unwrap_or(base)
    }
}
