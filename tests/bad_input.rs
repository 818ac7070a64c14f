//! Inputs that used to give wrong answers or panics: labels mixing numbers and text, predictions
//! that are not classes, degenerate CLI numbers, and `--data FOLDER` outside `train`.

use crate::common;

use common::cli::{ok, p, slicelab, stderr};

use std::path::Path;

use slicelab::data::load::Sources;
use slicelab::data::{Column, ColumnData, ColumnKind, Dataset, DatasetSpec, Split, Table};

/// A CSV of school grades K, 1, ..., 12, used as both label and prediction.
fn grades_csv(path: &Path) {
    let grades = [
        "K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
    ];
    let mut csv = String::from("x,grade,pred\n");
    for i in 0..130 {
        let g = grades[i % grades.len()];
        csv.push_str(&format!("{i},{g},{g}\n"));
    }
    std::fs::write(path, csv).unwrap();
}

fn load(path: &Path, label: &str, pred: &str) -> Result<Dataset, slicelab::data::DataError> {
    let spec = DatasetSpec {
        pred: Some(pred.into()),
        ..DatasetSpec::new(label)
    };
    Dataset::load(&Sources::resolve(path, None), &spec)
}

#[test]
fn a_label_mixing_numbers_and_text_keeps_every_row_in_its_class() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grades.csv");
    grades_csv(&path);
    let ds = load(&path, "grade", "pred").unwrap();
    let expect = [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "K",
    ];
    assert_eq!(ds.classes, expect);
    let label = ds.table.column("grade").unwrap();
    for (i, &y) in ds.y.iter().enumerate() {
        assert_eq!(ds.classes[y as usize], label.display(i), "row {i}");
    }
    assert_eq!(ds.pred.as_deref(), Some(ds.y.as_slice()));
    // The CLI scores the same column against itself as perfect.
    let out = ok(&[
        "eval",
        "--data",
        p(&path),
        "--label",
        "grade",
        "--pred",
        "pred",
    ]);
    let overall = out.lines().find(|l| l.starts_with("overall")).unwrap();
    assert!(overall.contains("1.000"), "{out}");
}

#[test]
fn a_prediction_that_is_not_a_class_is_an_error_naming_file_column_row_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preds.csv");
    let mut csv = String::from("x,y,p\n");
    for i in 0..10 {
        let pred = if i == 6 {
            "2".to_string()
        } else {
            (i % 2).to_string()
        };
        csv.push_str(&format!("{i},{},{pred}\n", i % 2));
    }
    std::fs::write(&path, csv).unwrap();
    let err = load(&path, "y", "p").unwrap_err().to_string();
    for part in [p(&path), "'p'", "row 7", "'2'"] {
        assert!(err.contains(part), "{part} missing from: {err}");
    }
    let o = slicelab(&["eval", "--data", p(&path), "--pred", "p"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("'2'"), "{}", stderr(&o));
}

#[test]
fn numeric_classes_match_predictions_spelled_as_decimals() {
    let num = |name: &str, v: Vec<f64>| Column {
        name: name.into(),
        kind: ColumnKind::Categorical,
        data: ColumnData::Numeric(v),
    };
    // Text predictions "1.0", "0.0" and "-0" against numeric classes 0 and 1.
    let pred = Column {
        name: "p".into(),
        kind: ColumnKind::Categorical,
        data: ColumnData::Strings {
            codes: vec![0, 1, 2, 0],
            levels: vec!["1.0".into(), "0.0".into(), "-0".into()],
        },
    };
    let table = Table {
        source: "mem".into(),
        columns: vec![num("y", vec![1.0, 0.0, 0.0, 1.0]), pred],
        ..Default::default()
    };
    let spec = DatasetSpec {
        pred: Some("p".into()),
        ..DatasetSpec::new("y")
    };
    let ds = Dataset::from_table(table, &spec, &[Some(Split::Test); 4]).unwrap();
    assert_eq!(ds.classes, ["0", "1"]);
    assert_eq!(ds.pred, Some(vec![1, 0, 0, 1]));
    assert_eq!(ds.y, vec![1, 0, 0, 1]);
}

#[test]
fn degenerate_demo_settings_are_refused_with_the_flag_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    let o = p(&out);
    for (args, flag) in [
        (vec!["demo", "figure1", "--out", o, "--n", "0"], "--n"),
        (vec!["demo", "figure1", "--out", o, "--k", "0"], "--k"),
        (
            vec!["demo", "figure1", "--out", o, "--noise", "1.5"],
            "--noise",
        ),
        (
            vec!["train", "--demo", "figure1", "--n", "0", "--epochs", "1"],
            "--n",
        ),
        (vec!["slices", "--demo", "figure1", "--n", "3"], "--n"),
    ] {
        let r = slicelab(&args);
        assert_eq!(r.status.code(), Some(1), "{args:?}: {}", stderr(&r));
        assert!(stderr(&r).contains(flag), "{args:?}: {}", stderr(&r));
        assert!(!stderr(&r).contains("panicked"), "{args:?}: {}", stderr(&r));
    }
    assert!(!out.exists(), "nothing is written for refused settings");
}

#[test]
fn suggest_refuses_fewer_than_two_bins() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "x,y,p\n1,0,0\n2,1,0\n").unwrap();
    for bins in ["0", "1"] {
        let args = ["suggest", "--data", p(&data), "--pred", "p", "--bins", bins];
        let r = slicelab(&args);
        assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
        assert!(stderr(&r).contains("--bins"), "{}", stderr(&r));
    }
}

/// A folder like `slicelab demo` writes, with an external model's predictions in column `p`.
fn folder_with_predictions(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, rows) in [("train", 200), ("valid", 40), ("test", 120)] {
        let mut csv = String::from("g,x,y,p,slice_1\n");
        for i in 0..rows {
            let g = ["bad", "ok1", "ok2", "ok3"][i % 4];
            let y = i % 2;
            let wrong = g == "bad" && name == "test";
            let pred = if wrong { 1 - y } else { y };
            csv.push_str(&format!("{g},{i},{y},{pred},{}\n", u8::from(g == "bad")));
        }
        std::fs::write(dir.join(format!("{name}.csv")), csv).unwrap();
    }
}

#[test]
fn eval_and_suggest_take_a_data_folder_and_read_its_test_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    folder_with_predictions(&data);
    let out = ok(&["eval", "--data", p(&data), "--pred", "p"]);
    let overall = out.lines().find(|l| l.starts_with("overall")).unwrap();
    // Only test.csv's 120 rows, a quarter of them wrong.
    assert!(
        overall.contains("120") && overall.contains("0.750"),
        "{out}"
    );
    assert!(out.contains("test.csv"), "{out}");
    let out = ok(&[
        "suggest",
        "--data",
        p(&data),
        "--pred",
        "p",
        "--split",
        "test",
        "--top",
        "1",
        "--min-support",
        "10",
    ]);
    assert!(
        out.contains("g = 'bad'") && out.contains("test split: 120 of 360 rows"),
        "{out}"
    );
    ok(&["slices", "--data", p(&data)]);
}

#[test]
fn a_read_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("test.csv")).unwrap();
    let missing = dir.path().join("missing.csv");
    for path in [&data, &missing] {
        let r = slicelab(&["eval", "--data", p(path), "--pred", "p"]);
        assert_eq!(r.status.code(), Some(1));
        let err = stderr(&r);
        assert_eq!(err.matches("os error").count(), 1, "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn a_100000_term_or_runs_through_slices_and_train() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["demo", "figure1", "--out", p(&data), "--n", "200"]);
    // Before the fix, about 2,000 terms overflowed the trainer thread's stack (exit 134).
    let expr = (0..100_000)
        .map(|i| format!("x1 > {}", 0.5 + (i % 100) as f64 / 1000.0))
        .collect::<Vec<_>>()
        .join(" OR ");
    let toml = format!(
        "[[slice]]\nname = \"sf_1\"\nexpr = \"sf_1\"\n\n[[slice]]\nname = \"long_or\"\nexpr = \"{expr}\"\n"
    );
    let slices = dir.path().join("s.toml");
    std::fs::write(&slices, toml).unwrap();
    let table = ok(&["slices", "--data", p(&data), "--slices", p(&slices)]);
    assert!(table.contains("long_or"), "{table}");
    let out = ok(&[
        "train",
        "--data",
        p(&data),
        "--slices",
        p(&slices),
        "--method",
        "sbl",
        "--epochs",
        "1",
    ]);
    assert!(out.contains("long_or"), "{out}");
}

#[test]
fn long_chains_inside_unsupported_constructs_are_errors_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["demo", "figure1", "--out", p(&data), "--n", "100"]);
    let chain = (0..10_000)
        .map(|i| format!("x1 > {i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    for expr in [
        format!("CASE WHEN {chain} THEN 1 END = 1"),
        format!("EXISTS (SELECT 1 WHERE {chain})"),
        format!("(x1, {chain}) IS NULL"),
    ] {
        let toml = format!("[[slice]]\nname = \"a\"\nexpr = \"\"\"{expr}\"\"\"\n");
        let slices = dir.path().join("s.toml");
        std::fs::write(&slices, toml).unwrap();
        let o = slicelab(&["slices", "--data", p(&data), "--slices", p(&slices)]);
        // Before the fix, sqlparser's recursive span and drop aborted the process (exit 134).
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("'a'"), "{}", stderr(&o));
    }
}

#[test]
fn a_slice_file_with_an_unknown_table_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["demo", "figure1", "--out", p(&data), "--n", "100"]);
    let slices = dir.path().join("s.toml");
    std::fs::write(&slices, "[[sf]]\nname = \"a\"\nexpr = \"x1 > 0\"\n").unwrap();
    let o = slicelab(&["slices", "--data", p(&data), "--slices", p(&slices)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("sf"), "{}", stderr(&o));
}
