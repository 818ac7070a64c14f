//! The background comparison behind the Diff tab: both models' predictions over the dataset
//! (reused when one is the analysed model), then [`crate::metrics::diff`] over the test rows of
//! every slice. The app runs it once per pair of models, dataset and slice analysis, on a named
//! thread, when the Diff tab asks with [`crate::gui::command::Command::CompareModels`].

use std::sync::Arc;

use super::analysis::{Loaded, Predicted};
use super::jobs::Progress;
use super::models::ModelEntry;
use crate::data::{Dataset, Split};
use crate::metrics::diff::{DiffRow, Disagreement, ModelPair, rows_in};
use crate::slices::Bitmap;
use crate::train::saved::TrainedModel;

/// Rows of disagreement kept per slice for the list (the counts cover all of them).
pub const LISTED_ROWS: usize = 1000;

/// What a comparison is for: two models (by [`ModelEntry::id`]), one dataset, one analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffKey {
    /// Model A's id.
    pub a: u64,
    /// Model B's id.
    pub b: u64,
    /// [`Loaded::revision`].
    pub data: u64,
    /// [`crate::gui::analysis::Analysis::generation`] (which slice masks).
    pub analysis: u64,
}

/// A finished comparison.
pub struct DiffResult {
    /// Model names, A then B.
    pub names: (String, String),
    /// Class names, to show labels and predictions.
    pub classes: Vec<String>,
    /// Which rows were compared (`test split`, or `all rows` without one).
    pub rows_word: String,
    /// `overall` first, then each slice in set order.
    pub rows: Vec<DiffRow>,
    /// Per entry of `rows`, the first [`LISTED_ROWS`] rows where the predictions differ.
    pub disagreements: Vec<Vec<Disagreement>>,
}

/// Inputs gathered on the UI thread (cheap: shared handles).
pub struct DiffInputs {
    /// The data.
    pub ds: Arc<Dataset>,
    /// Names and either ready predictions or the model to run, A then B.
    pub sides: [(String, Side); 2],
    /// Slice names, in set order.
    pub names: Vec<String>,
    /// Their masks, in the same order.
    pub masks: Arc<Vec<Bitmap>>,
}

/// Where one model's predictions come from.
pub enum Side {
    /// Already computed (the analysed model).
    Ready(Arc<Vec<u32>>),
    /// To be run over the data.
    Run(Arc<TrainedModel>),
}

impl Side {
    /// The predictions of `entry`: the analysed ones when they are its, else a run.
    pub fn of(entry: &ModelEntry, analysed: Option<&Predicted>) -> Self {
        match analysed.filter(|p| p.name == entry.name) {
            Some(p) => Side::Ready(p.classes.clone()),
            None => Side::Run(entry.model.clone()),
        }
    }
}

/// Runs a comparison (on the background thread); a model that has to predict reports through
/// `progress` and stops when it is cancelled.
pub fn compare(inputs: DiffInputs, progress: &Progress) -> Result<DiffResult, String> {
    let ds = &inputs.ds;
    let [(name_a, a), (name_b, b)] = inputs.sides;
    let run = |side: Side, name: &str| -> Result<Arc<Vec<u32>>, String> {
        match side {
            Side::Ready(p) => Ok(p),
            Side::Run(m) => {
                super::analysis::predict_reporting(&m, ds, name, progress).map(|p| p.classes)
            }
        }
    };
    let (pa, pb) = (run(a, &name_a)?, run(b, &name_b)?);
    let pair = ModelPair::new(&ds.y, &pa, &pb, ds.classes.len()).map_err(|e| e.to_string())?;
    let test: Vec<usize> = (0..ds.n_rows())
        .filter(|&i| ds.splits.get(i) == Some(&Split::Test))
        .collect();
    let (base, rows_word) = if test.is_empty() {
        ((0..ds.n_rows()).collect(), "all rows")
    } else {
        (test, "test split")
    };
    let mut rows = vec![pair.row("overall", &base)];
    let mut disagreements = vec![pair.disagreements(&base, LISTED_ROWS)];
    for (name, mask) in inputs.names.iter().zip(inputs.masks.iter()) {
        let r = rows_in(&base, mask, ds.n_rows(), name).map_err(|e| e.to_string())?;
        rows.push(pair.row(name, &r));
        disagreements.push(pair.disagreements(&r, LISTED_ROWS));
    }
    Ok(DiffResult {
        names: (name_a, name_b),
        classes: ds.classes.clone(),
        rows_word: rows_word.into(),
        rows,
        disagreements,
    })
}

/// The key for comparing `a` and `b` on the loaded data and its analysis.
pub fn key_for(a: &ModelEntry, b: &ModelEntry, data: &Loaded, analysis: u64) -> DiffKey {
    DiffKey {
        a: a.id,
        b: b.id,
        data: data.revision,
        analysis,
    }
}
