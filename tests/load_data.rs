//! Loading CSV, gzip CSV and Parquet files, and the errors bad files produce.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};

use slicelab::data::load::{Sources, read_table};
use slicelab::data::{ColumnKind, DataError, Dataset, DatasetSpec, Split};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn load(path: &Path, label: &str) -> Result<Dataset, DataError> {
    Dataset::load(&Sources::resolve(path, None), &DatasetSpec::new(label))
}

#[test]
fn csv_types_missing_values_and_label_classes() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("age,sex,score,note,y\n");
    for i in 0..40 {
        let sex = if i % 3 == 0 { "Female" } else { "Male" };
        let score = if i % 7 == 0 {
            "?".to_string()
        } else {
            format!("{}.5", i)
        };
        csv.push_str(&format!(
            "{},{sex},{score},\"a long free text note number {i}, with a comma\",{}\n",
            20 + i,
            i % 2
        ));
    }
    let p = write(dir.path(), "people.csv", csv.as_bytes());
    let ds = load(&p, "y").unwrap();
    let t = &ds.table;
    assert_eq!(t.n_rows(), 40);
    assert_eq!(t.column("age").unwrap().kind, ColumnKind::Numeric);
    assert_eq!(t.column("sex").unwrap().kind, ColumnKind::Categorical);
    assert_eq!(t.column("note").unwrap().kind, ColumnKind::Text);
    let score = t.column("score").unwrap();
    assert_eq!(score.kind, ColumnKind::Numeric);
    assert!(
        score.is_missing(0) && score.is_missing(7),
        "'?' must be missing, not zero"
    );
    assert!(!score.is_missing(1));
    assert_eq!(ds.classes, vec!["0", "1"]);
    assert_eq!(ds.y[1], 1);
    // A deterministic stratified split covering every row.
    let counts: Vec<usize> = Split::ALL.iter().map(|s| ds.indices(*s).len()).collect();
    assert_eq!(counts.iter().sum::<usize>(), 40);
    assert_eq!(counts[0], 28);
}

#[test]
fn gzip_csv_loads_like_plain_csv() {
    let dir = tempfile::tempdir().unwrap();
    let text = "x,y\n1.5,a\n2.5,b\n3.5,a\n";
    let gz = dir.path().join("d.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let plain = write(dir.path(), "d.csv", text.as_bytes());
    let (a, b) = (read_table(&gz).unwrap(), read_table(&plain).unwrap());
    assert_eq!(a.n_rows(), 3);
    assert_eq!(
        a.column("x").unwrap().as_numeric(),
        b.column("x").unwrap().as_numeric()
    );
}

#[test]
fn separate_test_file_and_multiclass_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut train = String::from("x,label\n");
    for i in 0..30 {
        train.push_str(&format!("{i}.25,{}\n", ["cat", "dog", "emu"][i % 3]));
    }
    let tr = write(dir.path(), "train.csv", train.as_bytes());
    let te = write(dir.path(), "holdout.csv", b"x,label\n1.25,dog\n2.25,emu\n");
    let ds = Dataset::load(&Sources::resolve(&tr, Some(te)), &DatasetSpec::new("label")).unwrap();
    assert_eq!(ds.classes, vec!["cat", "dog", "emu"]);
    assert_eq!(ds.indices(Split::Test), vec![30, 31]);
    assert!(!ds.indices(Split::Valid).is_empty());
}

#[test]
fn parquet_loads_numbers_strings_and_nulls() {
    use common::parquet::{Values, write};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.parquet");
    // 4 rows, the third x is null.
    write(
        &path,
        "message m { optional double x; required binary s (UTF8); required int64 y; }",
        &[
            Values::Double(&[Some(0.5), Some(1.5), None, Some(3.5)]),
            Values::Text(&["a", "b", "a", "c"]),
            Values::Int(&[0, 1, 1, 0]),
        ],
    );

    let ds = load(&path, "y").unwrap();
    let x = ds.table.column("x").unwrap();
    assert_eq!(x.as_numeric().unwrap()[1], 1.5);
    assert!(x.is_missing(2));
    assert_eq!(ds.table.column("s").unwrap().display(3), "c");
    assert_eq!(ds.y, vec![0, 1, 1, 0]);
}

#[test]
fn ragged_row_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.csv", b"a,b,y\n1,2,0\n3,4\n5,6,1\n");
    let msg = read_table(&p).unwrap_err().to_string();
    assert!(
        msg.contains("bad.csv") && msg.contains("line 3") && msg.contains("expected 3 fields"),
        "{msg}"
    );
}

#[test]
fn non_utf8_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "latin1.csv", b"a,name,y\n1,ok,0\n2,caf\xe9,1\n");
    let msg = read_table(&p).unwrap_err().to_string();
    assert!(
        msg.contains("latin1.csv")
            && msg.contains("line 3")
            && msg.contains("column 2")
            && msg.contains("'name'"),
        "{msg}"
    );
}

#[test]
fn empty_file_and_header_only_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("empty.csv", &b""[..]), ("header.csv", &b"a,b\n"[..])] {
        let p = write(dir.path(), name, bytes);
        let msg = read_table(&p).unwrap_err().to_string();
        assert!(msg.contains(name) && msg.contains("empty"), "{msg}");
    }
}

#[test]
fn unknown_label_suggests_close_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "d.csv", b"income,age\n1,30\n0,40\n");
    let msg = load(&p, "incme").unwrap_err().to_string();
    assert!(
        msg.contains("label column 'incme' not found") && msg.contains("income"),
        "{msg}"
    );
}

#[test]
fn label_with_one_class_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "one.csv", b"x,y\n1,1\n2,1\n");
    let msg = load(&p, "y").unwrap_err().to_string();
    assert!(
        msg.contains("one.csv") && msg.contains("at least two classes"),
        "{msg}"
    );
}

#[test]
fn missing_file_names_the_path() {
    let msg = read_table(Path::new("/no/such/file.csv"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("/no/such/file.csv"), "{msg}");
}

/// One small table written with each separator, with and without decimal commas.
fn delimited(sep: &str, decimal_comma: bool) -> String {
    let rows = [
        ("Ann", "0.847", "3", "2020-01-02", "1"),
        ("\"Smith, J\"", "-12.5", "4", "2020-03-04", "0"),
        ("Bo", "1234.5", "", "2021-05-06", "1"),
        ("Cy", "7", "5", "2021-07-08", "0"),
    ];
    let mut out = ["name", "score", "count", "when", "y"].join(sep) + "\n";
    for (name, score, count, when, y) in rows {
        let score = match (decimal_comma, score) {
            (true, "1234.5") => "1.234,5".to_string(),
            (true, s) => s.replace('.', ","),
            (false, s) => s.to_string(),
        };
        out += &[name, score.as_str(), count, when, y].join(sep);
        out += "\n";
    }
    out
}

/// Every cell as the app shows it, with each column's name and kind.
fn cells(t: &slicelab::data::Table) -> Vec<(String, ColumnKind, Vec<String>)> {
    (t.columns.iter())
        .map(|c| {
            let values = (0..t.n_rows()).map(|i| c.display(i)).collect();
            (c.name.clone(), c.kind, values)
        })
        .collect()
}

#[test]
fn semicolon_tab_and_pipe_files_load_to_the_same_table_as_their_comma_version() {
    let dir = tempfile::tempdir().unwrap();
    let comma = read_table(&write(
        dir.path(),
        "t.csv",
        delimited(",", false).as_bytes(),
    ))
    .unwrap();
    assert!(comma.notices.is_empty(), "{:?}", comma.notices);
    let expected = cells(&comma);
    assert_eq!(
        expected[1].1,
        ColumnKind::Numeric,
        "score is a number column"
    );
    let cases = [
        ("semi.csv", ";", false, "semicolon"),
        ("semi_dec.csv", ";", true, "semicolon"),
        ("tab.tsv", "\t", false, "tab"),
        ("tab_dec.txt", "\t", true, "tab"),
        ("pipe.csv", "|", false, "pipe"),
        ("pipe_dec.csv", "|", true, "pipe"),
    ];
    for (name, sep, decimal_comma, word) in cases {
        let path = write(dir.path(), name, delimited(sep, decimal_comma).as_bytes());
        let t = read_table(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cells(&t), expected, "{name}");
        let notice = t.notices.join("\n");
        assert!(
            notice.contains(&format!("fields separated by {word}"))
                && notice.contains("sniffed")
                && notice.contains(name),
            "{name}: {notice}"
        );
        assert_eq!(
            notice.contains("decimal comma"),
            decimal_comma,
            "{name}: {notice}"
        );
    }
}

#[test]
fn the_delimiter_flag_overrides_the_sniffed_one_and_names_bad_values() {
    use common::cli::{ok, p, slicelab, stderr};
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "semi.csv", delimited(";", true).as_bytes());
    let sniffed = ok(&["slices", "--data", p(&path), "--label", "y"]);
    assert!(sniffed.contains("slices over 4 rows"), "{sniffed}");
    // Read as commas, the file's rows split at the decimal commas and the header does not.
    let forced = slicelab(&[
        "slices",
        "--data",
        p(&path),
        "--label",
        "y",
        "--delimiter",
        ",",
    ]);
    let err = stderr(&forced);
    assert!(!forced.status.success(), "{err}");
    assert!(err.contains("semi.csv") && err.contains("line 2"), "{err}");
    let bad = slicelab(&["slices", "--data", p(&path), "--delimiter", "colon"]);
    let err = stderr(&bad);
    assert!(err.contains("'colon' is not a delimiter"), "{err}");
}

#[test]
fn a_continuous_label_is_refused_and_a_count_label_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..200)
        .map(|i| format!("{i},{:.2}\n", f64::from(i % 63) * 1.37))
        .collect();
    let p = write(
        dir.path(),
        "price.csv",
        format!("x,price\n{rows}").as_bytes(),
    );
    let msg = load(&p, "price").unwrap_err().to_string();
    assert!(
        msg.contains("price.csv")
            && msg.contains("has 63 distinct numeric values")
            && msg.contains("regression target"),
        "{msg}"
    );
    // Whole numbers with few rows per value: trained, with a warning that names the count.
    let rows: String = (0..200).map(|i| format!("{i},{}\n", 18 + i % 63)).collect();
    let p = write(dir.path(), "age.csv", format!("x,age\n{rows}").as_bytes());
    let ds = load(&p, "age").unwrap();
    assert_eq!(ds.n_classes(), 63);
    let notes = ds.table.notices.join("\n");
    assert!(
        notes.contains("label 'age' has 63 distinct numeric values"),
        "{notes}"
    );
    // Ten digit classes over many rows are a class label: no warning.
    let rows: String = (0..400).map(|i| format!("{i},{}\n", i % 10)).collect();
    let p = write(
        dir.path(),
        "digit.csv",
        format!("x,digit\n{rows}").as_bytes(),
    );
    assert!(load(&p, "digit").unwrap().table.notices.is_empty());
}
