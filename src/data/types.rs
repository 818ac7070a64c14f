//! Column types the user sets (`--types col=numeric,col2=date`, the open dialog's type menus),
//! applied to a loaded table before any role or feature is decided.

use serde::{Deserialize, Serialize};

use super::builder::codes_to_values;
use super::date::parse_date;
use super::error::DataError;
use super::table::{Column, ColumnData, ColumnKind, MISSING_CODE, Table, format_number};

/// One column's type as the user declared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeOverride {
    /// Column name (or position, as `--label` takes it).
    pub column: String,
    /// The kind it must have.
    pub kind: ColumnKind,
}

/// Parses `col=numeric,col2=categorical,col3=date,col4=text`.
pub fn parse_types(s: &str) -> Result<Vec<TypeOverride>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (column, kind) = pair
                .rsplit_once('=')
                .ok_or_else(|| format!("'{pair}' is not COLUMN=TYPE"))?;
            let kind = ColumnKind::parse(kind).ok_or_else(|| {
                format!(
                    "'{}' in '{pair}' is not a type; use numeric, categorical, date or text",
                    kind.trim()
                )
            })?;
            Ok(TypeOverride {
                column: column.trim().to_string(),
                kind,
            })
        })
        .collect()
}

/// Gives each named column the declared kind, converting its storage; an unknown column or a
/// value that cannot take the kind is an error naming the column, row and value.
pub fn apply_types(table: &mut Table, overrides: &[TypeOverride]) -> Result<(), DataError> {
    for o in overrides {
        let Some(name) = table.resolve_name(&o.column).map(str::to_string) else {
            return Err(DataError::UnknownColumn {
                what: "--types",
                name: o.column.clone(),
                source_name: table.source.clone(),
                available: table.closest_names(&o.column, 8).join(", "),
            });
        };
        let source = table.source.clone();
        let Some(col) = table.columns.iter_mut().find(|c| c.name == name) else {
            continue;
        };
        convert(col, o.kind).map_err(|message| DataError::BadType {
            name,
            kind: o.kind.name(),
            source_name: source,
            message,
        })?;
    }
    Ok(())
}

/// Converts `col` to `kind` in place, or says which row's value does not fit.
pub fn convert(col: &mut Column, kind: ColumnKind) -> Result<(), String> {
    match kind {
        ColumnKind::Numeric | ColumnKind::Boolean => to_numbers(col, kind, |s| {
            s.trim().parse::<f64>().ok().filter(|x| x.is_finite())
        }),
        ColumnKind::Date => to_numbers(col, kind, parse_date),
        ColumnKind::Categorical | ColumnKind::Text => {
            if col.kind == ColumnKind::Date || col.as_numeric().is_none() {
                // Dates become their ISO text; strings stay as they are.
                to_strings(col);
            }
            col.kind = kind;
            Ok(())
        }
    }
}

/// Numeric storage through `parse` for each distinct string (numbers stay as they are, except
/// that a number is not a date).
fn to_numbers(
    col: &mut Column,
    kind: ColumnKind,
    parse: impl Fn(&str) -> Option<f64>,
) -> Result<(), String> {
    let what = if kind == ColumnKind::Date {
        "an ISO date (2013-01-27) or datetime (2013-01-27 10:11:12)"
    } else {
        "a number"
    };
    match &col.data {
        ColumnData::Numeric(_) if kind != ColumnKind::Date || col.kind == ColumnKind::Date => {}
        ColumnData::Numeric(v) => {
            let first = v.iter().position(|x| !x.is_nan()).unwrap_or(0);
            return Err(bad_row(first, &col.display(first), what));
        }
        ColumnData::Strings { codes, levels } => {
            let parsed: Vec<Option<f64>> = levels.iter().map(|l| parse(l)).collect();
            if let Some(row) = codes
                .iter()
                .position(|&c| c != MISSING_CODE && parsed[c as usize].is_none())
            {
                return Err(bad_row(row, &col.display(row), what));
            }
            let values: Vec<f64> = parsed.iter().map(|p| p.unwrap_or(f64::NAN)).collect();
            col.data = ColumnData::Numeric(codes_to_values(codes, &values));
        }
    }
    if kind == ColumnKind::Boolean
        && let Some(v) = col.as_numeric()
        && let Some(row) = v.iter().position(|&x| !x.is_nan() && x != 0.0 && x != 1.0)
    {
        return Err(bad_row(row, &format_number(v[row]), "0 or 1"));
    }
    col.kind = kind;
    Ok(())
}

fn bad_row(row: usize, value: &str, what: &str) -> String {
    format!("row {} holds '{value}', which is not {what}", row + 1)
}

/// Dictionary-encoded strings of the column's display text.
fn to_strings(col: &mut Column) {
    let n = col.len();
    let mut levels: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let codes = (0..n)
        .map(|i| {
            if col.is_missing(i) {
                return MISSING_CODE;
            }
            let text = col.display(i);
            *index.entry(text.clone()).or_insert_with(|| {
                levels.push(text);
                (levels.len() - 1) as u32
            })
        })
        .collect();
    col.data = ColumnData::Strings { codes, levels };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::builder::ColumnBuilder;

    fn table(cells: &[&str]) -> Table {
        let mut b = ColumnBuilder::new("c");
        cells.iter().for_each(|c| b.push_str(c));
        Table {
            source: "t.csv".into(),
            columns: vec![b.finish()],
            ..Default::default()
        }
    }

    fn set(t: &mut Table, spec: &str) -> Result<(), DataError> {
        apply_types(t, &parse_types(spec).unwrap())
    }

    #[test]
    fn converts_between_kinds() {
        let mut t = table(&["1", "2", "", "3"]);
        set(&mut t, "c=categorical").unwrap();
        assert_eq!(t.columns[0].kind, ColumnKind::Categorical);
        assert_eq!(t.columns[0].display(1), "2");
        set(&mut t, "c=numeric").unwrap();
        assert_eq!(t.columns[0].as_numeric().unwrap()[3], 3.0);
        assert!(t.columns[0].is_missing(2));
        let mut d = table(&["2013-01-27", "x"]);
        let err = set(&mut d, "c=date").unwrap_err().to_string();
        assert!(err.contains("row 2 holds 'x'"), "{err}");
        let mut d = table(&["2013-01-27"]);
        set(&mut d, "0=text").unwrap();
        assert_eq!(d.columns[0].kind, ColumnKind::Text);
        assert_eq!(d.columns[0].display(0), "2013-01-27");
    }

    #[test]
    fn refuses_bad_specs() {
        assert!(parse_types("c").unwrap_err().contains("COLUMN=TYPE"));
        assert!(parse_types("c=float").unwrap_err().contains("'float'"));
        let err = set(&mut table(&["1"]), "d=numeric")
            .unwrap_err()
            .to_string();
        assert!(err.contains("'d'") && err.contains("c"), "{err}");
    }
}
