//! Nothing the user built is lost: slices and trained models survive closing and reopening the app,
//! and a session file round-trips.

mod common;

use std::collections::HashMap;

use common::{options, wait_for, wait_ready};
use eframe::App;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use slicelab::gui::SlicelabApp;
use slicelab::gui::command::{Command, FilePurpose, TrainRequest};
use slicelab::model::Method;
use slicelab::slices::SliceDef;
use slicelab::train::config::TrainConfig;

/// eframe's key-value store, in memory.
#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn slices_and_models_come_back_after_a_restart() {
    let home = tempfile::tempdir().unwrap();
    let mut storage = Memory::default();
    {
        let opts = options(home.path());
        let mut h = Harness::builder().build_eframe(move |cc| SlicelabApp::new(cc, opts));
        wait_ready(&mut h);
        h.state_mut()
            .push(Command::AddSlice(SliceDef::new("left", "x1 < -0.5")));
        h.state_mut().push(Command::StartTraining(TrainRequest {
            methods: vec![Method::Sbl],
            seeds: vec![3],
            train: TrainConfig {
                epochs: 1,
                ..TrainConfig::default()
            },
            noise: Vec::new(),
        }));
        wait_for(&mut h, "the model to be trained and saved", |a| {
            a.training.is_none() && a.models.iter().any(|m| m.path.is_some())
        });
        h.state_mut().save(&mut storage);
    }
    let opts = slicelab::gui::AppOptions {
        restore: true,
        ..options(home.path())
    };
    let stored = &storage;
    let mut h = Harness::builder().build_eframe(move |cc| {
        cc.storage = Some(stored);
        SlicelabApp::new(cc, opts)
    });
    wait_for(&mut h, "the saved model to reopen", |a| {
        a.models.iter().any(|m| m.name == "sbl-seed3")
    });
    let names: Vec<&str> = h
        .state()
        .session
        .slices
        .slices
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["sf_1", "sf_2", "left"]);
    wait_ready(&mut h);
    assert!(h.query_all_by_label("left").next().is_some());
}

#[test]
fn a_session_file_round_trips() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("my-session.json");
    let mut h = common::app(home.path());
    wait_ready(&mut h);
    h.state_mut()
        .push(Command::AddSlice(SliceDef::new("top", "x2 > 0.8")));
    wait_for(&mut h, "the slice", |a| a.session.slices.slices.len() == 3);
    h.state_mut().picked(FilePurpose::SaveSession, file.clone());
    wait_for(&mut h, "the session file", |a| a.jobs.files.is_none());
    assert!(file.exists());
    h.state_mut().push(Command::DeleteSlice(2));
    wait_for(&mut h, "the delete", |a| a.session.slices.slices.len() == 2);
    h.state_mut().picked(FilePurpose::OpenSession, file);
    wait_for(&mut h, "the session to reopen", |a| {
        a.session.slices.slices.len() == 3
    });
    assert_eq!(h.state().session.slices.slices[2].expr, "x2 > 0.8");
}
