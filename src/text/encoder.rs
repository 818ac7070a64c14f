//! A sentence encoder loaded from a local Hugging Face folder: tokenizer, BERT weights, pooling.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use super::bert::{BertConfig, BertModel, l2_normalize, mean_pool};
use super::error::TextError;

/// Texts per forward pass: large enough to keep the matmuls busy, small enough for a laptop.
pub const BATCH: usize = 64;

/// A frozen sentence encoder: text in, one pooled, L2-normalised vector out.
pub struct TextEncoder {
    cfg: BertConfig,
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    dir: PathBuf,
    dim: usize,
    fingerprint: u64,
}

impl TextEncoder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path, device: &Device) -> Result<Self, TextError> {
        // Recorded in model cards: absolute, so a model works from any working directory.
        let dir = &std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let config_path = dir.join("config.json");
        let config_text = read(&config_path)?;
        let cfg: BertConfig =
            serde_json::from_slice(&config_text).map_err(|e| TextError::Config {
                path: config_path.clone(),
                message: e.to_string(),
            })?;
        cfg.validate().map_err(|e| TextError::Config {
            path: config_path.clone(),
            message: e.to_string(),
        })?;
        let tokenizer_bytes = read(&dir.join("tokenizer.json"))?;
        let tokenizer = load_tokenizer(dir, &tokenizer_bytes, max_length(dir, &cfg))?;
        let weights = dir.join("model.safetensors");
        let model_err = |source| TextError::Model {
            path: dir.to_path_buf(),
            source,
        };
        let bytes = read(&weights)?;
        let fingerprint = fingerprint(&[&config_text, &tokenizer_bytes, &bytes]);
        let vb =
            VarBuilder::from_buffered_safetensors(bytes, DType::F32, device).map_err(model_err)?;
        let model = BertModel::new(&cfg, vb).map_err(model_err)?;
        let dim = cfg.hidden_size;
        Ok(Self {
            cfg,
            model,
            tokenizer,
            device: device.clone(),
            dir: dir.to_path_buf(),
            dim,
            fingerprint,
        })
    }

    /// Width of each embedding.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// A hash of the config, tokenizer and weights: equal files give equal fingerprints.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The folder the encoder was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Embeds one batch of texts, row-major `[texts.len(), dim]`.
    pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<f32>, TextError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let (pooled, _) = self.run(texts, |m, ids, types, mask| {
            l2_normalize(&mean_pool(&m.forward(ids, types, mask)?, mask)?)
        })?;
        Ok(pooled)
    }

    /// Tokenises a batch (padded to its longest text) and applies `f` to the model, token ids,
    /// type ids and mask; returns `f`'s values and the mask `[batch, t]`, both row-major.
    fn run(
        &self,
        texts: &[&str],
        f: impl Fn(&BertModel, &Tensor, &Tensor, &Tensor) -> candle_core::Result<Tensor>,
    ) -> Result<(Vec<f32>, Vec<f32>), TextError> {
        let encodings = self.encode(texts)?;
        let (b, t) = (encodings.len(), encodings[0].get_ids().len());
        let flat = |f: fn(&tokenizers::Encoding) -> &[u32]| -> Vec<u32> {
            encodings
                .iter()
                .flat_map(|e| f(e).iter().copied())
                .collect()
        };
        let go = || -> candle_core::Result<(Vec<f32>, Vec<f32>)> {
            let ids = Tensor::from_vec(flat(|e| e.get_ids()), (b, t), &self.device)?;
            let types = Tensor::from_vec(flat(|e| e.get_type_ids()), (b, t), &self.device)?;
            let mask = Tensor::from_vec(flat(|e| e.get_attention_mask()), (b, t), &self.device)?
                .to_dtype(DType::F32)?;
            let out = f(&self.model, &ids, &types, &mask)?;
            Ok((
                out.flatten_all()?.to_vec1()?,
                mask.flatten_all()?.to_vec1()?,
            ))
        };
        go().map_err(|source| TextError::Model {
            path: self.dir.clone(),
            source,
        })
    }

    /// The model's configuration.
    pub fn config(&self) -> &BertConfig {
        &self.cfg
    }

    /// Per text, the hidden states of its real tokens after the first `layers` layers
    /// (`[tokens, h]`, row-major), in batches of [`BATCH`], shortest first; stops with
    /// [`TextError::Cancelled`] when `cancel` is set.
    pub fn token_states(
        &self,
        texts: &[&str],
        layers: usize,
        progress: &mut dyn FnMut(usize, usize),
        cancel: &AtomicBool,
    ) -> Result<Vec<Vec<f32>>, TextError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for (b, chunk) in order.chunks(BATCH).enumerate() {
            if cancel.load(Ordering::Relaxed) {
                return Err(TextError::Cancelled);
            }
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            let (hidden, mask) = self.run(&batch, |m, ids, types, mask| {
                m.lower(ids, types, mask, layers)
            })?;
            let (t, h) = (hidden.len() / batch.len().max(1) / self.dim, self.dim);
            for (row, &i) in chunk.iter().enumerate() {
                let real = mask[row * t..(row + 1) * t]
                    .iter()
                    .filter(|&&m| m > 0.0)
                    .count();
                out[i] = hidden[row * t * h..(row * t + real) * h].to_vec();
            }
            progress(((b + 1) * BATCH).min(texts.len()), texts.len());
        }
        Ok(out)
    }

    /// The tokenizer's encodings of `texts` (truncated and padded as its file says).
    fn encode(&self, texts: &[&str]) -> Result<Vec<tokenizers::Encoding>, TextError> {
        self.tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| TextError::Tokenizer {
                path: self.dir.join("tokenizer.json"),
                message: e.to_string(),
            })
    }

    /// The number of tokens of each text as the encoder sees it (truncated, no padding).
    pub fn token_counts(&self, texts: &[&str]) -> Result<Vec<usize>, TextError> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH) {
            let encodings = self.encode(chunk)?;
            out.extend(
                encodings
                    .iter()
                    .map(|e| e.get_attention_mask().iter().filter(|&&m| m > 0).count()),
            );
        }
        Ok(out)
    }

    /// Embeds all texts in batches, shortest first so batches pad little; reports `(done, total)`
    /// after each batch and stops with [`TextError::Cancelled`] when `cancel` is set.
    pub fn embed_all(
        &self,
        texts: &[&str],
        progress: &mut dyn FnMut(usize, usize),
        cancel: &AtomicBool,
    ) -> Result<Vec<f32>, TextError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![0f32; texts.len() * self.dim];
        for (b, chunk) in order.chunks(BATCH).enumerate() {
            if cancel.load(Ordering::Relaxed) {
                return Err(TextError::Cancelled);
            }
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            let emb = self.embed_batch(&batch)?;
            for (row, &i) in chunk.iter().enumerate() {
                out[i * self.dim..(i + 1) * self.dim]
                    .copy_from_slice(&emb[row * self.dim..(row + 1) * self.dim]);
            }
            progress(((b + 1) * BATCH).min(texts.len()), texts.len());
        }
        Ok(out)
    }
}

/// Cosine similarity of two vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb).max(1e-12)
}

/// A stable 64-bit hash of byte strings (xxHash64), each length-prefixed so boundaries count.
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut h = twox_hash::XxHash64::with_seed(0);
    for p in parts {
        std::hash::Hasher::write(&mut h, &(p.len() as u64).to_le_bytes());
        std::hash::Hasher::write(&mut h, p);
    }
    std::hash::Hasher::finish(&h)
}

fn read(path: &Path) -> Result<Vec<u8>, TextError> {
    std::fs::read(path).map_err(|source| TextError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The sequence limit: sentence-transformers' `max_seq_length` when given, else the tokenizer's,
/// never beyond the position table.
fn max_length(dir: &Path, cfg: &BertConfig) -> usize {
    let st = std::fs::read(dir.join("sentence_bert_config.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("max_seq_length")?.as_u64());
    st.map_or(cfg.max_position_embeddings, |n| n as usize)
        .min(cfg.max_position_embeddings)
}

fn load_tokenizer(dir: &Path, bytes: &[u8], max_length: usize) -> Result<Tokenizer, TextError> {
    let path = dir.join("tokenizer.json");
    let err = |e: tokenizers::Error| TextError::Tokenizer {
        path: path.clone(),
        message: e.to_string(),
    };
    let mut tok = Tokenizer::from_bytes(bytes).map_err(err)?;
    // The file pads every text to a fixed 128 tokens; padding to the batch's longest is the
    // same after masked pooling and several times cheaper on one-sentence reviews.
    let pad = tok.get_padding().cloned().unwrap_or_default();
    tok.with_padding(Some(PaddingParams {
        strategy: PaddingStrategy::BatchLongest,
        ..pad
    }));
    let trunc = tok.get_truncation().cloned().unwrap_or_default();
    tok.with_truncation(Some(TruncationParams {
        max_length,
        ..trunc
    }))
    .map_err(err)?;
    Ok(tok)
}
