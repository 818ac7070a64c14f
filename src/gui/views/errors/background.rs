//! What the Errors tab asks the app to compute off the UI thread, keyed by what the answer
//! depends on: the selected slice's rows searched and sorted ([`QueryKey`]), and its feature
//! distributions against the whole split ([`DistKey`]). A million rows take tens of milliseconds
//! to search or bin; the view shows the answer when it arrives and keeps it until its key
//! changes.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::rows::RowsKey;
use crate::analysis::row_query::{Preds, RowQuery, query_until};
use crate::data::{Dataset, Split};
use crate::metrics::distributions::{FeatureDistribution, compare};
use crate::slices::Bitmap;

/// A search and sort of one row list (the selected slice's rows in one split and filter).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryKey {
    /// Which rows are searched.
    pub rows: RowsKey,
    /// The search text and sort.
    pub query: RowQuery,
}

/// What a row query reads.
pub struct QueryInputs {
    /// The data.
    pub ds: Arc<Dataset>,
    /// Predicted class per row.
    pub classes: Arc<Vec<u32>>,
    /// Class probabilities `[n, C]`, empty when unknown.
    pub probs: Arc<Vec<f32>>,
    /// The rows searched, in order.
    pub rows: Arc<Vec<usize>>,
    /// The search and sort.
    pub query: RowQuery,
}

/// Runs a row query (on a background thread) until `stop` is set; a stopped query's answer is
/// empty, and nobody reads it: `stop` is set when its job was superseded.
pub fn run_query(inputs: QueryInputs, stop: &AtomicBool) -> Arc<Vec<usize>> {
    let preds = Preds {
        classes: &inputs.classes,
        probs: &inputs.probs,
    };
    let rows = query_until(&inputs.ds, preds, &inputs.rows, &inputs.query, stop);
    Arc::new(rows.unwrap_or_default())
}

/// The distributions of one slice in one split, for one dataset and analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistKey {
    /// The slice (`overall` for every row).
    pub name: String,
    /// The split compared.
    pub split: Split,
    /// Analysis generation (slice masks).
    pub generation: u64,
    /// Dataset revision.
    pub data: u64,
}

/// What a distribution build reads.
pub struct DistInputs {
    /// The key, for the slice's name and split.
    pub key: DistKey,
    /// The data.
    pub ds: Arc<Dataset>,
    /// Slice names of the set, in set order (the order of `masks`).
    pub names: Vec<String>,
    /// Membership per slice of the set.
    pub masks: Arc<Vec<Bitmap>>,
}

/// The feature distributions of a slice against its split.
#[derive(Debug, Clone)]
pub struct Distributions {
    /// Every feature, most different first.
    pub features: Vec<FeatureDistribution>,
    /// Rows of the slice in the split.
    pub slice_rows: usize,
    /// Rows of the split.
    pub whole_rows: usize,
    /// Time the build took.
    pub secs: f64,
}

/// Rows of slice `name`: `None` for `overall` (every row), an SF's mask, a ground-truth slice's
/// column; a name that is none of these (a slice deleted a moment ago) selects no row.
pub fn slice_mask<'a>(
    ds: &Dataset,
    names: &[&str],
    masks: &'a [Bitmap],
    name: &str,
) -> Option<Cow<'a, Bitmap>> {
    if name == "overall" {
        return None;
    }
    if let Some(m) = names
        .iter()
        .position(|s| *s == name)
        .and_then(|i| masks.get(i))
    {
        return Some(Cow::Borrowed(m));
    }
    let truth = crate::slices::columns::truth_masks(ds)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, m)| m)
        .unwrap_or_else(|| Bitmap::zeros(ds.n_rows()));
    Some(Cow::Owned(truth))
}

/// Whether column `name` holds slice membership (`slice_*`, `sf_*` or a ground-truth slice).
pub fn is_slice_column(ds: &Dataset, name: &str) -> bool {
    name.starts_with("slice_")
        || name.starts_with("sf_")
        || ds.truth_slices.iter().any(|t| t == name)
}

/// The columns whose distributions are compared: all but the label, predictions, split and
/// slice columns.
pub fn feature_columns(ds: &Dataset) -> Vec<usize> {
    ds.table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !ds.reserved.contains(&c.name) && !is_slice_column(ds, &c.name))
        .map(|(i, _)| i)
        .collect()
}

/// Builds a slice's distributions (on a background thread).
pub fn build_distributions(inputs: DistInputs) -> Arc<Distributions> {
    let start = Instant::now();
    let ds = &inputs.ds;
    let names: Vec<&str> = inputs.names.iter().map(String::as_str).collect();
    let mask = slice_mask(ds, &names, &inputs.masks, &inputs.key.name);
    let whole: Vec<usize> = (0..ds.n_rows())
        .filter(|&i| ds.splits.get(i) == Some(&inputs.key.split))
        .collect();
    let slice: Vec<usize> = whole
        .iter()
        .copied()
        .filter(|&i| mask.as_ref().is_none_or(|m| m.get(i)))
        .collect();
    let features = compare(&ds.table, &feature_columns(ds), &slice, &whole);
    Arc::new(Distributions {
        features,
        slice_rows: slice.len(),
        whole_rows: whole.len(),
        secs: start.elapsed().as_secs_f64(),
    })
}
