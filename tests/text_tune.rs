//! Fine-tuning the MiniLM encoder's top layer on a small labelled sample: the result is a complete
//! encoder folder whose lower layers are untouched and whose top layer learned from the labels.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use candle_core::Device;
use slicelab::text::tune::{TuneConfig, TuneData, tune_encoder};
use slicelab::text::{TextEncoder, TextError, cosine};

fn encoder_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/models/all-MiniLM-L6-v2")
}

/// Every 160th review of `../shared/data/rotten_tomatoes.csv`: (text, label), 81 rows.
fn reviews() -> (Vec<String>, Vec<u32>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/rotten_tomatoes.csv");
    let mut reader = csv::Reader::from_path(&src).unwrap();
    reader
        .records()
        .step_by(160)
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[2].parse::<u32>().unwrap())
        })
        .unzip()
}

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

#[test]
fn tuning_the_top_layer_learns_and_leaves_the_lower_layers_alone() {
    let (texts, labels) = reviews();
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
        epochs: 4,
        lr: 1e-4,
        batch_size: 16,
        seed: 0,
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tuned");
    let cancel = AtomicBool::new(false);
    let report = tune_encoder(
        &encoder_dir(),
        &data,
        &cfg,
        &out,
        &Device::Cpu,
        &mut |_| {},
        &cancel,
    )
    .unwrap();
    let losses: Vec<f64> = report.epochs.iter().map(|e| e.train_loss).collect();
    eprintln!("train loss per epoch: {losses:?}");
    assert!(
        losses[3] < losses[0] * 0.9,
        "the training loss fell: {losses:?}"
    );
    assert!((1..=4).contains(&report.best_epoch));
    assert!(out.join("tuning.json").exists() && out.join("tokenizer.json").exists());

    // Only layer 5 of 6 changed.
    let (before, after) = (tensors(&encoder_dir()), tensors(&out));
    assert_eq!(before.len(), after.len(), "no tensor lost or added");
    for (name, t) in &before {
        let tuned = name.starts_with("encoder.layer.5.");
        assert_eq!(
            same(t, &after[name]),
            !tuned,
            "{name} changed: {}",
            !same(t, &after[name])
        );
    }

    // The folder is a working encoder with its own fingerprint, close to the original.
    let (orig, new) = (
        TextEncoder::load(&encoder_dir(), &Device::Cpu).unwrap(),
        TextEncoder::load(&out, &Device::Cpu).unwrap(),
    );
    assert_ne!(orig.fingerprint(), new.fingerprint());
    let s = ["a gripping, beautifully acted film"];
    let c = cosine(
        &orig.embed_batch(&s).unwrap(),
        &new.embed_batch(&s).unwrap(),
    );
    eprintln!("cos(original, tuned) = {c:.4}");
    assert!(c > 0.5 && c < 0.9999, "{c}");

    // Asking for more layers than the model has names the model's config.
    let bad = TuneConfig {
        layers: 7,
        ..cfg.clone()
    };
    let err = tune_encoder(
        &encoder_dir(),
        &data,
        &bad,
        &out,
        &Device::Cpu,
        &mut |_| {},
        &cancel,
    )
    .unwrap_err();
    assert!(
        matches!(err, TextError::Config { .. })
            && err.to_string().contains("cannot tune 7 of its 6 layers"),
        "{err}"
    );
    // Zero epochs would write the untouched encoder under a new name: refused.
    let none = TuneConfig { epochs: 0, ..cfg };
    let err = tune_encoder(
        &encoder_dir(),
        &data,
        &none,
        &out,
        &Device::Cpu,
        &mut |_| {},
        &cancel,
    )
    .unwrap_err();
    assert!(err.to_string().contains("at least one epoch"), "{err}");
}
