//! Warnings about feature columns a model should probably not see: columns that predict the
//! label almost by themselves on the training rows (leakage), and unique increasing integers
//! (row identifiers). Nothing is dropped: the user decides, with `--ignore`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::containment::{containment, level_key};
use super::dataset::Dataset;
use super::feature_plan::is_id_name;
use super::split::Split;
use super::table::{Column, ColumnData, ColumnKind};
use super::time_order::recorded_after;

pub use super::leakage_text::{
    Advice, WarningGroup, warning_groups, warning_lines, warning_lines_for,
};

/// A single column scoring at least this (AUC or accuracy) on its own is reported as leakage.
pub const LEAK_SCORE: f64 = 0.98;
/// Fewer training rows than this give scores too noisy to warn on.
const MIN_TRAIN_ROWS: usize = 30;
/// Categorical levels with fewer training rows than this are pooled, so that rare levels cannot
/// look predictive by chance.
const MIN_LEVEL_ROWS: usize = 5;
/// Numbers are cut into this many quantile bins to score them against a multi-class label.
const NUMERIC_BINS: usize = 64;

/// What is suspicious about a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum ColumnWarning {
    /// The column alone predicts the label on the training rows.
    Leakage {
        /// The column.
        column: String,
        /// `auc` (binary labels) or `accuracy` (majority class per value or bin).
        measure: String,
        /// The score, 0.98 or more.
        score: f64,
    },
    /// One value of the column holds almost every training row of a class and few others (a
    /// second outcome flag), or its rows are almost all of one class (see
    /// [`super::containment`]).
    Containment {
        /// The column.
        column: String,
        /// The value, as shown.
        value: String,
        /// The class, by name.
        class: String,
        /// Share of the class's training rows with the value.
        holds: f64,
        /// Share of the value's training rows in the class.
        purity: f64,
        /// Share of the other classes' training rows with the value.
        others: f64,
    },
    /// A date after another date column on almost every row, recorded almost only for one
    /// class (see [`super::time_order`]): the outcome's own date.
    RecordedAfter {
        /// The column.
        column: String,
        /// The date column it follows.
        after: String,
        /// The class, by name.
        class: String,
        /// Share of the class's training rows where it is recorded.
        holds: f64,
        /// Share of the other classes' training rows where it is recorded.
        others: f64,
    },
    /// Unique integers, increasing or decreasing with the row order (or under an id-like name).
    Identifier {
        /// The column.
        column: String,
    },
}

impl ColumnWarning {
    /// The column warned about.
    pub fn column(&self) -> &str {
        match self {
            ColumnWarning::Leakage { column, .. }
            | ColumnWarning::Containment { column, .. }
            | ColumnWarning::RecordedAfter { column, .. }
            | ColumnWarning::Identifier { column } => column,
        }
    }
}

/// Checks each of `features` (columns of `ds`) on the training rows, spread over the cores
/// (785 columns of 49,000 training rows take about a second on one).
pub fn column_warnings(ds: &Dataset, features: &[String]) -> Vec<ColumnWarning> {
    let train = ds.indices(Split::Train);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = features.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = features
            .chunks(chunk)
            .map(|names| {
                scope.spawn(|| {
                    names
                        .iter()
                        .filter_map(|n| check(ds, n, &train))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A panicking check is a bug; losing its warnings beats taking the caller down.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The warning on column `name`, if any.
fn check(ds: &Dataset, name: &str, train: &[usize]) -> Option<ColumnWarning> {
    let col = ds.table.column(name)?;
    if is_integer_identifier(col) {
        return Some(ColumnWarning::Identifier {
            column: name.to_string(),
        });
    }
    if train.len() < MIN_TRAIN_ROWS {
        return None;
    }
    let scored = single_column_score(col, &ds.y, ds.n_classes(), train);
    if let Some((measure, score)) = scored.filter(|(_, s)| *s >= LEAK_SCORE) {
        return Some(ColumnWarning::Leakage {
            column: name.to_string(),
            measure: measure.into(),
            score,
        });
    }
    let class_name = |c: usize| ds.classes.get(c).cloned().unwrap_or_default();
    if let Some(c) = containment(col, &ds.y, ds.n_classes(), train) {
        return Some(ColumnWarning::Containment {
            column: name.to_string(),
            value: c.value,
            class: class_name(c.class),
            holds: c.holds,
            purity: c.purity,
            others: c.others,
        });
    }
    let dates: Vec<&Column> = (ds.table.columns.iter())
        .filter(|c| c.kind == ColumnKind::Date)
        .collect();
    let r = recorded_after(col, &dates, &ds.y, ds.n_classes(), train)?;
    Some(ColumnWarning::RecordedAfter {
        column: name.to_string(),
        after: r.after,
        class: class_name(r.class),
        holds: r.holds,
        others: r.others,
    })
}

/// Unique integers, strictly monotone over the rows, or unique under an id-like name (never a
/// date or a boolean).
pub fn is_integer_identifier(col: &Column) -> bool {
    // A sorted daily series is unique and increasing too, but a date is a quantity, not a key.
    if matches!(col.kind, ColumnKind::Date | ColumnKind::Boolean) {
        return false;
    }
    let Some(v) = col.as_numeric() else {
        return false;
    };
    if v.len() < 5 || v.iter().any(|x| x.is_nan() || x.fract() != 0.0) {
        return false;
    }
    let increasing = v.windows(2).all(|w| w[0] < w[1]);
    let decreasing = v.windows(2).all(|w| w[0] > w[1]);
    if increasing || decreasing {
        return true;
    }
    if !is_id_name(&col.name) {
        return false;
    }
    let mut sorted = v.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.windows(2).all(|w| w[0] < w[1])
}

/// How well `col` alone predicts `y` on `rows`: AUC for two classes, else the accuracy of the
/// majority class per value (categoricals) or per quantile bin (numbers).
fn single_column_score(
    col: &Column,
    y: &[u32],
    n_classes: usize,
    rows: &[usize],
) -> Option<(&'static str, f64)> {
    let groups = match &col.data {
        ColumnData::Numeric(v) if col.kind != super::ColumnKind::Categorical => {
            if n_classes == 2 {
                return Some(("auc", numeric_auc(v, y, rows)?));
            }
            numeric_bins(v, rows)
        }
        _ => level_groups(col, rows),
    };
    if n_classes == 2 {
        return Some(("auc", group_auc(&groups, y, rows)?));
    }
    let majority = majority_rate(y, rows, n_classes);
    let acc = group_accuracy(&groups, y, rows, n_classes);
    // A label that is almost all one class makes every column look accurate.
    (majority < LEAK_SCORE).then_some(("accuracy", acc))
}

/// AUC of the raw values (either direction) for class 1; missing values rank lowest.
fn numeric_auc(v: &[f64], y: &[u32], rows: &[usize]) -> Option<f64> {
    let mut pairs: Vec<(f64, bool)> = rows
        .iter()
        .map(|&i| {
            (
                if v[i].is_nan() {
                    f64::NEG_INFINITY
                } else {
                    v[i]
                },
                y[i] == 1,
            )
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    auc_of_sorted(&pairs)
}

/// AUC (either direction) of sorted `(score, positive)` pairs, ties given their mean rank.
fn auc_of_sorted(pairs: &[(f64, bool)]) -> Option<f64> {
    let positives = pairs.iter().filter(|p| p.1).count() as f64;
    let negatives = pairs.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < pairs.len() {
        let mut end = start;
        while end < pairs.len() && pairs[end].0 == pairs[start].0 {
            end += 1;
        }
        let mean_rank = (start + end + 1) as f64 / 2.0;
        let pos = pairs[start..end].iter().filter(|p| p.1).count() as f64;
        rank_sum += pos * mean_rank;
        start = end;
    }
    let auc = (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
    Some(auc.max(1.0 - auc))
}

/// A group id per row of `rows` (same order): the value's level, with rare levels pooled.
fn level_groups(col: &Column, rows: &[usize]) -> Vec<u32> {
    let key = |i: usize| level_key(col, i);
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for &i in rows {
        *counts.entry(key(i)).or_default() += 1;
    }
    let mut ids: HashMap<u64, u32> = HashMap::new();
    rows.iter()
        .map(|&i| {
            let k = key(i);
            if counts[&k] < MIN_LEVEL_ROWS {
                return 0;
            }
            let next = ids.len() as u32 + 1;
            *ids.entry(k).or_insert(next)
        })
        .collect()
}

/// A quantile bin per row of `rows`; equal values share a bin, missing values get their own.
fn numeric_bins(v: &[f64], rows: &[usize]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| v[rows[a]].total_cmp(&v[rows[b]]));
    let mut bins = vec![0u32; rows.len()];
    let mut prev: Option<(f64, u32)> = None;
    for (rank, &k) in order.iter().enumerate() {
        let x = v[rows[k]];
        bins[k] = match prev {
            _ if x.is_nan() => NUMERIC_BINS as u32 + 1,
            Some((p, b)) if p == x => b,
            _ => (rank * NUMERIC_BINS / rows.len()) as u32,
        };
        prev = Some((x, bins[k]));
    }
    bins
}

/// AUC of each group's positive rate as the score.
fn group_auc(groups: &[u32], y: &[u32], rows: &[usize]) -> Option<f64> {
    let mut stats: HashMap<u32, (usize, usize)> = HashMap::new();
    for (g, &i) in groups.iter().zip(rows) {
        let s = stats.entry(*g).or_default();
        s.0 += usize::from(y[i] == 1);
        s.1 += 1;
    }
    let mut pairs: Vec<(f64, bool)> = groups
        .iter()
        .zip(rows)
        .map(|(g, &i)| {
            let (pos, n) = stats[g];
            (pos as f64 / n as f64, y[i] == 1)
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    auc_of_sorted(&pairs)
}

/// Accuracy of predicting each group's majority class.
fn group_accuracy(groups: &[u32], y: &[u32], rows: &[usize], n_classes: usize) -> f64 {
    let mut counts: HashMap<u32, Vec<usize>> = HashMap::new();
    for (g, &i) in groups.iter().zip(rows) {
        if let Some(c) = counts
            .entry(*g)
            .or_insert_with(|| vec![0; n_classes])
            .get_mut(y[i] as usize)
        {
            *c += 1;
        }
    }
    let right: usize = counts
        .values()
        .map(|c| c.iter().max().copied().unwrap_or(0))
        .sum();
    right as f64 / rows.len().max(1) as f64
}

fn majority_rate(y: &[u32], rows: &[usize], n_classes: usize) -> f64 {
    let mut counts = vec![0usize; n_classes];
    for &i in rows {
        if let Some(c) = counts.get_mut(y[i] as usize) {
            *c += 1;
        }
    }
    counts.iter().max().copied().unwrap_or(0) as f64 / rows.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        let perfect = [(0.0, false), (1.0, false), (2.0, true), (3.0, true)];
        assert_eq!(auc_of_sorted(&perfect), Some(1.0));
        let tied = [(0.0, false), (0.0, true)];
        assert_eq!(auc_of_sorted(&tied), Some(0.5));
        // A reversed column predicts as well as a forward one.
        let reversed = [(0.0, true), (1.0, false)];
        assert_eq!(auc_of_sorted(&reversed), Some(1.0));
    }

    #[test]
    fn pooled_levels_and_bins() {
        let y = [0, 0, 1, 1, 2, 2];
        let rows: Vec<usize> = (0..6).collect();
        assert_eq!(group_accuracy(&[1, 1, 2, 2, 3, 3], &y, &rows, 3), 1.0);
        let bins = numeric_bins(&[1.0, 1.0, 2.0, f64::NAN, 3.0, 4.0], &rows);
        assert_eq!(bins[0], bins[1]);
        assert_eq!(bins[3], NUMERIC_BINS as u32 + 1);
    }
}
