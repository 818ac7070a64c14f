//! A table 800 columns wide in the real app: the open dialog's column pickers narrow as you
//! type and pick by click or Enter, and the Errors rows table puts the label, prediction and
//! correct? first, lets a column far to the right be chosen, and hides and shows columns.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{header_x, wait_for};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::gui::SlicelabApp;

/// Writes 200 rows of `c0..c796` (small integers), `sf_big`, `label` and `pred`: 800 columns.
fn write_wide(dir: &Path) -> PathBuf {
    use std::fmt::Write as _;
    let mut text = String::new();
    let names: Vec<String> = (0..797).map(|i| format!("c{i}")).collect();
    writeln!(text, "{},sf_big,label,pred", names.join(",")).unwrap();
    for r in 0..200usize {
        for c in 0..797 {
            write!(text, "{},", (r * 7 + c * 13) % 17).unwrap();
        }
        let label = r % 2;
        let pred = if r % 5 == 0 { 1 - label } else { label };
        writeln!(text, "{},{label},{pred}", usize::from(r % 3 == 0)).unwrap();
    }
    let path = dir.join("wide.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn app_on(home: &Path, data: PathBuf) -> Harness<'static, SlicelabApp> {
    common::launched(home, data, None, None)
}

/// The names of the open picker's list rows among `candidates` that are on screen.
fn listed(h: &Harness<'_, SlicelabApp>, candidates: &[&str]) -> Vec<String> {
    candidates
        .iter()
        .filter(|n| {
            h.query_all_by_label(n)
                .any(|node| node.accesskit_node().role() == Role::Button)
        })
        .map(|n| n.to_string())
        .collect()
}

/// Opens the picker labelled `label` and types `text` into its search field.
fn search(h: &mut Harness<'_, SlicelabApp>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::ComboBox, label).click();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Search")
        .type_text(text);
    h.run();
}

#[test]
fn pickers_search_800_columns_and_the_rows_table_shows_any_of_them() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_on(home.path(), write_wide(home.path()));
    wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    h.run();
    let t = Instant::now();
    for _ in 0..5 {
        h.step();
    }
    let ms = t.elapsed().as_secs_f64() * 1e3 / 5.0;
    println!("open dialog frame on 200 x 800: {ms:.1} ms (debug build)");
    // The preview lays out a window of columns, not 800 type menus; the arrows move it.
    h.get_by_label_contains("columns 1–24 of ");
    h.get_by_label("columns ▶").click();
    h.run();
    h.get_by_label_contains("columns 25–48 of ");
    // Typing narrows the list (any case); a click picks.
    search(&mut h, "Label column", "C79");
    let some = ["c79", "c790", "c796", "c5", "label", "c100"];
    assert_eq!(listed(&h, &some), ["c79", "c790", "c796"]);
    h.get_by_role_and_label(Role::Button, "c790").click();
    h.run();
    assert_eq!(h.state().open_dialog.as_ref().unwrap().label, "c790");
    // The keyboard alone: type, Enter picks the first match.
    search(&mut h, "Label column", "LAB");
    assert_eq!(listed(&h, &["label", "c79", "sf_big"]), ["label"]);
    h.key_press(Key::Enter);
    h.run();
    let dialog = h.state().open_dialog.as_ref().unwrap();
    assert_eq!(
        (dialog.label.as_str(), dialog.pred.as_deref()),
        ("label", Some("pred"))
    );
    h.get_by_label("Open").click();
    wait_for(&mut h, "the wide table to be analysed", |a| {
        a.data
            .as_ref()
            .is_some_and(|d| d.ds.table.columns.len() == 800)
            && a.jobs.analysis.is_none()
            && a.analysis.as_ref().is_some_and(|x| !x.reports.is_empty())
    });
    errors_rows_table(&mut h);
}

fn errors_rows_table(h: &mut Harness<'_, SlicelabApp>) {
    h.get_by_label("Errors").click();
    h.run();
    h.get_by_label("overall").click();
    h.run();
    h.get_by_label_contains("Rows of overall");
    // Label, prediction, correct? first, then the SF column, then the rest.
    let order = ["label", "prediction", "correct?", "sf_big", "c0"];
    let xs: Vec<f64> = order.iter().map(|n| header_x(h, n)).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{order:?} at {xs:?}");
    assert!(header_x(h, "c700").is_nan(), "far columns are not laid out");
    // Hide all, then choose c700 by searching the chooser.
    h.get_by_label_contains("Columns 799/799").click();
    h.run();
    h.get_by_label("Hide all").click();
    h.run();
    assert!(header_x(h, "c0").is_nan() && header_x(h, "sf_big").is_nan());
    h.get_by_role_and_label(Role::TextInput, "Search").click();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Search")
        .type_text("c700");
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "c700").click();
    h.run();
    h.key_press(Key::Escape);
    h.run();
    h.get_by_label_contains("Columns 1/799");
    assert!(header_x(h, "correct?") < header_x(h, "c700"));
    assert!(h.state().session.views.errors.columns.is_shown("c700"));
    // Show all again (the search starts empty when the chooser opens): the columns come back.
    h.get_by_label_contains("Columns 1/799").click();
    h.run();
    h.get_by_label("Show all").click();
    h.run();
    h.key_press(Key::Escape);
    h.run();
    h.get_by_label_contains("Columns 799/799");
    assert!(header_x(h, "sf_big").is_finite());
}

/// Frames of the Errors and Map tabs on a 5,000 x 785 table stay short (printed; a generous
/// bound here, since tests run unoptimised and in parallel).
#[test]
fn the_first_frames_on_a_785_column_table_are_quick() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("mnist.csv");
    let mut text = String::new();
    for r in 0..5000usize {
        for c in 0..784usize {
            let v = if (r + c) % 5 == 0 { (r * c) % 255 } else { 0 };
            text.push_str(&format!("{v},"));
        }
        text.push_str(&format!(
            "{},{}\n",
            r % 10,
            (r + usize::from(r % 7 == 0)) % 10
        ));
    }
    std::fs::write(&path, text).unwrap();
    let mut h = common::launched(home.path(), path, Some("c784"), Some("c785"));
    wait_for(&mut h, "the MNIST-sized table to be analysed", |a| {
        a.data.is_some() && a.analysis.as_ref().is_some_and(|x| !x.reports.is_empty())
    });
    h.get_by_label("overall").click();
    h.run();
    for tab in ["Errors", "Map"] {
        h.get_by_label(tab).click();
        h.step();
        if tab == "Map" {
            // The picture is built in the background; time the frames that draw it.
            common::wait_for_text(&mut h, "Error heatmap");
        }
        let t = Instant::now();
        for _ in 0..5 {
            h.step();
        }
        let ms = t.elapsed().as_secs_f64() * 1e3 / 5.0;
        println!("{tab} frame on 5000 x 786: {ms:.1} ms (debug build)");
        assert!(ms < 1000.0, "{tab} frame took {ms:.0} ms");
    }
}
