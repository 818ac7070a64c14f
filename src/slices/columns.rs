//! Which of a dataset's columns are slices and which are features: the ground-truth slice masks,
//! and the columns left for the model once label, predictions, split, truth and SF columns are
//! set aside. Training, the app and the CLI all draw the line here, so they draw it the same way.

use super::{Bitmap, SliceSet};
use crate::data::Dataset;
use crate::data::feature_plan::FeaturePlan;

/// Which columns become model features and why the others do not (see [`FeaturePlan`]):
/// reserved columns (label, predictions, split, truth slices), `--ignore`d columns, columns
/// outside `--features`, columns used whole as SF outputs, identifiers, free text, constants.
pub fn feature_plan(ds: &Dataset, set: &SliceSet) -> FeaturePlan {
    FeaturePlan::of(ds, &sf_output_columns(ds, set))
}

/// The columns that hold SF outputs: those the slice set uses whole, and every column named
/// `sf_*` even when no slice uses it (deleting or disabling an SF must not quietly make its
/// outputs a model input), unless `--features` names it.
pub fn sf_output_columns(ds: &Dataset, set: &SliceSet) -> Vec<String> {
    let mut out = set.column_sfs(&ds.table);
    let whitelisted = |n: &str| {
        ds.choice
            .only
            .as_ref()
            .is_some_and(|o| o.iter().any(|c| c == n))
    };
    for c in &ds.table.columns {
        let named = c.name.to_ascii_lowercase().starts_with("sf_");
        if named && !whitelisted(&c.name) && !out.contains(&c.name) {
            out.push(c.name.clone());
        }
    }
    out
}

/// The columns that become model features: [`feature_plan`]'s features, in table order.
pub fn feature_columns(ds: &Dataset, set: &SliceSet) -> Vec<String> {
    feature_plan(ds, set).columns()
}

/// Ground-truth slice masks of a dataset.
pub fn truth_masks(ds: &Dataset) -> Vec<(String, Bitmap)> {
    ds.truth_slices
        .iter()
        .filter_map(|name| {
            let col = ds.table.column(name)?;
            let mask = match col.as_numeric() {
                Some(v) => Bitmap::from_values(v),
                None => Bitmap::from_fn(col.len(), |i| {
                    matches!(col.display(i).to_lowercase().as_str(), "1" | "true" | "yes")
                }),
            };
            Some((name.clone(), mask))
        })
        .collect()
}
