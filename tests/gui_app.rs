//! The desktop app driven like a user: widgets found by label, clicks, typed text, visible results.

use crate::common;

use common::{app, wait_for, wait_ready};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::gui::state::Tab;

/// A file dropped on the window from the file manager.
#[derive(Debug)]
struct FileOnDisk(std::path::PathBuf);

impl egui::DroppedFile for FileOnDisk {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Asserts that `text` is shown somewhere (a slice name is in the list and in the error table).
fn shown(h: &egui_kittest::Harness<'_, slicelab::gui::SlicelabApp>, text: &str) {
    assert!(
        h.query_all_by_label(text).next().is_some(),
        "'{text}' is not shown"
    );
}

fn slice_count(a: &slicelab::gui::SlicelabApp) -> usize {
    a.session.slices.slices.len()
}

/// Trains the Train tab's default methods (Vanilla and SBL) for two epochs and waits for the end.
fn train_two_epochs(h: &mut egui_kittest::Harness<'_, slicelab::gui::SlicelabApp>) {
    h.get_by_label("Train").click();
    h.step();
    h.get_by_label("Epochs").set_value_accesskit(2.0);
    h.step();
    h.get_by_label("Start training").click();
    wait_for(h, "the run to start", |a| a.training.is_some());
    wait_for(h, "the run to finish", |a| a.training.is_none());
}

#[test]
fn opens_on_the_demo_with_its_two_slices_and_their_coverage() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let stats = h.state().analysis.as_ref().unwrap().stats.clone();
    assert_eq!(stats.len(), 2);
    for s in &stats {
        shown(&h, &s.name);
        let shown = format!("{} rows · {:.1}%", s.size, 100.0 * s.coverage);
        h.get_by_label(&shown);
        assert!(
            s.coverage > 0.01 && s.coverage < 0.2,
            "{}: {}",
            s.name,
            s.coverage
        );
    }
    // The quick Vanilla model is what is analysed, and the error table shows the slices.
    h.get_by_label_contains("vanilla-seed0 (quick)");
    h.get_by_label("F1 95% CI");
}

#[test]
fn a_valid_expression_adds_a_slice_whose_size_is_shown() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_role_and_label(Role::TextInput, "Name").click();
    h.get_by_role_and_label(Role::TextInput, "Name")
        .type_text("right_side");
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .click();
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .type_text("x1 > 0.5");
    let expected = {
        let ds = &h.state().data.as_ref().unwrap().ds;
        let x1 = ds.table.column("x1").unwrap().as_numeric().unwrap();
        x1.iter().filter(|&&v| v > 0.5).count()
    };
    common::wait_for_text(&mut h, "rows match");
    h.get_by_label_contains(&format!("✔ {expected} rows match"));
    h.get_by_label("Add slice").click();
    wait_for(&mut h, "the new slice to be scored", |a| {
        slice_count(a) == 3 && a.analysis.as_ref().is_some_and(|x| x.stats.len() == 3)
    });
    shown(&h, "right_side");
    h.get_by_label_contains(&format!("{expected} rows · "));
}

#[test]
fn an_invalid_expression_shows_where_and_adds_nothing() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let field = || Role::MultilineTextInput;
    h.get_by_role_and_label(field(), "Expression").click();
    h.get_by_role_and_label(field(), "Expression")
        .type_text("x1 > 0.5 AND x9 < 2");
    common::wait_for_text(&mut h, "character 14");
    // The message names the unknown column; the button stays disabled and nothing is added.
    assert!(
        h.query_all_by_label_contains("unknown column")
            .next()
            .is_some()
            || h.query_all_by_label_contains("x9").count() >= 2
    );
    assert!(h.get_by_label("Add slice").accesskit_node().is_disabled());
    h.get_by_label("Add slice").click();
    // A click's command is applied by the frame after it: two frames, so nothing was added.
    h.step();
    h.step();
    assert_eq!(slice_count(h.state()), 2);
}

#[test]
fn clicking_a_heatmap_cell_creates_a_slice_of_that_cell() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_label("Map").click();
    // The picture is built on a background thread.
    common::wait_for_text(&mut h, "click a cell to slice it");
    h.get_by_label("Error heatmap").click();
    wait_for(&mut h, "the cell slice to be scored", |a| {
        slice_count(a) == 3 && a.analysis.as_ref().is_some_and(|x| x.stats.len() == 3)
    });
    let app = h.state();
    let cell = &app.session.slices.slices[2];
    assert!(cell.name.starts_with("cell"), "{}", cell.name);
    assert!(
        cell.expr.contains("x1 BETWEEN") && cell.expr.contains("x2 BETWEEN"),
        "{}",
        cell.expr
    );
    let size = app.analysis.as_ref().unwrap().stats[2].size;
    assert!(size > 0, "the clicked cell holds rows");
    let name = cell.name.clone();
    shown(&h, &name);
}

#[test]
fn a_short_training_run_fills_compare_and_plots_a_line_per_slice() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    train_two_epochs(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    // Beside the curves, a list switches each run and each slice's curve on and off.
    for name in [
        "vanilla-seed0",
        "sbl-seed0",
        "overall",
        "sf_1",
        "sf_2",
        "slice_1",
        "slice_2",
    ] {
        h.get_by_role_and_label(Role::CheckBox, name);
    }
    h.get_by_label("Compare").click();
    h.step();
    h.step();
    shown(&h, "sbl");
    h.get_by_label("slice_1 F1");
    let report = slicelab::gui::models::compare(&h.state().models);
    let sbl = report.method("sbl").expect("sbl in compare");
    let s1 = sbl.slices.iter().find(|s| s.name == "slice_1").unwrap();
    shown(&h, &s1.scores.f1.expect("slice_1 F1").to_string());
    // Trained models are saved under the app's home so they outlive the session.
    wait_for(&mut h, "the models to be saved", |a| {
        (a.models.iter())
            .filter(|m| !m.quick && m.path.is_some())
            .count()
            == 2
    });
}

#[test]
fn stop_ends_a_run_early_and_the_app_stays_usable() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_label("Train").click();
    h.step();
    h.get_by_label("Epochs").set_value_accesskit(500.0);
    h.step();
    h.get_by_label("Start training").click();
    // The quick model's curves are there from the start: wait for this job's own first epoch.
    wait_for(&mut h, "the run to start", |a| a.training.is_some());
    wait_for(&mut h, "the first epoch", |a| {
        a.curves
            .runs
            .values()
            .any(|e| e.iter().any(|s| s.epochs == 500))
    });
    h.get_by_label("Stop").click();
    wait_for(&mut h, "the run to stop", |a| a.training.is_none());
    assert!(
        h.state().log.iter().any(|l| l.contains("cancelled")),
        "{:?}",
        h.state().log
    );
    assert!(h.state().error.is_none());
    // Still usable: switch tabs and add a slice.
    h.get_by_label("Errors").click();
    h.step();
    assert_eq!(h.state().session.tab, Tab::Errors);
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .click();
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .type_text("x2 < 0");
    common::wait_for_text(&mut h, "rows match");
    h.get_by_label("Add slice").click();
    wait_for(&mut h, "the slice", |a| slice_count(a) == 3);
}

#[test]
fn dropping_a_malformed_csv_shows_the_error_and_keeps_the_data() {
    let home = tempfile::tempdir().unwrap();
    let bad = home.path().join("bad.csv");
    std::fs::write(&bad, "a,b,label\n1,2,0\n3,4\n5,6,1\n").unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(FileOnDisk(bad.clone())));
    wait_for(&mut h, "the error", |a| a.error.is_some());
    let shown = h.state().error.clone().unwrap();
    assert!(
        shown.contains("bad.csv") && shown.contains("line 3"),
        "{shown}"
    );
    assert!(
        h.query_all_by_label_contains(&format!("⚠ {shown}"))
            .next()
            .is_some(),
        "the banner shows: {shown}"
    );
    // The demo stays loaded and analysed.
    assert!(h.state().data.is_some() && h.state().predicted.is_some());
    h.get_by_label("Dismiss").click();
    // The click pushes a command in one frame; the next frame's logic applies it before drawing.
    h.step();
    h.step();
    assert!(h.state().error.is_none());
    assert!(
        h.query_all_by_label_contains("⚠").next().is_none(),
        "the banner is gone"
    );
}

#[test]
fn undo_restores_a_deleted_slice() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_all_by_label("Delete").next().unwrap().click();
    wait_for(&mut h, "the delete", |a| slice_count(a) == 1);
    h.get_by_label("Undo").click();
    wait_for(&mut h, "the undo", |a| slice_count(a) == 2);
    assert_eq!(h.state().session.slices.slices[0].name, "sf_1");
}

#[test]
fn a_csv_without_predictions_offers_a_quick_model_then_shows_its_errors() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    slicelab::data::demo::Figure1 {
        n: 600,
        ..Default::default()
    }
    .write_csv(&data)
    .unwrap();
    let mut h = common::launched(home.path(), data, Some("y"), None);
    wait_for(&mut h, "the CSVs to load", |a| {
        a.data.is_some() && a.analysis.is_some()
    });
    // The SF columns of the file become the slices; nothing is analysed until a model exists.
    let names: Vec<String> = h
        .state()
        .session
        .slices
        .slices
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["sf_1", "sf_2"]);
    assert!(h.state().predicted.is_none());
    h.get_by_label("Train a quick Vanilla model").click();
    wait_ready(&mut h);
    h.get_by_label("F1 95% CI");
    shown(&h, "sf_1");
    // slice_* columns are ground truth: scored, never features.
    shown(&h, "slice_1");
    let model = &h.state().models[0].model;
    assert!(!model.card.features.columns().contains(&"slice_1"));
}

#[test]
fn a_suggested_slice_becomes_an_sf_in_one_click() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_label("Find slices").click();
    wait_for(&mut h, "suggestions", |a| !a.suggestions.is_empty());
    let best = h.state().suggestions[0].clone();
    assert!(best.error_rate > 0.1 && best.score > 0.0, "{best:?}");
    h.get_all_by_label("Add").next().unwrap().click();
    wait_for(&mut h, "the suggested slice to be scored", |a| {
        a.session.slices.slices.len() == 3
            && a.analysis.as_ref().is_some_and(|x| x.stats.len() == 3)
    });
    let added = &h.state().session.slices.slices[2];
    assert_eq!(added.expr, best.expr);
    // The train split holds 10,000 of the demo's 22,000 rows; the slice covers at least its train rows.
    assert!(h.state().analysis.as_ref().unwrap().stats[2].size >= best.size);
}

#[test]
fn the_indicators_tab_shows_each_sf_beside_its_learned_indicator() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    train_two_epochs(&mut h);
    h.get_by_label("Indicators").click();
    h.step();
    // The quick Vanilla model has no indicators: the tab offers the SBL model instead.
    h.get_by_label("Show sbl-seed0").click();
    wait_for(&mut h, "the SBL model's predictions", |a| {
        a.predicted
            .as_ref()
            .is_some_and(|p| !p.indicator.is_empty())
    });
    // The scenes are drawn on a background thread; both plots of each slice appear.
    for sf in ["sf_1", "sf_2"] {
        common::wait_for_text(&mut h, &format!("Learned indicator: {sf}"));
        h.get_by_label(&format!("SF output: {sf}"));
    }
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
}

#[test]
fn one_slice_per_value_of_a_column_from_the_slices_panel() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_role_and_label(Role::ComboBox, "One slice per value of")
        .click();
    h.run();
    // "sf_1" is also a slice in the list: the combo's option is the one in the popup's column,
    // left-aligned with the "x1" option above it.
    let left =
        |n: &egui_kittest::Node<'_>| n.accesskit_node().bounding_box().map_or(-1.0, |b| b.x0);
    let x = left(&h.get_by_label("x1"));
    h.get_all_by_label("sf_1")
        .find(|n| (left(n) - x).abs() < 1.0)
        .expect("the sf_1 option")
        .click();
    h.run();
    assert_eq!(h.state().session.views.slices.per_value_column, "sf_1");
    h.get_by_label("Add per value").click();
    wait_for(&mut h, "the per-value slices", |a| slice_count(a) == 4);
    let defs: Vec<(String, String)> = h
        .state()
        .session
        .slices
        .slices
        .iter()
        .map(|s| (s.name.clone(), s.expr.clone()))
        .collect();
    assert!(
        defs.contains(&("sf_1_0".into(), "sf_1 = 0".into())),
        "{defs:?}"
    );
    assert!(
        defs.contains(&("sf_1_1".into(), "sf_1 = 1".into())),
        "{defs:?}"
    );
    common::wait_for_text(&mut h, "sf_1_1");
}

#[test]
fn a_pasted_100000_term_expression_is_checked_added_and_scored() {
    let home = tempfile::tempdir().unwrap();
    // A small demo: every term is evaluated over every row, and tests run unoptimised.
    let opts = slicelab::gui::AppOptions {
        demo: slicelab::data::demo::Figure1 {
            n: 200,
            ..Default::default()
        },
        ..common::options(home.path())
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| slicelab::gui::SlicelabApp::new(cc, opts));
    wait_ready(&mut h);
    // Before the fix, about 2,000 terms overflowed the checker thread's stack and killed the app.
    let expr = (0..100_000)
        .map(|i| format!("x1 > {}", 0.9 + (i % 50) as f64 / 1000.0))
        .collect::<Vec<_>>()
        .join(" OR ");
    h.get_by_role_and_label(Role::TextInput, "Name").click();
    h.get_by_role_and_label(Role::TextInput, "Name")
        .type_text("long_or");
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .click();
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .type_text(&expr);
    let expected = {
        let ds = &h.state().data.as_ref().unwrap().ds;
        let x1 = ds.table.column("x1").unwrap().as_numeric().unwrap();
        x1.iter().filter(|&&v| v > 0.9).count()
    };
    common::wait_for_text(&mut h, "rows match");
    h.get_by_label_contains(&format!("✔ {expected} rows match"));
    h.get_by_label("Add slice").click();
    wait_for(&mut h, "the long slice to be scored", |a| {
        slice_count(a) == 3 && a.analysis.as_ref().is_some_and(|x| x.stats.len() == 3)
    });
}
