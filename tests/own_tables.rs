//! A user's own tables: files without a header row, headers that repeat a name, the label given
//! by position, and the hints an expression with the wrong quotes or on several lines gets.

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::{p, slicelab, stderr, stdout};
use common::wait_for;
use slicelab::data::load::{Sources, read_table, read_table_with};
use slicelab::data::{Dataset, DatasetSpec, HeaderMode};
use slicelab::slices::{SliceDef, SliceError, SliceSet};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// 200 rows of 5 numeric columns and no header: three features, a prediction (c3) and the
/// label last (c4); `first` is the first line.
fn headerless(first: &str) -> String {
    let mut csv = format!("{first}\n");
    for i in 1..200 {
        let label = u8::from(i % 3 == 0);
        let pred = if i % 7 == 0 { 1 - label } else { label };
        csv.push_str(&format!(
            "{:.2},{},{},{pred},{label}\n",
            1.5 + f64::from(i % 13),
            20 + i % 10,
            -(i % 17) - 1
        ));
    }
    csv
}

#[test]
fn a_numeric_file_without_header_gets_positional_names_and_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "nums.csv", &headerless("0.25,33,-40,0,1"));
    let t = read_table(&path).unwrap();
    assert_eq!(t.names(), ["c0", "c1", "c2", "c3", "c4"]);
    assert_eq!(t.n_rows(), 200, "the first row is data");
    assert!(t.headerless);
    assert_eq!(t.notices.len(), 1, "{:?}", t.notices);
    assert!(
        t.notices[0].contains("nums.csv") && t.notices[0].contains("c0..c4"),
        "{:?}",
        t.notices
    );
    assert_eq!(t.column("c0").unwrap().display(0), "0.25");
    // Told there is a header, the first row names the columns.
    let named = read_table_with(&path, HeaderMode::Yes).unwrap();
    assert_eq!(named.names(), ["0.25", "33", "-40", "0", "1"]);
    assert_eq!(named.n_rows(), 199);
}

#[test]
fn the_label_can_be_given_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "nums.csv", &headerless("0.25,33,-40,0,1"));
    let sources = Sources::resolve(&path, None);
    let last = Dataset::load(&sources, &DatasetSpec::new("-1")).unwrap();
    assert_eq!(last.label, "c4");
    assert!(last.reserved.contains(&"c4".to_string()));
    assert_eq!(last.n_classes(), 2);
    let first = Dataset::load(&sources, &DatasetSpec::new("0")).unwrap();
    assert_eq!(first.label, "c0");
    // A column named like a position wins over the position.
    let named = write(dir.path(), "named.csv", "x,0,y\n1,a,0\n2,b,1\n3,a,1\n");
    let ds = Dataset::load(&Sources::resolve(&named, None), &DatasetSpec::new("0")).unwrap();
    assert_eq!(ds.label, "0");
    assert_eq!(ds.classes, ["a", "b"]);
}

#[test]
fn header_yes_on_a_headerless_file_refuses_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    // The first data row repeats 0, as the old loader's "duplicate column name '0'" showed.
    let path = write(dir.path(), "nums.csv", &headerless("2.5,20,-3,0,0"));
    let msg = read_table_with(&path, HeaderMode::Yes)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("nums.csv")
            && msg.contains("duplicate column name '0'")
            && msg.contains("--header no"),
        "{msg}"
    );
    assert_eq!(read_table(&path).unwrap().names()[4], "c4");
}

#[test]
fn headers_stay_headers_unless_the_first_row_is_clearly_data() {
    let dir = tempfile::tempdir().unwrap();
    let text_over_numbers = headerless("x,n,d,p,label");
    let t = read_table(&write(dir.path(), "h.csv", &text_over_numbers)).unwrap();
    assert_eq!(t.names(), ["x", "n", "d", "p", "label"]);
    assert!(!t.headerless && t.notices.is_empty(), "{:?}", t.notices);
    // All text: the first row could be data, but nothing says so with confidence.
    let cats = "red,circle\nred,circle\nblue,square\nred,square\nblue,circle\n";
    let t = read_table(&write(dir.path(), "cats.csv", cats)).unwrap();
    assert_eq!(t.names(), ["red", "circle"]);
    assert_eq!(t.n_rows(), 4);
    // Numbers for names over text data are a header too.
    let t = read_table(&write(dir.path(), "years.csv", "2019,2020\na,b\nc,d\n")).unwrap();
    assert_eq!(t.names(), ["2019", "2020"]);
}

#[test]
fn duplicate_names_are_renamed_and_identical_copies_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("a,b,a,a,y\n");
    for i in 0..30 {
        // The second `a` copies the first; the third differs.
        csv.push_str(&format!("{i},{},{i},{},{}\n", i % 2, i * 2, i % 2));
    }
    let path = write(dir.path(), "dup.csv", &csv);
    let t = read_table(&path).unwrap();
    assert_eq!(t.names(), ["a", "b", "a_2", "a_3", "y"]);
    assert_eq!(t.notices.len(), 1, "{:?}", t.notices);
    let n = &t.notices[0];
    assert!(
        n.contains("dup.csv")
            && n.contains("column 3 'a' renamed 'a_2', identical to 'a'")
            && n.contains("column 4 'a' renamed 'a_3'")
            && n.matches("identical").count() == 1,
        "{n}"
    );
    // A later name that exists already is skipped.
    let t = read_table(&write(dir.path(), "skip.csv", "a,a,a_2\n1,2,3\n4,5,6\n")).unwrap();
    assert_eq!(t.names(), ["a", "a_3", "a_2"]);
}

#[test]
fn the_cli_reads_headerless_files_and_prints_notices() {
    let dir = tempfile::tempdir().unwrap();
    let nums = write(dir.path(), "nums.csv", &headerless("2.5,20,-3,0,0"));
    let args = |header: &str| -> Vec<String> {
        [
            "eval",
            "--data",
            p(&nums),
            "--header",
            header,
            "--label",
            "-1",
            "--pred",
            "c3",
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |a: Vec<String>| slicelab(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let o = run(args("auto"));
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("note:").count(), 1, "{err}");
    assert!(err.contains("c0..c4"), "{err}");
    assert!(stdout(&o).contains("overall"), "{}", stdout(&o));
    let o = run(args("no"));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(args("yes"));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("duplicate column name '0'") && stderr(&o).contains("--header no"),
        "{}",
        stderr(&o)
    );

    let mut csv = String::from("a,b,a,y\n");
    (0..20).for_each(|i| csv.push_str(&format!("{i},{},{i},{}\n", i % 2, (i / 2) % 2)));
    let dup = write(dir.path(), "dup.csv", &csv);
    let o = slicelab(&["eval", "--data", p(&dup), "--label", "y", "--pred", "b"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note:") && stderr(&o).contains("renamed 'a_2', identical to 'a'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_open_dialog_checkbox_rereads_and_loads_a_headerless_file() {
    use egui_kittest::kittest::Queryable;
    let home = tempfile::tempdir().unwrap();
    let data = write(home.path(), "nums.csv", &headerless("0.25,33,-40,0,1"));
    let mut h = common::launched(home.path(), data, None, None);
    let first_name = |a: &slicelab::gui::SlicelabApp| {
        a.open_dialog
            .as_ref()
            .and_then(|d| d.columns.first().map(|c| c.0.clone()))
    };
    wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    assert_eq!(first_name(h.state()).as_deref(), Some("c0"));
    assert!(!h.state().open_dialog.as_ref().unwrap().header);
    common::wait_for_text(&mut h, "no header row");
    h.get_by_label("First row is a header").click();
    wait_for(&mut h, "the preview with the first row as names", |a| {
        first_name(a).as_deref() == Some("0.25")
    });
    h.get_by_label("First row is a header").click();
    wait_for(&mut h, "the preview without a header", |a| {
        first_name(a).as_deref() == Some("c0")
    });
    assert_eq!(h.state().open_dialog.as_ref().unwrap().label, "c4");
    h.get_by_label("Open").click();
    wait_for(&mut h, "the header-less file to load", |a| {
        a.data.as_ref().is_some_and(|d| d.ds.n_rows() == 200)
    });
    let state = h.state();
    let d = state.data.as_ref().unwrap();
    assert_eq!(d.ds.label, "c4");
    assert_eq!(d.ds.table.names(), ["c0", "c1", "c2", "c3", "c4"]);
    match &d.source {
        slicelab::gui::state::SourceSpec::File { header, .. } => {
            assert_eq!(*header, HeaderMode::No);
        }
        other => panic!("loaded {other:?}"),
    }
}

#[test]
fn the_open_dialog_sniffs_a_semicolon_file_and_its_menu_rereads_it() {
    use egui_kittest::kittest::Queryable;
    let home = tempfile::tempdir().unwrap();
    let mut csv = String::from("name;score;y\n");
    (0..60).for_each(|i| csv.push_str(&format!("n{};{},{};{}\n", i % 7, i % 9, i % 4, i % 2)));
    let data = write(home.path(), "semi.csv", &csv);
    let mut h = common::launched(home.path(), data, None, None);
    wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    let columns = |a: &slicelab::gui::SlicelabApp| a.open_dialog.as_ref().map(|d| d.columns.len());
    assert_eq!(columns(h.state()), Some(3));
    common::wait_for_text(&mut h, "fields separated by semicolon ';' (sniffed");
    h.get_by_label_contains("decimal comma");
    // Choosing tab reads every line as one field.
    h.get_by_label("Fields separated by").click();
    h.run_steps(2);
    h.get_by_label("tab").click();
    wait_for(&mut h, "the preview read with tabs", |a| {
        columns(a) == Some(1)
    });
    h.get_by_label("Fields separated by").click();
    h.run_steps(2);
    h.get_by_label("sniffed").click();
    wait_for(&mut h, "the preview sniffed again", |a| {
        columns(a) == Some(3)
    });
    h.run_steps(2);
    h.get_by_label("Open").click();
    wait_for(&mut h, "the semicolon file to load", |a| {
        a.data.as_ref().is_some_and(|d| d.ds.n_rows() == 60)
    });
    let state = h.state();
    let score = state
        .data
        .as_ref()
        .unwrap()
        .ds
        .table
        .column("score")
        .unwrap();
    assert_eq!(score.display(1), "1.1", "0,847-style numbers are numbers");
}

#[test]
fn a_session_from_before_the_header_field_still_loads() {
    let old = r#"{"kind":"file","path":"d.csv","label":"y"}"#;
    let spec: slicelab::gui::state::SourceSpec = serde_json::from_str(old).unwrap();
    let slicelab::gui::state::SourceSpec::File { header, .. } = spec else {
        panic!("{spec:?}")
    };
    assert_eq!(header, HeaderMode::Auto);
}

fn expr_error(expr: &str) -> SliceError {
    let dir = tempfile::tempdir().unwrap();
    let table = read_table(&write(
        dir.path(),
        "p.csv",
        "age,sex,y\n30,Female,1\n20,Male,0\n41,Female,0\n",
    ))
    .unwrap();
    let set = SliceSet {
        slices: vec![SliceDef::new("w", expr)],
    };
    set.evaluate(&table).unwrap_err()
}

#[test]
fn double_quoted_strings_get_the_single_quote_hint() {
    let err = expr_error("sex = \"Female\"");
    let msg = err.to_string();
    assert!(
        msg.contains("unknown column 'Female'")
            && msg.contains("strings take single quotes: 'Female'")
            && msg.contains("at character 7"),
        "{msg}"
    );
}

#[test]
fn positions_are_characters_and_name_the_line_of_multiline_expressions() {
    let msg = expr_error("age > 30 AND agee < 2").to_string();
    assert!(
        msg.contains("at character 14") && !msg.contains("column 14"),
        "{msg}"
    );
    let err = expr_error("age > 30\n  AND agee < 2");
    let SliceError::Expr { error, expr, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!((error.line, error.column, error.width), (2, 7, 4));
    // The app underlines from the index in the whole expression.
    assert_eq!(error.char_index(expr), 15);
    assert_eq!(&expr[15..19], "agee");
    let msg = err.to_string();
    assert!(
        msg.contains("at line 2, character 7") && msg.contains("  AND agee < 2\n        ^^^^"),
        "{msg}"
    );
}

#[test]
fn parquet_duplicate_names_are_renamed_too() {
    use common::parquet::{Values, write};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.parquet");
    write(
        &path,
        "message m { required int64 a; required int64 a; required int64 y; }",
        &[
            Values::Int(&[1, 2, 3]),
            Values::Int(&[1, 2, 3]),
            Values::Int(&[0, 1, 0]),
        ],
    );
    let t = read_table(&path).unwrap();
    assert_eq!(t.names(), ["a", "a_2", "y"]);
    assert!(
        t.notices.len() == 1 && t.notices[0].contains("renamed 'a_2', identical to 'a'"),
        "{:?}",
        t.notices
    );
}
