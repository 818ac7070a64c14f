//! Slice-aware model selection (`--select`), class weights on every prediction loss, and the
//! seed-paired lift over Vanilla, as a user of the library and the CLI sees them.

use crate::common;

use std::sync::atomic::AtomicBool;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use common::cli::{p, slicelab, stderr, stdout};
use slicelab::data::demo::Figure1;
use slicelab::model::{Batch, Method, Model, ModelConfig};
use slicelab::train::{
    ClassWeights, DataSource, ExperimentSpec, Selection, TrainConfig, run_experiment,
};

fn figure1_run(select: Selection, class_weights: ClassWeights) -> slicelab::train::RunResult {
    let source = DataSource::Demo(Figure1 {
        n: 1500,
        ..Figure1::default()
    });
    let slices = source.default_slices();
    let spec = ExperimentSpec {
        methods: vec![Method::Sbl],
        seeds: vec![0],
        train: TrainConfig {
            epochs: 12,
            select,
            class_weights,
            ..TrainConfig::default()
        },
        rep_dim: None,
        features: None,
        metric: None,
    };
    let done = AtomicBool::new(false);
    let mut result = run_experiment(&source, &slices, &spec, &mut |_| {}, &done).unwrap();
    result.runs.remove(0)
}

/// The mean of the SF slices' defined validation F1 of one epoch (`sf_*` are the SFs).
fn mean_sf(stats: &slicelab::train::EpochStats) -> Option<f64> {
    let f: Vec<f64> = stats
        .slice_f1
        .iter()
        .filter(|(n, f)| n.starts_with("sf_") && f.is_finite())
        .map(|(_, f)| *f)
        .collect();
    (!f.is_empty()).then(|| f.iter().sum::<f64>() / f.len() as f64)
}

#[test]
fn mean_slice_selection_keeps_the_best_slice_epoch_within_the_overall_tolerance() {
    let run = figure1_run(Selection::MeanSlice, ClassWeights::None);
    let h = &run.outcome.history;
    let best_overall = h.iter().map(|s| s.valid_f1).fold(f64::MIN, f64::max);
    let chosen = run.outcome.chosen.clone().expect("a recorded selection");
    assert_eq!(chosen.epoch, run.outcome.best_epoch);
    assert_eq!(run.model.card.selection.as_ref(), Some(&chosen));
    let kept = &h[chosen.epoch - 1];
    assert!(
        kept.valid_f1 >= best_overall - 0.005 - 1e-12,
        "{}",
        chosen.describe()
    );
    // No eligible epoch has a better mean SF-slice F1.
    let best_eligible = h
        .iter()
        .filter(|s| s.valid_f1 >= best_overall - 0.005)
        .filter_map(mean_sf)
        .fold(f64::MIN, f64::max);
    assert_eq!(mean_sf(kept), Some(best_eligible), "{}", chosen.describe());
    assert!(
        chosen.describe().contains("mean-slice"),
        "{}",
        chosen.describe()
    );
}

/// The slice-prediction loss term of one batch of `method` with the given class weights.
fn slice_term(method: Method, weights: Option<[f32; 2]>) -> (f32, f32) {
    let d = Device::Cpu;
    let cfg = ModelConfig {
        method,
        input_dim: 2,
        hidden: vec![6],
        rep_dim: 4,
        n_classes: 2,
        n_slices: 3,
        slice_loss_weights: vec![],
    };
    let varmap = VarMap::new();
    let model = Model::new(&cfg, VarBuilder::from_varmap(&varmap, DType::F32, &d)).unwrap();
    slicelab::optim::init::init_seeded(&varmap, 1).unwrap();
    let rows = 12;
    let x: Vec<f32> = (0..rows * 2).map(|i| (i as f32 * 0.37).sin()).collect();
    let y: Vec<u32> = (0..rows).map(|i| u32::from(i % 3 == 0)).collect();
    let mask: Vec<f32> = (0..rows * 4)
        .map(|i| f32::from(i % 4 == 0 || (i * 7) % 5 < 2))
        .collect();
    let batch = Batch {
        x: Tensor::from_vec(x, (rows, 2), &d).unwrap(),
        y: Tensor::from_vec(y, rows, &d).unwrap(),
        slices: Tensor::from_vec(mask, (rows, 4), &d).unwrap(),
        class_weights: weights.map(|w| Tensor::new(&w, &d).unwrap()),
    };
    let terms = model.loss(&batch).unwrap();
    let v = |t: &Tensor| t.to_scalar::<f32>().unwrap();
    (v(&terms.base), v(&terms.slice_pred))
}

#[test]
fn class_weights_weigh_every_prediction_loss_of_every_slice_method() {
    for method in [Method::Sbl, Method::Hps, Method::Moe, Method::Manual] {
        let plain = slice_term(method, None);
        // Equal weights are a weighted mean with nothing to shift: the same losses.
        let equal = slice_term(method, Some([3.0, 3.0]));
        assert!((plain.0 - equal.0).abs() < 1e-5 && (plain.1 - equal.1).abs() < 1e-5);
        // Unequal weights move the base loss and the slice heads' loss alike.
        let skewed = slice_term(method, Some([0.2, 5.0]));
        assert!(
            (plain.0 - skewed.0).abs() > 1e-4,
            "{method:?} base {plain:?} {skewed:?}"
        );
        assert!(
            (plain.1 - skewed.1).abs() > 1e-4,
            "{method:?} slices {plain:?} {skewed:?}"
        );
    }
}

#[test]
fn cli_train_records_the_selection_and_the_paired_lift() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = slicelab(&[
        "train",
        "--demo",
        "figure1",
        "--n",
        "800",
        "--method",
        "vanilla,sbl",
        "--seeds",
        "2",
        "--epochs",
        "3",
        "--select",
        "worst-slice",
        "--class-weights",
        "balanced",
        "--out",
        p(&out),
    ]);
    let (table, stderr) = (stdout(&o), stderr(&o));
    assert!(o.status.success(), "{table}\n{stderr}");
    assert!(stderr.contains("worst-slice validation F1"), "{stderr}");
    // The lift column pairs seeds: mean ± std and seeds ahead of seeds paired.
    assert!(table.contains("/2)"), "{table}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let runs = report["runs"].as_array().unwrap();
    assert!(
        runs.iter().all(|r| r["selection"]
            .as_str()
            .is_some_and(|s| s.contains("kept epoch"))),
        "{runs:?}"
    );
    let sbl = report["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["method"] == "sbl")
        .unwrap();
    let paired = sbl["paired"].as_array().unwrap();
    assert_eq!(paired[0]["slice"], "overall");
    assert_eq!(paired[0]["diff"]["n"], 2);
    assert!(paired[0]["wins"].as_u64().unwrap() <= 2);
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sbl-seed0/config.json")).unwrap()).unwrap();
    assert_eq!(card["train"]["select"], "worst-slice");
    assert_eq!(card["selection"]["rule"], "worst-slice");
}

#[test]
fn a_bad_tolerance_is_refused_naming_it() {
    let o = slicelab(&[
        "train",
        "--demo",
        "figure1",
        "--select",
        "mean-slice",
        "--select-tolerance",
        "2",
    ]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("selection tolerance"), "{err}");
}

#[test]
fn the_app_trains_with_the_chosen_selection_rule_and_class_weights() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let home = tempfile::tempdir().unwrap();
    let mut h = common::app(home.path());
    common::wait_ready(&mut h);
    h.get_by_label("Train").click();
    h.step();
    h.get_by_role_and_label(Role::ComboBox, "Keep epoch by")
        .click();
    h.run();
    h.get_by_label("mean-slice").click();
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "Class weights")
        .click();
    h.run();
    h.get_by_label("balanced").click();
    h.run();
    h.get_by_label("Epochs").set_value_accesskit(2.0);
    h.step();
    let before = h.state().models.len();
    h.get_by_label("Start training").click();
    common::wait_for(&mut h, "the run to start", |a| a.training.is_some());
    common::wait_for(&mut h, "the run to finish", |a| a.training.is_none());
    let trained = &h.state().models[before..];
    assert!(!trained.is_empty());
    for m in trained {
        let card = &m.model.card;
        assert_eq!(card.train.select, Selection::MeanSlice);
        assert_eq!(card.train.class_weights, ClassWeights::Balanced);
        assert_eq!(
            card.selection.as_ref().map(|c| c.rule),
            Some(Selection::MeanSlice)
        );
    }
}
