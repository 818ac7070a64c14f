//! The basic predicates of the search: one per frequent categorical value (and per missing
//! value), one per equal-frequency bin of a numeric column, with bin edges rounded to three
//! significant digits before the rows are selected, so the expression, its name and its rows
//! always agree.

use std::collections::HashMap;

use super::super::bitmap::Bitmap;
use super::super::build::equals_expr;
use super::super::set::quote_ident;
use super::SuggestConfig;
use crate::data::table::MISSING_CODE;
use crate::data::{ColumnData, ColumnKind, Table};

/// A basic predicate: which column it tests, its expression and its rows.
pub(super) struct Predicate {
    /// Index into the searched columns (two predicates on one column never combine).
    pub column: usize,
    pub expr: String,
    pub rows: Bitmap,
}

/// The predicates over `columns` with at least `min_support` rows and not true on every row,
/// one per distinct set of rows (the first column wins: a copy adds no new slice).
pub(super) fn predicates(
    table: &Table,
    columns: &[String],
    rows: &[usize],
    cfg: &SuggestConfig,
) -> Vec<Predicate> {
    let n = rows.len();
    let min_support = cfg.min_support.max(1);
    let mut out: Vec<Predicate> = Vec::new();
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
    for (ci, name) in columns.iter().enumerate() {
        let Some(col) = table.column(name) else {
            continue;
        };
        let mut push = |expr: String, bits: Bitmap| {
            let size = bits.count();
            // A predicate true on every row does not shrink any slice.
            if size < min_support || size == n {
                return;
            }
            let same = seen.entry(bits.hash64()).or_default();
            if same.iter().any(|&p| out[p].rows == bits) {
                return;
            }
            same.push(out.len());
            out.push(Predicate {
                column: ci,
                expr,
                rows: bits,
            });
        };
        match &col.data {
            ColumnData::Strings { codes, levels } => {
                let mut counts = vec![0usize; levels.len()];
                for &i in rows {
                    if let Some(c) = counts.get_mut(codes[i] as usize) {
                        *c += 1;
                    }
                }
                let mut order: Vec<usize> = (0..levels.len()).collect();
                order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
                for &v in order.iter().take(cfg.max_values) {
                    push(
                        equals_expr(name, &levels[v], false),
                        Bitmap::from_fn(n, |j| codes[rows[j]] as usize == v),
                    );
                }
                push(
                    format!("{} IS NULL", quote_ident(name)),
                    Bitmap::from_fn(n, |j| codes[rows[j]] == MISSING_CODE),
                );
            }
            ColumnData::Numeric(values) => {
                let style = if col.kind == ColumnKind::Date {
                    Edges::Date
                } else {
                    Edges::Number
                };
                numeric_predicates(name, values, (rows, style), cfg, &mut push);
            }
        }
    }
    out
}

/// Per value for columns with few distinct values, else equal-frequency bins `[lo, hi)` with
/// rounded edges; a bin that holds one value is written `col = v`.
fn numeric_predicates(
    name: &str,
    values: &[f64],
    (rows, style): (&[usize], Edges),
    cfg: &SuggestConfig,
    push: &mut impl FnMut(String, Bitmap),
) {
    let number = |x: f64| style.literal(x);
    let n = rows.len();
    let col = quote_ident(name);
    let mut present: Vec<f64> = rows
        .iter()
        .map(|&i| values[i])
        .filter(|v| !v.is_nan())
        .collect();
    present.sort_by(f64::total_cmp);
    let mut distinct = present.clone();
    distinct.dedup();
    let bins = cfg.bins.max(2);
    if distinct.len() <= bins * 2 {
        // Few values (flags, small codes): one predicate per value.
        for v in distinct {
            push(
                format!("{col} = {}", number(v)),
                Bitmap::from_fn(n, |j| values[rows[j]] == v),
            );
        }
    } else {
        let edges = bin_edges(&present, bins, style);
        let mut lo = f64::NEG_INFINITY;
        for hi in edges.into_iter().chain([f64::INFINITY]) {
            let inside = |v: f64| v >= lo && v < hi;
            let first = present.iter().position(|&v| inside(v));
            let last = present.iter().rposition(|&v| inside(v));
            let single = match (first, last) {
                (Some(a), Some(b)) if present[a] == present[b] => Some(present[a]),
                _ => None,
            };
            let expr = match (single, lo.is_finite(), hi.is_finite()) {
                // Only when the value itself is short: `= 0.30000000000000004` is not.
                (Some(v), _, _) if style.round(v) == v => format!("{col} = {}", number(v)),
                (_, false, _) => format!("{col} < {}", number(hi)),
                (_, true, true) => format!("{col} >= {} AND {col} < {}", number(lo), number(hi)),
                (_, true, false) => format!("{col} >= {}", number(lo)),
            };
            push(expr, Bitmap::from_fn(n, |j| inside(values[rows[j]])));
            lo = hi;
        }
    }
    push(
        format!("{col} IS NULL"),
        Bitmap::from_fn(n, |j| values[rows[j]].is_nan()),
    );
}

/// Cut points between equal-frequency bins of the sorted `present` values, rounded to three
/// significant digits; a cut at or below the smallest value (which would leave an empty first
/// bin and an always-true `col >= min`) moves to the next value up, so a column that is mostly
/// zeros still splits into `= 0` and `>= next`.
fn bin_edges(present: &[f64], bins: usize, style: Edges) -> Vec<f64> {
    let round3 = |x: f64| style.round(x);
    let (Some(&min), Some(&max)) = (present.first(), present.last()) else {
        return Vec::new();
    };
    let above_min = present.iter().copied().find(|&v| v > min);
    let mut cuts: Vec<f64> = (1..bins)
        .filter_map(|b| {
            let c = round3(present[b * present.len() / bins]);
            if c > min {
                Some(c)
            } else {
                above_min.map(round3)
            }
        })
        .filter(|&c| c > min && c <= max)
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    cuts
}

/// `x` rounded to three significant digits, as the nearest `f64` to that decimal (so it prints
/// as written and parses back to the same value).
pub(super) fn round3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { 0.0 } else { x };
    }
    format!("{x:.2e}").parse().unwrap_or(x)
}

/// A number as an expression literal: the shortest text that parses back to it.
fn number(x: f64) -> String {
    if x == 0.0 { "0".into() } else { x.to_string() }
}

/// How a numeric column's bin edges are rounded and written.
#[derive(Clone, Copy)]
enum Edges {
    /// Three significant digits, written as numbers.
    Number,
    /// Whole days, written as quoted ISO dates (`'2013-06-01'`), which slices compare as dates.
    Date,
}

impl Edges {
    fn round(self, x: f64) -> f64 {
        match self {
            Edges::Number => round3(x),
            Edges::Date => x.floor(),
        }
    }

    fn literal(self, x: f64) -> String {
        match self {
            Edges::Number => number(x),
            Edges::Date => format!("'{}'", crate::data::date::format_date(x)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_short_and_never_at_the_minimum() {
        assert_eq!(round3(0.123456789), 0.123);
        assert_eq!(round3(-41_987.2), -42_000.0);
        assert_eq!(number(round3(2.0 / 3.0)), "0.667");
        // 90% zeros: the cut moves up to the next value instead of making `x >= 0`.
        let mut v = vec![0.0; 90];
        v.extend((1..=10).map(|i| i as f64 * 1000.5));
        assert_eq!(bin_edges(&v, 5, Edges::Number), vec![1000.0]);
    }
}
