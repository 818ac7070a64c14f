//! Fine-tuning an encoder's top layer on a small labelled sample: the result is a complete
//! encoder folder whose lower layers are untouched and whose top layer learned from the labels.
//! The mechanics run on a tiny BERT built in the test; whether tuning learns is checked on MiniLM
//! from `../shared/models`.

use crate::common;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use candle_core::Device;
use slicelab::text::tune::{TuneConfig, TuneData, TuneReport, tune_encoder};
use slicelab::text::{TextEncoder, TextError, cosine};

fn tensors(dir: &Path) -> std::collections::HashMap<String, candle_core::Tensor> {
    candle_core::safetensors::load(dir.join("model.safetensors"), &Device::Cpu).unwrap()
}

fn same(a: &candle_core::Tensor, b: &candle_core::Tensor) -> bool {
    let values = |t: &candle_core::Tensor| -> Vec<f64> {
        let t = t
            .flatten_all()
            .unwrap()
            .to_dtype(candle_core::DType::F64)
            .unwrap();
        t.to_vec1().unwrap()
    };
    a.dtype() == b.dtype() && values(a) == values(b)
}

/// What [`tune_and_check`] found beyond its own assertions.
struct Tuned {
    report: TuneReport,
    /// Cosine of one review's embedding by the source and by the tuned encoder.
    cos: f32,
}

/// Tunes the top layer of the `layers`-layer encoder in `source` on the review sample (60 rows
/// train, 21 pick the epoch) for `epochs` epochs and checks the mechanics: a report per epoch, a
/// complete folder where only the top layer changed, which loads as a new encoder of the same
/// width; more layers than the model has and zero epochs are refused.
fn tune_and_check(source: &Path, layers: usize, epochs: usize) -> Tuned {
    let (texts, labels) = common::reviews();
    let rows: Vec<usize> = (0..texts.len()).collect();
    let (train, valid) = rows.split_at(60);
    let data = TuneData {
        texts: texts.iter().map(String::as_str).collect(),
        labels: &labels,
        n_classes: 2,
        train,
        valid,
    };
    let cfg = TuneConfig {
        layers: 1,
        epochs,
        lr: 1e-4,
        batch_size: 16,
        seed: 0,
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tuned");
    let cancel = AtomicBool::new(false);
    let tune = |cfg: &TuneConfig| {
        tune_encoder(source, &data, cfg, &out, &Device::Cpu, &mut |_| {}, &cancel)
    };
    let report = tune(&cfg).unwrap();
    assert_eq!(report.epochs.len(), epochs);
    assert!(
        report.epochs.iter().all(|e| e.train_loss.is_finite()),
        "{:?}",
        report.epochs
    );
    assert!((1..=epochs).contains(&report.best_epoch));
    assert!(out.join("tuning.json").exists() && out.join("tokenizer.json").exists());

    // Only the top layer changed.
    let (before, after) = (tensors(source), tensors(&out));
    assert_eq!(before.len(), after.len(), "no tensor lost or added");
    let top = format!("encoder.layer.{}.", layers - 1);
    for (name, t) in &before {
        let tuned = name.starts_with(&top);
        assert_eq!(
            same(t, &after[name]),
            !tuned,
            "{name} changed: {}",
            !same(t, &after[name])
        );
    }

    // The folder is a working encoder with its own fingerprint.
    let (orig, new) = (
        TextEncoder::load(source, &Device::Cpu).unwrap(),
        TextEncoder::load(&out, &Device::Cpu).unwrap(),
    );
    assert_ne!(orig.fingerprint(), new.fingerprint());
    assert_eq!(orig.dim(), new.dim());
    let s = ["a gripping, beautifully acted film"];
    let cos = cosine(
        &orig.embed_batch(&s).unwrap(),
        &new.embed_batch(&s).unwrap(),
    );

    // Asking for more layers than the model has names the model's config.
    let bad = TuneConfig {
        layers: layers + 1,
        ..cfg.clone()
    };
    let err = tune(&bad).unwrap_err();
    let expected = format!("cannot tune {} of its {layers} layers", layers + 1);
    assert!(
        matches!(err, TextError::Config { .. }) && err.to_string().contains(&expected),
        "{err}"
    );
    // Zero epochs would write the untouched encoder under a new name: refused.
    let none = TuneConfig { epochs: 0, ..cfg };
    let err = tune(&none).unwrap_err();
    assert!(err.to_string().contains("at least one epoch"), "{err}");
    Tuned { report, cos }
}

#[test]
fn tuning_writes_an_encoder_folder_where_only_the_top_layer_changed() {
    let model = common::tiny_bert::tiny_bert();
    let tuned = tune_and_check(model.path(), common::tiny_bert::LAYERS, 2);
    assert!(
        tuned.cos < 0.99999,
        "the tuned top layer changes the embedding: {}",
        tuned.cos
    );
}

#[test]
fn tuning_minilms_top_layer_learns_and_leaves_the_lower_layers_alone() {
    let Some(source) = common::shared_or_skip(
        "models/all-MiniLM-L6-v2",
        "tuning MiniLM's top layer on real weights (text_tune)",
    ) else {
        return;
    };
    let Tuned { report, cos } = tune_and_check(&source, 6, 4);
    let losses: Vec<f64> = report.epochs.iter().map(|e| e.train_loss).collect();
    eprintln!("train loss per epoch: {losses:?}");
    assert!(
        losses[3] < losses[0] * 0.9,
        "the training loss fell: {losses:?}"
    );
    eprintln!("cos(original, tuned) = {cos:.4}");
    assert!(cos > 0.5 && cos < 0.9999, "{cos}");
}
