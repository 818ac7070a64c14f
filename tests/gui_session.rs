//! Nothing the user built is lost: slices and trained models survive closing and reopening the app,
//! and a session file round-trips.

use crate::common;

use common::Memory;
use common::{app, options, wait_for, wait_ready};
use eframe::App;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use slicelab::gui::SlicelabApp;
use slicelab::gui::command::{Command, FilePurpose, TrainRequest};
use slicelab::model::Method;
use slicelab::slices::SliceDef;
use slicelab::train::config::TrainConfig;

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
            // The quick model is saved too; wait for the one trained here.
            a.training.is_none()
                && (a.models.iter()).any(|m| m.name == "sbl-seed3" && m.path.is_some())
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
    wait_for(&mut h, "the session file", |a| a.jobs.files.is_empty());
    assert!(file.exists());
    h.state_mut().push(Command::DeleteSlice(2));
    wait_for(&mut h, "the delete", |a| a.session.slices.slices.len() == 2);
    h.state_mut().picked(FilePurpose::OpenSession, file);
    wait_for(&mut h, "the session to reopen", |a| {
        a.session.slices.slices.len() == 3
    });
    assert_eq!(h.state().session.slices.slices[2].expr, "x2 > 0.8");
}

#[test]
fn a_session_survives_a_store_truncated_by_a_crash_and_a_bad_file_falls_back_to_its_backup() {
    let home = tempfile::tempdir().unwrap();
    let mut storage = Memory::default();
    {
        let mut h = common::app(home.path());
        wait_ready(&mut h);
        h.state_mut()
            .push(Command::AddSlice(SliceDef::new("left", "x1 < -0.5")));
        wait_for(&mut h, "the slice", |a| a.session.slices.slices.len() == 3);
        h.state_mut().save(&mut storage);
        h.state_mut()
            .push(Command::AddSlice(SliceDef::new("right", "x1 > 0.5")));
        wait_for(&mut h, "the slice", |a| a.session.slices.slices.len() == 4);
        h.state_mut().save(&mut storage);
    }
    // eframe writes its store in place: a crash mid-write leaves a prefix of it.
    for v in storage.0.values_mut() {
        v.truncate(v.len() / 3);
    }
    let restart = |storage: &Memory| {
        let opts = slicelab::gui::AppOptions {
            restore: true,
            ..options(home.path())
        };
        let mut h = Harness::builder().build_eframe(move |cc| {
            cc.storage = Some(storage);
            SlicelabApp::new(cc, opts)
        });
        h.step();
        let names: Vec<String> = (h.state().session.slices.slices.iter())
            .map(|s| s.name.clone())
            .collect();
        (names, h.state().error.clone())
    };
    let (names, error) = restart(&storage);
    assert_eq!(names, ["sf_1", "sf_2", "left", "right"]);
    assert_eq!(error, None);
    // Damage the app's own file too: the session before it comes back, with a banner.
    let file = home.path().join("session.json");
    std::fs::write(&file, "{\"slices\": [").unwrap();
    let (names, error) = restart(&storage);
    assert_eq!(names, ["sf_1", "sf_2", "left"]);
    assert!(error.is_some_and(|e| e.contains("session.json")));
}

#[test]
fn file_jobs_started_together_all_report() {
    let home = tempfile::tempdir().unwrap();
    let mut h = common::app(home.path());
    wait_ready(&mut h);
    let (session, slices) = (home.path().join("s.json"), home.path().join("s.toml"));
    h.state_mut()
        .picked(FilePurpose::SaveSession, session.clone());
    h.state_mut()
        .picked(FilePurpose::SaveSlices, slices.clone());
    h.state_mut().push(Command::SlicePerValue("sf_1".into(), 1));
    wait_for(&mut h, "every file job", |a| a.jobs.files.is_empty());
    let log = h.state().log.join("\n");
    for f in [&session, &slices] {
        assert!(log.contains(&format!("wrote {}", f.display())), "{log}");
    }
    let names: Vec<&str> = (h.state().session.slices.slices.iter())
        .map(|s| s.name.as_str())
        .collect();
    assert!(
        names.len() > 2,
        "the per-value slices arrived too: {names:?}"
    );
}

#[test]
fn save_writes_the_chosen_model_into_its_own_folder_beside_the_users_files() {
    let home = tempfile::tempdir().unwrap();
    let mut h = common::app(home.path());
    wait_ready(&mut h);
    h.state_mut().push(Command::StartTraining(TrainRequest {
        methods: vec![Method::Vanilla],
        seeds: vec![1, 2],
        train: TrainConfig {
            epochs: 1,
            ..TrainConfig::default()
        },
        noise: Vec::new(),
    }));
    wait_for(&mut h, "two models", |a| {
        let saved = a.models.iter().filter(|m| !m.quick && m.path.is_some());
        a.training.is_none() && saved.count() == 2
    });
    // Forget the first trained model while the dialog for the second is open.
    let first = h
        .state()
        .models
        .iter()
        .position(|m| m.name == "vanilla-seed1")
        .unwrap();
    let id = h.state().models[first + 1].id;
    h.state_mut().push(Command::ForgetModel(first));
    h.step();
    let picked = home.path().join("Documents");
    std::fs::create_dir_all(&picked).unwrap();
    std::fs::write(picked.join("thesis.txt"), "years of work").unwrap();
    h.state_mut()
        .picked(FilePurpose::SaveModel(id), picked.clone());
    wait_for(&mut h, "the save", |a| a.jobs.files.is_empty());
    assert_eq!(
        std::fs::read_to_string(picked.join("thesis.txt")).unwrap(),
        "years of work"
    );
    let dir = picked.join("vanilla_seed2");
    let card = std::fs::read_to_string(dir.join("config.json")).unwrap();
    assert!(card.contains("\"seed\": 2"), "the chosen model was saved");
    let entry = h.state().models.iter().find(|m| m.id == id).unwrap();
    assert_eq!(entry.path.as_deref(), Some(dir.as_path()));
}

/// Trains SBL (seed 0) for one epoch and waits for the model.
fn train_sbl(h: &mut Harness<'static, SlicelabApp>) {
    let before = h.state().models.len();
    h.state_mut().push(Command::StartTraining(TrainRequest {
        methods: vec![Method::Sbl],
        seeds: vec![0],
        train: TrainConfig {
            epochs: 1,
            ..TrainConfig::default()
        },
        noise: Vec::new(),
    }));
    wait_for(h, "the run to finish", |a| {
        a.training.is_none() && a.models.len() > before
    });
}

/// Item 6: the analysed model comes back with the session; no new quick model is trained.
#[test]
fn the_analysed_model_comes_back_with_the_session() {
    let home = tempfile::tempdir().unwrap();
    let mut storage = Memory::default();
    {
        let mut h = app(home.path());
        wait_ready(&mut h);
        train_sbl(&mut h);
        let i = h.state().models.iter().position(|m| m.name == "sbl-seed0");
        h.state_mut()
            .push(Command::AnalyseModel(i.expect("sbl-seed0")));
        wait_for(&mut h, "sbl-seed0 analysed and saved", |a| {
            a.predicted.as_ref().is_some_and(|p| p.name == "sbl-seed0")
                && a.models
                    .iter()
                    .any(|m| m.name == "sbl-seed0" && m.path.is_some())
        });
        h.state_mut().save(&mut storage);
    }
    let mut h = common::restart(home.path(), &storage);
    wait_for(&mut h, "the restored model to be analysed", |a| {
        a.predicted.is_some() && a.jobs.predict.is_none()
    });
    assert_eq!(h.state().predicted.as_ref().unwrap().name, "sbl-seed0");
    assert!(h.state().training.is_none(), "a quick model is training");
    // The first run's quick model came back from its folder; none was trained anew.
    let quick: Vec<_> = h.state().models.iter().filter(|m| m.quick).collect();
    assert_eq!(quick.len(), 1);
    assert!(quick[0].path.is_some());
    assert!(h.query_all_by_label_contains("sbl-seed0").next().is_some());
}

/// The quick model under analysis is saved, and a restored session analyses it again rather
/// than training another.
#[test]
fn the_quick_model_under_analysis_comes_back_with_the_session() {
    let home = tempfile::tempdir().unwrap();
    let mut storage = Memory::default();
    {
        let mut h = app(home.path());
        wait_ready(&mut h);
        wait_for(&mut h, "the quick model to be saved", |a| {
            a.models.iter().any(|m| m.quick && m.path.is_some())
        });
        h.state_mut().save(&mut storage);
    }
    let mut h = common::restart(home.path(), &storage);
    wait_for(&mut h, "the restored quick model to be analysed", |a| {
        a.predicted.is_some() && a.jobs.predict.is_none()
    });
    let predicted = h.state().predicted.as_ref().unwrap();
    assert_eq!(predicted.name, "vanilla-seed0 (quick)");
    let log = &h.state().log;
    assert!(
        !log.iter()
            .any(|l| l.contains("training a quick Vanilla model")),
        "a new quick model was trained: {log:?}"
    );
    assert_eq!(h.state().models.len(), 1);
    common::wait_for_text(&mut h, "analysed predictions of vanilla-seed0 (quick)");
}
