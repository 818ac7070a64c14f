//! The feature mapping: columns to a dense `f32` matrix, fitted on training rows only.

use serde::{Deserialize, Serialize};

use super::error::DataError;
use super::table::{Column, ColumnData, ColumnKind, Table};

/// Categorical columns keep at most this many levels; the rest share an "other" slot.
pub const MAX_LEVELS: usize = 20;

/// Standardised values are clipped to this many standard deviations, so a value far outside the
/// training range (1e308 in a column of small numbers) stays finite in `f32`.
const MAX_SIGMAS: f64 = 1e6;

/// How one column becomes feature values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureInput {
    /// `(x - mean) / std`, 0 when missing, plus a missing indicator if train had missing values.
    Numeric {
        /// Source column.
        column: String,
        /// Train mean.
        mean: f64,
        /// Train standard deviation (1 when constant).
        std: f64,
        /// Whether a missing-indicator feature follows.
        missing_indicator: bool,
    },
    /// One slot per kept level, an "other" slot, and a missing slot.
    OneHot {
        /// Source column.
        column: String,
        /// Kept levels, most frequent first.
        levels: Vec<String>,
    },
}

impl FeatureInput {
    /// The source column.
    pub fn column(&self) -> &str {
        match self {
            FeatureInput::Numeric { column, .. } | FeatureInput::OneHot { column, .. } => column,
        }
    }

    /// Whether the fitted statistics are finite numbers (a standard deviation also above 0).
    pub fn is_finite(&self) -> bool {
        match self {
            FeatureInput::Numeric { mean, std, .. } => {
                mean.is_finite() && std.is_finite() && *std > 0.0
            }
            FeatureInput::OneHot { .. } => true,
        }
    }

    /// Number of feature values produced.
    pub fn width(&self) -> usize {
        match self {
            FeatureInput::Numeric {
                missing_indicator, ..
            } => 1 + usize::from(*missing_indicator),
            FeatureInput::OneHot { levels, .. } => levels.len() + 2,
        }
    }
}

/// An ordered list of column transforms; saved with every model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureMap {
    /// Transforms in feature order.
    pub inputs: Vec<FeatureInput>,
}

impl FeatureMap {
    /// Fits transforms for `columns` on the rows `train`.
    pub fn fit(table: &Table, columns: &[String], train: &[usize]) -> Result<Self, DataError> {
        let inputs = columns
            .iter()
            .map(|name| {
                let col = table.column(name).ok_or_else(|| unknown(table, name))?;
                fit_column(col, train).map_err(|message| {
                    DataError::Invalid(format!(
                        "{}: feature column '{name}': {message}",
                        table.source
                    ))
                })
            })
            .collect::<Result<_, DataError>>()?;
        Ok(Self { inputs })
    }

    /// Total number of feature values per row.
    pub fn dim(&self) -> usize {
        self.inputs.iter().map(FeatureInput::width).sum()
    }

    /// The source columns a table must have for [`FeatureMap::transform`].
    pub fn columns(&self) -> Vec<&str> {
        self.inputs.iter().map(FeatureInput::column).collect()
    }

    /// Row-major `[rows.len(), dim]` features of the given rows.
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Result<Vec<f32>, DataError> {
        let dim = self.dim();
        let mut out = vec![0f32; rows.len() * dim];
        let mut offset = 0;
        for input in &self.inputs {
            let col = table
                .column(input.column())
                .ok_or_else(|| unknown(table, input.column()))?;
            write_input(input, col, rows, &mut out, dim, offset);
            offset += input.width();
        }
        Ok(out)
    }
}

fn unknown(table: &Table, name: &str) -> DataError {
    DataError::UnknownColumn {
        what: "feature",
        name: name.to_string(),
        source_name: table.source.clone(),
        available: table.closest_names(name, 8).join(", "),
    }
}

fn fit_column(col: &Column, train: &[usize]) -> Result<FeatureInput, String> {
    match (&col.data, col.kind) {
        (ColumnData::Numeric(v), ColumnKind::Numeric | ColumnKind::Boolean | ColumnKind::Date) => {
            let vals: Vec<f64> = train
                .iter()
                .map(|&i| v[i])
                .filter(|x| !x.is_nan())
                .collect();
            let (mean, std) = standardiser(&vals)?;
            Ok(FeatureInput::Numeric {
                column: col.name.clone(),
                mean,
                std,
                missing_indicator: vals.len() < train.len(),
            })
        }
        _ => Ok(one_hot(col, train)),
    }
}

/// Mean and standard deviation (1 when constant) of finite values, or why they do not exist.
fn standardiser(vals: &[f64]) -> Result<(f64, f64), String> {
    if let Some(x) = vals.iter().find(|x| !x.is_finite()) {
        return Err(format!(
            "holds the value {x} on a training row; infinite values cannot be standardised \
             (mark them missing, or leave the column out with --features)"
        ));
    }
    let (mut mean, var) = moments(vals, 1.0);
    let mut std = var.sqrt();
    if !(mean.is_finite() && std.is_finite()) {
        // Values near f64::MAX (1e308) overflow the plain sums: redo them on scaled values.
        let scale = vals.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let (m, v) = moments(vals, scale);
        (mean, std) = (m * scale, v.sqrt() * scale);
    }
    let std = if std > 1e-12 { std } else { 1.0 };
    if !(mean.is_finite() && std.is_finite()) {
        return Err(format!(
            "its mean ({mean}) or standard deviation ({std}) is not finite"
        ));
    }
    Ok((mean, std))
}

/// Mean and population variance of `vals / scale`.
fn moments(vals: &[f64], scale: f64) -> (f64, f64) {
    let n = vals.len().max(1) as f64;
    let mean = vals.iter().map(|x| x / scale).sum::<f64>() / n;
    let var = vals.iter().map(|x| (x / scale - mean).powi(2)).sum::<f64>() / n;
    (mean, var)
}

fn one_hot(col: &Column, train: &[usize]) -> FeatureInput {
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for &i in train.iter().filter(|&&i| !col.is_missing(i)) {
        *counts.entry(col.display(i)).or_default() += 1;
    }
    let mut by_freq: Vec<(String, usize)> = counts.into_iter().collect();
    by_freq.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let levels = by_freq
        .into_iter()
        .take(MAX_LEVELS)
        .map(|(l, _)| l)
        .collect();
    FeatureInput::OneHot {
        column: col.name.clone(),
        levels,
    }
}

fn write_input(
    input: &FeatureInput,
    col: &Column,
    rows: &[usize],
    out: &mut [f32],
    dim: usize,
    offset: usize,
) {
    match input {
        FeatureInput::Numeric {
            mean,
            std,
            missing_indicator,
            ..
        } => {
            for (r, &i) in rows.iter().enumerate() {
                let x = numeric_value(col, i);
                let cell = &mut out[r * dim + offset..];
                if x.is_nan() {
                    cell[0] = 0.0;
                    if *missing_indicator {
                        cell[1] = 1.0;
                    }
                } else {
                    // A row far outside the training range must not become inf in f32.
                    cell[0] = ((x - mean) / std).clamp(-MAX_SIGMAS, MAX_SIGMAS) as f32;
                }
            }
        }
        FeatureInput::OneHot { levels, .. } => {
            // Map each stored level once instead of comparing strings per row.
            let slot_of = level_slots(col, levels);
            for (r, &i) in rows.iter().enumerate() {
                let slot = slot_of(i);
                out[r * dim + offset + slot] = 1.0;
            }
        }
    }
}

fn numeric_value(col: &Column, i: usize) -> f64 {
    match &col.data {
        ColumnData::Numeric(v) => v[i],
        ColumnData::Strings { .. } => col.display(i).parse().unwrap_or(f64::NAN),
    }
}

/// Returns a function from row to one-hot slot: level index, `levels.len()` for other, `+1` for missing.
fn level_slots<'a>(col: &'a Column, levels: &'a [String]) -> Box<dyn Fn(usize) -> usize + 'a> {
    let other = levels.len();
    let missing = other + 1;
    match &col.data {
        ColumnData::Strings {
            codes,
            levels: stored,
        } => {
            let map: Vec<usize> = stored
                .iter()
                .map(|s| levels.iter().position(|l| l == s).unwrap_or(other))
                .collect();
            Box::new(move |i| map.get(codes[i] as usize).copied().unwrap_or(missing))
        }
        ColumnData::Numeric(_) => Box::new(move |i| {
            if col.is_missing(i) {
                missing
            } else {
                let v = col.display(i);
                levels.iter().position(|l| *l == v).unwrap_or(other)
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::builder::ColumnBuilder;

    fn table(cols: &[(&str, &[&str])]) -> Table {
        let columns = cols
            .iter()
            .map(|(name, cells)| {
                let mut b = ColumnBuilder::new(name);
                cells.iter().for_each(|c| b.push_str(c));
                b.finish()
            })
            .collect();
        Table {
            source: "t".into(),
            columns,
            ..Default::default()
        }
    }

    #[test]
    fn standardises_on_train_and_one_hots() {
        let t = table(&[
            ("x", &["0.5", "2.5", "", "100.5"]),
            ("c", &["a", "b", "a", "zz"]),
        ]);
        let fm = FeatureMap::fit(&t, &["x".into(), "c".into()], &[0, 1, 2]).unwrap();
        assert_eq!(fm.dim(), 2 + 4);
        let f = fm.transform(&t, &[0, 2, 3]).unwrap();
        assert_eq!(&f[0..6], &[-1.0, 0.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(&f[6..12], &[0.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        // Unseen level 'zz' goes to the other slot; 100 is standardised with train statistics.
        assert_eq!(&f[12..18], &[99.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }
}
