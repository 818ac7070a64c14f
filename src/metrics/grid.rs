//! Error rates over a grid of two binned values: the Map view's heatmap, and where a clicked cell
//! becomes a slice.

/// Equal-width bins over a value range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    /// Lower edge of the first bin.
    pub min: f64,
    /// Upper edge of the last bin (inclusive).
    pub max: f64,
    /// Number of bins (at least 1).
    pub bins: usize,
}

impl Axis {
    /// Bins spanning the finite values of `values` (a unit range when there are none).
    pub fn fit(values: impl Iterator<Item = f64>, bins: usize) -> Self {
        let (min, max) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let (min, max) = if min.is_finite() {
            (min, max)
        } else {
            (0.0, 1.0)
        };
        let max = if max > min { max } else { min + 1.0 };
        Self {
            min,
            max,
            bins: bins.max(1),
        }
    }

    /// The bin of `v`, or `None` outside the range or for NaN.
    pub fn bin(&self, v: f64) -> Option<usize> {
        if !(v >= self.min && v <= self.max) {
            return None;
        }
        let t = (v - self.min) / (self.max - self.min);
        Some(((t * self.bins as f64) as usize).min(self.bins - 1))
    }

    /// Lower and upper edge of bin `i`.
    pub fn edges(&self, i: usize) -> (f64, f64) {
        let w = (self.max - self.min) / self.bins as f64;
        (self.min + w * i as f64, self.min + w * (i + 1) as f64)
    }
}

/// Row and error counts per cell; cell `(ix, iy)` is at `iy * x.bins + ix`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorGrid {
    /// Horizontal bins.
    pub x: Axis,
    /// Vertical bins.
    pub y: Axis,
    /// Rows per cell.
    pub rows: Vec<u32>,
    /// Misclassified rows per cell.
    pub errors: Vec<u32>,
}

impl ErrorGrid {
    /// Counts rows `rows` of `(xs, ys)` into the grid; a row is an error where `pred != y`.
    pub fn compute(
        (xs, ys): (&[f64], &[f64]),
        (y, pred): (&[u32], &[u32]),
        rows: &[usize],
        (x, yx): (Axis, Axis),
    ) -> Self {
        let cells = x.bins * yx.bins;
        let mut grid = Self {
            x,
            y: yx,
            rows: vec![0; cells],
            errors: vec![0; cells],
        };
        for &i in rows {
            if let Some(c) = grid.cell_of(xs[i], ys[i]) {
                grid.rows[c] += 1;
                grid.errors[c] += u32::from(y[i] != pred[i]);
            }
        }
        grid
    }

    /// The flat cell index of a point, if it lies on the grid.
    pub fn cell_of(&self, xv: f64, yv: f64) -> Option<usize> {
        Some(self.y.bin(yv)? * self.x.bins + self.x.bin(xv)?)
    }

    /// Error rate of cell `(ix, iy)`; `None` for an empty cell.
    pub fn rate(&self, ix: usize, iy: usize) -> Option<f64> {
        let c = iy * self.x.bins + ix;
        (self.rows[c] > 0).then(|| f64::from(self.errors[c]) / f64::from(self.rows[c]))
    }

    /// Error rate over every counted row.
    pub fn overall_rate(&self) -> f64 {
        let n: u64 = self.rows.iter().map(|&r| u64::from(r)).sum();
        let e: u64 = self.errors.iter().map(|&r| u64::from(r)).sum();
        e as f64 / n.max(1) as f64
    }
}

/// Mean of `value(row)` per cell over `rows`; `None` for an empty cell (row-major, `iy * x.bins + ix`).
pub fn cell_means(
    (xs, ys): (&[f64], &[f64]),
    value: impl Fn(usize) -> f64,
    rows: &[usize],
    (x, y): (Axis, Axis),
) -> Vec<Option<f64>> {
    let mut sum = vec![0.0; x.bins * y.bins];
    let mut n = vec![0u32; x.bins * y.bins];
    for &i in rows {
        if let (Some(ix), Some(iy)) = (x.bin(xs[i]), y.bin(ys[i])) {
            sum[iy * x.bins + ix] += value(i);
            n[iy * x.bins + ix] += 1;
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, &c)| (c > 0).then(|| s / f64::from(c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_the_range_and_the_top_edge() {
        let a = Axis::fit([0.0, 10.0, 5.0].into_iter(), 4);
        assert_eq!(
            (a.bin(0.0), a.bin(2.49), a.bin(10.0)),
            (Some(0), Some(0), Some(3))
        );
        assert_eq!((a.bin(-0.1), a.bin(f64::NAN)), (None, None));
        assert_eq!(a.edges(1), (2.5, 5.0));
    }

    #[test]
    fn a_cell_with_all_rows_wrong_has_rate_one() {
        let xs = [0.1, 0.9, 0.9];
        let ys = [0.1, 0.9, 0.8];
        let g = ErrorGrid::compute(
            (&xs, &ys),
            (&[0, 1, 1], &[0, 0, 0]),
            &[0, 1, 2],
            (Axis::fit(xs.into_iter(), 2), Axis::fit(ys.into_iter(), 2)),
        );
        assert_eq!(g.rate(0, 0), Some(0.0));
        assert_eq!(g.rate(1, 1), Some(1.0));
        assert_eq!(g.rate(1, 0), None);
        assert!((g.overall_rate() - 2.0 / 3.0).abs() < 1e-12);
    }
}
