//! The classes of a label column and the one lookup from a value to its class index.
//!
//! Sorting and lookup share a single key, so a value can never sort as one class and be found
//! as another: a finite number is keyed by its value (a prediction `1.0` is class `1`), anything
//! else by its trimmed text.

use std::collections::HashMap;

use super::table::{Column, ColumnData, format_number};

/// A class value as sorting and lookup see it.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    /// A finite number, with -0 folded into 0 so both find the same class.
    Number(f64),
    /// Any other value, trimmed.
    Text(String),
}

impl Key {
    fn of_str(value: &str) -> Self {
        let t = value.trim();
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Key::Number(x + 0.0),
            _ => Key::Text(t.to_string()),
        }
    }

    fn of_number(x: f64) -> Self {
        if x.is_finite() {
            Key::Number(x + 0.0)
        } else {
            Key::Text(format_number(x))
        }
    }

    /// Numbers first in numeric order, then text in byte order.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (Key::Number(a), Key::Number(b)) => a.total_cmp(b),
            (Key::Number(_), Key::Text(_)) => std::cmp::Ordering::Less,
            (Key::Text(_), Key::Number(_)) => std::cmp::Ordering::Greater,
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
        }
    }

    fn name(&self) -> String {
        match self {
            Key::Number(x) => format_number(*x),
            Key::Text(s) => s.clone(),
        }
    }
}

/// The distinct values of a label in class-index order, and the map from a value to its index.
///
/// Numeric classes sort numerically, text classes by text, and in a label that mixes both the
/// numbers come first; class names are the canonical forms (`1`, not `1.0`).
#[derive(Debug, Clone, Default)]
pub struct ClassIndex {
    names: Vec<String>,
    numbers: HashMap<u64, u32>,
    texts: HashMap<String, u32>,
}

impl ClassIndex {
    /// The classes of the non-missing values of `col`.
    pub fn of_column(col: &Column) -> Self {
        let keys: Vec<Key> = match &col.data {
            ColumnData::Numeric(v) => v
                .iter()
                .filter(|x| !x.is_nan())
                .map(|&x| Key::of_number(x))
                .collect(),
            ColumnData::Strings { codes, levels } => {
                let mut used = vec![false; levels.len()];
                for &c in codes {
                    if let Some(u) = used.get_mut(c as usize) {
                        *u = true;
                    }
                }
                levels
                    .iter()
                    .zip(used)
                    .filter(|(_, u)| *u)
                    .map(|(l, _)| Key::of_str(l))
                    .collect()
            }
        };
        Self::from_keys(keys)
    }

    /// The classes of `values` (each read as a CSV cell is), in the order [`Self::of_column`]
    /// gives: for class names that come from elsewhere, such as a counts table.
    pub fn of_values<'s>(values: impl IntoIterator<Item = &'s str>) -> Self {
        Self::from_keys(values.into_iter().map(Key::of_str).collect())
    }

    fn from_keys(mut keys: Vec<Key>) -> Self {
        keys.sort_by(Key::cmp);
        keys.dedup();
        let mut out = ClassIndex::default();
        for (i, key) in keys.iter().enumerate() {
            match key {
                Key::Number(x) => out.numbers.insert(x.to_bits(), i as u32),
                Key::Text(s) => out.texts.insert(s.clone(), i as u32),
            };
            out.names.push(key.name());
        }
        out
    }

    /// Class names in class-index order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are no classes.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The class index of a value given as text, if it is one of the classes.
    pub fn lookup(&self, value: &str) -> Option<u32> {
        self.find(&Key::of_str(value))
    }

    fn find(&self, key: &Key) -> Option<u32> {
        match key {
            Key::Number(x) => self.numbers.get(&x.to_bits()).copied(),
            Key::Text(s) => self.texts.get(s).copied(),
        }
    }

    /// The class index of every row of `col`: `Ok(None)` for a missing cell, `Err(row)` for
    /// the first row whose value is not a class.
    pub fn encode(&self, col: &Column) -> Result<Vec<Option<u32>>, usize> {
        match &col.data {
            ColumnData::Numeric(v) => v
                .iter()
                .enumerate()
                .map(|(i, &x)| match x.is_nan() {
                    true => Ok(None),
                    false => self.find(&Key::of_number(x)).map(Some).ok_or(i),
                })
                .collect(),
            ColumnData::Strings { codes, levels } => {
                // One lookup per distinct value, not per row.
                let per_level: Vec<Option<u32>> = levels.iter().map(|l| self.lookup(l)).collect();
                codes
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| match per_level.get(c as usize) {
                        None => Ok(None),
                        Some(found) => found.map(Some).ok_or(i),
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::builder::ColumnBuilder;

    fn column(cells: &[&str]) -> Column {
        let mut b = ColumnBuilder::new("c");
        cells.iter().for_each(|c| b.push_str(c));
        b.finish()
    }

    #[test]
    fn mixed_values_sort_numbers_first_and_look_up_the_same_way() {
        let col = column(&["K", "1", "10", "2", "12", "K"]);
        let idx = ClassIndex::of_column(&col);
        assert_eq!(idx.names(), ["1", "2", "10", "12", "K"]);
        let names: Vec<&str> = idx.names().iter().map(String::as_str).collect();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(idx.lookup(name), Some(i as u32));
        }
        assert_eq!(idx.lookup("1.0"), Some(0));
        assert_eq!(idx.lookup(" K "), Some(4));
        assert_eq!(idx.lookup("k"), None);
        let codes = idx.encode(&col).unwrap();
        assert_eq!(
            codes,
            [Some(4), Some(0), Some(2), Some(1), Some(3), Some(4)]
        );
    }

    #[test]
    fn numeric_values_match_in_any_spelling_and_unknowns_name_their_row() {
        let idx = ClassIndex::of_column(&column(&["0", "1", "-0", "1"]));
        assert_eq!(idx.names(), ["0", "1"]);
        assert_eq!(
            idx.encode(&column(&["1.0", "", "0e0"])),
            Ok(vec![Some(1), None, Some(0)])
        );
        assert_eq!(idx.encode(&column(&["1", "2"])), Err(1));
        assert_eq!(idx.encode(&column(&["1", "yes?"])), Err(1));
    }
}
