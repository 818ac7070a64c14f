//! The MiniLM sentence encoder from `../shared/models`, and the embedding cache.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use candle_core::Device;
use slicelab::data::builder::ColumnBuilder;
use slicelab::data::{ColumnKind, Table};
use slicelab::text::{EmbeddingCache, TextEncoder, TextError, cosine, embed_column};

fn minilm() -> TextEncoder {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/models/all-MiniLM-L6-v2");
    TextEncoder::load(&dir, &Device::Cpu).expect("../shared/models/all-MiniLM-L6-v2 loads")
}

fn row(v: &[f32], i: usize, dim: usize) -> &[f32] {
    &v[i * dim..(i + 1) * dim]
}

#[test]
fn minilm_cosine_matches_the_model_card() {
    let enc = minilm();
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

#[test]
fn padding_in_a_batch_does_not_change_an_embedding() {
    let enc = minilm();
    let short = "Dull.";
    let long =
        "A sprawling, ambitious and occasionally baffling epic that never quite finds its feet.";
    let alone = enc.embed_batch(&[short]).unwrap();
    let padded = enc.embed_batch(&[long, short]).unwrap();
    let d = enc.dim();
    assert!(cosine(&alone, row(&padded, 1, d)) > 0.9999);
}

fn reviews(texts: &[&str]) -> Table {
    let mut b = ColumnBuilder::new("text");
    texts.iter().for_each(|t| b.push_str(t));
    let mut label = ColumnBuilder::new("label");
    (0..texts.len()).for_each(|i| label.push_num((i % 2) as f64));
    Table {
        source: "reviews.csv".into(),
        columns: vec![b.finish(), label.finish()],
    }
}

#[test]
fn an_embedded_column_is_cached_by_content() {
    let enc = minilm();
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
    assert_eq!(first.columns.len(), 384);
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
    let enc = minilm();
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
