//! The Errors tab's row inspector and feature distributions in the real app (issue 17 items 12
//! and 13): the search box narrows the rows, a header click sorts them, a click on a row shows
//! every column of it with long text whole, an 8x8 pixel table's row is drawn as an image, and
//! the Distributions view lists the feature that differs most in the slice first.

use crate::common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{header_x, wait_for, wait_for_text};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::data::Split;
use slicelab::gui::SlicelabApp;

type H = Harness<'static, SlicelabApp>;

/// The app opened on `path` with its `label` and `pred` columns, analysed.
fn app_on(home: &Path, path: PathBuf) -> H {
    let mut h = common::launched(home, path, Some("label"), Some("pred"));
    wait_for(&mut h, "the table to be analysed", |a| {
        a.data.is_some()
            && a.predicted.is_some()
            && a.jobs.analysis.is_none()
            && a.analysis.as_ref().is_some_and(|x| !x.reports.is_empty())
    });
    h
}

/// Opens the Errors tab on split `split` with slice `slice` selected.
fn errors_on(h: &mut H, split: Split, slice: &str) {
    h.get_by_label("Errors").click();
    h.run();
    h.get_by_label(split.name()).click();
    h.run();
    h.get_by_label(slice).click();
    h.run();
}

/// The split of the row whose `column` reads `value`.
fn split_of(h: &H, column: &str, value: &str) -> (usize, Split) {
    let ds = &h.state().data.as_ref().unwrap().ds;
    let col = ds.table.column(column).unwrap();
    let row = (0..ds.n_rows()).find(|&i| col.display(i) == value).unwrap();
    (row, ds.splits[row])
}

/// The top edge of the first widget labelled `label`; NaN when none is shown.
fn top(h: &H, label: &str) -> f64 {
    h.query_all_by_label(label)
        .filter_map(|n| n.accesskit_node().bounding_box())
        .map(|b| b.y0)
        .next()
        .unwrap_or(f64::NAN)
}

const LONG: &str = "An unhurried, generous film about a ferry crossing to Zanzibar that keeps \
    its best scene for the very end, long after you have stopped expecting one at all.";

/// 60 reviews: `id` (`r00`..), `review` (one long), `label`, `pred` (wrong every 7th row).
fn write_reviews(dir: &Path) -> PathBuf {
    let mut text = String::from("id,review,label,pred\n");
    for i in 0..60usize {
        let review = if i == 17 {
            LONG.to_string()
        } else {
            format!("plain review number {i}")
        };
        let label = i % 2;
        let pred = if i % 7 == 0 { 1 - label } else { label };
        writeln!(text, "r{i:02},\"{review}\",{label},{pred}").unwrap();
    }
    let path = dir.join("reviews.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn search_narrows_the_rows_and_a_click_shows_the_whole_row() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_on(home.path(), write_reviews(home.path()));
    let (row, split) = split_of(&h, "id", "r17");
    errors_on(&mut h, split, "overall");
    let ds = &h.state().data.as_ref().unwrap().ds;
    let n = ds.indices(split).len();
    // Another row of the same split, shown before the search and hidden by it.
    let other = (0..ds.n_rows())
        .find(|&i| ds.splits[i] == split && i != row)
        .unwrap();
    let other_id = format!("r{other:02}");
    wait_for_text(&mut h, &format!("Rows of overall ({n})"));
    assert!(
        top(&h, &other_id).is_finite(),
        "{other_id} listed before the search"
    );
    h.get_by_role_and_label(Role::TextInput, "Find in rows:")
        .click();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Find in rows:")
        .type_text("zanZIBAR");
    wait_for_text(&mut h, &format!("Rows of overall (1 of {n})"));
    assert!(
        top(&h, &other_id).is_nan(),
        "{other_id} hidden by the search"
    );
    assert!(
        h.query_by_label_contains("Row 17 (").is_none(),
        "no details yet"
    );
    let before = h.query_all_by_label(LONG).count();
    h.get_by_label("r17").click();
    h.run();
    h.get_by_label(&format!("Row {row} ({})", split.name()));
    // The long review is shown whole in the pane, wrapped, besides the truncated cell.
    assert!(
        h.query_all_by_label(LONG).count() > before,
        "the details pane shows the whole review"
    );
    assert!(
        h.query_by_label_contains("image").is_none(),
        "a text table is no image table"
    );
    // Clearing the search brings every row back.
    h.get_by_label("Clear search").click();
    wait_for_text(&mut h, &format!("Rows of overall ({n})"));
    assert!(top(&h, &other_id).is_finite());
}

#[test]
fn a_header_click_sorts_the_rows_by_that_column() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_on(home.path(), write_reviews(home.path()));
    errors_on(&mut h, Split::Train, "overall");
    let ds = &h.state().data.as_ref().unwrap().ds;
    let ids: Vec<String> = ds
        .indices(Split::Train)
        .iter()
        .map(|&i| format!("r{i:02}"))
        .collect();
    let (first, last) = (ids[0].clone(), ids[ids.len() - 1].clone());
    wait_for_text(&mut h, "Rows of overall");
    assert!(top(&h, &first) < top(&h, &last) || top(&h, &last).is_nan());
    h.get_by_label("id").click();
    wait_for_text(&mut h, "id ▲");
    h.get_by_label("id ▲").click();
    wait_for_text(&mut h, "sorted by id (descending)");
    // The sorted rows have arrived (until then the last order stays up, "searching…").
    wait_for_text(&mut h, &format!("Rows of overall ({})", ids.len()));
    // Descending: the last id is now on top, above the first one (or the first scrolled away).
    let (t_first, t_last) = (top(&h, &first), top(&h, &last));
    assert!(
        t_last.is_finite(),
        "{last} on screen when sorted descending"
    );
    assert!(
        t_first.is_nan() || t_last < t_first,
        "{last} at {t_last}, {first} at {t_first}"
    );
}

/// 40 rows of an 8x8 digit-like grid `p0..p63` (values 0..16), `label`, `pred`.
fn write_pixels(dir: &Path) -> PathBuf {
    let names: Vec<String> = (0..64).map(|i| format!("p{i}")).collect();
    let mut text = format!("{},label,pred\n", names.join(","));
    for r in 0..40usize {
        for p in 0..64usize {
            let (x, y) = (p % 8, p / 8);
            // A ring: bright on the border of a 4x6 box, dark elsewhere.
            let ring = (2..=5).contains(&x) && (1..=6).contains(&y) && !(3..=4).contains(&x)
                || (2..=5).contains(&x) && (y == 1 || y == 6);
            let v = if ring { 16 - r % 3 } else { r % 2 };
            write!(text, "{v},").unwrap();
        }
        writeln!(text, "{},{}", r % 2, (r / 3) % 2).unwrap();
    }
    let path = dir.join("pixels.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_row_of_an_8x8_pixel_table_is_shown_as_an_image() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_on(home.path(), write_pixels(home.path()));
    errors_on(&mut h, Split::Train, "overall");
    wait_for_text(&mut h, "Rows of overall");
    assert!(h.query_by_label_contains("×8 image").is_none());
    // Click the first row's correct? mark.
    let mark = h
        .query_all_by_label("✓")
        .chain(h.query_all_by_label("✗"))
        .min_by(|a, b| {
            let y = |n: &egui_kittest::Node<'_>| {
                n.accesskit_node().bounding_box().map_or(0.0, |b| b.y0)
            };
            y(a).total_cmp(&y(b))
        })
        .expect("a correct? mark");
    mark.click();
    h.run();
    let image = h.get_by_label_contains("as a 8×8 image");
    let b = image
        .accesskit_node()
        .bounding_box()
        .expect("the image is laid out");
    assert!(
        b.width() >= 100.0 && (b.width() - b.height()).abs() < 1.0,
        "{b:?}"
    );
    h.get_by_label_contains("8×8 pixels from 64 columns");
}

/// 600 rows: `slice_a` (a quarter of the rows), `strong` (far higher in the slice), `mild`
/// (somewhat higher), `same` (the same everywhere), `colour` (a category, the same everywhere),
/// `label`, `pred`.
fn write_shifted(dir: &Path) -> PathBuf {
    let mut text = String::from("same,colour,mild,strong,slice_a,label,pred\n");
    for i in 0..600usize {
        let inside = i % 4 == 0;
        let strong = if inside { 50 + i % 7 } else { i % 7 };
        let mild = if inside && i % 8 == 0 { 9 } else { i % 10 };
        let colour = ["red", "green", "blue"][(i / 4) % 3];
        let label = (i / 2) % 2;
        let pred = if inside { 1 - label } else { label };
        writeln!(
            text,
            "{},{colour},{mild},{strong},{},{label},{pred}",
            (i / 4) % 10,
            u8::from(inside)
        )
        .unwrap();
    }
    let path = dir.join("shifted.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn distributions_list_the_most_different_feature_first() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_on(home.path(), write_shifted(home.path()));
    errors_on(&mut h, Split::Train, "slice_a");
    h.get_by_label("Distributions").click();
    h.step();
    wait_for_text(&mut h, "features most different first");
    let order = ["strong", "mild", "same"];
    let ys: Vec<f64> = order.iter().map(|n| top(&h, n)).collect();
    assert!(
        ys.iter().all(|y| y.is_finite()) && ys.windows(2).all(|w| w[0] < w[1]),
        "{order:?} at {ys:?}"
    );
    // `colour` is the same in and out of the slice: listed, below the shifted ones.
    assert!(top(&h, "colour") > top(&h, "mild"));
}

#[test]
fn a_models_class_probabilities_come_right_after_correct() {
    let home = tempfile::tempdir().unwrap();
    let mut h = common::app(home.path());
    common::wait_ready(&mut h);
    errors_on(&mut h, Split::Test, "overall");
    wait_for_text(&mut h, "Rows of overall");
    let order = ["y", "prediction", "correct?", "p(0)", "p(1)"];
    let xs: Vec<f64> = order.iter().map(|n| header_x(&h, n)).collect();
    assert!(
        xs.iter().all(|x| x.is_finite()) && xs.windows(2).all(|w| w[0] < w[1]),
        "{order:?} at {xs:?}"
    );
    // Sorting by p(1), descending: the top row holds the split's largest p(1).
    h.get_by_label("p(1)").click();
    wait_for_text(&mut h, "p(1) ▲");
    h.get_by_label("p(1) ▲").click();
    wait_for_text(&mut h, "sorted by p(1) (descending)");
    let n = h
        .state()
        .data
        .as_ref()
        .unwrap()
        .ds
        .indices(Split::Test)
        .len();
    wait_for_text(&mut h, &format!("Rows of overall ({n})"));
    let app = h.state();
    let ds = &app.data.as_ref().unwrap().ds;
    let p = &app.predicted.as_ref().unwrap().probs;
    let best = ds
        .indices(Split::Test)
        .iter()
        .map(|&i| p[2 * i + 1])
        .fold(0.0f32, f32::max);
    let x = header_x(&h, "p(1) ▼");
    let header_y = top(&h, "p(1) ▼");
    let first = h
        .query_all(egui_kittest::kittest::by())
        .filter_map(|n| {
            let b = n.accesskit_node().bounding_box()?;
            // A label's text is its AccessKit value.
            let node = n.accesskit_node();
            let label = node.label().or_else(|| node.value())?;
            ((b.x0 - x).abs() < 1.0 && b.y0 > header_y + 1.0).then_some((b.y0, label))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, l)| l);
    assert_eq!(first.as_deref(), Some(format!("{best:.3}").as_str()));
}
