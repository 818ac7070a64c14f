//! The sentence encoder and the embedding cache. The mechanics run on a tiny BERT built in the
//! test; the parity check against the model card needs MiniLM from `../shared/models`.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use candle_core::Device;
use common::tiny_bert::{self, HIDDEN};
use slicelab::data::builder::ColumnBuilder;
use slicelab::data::{ColumnKind, Table};
use slicelab::text::{EmbeddingCache, TextEncoder, TextError, cosine, embed_column};

/// The tiny encoder, with the folder that must outlive it.
fn tiny() -> (tempfile::TempDir, TextEncoder) {
    let dir = tiny_bert::tiny_bert();
    let enc = TextEncoder::load(dir.path(), &Device::Cpu).expect("the tiny BERT loads");
    (dir, enc)
}

fn row(v: &[f32], i: usize, dim: usize) -> &[f32] {
    &v[i * dim..(i + 1) * dim]
}

#[test]
fn minilm_cosine_matches_the_model_card() {
    let Some(dir) = common::shared_or_skip(
        "models/all-MiniLM-L6-v2",
        "the MiniLM cosine parity check (text_encoder)",
    ) else {
        return;
    };
    let enc =
        TextEncoder::load(&dir, &Device::Cpu).expect("../shared/models/all-MiniLM-L6-v2 loads");
    let texts = [
        "A man is eating food.",
        "A man is eating a piece of bread.",
        "The new movie is awful and far too long.",
    ];
    let v = enc.embed_batch(&texts).unwrap();
    let d = enc.dim();
    assert_eq!(d, 384);
    let close = cosine(row(&v, 0, d), row(&v, 1, d));
    eprintln!("cos(food, bread) = {close:.4}");
    assert!((close - 0.755).abs() < 0.01, "cos = {close}");
    let far = cosine(row(&v, 0, d), row(&v, 2, d));
    assert!(far < 0.2, "unrelated sentences: cos = {far}");
    let norm: f32 = row(&v, 2, d).iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!(
        (norm - 1.0).abs() < 1e-4,
        "pooled vectors are L2-normalised: {norm}"
    );
}

/// The largest absolute difference between two vectors.
fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn padding_in_a_batch_does_not_change_an_embedding() {
    let (_dir, enc) = tiny();
    let short = "Dull.";
    let long =
        "A sprawling, ambitious and occasionally baffling epic that never quite finds its feet.";
    let alone = enc.embed_batch(&[short]).unwrap();
    let padded = enc.embed_batch(&[long, short]).unwrap();
    let d = enc.dim();
    assert!(
        max_diff(&alone, row(&padded, 1, d)) < 1e-5,
        "the padded copy differs by {}",
        max_diff(&alone, row(&padded, 1, d))
    );
    // The check could fail: the two texts embed differently, so mixing them in would show.
    assert!(cosine(row(&padded, 0, d), row(&padded, 1, d)) < 0.99);
}

#[test]
fn embeddings_have_the_models_width_and_are_deterministic() {
    let (dir, enc) = tiny();
    assert_eq!(enc.dim(), HIDDEN);
    let texts = ["A man is eating food.", "Not worth the ticket."];
    let v = enc.embed_batch(&texts).unwrap();
    assert_eq!(v.len(), texts.len() * HIDDEN);
    for i in 0..texts.len() {
        let norm: f32 = row(&v, i, HIDDEN).iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!(
            (norm - 1.0).abs() < 1e-4,
            "row {i} is not unit length: {norm}"
        );
    }
    // The same folder loaded again, and a folder built again from the same seed: same vectors
    // and the same fingerprint; another seed is another encoder.
    let again = TextEncoder::load(dir.path(), &Device::Cpu).unwrap();
    let rebuilt_dir = tempfile::tempdir().unwrap();
    tiny_bert::write(rebuilt_dir.path(), 0);
    let rebuilt = TextEncoder::load(rebuilt_dir.path(), &Device::Cpu).unwrap();
    for other in [&again, &rebuilt] {
        assert_eq!(other.embed_batch(&texts).unwrap(), v);
        assert_eq!(other.fingerprint(), enc.fingerprint());
    }
    let seed1_dir = tempfile::tempdir().unwrap();
    tiny_bert::write(seed1_dir.path(), 1);
    let seed1 = TextEncoder::load(seed1_dir.path(), &Device::Cpu).unwrap();
    assert_ne!(seed1.fingerprint(), enc.fingerprint());
}

#[test]
fn embedding_in_batches_equals_embedding_one_text_at_a_time() {
    let (_dir, enc) = tiny();
    let (texts, _) = common::reviews();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    // 81 reviews: more than one batch, reordered shortest first inside `embed_all`.
    assert!(texts.len() > slicelab::text::encoder::BATCH);
    let mut calls = Vec::new();
    let all = enc
        .embed_all(
            &texts,
            &mut |done, total| calls.push((done, total)),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!(calls.last(), Some(&(texts.len(), texts.len())), "{calls:?}");
    for (i, text) in texts.iter().enumerate() {
        let single = enc.embed_batch(&[text]).unwrap();
        let diff = max_diff(&single, row(&all, i, HIDDEN));
        assert!(
            diff < 1e-5,
            "review {i} differs by {diff} in a batch: {text}"
        );
    }
    let cancelled = enc.embed_all(&texts, &mut |_, _| {}, &AtomicBool::new(true));
    assert!(matches!(cancelled, Err(TextError::Cancelled)));
}

fn reviews(texts: &[&str]) -> Table {
    let mut b = ColumnBuilder::new("text");
    texts.iter().for_each(|t| b.push_str(t));
    let mut label = ColumnBuilder::new("label");
    (0..texts.len()).for_each(|i| label.push_num((i % 2) as f64));
    Table {
        source: "reviews.csv".into(),
        columns: vec![b.finish(), label.finish()],
        ..Default::default()
    }
}

#[test]
fn an_embedded_column_is_cached_by_content() {
    let (_model, enc) = tiny();
    let dir = tempfile::tempdir().unwrap();
    let cache = EmbeddingCache::new(dir.path());
    let texts = ["Great fun.", "Not worth the ticket.", "Why was this made?"];
    let cancel = AtomicBool::new(false);
    let mut calls = 0;
    let mut t1 = reviews(&texts);
    let first = embed_column(
        &mut t1,
        "text",
        &enc,
        Some(&cache),
        &mut |_, _| calls += 1,
        &cancel,
    )
    .unwrap();
    assert!(!first.cached);
    assert!(calls > 0, "progress is reported");
    assert_eq!(first.columns.len(), HIDDEN);
    assert_eq!(t1.column("text").unwrap().kind, ColumnKind::Text);

    let mut t2 = reviews(&texts);
    let second =
        embed_column(&mut t2, "text", &enc, Some(&cache), &mut |_, _| {}, &cancel).unwrap();
    assert!(second.cached, "same encoder and texts: read from the cache");
    let col = |t: &Table| t.column("text_e5").unwrap().as_numeric().unwrap().to_vec();
    assert_eq!(col(&t1), col(&t2));

    let mut t3 = reviews(&["Great fun.", "Not worth the ticket.", "Why was this made!"]);
    let third = embed_column(&mut t3, "text", &enc, Some(&cache), &mut |_, _| {}, &cancel).unwrap();
    assert!(!third.cached, "a changed text is embedded again");

    let err = embed_column(&mut t3, "txt", &enc, None, &mut |_, _| {}, &cancel).unwrap_err();
    assert!(
        err.to_string().contains("'txt'") && err.to_string().contains("text"),
        "{err}"
    );
}

/// The one `.emb` file of a cache folder.
fn only_entry(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_corrupted_or_old_format_cache_entry_is_recomputed_and_rewritten() {
    let (_model, enc) = tiny();
    let dir = tempfile::tempdir().unwrap();
    let cache = EmbeddingCache::new(dir.path());
    let texts = ["Great fun.", "Not worth the ticket."];
    let cancel = AtomicBool::new(false);
    // Whether the values came from the cache, and every embedding value.
    let embed = || {
        let mut t = reviews(&texts);
        let e = embed_column(&mut t, "text", &enc, Some(&cache), &mut |_, _| {}, &cancel).unwrap();
        let values: Vec<f64> = e
            .columns
            .iter()
            .flat_map(|c| t.column(c).unwrap().as_numeric().unwrap().to_vec())
            .collect();
        (e.cached, values)
    };
    let (cached, clean) = embed();
    assert!(!cached);
    let file = only_entry(dir.path());
    let good = std::fs::read(&file).unwrap();
    let n = good.len();
    let payload = &good[n - texts.len() * enc.dim() * 4..];
    let mut nan = good.clone();
    nan[n - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
    let mut flipped = good.clone();
    flipped[n - 7] ^= 0x40;
    // The layout before checksums: magic, rows, dim, values.
    let mut old = b"SLEMB01\0".to_vec();
    old.extend_from_slice(&(texts.len() as u64).to_le_bytes());
    old.extend_from_slice(&(enc.dim() as u64).to_le_bytes());
    old.extend_from_slice(payload);
    for (what, bytes) in [
        ("a NaN value", nan),
        ("a flipped byte", flipped),
        ("a short file", good[..n - 4].to_vec()),
        ("the old format", old),
    ] {
        std::fs::write(&file, bytes).unwrap();
        let (cached, values) = embed();
        assert!(!cached, "{what}: must be recomputed, not read");
        let worst = values
            .iter()
            .zip(&clean)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-5, "{what}: recomputed values differ by {worst}");
        assert!(embed().0, "{what}: the rewritten entry is read back");
    }
}

#[test]
fn a_folder_without_a_model_names_the_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = TextEncoder::load(dir.path(), &Device::Cpu).err().unwrap();
    assert!(matches!(err, TextError::Io { .. }));
    assert!(err.to_string().contains("config.json"), "{err}");
}
