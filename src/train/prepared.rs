//! A dataset turned into device tensors: features, labels and slice membership.

use candle_core::{Device, Tensor};

use super::error::TrainError;
use crate::data::{Dataset, FeatureMap, Split};
use crate::metrics::report::SliceRef;
use crate::slices::columns::{feature_columns, truth_masks};
use crate::slices::{Bitmap, SliceSet};

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
