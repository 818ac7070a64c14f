//! Opening a dataset for analysis: load a file with its column roles, embed a text column if
//! asked, and find the numeric axes and the 2-D projection the map draws.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use candle_core::Device;

use super::AnalysisError;
use crate::data::dialect::Delimiter;
use crate::data::load::{Sources, read_header};
use crate::data::projection::pca_2d;
use crate::data::types::TypeOverride;
use crate::data::{ColumnKind, Dataset, DatasetSpec, FeatureMap, HeaderMode, Split};
use crate::slices::SliceSet;
use crate::slices::columns::feature_columns;
use crate::text::{EmbedSpec, EmbeddingCache, TextEncoder, embed_column};

/// A data file and the roles of its columns.
#[derive(Debug, Clone, Copy)]
pub struct FileRoles<'a> {
    /// The file (CSV, csv.gz, Parquet) or a folder with train/valid/test CSVs.
    pub path: &'a Path,
    /// Label column.
    pub label: &'a str,
    /// Prediction column of an external model, if any.
    pub pred: Option<&'a str>,
    /// Split column (train/valid/test), if any.
    pub split_col: Option<&'a str>,
    /// Whether the CSV files' first rows name the columns.
    pub header: HeaderMode,
    /// How the text files' fields are separated.
    pub delimiter: Delimiter,
    /// Column types the user chose instead of the inferred ones.
    pub types: &'a [TypeOverride],
    /// Columns left out of the features (names or globs), as `--ignore` gives them.
    pub ignore: &'a [String],
}

/// A dataset opened for analysis, before its map axes are chosen.
pub struct Opened {
    /// The data.
    pub ds: Dataset,
    /// Embedding columns added, which the map's axis lists leave out.
    pub embedded: Vec<String>,
}

/// Loads the file `roles` describes (truth slices: the default `slice_*` columns) and embeds
/// `embed`'s text column through the per-user cache, reporting progress as text.
pub fn open_file(
    roles: FileRoles,
    embed: Option<&EmbedSpec>,
    progress: &mut dyn FnMut(String),
    cancel: &AtomicBool,
) -> Result<Opened, AnalysisError> {
    let sources = Sources {
        header: roles.header,
        delimiter: roles.delimiter,
        types: roles.types.to_vec(),
        ..Sources::resolve(roles.path, None)
    };
    let header = read_header(&sources.data, roles.header, sources.delimiter)?;
    let mut spec = DatasetSpec::new(roles.label);
    spec.pred = roles.pred.map(str::to_string);
    spec.split_col = roles.split_col.map(str::to_string);
    spec.truth_slices = DatasetSpec::default_truth(&header);
    let mut ds = Dataset::load(&sources, &spec)?;
    ds.leave_out(roles.ignore)?;
    let embedded = match embed {
        Some(e) => embed_text(&mut ds, &e.column, &e.encoder, progress, cancel)?,
        None => Vec::new(),
    };
    Ok(Opened { ds, embedded })
}

/// Embeds `column` with the encoder in `encoder` through the per-user cache, reporting rows done.
fn embed_text(
    ds: &mut Dataset,
    column: &str,
    encoder: &Path,
    progress: &mut dyn FnMut(String),
    cancel: &AtomicBool,
) -> Result<Vec<String>, AnalysisError> {
    progress(format!("loading encoder {}", encoder.display()));
    let encoder = TextEncoder::load(encoder, &Device::Cpu)?;
    let cache = EmbeddingCache::default_dir().map(EmbeddingCache::new);
    let done = embed_column(
        &mut ds.table,
        column,
        &encoder,
        cache.as_ref(),
        &mut |done, total| progress(format!("embedding {column}: {done}/{total} rows")),
        cancel,
    )?;
    ds.embedding = Some(done.record);
    Ok(done.columns)
}

/// Numeric columns usable as map axes: not text, label, predictions or split, nor in `hidden`.
pub fn numeric_axes(ds: &Dataset, hidden: &[String]) -> Vec<String> {
    ds.table
        .columns
        .iter()
        .filter(|c| c.kind != ColumnKind::Text && !ds.reserved.contains(&c.name))
        .filter(|c| !hidden.contains(&c.name))
        .filter(|c| c.as_numeric().is_some())
        .map(|c| c.name.clone())
        .collect()
}

/// PCA of the standardised feature vectors (features fitted on the training rows).
pub fn projection(ds: &Dataset) -> Result<Vec<[f32; 2]>, AnalysisError> {
    let cols = feature_columns(ds, &SliceSet::from_sf_columns(&ds.table));
    let train = ds.indices(Split::Train);
    let map = FeatureMap::fit(&ds.table, &cols, &train)?;
    let all: Vec<usize> = (0..ds.n_rows()).collect();
    let x = map.transform(&ds.table, &all)?;
    Ok(pca_2d(&x, map.dim()))
}
