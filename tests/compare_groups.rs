//! How Compare and `train` group runs before averaging: one method, one set of settings,
//! distinct seeds, only runs that ended normally; slices matched by name.

use std::collections::BTreeMap;

use slicelab::data::Split;
use slicelab::metrics::report::{SliceKind, SliceRef, SplitReport};
use slicelab::metrics::{ReportSpec, slice_report};
use slicelab::slices::Bitmap;
use slicelab::summary::MethodReport;
use slicelab::summary::group::{RunInfo, group_runs};
use slicelab::train::events::StopReason;

/// A test report with slices `names` (slice j holds rows where `i % (j + 2) == 0`); `wrong`
/// rows of every 10 are misclassified.
fn test_report(names: &[&str], wrong: usize) -> SplitReport {
    let n = 200;
    let y: Vec<u32> = (0..n).map(|i| u32::from(i % 2 == 0)).collect();
    let pred: Vec<u32> = (0..n)
        .map(|i| if i % 10 < wrong { 1 - y[i] } else { y[i] })
        .collect();
    let masks: Vec<Bitmap> = (0..names.len())
        .map(|j| Bitmap::from_fn(n, |i| i % (j + 2) == 0))
        .collect();
    let refs: Vec<SliceRef> = names
        .iter()
        .zip(&masks)
        .map(|(name, mask)| SliceRef {
            name,
            kind: SliceKind::Sf,
            mask,
        })
        .collect();
    let rows: Vec<usize> = (0..n).collect();
    let classes = ["0".to_string(), "1".to_string()];
    slice_report(
        &y,
        &pred,
        &rows,
        Split::Test,
        &refs,
        &ReportSpec::new(&classes),
    )
}

fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut s: BTreeMap<String, String> = [("epochs", "2"), ("lr", "0.01"), ("slices", "sf_1")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    s.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    s
}

fn run<'a>(
    label: &str,
    method: &str,
    seed: u64,
    settings: BTreeMap<String, String>,
    stop: &'a StopReason,
    test: &'a SplitReport,
) -> RunInfo<'a> {
    RunInfo {
        label: label.into(),
        method: method.into(),
        seed,
        settings,
        stop,
        test,
    }
}

#[test]
fn runs_group_by_method_and_settings_with_distinct_seeds_of_finished_runs() {
    let (done, cancelled) = (StopReason::Completed, StopReason::Cancelled);
    let diverged = StopReason::NonFinite { epoch: 1, batch: 3 };
    let (good, bad) = (test_report(&["sf_1"], 1), test_report(&["sf_1"], 4));
    let plain = || settings(&[]);
    let runs = vec![
        run("sbl-seed0", "sbl", 0, plain(), &done, &bad),
        run("sbl-seed0 #2", "sbl", 0, plain(), &done, &good),
        run("sbl-seed0 #3", "sbl", 0, plain(), &done, &good),
        run("sbl-seed1", "sbl", 1, plain(), &done, &good),
        run("sbl-seed2", "sbl", 2, plain(), &cancelled, &bad),
        run("sbl-seed3", "sbl", 3, plain(), &diverged, &bad),
        run(
            "sbl-seed0 #4",
            "sbl",
            0,
            settings(&[("epochs", "5")]),
            &done,
            &good,
        ),
        run(
            "sbl-seed0 #5",
            "sbl",
            0,
            settings(&[("noise sf_1", "0.4")]),
            &done,
            &bad,
        ),
        run("vanilla-seed0", "vanilla", 0, plain(), &done, &bad),
    ];
    let g = group_runs(&runs);
    let names: Vec<&str> = g.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sbl (epochs 2)",
            "sbl (epochs 5)",
            "sbl (epochs 2, noise sf_1 0.4)",
            "vanilla"
        ]
    );
    // Seed 0 three times: one kept (the latest), and the report says so.
    let plain_sbl: Vec<(&str, u64)> = g.groups[0]
        .runs
        .iter()
        .map(|r| (r.label.as_str(), r.seed))
        .collect();
    assert_eq!(plain_sbl, [("sbl-seed0 #3", 0), ("sbl-seed1", 1)]);
    assert_eq!(
        g.notes,
        ["sbl (epochs 2): seed 0 ran 3 times; kept the latest (sbl-seed0 #3)"]
    );
    // Cancelled and diverged runs are listed, never averaged.
    assert_eq!(g.not_averaged.len(), 2);
    assert!(
        g.not_averaged[0].starts_with("sbl-seed2: cancelled"),
        "{:?}",
        g.not_averaged
    );
    assert!(
        g.not_averaged[1].starts_with("sbl-seed3: diverged"),
        "{:?}",
        g.not_averaged
    );
    // Both kept runs have the same scores: a mean over them with a defined spread of 0.
    let tests: Vec<&SplitReport> = g.groups[0].runs.iter().map(|r| r.test).collect();
    let m = MethodReport::summarise("sbl", vec![0, 1], 1, 1, 0.0, &tests);
    let f1 = m.overall.f1.unwrap();
    assert_eq!((f1.n, f1.std), (2, Some(0.0)));
    assert_eq!(Some(f1.mean), good.overall().unwrap().scores.f1);
}

#[test]
fn a_noise_free_group_keeps_the_plain_method_name() {
    let done = StopReason::Completed;
    let t = test_report(&["sf_1"], 1);
    let runs = vec![
        run("sbl-seed0", "sbl", 0, settings(&[]), &done, &t),
        run(
            "sbl-seed0 #2",
            "sbl",
            0,
            settings(&[("noise sf_1", "0.4")]),
            &done,
            &t,
        ),
    ];
    let names: Vec<String> = group_runs(&runs)
        .groups
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["sbl", "sbl (noise sf_1 0.4)"]);
}

#[test]
fn slices_are_matched_by_name_and_averaged_over_the_runs_that_have_them() {
    let a = test_report(&["sf_1", "sf_2"], 1);
    let b = test_report(&["sf_2"], 1);
    let m = MethodReport::summarise("vanilla", vec![0, 1], 1, 1, 0.0, &[&a, &b]);
    let names: Vec<(&str, usize)> = m.slices.iter().map(|s| (s.name.as_str(), s.runs)).collect();
    assert_eq!(names, [("sf_1", 1), ("sf_2", 2)]);
    // sf_2 is averaged with sf_2 (67 and 100 rows), not with the first slice of `a` by position.
    let support = |r: &SplitReport| r.row("sf_2").unwrap().scores.support as f64;
    let mean = ((support(&a) + support(&b)) / 2.0).round() as u64;
    assert_eq!(m.slice("sf_2").unwrap().support, mean);
    assert_eq!(m.slice("sf_1").unwrap().scores.f1.unwrap().n, 1);
}
