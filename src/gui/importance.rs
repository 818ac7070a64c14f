//! The background ranking behind the Importance tab and the leak check: permutation importance
//! ([`crate::train::importance`]) of one model's features on the validation rows, over all of
//! them and inside every slice, and what it reveals ([`crate::train::revealed`]). The app runs it
//! once per model, dataset and slice analysis, when a model has been analysed and when the tab
//! asks with [`crate::gui::command::Command::BuildImportance`].

use std::sync::Arc;

use super::analysis::Loaded;
use super::jobs::Progress;
use super::models::ModelEntry;
use crate::data::{Dataset, Split};
use crate::slices::Bitmap;
use crate::train::importance::{
    ImportanceData, ImportanceSpec, ImportanceTable, permutation_importance,
};
use crate::train::revealed::{RevealedLeak, revealed};
use crate::train::saved::{TrainedModel, Watch};

/// What a ranking is for: one model (by [`ModelEntry::id`]), one dataset, one analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportanceKey {
    /// The model's id.
    pub model: u64,
    /// [`Loaded::revision`].
    pub data: u64,
    /// [`crate::gui::analysis::Analysis::generation`] (which slice masks).
    pub analysis: u64,
}

/// A finished ranking.
pub struct ImportanceResult {
    /// The model's name.
    pub model: String,
    /// Which rows were shuffled and scored (`validation split`, or `all rows` without one).
    pub rows_word: String,
    /// All rows first, then one table per slice in set order.
    pub tables: Vec<ImportanceTable>,
    /// What the all-rows table reveals: a near-perfect score, or one or two columns carrying it.
    pub leak: Option<RevealedLeak>,
}

impl ImportanceResult {
    /// The table of slice `name`, if it was ranked.
    pub fn slice(&self, name: &str) -> Option<&ImportanceTable> {
        self.tables.iter().skip(1).find(|t| t.scope == name)
    }
}

/// Inputs gathered on the UI thread (cheap: shared handles).
pub struct ImportanceInputs {
    /// The data.
    pub ds: Arc<Dataset>,
    /// The model's name.
    pub name: String,
    /// The model.
    pub model: Arc<TrainedModel>,
    /// Slice names, in set order.
    pub names: Vec<String>,
    /// Their masks, in the same order.
    pub masks: Arc<Vec<Bitmap>>,
}

/// The rows importance is measured on: the validation split, else every row.
pub fn scored_rows(ds: &Dataset) -> (Vec<usize>, &'static str) {
    let valid = ds.indices(Split::Valid);
    if valid.is_empty() {
        ((0..ds.n_rows()).collect(), "all rows")
    } else {
        (valid, "validation split")
    }
}

/// Ranks the features (on the background thread), reporting columns done through `progress`;
/// it stops when `progress` is cancelled.
pub fn rank(inputs: ImportanceInputs, progress: &Progress) -> Result<ImportanceResult, String> {
    let ds = &inputs.ds;
    let (rows, rows_word) = scored_rows(ds);
    let slices: Vec<(&str, &Bitmap)> = (inputs.names.iter().map(String::as_str))
        .zip(inputs.masks.iter())
        .collect();
    let data = ImportanceData::of(ds, &rows, &slices);
    let spec = ImportanceSpec::default_for(ds, None);
    let mut report = |done: usize, total: usize| {
        progress.set(format!(
            "ranking {}'s features: {done} of {total} columns shuffled",
            inputs.name
        ));
    };
    let mut watch = Watch {
        progress: &mut report,
        cancel: progress.cancel_flag(),
    };
    let tables = permutation_importance(&inputs.model, &data, &spec, &mut watch)
        .map_err(|e| format!("ranking {}'s features: {e}", inputs.name))?;
    let leak = tables.first().and_then(revealed);
    Ok(ImportanceResult {
        model: inputs.name,
        rows_word: rows_word.into(),
        tables,
        leak,
    })
}

/// The key for ranking `model` on the loaded data and its analysis.
pub fn key_for(model: &ModelEntry, data: &Loaded, analysis: u64) -> ImportanceKey {
    ImportanceKey {
        model: model.id,
        data: data.revision,
        analysis,
    }
}
