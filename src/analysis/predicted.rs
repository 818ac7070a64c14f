//! The predictions under analysis: a trained model's over every row (with the SBL internals when
//! it has them), or an external model's stored in the data.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::AnalysisError;
use crate::data::Dataset;
use crate::train::saved::{TrainedModel, Watch};

/// The predictions being analysed, with SBL internals when the model has them.
#[derive(Clone)]
pub struct Predicted {
    /// What made them (a model name or a column).
    pub name: String,
    /// Predicted class per row.
    pub classes: Arc<Vec<u32>>,
    /// Class probabilities `[n, C]` in class order; empty when they are unknown (a prediction
    /// column).
    pub probs: Arc<Vec<f32>>,
    /// Indicator probabilities `[n, k+1]` (base slot first); empty unless SBL.
    pub indicator: Arc<Vec<f32>>,
    /// Attention weights `[n, k+1]`; empty unless SBL.
    pub attention: Arc<Vec<f32>>,
    /// Slot names of `indicator`/`attention` (`base`, then the model's slices).
    pub slots: Vec<String>,
    /// Which predictions these are: set by a consumer (the app) when they are analysed, so views
    /// and background builds can tell them apart (0 until then).
    pub revision: u64,
}

/// The dataset's own prediction column, if it has one.
pub fn from_column(ds: &Dataset, column: &str) -> Option<Predicted> {
    Some(Predicted {
        name: format!("column {column}"),
        classes: Arc::new(ds.pred.clone()?),
        probs: Arc::default(),
        indicator: Arc::default(),
        attention: Arc::default(),
        slots: Vec::new(),
        revision: 0,
    })
}

/// Runs `model` (called `name` in messages) over every row of `ds`.
pub fn predict(model: &TrainedModel, ds: &Dataset, name: &str) -> Result<Predicted, AnalysisError> {
    let mut watch = Watch {
        progress: &mut |_, _| {},
        cancel: &AtomicBool::new(false),
    };
    predict_watched(model, ds, name, &mut watch)
}

/// [`predict`], reporting a tuned text encoder's progress and stopping when `watch` says so.
pub fn predict_watched(
    model: &TrainedModel,
    ds: &Dataset,
    name: &str,
    watch: &mut Watch<'_>,
) -> Result<Predicted, AnalysisError> {
    if let Some(record) = &model.card.embedding
        && ds.table.column(&record.first_column()).is_none()
    {
        return Err(AnalysisError::NotEmbedded {
            model: name.to_string(),
            column: record.column.clone(),
            encoder: record.encoder.display().to_string(),
        });
    }
    let p = model
        .predict_watched(&ds.table, watch)
        .map_err(|source| AnalysisError::Predict {
            model: name.to_string(),
            source: Box::new(source),
        })?;
    let mut slots = vec!["base".to_string()];
    slots.extend(model.card.slices.names());
    Ok(Predicted {
        name: name.to_string(),
        classes: Arc::new(p.classes),
        probs: Arc::new(p.probs),
        indicator: Arc::new(p.indicator),
        attention: Arc::new(p.attention),
        slots,
        revision: 0,
    })
}
