//! A trained model with everything needed to use it again: the model directory format.
//!
//! `DIR/model.safetensors` holds the weights, `DIR/config.json` the [`ModelCard`]:
//! architecture, feature mapping, slice definitions, label classes, training settings and
//! metrics. The directory is written to a staging folder and swapped in whole.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::error::TrainError;
use super::events::StopReason;
use super::predict::{Predictions, predict};
use crate::data::{Dataset, FeatureMap, Table};
use crate::metrics::SplitReport;
use crate::model::{Model, ModelConfig, checkpoint, init::init_seeded, param_count};
use crate::slices::SliceSet;

/// Format tag written into every `config.json`.
pub const FORMAT: &str = "slicelab-model/1";

/// The `config.json` of a model directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelCard {
    /// Always [`FORMAT`].
    pub format: String,
    /// Architecture.
    pub model: ModelConfig,
    /// Feature mapping fitted on the training rows.
    pub features: FeatureMap,
    /// The slicing functions used in training (not needed for prediction).
    pub slices: SliceSet,
    /// Label column.
    pub label: String,
    /// Class names in index order.
    pub classes: Vec<String>,
    /// Ground-truth slice columns used for evaluation.
    pub truth_slices: Vec<String>,
    /// Training settings.
    pub train: TrainConfig,
    /// Where the training data came from.
    pub dataset: String,
    /// Number of parameters.
    pub params: usize,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Why training ended.
    pub stop: StopReason,
    /// Mean training seconds per epoch.
    pub epoch_secs: f64,
    /// Per-slice metrics on the test split at the end of training.
    pub test_metrics: Option<SplitReport>,
    /// The text embedding the features include; new data is embedded the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<crate::text::EmbedRecord>,
}

/// A model in memory: card, variables and the built network.
pub struct TrainedModel {
    /// Metadata.
    pub card: ModelCard,
    /// Variables (weights).
    pub varmap: VarMap,
    /// The network.
    pub model: Model,
    /// Where it runs.
    pub device: Device,
}

impl TrainedModel {
    /// Builds the network of `card` with seeded initial weights.
    pub fn build(card: ModelCard, device: &Device) -> Result<Self, TrainError> {
        let varmap = VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, device);
        let model = Model::new(&card.model, vb)?;
        init_seeded(&varmap, card.train.seed)?;
        Ok(Self {
            card,
            varmap,
            model,
            device: device.clone(),
        })
    }

    /// Number of parameters.
    pub fn params(&self) -> usize {
        param_count(&self.varmap)
    }

    /// Writes the model directory atomically (staged, then swapped in).
    pub fn save(&self, dir: &Path) -> Result<(), TrainError> {
        let err = |message: String| TrainError::Model {
            path: dir.into(),
            message,
        };
        let staged = crate::fsutil::temp_sibling(dir);
        if let Some(parent) = staged.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| err(e.to_string()))?;
        }
        let _ = std::fs::remove_dir_all(&staged);
        std::fs::create_dir_all(&staged).map_err(|e| err(e.to_string()))?;
        checkpoint::save_weights(&self.varmap, &staged.join("model.safetensors"))?;
        let json = serde_json::to_vec_pretty(&self.card).map_err(|e| err(e.to_string()))?;
        crate::fsutil::write_atomic(&staged.join("config.json"), &json)
            .map_err(|e| err(e.to_string()))?;
        crate::fsutil::replace_dir(&staged, dir).map_err(|e| err(e.to_string()))
    }

    /// Loads a model directory written by [`TrainedModel::save`].
    pub fn load(dir: &Path, device: &Device) -> Result<Self, TrainError> {
        let err = |message: String| TrainError::Model {
            path: dir.into(),
            message,
        };
        let text = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| err(format!("config.json: {e}")))?;
        let card: ModelCard =
            serde_json::from_str(&text).map_err(|e| err(format!("config.json: {e}")))?;
        if card.format != FORMAT {
            return Err(err(format!(
                "unknown model format '{}', expected '{FORMAT}'",
                card.format
            )));
        }
        let mut me = Self::build(card, device)?;
        checkpoint::load_weights(&mut me.varmap, &dir.join("model.safetensors"))
            .map_err(|e| err(format!("model.safetensors: {e}")))?;
        Ok(me)
    }

    /// Predicts every row of `table`; only the feature columns need to be present (no SFs).
    pub fn predict_table(&self, table: &Table) -> Result<Predictions, TrainError> {
        let n = table.n_rows();
        let all: Vec<usize> = (0..n).collect();
        let x = Tensor::from_vec(
            self.card.features.transform(table, &all)?,
            (n, self.card.features.dim()),
            &self.device,
        )?;
        Ok(predict(&self.model, &x, &all)?)
    }

    /// Predicts every row of a dataset.
    pub fn predict_dataset(&self, ds: &Dataset) -> Result<Predictions, TrainError> {
        self.predict_table(&ds.table)
    }
}
