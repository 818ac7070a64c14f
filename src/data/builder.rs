//! Builds one column cell by cell while inferring its type.

use std::collections::HashMap;

use super::date::parse_date;
use super::features::MAX_LEVELS;
use super::table::{Column, ColumnData, ColumnKind, MISSING_CODE, format_number};

/// String columns with a mean length above this are treated as free text.
pub const TEXT_MEAN_CHARS: f64 = 30.0;

/// The trimmed cells that denote a missing value.
pub const MISSING_TOKENS: [&str; 8] = ["", "?", "NA", "N/A", "NaN", "nan", "NULL", "null"];

/// Whether a trimmed cell denotes a missing value.
pub fn is_missing_token(s: &str) -> bool {
    MISSING_TOKENS.contains(&s)
}

/// Accumulates one column; numbers stay numbers until a non-numeric cell appears.
#[derive(Debug, Default)]
pub struct ColumnBuilder {
    name: String,
    numbers: Option<Vec<f64>>,
    codes: Vec<u32>,
    levels: Vec<String>,
    index: HashMap<String, u32>,
    text_chars: usize,
}

impl ColumnBuilder {
    /// A builder for the column `name`.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            numbers: Some(Vec::new()),
            ..Self::default()
        }
    }

    /// Adds a cell given as text (trimmed; missing tokens become missing).
    pub fn push_str(&mut self, raw: &str) {
        let s = raw.trim();
        if is_missing_token(s) {
            return self.push_missing();
        }
        if let Some(nums) = &mut self.numbers {
            if let Ok(x) = s.parse::<f64>()
                && x.is_finite()
            {
                nums.push(x);
                return;
            }
            self.switch_to_strings();
        }
        self.push_level(s);
    }

    /// Adds a numeric cell.
    pub fn push_num(&mut self, x: f64) {
        if x.is_nan() {
            return self.push_missing();
        }
        match &mut self.numbers {
            Some(nums) => nums.push(x),
            None => self.push_level(&format_number(x)),
        }
    }

    /// Adds a missing cell.
    pub fn push_missing(&mut self) {
        match &mut self.numbers {
            Some(nums) => nums.push(f64::NAN),
            None => self.codes.push(MISSING_CODE),
        }
    }

    fn push_level(&mut self, s: &str) {
        self.text_chars += s.chars().count();
        let code = match self.index.get(s) {
            Some(&c) => c,
            None => {
                let c = self.levels.len() as u32;
                self.levels.push(s.to_string());
                self.index.insert(s.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }

    fn switch_to_strings(&mut self) {
        if let Some(nums) = self.numbers.take() {
            for x in nums {
                if x.is_nan() {
                    self.codes.push(MISSING_CODE);
                } else {
                    self.push_level(&format_number(x));
                }
            }
        }
    }

    /// Finishes the column, inferring its kind.
    pub fn finish(self) -> Column {
        self.finish_noted().0
    }

    /// [`ColumnBuilder::finish`], with a note for the user when inference changed values (a
    /// date column's few cells that are not dates, read as missing).
    pub fn finish_noted(self) -> (Column, Option<String>) {
        let name = self.name;
        if let Some(nums) = self.numbers {
            let kind = numeric_kind(&nums);
            let col = Column {
                name,
                kind,
                data: ColumnData::Numeric(nums),
            };
            return (col, None);
        }
        let present = self.codes.iter().filter(|&&c| c != MISSING_CODE).count();
        if let Some(col) = boolean_from_levels(&name, &self.codes, &self.levels) {
            return (col, None);
        }
        if let Some(dated) = date_from_levels(&name, &self.codes, &self.levels) {
            return dated;
        }
        let mean_chars = self.text_chars as f64 / present.max(1) as f64;
        let distinct = self.levels.len();
        // Long strings are text, unless a few of them repeat: census answers such as
        // "Foreign born- Not a citizen of U S" are categories, however wordy.
        let few_repeated = distinct <= MAX_LEVELS && distinct * 2 <= present;
        let long = mean_chars > TEXT_MEAN_CHARS && !few_repeated;
        let kind = if long || (distinct > 100 && distinct * 2 > present) {
            ColumnKind::Text
        } else {
            ColumnKind::Categorical
        };
        let col = Column {
            name,
            kind,
            data: ColumnData::Strings {
                codes: self.codes,
                levels: self.levels,
            },
        };
        (col, None)
    }
}

/// Boolean for {0,1}, numeric otherwise. Integers with few distinct values stay numbers: their
/// order matters to a model (a decile, a pixel intensity), and analysis can still group them by
/// value. One-hot is for strings and for columns the user declares categorical (`--types`).
fn numeric_kind(values: &[f64]) -> ColumnKind {
    let mut present = values.iter().filter(|x| !x.is_nan()).peekable();
    if present.peek().is_some() && present.all(|&x| x == 0.0 || x == 1.0) {
        ColumnKind::Boolean
    } else {
        ColumnKind::Numeric
    }
}

/// The share of a column's present values that may fail to parse as dates in a column that is
/// still read as dates (those cells missing, with a note): a typo or a `N/A` in a few rows.
pub const MAX_BAD_DATE_SHARE: f64 = 0.02;

/// A string column whose values are ISO dates or datetimes becomes a [`ColumnKind::Date`]
/// column of day numbers; up to [`MAX_BAD_DATE_SHARE`] of its values may be other text, which
/// becomes missing and is named in the note.
fn date_from_levels(
    name: &str,
    codes: &[u32],
    levels: &[String],
) -> Option<(Column, Option<String>)> {
    let parsed: Vec<Option<f64>> = levels.iter().map(|l| parse_date(l)).collect();
    if !parsed.iter().any(Option::is_some) {
        return None;
    }
    let present = codes.iter().filter(|&&c| c != MISSING_CODE).count();
    let bad_row = |&c: &u32| c != MISSING_CODE && parsed[c as usize].is_none();
    let bad = codes.iter().filter(|c| bad_row(c)).count();
    if bad as f64 > present as f64 * MAX_BAD_DATE_SHARE {
        return None;
    }
    let days: Vec<f64> = parsed.iter().map(|d| d.unwrap_or(f64::NAN)).collect();
    let note = codes.iter().position(bad_row).map(|first| {
        format!(
            "column '{name}': {bad} of {present} values are not ISO dates (first: data row {}, \
             '{}'); read as a date column with those cells missing",
            first + 1,
            levels[codes[first] as usize]
        )
    });
    let col = Column {
        name: name.to_string(),
        kind: ColumnKind::Date,
        data: ColumnData::Numeric(codes_to_values(codes, &days)),
    };
    Some((col, note))
}

/// Finishes every builder: the columns, and the notes inference left for the user.
pub fn finish_all(builders: Vec<ColumnBuilder>) -> (Vec<Column>, Vec<String>) {
    let mut notes = Vec::new();
    let columns = builders
        .into_iter()
        .map(|b| {
            let (col, note) = b.finish_noted();
            notes.extend(note);
            col
        })
        .collect();
    (columns, notes)
}

/// Each code's value in `values`; missing codes become `NaN`.
pub(crate) fn codes_to_values(codes: &[u32], values: &[f64]) -> Vec<f64> {
    codes
        .iter()
        .map(|&c| values.get(c as usize).copied().unwrap_or(f64::NAN))
        .collect()
}

/// true/false (or yes/no) strings become a numeric 0/1 boolean column.
fn boolean_from_levels(name: &str, codes: &[u32], levels: &[String]) -> Option<Column> {
    let value_of = |l: &str| match l.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(1.0),
        "false" | "no" => Some(0.0),
        _ => None,
    };
    let map: Option<Vec<f64>> = levels.iter().map(|l| value_of(l)).collect();
    let map = map.filter(|m| !m.is_empty())?;
    Some(Column {
        name: name.to_string(),
        kind: ColumnKind::Boolean,
        data: ColumnData::Numeric(codes_to_values(codes, &map)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(cells: &[&str]) -> Column {
        let mut b = ColumnBuilder::new("c");
        cells.iter().for_each(|c| b.push_str(c));
        b.finish()
    }

    #[test]
    fn infers_kinds_and_missing() {
        assert_eq!(build(&["1.5", "2", "?"]).kind, ColumnKind::Numeric);
        let c = build(&["1.5", "", "NaN", "NA"]);
        assert!(c.is_missing(1) && c.is_missing(2) && c.is_missing(3) && !c.is_missing(0));
        assert_eq!(build(&["0", "1", "1"]).kind, ColumnKind::Boolean);
        assert_eq!(build(&["true", "False"]).kind, ColumnKind::Boolean);
        // Small integers stay ordered numbers.
        assert_eq!(build(&["1", "2", "3", "2"]).kind, ColumnKind::Numeric);
        let d = build(&["2013-01-27", "", "2013-06-01 10:00:00"]);
        assert_eq!(d.kind, ColumnKind::Date);
        assert!(d.is_missing(1));
        assert_eq!(d.display(0), "2013-01-27");
        assert_eq!(build(&["a", "b", "a"]).kind, ColumnKind::Categorical);
        let long = "a review sentence that is clearly longer than thirty characters";
        assert_eq!(build(&[long, "x"]).kind, ColumnKind::Text);
        let wordy = "Native- Born in the United States";
        let other = "Foreign born- Not a citizen of U S";
        assert_eq!(
            build(&[wordy, other, wordy, wordy]).kind,
            ColumnKind::Categorical
        );
    }

    #[test]
    fn numbers_then_strings_keeps_all_rows() {
        let c = build(&["1", "", "x"]);
        assert_eq!(c.len(), 3);
        assert_eq!(c.display(0), "1");
        assert!(c.is_missing(1));
        assert_eq!(c.display(2), "x");
    }
}
