//! Writing slice expressions for the user: from a brushed box, a heatmap cell or a clicked value.

use std::collections::BTreeMap;

use super::set::{SliceDef, SliceSet, quote_ident};
use crate::data::Table;

/// `col BETWEEN lo AND hi`, with the bounds rounded to 4 decimals (widened so no edge row is lost).
pub fn range_expr(col: &str, lo: f64, hi: f64) -> String {
    let round_down = (lo * 1e4).floor() / 1e4;
    let round_up = (hi * 1e4).ceil() / 1e4;
    format!(
        "{} BETWEEN {} AND {}",
        quote_ident(col),
        number(round_down),
        number(round_up)
    )
}

/// Both ranges of a rectangle over two columns.
pub fn box_expr(x: (&str, f64, f64), y: (&str, f64, f64)) -> String {
    format!(
        "{} AND {}",
        range_expr(x.0, x.1, x.2),
        range_expr(y.0, y.1, y.2)
    )
}

/// `col = value`, quoting text values as SQL strings.
pub fn equals_expr(col: &str, value: &str, numeric: bool) -> String {
    if numeric {
        format!("{} = {value}", quote_ident(col))
    } else {
        format!("{} = '{}'", quote_ident(col), value.replace('\'', "''"))
    }
}

fn number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

impl SliceSet {
    /// `base` if no slice has that name yet, else `base_2`, `base_3`, ...
    pub fn unique_name(&self, base: &str) -> String {
        let taken = |n: &str| self.slices.iter().any(|s| s.name == n);
        if !taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base}_{i}"))
            .find(|n| !taken(n))
            .unwrap_or_else(|| base.to_string())
    }

    /// The position of a slice whose expression reads the same as `expr` (the same words,
    /// whatever the spacing), if there is one: adding it again would only duplicate that slice.
    pub fn find_same(&self, expr: &str) -> Option<usize> {
        let words = |e: &str| e.split_whitespace().collect::<Vec<_>>().join(" ");
        let wanted = words(expr);
        self.slices.iter().position(|s| words(&s.expr) == wanted)
    }
}

/// A slice name made of the letters, digits and underscores of `text` (at most 40 characters).
pub fn name_from(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out: String = out.trim_end_matches('_').chars().take(40).collect();
    if out.is_empty() { "slice".into() } else { out }
}

/// Distinct numeric values a column may have to be sliced per value.
const MAX_NUMERIC_VALUES: usize = 50;

impl SliceSet {
    /// Adds one slice per value of `column` that has at least `min_support` rows (most frequent
    /// first, unique names); returns how many were added.
    pub fn add_per_value(
        &mut self,
        table: &Table,
        column: &str,
        min_support: usize,
    ) -> Result<usize, String> {
        let col = table
            .column(column)
            .ok_or_else(|| format!("no column '{column}'"))?;
        let numeric = col.as_numeric().is_some();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..col.len() {
            if !col.is_missing(i) {
                *counts.entry(col.display(i)).or_default() += 1;
            }
        }
        if numeric && counts.len() > MAX_NUMERIC_VALUES {
            return Err(format!(
                "'{column}' has {} distinct numbers; slice it with ranges instead",
                counts.len()
            ));
        }
        let mut values: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(_, n)| *n >= min_support)
            .collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (v, _) in &values {
            let name = self.unique_name(&name_from(&format!("{column}_{v}")));
            self.slices
                .push(SliceDef::new(&name, &equals_expr(column, v, numeric)));
        }
        Ok(values.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_expression_is_found_whatever_its_spacing() {
        let mut set = SliceSet::default();
        set.slices.push(SliceDef::new("a", "x1 > 0.5"));
        set.slices.push(SliceDef::new("b", "x1 BETWEEN 0 AND 1"));
        assert_eq!(set.find_same("x1  BETWEEN 0\nAND 1 "), Some(1));
        assert_eq!(set.find_same("x1 > 0.6"), None);
    }

    #[test]
    fn expressions_round_outwards_and_quote_text() {
        assert_eq!(
            box_expr(("x1", 0.12345, 0.3), ("x 2", -0.2, 0.0)),
            "x1 BETWEEN 0.1234 AND 0.3 AND \"x 2\" BETWEEN -0.2 AND 0"
        );
        assert_eq!(equals_expr("race", "O'Neil", false), "race = 'O''Neil'");
        assert_eq!(equals_expr("age", "3", true), "age = 3");
    }

    #[test]
    fn names_are_unique_and_tidy() {
        let set = SliceSet {
            slices: vec![SliceDef::new("map", "x1 > 0")],
        };
        assert_eq!(set.unique_name("map"), "map_2");
        assert_eq!(name_from("race = 'Black'"), "race_black");
    }
}
