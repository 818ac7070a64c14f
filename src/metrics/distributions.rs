//! Per-slice feature distributions: each feature column binned the same way over a slice's rows
//! and over the rows it is compared with (the whole split), as proportions, and how far apart
//! the two are (total variation distance). Sorting features by that distance shows *why* a slice
//! differs from the rest of the data.
//!
//! - Numeric and date columns: [`NUMERIC_BINS`] equal-width bins over the range of the whole
//!   rows (one bin per value when they are integers spanning fewer values than that).
//! - Boolean and categorical columns: one bin per value; only the [`TOP_LEVELS`] values with the
//!   largest share in the slice or the whole are kept for drawing, the rest summed as "other".
//! - Missing values get a bin of their own when there are any.
//! - Free-text columns are left out (nearly every value is unique).
//!
//! The distance is `TVD = ½ Σ_b |p_slice(b) − p_whole(b)|` over every bin (all values of a
//! categorical column, not just those drawn): 0 when the shares agree, 1 when the slice's rows lie
//! in bins the whole has none of.

use std::collections::BTreeMap;

use crate::data::table::{ColumnData, MISSING_CODE, format_number};
use crate::data::{Column, ColumnKind, Table};

/// Bins of a numeric histogram.
pub const NUMERIC_BINS: usize = 20;

/// Values of a categorical column drawn (the rest are summed as "other").
pub const TOP_LEVELS: usize = 8;

/// How a feature's distribution is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Ordered bins over a numeric range.
    Histogram,
    /// One bar per value.
    Bars,
}

/// One bin: its label and the share of the slice's and of the whole's rows in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// The range (`[1.5, 2)`), the value, `missing` or `other (n values)`.
    pub label: String,
    /// Share of the slice's rows, 0..=1.
    pub slice: f64,
    /// Share of the whole's rows, 0..=1.
    pub whole: f64,
}

/// One feature's distribution in the slice against the whole.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDistribution {
    /// The column's name.
    pub column: String,
    /// The column's kind.
    pub kind: ColumnKind,
    /// Histogram or bars.
    pub shape: Shape,
    /// The bins drawn, in order.
    pub bins: Vec<Bin>,
    /// Total variation distance between the slice's and the whole's binned distributions.
    pub tvd: f64,
}

impl FeatureDistribution {
    /// The drawn bin where the slice's share differs most from the whole's.
    pub fn largest_gap(&self) -> Option<&Bin> {
        self.bins.iter().max_by(|a, b| {
            (a.slice - a.whole)
                .abs()
                .total_cmp(&(b.slice - b.whole).abs())
        })
    }
}

/// Every feature in `columns` (table indices) over the rows `slice` against the rows `whole`,
/// most different first (ties in table order). Text columns are skipped.
pub fn compare(
    table: &Table,
    columns: &[usize],
    slice: &[usize],
    whole: &[usize],
) -> Vec<FeatureDistribution> {
    let mut out: Vec<FeatureDistribution> = columns
        .iter()
        .filter_map(|&i| table.columns.get(i))
        .filter_map(|c| feature(c, slice, whole))
        .collect();
    out.sort_by(|a, b| b.tvd.total_cmp(&a.tvd));
    out
}

/// One column's distribution, or `None` for free text.
pub fn feature(c: &Column, slice: &[usize], whole: &[usize]) -> Option<FeatureDistribution> {
    let (shape, counts) = match (&c.data, c.kind) {
        (_, ColumnKind::Text) => return None,
        (ColumnData::Numeric(v), ColumnKind::Numeric | ColumnKind::Date) => {
            (Shape::Histogram, histogram(v, c.kind, slice, whole))
        }
        (ColumnData::Numeric(v), _) => (Shape::Bars, numeric_levels(v, slice, whole)),
        (ColumnData::Strings { codes, levels }, _) => {
            (Shape::Bars, string_levels(codes, levels, slice, whole))
        }
    };
    let (ns, nw) = (slice.len().max(1) as f64, whole.len().max(1) as f64);
    let bins: Vec<Bin> = counts
        .into_iter()
        .map(|(label, [s, w])| Bin {
            label,
            slice: s as f64 / ns,
            whole: w as f64 / nw,
        })
        .collect();
    let tvd = 0.5 * bins.iter().map(|b| (b.slice - b.whole).abs()).sum::<f64>();
    let bins = match shape {
        Shape::Histogram => bins,
        Shape::Bars => top_levels(bins),
    };
    Some(FeatureDistribution {
        column: c.name.clone(),
        kind: c.kind,
        shape,
        bins,
        tvd,
    })
}

/// Counts per bin: `(label, [slice count, whole count])`.
type Counts = Vec<(String, [usize; 2])>;

/// `x` with three significant digits.
fn short(x: f64) -> String {
    if x.fract() == 0.0 || !x.is_finite() {
        return format_number(x);
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (2 - mag).max(0) as usize;
    format!("{x:.decimals$}")
}

/// The slice's rows (side 0) and the whole's (side 1).
fn sides<'a>(slice: &'a [usize], whole: &'a [usize]) -> [(&'a [usize], usize); 2] {
    [(slice, 0), (whole, 1)]
}

/// Equal-width bins over the whole's range (one per integer when few), then missing values.
fn histogram(v: &[f64], kind: ColumnKind, slice: &[usize], whole: &[usize]) -> Counts {
    let at = |i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    let (mut lo, mut hi, mut integers) = (f64::INFINITY, f64::NEG_INFINITY, true);
    for x in whole.iter().map(|&i| at(i)).filter(|x| x.is_finite()) {
        lo = lo.min(x);
        hi = hi.max(x);
        integers &= x.fract() == 0.0;
    }
    let label = |x: f64| match kind {
        ColumnKind::Date => crate::data::date::format_date(x),
        _ => short(x),
    };
    let per_value = integers && hi - lo < NUMERIC_BINS as f64;
    let (n, width) = if !lo.is_finite() {
        (0, 1.0)
    } else if per_value {
        ((hi - lo) as usize + 1, 1.0)
    } else if hi > lo {
        (NUMERIC_BINS, (hi - lo) / NUMERIC_BINS as f64)
    } else {
        (1, 1.0)
    };
    let mut out: Counts = (0..n)
        .map(|b| {
            let a = lo + b as f64 * width;
            let text = if per_value {
                label(a)
            } else {
                format!("[{}, {})", label(a), label(a + width))
            };
            (text, [0, 0])
        })
        .collect();
    let mut missing = [0, 0];
    for (rows, side) in sides(slice, whole) {
        for x in rows.iter().map(|&i| at(i)) {
            if x.is_finite() && n > 0 {
                // Values outside the whole's range (slice rows are a subset, so only through
                // rounding) land in the end bins.
                let b = (((x - lo) / width).floor().max(0.0) as usize).min(n - 1);
                out[b].1[side] += 1;
            } else {
                missing[side] += 1;
            }
        }
    }
    if missing != [0, 0] {
        out.push(("missing".into(), missing));
    }
    out
}

/// One bin per distinct number (0/1, integer categories), in numeric order, then missing.
fn numeric_levels(v: &[f64], slice: &[usize], whole: &[usize]) -> Counts {
    // Keyed by the value's bits made order-preserving, so the map iterates in numeric order.
    let key = |x: f64| {
        let b = x.to_bits() as i64;
        b ^ (((b >> 63) as u64) >> 1) as i64
    };
    let mut map: BTreeMap<i64, (f64, [usize; 2])> = BTreeMap::new();
    let mut missing = [0, 0];
    for (rows, side) in sides(slice, whole) {
        for x in rows.iter().map(|&i| v.get(i).copied().unwrap_or(f64::NAN)) {
            if x.is_nan() {
                missing[side] += 1;
            } else {
                map.entry(key(x)).or_insert((x, [0, 0])).1[side] += 1;
            }
        }
    }
    let mut out: Counts = map
        .into_values()
        .map(|(x, c)| (format_number(x), c))
        .collect();
    if missing != [0, 0] {
        out.push(("missing".into(), missing));
    }
    out
}

/// One bin per string value, in first-seen order, then missing.
fn string_levels(codes: &[u32], levels: &[String], slice: &[usize], whole: &[usize]) -> Counts {
    let mut counts = vec![[0usize; 2]; levels.len() + 1];
    let missing = levels.len();
    for (rows, side) in sides(slice, whole) {
        for &i in rows {
            let code = codes.get(i).copied().unwrap_or(MISSING_CODE);
            let b = if code == MISSING_CODE {
                missing
            } else {
                (code as usize).min(missing)
            };
            counts[b][side] += 1;
        }
    }
    let mut out: Counts = levels.iter().cloned().zip(counts.iter().copied()).collect();
    if counts[missing] != [0, 0] {
        out.push(("missing".into(), counts[missing]));
    }
    out
}

/// The [`TOP_LEVELS`] bins with the largest share in the slice or the whole (in their order),
/// then the rest summed as "other".
fn top_levels(bins: Vec<Bin>) -> Vec<Bin> {
    if bins.len() <= TOP_LEVELS + 1 {
        return bins;
    }
    let mut rank: Vec<usize> = (0..bins.len()).collect();
    rank.sort_by(|&a, &b| {
        let m = |b: &Bin| b.slice.max(b.whole);
        m(&bins[b]).total_cmp(&m(&bins[a]))
    });
    let mut keep = vec![false; bins.len()];
    for &i in rank.iter().take(TOP_LEVELS) {
        keep[i] = true;
    }
    let mut other = Bin {
        label: format!("other ({} values)", bins.len() - TOP_LEVELS),
        slice: 0.0,
        whole: 0.0,
    };
    let mut out = Vec::with_capacity(TOP_LEVELS + 1);
    for (b, k) in bins.into_iter().zip(keep) {
        if k {
            out.push(b);
        } else {
            other.slice += b.slice;
            other.whole += b.whole;
        }
    }
    out.push(other);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(name: &str, kind: ColumnKind, v: Vec<f64>) -> Column {
        Column {
            name: name.into(),
            kind,
            data: ColumnData::Numeric(v),
        }
    }

    fn all(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    #[test]
    fn a_slice_equal_to_the_whole_is_no_different() {
        let c = num(
            "x",
            ColumnKind::Numeric,
            (0..100).map(|i| i as f64 * 0.37).collect(),
        );
        let d = feature(&c, &all(100), &all(100)).unwrap();
        assert_eq!(d.shape, Shape::Histogram);
        assert_eq!(d.bins.len(), NUMERIC_BINS);
        assert!(d.tvd.abs() < 1e-12);
        let total: f64 = d.bins.iter().map(|b| b.whole).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_slice_in_bins_the_rest_lacks_is_far_off() {
        // Whole: 0..99; slice: the top ten rows, all in the last two bins of twenty.
        let c = num(
            "x",
            ColumnKind::Numeric,
            (0..100).map(|i| i as f64 + 0.5).collect(),
        );
        let slice: Vec<usize> = (90..100).collect();
        let d = feature(&c, &slice, &all(100)).unwrap();
        // The slice's mass sits where the whole has 10%: TVD = 1 − 0.1.
        assert!((d.tvd - 0.9).abs() < 1e-9, "{}", d.tvd);
        let gap = d.largest_gap().unwrap();
        assert_eq!(gap.slice, 0.5);
        assert!(gap.label.starts_with('['), "{}", gap.label);
    }

    #[test]
    fn small_integer_ranges_get_one_bin_per_value_and_missing_its_own() {
        let v = vec![0.0, 1.0, 2.0, 2.0, f64::NAN];
        let c = num("k", ColumnKind::Numeric, v);
        let d = feature(&c, &[2, 3], &all(5)).unwrap();
        let labels: Vec<&str> = d.bins.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["0", "1", "2", "missing"]);
        assert_eq!(d.bins[2].slice, 1.0);
        assert!((d.bins[3].whole - 0.2).abs() < 1e-12);
        // Slice all in "2" (whole 40%): TVD = 0.6.
        assert!((d.tvd - 0.6).abs() < 1e-12);
    }

    #[test]
    fn categorical_bars_keep_the_top_levels_and_sum_the_rest() {
        let levels: Vec<String> = (0..12).map(|i| format!("v{i}")).collect();
        let codes: Vec<u32> = (0..120).map(|i| (i % 12) as u32).collect();
        let c = Column {
            name: "cat".into(),
            kind: ColumnKind::Categorical,
            data: ColumnData::Strings { codes, levels },
        };
        // The slice is only v11.
        let slice: Vec<usize> = (0..120).filter(|i| i % 12 == 11).collect();
        let d = feature(&c, &slice, &all(120)).unwrap();
        assert_eq!(d.shape, Shape::Bars);
        assert_eq!(d.bins.len(), TOP_LEVELS + 1);
        assert!(d.bins.iter().any(|b| b.label == "v11" && b.slice == 1.0));
        let other = d.bins.last().unwrap();
        assert_eq!(other.label, "other (4 values)");
        let total: f64 = d.bins.iter().map(|b| b.whole).sum();
        assert!((total - 1.0).abs() < 1e-12);
        // TVD over all twelve values: 1 − 1/12.
        assert!((d.tvd - 11.0 / 12.0).abs() < 1e-12);
    }

    #[test]
    fn features_are_sorted_most_different_first_and_text_is_skipped() {
        let n = 200;
        let same = num(
            "same",
            ColumnKind::Numeric,
            (0..n).map(|i| (i % 10) as f64).collect(),
        );
        let differs = num(
            "differs",
            ColumnKind::Boolean,
            (0..n).map(|i| f64::from(i < 50)).collect(),
        );
        let text = Column {
            name: "text".into(),
            kind: ColumnKind::Text,
            data: ColumnData::Strings {
                codes: (0..n as u32).collect(),
                levels: (0..n).map(|i| format!("review {i}")).collect(),
            },
        };
        let table = Table {
            columns: vec![same, text, differs],
            ..Table::default()
        };
        let slice: Vec<usize> = (0..100).collect();
        let out = compare(&table, &[0, 1, 2], &slice, &all(n));
        let names: Vec<&str> = out.iter().map(|d| d.column.as_str()).collect();
        assert_eq!(names, ["differs", "same"]);
        assert_eq!(out[0].bins.len(), 2);
        // `differs`: half the slice is 1, a quarter of the whole; `same` agrees exactly.
        assert!(
            (out[0].tvd - 0.25).abs() < 1e-12 && out[1].tvd < 1e-12,
            "{out:?}"
        );
    }

    #[test]
    fn an_empty_slice_or_column_does_not_panic() {
        let c = num("x", ColumnKind::Numeric, vec![f64::NAN; 3]);
        let d = feature(&c, &[], &all(3)).unwrap();
        assert_eq!(d.bins.len(), 1);
        assert_eq!(d.bins[0].label, "missing");
        let d = feature(&c, &[7], &[]).unwrap();
        assert!(d.tvd.is_finite());
    }
}
