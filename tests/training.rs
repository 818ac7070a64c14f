//! Real candle training on the figure1 demo: learning, selection, saving, SF-free prediction,
//! cancellation and the NaN guard.

use crate::common;
use std::sync::atomic::AtomicBool;

use candle_core::Device;

use slicelab::data::Split;
use slicelab::data::demo::Figure1;
use slicelab::model::Method;
use slicelab::train::fit::fit;
use slicelab::train::prepared::Prepared;
use slicelab::train::saved::{FORMAT, ModelCard};
use slicelab::train::{DataSource, ExperimentSpec, evaluate, run_experiment};
use slicelab::train::{StopReason, TrainConfig, TrainEvent, TrainedModel};

fn demo(n: usize) -> Figure1 {
    Figure1 {
        n,
        ..Figure1::default()
    }
}

use common::train_spec as spec;

/// Runs an experiment without progress output or cancellation.
fn quiet(
    source: &DataSource,
    slices: &slicelab::slices::SliceSet,
    spec: &ExperimentSpec,
) -> slicelab::train::ExperimentResult {
    run_experiment(source, slices, spec, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

fn truth_f1(report: &slicelab::metrics::SplitReport) -> f64 {
    let f: Vec<f64> = report
        .rows
        .iter()
        .filter(|r| r.name.starts_with("slice_"))
        .filter_map(|r| r.scores.f1)
        .collect();
    f.iter().sum::<f64>() / f.len() as f64
}

#[test]
fn sbl_training_improves_slice_f1_over_the_untrained_model() {
    // Larger disks than the paper's (radius 0.3, ~7% of rows each) so a short run learns them.
    let source = DataSource::Demo(Figure1 {
        radius: 0.3,
        ..demo(3000)
    });
    let slices = source.default_slices();
    let ds = source.dataset(0);
    let data = Prepared::new(&ds, &slices, None, 0, &Device::Cpu).unwrap();
    let spec = spec(vec![Method::Sbl], 30);
    let result = run_experiment(
        &source,
        &slices,
        &spec,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let trained = &result.runs[0];
    let untrained = TrainedModel::build(trained.model.card.clone(), &Device::Cpu).unwrap();
    let before = evaluate(&untrained, &data, Split::Test, None).unwrap();
    let after = &trained.test;
    // An untrained model predicts one class everywhere (slice F1 ~0.67 or 0); a model that
    // ignores the slices predicts them wrong (~0); only learning the slices lifts F1 well above.
    assert!(
        truth_f1(after) > truth_f1(&before) + 0.1,
        "slice F1 {} -> {}",
        truth_f1(&before),
        truth_f1(after)
    );
    let overall = after.rows[0].scores.f1.unwrap_or(0.0);
    assert!(overall > 0.9, "overall F1 {overall}");
    assert_eq!(trained.outcome.history.len(), 30);
    // The kept epoch is the one with the best validation F1.
    let best = trained
        .outcome
        .history
        .iter()
        .map(|h| h.valid_f1)
        .fold(f64::MIN, f64::max);
    assert_eq!(
        trained.outcome.history[trained.outcome.best_epoch - 1].valid_f1,
        best
    );
}

#[test]
fn save_load_gives_identical_predictions_without_sf_columns() {
    let source = DataSource::Demo(demo(1000));
    let slices = source.default_slices();
    let result = quiet(&source, &slices, &spec(vec![Method::Sbl], 2));
    let model = &result.runs[0].model;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sbl-seed0");
    model.save(&path).unwrap();
    assert!(path.join("model.safetensors").exists() && path.join("config.json").exists());
    let loaded = TrainedModel::load(&path, &Device::Cpu).unwrap();
    assert_eq!(loaded.card.classes, model.card.classes);
    assert_eq!(loaded.card.slices, slices);

    let ds = source.dataset(0);
    let a = model.predict_dataset(&ds).unwrap();
    let b = loaded.predict_dataset(&ds).unwrap();
    assert_eq!(a.classes, b.classes);
    assert_eq!(a.probs, b.probs);
    // Inference needs no SF: drop every sf_* and slice_* column and predict the same.
    let mut bare = ds.table.clone();
    bare.columns.retain(|c| c.name == "x1" || c.name == "x2");
    let c = loaded.predict_table(&bare).unwrap();
    assert_eq!(c.classes, a.classes);
    assert_eq!(c.indicator.len(), ds.n_rows() * 3);
    // Saving again over the same folder replaces it whole.
    loaded.save(&path).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_corrupt_model_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), "{ not json").unwrap();
    let msg = TrainedModel::load(dir.path(), &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(msg.contains("config.json"), "{msg}");
}

#[test]
fn events_report_every_epoch_and_cancel_stops_cleanly() {
    let source = DataSource::Demo(demo(500));
    let slices = source.default_slices();
    let cancel = AtomicBool::new(false);
    let mut epochs = Vec::new();
    let mut emit = |e: TrainEvent| {
        if let TrainEvent::Epoch(s) = e {
            assert_eq!(s.slice_f1.len(), 4, "2 SFs + 2 truth slices");
            assert!(s.loss.indicator > 0.0 && s.loss.slice_pred > 0.0);
            epochs.push(s.epoch);
            if s.epoch == 2 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    };
    let result = run_experiment(
        &source,
        &slices,
        &spec(vec![Method::Sbl, Method::Vanilla], 10),
        &mut emit,
        &cancel,
    )
    .unwrap();
    assert_eq!(epochs, vec![1, 2]);
    assert_eq!(result.runs.len(), 1, "the second method never starts");
    assert_eq!(result.runs[0].outcome.stop, StopReason::Cancelled);
}

#[test]
fn non_finite_loss_stops_with_a_message_and_keeps_good_weights() {
    let source = DataSource::Demo(demo(300));
    let slices = source.default_slices();
    let ds = source.dataset(0);
    let data = Prepared::new(&ds, &slices, None, 0, &Device::Cpu).unwrap();
    let d = data.features.dim();
    // An absurd learning rate without clipping blows the weights up within a few steps.
    let card = ModelCard {
        format: FORMAT.into(),
        model: slicelab::model::ModelConfig {
            method: Method::Sbl,
            input_dim: d,
            hidden: vec![8],
            rep_dim: 8,
            n_classes: 2,
            n_slices: 2,
            slice_loss_weights: vec![],
        },
        features: data.features.clone(),
        slices: slices.clone(),
        label: "y".into(),
        classes: ds.classes.clone(),
        truth_slices: vec![],
        train: TrainConfig {
            epochs: 3,
            lr: 1e30,
            grad_clip: None,
            ..TrainConfig::default()
        },
        dataset: "demo".into(),
        params: 0,
        best_epoch: 0,
        selection: None,
        stop: StopReason::Completed,
        epoch_secs: 0.0,
        test_metrics: None,
        embedding: None,
        encoder_config: None,
    };
    let model = TrainedModel::build(card, &Device::Cpu).unwrap();
    let cfg = model.card.train.clone();
    let out = fit(
        "nan",
        model.net(),
        &data,
        &cfg,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let StopReason::NonFinite { epoch, .. } = out.stop else {
        panic!("expected a NaN stop, got {:?}", out.stop)
    };
    assert_eq!(epoch, 1);
    assert!(out.stop.describe().contains("NaN"));
    // The kept weights are finite: clean rows still predict finite probabilities.
    let clean: Vec<usize> = data.test.clone();
    let p = slicelab::train::predict::predict(&model.model, &data.x, &clean).unwrap();
    assert!(p.probs.iter().all(|v| v.is_finite()));
}

#[test]
fn multiclass_training_runs_end_to_end() {
    // Three classes from the demo geometry: class 2 inside the first disk.
    let ds = demo(600).dataset();
    let mut table = ds.table.clone();
    let y_idx = table.index_of("y").unwrap();
    let s1 = table
        .column("slice_1")
        .unwrap()
        .as_numeric()
        .unwrap()
        .to_vec();
    if let slicelab::data::ColumnData::Numeric(y) = &mut table.columns[y_idx].data {
        y.iter_mut().zip(&s1).for_each(|(v, s)| {
            if *s == 1.0 {
                *v = 2.0
            }
        });
    }
    table.columns[y_idx].kind = slicelab::data::ColumnKind::Categorical;
    let mut dspec = slicelab::data::DatasetSpec::new("y");
    dspec.truth_slices = vec!["slice_1".into(), "slice_2".into()];
    let forced: Vec<Option<Split>> = ds.splits.iter().map(|s| Some(*s)).collect();
    let ds3 = slicelab::data::Dataset::from_table(table, &dspec, &forced).unwrap();
    assert_eq!(ds3.n_classes(), 3);
    let source = DataSource::Dataset(std::sync::Arc::new(ds3));
    let slices = slicelab::slices::SliceSet::from_columns(&["sf_1", "sf_2"]);
    let result = quiet(&source, &slices, &spec(vec![Method::Sbl], 2));
    assert_eq!(result.runs[0].model.card.model.n_classes, 3);
    let f1 = result.report.methods[0].overall.f1.unwrap().mean;
    assert!(f1 > 0.2 && f1 <= 1.0, "macro F1 {f1}");
}

#[test]
fn the_same_seed_reproduces_a_run_exactly() {
    let source = DataSource::Demo(demo(800));
    let slices = source.default_slices();
    let run = || {
        let r = quiet(&source, &slices, &spec(vec![Method::Sbl], 3));
        r.runs[0]
            .model
            .predict_dataset(&source.dataset(0))
            .unwrap()
            .probs
    };
    assert_eq!(run(), run());
}

#[test]
fn the_app_names_the_text_column_a_model_reads_when_the_data_was_not_embedded() {
    let source = DataSource::Demo(demo(600));
    let mut result = quiet(
        &source,
        &source.default_slices(),
        &spec(vec![Method::Vanilla], 1),
    );
    let mut model = result.runs.remove(0).model;
    let ds = source.dataset(0);
    assert!(slicelab::analysis::predict(&model, &ds, "plain").is_ok());
    // The same model, as if trained on embeddings of a 'review' column.
    model.card.embedding = Some(slicelab::text::EmbedRecord {
        column: "review".into(),
        encoder: "models/minilm".into(),
        fingerprint: "0123456789abcdef".into(),
        dim: 384,
    });
    let err = slicelab::analysis::predict(&model, &ds, "sbl-seed0")
        .err()
        .expect("a model that reads embeddings is refused on unembedded data")
        .to_string();
    assert!(
        err.contains("sbl-seed0 reads embeddings of the text column 'review'")
            && err.contains("\"Embed text column\" set to 'review'"),
        "{err}"
    );
}
