//! Joint encoder tuning (`train --tune-layers N`): the top encoder layers train in one graph with
//! the model. Runs on the tiny BERT built in the test and the committed review sample.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use slicelab::data::load::Sources;
use slicelab::data::{Dataset, DatasetSpec};
use slicelab::model::Method;
use slicelab::slices::{SliceDef, SliceSet};
use slicelab::text::tower::{Tower, encoder_config};
use slicelab::text::{TextEncoder, embed_column};
use slicelab::train::prepared::Prepared;
use slicelab::train::saved::Watch;
use slicelab::train::{DataSource, ExperimentSpec, TrainConfig, TrainedModel, run_experiment};

/// The review sample with its text embedded by the tiny BERT in `encoder`.
fn embedded_reviews(encoder: &std::path::Path) -> Dataset {
    let sources = Sources::resolve(&common::reviews_csv(), None);
    let mut ds = Dataset::load(&sources, &DatasetSpec::new("label")).unwrap();
    let enc = TextEncoder::load(encoder, &Device::Cpu).unwrap();
    let done = embed_column(
        &mut ds.table,
        "text",
        &enc,
        None,
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    ds.embedding = Some(done.record);
    ds
}

fn slices() -> SliceSet {
    SliceSet {
        slices: vec![
            SliceDef::new("negation", "HAS_NEGATION(text)"),
            SliceDef::new("short", "WORD_COUNT(text) <= 8"),
        ],
    }
}

fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar()
        .unwrap()
}

#[test]
fn the_tuned_layers_start_at_the_frozen_features_and_pass_gradients_to_every_tuned_weight() {
    let bert = common::tiny_bert::tiny_bert();
    let ds = embedded_reviews(bert.path());
    let mut data = Prepared::new(&ds, &slices(), None, 0, &Device::Cpu).unwrap();
    data.tune_text(&ds, 1, &mut |_, _| {}, &AtomicBool::new(false))
        .unwrap();
    let text = data.text.as_ref().expect("tuning prepared");
    let cfg = encoder_config(bert.path()).unwrap();
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let tower = Tower::new(&cfg, cfg.num_hidden_layers - 1, vb).unwrap();
    Tower::load_pretrained(&varmap, &text.states.pretrained).unwrap();
    let rows: Vec<usize> = (0..ds.n_rows()).collect();

    // At the pretrained weights the model sees exactly the frozen embedding columns.
    let tuned = data.inputs(Some(&tower), &rows).unwrap();
    let frozen = data.inputs(None, &rows).unwrap();
    assert_eq!(tuned.dims(), frozen.dims());
    let diff = max_diff(&tuned, &frozen);
    assert!(diff < 1e-3, "tuned and frozen features differ by {diff}");

    // A loss on the features reaches every weight of the tuned layer.
    let loss = tuned.sqr().unwrap().sum_all().unwrap();
    let grads = loss.backward().unwrap();
    let vars = varmap.data().lock().unwrap();
    assert!(vars.len() > 10, "{} tuned variables", vars.len());
    for (name, var) in vars.iter() {
        assert!(name.starts_with("encoder.layer.1."), "{name}");
        let g = grads
            .get(var.as_tensor())
            .unwrap_or_else(|| panic!("no gradient for {name}"));
        let norm: f32 = g.sqr().unwrap().sum_all().unwrap().to_scalar().unwrap();
        assert!(
            norm > 0.0 && norm.is_finite(),
            "{name}: gradient norm {norm}"
        );
    }
}

fn spec(methods: Vec<Method>, tune_layers: usize) -> ExperimentSpec {
    ExperimentSpec {
        methods,
        seeds: vec![0],
        train: TrainConfig {
            epochs: 2,
            batch_size: 16,
            lr: 0.003,
            hidden: vec![16],
            tune_layers,
            encoder_lr: 1e-3,
            device: "cpu".into(),
            ..TrainConfig::default()
        },
        rep_dim: None,
        features: None,
        metric: None,
    }
}

#[test]
fn every_method_trains_the_encoder_layers_and_the_saved_model_embeds_raw_text_with_them() {
    let bert = common::tiny_bert::tiny_bert();
    let ds = Arc::new(embedded_reviews(bert.path()));
    let methods = vec![Method::Vanilla, Method::Hps, Method::Moe, Method::Sbl];
    let source = DataSource::Dataset(ds.clone());
    let cancel = AtomicBool::new(false);
    let frozen = run_experiment(
        &source,
        &slices(),
        &spec(methods.clone(), 0),
        &mut |_| {},
        &cancel,
    )
    .unwrap();
    let tuned =
        run_experiment(&source, &slices(), &spec(methods, 1), &mut |_| {}, &cancel).unwrap();
    let encoder =
        candle_core::safetensors::load(bert.path().join("model.safetensors"), &Device::Cpu)
            .unwrap();
    for (f, t) in frozen.runs.iter().zip(&tuned.runs) {
        let name = t.method.name();
        // The tuned layer's weights are the model's too, and they moved from the encoder's.
        let extra = t.model.params() - f.model.params();
        assert!(extra > 1000, "{name}: {extra} more parameters when tuning");
        let vars = t.model.varmap.data().lock().unwrap();
        let moved = vars
            .iter()
            .filter(|(n, _)| n.starts_with("encoder.layer.1."))
            .filter(|(n, v)| max_diff(v.as_tensor(), &encoder[n.as_str()]) > 1e-6)
            .count();
        assert!(moved > 10, "{name}: only {moved} tuned tensors changed");
        drop(vars);
        assert_eq!(t.model.card.train.tune_layers, 1);

        // Saved and loaded, it predicts the raw table (no embedding columns) as in training.
        let dir = tempfile::tempdir().unwrap();
        t.model.save(dir.path()).unwrap();
        let back = TrainedModel::load(dir.path(), &Device::Cpu).unwrap();
        let raw = slicelab::data::load::read_table_with(
            &common::reviews_csv(),
            slicelab::data::HeaderMode::Auto,
        )
        .unwrap();
        assert!(raw.column("text_e0").is_none());
        let from_raw = back.predict_table(&raw).unwrap();
        watched_prediction_reports_and_stops(&back, dir.path());
        let rows: Vec<usize> = (0..ds.n_rows()).collect();
        let data = {
            let mut d = Prepared::new(&ds, &slices(), None, 0, &Device::Cpu).unwrap();
            d.tune_text(&ds, 1, &mut |_, _| {}, &AtomicBool::new(false))
                .unwrap();
            d
        };
        let in_training = t.model.predict_rows(&data, &rows).unwrap();
        let worst = from_raw
            .probs
            .iter()
            .zip(&in_training.probs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-3, "{name}: probabilities differ by {worst}");

        // More rows than one chunk, in any order: each row's prediction stays its own.
        let n = rows.len();
        let many: Vec<usize> = (0..5 * n).map(|j| (j * 7 + j / n) % n).collect();
        let big = t.model.predict_rows(&data, &many).unwrap();
        let c = back.card.classes.len();
        for (j, &r) in many.iter().enumerate() {
            assert_eq!(big.classes[j], in_training.classes[r], "{name}: row {r}");
            let (a, b) = (
                &big.probs[j * c..(j + 1) * c],
                &in_training.probs[r * c..(r + 1) * c],
            );
            assert!(
                a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-4),
                "{name}: row {r}"
            );
        }
    }
}

/// A prediction through tuned layers (minutes for thousands of texts on a CPU) stops when asked
/// and otherwise reports every text done. The table has a row no earlier run embedded, so the
/// embedding cache cannot answer for it.
fn watched_prediction_reports_and_stops(model: &TrainedModel, dir: &std::path::Path) {
    let csv = dir.join("reviews_plus.csv");
    let mut text = std::fs::read_to_string(common::reviews_csv()).unwrap();
    text.push_str(&format!(
        "\"never seen {:?} {}\",1\n",
        dir,
        std::process::id()
    ));
    std::fs::write(&csv, text).unwrap();
    let table =
        slicelab::data::load::read_table_with(&csv, slicelab::data::HeaderMode::Auto).unwrap();
    let n = table.n_rows();
    let mut reports = Vec::new();
    let stop = AtomicBool::new(true);
    let mut watch = Watch {
        progress: &mut |done, total| reports.push((done, total)),
        cancel: &stop,
    };
    let Err(err) = model.predict_watched(&table, &mut watch) else {
        panic!("a cancelled prediction ended");
    };
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert!(reports.is_empty(), "{reports:?}");
    let go = AtomicBool::new(false);
    let mut watch = Watch {
        progress: &mut |done, total| reports.push((done, total)),
        cancel: &go,
    };
    let p = model.predict_watched(&table, &mut watch).unwrap();
    assert_eq!(p.classes.len(), n);
    assert_eq!(reports.last(), Some(&(n, n)), "{reports:?}");
}

#[test]
fn a_tuning_job_whose_token_states_do_not_fit_is_refused_with_what_it_needs() {
    use slicelab::text::TextError;
    use slicelab::text::memory::{human_bytes, parse_meminfo};
    use slicelab::text::tower::{check_memory, state_bytes};
    let dir = common::tiny_bert::tiny_bert();
    let enc = TextEncoder::load(dir.path(), &Device::Cpu).unwrap();
    let texts = [
        "a fine film",
        "not a good one, and far too long for its own good",
    ];
    let counts = enc.token_counts(&texts).unwrap();
    assert!(counts[1] > counts[0] && counts[0] >= 3, "{counts:?}");
    // BERT-base on 100,000 texts of 512 tokens on a 24 GB machine: refused before any work.
    let need = state_bytes(100_000 * 512, 768);
    assert_eq!(need, 157_286_400_000);
    let available = parse_meminfo("MemTotal: 24000000 kB\nMemAvailable: 20000000 kB\n");
    assert_eq!(available, Some(20_480_000_000));
    let refuse = |a| TextError::Memory {
        need: human_bytes(need),
        available: human_bytes(a),
        texts: 100_000,
        tokens: 100_000 * 512,
        hidden: 768,
    };
    let err = check_memory(need, available, refuse)
        .unwrap_err()
        .to_string();
    assert!(err.contains("157.3 GB") && err.contains("20.5 GB"), "{err}");
    assert!(err.contains("0 tuned layers"), "{err}");
    // What fits passes, and so does a system that does not say what it has.
    assert!(check_memory(need / 20, available, refuse).is_ok());
    assert!(check_memory(need, None, refuse).is_ok());
}
