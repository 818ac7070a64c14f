//! Per-slice metrics of an external model's predictions, checked against hand-computed values.

use slicelab::data::load::Sources;
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::metrics::report::{SliceKind, SliceRef, SplitReport};
use slicelab::metrics::{Metric, ReportSpec, slice_report};
use slicelab::slices::{Bitmap, SliceDef, SliceSet};

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

fn classes(n: usize) -> Vec<String> {
    (0..n).map(|k| k.to_string()).collect()
}

fn mask(n: usize, member: impl Fn(usize) -> bool) -> Bitmap {
    Bitmap::from_fn(n, member)
}

/// A report over all rows of `y`/`pred` with one SF slice per mask.
fn report(y: &[u32], pred: &[u32], masks: &[(&str, &Bitmap)], spec: &ReportSpec) -> SplitReport {
    let refs: Vec<SliceRef> = masks
        .iter()
        .map(|(name, mask)| SliceRef {
            name,
            kind: SliceKind::Sf,
            mask,
        })
        .collect();
    let rows: Vec<usize> = (0..y.len()).collect();
    slice_report(y, pred, &rows, Split::Test, &refs, spec)
}

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
        &ReportSpec::new(&ds.classes),
    );
    let [overall, a, b] = &report.rows[..] else {
        panic!("three rows")
    };
    // overall: tp 3, fp 1, fn 1, tn 3 -> F1 3/4, acc 6/8, MCC (9-1)/sqrt(4*4*4*4) = 0.5
    assert!(close(overall.scores.f1, 0.75) && close(overall.scores.mcc, 0.5));
    assert!(close(a.scores.f1, 2.0 / 3.0) && close(a.scores.accuracy, 0.75));
    assert!(close(b.scores.f1, 0.8) && close(b.scores.recall, 1.0));
    assert_eq!(report.metric, Metric::F1);
    assert!(close(a.diff, 2.0 / 3.0 - 0.75));
    assert_eq!((a.scores.support, a.scores.positives), (4, Some(2)));
    assert_eq!(a.coverage, 0.5);
    assert_eq!(a.confusion, vec![2, 0, 1, 1]);
    let (lo, hi) = a.interval.expect("an F1 interval");
    assert!(lo <= 2.0 / 3.0 && 2.0 / 3.0 <= hi);
    assert_eq!(a.per_class[1].support, 2);
    assert!(close(a.per_class[0].recall, 1.0) && close(a.per_class[1].recall, 0.5));
}

/// Item 3: a slice with no positive labels or predictions has no F1 (null), is not compared
/// with overall, and is never flagged; MCC is undefined with it.
#[test]
fn f1_of_a_slice_without_positives_is_undefined_not_zero() {
    // 200 rows: overall F1 high; the slice (rows 0..40) is all negatives, all predicted right.
    let y: Vec<u32> = (0..200).map(|i| u32::from(i >= 40 && i % 2 == 0)).collect();
    let pred: Vec<u32> = (0..200)
        .map(|i| if i % 17 == 0 { 1 - y[i] } else { y[i] })
        .collect();
    let pred: Vec<u32> = pred
        .iter()
        .enumerate()
        .map(|(i, &p)| if i < 40 { 0 } else { p })
        .collect();
    let negatives = mask(200, |i| i < 40);
    let r = report(
        &y,
        &pred,
        &[("negatives", &negatives)],
        &ReportSpec::new(&classes(2)),
    );
    let s = &r.rows[1];
    assert_eq!(s.scores.accuracy, Some(1.0));
    assert_eq!(s.scores.positives, Some(0));
    assert_eq!(
        (s.scores.f1, s.scores.precision, s.scores.recall),
        (None, None, None)
    );
    assert_eq!(s.scores.mcc, None);
    assert_eq!((s.diff, s.interval, s.flagged), (None, None, false));
    let json = serde_json::to_value(s).unwrap();
    assert!(
        json["scores"]["f1"].is_null() && json["scores"]["mcc"].is_null(),
        "{json}"
    );
    assert!(json["diff"].is_null());
    // By accuracy the slice is better than overall: not flagged either.
    assert!(!s.flagged_by(&r.rows[0], Metric::Accuracy));
}

/// Item 4: a stray prediction of a class absent from the slice does not add a class with F1 0
/// to the slice's macro average; weighted F1 and accuracy (micro F1) are reported beside it.
#[test]
fn multiclass_slice_f1_averages_over_classes_with_support() {
    let y = [0, 0, 1, 1];
    let pred = [0, 0, 1, 2];
    let all = mask(4, |_| true);
    let r = report(&y, &pred, &[("all", &all)], &ReportSpec::new(&classes(3)));
    let s = &r.rows[1].scores;
    // class 0: F1 1; class 1: tp 1, support 2, predicted 1 -> F1 2/3; class 2 has no support.
    assert!(close(s.f1, (1.0 + 2.0 / 3.0) / 2.0), "{:?}", s.f1);
    assert_eq!(s.macro_f1, s.f1);
    assert!(close(s.weighted_f1, (2.0 + 2.0 * 2.0 / 3.0) / 4.0));
    assert!(close(s.accuracy, 0.75) && close(s.micro_f1, 0.75));
    assert_eq!(s.positives, None);
    assert_eq!(r.metric, Metric::ErrorRate, "multi-class default");
    let class2 = &r.rows[1].per_class[2];
    assert_eq!(
        (class2.support, class2.predicted, class2.f1),
        (0, 1, Some(0.0))
    );
}

/// Item 6: a slice is flagged only when it is worse than overall by the chosen metric *and*
/// its bootstrap interval excludes the overall value.
#[test]
fn only_slices_whose_interval_excludes_overall_are_flagged() {
    // 2000 rows, 5% wrong overall; `big` (400 rows) is 25% wrong, `tiny` (6 rows) 1 wrong.
    let n = 2000;
    let y: Vec<u32> = (0..n).map(|i| u32::from(i % 2 == 0)).collect();
    let wrong = |i: usize| {
        (i < 400 && i.is_multiple_of(4)) || (i >= 1000 && i.is_multiple_of(40)) || i == 1001
    };
    let pred: Vec<u32> = (0..n)
        .map(|i| if wrong(i) { 1 - y[i] } else { y[i] })
        .collect();
    let big = mask(n, |i| i < 400);
    let tiny = mask(n, |i| (1001..1007).contains(&i));
    let names = classes(2);
    let spec = ReportSpec::new(&names).with_metric(Some(Metric::ErrorRate));
    let r = report(&y, &pred, &[("big", &big), ("tiny", &tiny)], &spec);
    let (overall, big, tiny) = (&r.rows[0], &r.rows[1], &r.rows[2]);
    let o = overall.scores.error_rate.unwrap();
    assert!(tiny.scores.error_rate.unwrap() > o && big.scores.error_rate.unwrap() > o);
    assert!(big.flagged, "big: {:?} vs {o}", big.interval);
    assert!(
        !tiny.flagged,
        "tiny's interval {:?} holds {o}",
        tiny.interval
    );
    assert!(!overall.flagged);
    assert_eq!(tiny.scores.positives, Some(3));
    // Another metric, the same rows: flags follow the metric.
    let mut by_acc = r.clone();
    by_acc.set_metric(Metric::Accuracy);
    assert!(by_acc.rows[1].flagged && !by_acc.rows[2].flagged);
    assert_eq!(
        by_acc.rows[1].interval,
        big.intervals.get(&Metric::Accuracy).copied()
    );
}

/// A slice worse than overall with too few positives for an F1 interval is marked untested
/// (`?`), not left unmarked as if it were healthy; with an interval it is flagged or cleared.
#[test]
fn a_worse_slice_without_an_interval_is_untested_not_healthy() {
    // 2000 rows, 5% wrong overall; `rare` has 2 positives, both missed (F1 0.000).
    let n = 2000;
    let y: Vec<u32> = (0..n).map(|i| u32::from(i % 2 == 0)).collect();
    let pred: Vec<u32> = (0..n)
        .map(|i| {
            let missed = i == 1000 || i == 1002;
            if missed || (i % 20 == 0 && !(1000..1040).contains(&i)) {
                1 - y[i]
            } else {
                y[i]
            }
        })
        .collect();
    let rare = mask(n, |i| (1000..1040).contains(&i) && (i % 2 == 1 || i < 1004));
    let names = classes(2);
    let r = report(&y, &pred, &[("rare", &rare)], &ReportSpec::new(&names));
    let (overall, rare) = (&r.rows[0], &r.rows[1]);
    assert_eq!(rare.scores.positives, Some(2));
    assert_eq!(rare.scores.f1, Some(0.0));
    assert_eq!(
        rare.interval, None,
        "2 positives: F1 undefined in too many resamples"
    );
    assert!(!rare.flagged && rare.untested, "rare is marked untested");
    assert!(!overall.untested);
    // By error rate the same slice has an interval: tested, so not untested.
    let mut by_err = r.clone();
    by_err.set_metric(Metric::ErrorRate);
    assert!(by_err.rows[1].interval.is_some() && !by_err.rows[1].untested);
}

/// Item 7: the same rows get the same interval, whatever their name or position, and adding an
/// unrelated slice changes no interval.
#[test]
fn intervals_depend_on_the_rows_not_on_the_report_layout() {
    let n = 600;
    let y: Vec<u32> = (0..n).map(|i| u32::from(i % 3 == 0)).collect();
    let pred: Vec<u32> = (0..n)
        .map(|i| if i % 7 == 0 { 1 - y[i] } else { y[i] })
        .collect();
    let a = mask(n, |i| i % 5 == 0);
    let b = mask(n, |i| i < 150);
    let names = classes(2);
    let spec = ReportSpec::new(&names);
    let one = report(&y, &pred, &[("a", &a), ("copy", &a)], &spec);
    assert_eq!(one.rows[1].intervals, one.rows[2].intervals);
    let two = report(&y, &pred, &[("b", &b), ("copy", &a), ("a", &a)], &spec);
    assert_eq!(
        two.row("a").unwrap().intervals,
        one.row("a").unwrap().intervals
    );
    assert_eq!(
        two.overall().unwrap().intervals,
        one.overall().unwrap().intervals
    );
    assert!(one.rows[1].interval.is_some());
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
