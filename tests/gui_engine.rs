//! The app's aggregate mode, driven as a user would: File → Open logs (aggregate mode)…, the
//! census sample with two prediction columns, Read columns, Count; the Errors table from
//! DataFusion's counts, the row inspector and the Map saying why they are off, Compare with both
//! columns side by side, Recount after a slice edit, errors named in the dialog, and leaving
//! aggregate mode by loading a dataset.

#![cfg(feature = "engine")]

use crate::common;

use std::path::{Path, PathBuf};

use common::{app, wait_for, wait_for_text, wait_ready};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::data::HeaderMode;
use slicelab::data::load::read_table_with;
use slicelab::gui::SlicelabApp;
use slicelab::gui::aggregate::{MAP_OFF, ROWS_OFF};
use slicelab::gui::command::{Command, FilePurpose};
use slicelab::metrics::text::num;
use slicelab::slices::{SliceDef, SliceSet};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The census sample with a second prediction column, `pred_b` (1 for people 40 or older who
/// worked 50 weeks or more), written into `dir`.
fn census_with_pred_b(dir: &Path) -> PathBuf {
    let mut r = csv::Reader::from_path(root().join("tests/data/census_sample.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (age, weeks) = (at("age"), at("weeks_worked_in_year"));
    let path = dir.join("census_two_preds.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    let mut out: Vec<&str> = headers.iter().collect();
    out.push("pred_b");
    w.write_record(&out).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let old = rec[age].parse::<f64>().unwrap() >= 40.0;
        let worked = rec[weeks].parse::<f64>().unwrap() >= 50.0;
        let mut row: Vec<&str> = rec.iter().collect();
        row.push(if old && worked { "1" } else { "0" });
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    path
}

/// Per slice (`overall` first): its name, rows, positives, and the F1 of `pred` and `pred_b`,
/// computed in memory by slicelab's own evaluation of the slice set.
fn expected(path: &Path, set: &SliceSet) -> Vec<(String, usize, usize, [Option<f64>; 2])> {
    let table = read_table_with(path, HeaderMode::Auto).unwrap();
    let ev = set.evaluate(&table).unwrap();
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    let cols: Vec<usize> = ["income", "pred", "pred_b"]
        .iter()
        .map(|c| headers.iter().position(|h| h == *c).unwrap())
        .collect();
    let rows: Vec<[bool; 3]> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            std::array::from_fn(|k| &rec[cols[k]] == "1")
        })
        .collect();
    let all = slicelab::slices::Bitmap::ones(rows.len());
    let slices = std::iter::once(("overall".to_string(), &all))
        .chain(ev.names.iter().cloned().zip(ev.masks.iter()));
    slices
        .map(|(name, mask)| {
            let members: Vec<&[bool; 3]> = mask.ones_iter().map(|i| &rows[i]).collect();
            let pos = members.iter().filter(|r| r[0]).count();
            let f1 = |k: usize| {
                let tp = members.iter().filter(|r| r[0] && r[k]).count() as f64;
                let fp = members.iter().filter(|r| !r[0] && r[k]).count() as f64;
                let fneg = members.iter().filter(|r| r[0] && !r[k]).count() as f64;
                let d = 2.0 * tp + fp + fneg;
                (d > 0.0).then(|| 2.0 * tp / d)
            };
            (name, members.len(), pos, [f1(1), f1(2)])
        })
        .collect()
}

/// The vertical centre of every widget labelled exactly `text`.
fn ys(h: &Harness<'_, SlicelabApp>, text: &str) -> Vec<f64> {
    h.query_all_by_label(text)
        .filter_map(|n| n.accesskit_node().bounding_box())
        .map(|b| (b.y0 + b.y1) / 2.0)
        .collect()
}

/// Whether a widget labelled `a` and one labelled `b` sit on one row.
fn same_row(h: &Harness<'_, SlicelabApp>, a: &str, b: &str) -> bool {
    let bs = ys(h, b);
    ys(h, a)
        .iter()
        .any(|y| bs.iter().any(|z| (y - z).abs() < 2.0))
}

/// The app on `home` with the census slice set opened (File → Slices → Open…).
fn census_app(home: &Path) -> Harness<'static, SlicelabApp> {
    let mut h = app(home);
    wait_ready(&mut h);
    let census = root().join("assets/slices/census.toml");
    h.state_mut().picked(FilePurpose::OpenSlices, census);
    wait_for(&mut h, "the census slices", |a| {
        a.session.slices.slices.iter().any(|s| s.name == "female")
    });
    h
}

fn open_dialog(h: &mut Harness<'_, SlicelabApp>) {
    h.get_by_label("File").click();
    h.run_steps(4);
    h.get_by_label("Open logs (aggregate mode)…").click();
    h.run_steps(4);
    assert!(h.state().aggregate_dialog.is_some(), "the dialog is open");
}

/// Reads the dialog's data (as set) and waits for the columns or an error.
fn read_columns(h: &mut Harness<'_, SlicelabApp>) {
    h.get_by_label("Read columns").click();
    wait_for(h, "the files' columns", |a| {
        a.jobs.aggregate_read.is_none()
            && a.aggregate_dialog
                .as_ref()
                .is_some_and(|d| d.read.is_some() || d.error.is_some())
    });
}

/// Opens `data` in the aggregate dialog as a user would, ticks `pred_b` beside the guessed
/// `pred`, and counts.
fn open_and_count(h: &mut Harness<'_, SlicelabApp>, data: &Path) {
    open_dialog(h);
    let field = "Data (file, folder or glob)";
    h.get_by_role_and_label(Role::TextInput, field).click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::TextInput, field)
        .type_text(&data.display().to_string());
    h.run_steps(2);
    read_columns(h);
    {
        let d = h.state().aggregate_dialog.as_ref().unwrap();
        assert_eq!(d.error, None);
        assert_eq!(d.label, "income", "the label is guessed");
        assert_eq!(d.preds, ["pred"], "the prediction column is guessed");
    }
    // 44 columns: the list scrolls; the search narrows it to the prediction columns.
    h.get_by_role_and_label(Role::TextInput, "Find column")
        .click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::TextInput, "Find column")
        .type_text("pred");
    h.run_steps(4);
    assert!(
        h.query_by_label("age").is_none(),
        "the search hides other columns"
    );
    h.get_by_role_and_label(Role::CheckBox, "pred_b").click();
    h.run_steps(2);
    assert_eq!(
        h.state().aggregate_dialog.as_ref().unwrap().preds,
        ["pred", "pred_b"]
    );
    h.get_by_label("Count").click();
    wait_for(h, "the counts", |a| a.aggregate.is_some());
    h.run_steps(4);
    assert!(h.state().data.is_none(), "aggregate mode leaves memory");
    assert!(h.state().analysis.is_none());
    assert!(h.state().aggregate_dialog.is_none(), "the dialog closes");
}

/// Adds a slice, waits for the warning, recounts, and checks the new slice's row.
fn recount(h: &mut Harness<'_, SlicelabApp>, data: &Path, set: &SliceSet) {
    let old = SliceDef::new("old", "age >= 80");
    let mut with_old = set.clone();
    with_old.slices.push(old.clone());
    let (_, old_n, old_pos, _) = expected(data, &with_old).pop().unwrap();
    h.state_mut().push(Command::AddSlice(old));
    wait_for_text(h, "The slices changed since this count");
    h.get_by_label("Recount").click();
    wait_for(h, "the recount", |a| {
        a.jobs.aggregate_count.is_none()
            && a.aggregate
                .as_ref()
                .is_some_and(|x| x.reports[0].report.rows.iter().any(|r| r.name == "old"))
    });
    h.run_steps(4);
    let support = format!("{old_n} ({old_pos} pos)");
    assert!(same_row(h, "old", &support), "old shows {support}");
    assert!(h.query_by_label_contains("The slices changed").is_none());
}

#[test]
fn aggregate_mode_counts_slices_with_datafusion() {
    let home = tempfile::tempdir().unwrap();
    let data = census_with_pred_b(home.path());
    let slices_file = root().join("assets/slices/census.toml");
    let set = SliceSet::load(&slices_file).unwrap();
    let want = expected(&data, &set);
    let mut h = app(home.path());
    wait_ready(&mut h);
    h.state_mut().picked(FilePurpose::OpenSlices, slices_file);
    wait_for(&mut h, "the census slices", |a| {
        a.session.slices.slices.len() == set.slices.len()
    });
    open_and_count(&mut h, &data);

    // Errors: every slice with its rows and positives, on its own row of the table.
    assert_eq!(want.len(), set.slices.len() + 1);

    for (name, n, pos, _) in &want {
        let support = format!("{n} ({pos} pos)");
        assert!(
            same_row(&h, name, &support),
            "{name} shows {support} in the Errors table"
        );
    }
    h.get_by_label(ROWS_OFF);
    // Selecting a slice (its name is in the side panel too) shows its confusion matrix.
    h.state_mut().session.selected = Some("female".into());
    h.run_steps(4);
    h.get_by_label("Confusion of female (rows: true, columns: predicted)");
    h.get_by_label(ROWS_OFF);
    assert!(h.query_by_label("correct?").is_none(), "no rows table");
    assert!(h.query_by_label("Distributions").is_none());

    // Map: off, saying why.
    h.get_by_label("Map").click();
    h.run_steps(4);
    h.get_by_label(MAP_OFF);

    // Compare: both columns side by side, each slice's F1 per column.
    h.get_by_label("Compare").click();
    h.run_steps(4);
    h.get_by_label("pred F1");
    h.get_by_label("pred_b F1");
    let (_, n, _, [a, b]) = want.iter().find(|w| w.0 == "female").unwrap();
    assert_ne!(num(*a), num(*b), "the two columns differ on female");
    assert!(same_row(&h, "female", &n.to_string()));
    assert!(same_row(&h, "female", &num(*a)), "pred's F1 on female");
    assert!(same_row(&h, "female", &num(*b)), "pred_b's F1 on female");

    // A slice edit asks for a recount; the editor checks against the files' sample.
    h.get_by_label("Errors").click();
    h.run_steps(2);
    recount(&mut h, &data, &set);
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .click();
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .type_text("sex = 'Male' AND age > 30");
    wait_for_text(&mut h, "coverage after Recount");
}

#[test]
fn aggregate_errors_name_what_is_wrong() {
    let home = tempfile::tempdir().unwrap();
    let mut h = census_app(home.path());
    open_dialog(&mut h);
    let glob = format!("{}/nothing-*.parquet", home.path().display());
    h.state_mut().aggregate_dialog.as_mut().unwrap().data = glob.clone();
    h.run_steps(2);
    read_columns(&mut h);
    let error = format!("{glob}: no .parquet or .csv file matches");
    assert_eq!(
        h.state()
            .aggregate_dialog
            .as_ref()
            .unwrap()
            .error
            .as_deref(),
        Some(error.as_str())
    );
    let shown = h.query_all_by_label(&format!("⚠ {error}")).count();
    assert_eq!(shown, 2, "the error is in the dialog and the banner");

    let data = census_with_pred_b(home.path());
    let d = h.state_mut().aggregate_dialog.as_mut().unwrap();
    d.data = data.display().to_string();
    d.memory = "lots".into();
    h.run_steps(2);
    read_columns(&mut h);
    let e = h.state().aggregate_dialog.as_ref().unwrap().error.clone();
    assert!(e.is_some_and(|e| e.contains("memory limit 'lots'")));

    // A slice that does not compile on these columns, and one built on it, are left out and
    // named; the other slices are counted.
    h.state_mut().aggregate_dialog.as_mut().unwrap().memory = "2GB".into();
    for (name, expr) in [
        ("ghost", "no_such_column = 1"),
        ("ghost_women", "ghost AND female"),
    ] {
        h.state_mut()
            .push(Command::AddSlice(SliceDef::new(name, expr)));
    }
    h.run_steps(2);
    read_columns(&mut h);
    h.get_by_label("Count").click();
    wait_for(&mut h, "the counts", |a| {
        a.jobs.aggregate_count.is_none() && a.aggregate.is_some()
    });
    h.run_steps(4);
    let shown = |h: &Harness<'_, SlicelabApp>, name: &str| {
        h.query_all_by_label_contains(&format!("Not counted: {name} ("))
            .map(|n| n.accesskit_node().value().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let ghost = shown(&h, "ghost");
    assert!(
        ghost.len() == 1 && ghost[0].contains("no_such_column"),
        "{ghost:?}"
    );
    assert_eq!(shown(&h, "ghost_women").len(), 1, "the slice built on it");
    let agg = h.state().aggregate.as_ref().unwrap();
    let rows: Vec<&str> = (agg.reports[0].report.rows.iter())
        .map(|r| r.name.as_str())
        .collect();
    assert!(rows.contains(&"female") && !rows.iter().any(|r| r.starts_with("ghost")));
    assert!(
        h.query_by_label_contains("The slices changed").is_none(),
        "a left-out slice does not ask for a recount"
    );
    // The side panel says so too, and the editor still checks a new slice on the sample.
    assert_eq!(h.query_all_by_label("not counted").count(), 2);
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .click();
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .type_text("sex = 'Male' AND age > 30");
    wait_for_text(&mut h, "coverage after Recount");

    // Loading a dataset leaves aggregate mode.
    h.state_mut()
        .push(Command::Load(slicelab::gui::state::SourceSpec::Demo));
    wait_for(&mut h, "the demo again", |a| {
        a.data.is_some() && a.aggregate.is_none()
    });
}

/// Aggregate mode is part of the session: a restart counts the same logs again (same label and
/// prediction columns); when they are gone, the banner says so and the dataset opens instead.
#[test]
fn aggregate_mode_comes_back_after_a_restart() {
    use eframe::App;
    let home = tempfile::tempdir().unwrap();
    let data = census_with_pred_b(home.path());
    let mut storage = common::Memory::default();
    {
        let mut h = census_app(home.path());
        open_and_count(&mut h, &data);
        h.state_mut().save(&mut storage);
    }
    let mut h = common::restart(home.path(), &storage);
    wait_for(&mut h, "the logs counted again", |a| a.aggregate.is_some());
    let a = h.state().aggregate.as_ref().unwrap();
    assert_eq!(
        (a.label.as_str(), a.preds()),
        ("income", vec!["pred".into(), "pred_b".into()])
    );
    assert!(a.reports[0].report.row("female").is_some());
    assert!(h.state().data.is_none(), "no dataset is loaded on the way");
    let mut again = common::Memory::default();
    h.state_mut().save(&mut again);
    drop(h);

    std::fs::remove_file(&data).unwrap();
    let mut h = common::restart(home.path(), &again);
    wait_for(&mut h, "the dataset instead", |a| {
        a.data.is_some() && a.jobs.load.is_none()
    });
    // The banner said so (the log keeps it: the census slices then fail on the demo dataset).
    let said = (h.state().log.iter())
        .find(|l| l.contains("could not count the last session's logs again"))
        .cloned()
        .unwrap_or_default();
    assert!(said.contains("census_two_preds"), "{:?}", h.state().log);
    assert!(h.state().aggregate.is_none() && h.state().session.aggregate.is_none());
}
