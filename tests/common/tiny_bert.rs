//! A tiny BERT encoder folder built in the test, so the encoder's mechanics (tokenising, padding,
//! pooling, caching, tuning, the CLI and the app) are tested without MiniLM's 91 MB of weights.
//!
//! The folder has the files a sentence-transformers BERT folder has and `TextEncoder` reads:
//! `config.json`, `tokenizer.json` (WordPiece, lower-case, `[CLS] … [SEP]`, truncation and fixed
//! padding switched on in the file as in MiniLM's), `vocab.txt`, `sentence_bert_config.json` and
//! `model.safetensors` under MiniLM's tensor names (no `bert.` prefix). Its weights are random but
//! seeded, so two folders built with the same seed are byte-identical.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use slicelab::text::bert::{BertConfig, BertModel};
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Width of the tiny encoder's embeddings.
pub const HIDDEN: usize = 16;
/// Transformer layers of the tiny encoder.
pub const LAYERS: usize = 2;
/// Longest sequence, in tokens (positions, truncation and padding).
pub const MAX_TOKENS: usize = 64;

const SPECIAL: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// Whole words common in one-sentence reviews; everything else falls back to letter pieces.
const WORDS: [&str; 40] = [
    "the", "an", "and", "at", "of", "to", "is", "it", "in", "that", "this", "film", "movie", "but",
    "with", "as", "for", "its", "be", "not", "on", "you", "one", "all", "so", "more", "than",
    "story", "too", "by", "are", "about", "good", "bad", "great", "fun", "man", "eating", "food",
    "never",
];

/// Word endings, so frequent forms take two pieces rather than one per letter.
const ENDINGS: [&str; 5] = ["##s", "##ing", "##ed", "##ly", "##er"];

/// The vocabulary, one piece per line in id order: special tokens, punctuation, digits, letters,
/// continuation letters, words and endings. Every lower-case ASCII word can be tokenised.
fn vocab() -> Vec<String> {
    let letters = || (b'a'..=b'z').map(|c| c as char);
    SPECIAL
        .iter()
        .map(|s| s.to_string())
        .chain(".,!?'\"-:;()/&".chars().map(String::from))
        .chain(('0'..='9').map(String::from))
        .chain(letters().map(String::from))
        .chain(letters().map(|c| format!("##{c}")))
        .chain(WORDS.iter().map(|s| s.to_string()))
        .chain(ENDINGS.iter().map(|s| s.to_string()))
        .collect()
}

/// The BERT configuration written to `config.json`.
fn config(vocab_size: usize) -> serde_json::Value {
    serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab_size,
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": 2,
        "intermediate_size": 32,
        "max_position_embeddings": MAX_TOKENS,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
        "hidden_act": "gelu",
        "pad_token_id": 0,
    })
}

/// Writes a tiny BERT encoder folder into `dir` (created if missing), weights drawn from `seed`.
pub fn write(dir: &Path, seed: u64) {
    std::fs::create_dir_all(dir).unwrap();
    let pieces = vocab();
    let vocab_path = dir.join("vocab.txt");
    std::fs::write(&vocab_path, pieces.join("\n") + "\n").unwrap();
    let cfg = config(pieces.len());
    std::fs::write(dir.join("config.json"), cfg.to_string()).unwrap();
    std::fs::write(
        dir.join("sentence_bert_config.json"),
        serde_json::json!({ "max_seq_length": MAX_TOKENS, "do_lower_case": false }).to_string(),
    )
    .unwrap();
    write_tokenizer(dir, &vocab_path, &pieces);
    write_weights(dir, &serde_json::from_value(cfg).unwrap(), seed);
}

/// A tiny BERT encoder folder in a fresh temporary directory, weights drawn from seed 0.
pub fn tiny_bert() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0);
    dir
}

fn write_tokenizer(dir: &Path, vocab_path: &Path, pieces: &[String]) {
    let id = |t: &str| pieces.iter().position(|p| p == t).unwrap() as u32;
    let model = WordPiece::from_file(vocab_path.to_str().unwrap())
        .unk_token("[UNK]".into())
        .build()
        .unwrap();
    let mut tok = Tokenizer::new(model);
    // BERT uncased: clean, split CJK, strip accents (follows lower-casing), lower-case.
    tok.with_normalizer(Some(BertNormalizer::new(true, true, None, true)))
        .unwrap();
    tok.with_pre_tokenizer(Some(BertPreTokenizer));
    tok.with_post_processor(Some(BertProcessing::new(
        ("[SEP]".into(), id("[SEP]")),
        ("[CLS]".into(), id("[CLS]")),
    )));
    tok.with_truncation(Some(TruncationParams {
        max_length: MAX_TOKENS,
        ..TruncationParams::default()
    }))
    .unwrap();
    // MiniLM's file pads to a fixed length; the encoder must switch that to the batch's longest.
    tok.with_padding(Some(PaddingParams {
        strategy: PaddingStrategy::Fixed(MAX_TOKENS),
        pad_id: id("[PAD]"),
        pad_token: "[PAD]".into(),
        ..PaddingParams::default()
    }));
    tok.save(dir.join("tokenizer.json"), false).unwrap();
}

/// Builds the real `BertModel` on a `VarMap` (so the tensor names are the ones it loads), then
/// overwrites every variable from a seeded host RNG: candle's CPU RNG cannot be seeded.
fn write_weights(dir: &Path, cfg: &BertConfig, seed: u64) {
    let varmap = VarMap::new();
    BertModel::new(
        cfg,
        VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu),
    )
    .unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let vars = varmap.data().lock().unwrap();
    let mut names: Vec<&String> = vars.keys().collect();
    names.sort();
    for name in names {
        let var = &vars[name];
        let n = var.elem_count();
        let values: Vec<f32> = if name.contains("LayerNorm.weight") {
            (0..n).map(|_| 1.0 + rng.random_range(-0.1..0.1)).collect()
        } else {
            // Wide enough that different texts get clearly different embeddings.
            (0..n).map(|_| rng.random_range(-0.3..0.3)).collect()
        };
        var.set(&Tensor::from_vec(values, var.dims(), &Device::Cpu).unwrap())
            .unwrap();
    }
    drop(vars);
    varmap.save(dir.join("model.safetensors")).unwrap();
}
