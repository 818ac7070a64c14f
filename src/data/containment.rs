//! A leakage check the single-column score misses: one value of a column whose rows hold
//! (almost) every training row of a class while leaving most other rows out (a second outcome
//! flag that is 1 wherever the label is), or whose rows are (almost) all of one class while
//! holding most of it. Such a column can agree with the label on only 97% of rows, under the
//! 0.98 score threshold, and still hand a model the answer.

use std::collections::HashMap;

use super::table::{Column, ColumnData, MISSING_CODE};

/// A value holds at least this share of a class's rows ("covers"), or this share of its own
/// rows belongs to the class ("inside").
pub const CONTAIN: f64 = 0.99;
/// A covering value leaves out at least this share of the other classes' rows (else it is most
/// of the table, and holds every class).
const COVER_LEAVES_OUT: f64 = 0.9;
/// An inside value holds at least this share of the class's rows.
const INSIDE_HOLDS: f64 = 0.5;
/// Classes and values with fewer training rows than this are not judged.
const MIN_ROWS: usize = 20;
/// Columns with more distinct training values than this are quantities, left to the score check.
const MAX_LEVELS: usize = 50;

/// What a column's value says about one class.
#[derive(Debug, Clone, PartialEq)]
pub struct Contained {
    /// The value, as shown.
    pub value: String,
    /// The class index.
    pub class: usize,
    /// Share of the class's training rows that have the value.
    pub holds: f64,
    /// Share of the value's training rows that are of the class.
    pub purity: f64,
    /// Share of the other classes' training rows that have the value.
    pub others: f64,
}

impl Contained {
    /// Whether the value covers the class (else the value lies inside it).
    pub fn covers(&self) -> bool {
        self.holds >= CONTAIN
    }
}

/// The strongest containment between a value of `col` and a class of `y` on `rows`, if any.
pub fn containment(col: &Column, y: &[u32], n_classes: usize, rows: &[usize]) -> Option<Contained> {
    let (levels, first_row) = levels(col, rows)?;
    let mut class_rows = vec![0usize; n_classes];
    // counts[level][class]
    let mut counts = vec![vec![0usize; n_classes]; first_row.len()];
    for (&i, &l) in rows.iter().zip(&levels) {
        let c = y[i] as usize;
        if c < n_classes {
            class_rows[c] += 1;
            counts[l][c] += 1;
        }
    }
    let total: usize = class_rows.iter().sum();
    let mut best: Option<(f64, Contained)> = None;
    for (level, per_class) in counts.iter().enumerate() {
        let in_level: usize = per_class.iter().sum();
        for (class, &n_class) in class_rows.iter().enumerate() {
            let n_other = total - n_class;
            if n_class < MIN_ROWS || n_other < MIN_ROWS || in_level < MIN_ROWS {
                continue;
            }
            let both = per_class[class] as f64;
            let holds = both / n_class as f64;
            let purity = both / in_level as f64;
            let others = (in_level as f64 - both) / n_other as f64;
            let base = n_class as f64 / total as f64;
            let covers = holds >= CONTAIN && others <= 1.0 - COVER_LEAVES_OUT;
            // Inside a class, and far purer than the class's share of rows.
            let inside =
                purity >= CONTAIN && holds >= INSIDE_HOLDS && 1.0 - purity <= 0.1 * (1.0 - base);
            if !(covers || inside) {
                continue;
            }
            // A covering value reads best ("1 wherever the label is 1"); two-class labels
            // often show the same fact from the other side as well.
            // An empty cell that covers a class says less than the value beside it.
            let row = first_row[level];
            let missing = col.is_missing(row);
            let bonus = u8::from(covers && !missing);
            let strength = f64::from(bonus) + holds + purity - others;
            if best.as_ref().is_none_or(|(s, _)| strength > *s) {
                let value = if missing {
                    "(missing)".to_string()
                } else {
                    col.display(row)
                };
                let found = Contained {
                    value,
                    class,
                    holds,
                    purity,
                    others,
                };
                best = Some((strength, found));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// A key that is equal for equal cells of `col`: a string's level code, a number's bits, one
/// key for every missing number.
pub(crate) fn level_key(col: &Column, i: usize) -> u64 {
    match &col.data {
        ColumnData::Strings { codes, .. } => u64::from(codes[i]),
        ColumnData::Numeric(v) if v[i].is_nan() => u64::from(MISSING_CODE),
        ColumnData::Numeric(v) => v[i].to_bits(),
    }
}

/// A level index per row of `rows` and the first row of each level; `None` for a column with
/// too many distinct values.
fn levels(col: &Column, rows: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
    let mut ids: HashMap<u64, usize> = HashMap::new();
    let mut first_row = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for &i in rows {
        let next = ids.len();
        let id = *ids.entry(level_key(col, i)).or_insert(next);
        if id == first_row.len() {
            first_row.push(i);
            if first_row.len() > MAX_LEVELS {
                return None;
            }
        }
        out.push(id);
    }
    Some((out, first_row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnKind;

    fn numbers(name: &str, v: Vec<f64>) -> Column {
        Column {
            name: name.into(),
            kind: ColumnKind::Boolean,
            data: ColumnData::Numeric(v),
        }
    }

    /// 1,000 rows, 45% positive.
    fn label() -> Vec<u32> {
        (0..1000).map(|i| u32::from(i % 20 < 9)).collect()
    }

    #[test]
    fn a_flag_that_is_one_wherever_the_label_is_is_found() {
        let y = label();
        // 1 on every positive and on 6% of the negatives: 97% agreement with the label.
        let flag: Vec<f64> = (0..1000)
            .map(|i| f64::from(y[i] == 1 || i % 50 < 3))
            .collect();
        let rows: Vec<usize> = (0..1000).collect();
        let c = containment(&numbers("is_recid", flag), &y, 2, &rows).expect("found");
        assert_eq!((c.value.as_str(), c.class), ("1", 1));
        assert!(c.covers() && c.holds == 1.0 && c.others < 0.1, "{c:?}");
    }

    #[test]
    fn a_value_whose_rows_are_all_one_class_is_found_and_a_plain_feature_is_not() {
        let y = label();
        let rows: Vec<usize> = (0..1000).collect();
        // Every row with 'charged' is positive, and it holds 80% of the positives.
        let charged: Vec<f64> = (0..1000).map(|i| f64::from(i % 20 < 7)).collect();
        let c = containment(&numbers("charged", charged), &y, 2, &rows).expect("found");
        assert_eq!((c.class, c.covers()), (1, false));
        assert!(
            c.purity == 1.0 && (c.holds - 7.0 / 9.0).abs() < 1e-9,
            "{c:?}"
        );
        // A strong but honest feature: 80% of positives, 20% of negatives.
        let honest: Vec<f64> = (0..1000)
            .map(|i| f64::from(if y[i] == 1 { i % 10 < 8 } else { i % 10 < 2 }))
            .collect();
        assert_eq!(containment(&numbers("honest", honest), &y, 2, &rows), None);
        // Quantities are left to the score check.
        let many: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(containment(&numbers("x", many), &y, 2, &rows), None);
    }
}
