//! Which of a dataset's columns are slices and which are features: the ground-truth slice masks,
//! and the columns left for the model once label, predictions, split, truth and SF columns are
//! set aside. Training, the app and the CLI all draw the line here, so they draw it the same way.

use super::{Bitmap, SliceSet};
use crate::data::{ColumnKind, Dataset};

/// The columns that become model features: everything except reserved columns (label,
/// predictions, split, truth slices), columns used whole as SF outputs, and free text.
pub fn feature_columns(ds: &Dataset, set: &SliceSet) -> Vec<String> {
    let sf_cols = set.column_sfs(&ds.table);
    ds.table
        .columns
        .iter()
        .filter(|c| {
            !ds.reserved.contains(&c.name)
                && !sf_cols.contains(&c.name)
                && c.kind != ColumnKind::Text
        })
        .map(|c| c.name.clone())
        .collect()
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
