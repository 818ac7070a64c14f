//! Baselines and experiments: Manual's grid search, a complete `compare` report, experiment outputs.

use std::sync::atomic::AtomicBool;

use slicelab::data::demo::{Figure1, Layout};
use slicelab::experiments::{self, Options, Progress};
use slicelab::model::Method;
use slicelab::train::manual::{ALPHAS, pick};
use slicelab::train::{DataSource, ExperimentSpec, run_experiment};
use slicelab::train::{TrainConfig, TrainEvent};

fn opts(dir: &std::path::Path, epochs: usize) -> Options {
    Options {
        out: dir.to_path_buf(),
        seeds: 1,
        train: TrainConfig {
            epochs,
            ..TrainConfig::default()
        },
        metric: None,
    }
}

#[test]
fn manual_keeps_the_multiplier_with_the_best_validation_score() {
    let source = DataSource::Demo(Figure1 {
        n: 800,
        ..Figure1::default()
    });
    let spec = ExperimentSpec {
        methods: vec![Method::Vanilla, Method::Manual],
        seeds: vec![0],
        train: TrainConfig {
            epochs: 2,
            ..TrainConfig::default()
        },
        rep_dim: None,
        features: None,
        metric: None,
    };
    let mut runs = Vec::new();
    let mut emit = |e: TrainEvent| {
        if let TrainEvent::RunStarted { run, .. } = e {
            runs.push(run);
        }
    };
    let result = run_experiment(
        &source,
        &source.default_slices(),
        &spec,
        &mut emit,
        &AtomicBool::new(false),
    )
    .unwrap();
    let manual = result
        .runs
        .iter()
        .find(|r| r.method == Method::Manual)
        .unwrap();
    // After 2 epochs Vanilla misses both disks, so both slices are upweighted and all four
    // multipliers are tried (reusing the experiment's own Vanilla run).
    assert_eq!(
        manual.grid.iter().map(|g| g.0).collect::<Vec<_>>(),
        ALPHAS.to_vec()
    );
    assert_eq!(
        runs.iter().filter(|r| r.starts_with("manual-a")).count(),
        4,
        "{runs:?}"
    );
    let chosen = pick(&manual.grid).unwrap();
    assert_eq!(
        manual.model.card.model.slice_loss_weights,
        vec![chosen, chosen]
    );
    let best = manual.grid.iter().map(|g| g.1).fold(f64::MIN, f64::max);
    assert_eq!(manual.grid.iter().find(|g| g.0 == chosen).unwrap().1, best);
}

#[test]
fn a_short_compare_run_produces_a_complete_report() {
    let dir = tempfile::tempdir().unwrap();
    let source = DataSource::Demo(Figure1 {
        n: 400,
        ..Figure1::default()
    });
    let methods = vec![
        Method::Vanilla,
        Method::Hps,
        Method::Moe,
        Method::Sbl,
        Method::SblUniform,
    ];
    let cancel = AtomicBool::new(false);
    let mut emit = |_| {};
    let mut p = Progress {
        emit: &mut emit,
        cancel: &cancel,
    };
    let out = experiments::compare(
        &source,
        &source.default_slices(),
        methods.clone(),
        &opts(dir.path(), 1),
        &mut p,
    )
    .unwrap();
    experiments::write_outputs(dir.path(), &out).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    let names: Vec<&str> = json["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["vanilla", "hps", "moe", "sbl", "sbl-uniform"]);
    for m in json["methods"].as_array().unwrap() {
        assert_eq!(m["slices"].as_array().unwrap().len(), 4);
        assert!(m["params"].as_u64().unwrap() >= 249);
    }
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        md.contains("| moe |") && md.contains("max lift") && md.contains("slice_2 F1"),
        "{md}"
    );
    // MoE grows ~100% per slice; SBL far less.
    let params = |n: &str| out.report.method(n).unwrap().params;
    assert!(params("moe") > params("hps") && params("sbl") > params("vanilla"));
}

#[test]
fn scaling_and_hidden_dim_write_their_rows_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let mut emit = |_| {};
    let mut p = Progress {
        emit: &mut emit,
        cancel: &cancel,
    };
    // Two seeds are two rounds over every k; each (method, k) is still one row.
    let rounds = Options {
        seeds: 2,
        ..opts(dir.path(), 1)
    };
    let s = experiments::scaling::scaling(&[2, 5], &rounds, &mut p).unwrap();
    assert_eq!(s.report.scaling.len(), 6);
    let order: Vec<(&str, usize)> = s
        .report
        .scaling
        .iter()
        .map(|r| (r.method.as_str(), r.k))
        .collect();
    assert_eq!(
        order,
        [
            ("sbl", 2),
            ("hps", 2),
            ("moe", 2),
            ("sbl", 5),
            ("hps", 5),
            ("moe", 5)
        ]
    );
    assert!(s.report.scaling.iter().all(|r| r.epoch_secs > 0.0));
    let sbl: Vec<usize> = s
        .report
        .scaling
        .iter()
        .filter(|r| r.method == "sbl")
        .map(|r| r.params)
        .collect();
    assert!(sbl[1] > sbl[0]);
    let h = experiments::hidden_dim::hidden_dim(&[4], &opts(dir.path(), 1), &mut p).unwrap();
    assert_eq!(h.report.hidden_dim.len(), 4);
    assert!(h.plots[0].exists() && std::fs::metadata(&h.plots[0]).unwrap().len() > 1000);
}

#[test]
fn the_ablation_layout_has_four_label_flipping_slices_of_different_sizes() {
    let ds = Figure1 {
        k: 4,
        layout: Layout::Ablation,
        ..Figure1::default()
    }
    .dataset();
    let sizes: Vec<usize> = (1..=4)
        .map(|j| {
            ds.table
                .column(&format!("slice_{j}"))
                .unwrap()
                .as_numeric()
                .unwrap()
                .iter()
                .filter(|v| **v == 1.0)
                .count()
        })
        .collect();
    assert!(sizes.iter().all(|&s| s > 50), "{sizes:?}");
    let distinct: std::collections::BTreeSet<usize> = sizes.iter().copied().collect();
    assert_eq!(distinct.len(), 4, "{sizes:?}");
}
