//! Permutation importance: how much a model's score drops when one column's values are shuffled
//! across the evaluated rows, over all of them and inside each given slice, with an interval
//! over repeated shuffles.

use candle_core::Tensor;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use super::error::TrainError;
use super::predict::predict;
use super::saved::{TrainedModel, Watch};
use crate::data::{Dataset, Table};
use crate::metrics::{Confusion, Metric, Scores};
use crate::slices::Bitmap;

/// Shuffles per column unless asked otherwise: enough for a rough interval, cheap enough to run
/// after every quick model.
pub const DEFAULT_REPEATS: usize = 5;

/// How importance is measured.
#[derive(Debug, Clone, Copy)]
pub struct ImportanceSpec {
    /// The score whose drop is measured.
    pub metric: Metric,
    /// Shuffles per column (at least 1; 2 or more give an interval).
    pub repeats: usize,
    /// Seeds the shuffles.
    pub seed: u64,
}

impl ImportanceSpec {
    /// `metric` (else the task's default for `ds`), [`DEFAULT_REPEATS`] shuffles, seed 0.
    pub fn default_for(ds: &Dataset, metric: Option<Metric>) -> Self {
        Self {
            metric: metric.unwrap_or_else(|| Metric::default_for(ds.n_classes())),
            repeats: DEFAULT_REPEATS,
            seed: 0,
        }
    }
}

/// One column's importance in one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnImportance {
    /// The source column (a text column for all of its embedding's features).
    pub column: String,
    /// Mean drop of the score over the repeats where it was defined (positive: the model
    /// leans on the column); `None` when the score is undefined on these rows.
    pub mean: Option<f64>,
    /// 95% t-interval of the mean drop over the repeats (`None` with fewer than 2 repeats).
    pub interval: Option<(f64, f64)>,
    /// The drop of each repeat whose score was defined.
    pub drops: Vec<f64>,
}

/// Importance of every column over one set of rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportanceTable {
    /// "all rows" or the slice's name.
    pub scope: String,
    /// Rows scored.
    pub rows: usize,
    /// The metric.
    pub metric: Metric,
    /// The score without shuffling (`None`: undefined on these rows).
    pub base: Option<f64>,
    /// Columns, most important first (undefined ones last).
    pub columns: Vec<ColumnImportance>,
}

impl ImportanceTable {
    /// The columns whose mean drop is positive, with that drop, most important first.
    pub fn leaned_on(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        self.columns
            .iter()
            .filter_map(|c| Some((c.column.as_str(), c.mean.filter(|m| *m > 0.0)?)))
    }
}

/// What importance is computed on: the table, its labels, the rows and the slices.
pub struct ImportanceData<'a> {
    /// The table (the model's feature columns must be present).
    pub table: &'a Table,
    /// Class index of every table row.
    pub y: &'a [u32],
    /// Rows to shuffle over and score (the validation split, or a held-out file's rows).
    pub rows: &'a [usize],
    /// Slices scored separately, as (name, membership of every table row).
    pub slices: &'a [(&'a str, &'a Bitmap)],
}

impl<'a> ImportanceData<'a> {
    /// The `rows` of `ds`, and its `slices`.
    pub fn of(ds: &'a Dataset, rows: &'a [usize], slices: &'a [(&'a str, &'a Bitmap)]) -> Self {
        Self {
            table: &ds.table,
            y: &ds.y,
            rows,
            slices,
        }
    }
}

/// Permutation importance of every column the model reads: the first table covers all of
/// `data.rows`, then one per slice. `watch` gets `(columns done, columns)` and can stop it.
pub fn permutation_importance(
    model: &TrainedModel,
    data: &ImportanceData<'_>,
    spec: &ImportanceSpec,
    watch: &mut Watch<'_>,
) -> Result<Vec<ImportanceTable>, TrainError> {
    let dim = model.card.model.input_dim;
    let x_all = model.inputs_watched(data.table, watch)?; // [n, d]
    let idx: Vec<u32> = data.rows.iter().map(|&i| i as u32).collect();
    let idx = Tensor::from_vec(idx, data.rows.len(), &model.device)?;
    let x = x_all
        .index_select(&idx, 0)?
        .flatten_all()?
        .to_vec1::<f32>()?; // [r * d]
    let y: Vec<u32> = data.rows.iter().map(|&i| data.y[i]).collect();
    let scopes = scopes(data);
    let n_classes = model.card.classes.len();
    let score = |pred: &[u32]| -> Vec<Option<f64>> {
        scopes
            .iter()
            .map(|(_, pos)| score_of(spec.metric, &y, pred, pos, n_classes))
            .collect()
    };
    let r = data.rows.len();
    let predict_host = |x: Vec<f32>| -> Result<Vec<u32>, TrainError> {
        let t = Tensor::from_vec(x, (r, dim), &model.device)?;
        let all: Vec<usize> = (0..r).collect();
        Ok(predict(&model.model, &t, &all)?.classes)
    };
    let base = score(&predict_host(x.clone())?);
    let groups = column_groups(model);
    let mut drops = vec![vec![Vec::new(); groups.len()]; scopes.len()];
    for (g, (_, cols)) in groups.iter().enumerate() {
        if watch.cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(crate::text::TextError::Cancelled.into());
        }
        (watch.progress)(g, groups.len());
        for rep in 0..spec.repeats.max(1) {
            let mut rng = StdRng::seed_from_u64(spec.seed ^ ((g as u64) << 20) ^ rep as u64);
            let mut order: Vec<usize> = (0..r).collect();
            order.shuffle(&mut rng);
            let shuffled = score(&predict_host(shuffle_block(&x, dim, cols, &order))?);
            for (s, (b, p)) in base.iter().zip(&shuffled).enumerate() {
                if let (Some(b), Some(p)) = (b, p) {
                    let drop = if spec.metric.higher_is_better() {
                        b - p
                    } else {
                        p - b
                    };
                    drops[s][g].push(drop);
                }
            }
        }
    }
    (watch.progress)(groups.len(), groups.len());
    Ok(scopes
        .iter()
        .zip(base)
        .zip(drops)
        .map(|(((name, pos), base), drops)| ImportanceTable {
            scope: name.clone(),
            rows: pos.len(),
            metric: spec.metric,
            base,
            columns: ranked(&groups, drops),
        })
        .collect())
}

/// `metric` over the positions `pos` of `y` and `pred`; `None` where it is undefined.
pub(crate) fn score_of(
    metric: Metric,
    y: &[u32],
    pred: &[u32],
    pos: &[usize],
    n_classes: usize,
) -> Option<f64> {
    let c = Confusion::from_rows(y, pred, pos.iter().copied(), n_classes);
    metric.of(&Scores::from_confusion(&c))
}

/// "all rows" and each slice, as positions into `data.rows`.
fn scopes(data: &ImportanceData<'_>) -> Vec<(String, Vec<usize>)> {
    let mut out = vec![("all rows".to_string(), (0..data.rows.len()).collect())];
    for (name, mask) in data.slices {
        let pos = (0..data.rows.len())
            .filter(|&k| mask.get(data.rows[k]))
            .collect();
        out.push((name.to_string(), pos));
    }
    out
}

/// The model's features grouped by source column (an embedding's features under its text column),
/// as (column, feature indices), in feature order.
fn column_groups(model: &TrainedModel) -> Vec<(String, Vec<usize>)> {
    let text = model.card.embedding.as_ref().map(|e| e.column.as_str());
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut offset = 0;
    for input in &model.card.features.inputs {
        let name = input.column();
        let source = match text {
            Some(t) if is_embedding_of(name, t) => t,
            _ => name,
        };
        let cols = offset..offset + input.width();
        offset += input.width();
        match groups.iter_mut().find(|(n, _)| n == source) {
            Some((_, c)) => c.extend(cols),
            None => groups.push((source.to_string(), cols.collect())),
        }
    }
    groups
}

/// Whether `name` is one of the `{text}_e{j}` embedding columns of `text`.
fn is_embedding_of(name: &str, text: &str) -> bool {
    name.strip_prefix(text)
        .and_then(|r| r.strip_prefix("_e"))
        .is_some_and(|j| !j.is_empty() && j.bytes().all(|b| b.is_ascii_digit()))
}

/// `x` (`[r, dim]`, row-major) with the columns `cols` of row `i` taken from row `order[i]`.
fn shuffle_block(x: &[f32], dim: usize, cols: &[usize], order: &[usize]) -> Vec<f32> {
    let mut out = x.to_vec();
    for (i, &from) in order.iter().enumerate() {
        for &c in cols {
            out[i * dim + c] = x[from * dim + c];
        }
    }
    out
}

/// Each group's drops summarised, most important first.
fn ranked(groups: &[(String, Vec<usize>)], drops: Vec<Vec<f64>>) -> Vec<ColumnImportance> {
    let mut out: Vec<ColumnImportance> = groups
        .iter()
        .zip(drops)
        .map(|((column, _), drops)| ColumnImportance {
            column: column.clone(),
            mean: mean(&drops),
            interval: t_interval(&drops),
            drops,
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |c: &ColumnImportance| c.mean.unwrap_or(f64::NEG_INFINITY);
        key(b).total_cmp(&key(a))
    });
    out
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The 95% t-interval of the mean of `v` (`None` for fewer than 2 values).
fn t_interval(v: &[f64]) -> Option<(f64, f64)> {
    let n = v.len();
    if n < 2 {
        return None;
    }
    let m = mean(v)?;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_975(n - 1) * (var / n as f64).sqrt();
    Some((m - half, m + half))
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 10] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    ];
    match df {
        0 => f64::NAN,
        1..=10 => TABLE[df - 1],
        11..=20 => 2.086 + (2.228 - 2.086) * (20 - df) as f64 / 10.0,
        21..=30 => 2.042 + (2.086 - 2.042) * (30 - df) as f64 / 10.0,
        _ => 1.96 + (2.042 - 1.96) * 30.0 / df as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_widens_with_spread_and_is_absent_for_one_repeat() {
        assert_eq!(t_interval(&[0.3]), None);
        let (lo, hi) = t_interval(&[0.2, 0.2, 0.2]).unwrap();
        assert!((lo - 0.2).abs() < 1e-12 && (hi - 0.2).abs() < 1e-12);
        let (lo, hi) = t_interval(&[0.1, 0.3]).unwrap();
        // mean 0.2, sd 0.1414, se 0.1, t(1) 12.706
        assert!((hi - lo - 2.0 * 1.2706).abs() < 1e-3, "{lo} {hi}");
    }

    #[test]
    fn a_shuffled_block_moves_only_its_columns() {
        let x = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0];
        let out = shuffle_block(&x, 2, &[1], &[2, 0, 1]);
        assert_eq!(out, vec![1.0, 30.0, 2.0, 10.0, 3.0, 20.0]);
    }

    #[test]
    fn embedding_columns_belong_to_their_text_column_only() {
        assert!(is_embedding_of("review_e0", "review"));
        assert!(is_embedding_of("review_e383", "review"));
        assert!(!is_embedding_of("review_ex", "review"));
        assert!(!is_embedding_of("review_e", "review"));
        assert!(!is_embedding_of("reviewer_e1", "review"));
    }
}
