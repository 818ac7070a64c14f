//! The app's heavy lifting, as plain functions its background threads call: loading a dataset,
//! projecting it, predicting with a model, evaluating slices and scoring them. No egui here.

use std::sync::Arc;
use std::time::Instant;

use candle_core::Device;

use super::jobs::Progress;
use super::state::{EmbedChoice, SourceSpec};
use crate::data::demo::Figure1;
use crate::data::load::{Sources, read_header};
use crate::data::projection::pca_2d;
use crate::data::{ColumnKind, Dataset, DatasetSpec, FeatureMap, Split};
use crate::metrics::report::{SliceKind, SliceRef};
use crate::metrics::{ReportSpec, SplitReport, slice_report};
use crate::slices::analysis::{SliceStats, analyse as slice_stats};
use crate::slices::{Bitmap, ExprError, SliceDef, SliceError, SliceSet};
use crate::text::{EmbeddingCache, TextEncoder, embed_column};
use crate::train::prepared::{feature_columns, truth_masks};
use crate::train::saved::TrainedModel;

/// A dataset ready to show.
pub struct Loaded {
    /// Where it came from.
    pub source: SourceSpec,
    /// The data.
    pub ds: Arc<Dataset>,
    /// Numeric columns usable as map axes (not label, predictions or split).
    pub numeric: Vec<String>,
    /// PCA projection of every row's feature vector.
    pub pca: Arc<Vec<[f32; 2]>>,
    /// Time to load and project.
    pub secs: f64,
    /// Which load this is: set by the app when the data arrives, so views and background
    /// builds can tell datasets apart (0 until then).
    pub revision: u64,
}

/// Loads `source` (the demo as `demo` describes it) and projects it for the Map view.
pub fn load(source: &SourceSpec, demo: &Figure1, progress: &Progress) -> Result<Loaded, String> {
    let start = Instant::now();
    // Embedding columns are features, but 384 of them would swamp the map's axis lists.
    let mut hidden_axes = Vec::new();
    let ds = match source {
        SourceSpec::Demo => demo.dataset(),
        SourceSpec::File {
            path,
            label,
            pred,
            split_col,
            embed,
        } => {
            let sources = Sources::resolve(path, None);
            let header = read_header(&sources.data).map_err(|e| e.to_string())?;
            let mut spec = DatasetSpec::new(label);
            spec.pred = pred.clone();
            spec.split_col = split_col.clone();
            spec.truth_slices = DatasetSpec::default_truth(&header);
            let mut ds = Dataset::load(&sources, &spec).map_err(|e| e.to_string())?;
            if let Some(choice) = embed {
                hidden_axes = embed_text(&mut ds, choice, progress)?;
            }
            ds
        }
    };
    let numeric = ds
        .table
        .columns
        .iter()
        .filter(|c| c.kind != ColumnKind::Text && !ds.reserved.contains(&c.name))
        .filter(|c| !hidden_axes.contains(&c.name))
        .filter(|c| c.as_numeric().is_some())
        .map(|c| c.name.clone())
        .collect();
    let pca = projection(&ds)?;
    Ok(Loaded {
        source: source.clone(),
        ds: Arc::new(ds),
        numeric,
        pca: Arc::new(pca),
        secs: start.elapsed().as_secs_f64(),
        revision: 0,
    })
}

/// Embeds the chosen text column through the per-user cache, reporting rows done.
fn embed_text(
    ds: &mut Dataset,
    choice: &EmbedChoice,
    progress: &Progress,
) -> Result<Vec<String>, String> {
    progress.set(format!("loading encoder {}", choice.encoder.display()));
    let encoder = TextEncoder::load(&choice.encoder, &Device::Cpu).map_err(|e| e.to_string())?;
    let cache = EmbeddingCache::default_dir().map(EmbeddingCache::new);
    let column = &choice.column;
    embed_column(
        &mut ds.table,
        column,
        &encoder,
        cache.as_ref(),
        &mut |done, total| progress.set(format!("embedding {column}: {done}/{total} rows")),
        progress.cancel_flag(),
    )
    .map(|done| {
        ds.embedding = Some(done.record);
        done.columns
    })
    .map_err(|e| e.to_string())
}

/// PCA of the standardised feature vectors (features fitted on the training rows).
pub fn projection(ds: &Dataset) -> Result<Vec<[f32; 2]>, String> {
    let cols = feature_columns(ds, &SliceSet::from_sf_columns(&ds.table));
    let train = ds.indices(Split::Train);
    let map = FeatureMap::fit(&ds.table, &cols, &train).map_err(|e| e.to_string())?;
    let all: Vec<usize> = (0..ds.n_rows()).collect();
    let x = map.transform(&ds.table, &all).map_err(|e| e.to_string())?;
    Ok(pca_2d(&x, map.dim()))
}

/// The predictions being analysed, with SBL internals when the model has them.
#[derive(Clone)]
pub struct Predicted {
    /// What made them (a model name or a column).
    pub name: String,
    /// Predicted class per row.
    pub classes: Arc<Vec<u32>>,
    /// Indicator probabilities `[n, k+1]` (base slot first); empty unless SBL.
    pub indicator: Arc<Vec<f32>>,
    /// Attention weights `[n, k+1]`; empty unless SBL.
    pub attention: Arc<Vec<f32>>,
    /// Slot names of `indicator`/`attention` (`base`, then the model's slices).
    pub slots: Vec<String>,
    /// Which predictions these are: set by the app when they are analysed, so views and
    /// background builds can tell them apart (0 until then).
    pub revision: u64,
}

/// The dataset's own prediction column, if it has one.
pub fn from_column(ds: &Dataset, column: &str) -> Option<Predicted> {
    Some(Predicted {
        name: format!("column {column}"),
        classes: Arc::new(ds.pred.clone()?),
        indicator: Arc::default(),
        attention: Arc::default(),
        slots: Vec::new(),
        revision: 0,
    })
}

/// Runs `model` over every row of `ds`.
pub fn predict(model: &TrainedModel, ds: &Dataset, name: &str) -> Result<Predicted, String> {
    if let Some(record) = &model.card.embedding
        && ds.table.column(&record.first_column()).is_none()
    {
        return Err(format!(
            "{name} reads embeddings of the text column '{}' (encoder {}): reopen the data with \"Embed text column\" set to '{}'",
            record.column,
            record.encoder.display(),
            record.column
        ));
    }
    let p = model
        .predict_dataset(ds)
        .map_err(|e| format!("predicting with {name}: {e}"))?;
    let mut slots = vec!["base".to_string()];
    slots.extend(model.card.slices.names());
    Ok(Predicted {
        name: name.to_string(),
        classes: Arc::new(p.classes),
        indicator: Arc::new(p.indicator),
        attention: Arc::new(p.attention),
        slots,
        revision: 0,
    })
}

/// Slices evaluated and scored against the analysed predictions.
pub struct Analysis {
    /// Which request this answers (older answers are dropped).
    pub generation: u64,
    /// Membership per slice of the set, in set order (empty if the set failed).
    pub masks: Arc<Vec<Bitmap>>,
    /// Size, coverage and overlaps per slice, in set order.
    pub stats: Vec<SliceStats>,
    /// Per-split reports of the enabled slices (empty without predictions).
    pub reports: Vec<SplitReport>,
    /// Why the set could not be evaluated.
    pub error: Option<String>,
}

impl Analysis {
    /// An analysis that could not be made.
    pub fn failed(generation: u64, error: String) -> Self {
        Self {
            generation,
            masks: Arc::default(),
            stats: Vec::new(),
            reports: Vec::new(),
            error: Some(error),
        }
    }

    /// The report of one split.
    pub fn report(&self, split: Split) -> Option<&SplitReport> {
        self.reports.iter().find(|r| r.split == split)
    }
}

/// Evaluates `set`, analyses it, and scores the `enabled` slices (and truth slices) per split.
pub fn analyse(
    generation: u64,
    ds: &Dataset,
    set: &SliceSet,
    enabled: &[bool],
    pred: Option<&[u32]>,
) -> Analysis {
    let truth = truth_masks(ds);
    let mut out = Analysis {
        generation,
        masks: Arc::default(),
        stats: Vec::new(),
        reports: Vec::new(),
        error: None,
    };
    match set.evaluate(&ds.table) {
        Ok(ev) => {
            out.stats = slice_stats(&ev.names, &ev.masks, &ds.splits, &truth);
            out.masks = Arc::new(ev.masks);
        }
        Err(e) => out.error = Some(e.to_string()),
    }
    if let Some(pred) = pred {
        let mut refs: Vec<SliceRef> = Vec::new();
        for (i, (def, mask)) in set.slices.iter().zip(out.masks.iter()).enumerate() {
            if enabled.get(i).copied().unwrap_or(true) {
                refs.push(SliceRef {
                    name: &def.name,
                    kind: SliceKind::Sf,
                    mask,
                });
            }
        }
        refs.extend(truth.iter().map(|(name, mask)| SliceRef {
            name,
            kind: SliceKind::Truth,
            mask,
        }));
        for split in Split::ALL {
            let rows = ds.indices(split);
            if !rows.is_empty() {
                out.reports.push(slice_report(
                    &ds.y,
                    pred,
                    &rows,
                    split,
                    &refs,
                    &ReportSpec::new(&ds.classes),
                ));
            }
        }
    }
    out
}

/// The live result of the slice editor: size and coverage, or where the expression is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewResult {
    /// The expression is valid.
    Ok {
        /// Matching rows over all splits.
        size: usize,
        /// `size` over all rows.
        coverage: f64,
    },
    /// The expression is not valid.
    Invalid(ExprError),
    /// Something else is wrong (e.g. a reference cycle).
    Other(String),
}

/// Evaluates a candidate slice `expr` named `name` next to the existing `set`.
pub fn preview(ds: &Dataset, set: &SliceSet, name: &str, expr: &str) -> PreviewResult {
    let mut trial = SliceSet {
        slices: set
            .slices
            .iter()
            .filter(|s| s.name != name)
            .cloned()
            .collect(),
    };
    trial.slices.push(SliceDef::new(name, expr));
    match trial.evaluate(&ds.table) {
        Ok(ev) => {
            let size = ev.masks.last().map_or(0, Bitmap::count);
            PreviewResult::Ok {
                size,
                coverage: size as f64 / ds.n_rows().max(1) as f64,
            }
        }
        Err(SliceError::Expr { name: n, error, .. }) if n == name => PreviewResult::Invalid(error),
        Err(e) => PreviewResult::Other(e.to_string()),
    }
}
