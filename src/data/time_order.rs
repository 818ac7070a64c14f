//! A leakage check across columns: a date recorded after the table's other dates, and only for
//! the rows of one class (the date of a reoffence, of a discharge, of a default). The outcome's
//! own date hands the model the label through whether it is there at all, whatever its value,
//! and neither the single-column score nor containment sees it when it has many distinct dates.

use super::table::{Column, ColumnData, ColumnKind};

/// The date is on or after the other date on at least this share of the rows with both.
const AFTER: f64 = 0.99;
/// ...and strictly after it on at least this share (a copy of the same date is not "after").
const STRICTLY_AFTER: f64 = 0.5;
/// It is recorded on at least this share of one class's training rows...
const HOLDS: f64 = 0.8;
/// ...and on at most this share of the others'.
const OTHERS: f64 = 0.1;
/// Fewer rows than this (with both dates, or in a class) are not judged.
const MIN_ROWS: usize = 20;

/// What the check found about one date column.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAfter {
    /// The other date column it follows.
    pub after: String,
    /// The class whose rows it is recorded for.
    pub class: usize,
    /// Share of the class's training rows where it is recorded.
    pub holds: f64,
    /// Share of the other classes' training rows where it is recorded.
    pub others: f64,
}

/// Whether `col` (a date) follows another of `dates` on the `rows` and is recorded mostly for
/// one class of `y`.
pub fn recorded_after(
    col: &Column,
    dates: &[&Column],
    y: &[u32],
    n_classes: usize,
    rows: &[usize],
) -> Option<RecordedAfter> {
    let v = days(col)?;
    let (class, holds, others) = presence_by_class(v, y, n_classes, rows)?;
    let after = dates
        .iter()
        .filter(|d| d.name != col.name)
        .find(|d| days(d).is_some_and(|e| follows(v, e, rows)))?;
    Some(RecordedAfter {
        after: after.name.clone(),
        class,
        holds,
        others,
    })
}

/// The day numbers of a date column.
fn days(col: &Column) -> Option<&[f64]> {
    match &col.data {
        ColumnData::Numeric(v) if col.kind == ColumnKind::Date => Some(v),
        _ => None,
    }
}

/// Whether `v` is on or after `e` on almost every row of `rows` with both, and strictly after
/// on most.
fn follows(v: &[f64], e: &[f64], rows: &[usize]) -> bool {
    let both: Vec<usize> = (rows.iter().copied())
        .filter(|&i| !v[i].is_nan() && !e[i].is_nan())
        .collect();
    if both.len() < MIN_ROWS {
        return false;
    }
    let n = both.len() as f64;
    let on_or_after = both.iter().filter(|&&i| v[i] >= e[i]).count() as f64;
    let after = both.iter().filter(|&&i| v[i] > e[i]).count() as f64;
    on_or_after >= AFTER * n && after >= STRICTLY_AFTER * n
}

/// The class whose rows `v` is recorded on (≥ [`HOLDS`] of them, ≤ [`OTHERS`] of the rest),
/// with both shares.
fn presence_by_class(
    v: &[f64],
    y: &[u32],
    n_classes: usize,
    rows: &[usize],
) -> Option<(usize, f64, f64)> {
    let mut class_rows = vec![0usize; n_classes];
    let mut present = vec![0usize; n_classes];
    for &i in rows {
        let c = y[i] as usize;
        if c < n_classes {
            class_rows[c] += 1;
            present[c] += usize::from(!v[i].is_nan());
        }
    }
    let total: usize = class_rows.iter().sum();
    let all_present: usize = present.iter().sum();
    (0..n_classes).find_map(|c| {
        let rest = total - class_rows[c];
        if class_rows[c] < MIN_ROWS || rest < MIN_ROWS {
            return None;
        }
        let holds = present[c] as f64 / class_rows[c] as f64;
        let others = (all_present - present[c]) as f64 / rest as f64;
        (holds >= HOLDS && others <= OTHERS).then_some((c, holds, others))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(name: &str, v: Vec<f64>) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Date,
            data: ColumnData::Numeric(v),
        }
    }

    /// 400 rows, every fourth one positive, and a screening date on each.
    fn table() -> (Vec<u32>, Column, Vec<usize>) {
        let y: Vec<u32> = (0..400).map(|i| u32::from(i % 4 == 0)).collect();
        let screening = date(
            "screening_date",
            (0..400).map(|i| 15000.0 + i as f64).collect(),
        );
        (y, screening, (0..400).collect())
    }

    #[test]
    fn an_outcome_date_after_the_others_and_only_for_positives_is_found() {
        let (y, screening, rows) = table();
        // The reoffence date: after screening, on 90% of positives and 3% of negatives.
        let reoffence: Vec<f64> = (0..400)
            .map(|i| {
                let recorded = if y[i] == 1 { i % 40 != 0 } else { i % 50 == 1 };
                if recorded {
                    15100.0 + i as f64
                } else {
                    f64::NAN
                }
            })
            .collect();
        let col = date("reoffence_date", reoffence);
        let found = recorded_after(&col, &[&screening, &col], &y, 2, &rows).expect("found");
        assert_eq!((found.after.as_str(), found.class), ("screening_date", 1));
        assert!(found.holds >= 0.9 && found.others < 0.03, "{found:?}");
    }

    #[test]
    fn a_date_before_the_others_or_recorded_for_every_class_is_not() {
        let (y, screening, rows) = table();
        // Recorded only for positives, but before screening: known at prediction time.
        let before: Vec<f64> = (0..400)
            .map(|i| {
                if y[i] == 1 {
                    14000.0 + i as f64
                } else {
                    f64::NAN
                }
            })
            .collect();
        let col = date("arrest_date", before);
        assert_eq!(recorded_after(&col, &[&screening], &y, 2, &rows), None);
        // After screening on every row: a follow-up date, not an outcome's.
        let follow_up = date("follow_up", (0..400).map(|i| 16000.0 + i as f64).collect());
        assert_eq!(
            recorded_after(&follow_up, &[&screening], &y, 2, &rows),
            None
        );
    }
}
