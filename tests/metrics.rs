//! Per-slice metrics of an external model's predictions, checked against hand-computed values.

use slicelab::data::load::Sources;
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::metrics::report::{SliceKind, SliceRef};
use slicelab::metrics::slice_report;
use slicelab::slices::{SliceDef, SliceSet};

#[test]
fn slice_report_of_a_prediction_column_matches_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preds.csv");
    // group a: y = 1,1,0,0 pred = 1,0,0,0 -> tp 1, fn 1, tn 2: F1 = 2/3, acc 3/4
    // group b: y = 1,0,1,0 pred = 1,1,1,0 -> tp 2, fp 1, tn 1: F1 = 4/5, acc 3/4
    let rows = "g,y,pred,split\na,1,1,test\na,1,0,test\na,0,0,test\na,0,0,test\nb,1,1,test\nb,0,1,test\nb,1,1,test\nb,0,0,test\n";
    std::fs::write(&path, rows).unwrap();
    let spec = DatasetSpec {
        pred: Some("pred".into()),
        split_col: Some("split".into()),
        ..DatasetSpec::new("y")
    };
    let ds = Dataset::load(&Sources::resolve(&path, None), &spec).unwrap();
    assert_eq!(ds.reserved, vec!["y", "pred", "split"]);
    let set = SliceSet {
        slices: vec![SliceDef::new("a", "g = 'a'"), SliceDef::new("b", "g = 'b'")],
    };
    let masks = set.evaluate(&ds.table).unwrap().masks;
    let refs = [
        SliceRef {
            name: "a",
            kind: SliceKind::Sf,
            mask: &masks[0],
        },
        SliceRef {
            name: "b",
            kind: SliceKind::Sf,
            mask: &masks[1],
        },
    ];
    let test = ds.indices(Split::Test);
    let report = slice_report(
        &ds.y,
        ds.pred.as_ref().unwrap(),
        &test,
        Split::Test,
        &refs,
        2,
    );
    let [overall, a, b] = &report.rows[..] else {
        panic!("three rows")
    };
    // overall: tp 3, fp 1, fn 1, tn 3 -> F1 3/4, acc 6/8, MCC (9-1)/sqrt(4*4*4*4) = 0.5
    assert!((overall.scores.f1 - 0.75).abs() < 1e-12);
    assert!((overall.scores.mcc - 0.5).abs() < 1e-12);
    assert!((a.scores.f1 - 2.0 / 3.0).abs() < 1e-12 && (a.scores.accuracy - 0.75).abs() < 1e-12);
    assert!((b.scores.f1 - 0.8).abs() < 1e-12 && (b.scores.recall - 1.0).abs() < 1e-12);
    assert!((a.f1_diff - (2.0 / 3.0 - 0.75)).abs() < 1e-12);
    assert_eq!(a.scores.support, 4);
    assert_eq!(a.coverage, 0.5);
    assert_eq!(a.confusion, vec![2, 0, 1, 1]);
    assert!(a.f1_ci.0 <= a.scores.f1 && a.scores.f1 <= a.f1_ci.1);
}

#[test]
fn probability_columns_give_argmax_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proba.csv");
    std::fs::write(
        &path,
        "y,p_0,p_1\n0,0.9,0.1\n1,0.2,0.8\n1,0.7,0.3\n0,0.4,0.6\n",
    )
    .unwrap();
    let spec = DatasetSpec {
        proba_prefix: Some("p_".into()),
        ..DatasetSpec::new("y")
    };
    let ds = Dataset::load(&Sources::resolve(&path, None), &spec).unwrap();
    assert_eq!(ds.pred, Some(vec![0, 1, 0, 1]));
    assert!(ds.reserved.contains(&"p_1".to_string()));
}
