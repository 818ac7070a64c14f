//! The in-memory columnar table every other module reads.

use serde::{Deserialize, Serialize};

/// The inferred role of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Numbers, integers included: ordered values, standardised as features.
    Numeric,
    /// Two values: 0/1 or true/false.
    Boolean,
    /// A small set of unordered values: strings, or numbers the user declared categorical.
    Categorical,
    /// Long free text.
    Text,
    /// ISO dates or datetimes, stored as days since 1970-01-01 (fractional for a time of day)
    /// and shown as ISO text.
    Date,
}

impl ColumnKind {
    /// Every kind, in the order a type menu lists them.
    pub const ALL: [ColumnKind; 5] = [
        ColumnKind::Numeric,
        ColumnKind::Boolean,
        ColumnKind::Categorical,
        ColumnKind::Text,
        ColumnKind::Date,
    ];

    /// The lowercase name used by `--types`, report.json and the app.
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Text => "text",
            ColumnKind::Date => "date",
        }
    }

    /// The kind named `s` (case-insensitive), as [`ColumnKind::name`] spells it.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// Column storage. Missing values are `NaN` in numeric storage and `None`/[`MISSING_CODE`] otherwise.
#[derive(Debug, Clone)]
pub enum ColumnData {
    /// Numbers (also booleans and integer categories), `NaN` for missing.
    Numeric(Vec<f64>),
    /// Dictionary-encoded strings: `codes[i]` indexes `levels`, [`MISSING_CODE`] for missing.
    Strings {
        /// One code per row.
        codes: Vec<u32>,
        /// Distinct values in first-seen order.
        levels: Vec<String>,
    },
}

/// The code of a missing value in dictionary-encoded storage.
pub const MISSING_CODE: u32 = u32::MAX;

/// One named column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Header name.
    pub name: String,
    /// Inferred kind.
    pub kind: ColumnKind,
    /// Values.
    pub data: ColumnData,
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Strings { codes, .. } => codes.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match &self.data {
            ColumnData::Numeric(v) => v[i].is_nan(),
            ColumnData::Strings { codes, .. } => codes[i] == MISSING_CODE,
        }
    }

    /// Row `i` as display text (empty for missing).
    pub fn display(&self, i: usize) -> String {
        match &self.data {
            ColumnData::Numeric(v) if v[i].is_nan() => String::new(),
            ColumnData::Numeric(v) if self.kind == ColumnKind::Date => {
                super::date::format_date(v[i])
            }
            ColumnData::Numeric(v) => format_number(v[i]),
            ColumnData::Strings { codes, levels } => {
                levels.get(codes[i] as usize).cloned().unwrap_or_default()
            }
        }
    }

    /// Numeric values, if the column is stored as numbers.
    pub fn as_numeric(&self) -> Option<&[f64]> {
        match &self.data {
            ColumnData::Numeric(v) => Some(v),
            ColumnData::Strings { .. } => None,
        }
    }

    /// Approximate heap size in bytes.
    pub fn heap_bytes(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.capacity() * 8,
            ColumnData::Strings { codes, levels } => {
                codes.capacity() * 4 + levels.iter().map(|l| l.capacity() + 24).sum::<usize>()
            }
        }
    }
}

/// Formats a number without a trailing `.0` for integers.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A named collection of equally long columns.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Where it came from (file name or `demo:figure1`).
    pub source: String,
    /// The columns in header order.
    pub columns: Vec<Column>,
    /// What the loader changed or decided that the user should know (no header row, renamed
    /// duplicate names), one sentence each, naming the file.
    pub notices: Vec<String>,
    /// True when the file had no header row and the columns are named `c0`, `c1`, ...
    pub headerless: bool,
}

impl Table {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// The name of the column `given` refers to: a column of that name, else a position (`0`
    /// the first column, `-1` the last).
    pub fn resolve_name(&self, given: &str) -> Option<&str> {
        if let Some(c) = self.column(given) {
            return Some(&c.name);
        }
        let pos: i64 = given.trim().parse().ok()?;
        let n = self.columns.len() as i64;
        let idx = if pos < 0 { n + pos } else { pos };
        let idx = usize::try_from(idx).ok()?;
        self.columns.get(idx).map(|c| c.name.as_str())
    }

    /// Finds a column by exact name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Index of a column by exact name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Column names in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Column names ordered by closeness to `name` (for "did you mean" messages).
    pub fn closest_names(&self, name: &str, max: usize) -> Vec<String> {
        closest(name, self.columns.iter().map(|c| c.name.as_str()), max)
    }

    /// Approximate heap size of all columns in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.columns.iter().map(Column::heap_bytes).sum()
    }

    /// Appends the rows of `other`, which must have the same column names in the same order.
    ///
    /// Kinds are re-derived by the caller if needed; string levels are merged.
    pub fn append(&mut self, other: Table) -> Result<(), ColumnsDiffer> {
        if self.names() != other.names() {
            return Err(ColumnsDiffer {
                other: other.source.clone(),
                other_columns: other.names().join(", "),
                this: self.source.clone(),
                columns: self.names().join(", "),
            });
        }
        self.notices.extend(other.notices);
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            append_column(mine, theirs);
        }
        Ok(())
    }
}

/// Two tables that cannot be stacked: their column names differ.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{other} has columns [{other_columns}] but {this} has [{columns}]")]
pub struct ColumnsDiffer {
    /// The table appended.
    pub other: String,
    /// Its column names, comma-separated.
    pub other_columns: String,
    /// The table appended to.
    pub this: String,
    /// Its column names, comma-separated.
    pub columns: String,
}

fn append_column(mine: &mut Column, theirs: Column) {
    let n_theirs = theirs.len();
    match (&mut mine.data, theirs.data) {
        (ColumnData::Numeric(a), ColumnData::Numeric(b)) => a.extend(b),
        (
            ColumnData::Strings { codes, levels },
            ColumnData::Strings {
                codes: c2,
                levels: l2,
            },
        ) => {
            let remap: Vec<u32> = l2.iter().map(|l| intern(levels, l)).collect();
            codes.extend(
                c2.iter()
                    .map(|&c| remap.get(c as usize).copied().unwrap_or(MISSING_CODE)),
            );
        }
        (data, other) => {
            // Mixed storage (e.g. numbers in one file, text in another): fall back to strings.
            let tmp = Column {
                name: String::new(),
                kind: ColumnKind::Text,
                data: other,
            };
            let texts: Vec<String> = (0..n_theirs).map(|i| tmp.display(i)).collect();
            let missing: Vec<bool> = (0..n_theirs).map(|i| tmp.is_missing(i)).collect();
            let mut merged = to_strings(data);
            if let ColumnData::Strings { codes, levels } = &mut merged {
                for (t, m) in texts.iter().zip(missing) {
                    codes.push(if m { MISSING_CODE } else { intern(levels, t) });
                }
            }
            *data = merged;
            mine.kind = ColumnKind::Categorical;
        }
    }
}

fn to_strings(data: &ColumnData) -> ColumnData {
    match data {
        ColumnData::Strings { .. } => data.clone(),
        ColumnData::Numeric(v) => {
            let mut levels = Vec::new();
            let codes = v
                .iter()
                .map(|x| {
                    if x.is_nan() {
                        MISSING_CODE
                    } else {
                        intern(&mut levels, &format_number(*x))
                    }
                })
                .collect();
            ColumnData::Strings { codes, levels }
        }
    }
}

fn intern(levels: &mut Vec<String>, value: &str) -> u32 {
    match levels.iter().position(|l| l == value) {
        Some(i) => i as u32,
        None => {
            levels.push(value.to_string());
            (levels.len() - 1) as u32
        }
    }
}

/// Candidates ordered by edit distance to `name`, at most `max` of them.
pub fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
    max: usize,
) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(max)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        let names = ["age", "education", "race"];
        assert_eq!(closest("educaton", names.into_iter(), 1), vec!["education"]);
    }
}
