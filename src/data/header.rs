//! Column names from a file's first row: whether that row is a header at all, positional names
//! (`c0`, `c1`, ...) when it is not, and unique names when a header repeats one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::builder::is_missing_token;
use super::table::Column;

/// Whether a file's first row holds the column names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderMode {
    /// Decide from the file: no header only when the first row clearly reads like the data rows.
    #[default]
    Auto,
    /// The first row is the header.
    Yes,
    /// Every row is data; the columns are named `c0`, `c1`, ...
    No,
}

impl FromStr for HeaderMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "yes" | "true" | "1" => Ok(Self::Yes),
            "no" | "false" | "0" => Ok(Self::No),
            other => Err(format!("'{other}' is not yes, no or auto")),
        }
    }
}

impl fmt::Display for HeaderMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Yes => "yes",
            Self::No => "no",
        })
    }
}

/// Data rows looked at when deciding whether the first row is a header.
pub const SAMPLE_ROWS: usize = 100;

/// The names of a file without a header row: `c0`, `c1`, ...
pub fn positional_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("c{i}")).collect()
}

fn is_number(s: &str) -> bool {
    s.trim().parse::<f64>().is_ok_and(f64::is_finite)
}

/// Whether `first` (the first row) reads like the data rows in `sample`, confidently enough to
/// say the file has no header row.
///
/// Every field of `first` must look like its column's data: a number over a column of numbers,
/// or, over a column of text, a value that occurs again in the sample. At least one column must
/// be numeric with a number on the first row, so a file of text only keeps its header.
pub fn first_row_is_data(first: &[String], sample: &[Vec<String>]) -> bool {
    if sample.is_empty() || first.is_empty() {
        return false;
    }
    let mut numeric_hits = 0;
    for (col, field) in first.iter().enumerate() {
        let values: Vec<&str> = sample
            .iter()
            .filter_map(|r| r.get(col))
            .map(|v| v.trim())
            .filter(|v| !is_missing_token(v))
            .collect();
        let field = field.trim();
        let numeric = !values.is_empty() && values.iter().all(|v| is_number(v));
        if numeric {
            if !is_number(field) {
                return false;
            }
            numeric_hits += 1;
        } else if field.is_empty() || !values.contains(&field) {
            return false;
        }
    }
    numeric_hits > 0
}

/// A header name that repeats an earlier one and was given a new name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// 0-based position of the column.
    pub index: usize,
    /// The name in the file.
    pub from: String,
    /// The name given.
    pub to: String,
    /// 0-based position of the first column with that name.
    pub first: usize,
}

/// Makes `names` unique: a later copy of a name becomes `name_2`, `name_3`, ..., skipping names
/// that exist already (anywhere in the header).
pub fn unique_names(names: &mut [String]) -> Vec<Rename> {
    let mut taken: std::collections::HashSet<String> = names.iter().cloned().collect();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut renames = Vec::new();
    for (index, slot) in names.iter_mut().enumerate() {
        let name = slot.clone();
        let Some(&first) = seen.get(&name) else {
            seen.insert(name, index);
            continue;
        };
        let mut k = 2;
        while taken.contains(&format!("{name}_{k}")) {
            k += 1;
        }
        let to = format!("{name}_{k}");
        taken.insert(to.clone());
        seen.insert(to.clone(), index);
        *slot = to.clone();
        renames.push(Rename {
            index,
            from: name,
            to,
            first,
        });
    }
    renames
}

/// Whether two columns hold the same value in every row.
pub fn identical(a: &Column, b: &Column) -> bool {
    a.len() == b.len()
        && (0..a.len()).all(|i| a.is_missing(i) == b.is_missing(i) && a.display(i) == b.display(i))
}

/// The notice listing every rename of `renames` in `columns` (already built), and which copies
/// are identical to the first column of their name.
pub fn rename_notice(source: &str, renames: &[Rename], columns: &[Column]) -> Option<String> {
    if renames.is_empty() {
        return None;
    }
    let items: Vec<String> = renames
        .iter()
        .map(|r| {
            let same = match (columns.get(r.index), columns.get(r.first)) {
                (Some(a), Some(b)) if identical(a, b) => {
                    format!(", identical to '{}'", b.name)
                }
                _ => String::new(),
            };
            format!(
                "column {} '{}' renamed '{}'{same}",
                r.index + 1,
                r.from,
                r.to
            )
        })
        .collect();
    Some(format!(
        "{source}: duplicate column names: {}",
        items.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn renames_skip_existing_names() {
        let mut names = strings(&["a", "a", "a_2", "a"]);
        let renames = unique_names(&mut names);
        assert_eq!(names, strings(&["a", "a_3", "a_2", "a_4"]));
        assert_eq!(renames.len(), 2);
    }

    #[test]
    fn numbers_over_numbers_are_data_text_is_not() {
        let sample = vec![strings(&["1.5", "x", "0"]), strings(&["2", "y", "1"])];
        assert!(first_row_is_data(&strings(&["0.3", "y", "1"]), &sample));
        assert!(!first_row_is_data(&strings(&["a", "b", "y"]), &sample));
        assert!(!first_row_is_data(&strings(&["0.3", "kind", "1"]), &sample));
        let text = vec![strings(&["x", "y"]), strings(&["y", "x"])];
        assert!(!first_row_is_data(&strings(&["x", "y"]), &text));
    }
}
