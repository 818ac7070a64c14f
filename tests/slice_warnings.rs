//! Slice warnings: a slice that matches nothing (with the exact spelling of a text value that
//! differs only in case), two slices with the same rows, a slice that reads the label or the
//! prediction, and slice-aware training without slices; said by the library and as `warning:`
//! lines by `slices`, `eval` and `train`.

use crate::common;

use common::cli::{p, slicelab, stderr};
use slicelab::slices::warnings::{SliceWarning, slice_warnings};
use slicelab::slices::{SliceDef, SliceSet};

/// 200 rows of `sex` (Female/Male), `age`, label `y` and predictions `p`, and a slice file with
/// one slice of each problem and one good slice.
fn files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut csv = String::from("sex,age,y,p\n");
    for i in 0..200 {
        let sex = ["Female", "Male"][i % 2];
        csv.push_str(&format!("{sex},{},{},{}\n", 20 + i % 50, i % 3 % 2, i % 2));
    }
    let data = dir.join("people.csv");
    std::fs::write(&data, csv).unwrap();
    let toml = dir.join("slices.toml");
    let set = SliceSet {
        slices: vec![
            SliceDef::new("women", "sex = 'female'"),
            SliceDef::new("young", "age < 30"),
            SliceDef::new("under_30", "age <= 29"),
            SliceDef::new("positives", "y = 1 AND age > 40"),
            SliceDef::new("predicted", "p = 1"),
            SliceDef::new("nobody", "age > 1000"),
        ],
    };
    set.save(&toml).unwrap();
    (data, toml)
}

#[test]
fn the_library_names_each_problem_slice() {
    let dir = tempfile::tempdir().unwrap();
    let (data, toml) = files(dir.path());
    let table = slicelab::data::load::read_table(&data).unwrap();
    let set = SliceSet::load(&toml).unwrap();
    let evaluated = set.evaluate(&table).unwrap();
    let found = slice_warnings(
        &set,
        &evaluated,
        &table,
        &[("y", "label"), ("p", "prediction")],
    );
    let spelling = Some((
        "sex".to_string(),
        "female".to_string(),
        "Female".to_string(),
    ));
    assert_eq!(
        found,
        vec![
            SliceWarning::NoRows {
                slice: "women".into(),
                spelling
            },
            SliceWarning::SameRows {
                slice: "under_30".into(),
                other: "young".into()
            },
            SliceWarning::UsesAnswer {
                slice: "positives".into(),
                column: "y".into(),
                role: "label"
            },
            SliceWarning::UsesAnswer {
                slice: "predicted".into(),
                column: "p".into(),
                role: "prediction"
            },
            SliceWarning::NoRows {
                slice: "nobody".into(),
                spelling: None
            },
        ]
    );
    assert!(
        found[0]
            .to_string()
            .contains("'sex' has 'Female', not 'female'")
    );
}

#[test]
fn slices_and_eval_print_the_warnings_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (data, toml) = files(dir.path());
    let common = ["--data", p(&data), "--label", "y", "--slices", p(&toml)];
    let slices = slicelab(&[&["slices", "--pred", "p"], &common[..]].concat());
    let eval = slicelab(&[&["eval", "--pred", "p"], &common[..]].concat());
    for run in [slices, eval] {
        let err = stderr(&run);
        assert!(run.status.success(), "{err}");
        for line in [
            "warning: slice 'women' matches no rows: column 'sex' has 'Female', not 'female'",
            "warning: slices 'young' and 'under_30' select exactly the same rows",
            "warning: slice 'positives' reads the label column 'y'",
            "warning: slice 'predicted' reads the prediction column 'p'",
            "warning: slice 'nobody' matches no rows",
        ] {
            assert!(err.contains(line), "missing '{line}' in:\n{err}");
        }
    }
}

#[test]
fn slice_aware_training_without_slices_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = files(dir.path());
    let args = [
        "train",
        "--data",
        p(&data),
        "--label",
        "y",
        "--method",
        "sbl,vanilla",
        "--epochs",
        "1",
    ];
    let run = slicelab(&args);
    let err = stderr(&run);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains("warning: sbl needs slices but none are given"),
        "{err}"
    );
    let vanilla = slicelab(&[
        "train",
        "--data",
        p(&data),
        "--label",
        "y",
        "--method",
        "vanilla",
        "--epochs",
        "1",
    ]);
    assert!(
        !stderr(&vanilla).contains("warning:"),
        "{}",
        stderr(&vanilla)
    );
}
