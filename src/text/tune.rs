//! Fine-tuning an encoder's top layers on a labelled text column, saved as a new encoder folder.
//!
//! The lower layers stay frozen, so their token states are computed once; each step runs only the
//! top `layers` layers, mean pooling, L2 normalisation and a linear classification head, with
//! cross-entropy on the training rows. The rows of the validation split pick the best epoch. The
//! result is a complete Hugging Face folder (the tuned layers written over the originals), so
//! every `--encoder` option, the embedding cache and model cards use it like any other encoder.
//! This is the two-stage form: the encoder is adapted to the task first and then frozen while the
//! SBL model trains on its embeddings, rather than updated through the slice heads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use candle_core::{D, DType, Device, Tensor};
use candle_nn::{Linear, Module, VarBuilder, VarMap, linear};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use super::bert::{Layer, l2_normalize};
use super::encoder::TextEncoder;
use super::error::TextError;
use super::packed::Packing;
use crate::optim::{OptimConfig, Optimizer};
use crate::safe_write::{DirWriter, Owner};

/// The files of a tuned-encoder folder: the source's files copied unchanged (those present),
/// the tuned weights, and the tuning record, written last so its presence marks a complete folder.
const ENCODER_FILES: [&str; 8] = [
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "sentence_bert_config.json",
    "model.safetensors",
    TUNING_FILE,
];

/// Files copied unchanged from the source folder.
const COPIED: &[&str] = ENCODER_FILES.split_at(6).0;

/// The tuning record.
const TUNING_FILE: &str = "tuning.json";

/// Tuned-encoder folders: the files slicelab writes in them and how it recognises one.
pub static ENCODER_DIR: Owner = Owner {
    what: "a tuned-encoder folder written by slicelab (with tuning.json)",
    files: &ENCODER_FILES,
    recognise: |dir| {
        std::fs::read(dir.join(TUNING_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v.get("best_epoch").is_some())
    },
};

/// How to tune.
#[derive(Debug, Clone, Serialize)]
pub struct TuneConfig {
    /// Top layers trained (the rest stay frozen).
    pub layers: usize,
    /// Passes over the training rows.
    pub epochs: usize,
    /// AdamW learning rate.
    pub lr: f64,
    /// Texts per step.
    pub batch_size: usize,
    /// Shuffling and head initialisation seed.
    pub seed: u64,
}

impl Default for TuneConfig {
    fn default() -> Self {
        Self {
            layers: 1,
            epochs: 3,
            lr: 5e-5,
            batch_size: 32,
            seed: 0,
        }
    }
}

/// The labelled texts to tune on.
pub struct TuneData<'a> {
    /// Every row's text.
    pub texts: Vec<&'a str>,
    /// Every row's class index.
    pub labels: &'a [u32],
    /// Number of classes.
    pub n_classes: usize,
    /// Rows trained on.
    pub train: &'a [usize],
    /// Rows that pick the best epoch (may be empty: the last epoch is kept).
    pub valid: &'a [usize],
}

/// One finished epoch.
#[derive(Debug, Clone, Serialize)]
pub struct TuneEpoch {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training cross-entropy.
    pub train_loss: f64,
    /// Accuracy of the tuning head on the validation rows (NaN without them).
    pub valid_accuracy: f64,
    /// Seconds the epoch took.
    pub secs: f64,
}

/// What a tuning run did; also written to `tuning.json` in the output folder.
#[derive(Debug, Clone, Serialize)]
pub struct TuneReport {
    /// The source encoder folder.
    pub source: PathBuf,
    /// Settings.
    pub config: TuneConfig,
    /// Per epoch.
    pub epochs: Vec<TuneEpoch>,
    /// The epoch whose weights were saved.
    pub best_epoch: usize,
    /// Seconds spent on the frozen layers' token states.
    pub states_secs: f64,
}

/// Embeddings are unit vectors, so a head on them alone starts with logits near 0 and learns
/// slowly at an encoder's learning rate; a fixed temperature (as in cosine classifiers) fixes that.
const HEAD_SCALE: f64 = 16.0;

/// The trainable top of the encoder with its classification head.
struct Top {
    layers: Vec<Layer>,
    head: Linear,
    first: usize,
}

impl Top {
    /// Class logits `[b, C]` of packed states `[n, h]` laid out by `p`.
    fn forward(&self, x: &Tensor, p: &Packing) -> candle_core::Result<Tensor> {
        let h = self
            .layers
            .iter()
            .try_fold(x.clone(), |x, l| l.forward_packed(&x, p))?; // [n, h]
        self.head
            .forward(&(l2_normalize(&p.mean_pool(&h)?)? * HEAD_SCALE)?) // [b, C]
    }
}

/// Tunes the top `cfg.layers` layers of the encoder in `source` and writes the tuned encoder to
/// `out` (see [`ENCODER_DIR`] for which folders it writes). `progress` gets a line per stage and epoch.
pub fn tune_encoder(
    source: &Path,
    data: &TuneData,
    cfg: &TuneConfig,
    out: &Path,
    device: &Device,
    progress: &mut dyn FnMut(String),
    cancel: &AtomicBool,
) -> Result<TuneReport, TextError> {
    let encoder = TextEncoder::load(source, &Device::Cpu)?;
    let total = encoder.config().num_hidden_layers;
    if cfg.layers == 0 || cfg.layers > total {
        return Err(TextError::Config {
            path: source.join("config.json"),
            message: format!("cannot tune {} of its {total} layers", cfg.layers),
        });
    }
    if !(cfg.lr > 0.0 && cfg.lr.is_finite()) {
        return Err(TextError::Config {
            path: source.to_path_buf(),
            message: format!(
                "the learning rate must be a finite positive number, got {}",
                cfg.lr
            ),
        });
    }
    // Refuse a folder of the user's before hours of tuning, not after.
    crate::safe_write::check_owned(out, &ENCODER_DIR).map_err(|e| TextError::Config {
        path: out.to_path_buf(),
        message: e.to_string(),
    })?;
    if cfg.epochs == 0 || cfg.batch_size == 0 || data.train.is_empty() {
        return Err(TextError::Config {
            path: source.to_path_buf(),
            message: format!(
                "tuning needs at least one epoch, a batch size above 0 and training rows (epochs {}, batch size {}, {} training rows)",
                cfg.epochs,
                cfg.batch_size,
                data.train.len()
            ),
        });
    }
    let model_err = |source_err| TextError::Model {
        path: source.to_path_buf(),
        source: source_err,
    };
    let started = Instant::now();
    let states = frozen_states(&encoder, data, total - cfg.layers, progress, cancel)?;
    let states_secs = started.elapsed().as_secs_f64();
    let weights = candle_core::safetensors::load(source.join("model.safetensors"), device)
        .map_err(model_err)?;
    let (varmap, top) =
        build_top(&encoder, cfg, data.n_classes, &weights, device).map_err(model_err)?;
    // The training defaults otherwise (Adam, no decay, clipping at 1).
    let optim = OptimConfig {
        lr: cfg.lr,
        ..OptimConfig::default()
    };
    let mut opt = Optimizer::new(varmap.all_vars(), &optim).map_err(model_err)?;
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let (mut epochs, mut best, mut best_acc) = (Vec::new(), None, f64::NEG_INFINITY);
    let mut order = data.train.to_vec();
    for epoch in 1..=cfg.epochs {
        let t0 = Instant::now();
        order.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        for chunk in order.chunks(cfg.batch_size) {
            if cancel.load(Ordering::Relaxed) {
                return Err(TextError::Cancelled);
            }
            let (x, p) = Packing::rows(&states, chunk, encoder.dim(), device).map_err(model_err)?;
            let y: Vec<u32> = chunk.iter().map(|&i| data.labels[i]).collect();
            let y = Tensor::from_vec(y, chunk.len(), device).map_err(model_err)?;
            let loss = candle_nn::loss::cross_entropy(&top.forward(&x, &p).map_err(model_err)?, &y)
                .map_err(model_err)?;
            loss_sum += f64::from(loss.to_scalar::<f32>().map_err(model_err)?) * chunk.len() as f64;
            opt.step(loss.backward().map_err(model_err)?)
                .map_err(model_err)?;
        }
        let valid_accuracy =
            accuracy(&top, &states, data, encoder.dim(), device).map_err(model_err)?;
        let e = TuneEpoch {
            epoch,
            train_loss: loss_sum / order.len().max(1) as f64,
            valid_accuracy,
            secs: t0.elapsed().as_secs_f64(),
        };
        progress(format!(
            "epoch {epoch}/{}: train loss {:.4}, valid accuracy {:.3} ({:.1} s)",
            cfg.epochs, e.train_loss, e.valid_accuracy, e.secs
        ));
        // NaN (no validation rows) never compares greater: keep the latest epoch then.
        if valid_accuracy.is_nan() || valid_accuracy > best_acc {
            best_acc = valid_accuracy;
            best = Some((epoch, tuned_tensors(&varmap, &top).map_err(model_err)?));
        }
        epochs.push(e);
    }
    let (best_epoch, tuned) = best.unwrap_or((0, HashMap::new()));
    let report = TuneReport {
        source: source.to_path_buf(),
        config: cfg.clone(),
        epochs,
        best_epoch,
        states_secs,
    };
    write_encoder(source, out, weights, tuned, &report)?;
    Ok(report)
}

/// Token states after the frozen layers for the training and validation rows (other rows,
/// such as the test split, are never read and stay empty).
fn frozen_states(
    encoder: &TextEncoder,
    data: &TuneData,
    layers: usize,
    progress: &mut dyn FnMut(String),
    cancel: &AtomicBool,
) -> Result<Vec<Vec<f32>>, TextError> {
    let mut needed: Vec<usize> = data.train.iter().chain(data.valid).copied().collect();
    needed.sort_unstable();
    needed.dedup();
    let texts: Vec<&str> = needed.iter().map(|&i| data.texts[i]).collect();
    let computed = encoder.token_states(
        &texts,
        layers,
        &mut |d, n| progress(format!("frozen layers: {d}/{n} texts")),
        cancel,
    )?;
    let mut states = vec![Vec::new(); data.texts.len()];
    for (i, s) in needed.into_iter().zip(computed) {
        states[i] = s;
    }
    Ok(states)
}

/// The top layers as variables initialised from the pretrained tensors, and a fresh head.
fn build_top(
    encoder: &TextEncoder,
    cfg: &TuneConfig,
    n_classes: usize,
    weights: &HashMap<String, Tensor>,
    device: &Device,
) -> candle_core::Result<(VarMap, Top)> {
    let total = encoder.config().num_hidden_layers;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, device);
    let first = total - cfg.layers;
    let layers = (first..total)
        .map(|i| Layer::new(encoder.config(), vb.pp("encoder").pp("layer").pp(i), true))
        .collect::<candle_core::Result<_>>()?;
    let head = linear(encoder.dim(), n_classes, vb.pp("tune_head"))?;
    crate::optim::init_seeded(&varmap, cfg.seed)?;
    super::tower::Tower::load_pretrained(&varmap, weights)?;
    Ok((
        varmap,
        Top {
            layers,
            head,
            first,
        },
    ))
}

/// Accuracy of the tuning head on the validation rows (NaN without any).
fn accuracy(
    top: &Top,
    states: &[Vec<f32>],
    data: &TuneData,
    h: usize,
    device: &Device,
) -> candle_core::Result<f64> {
    if data.valid.is_empty() {
        return Ok(f64::NAN);
    }
    let mut right = 0usize;
    for chunk in data.valid.chunks(64) {
        let (x, p) = Packing::rows(states, chunk, h, device)?;
        let pred = top.forward(&x, &p)?.argmax(D::Minus1)?.to_vec1::<u32>()?;
        right += chunk
            .iter()
            .zip(pred)
            .filter(|(i, p)| data.labels[**i] == *p)
            .count();
    }
    Ok(right as f64 / data.valid.len() as f64)
}

/// The tuned layers' tensors under their encoder names (the head is not part of the encoder).
fn tuned_tensors(varmap: &VarMap, top: &Top) -> candle_core::Result<HashMap<String, Tensor>> {
    let data = varmap
        .data()
        .lock()
        .map_err(|_| candle_core::Error::Msg("variable map lock poisoned".into()))?;
    let prefix = |i: usize| format!("encoder.layer.{i}.");
    let first = top.first;
    data.iter()
        .filter(|(name, _)| (first..first + top.layers.len()).any(|i| name.starts_with(&prefix(i))))
        .map(|(name, var)| Ok((name.clone(), var.as_tensor().copy()?)))
        .collect()
}

/// Writes the source's files with the tuned tensors over the originals into `out`, which must be
/// new, empty, or a tuned-encoder folder slicelab wrote (only its files are replaced).
fn write_encoder(
    source: &Path,
    out: &Path,
    mut weights: HashMap<String, Tensor>,
    tuned: HashMap<String, Tensor>,
    report: &TuneReport,
) -> Result<(), TextError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TextError::Io { path, source }
    };
    let dir_err = |e: crate::safe_write::DirError| TextError::Config {
        path: out.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = DirWriter::begin(out, &ENCODER_DIR).map_err(dir_err)?;
    for f in ENCODER_DIR.files.iter().filter(|f| COPIED.contains(f)) {
        let from = source.join(f);
        if from.exists() {
            std::fs::copy(&from, w.path(f)).map_err(io(&from))?;
        }
    }
    weights.extend(tuned);
    let st = w.path("model.safetensors");
    candle_core::safetensors::save(&weights, &st).map_err(|e| TextError::Model {
        path: st.clone(),
        source: e,
    })?;
    let json = serde_json::to_vec_pretty(report).unwrap_or_default();
    w.write(TUNING_FILE, &json).map_err(dir_err)?;
    w.commit().map_err(dir_err)
}
