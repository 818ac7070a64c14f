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
