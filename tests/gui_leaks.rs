//! Issue 30 in the app: a model that reads the answer is named on screen with Leave out and
//! retrain, which opens the data again without those columns and trains to the honest score;
//! the Importance tab ranks what the model leans on; the open dialog lists the suspected columns
//! first and a column unticked there is not a feature.

use std::path::PathBuf;

use crate::common;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::data::Split;
use slicelab::gui::command::Command;
use slicelab::gui::notices::NoticeAction;
use slicelab::gui::state::SourceSpec;
use slicelab::gui::{AppOptions, SlicelabApp};

const LABEL: &str = "two_year_recid";
const POST_OUTCOME: [&str; 3] = ["is_recid", "event", "days_to_reoffence"];

fn data() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/post_outcome.csv"
    ))
}

/// The app launched on the fixture with its label, training quick models as the app does.
fn launched(home: &std::path::Path) -> Harness<'static, SlicelabApp> {
    let opts = AppOptions {
        launch: slicelab::gui::Launch {
            data: Some(data()),
            label: Some(LABEL.into()),
            pred: None,
        },
        quick_epochs: AppOptions::default().quick_epochs,
        ..common::options(home)
    };
    Harness::builder()
        .with_size([1200.0, 900.0])
        .build_eframe(move |cc| SlicelabApp::new(cc, opts))
}

/// Trains the quick model on the loaded data and waits until its predictions are analysed.
fn train_quick(h: &mut Harness<'_, SlicelabApp>) {
    common::wait_for(h, "the fixture to load", |a| {
        a.data.is_some() && a.jobs.load.is_none()
    });
    let before = h.state().models.len();
    h.state_mut().push(Command::TrainQuick);
    analysed_after(h, before);
}

/// Waits until a model beyond the first `before` is trained and its predictions analysed.
fn analysed_after(h: &mut Harness<'_, SlicelabApp>, before: usize) {
    common::wait_for(h, "a quick model analysed", |a| {
        a.models.len() > before
            && a.predicted.as_ref().map(|p| &p.name) == a.models.last().map(|m| &m.name)
            && a.jobs.analysis.is_none()
            && a.analysis.is_some()
    });
}

/// F1 of the analysed predictions over the validation rows (class 1 positive).
fn valid_f1(app: &SlicelabApp) -> f64 {
    let ds = &app.data.as_ref().expect("data").ds;
    let pred = &app.predicted.as_ref().expect("predictions").classes;
    let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
    for i in ds.indices(Split::Valid) {
        match (ds.y[i], pred[i]) {
            (1, 1) => tp += 1.0,
            (0, 1) => fp += 1.0,
            (1, 0) => fneg += 1.0,
            _ => {}
        }
    }
    2.0 * tp / (2.0 * tp + fp + fneg)
}

fn leak_notice(app: &SlicelabApp) -> Option<&slicelab::gui::notices::Notice> {
    (app.notices.iter()).find(|n| matches!(n.action, Some(NoticeAction::LeaveOutAndRetrain(_))))
}

#[test]
fn a_model_reading_the_answer_is_named_and_leave_out_and_retrain_gives_the_honest_score() {
    let home = tempfile::tempdir().unwrap();
    let mut h = launched(home.path());
    train_quick(&mut h);
    let leaky = valid_f1(h.state());
    assert!(
        leaky >= 0.98,
        "validation F1 {leaky:.3} with the post-outcome columns"
    );
    common::wait_for(&mut h, "the leak notice", |a| leak_notice(a).is_some());
    // On screen: the warning names the columns, in app words, with its button.
    // The status bar shows its line too: the notice's is the first.
    h.run_steps(3);
    let shown = h.query_all_by_label_contains("nearly perfect").next();
    let text = shown.and_then(|n| n.accesskit_node().value());
    let text = text.unwrap_or_default();
    for col in POST_OUTCOME {
        assert!(
            text.contains(&format!("'{col}'")),
            "{col} not named: {text}"
        );
    }
    assert!(!text.contains("--ignore"), "CLI advice in the app: {text}");
    let before = h.state().models.len();
    h.get_by_label("Leave out and retrain").click();
    analysed_after(&mut h, before);
    let app = h.state();
    let ds = &app.data.as_ref().unwrap().ds;
    for col in POST_OUTCOME {
        assert!(
            ds.choice.ignore.iter().any(|c| c == col),
            "{col} still a feature"
        );
    }
    let SourceSpec::File { ignore, .. } = &app.session.source else {
        panic!("{:?}", app.session.source)
    };
    assert_eq!(ignore.len(), 3, "{ignore:?}");
    let honest = valid_f1(app);
    assert!(honest < 0.9, "validation F1 {honest:.3} without them");
    // The columns stay in the table for slices, and the new model is not flagged.
    assert!(ds.table.column("is_recid").is_some());
    settle_ranking(&mut h);
    assert!(leak_notice(h.state()).is_none(), "{:?}", h.state().notices);
}

/// Steps until no background job is left (the retrained model's ranking included).
fn settle_ranking(h: &mut Harness<'_, SlicelabApp>) {
    common::wait_for(h, "the background work to end", |a| a.busy().is_none());
}

#[test]
fn the_importance_tab_ranks_the_post_outcome_flag_first_with_intervals() {
    let home = tempfile::tempdir().unwrap();
    let mut h = launched(home.path());
    train_quick(&mut h);
    h.get_by_label("Importance").click();
    common::wait_for_text(&mut h, "all rows (");
    // The first data row of the all-rows table is the flag recorded after the outcome.
    let y = |h: &Harness<'_, SlicelabApp>, name: &str| {
        h.query_all_by_label(name)
            .filter_map(|n| n.accesskit_node().bounding_box().map(|b| b.y0))
            .fold(f64::INFINITY, f64::min)
    };
    let first = y(&h, "is_recid");
    for honest in ["age", "priors_count", "sex", "charge_degree"] {
        assert!(first < y(&h, honest), "{honest} ranked above is_recid");
    }
    // The warning and its button are on the tab too, beside the notice's.
    common::wait_for(&mut h, "the leak notice", |a| leak_notice(a).is_some());
    h.run_steps(2);
    assert_eq!(h.query_all_by_label("Leave out and retrain").count(), 2);
    // Retrained from the tab: the tab moves to the new model, which nothing flags.
    let before = h.state().models.len();
    h.query_all_by_label("Leave out and retrain")
        .last()
        .expect("the tab's button")
        .click();
    analysed_after(&mut h, before);
    settle_ranking(&mut h);
    h.run_steps(3);
    assert!(leak_notice(h.state()).is_none(), "{:?}", h.state().notices);
    assert!(h.query_by_label_contains("nearly perfect").is_none());
    h.get_by_label_contains("vanilla-seed0 (quick) #2: the score lost");
}

#[test]
fn the_dialog_lists_suspects_first_and_an_unticked_column_is_not_a_feature() {
    let home = tempfile::tempdir().unwrap();
    let mut h = common::launched(home.path(), data(), None, None);
    common::wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    // The guessed label is the last column, the one this fixture has.
    h.get_by_label_contains("Features:").click();
    common::wait_for_text(&mut h, "Suspected (");
    common::wait_for_text(&mut h, "looks like a row identifier");
    h.get_by_label("Leave these out").click();
    h.run();
    // And one honest column unticked by hand.
    h.get_by_label_contains("age · ").click();
    h.run();
    h.get_by_label("Open").click();
    common::wait_for(&mut h, "the file to load", |a| a.data.is_some());
    let app = h.state();
    let ds = &app.data.as_ref().unwrap().ds;
    let plan = slicelab::slices::columns::feature_plan(ds, &app.session.slices);
    let features = plan.columns();
    for col in ["id", "is_recid", "age"] {
        assert!(!features.iter().any(|f| f == col), "{col} is a feature");
        assert!(ds.table.column(col).is_some(), "{col} left the table");
    }
    assert!(features.iter().any(|f| f == "priors_count"), "{features:?}");
    // Kept with the session.
    let SourceSpec::File { ignore, .. } = &app.session.source else {
        panic!("{:?}", app.session.source)
    };
    let saved = serde_json::to_string(&app.session.source).unwrap();
    let back: SourceSpec = serde_json::from_str(&saved).unwrap();
    assert_eq!(&back, &app.session.source);
    assert!(ignore.iter().any(|c| c == "age"), "{ignore:?}");
}
