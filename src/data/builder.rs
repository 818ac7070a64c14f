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
        let name = self.name;
        if let Some(nums) = self.numbers {
            let kind = numeric_kind(&nums);
            return Column {
                name,
                kind,
                data: ColumnData::Numeric(nums),
            };
        }
        let present = self.codes.iter().filter(|&&c| c != MISSING_CODE).count();
        if let Some(col) = boolean_from_levels(&name, &self.codes, &self.levels) {
            return col;
        }
        if let Some(col) = date_from_levels(&name, &self.codes, &self.levels) {
            return col;
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
        Column {
            name,
            kind,
            data: ColumnData::Strings {
                codes: self.codes,
                levels: self.levels,
            },
        }
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

/// A string column whose every value is an ISO date or datetime becomes a [`ColumnKind::Date`]
/// column of day numbers.
fn date_from_levels(name: &str, codes: &[u32], levels: &[String]) -> Option<Column> {
    let days: Option<Vec<f64>> = levels.iter().map(|l| parse_date(l)).collect();
    let days = days.filter(|d| !d.is_empty())?;
    Some(Column {
        name: name.to_string(),
        kind: ColumnKind::Date,
        data: ColumnData::Numeric(codes_to_values(codes, &days)),
    })
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
