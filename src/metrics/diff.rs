//! Two models on the same rows: their scores side by side per slice, and the rows where their
//! predictions differ, with which one was right.

use super::confusion::Confusion;
use super::scores::Scores;
use crate::slices::Bitmap;

/// Why two sets of predictions cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The vectors or masks are not one entry per row.
    #[error("{what} has {got} rows, the labels have {expected}")]
    Length {
        /// What is too short or long.
        what: String,
        /// Its length.
        got: usize,
        /// The number of labels.
        expected: usize,
    },
}

/// How the two models fared on a set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Agreement {
    /// Rows where A is right and B is wrong.
    pub a_only: usize,
    /// Rows where B is right and A is wrong.
    pub b_only: usize,
    /// Rows where both are wrong (with the same or different predictions).
    pub both_wrong: usize,
    /// Rows where both are wrong with different predictions (multi-class only).
    pub both_wrong_differ: usize,
    /// Rows where both are right.
    pub both_right: usize,
}

impl Agreement {
    /// Rows where the predictions differ.
    pub fn disagree(&self) -> usize {
        self.a_only + self.b_only + self.both_wrong_differ
    }
}

/// One line of the side-by-side table: a slice (or all rows) scored for both models.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    /// `overall` or the slice's name.
    pub name: String,
    /// Rows scored.
    pub support: usize,
    /// Model A's scores on them.
    pub a: Scores,
    /// Model B's scores on them.
    pub b: Scores,
    /// Who was right where.
    pub agreement: Agreement,
}

impl DiffRow {
    /// B's accuracy minus A's; undefined when either is.
    pub fn accuracy_diff(&self) -> Option<f64> {
        Some(self.b.accuracy? - self.a.accuracy?)
    }

    /// B's F1 minus A's; undefined when either is.
    pub fn f1_diff(&self) -> Option<f64> {
        Some(self.b.f1? - self.a.f1?)
    }
}

/// Which model was right on a row where their predictions differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RightOne {
    /// A was right, B wrong.
    A,
    /// B was right, A wrong.
    B,
    /// Both were wrong.
    Neither,
}

/// A row where the predictions differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disagreement {
    /// Row index in the table.
    pub row: usize,
    /// True class.
    pub label: u32,
    /// A's predicted class.
    pub a: u32,
    /// B's predicted class.
    pub b: u32,
    /// Who was right.
    pub right: RightOne,
}

/// Two models' predictions over the same labelled rows.
pub struct ModelPair<'a> {
    /// True class per row.
    pub y: &'a [u32],
    /// Model A's predicted class per row.
    pub a: &'a [u32],
    /// Model B's predicted class per row.
    pub b: &'a [u32],
    /// Number of classes.
    pub n_classes: usize,
}

impl<'a> ModelPair<'a> {
    /// Checks that both prediction vectors have one entry per label.
    pub fn new(
        y: &'a [u32],
        a: &'a [u32],
        b: &'a [u32],
        n_classes: usize,
    ) -> Result<Self, DiffError> {
        for (what, v) in [("model A's predictions", a), ("model B's predictions", b)] {
            if v.len() != y.len() {
                return Err(DiffError::Length {
                    what: what.into(),
                    got: v.len(),
                    expected: y.len(),
                });
            }
        }
        Ok(Self { y, a, b, n_classes })
    }

    /// Scores both models on `rows` (indices into the vectors) under `name`.
    pub fn row(&self, name: &str, rows: &[usize]) -> DiffRow {
        let ca = Confusion::from_rows(self.y, self.a, rows.iter().copied(), self.n_classes);
        let cb = Confusion::from_rows(self.y, self.b, rows.iter().copied(), self.n_classes);
        let mut agreement = Agreement::default();
        for &i in rows {
            let (ra, rb) = (self.a[i] == self.y[i], self.b[i] == self.y[i]);
            match (ra, rb) {
                (true, true) => agreement.both_right += 1,
                (true, false) => agreement.a_only += 1,
                (false, true) => agreement.b_only += 1,
                (false, false) => {
                    agreement.both_wrong += 1;
                    if self.a[i] != self.b[i] {
                        agreement.both_wrong_differ += 1;
                    }
                }
            }
        }
        DiffRow {
            name: name.to_string(),
            support: rows.len(),
            a: Scores::from_confusion(&ca),
            b: Scores::from_confusion(&cb),
            agreement,
        }
    }

    /// The first `limit` rows of `rows` where the predictions differ, in row order.
    pub fn disagreements(&self, rows: &[usize], limit: usize) -> Vec<Disagreement> {
        rows.iter()
            .copied()
            .filter(|&i| self.a[i] != self.b[i])
            .take(limit)
            .map(|i| {
                let (label, a, b) = (self.y[i], self.a[i], self.b[i]);
                let right = if a == label {
                    RightOne::A
                } else if b == label {
                    RightOne::B
                } else {
                    RightOne::Neither
                };
                Disagreement {
                    row: i,
                    label,
                    a,
                    b,
                    right,
                }
            })
            .collect()
    }
}

/// The rows of `base` (e.g. the test split) inside `mask`; an error when the mask does not have
/// one bit per label.
pub fn rows_in(
    base: &[usize],
    mask: &Bitmap,
    n_rows: usize,
    name: &str,
) -> Result<Vec<usize>, DiffError> {
    if mask.len() != n_rows {
        return Err(DiffError::Length {
            what: format!("slice '{name}'"),
            got: mask.len(),
            expected: n_rows,
        });
    }
    Ok(base.iter().copied().filter(|&i| mask.get(i)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    //           rows: 0  1  2  3  4  5
    const Y: [u32; 6] = [0, 1, 1, 0, 2, 2];
    const A: [u32; 6] = [0, 1, 0, 1, 0, 2];
    const B: [u32; 6] = [0, 0, 1, 1, 1, 2];

    #[test]
    fn counts_who_was_right_where_they_differ() {
        let pair = ModelPair::new(&Y, &A, &B, 3).unwrap();
        let all: Vec<usize> = (0..6).collect();
        let row = pair.row("overall", &all);
        let ag = row.agreement;
        assert_eq!(
            (ag.a_only, ag.b_only, ag.both_wrong, ag.both_wrong_differ),
            (1, 1, 2, 1)
        );
        assert_eq!((ag.both_right, ag.disagree()), (2, 3));
        assert_eq!(row.support, 6);
        assert_eq!(row.a.accuracy, Some(0.5));
        assert_eq!(row.accuracy_diff(), Some(0.0));
        let rows = pair.disagreements(&all, 10);
        let who: Vec<(usize, RightOne)> = rows.iter().map(|d| (d.row, d.right)).collect();
        assert_eq!(
            who,
            vec![(1, RightOne::A), (2, RightOne::B), (4, RightOne::Neither)]
        );
        assert_eq!(pair.disagreements(&all, 1).len(), 1);
    }

    #[test]
    fn empty_slices_are_undefined_not_zero() {
        let pair = ModelPair::new(&Y, &A, &B, 3).unwrap();
        let row = pair.row("empty", &[]);
        assert_eq!(row.support, 0);
        assert_eq!(row.a.accuracy, None);
        assert_eq!(row.accuracy_diff(), None);
        assert_eq!(row.f1_diff(), None);
    }

    #[test]
    fn slices_restrict_to_the_base_rows_and_lengths_are_checked() {
        let mask = Bitmap::from_fn(6, |i| i % 2 == 0);
        let base = [0, 1, 2, 3];
        assert_eq!(rows_in(&base, &mask, 6, "even").unwrap(), vec![0, 2]);
        assert!(rows_in(&base, &Bitmap::zeros(5), 6, "short").is_err());
        assert!(ModelPair::new(&Y, &A[..5], &B, 3).is_err());
        let pair = ModelPair::new(&Y, &A, &B, 3).unwrap();
        let row = pair.row("even", &[0, 2]);
        assert_eq!((row.agreement.a_only, row.agreement.b_only), (0, 1));
        assert_eq!(row.b.accuracy, Some(1.0));
    }
}
