//! A trained model with everything needed to use it again: the model directory format.
//!
//! `DIR/model.safetensors` holds the weights, `DIR/config.json` the [`ModelCard`]:
//! architecture, feature mapping, slice definitions, label classes, training settings and
//! metrics. A new folder is staged and renamed into place whole; see [`TrainedModel::save`].

use std::path::Path;
use std::sync::atomic::AtomicBool;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::error::TrainError;
use super::events::StopReason;
use super::fit::Net;
use super::predict::{Predictions, predict, predict_prepared};
use super::prepared::Prepared;
use crate::data::{Dataset, FeatureMap, Table};
use crate::metrics::SplitReport;
use crate::model::{Model, ModelConfig, checkpoint, param_count};
use crate::optim::init_seeded;
use crate::safe_write::{DirWriter, Owner};
use crate::slices::SliceSet;
use crate::text::tower::Tower;

/// Format tag written into every `config.json`.
pub const FORMAT: &str = "slicelab-model/1";

/// The weights file of a model folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The card of a model folder; written last, so its presence marks a complete folder.
pub const CONFIG_FILE: &str = "config.json";

/// Model folders: what slicelab writes in them and how it recognises one.
pub static MODEL_DIR: Owner = Owner {
    what: "a slicelab model folder (config.json with format slicelab-model/…)",
    files: &[WEIGHTS_FILE, CONFIG_FILE],
    recognise: is_model_dir,
};

/// Whether `dir` holds a `config.json` that slicelab wrote for a model.
pub fn is_model_dir(dir: &Path) -> bool {
    #[derive(Deserialize)]
    struct Format {
        format: String,
    }
    std::fs::read(dir.join(CONFIG_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice::<Format>(&b).ok())
        .is_some_and(|f| f.format.starts_with("slicelab-model/"))
}

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
    /// Why the kept epoch was kept (rule, scores, tolerance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<super::select::Chosen>,
    /// Why training ended.
    pub stop: StopReason,
    /// Mean training seconds per epoch.
    pub epoch_secs: f64,
    /// Per-slice metrics on the test split at the end of training.
    pub test_metrics: Option<SplitReport>,
    /// The text embedding the features include; new data is embedded the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<crate::data::EmbedRecord>,
    /// The encoder's configuration, when the model tuned its top layers (so the model loads
    /// without the encoder folder; predicting raw text still needs its lower layers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder_config: Option<crate::text::bert::BertConfig>,
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
    /// The encoder layers tuned with the model (`train.tune_layers` of them), whose variables
    /// are in `varmap`.
    pub tower: Option<Tower>,
    /// Where the encoder folder is now, when it moved since training (`eval --encoder DIR`);
    /// `None` uses the folder the card records.
    pub encoder_dir: Option<std::path::PathBuf>,
}

impl TrainedModel {
    /// Builds the network of `card` with seeded initial weights.
    pub fn build(card: ModelCard, device: &Device) -> Result<Self, TrainError> {
        let varmap = VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, device);
        let model = Model::new(&card.model, vb.clone())?;
        // Seeded before the encoder layers exist, so a tuned run's model starts where the
        // frozen run's does.
        init_seeded(&varmap, card.train.seed)?;
        let tower = build_tower(&card, vb)?;
        Ok(Self {
            card,
            varmap,
            model,
            device: device.clone(),
            tower,
            encoder_dir: None,
        })
    }

    /// Parameters of the tuned encoder layers (0 when the encoder is frozen).
    pub fn tower_params(&self) -> usize {
        self.varmap
            .data()
            .lock()
            .map(|d| {
                d.iter()
                    .filter(|(n, _)| n.starts_with(crate::text::tower::LAYER_PREFIX))
                    .map(|(_, v)| v.elem_count())
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Parameters of a Vanilla model with the same backbone, classes and tuned encoder layers:
    /// what this model's parameter increase is measured against.
    pub fn vanilla_params(&self) -> Result<usize, TrainError> {
        Ok(
            super::single_run::vanilla_params(&self.card.model, &Device::Cpu)?
                + self.tower_params(),
        )
    }

    /// The network to train.
    pub fn net(&self) -> Net<'_> {
        Net {
            model: &self.model,
            varmap: &self.varmap,
            tower: self.tower.as_ref(),
        }
    }

    /// Predicts rows of prepared data (through the tuned encoder layers, if any).
    pub fn predict_rows(&self, data: &Prepared, rows: &[usize]) -> Result<Predictions, TrainError> {
        predict_prepared(&self.model, self.tower.as_ref(), data, rows)
    }

    /// Number of parameters.
    pub fn params(&self) -> usize {
        param_count(&self.varmap)
    }

    /// Writes the model folder: a new one appears whole; in an existing model folder only the
    /// weights and `config.json` are replaced (config last), and anything else stays. A folder
    /// that holds other files and is not a model folder is refused.
    pub fn save(&self, dir: &Path) -> Result<(), TrainError> {
        let err = |e: crate::safe_write::DirError| TrainError::Model {
            path: dir.into(),
            message: e.to_string(),
        };
        let mut w = DirWriter::begin(dir, &MODEL_DIR).map_err(err)?;
        checkpoint::save_weights(&self.varmap, &w.path(WEIGHTS_FILE))?;
        let json = serde_json::to_vec_pretty(&self.card).map_err(|e| TrainError::Model {
            path: dir.into(),
            message: e.to_string(),
        })?;
        w.write(CONFIG_FILE, &json).map_err(err)?;
        w.commit().map_err(err)
    }

    /// Loads a model directory written by [`TrainedModel::save`].
    pub fn load(dir: &Path, device: &Device) -> Result<Self, TrainError> {
        let err = |message: String| TrainError::Model {
            path: dir.into(),
            message,
        };
        let text = std::fs::read_to_string(dir.join(CONFIG_FILE))
            .map_err(|e| err(format!("{CONFIG_FILE}: {e}")))?;
        let card: ModelCard =
            serde_json::from_str(&text).map_err(|e| err(format!("{CONFIG_FILE}: {e}")))?;
        if card.format != FORMAT {
            return Err(err(format!(
                "unknown model format '{}', expected '{FORMAT}'",
                card.format
            )));
        }
        check_card(&card).map_err(|e| err(format!("{CONFIG_FILE}: {e}")))?;
        let me = Self::build(card, device)?;
        checkpoint::load_checked(&me.varmap, &dir.join(WEIGHTS_FILE))
            .map_err(|e| err(format!("{WEIGHTS_FILE}: {e}")))?;
        Ok(me)
    }

    /// Predicts every row of `table`; only the feature columns need to be present (no SFs),
    /// or, for a model that tuned encoder layers, its text column instead of the embedding.
    pub fn predict_table(&self, table: &Table) -> Result<Predictions, TrainError> {
        let mut watch = Watch {
            progress: &mut |_, _| {},
            cancel: &AtomicBool::new(false),
        };
        self.predict_watched(table, &mut watch)
    }

    /// [`TrainedModel::predict_table`] that reports how many texts a tuned encoder has run
    /// through (the long part: minutes for thousands of reviews on a CPU) and stops with
    /// [`crate::text::TextError::Cancelled`] when asked.
    pub fn predict_watched(
        &self,
        table: &Table,
        watch: &mut Watch<'_>,
    ) -> Result<Predictions, TrainError> {
        let x = self.inputs_watched(table, watch)?;
        let all: Vec<usize> = (0..table.n_rows()).collect();
        Ok(predict(&self.model, &x, &all)?)
    }

    /// The network's input `[n, d]` for every row of `table`: its features, with a tuned
    /// encoder's embedding in the embedding's place.
    pub fn inputs_watched(
        &self,
        table: &Table,
        watch: &mut Watch<'_>,
    ) -> Result<Tensor, TrainError> {
        let n = table.n_rows();
        let all: Vec<usize> = (0..n).collect();
        Ok(match (&self.tower, &self.card.embedding) {
            (Some(tower), Some(record)) => {
                super::tuned_text::features(self, tower, record, table, watch)?
            }
            _ => Tensor::from_vec(
                self.card.features.transform(table, &all)?,
                (n, self.card.features.dim()),
                &self.device,
            )?,
        })
    }

    /// Predicts every row of a dataset.
    pub fn predict_dataset(&self, ds: &Dataset) -> Result<Predictions, TrainError> {
        self.predict_table(&ds.table)
    }
}

/// How a long prediction reports and is stopped.
pub struct Watch<'a> {
    /// Called with `(texts done, texts)` as a tuned encoder works through a text column.
    pub progress: &'a mut dyn FnMut(usize, usize),
    /// Set to stop the prediction early.
    pub cancel: &'a AtomicBool,
}

/// The tuned encoder layers' variables (not yet initialised) of a card that tunes them.
fn build_tower(card: &ModelCard, vb: VarBuilder) -> Result<Option<Tower>, TrainError> {
    let layers = card.train.tune_layers;
    if layers == 0 {
        return Ok(None);
    }
    let record = card.embedding.as_ref().ok_or_else(|| {
        TrainError::Config(format!(
            "tuning {layers} encoder layers needs a text column embedded by an encoder"
        ))
    })?;
    let cfg = match &card.encoder_config {
        Some(cfg) => cfg.clone(),
        None => crate::text::tower::encoder_config(&record.encoder)?,
    };
    let first = cfg.num_hidden_layers.checked_sub(layers).ok_or_else(|| {
        TrainError::Config(format!(
            "cannot tune {layers} layers of the encoder {}: it has {}",
            record.encoder.display(),
            cfg.num_hidden_layers
        ))
    })?;
    Ok(Some(Tower::new(&cfg, first, vb)?))
}

/// Checks a card's fields against each other before the network is built from it.
fn check_card(card: &ModelCard) -> Result<(), String> {
    card.model.check_bounds().map_err(|e| e.to_string())?;
    let dim = card.features.dim();
    if dim != card.model.input_dim {
        return Err(format!(
            "the feature list ('features') produces {dim} values, but model.input_dim is {}",
            card.model.input_dim
        ));
    }
    if card.classes.len() != card.model.n_classes {
        return Err(format!(
            "'classes' names {} classes, but model.n_classes is {}",
            card.classes.len(),
            card.model.n_classes
        ));
    }
    if let Some(bad) = card.features.inputs.iter().find(|f| !f.is_finite()) {
        return Err(format!(
            "feature '{}' has a non-finite mean or a standard deviation that is not above 0",
            bad.column()
        ));
    }
    Ok(())
}
