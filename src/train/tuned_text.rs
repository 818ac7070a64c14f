//! Features of new data for a model that tuned encoder layers: the table's text run through the
//! encoder's frozen layers and the model's tuned ones, cached on disk under a fingerprint of both.

use candle_core::Tensor;

use super::error::TrainError;
use super::saved::{TrainedModel, Watch};
use crate::data::{EmbedRecord, Table};
use crate::text::tower::{EmbedSlots, LAYER_PREFIX, Tower, load_checked};
use crate::text::{EmbeddingCache, TextError};

/// The model input `[rows, d]` of every row of `table`: its feature columns, with the text
/// column embedded through the tuned layers in the embedding's place.
pub(crate) fn features(
    m: &TrainedModel,
    tower: &Tower,
    record: &EmbedRecord,
    table: &Table,
    watch: &mut Watch<'_>,
) -> Result<Tensor, TrainError> {
    let slots = EmbedSlots::find(&m.card.features, &record.column, record.dim)?;
    let n = table.n_rows();
    let all: Vec<usize> = (0..n).collect();
    let d_other = slots.others.dim();
    let others = match d_other {
        0 => None,
        d => Some(Tensor::from_vec(
            slots.others.transform(table, &all)?,
            (n, d),
            &m.device,
        )?),
    };
    let column = table
        .column(&record.column)
        .ok_or_else(|| TextError::UnknownColumn {
            name: record.column.clone(),
            source_name: table.source.clone(),
            available: table.closest_names(&record.column, 8).join(", "),
        })?;
    let owned: Vec<String> = (0..n).map(|i| column.display(i)).collect();
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let emb = embedding(m, tower, record, &texts, watch)?;
    let emb = Tensor::from_vec(emb, (n, record.dim), &m.device)?;
    Ok(slots.assemble(others, &emb)?)
}

/// Pooled, normalised embeddings of `texts` through the tuned layers, row-major.
fn embedding(
    m: &TrainedModel,
    tower: &Tower,
    record: &EmbedRecord,
    texts: &[&str],
    watch: &mut Watch<'_>,
) -> Result<Vec<f32>, TrainError> {
    let (n, dim) = (texts.len(), record.dim);
    let cache = EmbeddingCache::default_dir().map(EmbeddingCache::new);
    let key = EmbeddingCache::key(fingerprint(m, record)?, texts);
    if let Some(v) = cache.as_ref().and_then(|c| c.load(key, n, dim)) {
        return Ok(v);
    }
    let encoder = load_checked(record, m.encoder_dir.as_deref())?;
    let first = encoder
        .config()
        .num_hidden_layers
        .saturating_sub(m.card.train.tune_layers);
    let v = tower.embed_texts(
        &encoder,
        first,
        texts,
        &m.device,
        watch.progress,
        watch.cancel,
    )?;
    if let Some(c) = &cache {
        // A cache that cannot be written only costs time on the next prediction.
        let _ = c.store(key, n, dim, &v);
    }
    Ok(v)
}

/// A hash of the frozen encoder's fingerprint and every tuned tensor, so the cache never hands
/// one model's embeddings to another.
fn fingerprint(m: &TrainedModel, record: &EmbedRecord) -> Result<u64, TrainError> {
    let data = m
        .varmap
        .data()
        .lock()
        .map_err(|_| TrainError::Config("variable map lock poisoned".into()))?;
    let mut named: Vec<_> = data
        .iter()
        .filter(|(name, _)| name.starts_with(LAYER_PREFIX))
        .collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    let mut bytes = Vec::new();
    for (name, var) in named {
        bytes.extend_from_slice(name.as_bytes());
        for v in var.as_tensor().flatten_all()?.to_vec1::<f32>()? {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    Ok(crate::text::encoder::fingerprint(&[
        record.fingerprint.as_bytes(),
        &bytes,
    ]))
}
