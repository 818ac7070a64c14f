//! Image tables: a table whose feature columns are a square grid of pixel intensities (8x8
//! digits, 28x28 MNIST), detected from its columns so a row can be drawn as a picture.
//!
//! A table is an image table when its pixel-like columns (numeric, no missing values among the
//! rows looked at) number a perfect square of at least 4x4 and make up at least
//! [`MIN_PIXEL_SHARE`] of the candidate columns. The pixels are read row-major in table order,
//! and scaled to 0..=1 by the lowest and highest value seen in the first [`SAMPLE_ROWS`] rows.

use super::{Column, ColumnKind, Table};

/// Rows looked at to decide whether a column is pixel-like and to find the intensity range.
pub const SAMPLE_ROWS: usize = 1000;

/// Smallest side of a grid taken for an image (4x4).
pub const MIN_SIDE: usize = 4;

/// Share of the candidate columns that must be pixel-like.
pub const MIN_PIXEL_SHARE: f64 = 0.9;

/// Where a table's pixels are: the columns in row-major order, the side, and the range that maps
/// to black..white.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelGrid {
    /// Table column index of each pixel, row-major (`side * side` of them).
    pub columns: Vec<usize>,
    /// Pixels per side.
    pub side: usize,
    /// The intensity drawn black.
    pub lo: f64,
    /// The intensity drawn white.
    pub hi: f64,
}

/// Whether column `c` can hold pixels: numbers (or 0/1) without missing values in the sample.
fn pixel_like(c: &Column, sample: usize) -> bool {
    matches!(c.kind, ColumnKind::Numeric | ColumnKind::Boolean)
        && c.as_numeric()
            .is_some_and(|v| v.iter().take(sample).all(|x| x.is_finite()))
}

/// The exact integer square root of `n`, if `n` is a perfect square.
pub fn perfect_square_side(n: usize) -> Option<usize> {
    let r = (n as f64).sqrt().round() as usize;
    (r * r == n).then_some(r)
}

/// The pixel grid of `table`, if it is an image table. `skip` names columns that are never
/// pixels (the label, predictions, split, slice columns).
pub fn detect(table: &Table, skip: &[&str]) -> Option<PixelGrid> {
    let candidates: Vec<(usize, &Column)> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !skip.contains(&c.name.as_str()))
        .collect();
    let sample = table.n_rows().min(SAMPLE_ROWS);
    let columns: Vec<usize> = candidates
        .iter()
        .filter(|(_, c)| pixel_like(c, sample))
        .map(|&(i, _)| i)
        .collect();
    let side = perfect_square_side(columns.len()).filter(|&s| s >= MIN_SIDE)?;
    if (columns.len() as f64) < MIN_PIXEL_SHARE * candidates.len() as f64 {
        return None;
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &i in &columns {
        for &x in table.columns[i].as_numeric()?.iter().take(sample) {
            lo = lo.min(x);
            hi = hi.max(x);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    Some(PixelGrid {
        columns,
        side,
        lo,
        hi,
    })
}

impl PixelGrid {
    /// Row `row`'s pixels scaled to 0..=1 (row-major, `side * side` values); values outside
    /// the sampled range are clamped, missing ones are 0.
    pub fn pixels(&self, table: &Table, row: usize) -> Vec<f32> {
        let span = self.hi - self.lo;
        self.columns
            .iter()
            .map(|&i| {
                let x = table
                    .columns
                    .get(i)
                    .and_then(Column::as_numeric)
                    .and_then(|v| v.get(row).copied())
                    .unwrap_or(f64::NAN);
                if !x.is_finite() {
                    0.0
                } else if span > 0.0 {
                    ((x - self.lo) / span).clamp(0.0, 1.0) as f32
                } else {
                    0.0
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnData;

    fn num(name: &str, v: Vec<f64>) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Numeric,
            data: ColumnData::Numeric(v),
        }
    }

    fn grid_table(n_pixels: usize, rows: usize) -> Table {
        let mut columns: Vec<Column> = (0..n_pixels)
            .map(|p| {
                num(
                    &format!("p{p}"),
                    (0..rows).map(|r| ((p + r) % 17) as f64).collect(),
                )
            })
            .collect();
        columns.push(num("label", (0..rows).map(|r| (r % 10) as f64).collect()));
        Table {
            columns,
            ..Table::default()
        }
    }

    #[test]
    fn squares_are_found_and_others_are_not() {
        assert_eq!(perfect_square_side(64), Some(8));
        assert_eq!(perfect_square_side(784), Some(28));
        assert_eq!(perfect_square_side(797), None);
        assert_eq!(perfect_square_side(1), Some(1));
    }

    #[test]
    fn an_8x8_table_is_an_image_table_without_its_label() {
        let t = grid_table(64, 5);
        let g = detect(&t, &["label"]).expect("an image table");
        assert_eq!(g.side, 8);
        assert_eq!(g.columns, (0..64).collect::<Vec<_>>());
        assert_eq!((g.lo, g.hi), (0.0, 16.0));
        // With the label counted, 65 columns are not a square.
        assert_eq!(detect(&t, &[]), None);
    }

    #[test]
    fn tables_that_are_not_grids_are_not_images() {
        assert_eq!(detect(&grid_table(60, 5), &["label"]), None);
        // 3x3 is too small to read as a picture.
        assert_eq!(detect(&grid_table(9, 5), &["label"]), None);
        // Half the columns text: 16 pixels are too few of 32 candidates.
        let mut t = grid_table(16, 3);
        for k in 0..16 {
            t.columns.push(Column {
                name: format!("t{k}"),
                kind: ColumnKind::Categorical,
                data: ColumnData::Strings {
                    codes: vec![0, 0, 0],
                    levels: vec!["a".into()],
                },
            });
        }
        assert_eq!(detect(&t, &["label"]), None);
    }

    #[test]
    fn pixels_are_scaled_to_the_unit_range_and_clamped() {
        let t = grid_table(16, 2);
        let g = detect(&t, &["label"]).expect("a 4x4 image table");
        let px = g.pixels(&t, 1);
        assert_eq!(px.len(), 16);
        assert_eq!(px[0], 1.0 / 16.0);
        assert_eq!(px[15], 16.0 / 16.0);
        assert!(px.iter().all(|p| (0.0..=1.0).contains(p)));
        let mut wide = g.clone();
        wide.hi = 8.0;
        assert_eq!(wide.pixels(&t, 1)[15], 1.0);
        // A row past the end reads as black rather than panicking.
        assert!(g.pixels(&t, 99).iter().all(|&p| p == 0.0));
    }
}
