//! A dataset turned into device tensors: features, labels and slice membership.

use std::sync::Arc;

use candle_core::{Device, Tensor};

use super::error::TrainError;
use crate::data::{Dataset, FeatureMap, Split};
use crate::metrics::report::SliceRef;
use crate::slices::columns::{feature_columns, truth_masks};
use crate::slices::{Bitmap, SliceSet};
use crate::text::tower::{EmbedSlots, TokenStates, Tower};

/// Everything a training run needs, computed once per dataset and slice set.
pub struct Prepared {
    /// Where the tensors live.
    pub device: Device,
    /// The fitted feature mapping.
    pub features: FeatureMap,
    /// Features of every row, `[n, d]`.
    pub x: Tensor,
    /// Labels of every row, `[n]` (u32).
    pub y: Tensor,
    /// Labels on the host.
    pub y_host: Vec<u32>,
    /// Membership with the base slice first, `[n, k+1]` (f32).
    pub slices: Tensor,
    /// SF names.
    pub sf_names: Vec<String>,
    /// SF outputs (after any configured noise).
    pub sf_masks: Vec<Bitmap>,
    /// Ground-truth slices (evaluation only).
    pub truth: Vec<(String, Bitmap)>,
    /// Number of classes.
    pub n_classes: usize,
    /// Training rows.
    pub train: Vec<usize>,
    /// Validation rows.
    pub valid: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
    /// The encoder states and the embedding's place in the features, when encoder layers are
    /// tuned with the model ([`Prepared::tune_text`]).
    pub text: Option<TextInput>,
}

/// What a run that tunes encoder layers needs besides the feature matrix.
pub struct TextInput {
    /// Every row's token states below the tuned layers.
    pub states: Arc<TokenStates>,
    /// Where the embedding sits in the features.
    pub slots: EmbedSlots,
}

impl Prepared {
    /// Evaluates slices (with their noise, seeded), fits features on train rows, builds tensors.
    pub fn new(
        ds: &Dataset,
        set: &SliceSet,
        feature_cols: Option<Vec<String>>,
        noise_seed: u64,
        device: &Device,
    ) -> Result<Self, TrainError> {
        let evaluated = set
            .evaluate(&ds.table)?
            .with_noise(set, &ds.splits, noise_seed);
        let train = ds.indices(Split::Train);
        if train.is_empty() {
            return Err(TrainError::Config("the training split has no rows".into()));
        }
        let cols = feature_cols.unwrap_or_else(|| feature_columns(ds, set));
        if cols.is_empty() {
            return Err(TrainError::Config(
                "no feature columns left: every column is the label, a prediction, the split, a \
                 truth slice, an SF output, --ignore'd, outside --features, an identifier, free \
                 text or constant (`train` prints which is which)"
                    .into(),
            ));
        }
        let features = FeatureMap::fit(&ds.table, &cols, &train)?;
        let n = ds.n_rows();
        let all: Vec<usize> = (0..n).collect();
        let x = Tensor::from_vec(
            features.transform(&ds.table, &all)?,
            (n, features.dim()),
            device,
        )?;
        let slots = evaluated.masks.len() + 1;
        let mut membership = vec![0f32; n * slots];
        for i in 0..n {
            membership[i * slots] = 1.0;
            for (j, m) in evaluated.masks.iter().enumerate() {
                membership[i * slots + j + 1] = f32::from(u8::from(m.get(i)));
            }
        }
        Ok(Self {
            device: device.clone(),
            x,
            y: Tensor::from_vec(ds.y.clone(), n, device)?,
            y_host: ds.y.clone(),
            slices: Tensor::from_vec(membership, (n, slots), device)?,
            sf_names: evaluated.names,
            sf_masks: evaluated.masks,
            truth: truth_masks(ds),
            n_classes: ds.n_classes(),
            features,
            train,
            valid: ds.indices(Split::Valid),
            test: ds.indices(Split::Test),
            text: None,
        })
    }

    /// Prepares joint tuning of the top `layers` layers of the encoder that embedded the
    /// dataset's text column (nothing for 0): its lower layers run once over every row;
    /// `progress` gets `(texts done, texts)`.
    pub fn tune_text(
        &mut self,
        ds: &Dataset,
        layers: usize,
        progress: &mut dyn FnMut(usize, usize),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<(), TrainError> {
        if layers == 0 {
            self.text = None;
            return Ok(());
        }
        let record = ds.embedding.as_ref().ok_or_else(|| {
            TrainError::Config(
                "tuning encoder layers needs a text column embedded by an encoder \
                 (--embed COL --encoder DIR; in the app, Embed text column when opening)"
                    .into(),
            )
        })?;
        let slots = EmbedSlots::find(&self.features, &record.column, record.dim)?;
        let column = ds.table.column(&record.column).ok_or_else(|| {
            TrainError::Config(format!(
                "{}: the embedded text column '{}' is not in the table",
                ds.table.source, record.column
            ))
        })?;
        let owned: Vec<String> = (0..column.len()).map(|i| column.display(i)).collect();
        let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
        let states = TokenStates::for_texts(record, &texts, layers, progress, cancel)?;
        self.text = Some(TextInput { states, slots });
        Ok(())
    }

    /// The model input `[rows, d]` of `rows`: the feature rows, with the tuned tower's
    /// embedding in the embedding's place when the run tunes encoder layers.
    pub fn inputs(&self, tower: Option<&Tower>, rows: &[usize]) -> Result<Tensor, TrainError> {
        let idx: Vec<u32> = rows.iter().map(|&i| i as u32).collect();
        let x = self
            .x
            .index_select(&Tensor::from_vec(idx, rows.len(), &self.device)?, 0)?;
        Ok(match (tower, &self.text) {
            (Some(tower), Some(text)) => {
                let emb = tower.embed(&text.states, rows, &self.device)?; // [rows, h]
                text.slots.replace(&x, &emb)?
            }
            _ => x,
        })
    }

    /// Slices to report on: SFs, then ground-truth slices.
    pub fn report_slices(&self) -> Vec<SliceRef<'_>> {
        SliceRef::list(
            self.sf_names.iter().map(String::as_str).zip(&self.sf_masks),
            &self.truth,
        )
    }

    /// Rows of a split.
    pub fn rows(&self, split: Split) -> &[usize] {
        match split {
            Split::Train => &self.train,
            Split::Valid => &self.valid,
            Split::Test => &self.test,
        }
    }
}
