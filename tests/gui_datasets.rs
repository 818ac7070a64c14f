//! Issue 32 in part: a clicked cell offers a slice on its value, never on the label or the
//! prediction (outcomes, not inputs), an offer does not outlive its dataset, and no view starts
//! from a model trained on another dataset's columns; slices stay with their dataset.

use crate::common;

use common::{app, wait_for, wait_ready};
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::gui::command::Command;
use slicelab::gui::state::SourceSpec;

/// Clicks the first cell reading `value` in the rows table's column `column`.
fn click_cell(
    h: &mut egui_kittest::Harness<'_, slicelab::gui::SlicelabApp>,
    column: &str,
    value: &str,
) {
    let x = common::header_x(h, column);
    assert!(x.is_finite(), "column {column} is not shown");
    // The cell under the header: the one whose left edge is nearest the header's.
    let cell = h
        .query_all_by_label(value)
        .filter_map(|n| Some(((n.accesskit_node().bounding_box()?.x0 - x).abs(), n)))
        .filter(|(dx, _)| *dx < 30.0)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
        .unwrap_or_else(|| panic!("no cell {value} under {column}"));
    cell.click();
    h.run_steps(3);
}

#[test]
fn a_value_cell_offers_a_slice_the_outcome_cells_do_not_and_no_view_takes_another_datasets_model() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let path = home.path().join("rare.csv");
    common::rare_slice_csv(&path);
    h.state_mut()
        .push(Command::Load(common::rare_slice_spec(path)));
    wait_for(&mut h, "the predictions analysed", |a| {
        a.analysis.is_some() && a.jobs.analysis.is_none() && a.jobs.load.is_none()
    });
    h.get_by_label("Errors").click();
    h.state_mut().session.selected = Some("slice_rare".into());
    h.run_steps(6);
    common::wait_for_text(&mut h, "Rows of slice_rare");
    h.run_steps(4);
    click_cell(&mut h, "x", "101");
    h.get_by_label("Slice on x = 101");
    // A prediction cell replaces the offer with none.
    click_cell(&mut h, "model_pred", "0");
    let left = h.query_by_label_contains("Slice on");
    let left = left.and_then(|n| n.accesskit_node().value());
    assert!(
        left.is_none(),
        "{left:?}; x {} model_pred {}",
        common::header_x(&h, "x"),
        common::header_x(&h, "model_pred")
    );
    // Nor does a label cell.
    click_cell(&mut h, "y", "1");
    assert!(h.query_by_label_contains("Slice on").is_none());
    // The demo's quick model reads other columns: no view starts from it here.
    h.get_by_label("Diff").click();
    h.run_steps(4);
    h.get_by_label_contains("trained on other columns are left out");
    assert!(h.query_by_label_contains("not found").is_none());
    h.get_by_label("Importance").click();
    h.run_steps(4);
    h.get_by_label_contains("No model reads this dataset's columns");
    h.get_by_label("Errors").click();
    h.run_steps(4);
    // Another dataset: the offer made on this one is gone.
    click_cell(&mut h, "x", "102");
    h.get_by_label("Slice on x = 102");
    h.state_mut().push(Command::Load(SourceSpec::Demo));
    wait_for(&mut h, "the demo", |a| {
        a.data
            .as_ref()
            .is_some_and(|d| d.source == SourceSpec::Demo)
            && a.analysis.is_some()
    });
    h.run_steps(4);
    assert!(h.query_by_label_contains("Slice on x = 102").is_none());
}

#[test]
fn a_datasets_slices_stay_with_it_and_come_back_when_it_opens_again() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let demo_slices: Vec<String> = names(h.state());
    let path = home.path().join("rare.csv");
    common::rare_slice_csv(&path);
    let loaded = |path: std::path::PathBuf| {
        move |a: &slicelab::gui::SlicelabApp| {
            a.jobs.load.is_none()
                && a.data.as_ref().is_some_and(|d| match &d.source {
                    SourceSpec::File { path: p, .. } => *p == path,
                    SourceSpec::Demo => false,
                })
        }
    };
    h.state_mut()
        .push(Command::Load(common::rare_slice_spec(path.clone())));
    wait_for(&mut h, "dataset A", loaded(path.clone()));
    let low = slicelab::slices::SliceDef::new("x_low", "x < 50");
    h.state_mut().push(Command::AddSlice(low));
    h.state_mut().session.selected = Some("x_low".into());
    h.run_steps(3);
    // The demo (B): none of A's slices, its own back.
    h.state_mut().push(Command::Load(SourceSpec::Demo));
    wait_for(&mut h, "the demo", |a| {
        a.jobs.load.is_none()
            && a.data
                .as_ref()
                .is_some_and(|d| d.source == SourceSpec::Demo)
    });
    h.run_steps(3);
    assert_eq!(names(h.state()), demo_slices);
    assert!(h.query_by_label("x_low").is_none());
    assert_ne!(h.state().session.selected.as_deref(), Some("x_low"));
    // A again, with a column left out: its slice and selection come back.
    let mut again = common::rare_slice_spec(path.clone());
    if let SourceSpec::File { ignore, .. } = &mut again {
        ignore.push("x".into());
    }
    h.state_mut().push(Command::Load(again));
    wait_for(&mut h, "dataset A again", loaded(path));
    h.run_steps(3);
    assert_eq!(names(h.state()), ["x_low"]);
    assert_eq!(h.state().session.selected.as_deref(), Some("x_low"));
    h.get_by_label("x_low");
    // And it is kept with the session.
    let saved = serde_json::to_string(&h.state().session).unwrap();
    assert!(saved.contains("\"elsewhere\""), "{saved}");
}

fn names(app: &slicelab::gui::SlicelabApp) -> Vec<String> {
    (app.session.slices.slices.iter())
        .map(|s| s.name.clone())
        .collect()
}

/// A model whose features the open data lacks is listed apart, under "other datasets".
#[test]
fn models_of_other_data_are_listed_under_other_datasets() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let csv = home.path().join("other.csv");
    let rows: String = (0..120)
        .map(|i| format!("{},{},{}\n", i % 7, (i * 3) % 11, i % 2))
        .collect();
    std::fs::write(&csv, format!("a,b,y\n{rows}")).unwrap();
    h.state_mut()
        .push(Command::Load(SourceSpec::file(csv, "y", None, None)));
    wait_for(&mut h, "the CSV to load", |a| {
        a.data.as_ref().is_some_and(|d| d.ds.label == "y") && a.jobs.load.is_none()
    });
    h.get_by_label("Train").click();
    h.run_steps(8);
    h.get_by_label("other datasets (1)");
    // The demo's quick model is not offered with the models that can read this data.
    assert!(h.query_by_label("vanilla-seed0 (quick)").is_none());
    h.get_by_label("other datasets (1)").click();
    h.run_steps(8);
    h.get_by_label("vanilla-seed0 (quick)");
}
