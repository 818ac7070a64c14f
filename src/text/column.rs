//! Embedding a table's text column into numeric feature columns, through the cache.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::cache::EmbeddingCache;
use super::encoder::TextEncoder;
use super::error::TextError;

use crate::data::{Column, ColumnData, ColumnKind, EmbedRecord, Table};

/// Which column to embed with which encoder folder.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedSpec {
    /// The text column.
    pub column: String,
    /// A Hugging Face BERT folder (`config.json`, `tokenizer.json`, `model.safetensors`).
    pub encoder: PathBuf,
}

/// What embedding a column did.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// How, for the dataset and model cards.
    pub record: EmbedRecord,
    /// Names of the added feature columns, `{column}_e0`...
    pub columns: Vec<String>,
    /// Rows embedded.
    pub rows: usize,
    /// Seconds spent (loading the encoder excluded).
    pub secs: f64,
    /// Whether the values came from the cache.
    pub cached: bool,
}

/// Appends `{column}_e{i}` numeric columns holding the column's embeddings; the text column
/// itself is marked as text so it stays out of the model's features but usable in SFs.
pub fn embed_column(
    table: &mut Table,
    column: &str,
    encoder: &TextEncoder,
    cache: Option<&EmbeddingCache>,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<Embedded, TextError> {
    let index = table
        .index_of(column)
        .ok_or_else(|| TextError::UnknownColumn {
            name: column.to_string(),
            source_name: table.source.clone(),
            available: table.closest_names(column, 8).join(", "),
        })?;
    let start = Instant::now();
    let owned: Vec<String> = {
        let col = &table.columns[index];
        (0..col.len()).map(|i| col.display(i)).collect()
    };
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let (rows, dim) = (texts.len(), encoder.dim());
    let key = EmbeddingCache::key(encoder.fingerprint(), &texts);
    let hit = cache.and_then(|c| c.load(key, rows, dim));
    let cached = hit.is_some();
    let values = match hit {
        Some(v) => v,
        None => {
            let v = encoder.embed_all(&texts, progress, cancel)?;
            if let Some(c) = cache {
                // A cache that cannot be written only costs time on the next run.
                let _ = c.store(key, rows, dim, &v);
            }
            v
        }
    };
    table.columns[index].kind = ColumnKind::Text;
    let names = append_columns(table, column, &values, rows, dim);
    Ok(Embedded {
        record: EmbedRecord {
            column: column.to_string(),
            encoder: encoder.dir().to_path_buf(),
            fingerprint: format!("{:016x}", encoder.fingerprint()),
            dim,
        },
        columns: names,
        rows,
        secs: start.elapsed().as_secs_f64(),
        cached,
    })
}

/// Embeds `table` as a model's card says, unless it already has the embedding columns: loads
/// the encoder (`encoder_dir` overrides the recorded folder) and refuses one whose fingerprint
/// differs from the model's, since its features would mean something else.
pub fn embed_like(
    table: &mut Table,
    record: &EmbedRecord,
    encoder_dir: Option<&Path>,
    cache: Option<&EmbeddingCache>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Option<Embedded>, TextError> {
    if table.column(&record.first_column()).is_some() {
        return Ok(None);
    }
    let encoder = super::tower::load_checked(record, encoder_dir)?;
    embed_column(
        table,
        &record.column,
        &encoder,
        cache,
        progress,
        &AtomicBool::new(false),
    )
    .map(Some)
}

fn append_columns(
    table: &mut Table,
    column: &str,
    values: &[f32],
    rows: usize,
    dim: usize,
) -> Vec<String> {
    let names: Vec<String> = (0..dim).map(|j| format!("{column}_e{j}")).collect();
    // Re-embedding replaces the earlier values instead of duplicating columns.
    table.columns.retain(|c| !names.contains(&c.name));
    names
        .into_iter()
        .enumerate()
        .map(|(j, name)| {
            let data = (0..rows).map(|i| f64::from(values[i * dim + j])).collect();
            table.columns.push(Column {
                name: name.clone(),
                kind: ColumnKind::Numeric,
                data: ColumnData::Numeric(data),
            });
            name
        })
        .collect()
}
