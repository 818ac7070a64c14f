//! The app's numbers as a user sees them: Compare after the slice set changed between runs,
//! the Errors table's metric choice, flags, positives, per-class table and pinned overall row.

use crate::common;

use common::{app, wait_for, wait_ready};
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::gui::SlicelabApp;
use slicelab::gui::command::{Command, TrainRequest};
use slicelab::model::Method;
use slicelab::train::config::TrainConfig;

type H = egui_kittest::Harness<'static, SlicelabApp>;

/// Trains Vanilla (seed 0, 2 epochs) on the enabled slices and waits for the end.
fn train_vanilla(h: &mut H) {
    let models = h.state().models.len();
    h.state_mut().push(Command::StartTraining(TrainRequest {
        methods: vec![Method::Vanilla],
        seeds: vec![0],
        train: TrainConfig {
            epochs: 2,
            ..TrainConfig::default()
        },
        noise: Vec::new(),
    }));
    wait_for(h, "the run to finish", |a| {
        a.training.is_none() && a.models.len() > models
    });
}

/// Asserts that `text` is shown somewhere (a group name is in the table and the chart legend).
fn shown(h: &H, text: &str) {
    assert!(
        h.query_all_by_label(text).next().is_some(),
        "'{text}' is not shown"
    );
}

fn top(h: &H, label: &str) -> f64 {
    h.get_by_label(label)
        .accesskit_node()
        .bounding_box()
        .map_or(f64::NAN, |b| b.y0)
}

/// Issue 12 item 1: deleting an SF between two runs used to crash Compare (slices matched by
/// position, index out of bounds); now the runs are separate groups and slices match by name.
#[test]
fn compare_after_deleting_a_slice_between_runs_shows_both_groups() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    train_vanilla(&mut h);
    h.state_mut().push(Command::DeleteSlice(1));
    wait_for(&mut h, "the delete", |a| a.session.slices.slices.len() == 1);
    train_vanilla(&mut h);
    h.get_by_label("Compare").click();
    for _ in 0..3 {
        h.step();
    }
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    shown(&h, "vanilla (slices sf_1, sf_2)");
    shown(&h, "vanilla (slices sf_1)");
    h.get_by_label("sf_2 F1");
    let report = slicelab::gui::models::compare(&h.state().models);
    let two = report.method("vanilla (slices sf_1, sf_2)").unwrap();
    let one = report.method("vanilla (slices sf_1)").unwrap();
    assert_eq!((two.seeds.len(), one.seeds.len()), (1, 1));
    assert!(one.slice("sf_2").is_none() && two.slice("sf_2").is_some());
}

/// Items 5, 6 and 8 in the Errors tab: the metric drop-down renames Δ and the interval column,
/// binary supports show their positives, the selected slice has a per-class table, and sorting
/// keeps `overall` on top.
#[test]
fn the_errors_table_ranks_by_the_chosen_metric_with_overall_pinned() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_label("Errors").click();
    h.step();
    h.get_by_label("F1 95% CI");
    assert!(
        h.query_all_by_label_contains(" pos)").next().is_some(),
        "positives beside support"
    );
    // Sort by F1 ascending: the quick model's worst slices would come before overall.
    h.get_by_label("F1").click();
    h.run();
    h.get_by_label("F1 ▼").click();
    h.run();
    h.get_by_label("F1 ▲");
    let overall = top(&h, "overall");
    let mut found = 0;
    for s in ["slice_1", "slice_2"] {
        for n in h.query_all_by_label(s) {
            let y = n.accesskit_node().bounding_box().map_or(f64::NAN, |b| b.y0);
            assert!(overall < y, "overall ({overall}) above {s} ({y})");
            found += 1;
        }
    }
    assert_eq!(found, 2, "both truth slices are in the table");
    // The quick model fails on both disks: all four slices are flagged.
    assert_eq!(h.query_all_by_label("!").count(), 4);
    h.state_mut().session.views.errors.metric = Some(slicelab::metrics::Metric::ErrorRate);
    h.run();
    h.get_by_label("error rate 95% CI");
    h.get_by_label_contains("Δerror rate");
    h.get_by_label("overall").click();
    h.run();
    h.get_by_label("Per class in overall");
    h.get_by_label("predicted");
}

/// A ground-truth slice's rows are its own rows, not every row of the split (its name is no SF,
/// so the SF masks do not have it).
#[test]
fn a_truth_slice_lists_only_its_own_rows() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_label("Errors").click();
    h.run();
    h.state_mut().session.selected = Some("slice_1".into());
    h.run();
    let ds = &h.state().data.as_ref().unwrap().ds;
    let col = ds.table.column("slice_1").unwrap().as_numeric().unwrap();
    let want = (0..ds.n_rows())
        .filter(|&i| ds.splits[i] == slicelab::data::Split::Test && col[i] > 0.5)
        .count();
    assert!(want > 0 && want < ds.indices(slicelab::data::Split::Test).len());
    h.get_by_label(&format!("Rows of slice_1 ({want})"));
    // Beside overall, the worst and the mean slice (issue 19): over the two truth slices.
    h.get_by_label_contains("worst slice: F1");
    h.get_by_label_contains("over 2 ground-truth slices");
}

/// A slice worse than overall with too few positives for an interval shows `?` in the flag
/// column (hover: why), not an empty cell that reads as healthy.
#[test]
fn a_worse_slice_too_small_for_an_interval_shows_a_question_mark() {
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
    h.run_steps(4);
    let y = |label: &str| {
        h.query_all_by_label(label)
            .filter_map(|n| n.accesskit_node().bounding_box())
            .map(|b| (b.y0 + b.y1) / 2.0)
            .collect::<Vec<_>>()
    };
    let (rare, marks) = (y("slice_rare"), y("?"));
    assert!(
        rare.iter()
            .any(|r| marks.iter().any(|m| (r - m).abs() < 2.0)),
        "slice_rare at {rare:?}, ? at {marks:?}"
    );
    common::wait_for_text(&mut h, "? worse F1 than overall, too few rows");
}
