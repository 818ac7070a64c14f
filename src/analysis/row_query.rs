//! Narrowing and ordering a slice's rows for the row inspector: a case-insensitive text search
//! over every cell of a row (each table column as displayed, and the predicted class), and a sort
//! by any column, the prediction, whether it is right, or a class probability.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::data::{ColumnData, ColumnKind, Dataset};

/// A column of the rows table: a table column, or one derived from the analysed predictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RowColumn {
    /// A column of the table, by index.
    Table(usize),
    /// The analysed prediction.
    Prediction,
    /// Whether the prediction is right.
    Correct,
    /// The predicted probability of a class, by class index.
    Probability(usize),
}

/// What the rows are narrowed to and ordered by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RowQuery {
    /// Keep rows with a cell containing this text (any case); empty keeps every row.
    pub search: String,
    /// Sort by this column, descending when `true`; `None` keeps the rows' order.
    pub sort: Option<(RowColumn, bool)>,
}

/// The analysed predictions a query reads: class per row and probabilities `[n, C]` (empty when
/// unknown).
#[derive(Debug, Clone, Copy)]
pub struct Preds<'a> {
    /// Predicted class per row.
    pub classes: &'a [u32],
    /// Class probabilities, row-major; empty when unknown.
    pub probs: &'a [f32],
}

impl Preds<'_> {
    /// The probability of class `c` for `row`, if known.
    pub fn probability(&self, row: usize, c: usize, n_classes: usize) -> Option<f32> {
        self.probs.get(row * n_classes + c).copied()
    }
}

/// The rows of `rows` that match `q.search`, in `q.sort`'s order (missing values last either
/// way; ties keep their order).
pub fn query(ds: &Dataset, preds: Preds<'_>, rows: &[usize], q: &RowQuery) -> Vec<usize> {
    query_until(ds, preds, rows, q, &AtomicBool::new(false)).unwrap_or_default()
}

/// Rows searched between two looks at the stop flag (a few hundred microseconds of work).
const CHUNK: usize = 4096;

/// [`query`] that gives up (`None`) once `stop` is set: a search superseded by the next
/// keystroke stops within a chunk of rows instead of running over every row of a wide table.
pub fn query_until(
    ds: &Dataset,
    preds: Preds<'_>,
    rows: &[usize],
    q: &RowQuery,
    stop: &AtomicBool,
) -> Option<Vec<usize>> {
    let mut out: Vec<usize> = if q.search.trim().is_empty() {
        rows.to_vec()
    } else {
        let m = Matcher::new(ds, &q.search);
        let mut out = Vec::new();
        for chunk in rows.chunks(CHUNK) {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            out.extend(chunk.iter().copied().filter(|&r| m.matches(ds, preds, r)));
        }
        out
    };
    if stop.load(Ordering::Relaxed) {
        return None;
    }
    if let Some((col, desc)) = q.sort {
        sort(ds, preds, &mut out, col, desc);
    }
    Some(out)
}

/// A search prepared once: the needle in lowercase, and which levels of each string column
/// contain it (so a million rows need no string per cell).
struct Matcher {
    needle: String,
    levels: Vec<Option<Vec<bool>>>,
    classes: Vec<bool>,
    /// Whether the needle could be part of a number as displayed (digits, sign, point,
    /// exponent); when not, plain numeric columns are not looked at.
    numeric: bool,
}

impl Matcher {
    fn new(ds: &Dataset, search: &str) -> Self {
        let needle = search.trim().to_lowercase();
        let has = |s: &str| s.to_lowercase().contains(&needle);
        let levels = ds
            .table
            .columns
            .iter()
            .map(|c| match &c.data {
                ColumnData::Strings { levels, .. } => Some(levels.iter().map(|l| has(l)).collect()),
                ColumnData::Numeric(_) => None,
            })
            .collect();
        let classes = ds.classes.iter().map(|c| has(c)).collect();
        let numeric = needle
            .chars()
            .all(|ch| ch.is_ascii_digit() || "+-.e".contains(ch));
        Self {
            needle,
            levels,
            classes,
            numeric,
        }
    }

    fn matches(&self, ds: &Dataset, preds: Preds<'_>, row: usize) -> bool {
        let class = preds.classes.get(row).map(|&p| p as usize);
        if class.is_some_and(|p| self.classes.get(p) == Some(&true)) {
            return true;
        }
        ds.table
            .columns
            .iter()
            .zip(&self.levels)
            .any(|(c, levels)| match (&c.data, levels) {
                (ColumnData::Strings { codes, .. }, Some(hit)) => codes
                    .get(row)
                    .and_then(|&code| hit.get(code as usize))
                    .is_some_and(|&h| h),
                // Dates display as text; other numbers only hold digits, sign, point, exponent.
                _ if c.kind != ColumnKind::Date && !self.numeric => false,
                _ => row < c.len() && c.display(row).to_lowercase().contains(&self.needle),
            })
    }
}

/// A row's sort key: a number, or a rank among a string column's sorted levels.
fn key(ds: &Dataset, preds: Preds<'_>, ranks: &[u32], col: RowColumn, row: usize) -> Option<f64> {
    let n_classes = ds.classes.len();
    match col {
        RowColumn::Table(i) => match &ds.table.columns.get(i)?.data {
            ColumnData::Numeric(v) => v.get(row).copied().filter(|x| !x.is_nan()),
            ColumnData::Strings { codes, .. } => {
                let code = *codes.get(row)?;
                ranks.get(code as usize).map(|&r| f64::from(r))
            }
        },
        RowColumn::Prediction => preds.classes.get(row).map(|&p| f64::from(p)),
        RowColumn::Correct => {
            let right = preds.classes.get(row)? == ds.y.get(row)?;
            Some(f64::from(u8::from(right)))
        }
        RowColumn::Probability(c) => preds.probability(row, c, n_classes).map(f64::from),
    }
}

fn sort(ds: &Dataset, preds: Preds<'_>, rows: &mut [usize], col: RowColumn, desc: bool) {
    // A string column sorts by its values' alphabetical rank, not by first-seen order.
    let mut ranks = Vec::new();
    if let RowColumn::Table(i) = col
        && let Some(ColumnData::Strings { levels, .. }) = ds.table.columns.get(i).map(|c| &c.data)
    {
        let mut order: Vec<usize> = (0..levels.len()).collect();
        order.sort_by(|&a, &b| levels[a].to_lowercase().cmp(&levels[b].to_lowercase()));
        ranks = vec![0u32; levels.len()];
        for (rank, &l) in order.iter().enumerate() {
            ranks[l] = rank as u32;
        }
    }
    let mut keyed: Vec<(Option<f64>, usize)> = rows
        .iter()
        .map(|&r| (key(ds, preds, &ranks, col, r), r))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(x), Some(y)) if desc => y.total_cmp(x),
        (Some(x), Some(y)) => x.total_cmp(y),
        (a, b) => b.is_some().cmp(&a.is_some()),
    });
    for (slot, (_, r)) in rows.iter_mut().zip(keyed) {
        *slot = r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, ColumnKind, DatasetSpec, Table};

    /// Four rows: `name` (text), `x` (numbers, one missing), `label` (0/1).
    fn data() -> Dataset {
        let name = Column {
            name: "name".into(),
            kind: ColumnKind::Categorical,
            data: ColumnData::Strings {
                codes: vec![0, 1, 2, 1],
                levels: vec!["Zebra".into(), "apple".into(), "Mango".into()],
            },
        };
        let x = Column {
            name: "x".into(),
            kind: ColumnKind::Numeric,
            data: ColumnData::Numeric(vec![2.5, f64::NAN, -1.0, 10.0]),
        };
        let label = Column {
            name: "label".into(),
            kind: ColumnKind::Numeric,
            data: ColumnData::Numeric(vec![0.0, 1.0, 0.0, 1.0]),
        };
        let table = Table {
            columns: vec![name, x, label],
            ..Table::default()
        };
        Dataset::from_table(table, &DatasetSpec::new("label"), &[None; 4]).expect("a dataset")
    }

    const PRED: [u32; 4] = [0, 0, 1, 1];
    const PROBS: [f32; 8] = [0.9, 0.1, 0.6, 0.4, 0.2, 0.8, 0.3, 0.7];

    fn run(search: &str, sort: Option<(RowColumn, bool)>) -> Vec<usize> {
        let preds = Preds {
            classes: &PRED,
            probs: &PROBS,
        };
        let q = RowQuery {
            search: search.into(),
            sort,
        };
        query(&data(), preds, &[0, 1, 2, 3], &q)
    }

    #[test]
    fn search_matches_any_cell_in_any_case() {
        assert_eq!(run("APP", None), [1, 3]);
        assert_eq!(run("  zeb ", None), [0]);
        assert_eq!(run("-1", None), [2]);
        assert_eq!(run("nothing like it", None), Vec::<usize>::new());
        assert_eq!(run("", None), [0, 1, 2, 3]);
    }

    #[test]
    fn a_stopped_search_gives_up_and_a_running_one_does_not() {
        let preds = Preds {
            classes: &PRED,
            probs: &PROBS,
        };
        let q = RowQuery {
            search: "app".into(),
            sort: None,
        };
        let ds = data();
        let rows = [0, 1, 2, 3];
        assert_eq!(
            query_until(&ds, preds, &rows, &q, &AtomicBool::new(true)),
            None
        );
        let go = AtomicBool::new(false);
        assert_eq!(query_until(&ds, preds, &rows, &q, &go), Some(vec![1, 3]));
    }

    #[test]
    fn sorting_puts_missing_values_last_either_way() {
        let x = Some((RowColumn::Table(1), false));
        assert_eq!(run("", x), [2, 0, 3, 1]);
        let x = Some((RowColumn::Table(1), true));
        assert_eq!(run("", x), [3, 0, 2, 1]);
    }

    #[test]
    fn strings_sort_alphabetically_and_derived_columns_sort_too() {
        assert_eq!(run("", Some((RowColumn::Table(0), false))), [1, 3, 2, 0]);
        // Right: rows 0 and 3 (label 0 pred 0, label 1 pred 1).
        assert_eq!(run("", Some((RowColumn::Correct, true))), [0, 3, 1, 2]);
        assert_eq!(
            run("", Some((RowColumn::Probability(1), true))),
            [2, 3, 1, 0]
        );
    }
}
