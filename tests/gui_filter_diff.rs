//! The filter builder, the expression editor's completion and the Diff tab, driven as a user
//! would on the demo.

use crate::common;

use common::{app, wait_for, wait_for_text, wait_ready};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::data::Split;
use slicelab::gui::SlicelabApp;

/// The expression editor's text as the accessibility tree reports it.
fn expression(h: &Harness<'_, SlicelabApp>) -> String {
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .accesskit_node()
        .value()
        .unwrap_or_default()
        .to_string()
}

/// Picks `column` in the builder's column picker by typing it and pressing Enter, and waits for
/// its summary.
fn pick_column(h: &mut Harness<'_, SlicelabApp>, column: &str) {
    h.get_by_role_and_label(Role::ComboBox, "Filter column")
        .click();
    h.run_steps(4);
    h.get_by_role_and_label(Role::TextInput, "Search")
        .type_text(column);
    h.run_steps(4);
    h.key_press(Key::Enter);
    // The frame that picks the column only asks for its summary; the app counts it off the UI
    // thread and the builder shows it once it lands.
    h.step();
    h.get_by_label_contains(&format!("counting the values of '{column}'"));
    wait_for_text(h, "Add to expression");
    h.run_steps(2);
}

#[test]
fn the_filter_builder_writes_sql_and_the_editor_shows_its_coverage() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_label("Filter builder").click();
    h.run_steps(4);
    pick_column(&mut h, "x1");
    // A numeric column offers a range over its histogram, BETWEEN first.
    h.get_by_role_and_label(Role::Slider, "from")
        .set_value_accesskit(0.0);
    h.get_by_role_and_label(Role::Slider, "to")
        .set_value_accesskit(0.5);
    h.run_steps(4);
    h.get_by_label("x1 BETWEEN 0 AND 0.5");
    h.get_by_label("Add to expression").click();
    h.run_steps(4);
    assert_eq!(expression(&h), "x1 BETWEEN 0 AND 0.5");
    // A 0/1 column lists its values with their counts; the new condition joins with AND.
    pick_column(&mut h, "sf_1");
    let zeros = {
        let ds = &h.state().data.as_ref().unwrap().ds;
        let sf = ds.table.column("sf_1").unwrap().as_numeric().unwrap();
        sf.iter().filter(|&&v| v == 0.0).count()
    };
    h.get_by_label(&format!("0  ({zeros})")).click();
    h.run_steps(4);
    h.get_by_label("sf_1 = 0");
    h.get_by_label("Add to expression").click();
    h.run_steps(4);
    assert_eq!(expression(&h), "x1 BETWEEN 0 AND 0.5 AND sf_1 = 0");
    let expected = {
        let ds = &h.state().data.as_ref().unwrap().ds;
        let x1 = ds.table.column("x1").unwrap().as_numeric().unwrap();
        let sf = ds.table.column("sf_1").unwrap().as_numeric().unwrap();
        (0..ds.n_rows())
            .filter(|&i| (0.0..=0.5).contains(&x1[i]) && sf[i] == 0.0)
            .count()
    };
    assert!(expected > 0, "the demo has rows in the built slice");
    wait_for_text(&mut h, "rows match");
    h.get_by_label_contains(&format!("✔ {expected} rows match"));
}

#[test]
fn column_names_complete_in_the_expression_editor() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let editor = || (Role::MultilineTextInput, "Expression");
    h.get_by_role_and_label(editor().0, editor().1).click();
    h.get_by_role_and_label(editor().0, editor().1)
        .type_text("x2 < 0.5 AND sf_");
    h.run_steps(4);
    // The list offers the columns the word starts; Tab takes the first.
    h.get_by_label("Tab inserts");
    assert!(h.query_all_by_label("sf_2").count() > 0, "sf_2 is offered");
    h.key_press(Key::Tab);
    h.run_steps(4);
    assert_eq!(expression(&h), "x2 < 0.5 AND sf_1");
    assert!(h.query_by_label("Tab inserts").is_none(), "the list closes");
    wait_for_text(&mut h, "rows match");
}

/// Trains the Train tab's default methods (Vanilla and SBL) for two epochs and waits for the end.
fn train_two_epochs(h: &mut Harness<'_, SlicelabApp>) {
    h.get_by_label("Train").click();
    h.step();
    h.get_by_label("Epochs").set_value_accesskit(2.0);
    h.step();
    h.get_by_label("Start training").click();
    wait_for(h, "the run to start", |a| a.training.is_some());
    wait_for(h, "the run to finish", |a| a.training.is_none());
}

/// "A right, B wrong: n; ..." over the test rows of `mask`, counted here from both models'
/// own predictions.
fn counts_line(app: &SlicelabApp, a: usize, b: usize, slice: usize) -> String {
    let ds = &app.data.as_ref().unwrap().ds;
    let predict = |i: usize| {
        let m = &app.models[i];
        slicelab::gui::analysis::predict(&m.model, ds, &m.name)
            .unwrap()
            .classes
    };
    let (pa, pb) = (predict(a), predict(b));
    let mask = &app.analysis.as_ref().unwrap().masks[slice];
    let (mut a_only, mut b_only, mut both) = (0, 0, 0);
    for i in (0..ds.n_rows()).filter(|&i| ds.splits[i] == Split::Test && mask.get(i)) {
        match (pa[i] == ds.y[i], pb[i] == ds.y[i]) {
            (true, false) => a_only += 1,
            (false, true) => b_only += 1,
            (false, false) => both += 1,
            _ => {}
        }
    }
    format!("A right, B wrong: {a_only}; B right, A wrong: {b_only}; both wrong: {both}")
}

#[test]
fn two_models_side_by_side_with_their_disagreements_on_a_slice() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.get_by_label("Diff").click();
    h.run_steps(4);
    h.get_by_label_contains("Train or open two models");
    train_two_epochs(&mut h);
    assert_eq!(h.state().models.len(), 3);
    assert_eq!(h.state().models[2].method(), "sbl");
    h.get_by_label("Diff").click();
    h.run_steps(4);
    wait_for_text(&mut h, "rows where A and B disagree");
    // The table has the overall row and one per slice; a click shows that slice's rows.
    let slice = h.state().analysis.as_ref().unwrap().stats[0].name.clone();
    h.get_by_label("overall");
    h.get_by_label("Δ F1");
    h.get_all_by_label(&slice).last().unwrap().click();
    h.run_steps(4);
    wait_for_text(&mut h, &format!("{slice}: "));
    // B starts as the first model of another method than A's: SBL.
    let line = counts_line(h.state(), 0, 2, 0);
    println!("quick vs sbl on {slice}: {line}");
    h.get_by_label(&line);
    // Model B switched to the Vanilla run: the counts follow.
    h.get_by_role_and_label(Role::ComboBox, "Model B").click();
    h.run_steps(4);
    let second = h.state().models[1].name.clone();
    h.get_all_by_label(&second).last().unwrap().click();
    wait_for_text(&mut h, "rows where A and B disagree");
    let line = counts_line(h.state(), 0, 1, 0);
    wait_for_text(&mut h, &line);
}
