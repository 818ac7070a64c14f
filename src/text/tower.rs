//! Joint encoder tuning: the top layers of a text encoder trained in one graph with a model.
//!
//! With `train --tune-layers N` the encoder's lower layers stay frozen and run once per dataset
//! ([`TokenStates`], kept for the process so seeds and methods share them). Each step runs the
//! top N layers ([`Tower`]), mean pooling and L2 normalisation on the batch's cached states,
//! standardises the pooled vector with the statistics the frozen embedding columns were fitted
//! with, and puts it where those columns sit in the feature vector ([`EmbedSlots`]). The model's
//! loss (Vanilla, HPS, MoE or SBL: the slice heads included) then differentiates through the
//! tuned layers, which is what the paper's NLU experiments do with BERT.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};

use super::bert::{BertConfig, Layer, l2_normalize};
use super::encoder::TextEncoder;
use super::error::TextError;
use super::packed::Packing;
use crate::data::{EmbedRecord, FeatureInput, FeatureMap};

/// Names of the tuned layers' variables start with this (the Hugging Face layout), so a model's
/// weights file holds them under the names the encoder's own file uses.
pub const LAYER_PREFIX: &str = "encoder.layer.";

/// Rows per chunk when the tower runs without gradients (validation, prediction): its
/// activations are `[rows, tokens, 4h]`.
pub const CHUNK: usize = 256;

/// Token states after an encoder's frozen lower layers, for every row of a table.
pub struct TokenStates {
    /// Per row, the states of its real tokens, `[tokens, h]` row-major.
    states: Vec<Vec<f32>>,
    /// Width of every state.
    hidden: usize,
    /// Index of the first tuned layer (the number of frozen ones).
    pub first: usize,
    /// The encoder's configuration.
    pub config: BertConfig,
    /// The pretrained tensors of the tuned layers, by variable name (on the CPU).
    pub pretrained: HashMap<String, Tensor>,
}

/// The last states computed, so every seed and method of a job (and a retrain in the app) reuses
/// them; keyed by encoder fingerprint, tuned layers and texts.
static LAST: Mutex<Option<(u64, Arc<TokenStates>)>> = Mutex::new(None);

impl TokenStates {
    /// The states of `texts` below the top `tune_layers` layers of the encoder `record` names
    /// (refused when its files changed since the table was embedded); `progress` gets
    /// `(texts done, texts)`. The last states computed stay in memory for the process (about
    /// 0.5 GB for Rotten Tomatoes on MiniLM), so the seeds and methods of a job and a retrain in
    /// the app reuse them.
    pub fn for_texts(
        record: &EmbedRecord,
        texts: &[&str],
        tune_layers: usize,
        progress: &mut dyn FnMut(usize, usize),
        cancel: &AtomicBool,
    ) -> Result<Arc<Self>, TextError> {
        let encoder = load_checked(record, None)?;
        let key = super::EmbeddingCache::key(encoder.fingerprint(), texts) ^ tune_layers as u64;
        if let Ok(last) = LAST.lock()
            && let Some((k, states)) = last.as_ref()
            && *k == key
        {
            return Ok(states.clone());
        }
        let total = encoder.config().num_hidden_layers;
        if tune_layers == 0 || tune_layers > total {
            return Err(TextError::Config {
                path: record.encoder.join("config.json"),
                message: format!("cannot tune {tune_layers} of its {total} layers"),
            });
        }
        let first = total - tune_layers;
        let tokens: usize = encoder.token_counts(texts)?.iter().sum();
        let need = state_bytes(tokens, encoder.dim());
        // The previous job's states are released first: the new ones replace them.
        if let Ok(mut last) = LAST.lock() {
            *last = None;
        }
        check_memory(need, super::memory::available_memory(), |available| {
            TextError::Memory {
                need: super::memory::human_bytes(need),
                available: super::memory::human_bytes(available),
                texts: texts.len(),
                tokens,
                hidden: encoder.dim(),
            }
        })?;
        let states = encoder.token_states(texts, first, progress, cancel)?;
        let path = record.encoder.join("model.safetensors");
        let weights = candle_core::safetensors::load(&path, &Device::Cpu).map_err(|source| {
            TextError::Model {
                path: path.clone(),
                source,
            }
        })?;
        let pretrained = weights
            .into_iter()
            .filter(|(name, _)| tuned_layer(name).is_some_and(|i| i >= first))
            .collect();
        let me = Arc::new(Self {
            states,
            hidden: encoder.dim(),
            first,
            config: encoder.config().clone(),
            pretrained,
        });
        if let Ok(mut last) = LAST.lock() {
            *last = Some((key, me.clone()));
        }
        Ok(me)
    }

    /// The number of tokens of `row`'s text.
    pub fn tokens(&self, row: usize) -> usize {
        self.states[row].len() / self.hidden.max(1)
    }

    /// Packed states `[n, h]` of `rows` and their layout (an empty text gets one zero token).
    pub fn batch(&self, rows: &[usize], device: &Device) -> candle_core::Result<(Tensor, Packing)> {
        Packing::rows(&self.states, rows, self.hidden, device)
    }
}

/// Bytes the token states of `tokens` tokens of width `hidden` take (f32).
pub fn state_bytes(tokens: usize, hidden: usize) -> u64 {
    tokens as u64 * hidden as u64 * 4
}

/// Share of the available memory the token states may take: the model, its batches and the
/// optimiser need the rest.
pub const STATE_MEMORY_SHARE: f64 = 0.6;

/// Refuses `need` bytes of states when more than [`STATE_MEMORY_SHARE`] of `available` (where it
/// is known); `refuse` builds the error from the available bytes.
pub fn check_memory(
    need: u64,
    available: Option<u64>,
    refuse: impl FnOnce(u64) -> TextError,
) -> Result<(), TextError> {
    match available {
        Some(a) if need as f64 > a as f64 * STATE_MEMORY_SHARE => Err(refuse(a)),
        _ => Ok(()),
    }
}

/// The layer index of a tuned-layer variable name (`encoder.layer.5.attention...` -> 5).
fn tuned_layer(name: &str) -> Option<usize> {
    name.strip_prefix(LAYER_PREFIX)?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// The configuration in an encoder folder's `config.json`, checked.
pub fn encoder_config(dir: &std::path::Path) -> Result<BertConfig, TextError> {
    let path = dir.join("config.json");
    let bytes = std::fs::read(&path).map_err(|source| TextError::Io {
        path: path.clone(),
        source,
    })?;
    let cfg: BertConfig = serde_json::from_slice(&bytes).map_err(|e| TextError::Config {
        path: path.clone(),
        message: e.to_string(),
    })?;
    cfg.validate().map_err(|e| TextError::Config {
        path,
        message: e.to_string(),
    })?;
    Ok(cfg)
}

/// Loads the encoder a record names (or the folder `moved_to`, when it moved) and checks it is
/// the one the record was made with.
pub fn load_checked(
    record: &EmbedRecord,
    moved_to: Option<&Path>,
) -> Result<TextEncoder, TextError> {
    let dir = moved_to.unwrap_or(&record.encoder);
    let encoder = TextEncoder::load(dir, &Device::Cpu)?;
    let found = format!("{:016x}", encoder.fingerprint());
    if found != record.fingerprint {
        return Err(TextError::WrongEncoder {
            path: dir.to_path_buf(),
            found,
            expected: record.fingerprint.clone(),
            trained_with: record.encoder.clone(),
        });
    }
    Ok(encoder)
}

/// The trainable top layers of an encoder, their variables in a model's variable map.
pub struct Tower {
    layers: Vec<Layer>,
}

impl Tower {
    /// Creates the variables of layers `first..` of an encoder with configuration `cfg` under
    /// `encoder.layer.{i}` in `vb` (initialise them with [`Tower::load_pretrained`]).
    pub fn new(cfg: &BertConfig, first: usize, vb: VarBuilder) -> candle_core::Result<Self> {
        let layers = (first..cfg.num_hidden_layers)
            .map(|i| Layer::new(cfg, vb.pp("encoder").pp("layer").pp(i), true))
            .collect::<candle_core::Result<_>>()?;
        Ok(Self { layers })
    }

    /// Sets the tower's variables in `varmap` to the pretrained tensors.
    pub fn load_pretrained(
        varmap: &VarMap,
        pretrained: &HashMap<String, Tensor>,
    ) -> candle_core::Result<()> {
        let data = varmap
            .data()
            .lock()
            .map_err(|_| candle_core::Error::Msg("variable map lock poisoned".into()))?;
        for (name, var) in data.iter().filter(|(n, _)| n.starts_with(LAYER_PREFIX)) {
            let t = pretrained.get(name).ok_or_else(|| {
                candle_core::Error::Msg(format!("the encoder has no tensor {name}"))
            })?;
            var.set(&t.to_dtype(DType::F32)?.to_device(var.device())?)?;
        }
        Ok(())
    }

    /// Pooled, L2-normalised embeddings `[b, h]` of packed states `[n, h]` laid out by `p`.
    pub fn forward(&self, x: &Tensor, p: &Packing) -> candle_core::Result<Tensor> {
        let h = self
            .layers
            .iter()
            .try_fold(x.clone(), |x, l| l.forward_packed(&x, p))?; // [n, h]
        l2_normalize(&p.mean_pool(&h)?)
    }

    /// Embeddings `[rows, h]` of rows of cached states (differentiable).
    pub fn embed(
        &self,
        states: &TokenStates,
        rows: &[usize],
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let (x, p) = states.batch(rows, device)?;
        self.forward(&x, &p)
    }

    /// Embeddings of raw texts, row-major `[texts, h]`: the encoder's frozen layers, then the
    /// tower, in chunks (no gradients kept); `progress` gets `(texts done, texts)`, and a set
    /// `cancel` stops it with [`TextError::Cancelled`].
    pub fn embed_texts(
        &self,
        encoder: &TextEncoder,
        first: usize,
        texts: &[&str],
        device: &Device,
        progress: &mut dyn FnMut(usize, usize),
        cancel: &AtomicBool,
    ) -> Result<Vec<f32>, TextError> {
        let h = encoder.dim();
        let mut out = Vec::with_capacity(texts.len() * h);
        for (c, chunk) in texts.chunks(CHUNK).enumerate() {
            let states = encoder.token_states(chunk, first, &mut |_, _| {}, cancel)?;
            let rows: Vec<usize> = (0..chunk.len()).collect();
            let go = || -> candle_core::Result<Vec<f32>> {
                let (x, p) = Packing::rows(&states, &rows, h, device)?;
                self.forward(&x, &p)?.detach().flatten_all()?.to_vec1()
            };
            out.extend(go().map_err(|source| TextError::Model {
                path: encoder.dir().to_path_buf(),
                source,
            })?);
            progress((c * CHUNK + chunk.len()).min(texts.len()), texts.len());
        }
        Ok(out)
    }
}

/// Where an embedding sits in a model's feature vector and how it was standardised.
pub struct EmbedSlots {
    /// The feature map without the embedding columns.
    pub others: FeatureMap,
    /// Feature positions that are not embedding values, in order.
    other_cols: Vec<u32>,
    /// For every feature position, its position in `[others | embedding]`.
    perm: Vec<u32>,
    /// Training mean of each embedding value.
    mean: Vec<f32>,
    /// 1 / training standard deviation of each embedding value (floored, see
    /// [`floored_inverse`]).
    inv_std: Vec<f32>,
}

/// `1 / max(std, median / 2)` per dimension. Sentence encoders have near-constant dimensions
/// (MiniLM has one with a standard deviation of 6e-9 over Rotten Tomatoes): standardising it
/// multiplies the tuned layers' smallest change by 1e8 and the first step blows the features up.
/// The floor leaves typical dimensions alone (MiniLM's 5th percentile is 0.85 × the median).
fn floored_inverse(std: &[f32]) -> Vec<f32> {
    let mut sorted: Vec<f32> = std.iter().copied().filter(|s| s.is_finite()).collect();
    sorted.sort_by(f32::total_cmp);
    let floor = sorted.get(sorted.len() / 2).copied().unwrap_or(1.0) / 2.0;
    std.iter().map(|&s| 1.0 / s.max(floor).max(1e-12)).collect()
}

impl EmbedSlots {
    /// Finds the `{column}_e{j}` inputs (`j < dim`) of `features`; every one must be there.
    pub fn find(features: &FeatureMap, column: &str, dim: usize) -> Result<Self, TextError> {
        let mut slot = vec![None; dim];
        let (mut others, mut other_cols, mut offset) = (Vec::new(), Vec::new(), 0u32);
        for input in &features.inputs {
            let width = input.width() as u32;
            let j = input
                .column()
                .strip_prefix(column)
                .and_then(|r| r.strip_prefix("_e"))
                .and_then(|r| r.parse::<usize>().ok())
                .filter(|&j| j < dim);
            match (j, input) {
                (Some(j), FeatureInput::Numeric { mean, std, .. }) if width == 1 => {
                    slot[j] = Some((offset, *mean as f32, *std as f32));
                }
                _ => {
                    others.push(input.clone());
                    other_cols.extend(offset..offset + width);
                }
            }
            offset += width;
        }
        let n_other = other_cols.len() as u32;
        let mut perm = vec![0u32; offset as usize];
        for (k, &c) in other_cols.iter().enumerate() {
            perm[c as usize] = k as u32;
        }
        let (mut mean, mut std) = (vec![0f32; dim], vec![1f32; dim]);
        for (j, s) in slot.iter().enumerate() {
            let (pos, m, s) = s.ok_or_else(|| TextError::NotTunable {
                column: column.to_string(),
                missing: format!("{column}_e{j}"),
            })?;
            perm[pos as usize] = n_other + j as u32;
            (mean[j], std[j]) = (m, s);
        }
        let inv_std = floored_inverse(&std);
        Ok(Self {
            others: FeatureMap { inputs: others },
            other_cols,
            perm,
            mean,
            inv_std,
        })
    }

    /// The feature rows `x` `[b, d]` with their embedding values replaced by `emb` `[b, h]`
    /// (pooled, normalised), standardised as the frozen columns were.
    pub fn replace(&self, x: &Tensor, emb: &Tensor) -> candle_core::Result<Tensor> {
        let dev = x.device();
        let others = if self.other_cols.is_empty() {
            None
        } else {
            let idx = Tensor::new(self.other_cols.as_slice(), dev)?;
            Some(x.index_select(&idx, 1)?) // [b, d - h]
        };
        self.assemble(others, emb)
    }

    /// `[others | standardised emb]` put back in feature order, `[b, d]`.
    pub fn assemble(&self, others: Option<Tensor>, emb: &Tensor) -> candle_core::Result<Tensor> {
        let dev = emb.device();
        let h = self.mean.len();
        let mean = Tensor::from_vec(self.mean.clone(), (1, h), dev)?;
        let inv_std = Tensor::from_vec(self.inv_std.clone(), (1, h), dev)?;
        let emb = emb.broadcast_sub(&mean)?.broadcast_mul(&inv_std)?; // [b, h]
        let joined = match others {
            Some(o) => Tensor::cat(&[&o, &emb], 1)?,
            None => emb,
        };
        joined.index_select(&Tensor::new(self.perm.as_slice(), dev)?, 1)
    }
}
