//! The filter builder's logic: which operators suit a column, the SQL fragment a choice of
//! column, operator and values writes (quoted the way [`super::parse`] reads it), and the value
//! counts and histogram the builder shows. The app's builder panel only draws these.

use std::collections::HashMap;

use super::set::quote_ident;
use crate::data::date::{format_date, parse_date};
use crate::data::table::{Column, ColumnData, ColumnKind, MISSING_CODE, format_number};

/// A comparison the builder offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuilderOp {
    /// `col < v`
    Lt,
    /// `col <= v`
    Le,
    /// `col > v`
    Gt,
    /// `col >= v`
    Ge,
    /// `col = v`
    Eq,
    /// `col <> v`
    Ne,
    /// `col BETWEEN lo AND hi` (both ends included).
    Between,
    /// `col IN (v1, v2, ..)`
    In,
    /// `col LIKE '%v%'` (text containing `v`, case-sensitive).
    Contains,
    /// `col IS NULL`
    IsNull,
}

impl BuilderOp {
    /// The operator as the builder's menu shows it.
    pub fn label(self) -> &'static str {
        match self {
            BuilderOp::Lt => "<",
            BuilderOp::Le => "<=",
            BuilderOp::Gt => ">",
            BuilderOp::Ge => ">=",
            BuilderOp::Eq => "=",
            BuilderOp::Ne => "!=",
            BuilderOp::Between => "BETWEEN",
            BuilderOp::In => "IN",
            BuilderOp::Contains => "contains",
            BuilderOp::IsNull => "IS NULL",
        }
    }

    /// How many values the operator takes: 0, 1, 2 (a range) or `None` for a list.
    pub fn arity(self) -> Option<usize> {
        match self {
            BuilderOp::IsNull => Some(0),
            BuilderOp::Between => Some(2),
            BuilderOp::In => None,
            _ => Some(1),
        }
    }
}

/// The operators that suit a column of `kind`, the usual one first.
pub fn ops_for(kind: ColumnKind) -> &'static [BuilderOp] {
    use BuilderOp::*;
    match kind {
        ColumnKind::Numeric | ColumnKind::Date => &[Between, Lt, Le, Gt, Ge, Eq, IsNull],
        ColumnKind::Boolean | ColumnKind::Categorical => &[Eq, Ne, In, IsNull],
        ColumnKind::Text => &[Contains, Eq, Ne, IsNull],
    }
}

/// A column name as the parser reads it: [`quote_ident`], and quoted too when the bare name is
/// not read as a column (a column called `order` or `and` is a keyword when bare).
pub fn ident(name: &str) -> String {
    let bare = quote_ident(name);
    if bare.starts_with('"') {
        return bare;
    }
    let alone = matches!(
        super::parse::parse_sql(&format!("{bare} IS NULL")),
        Ok(sqlparser::ast::Expr::IsNull(inner))
            if matches!(*inner, sqlparser::ast::Expr::Identifier(_))
    );
    // After AND as well, where a keyword may start something else.
    let probe = format!("0 = 0 AND {bare} BETWEEN 0 AND 1");
    let after_and = super::parse::parse_sql(&probe).is_ok_and(|e| e.to_string() == probe);
    let read_as_column = alone && after_and;
    if read_as_column {
        bare
    } else {
        format!("\"{name}\"")
    }
}

/// `s` as a single-quoted SQL string.
pub fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// How the values of a column are written in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    Number,
    Date,
    Text,
}

fn literal_kind(col: &Column) -> Literal {
    match (&col.data, col.kind) {
        (ColumnData::Numeric(_), ColumnKind::Date) => Literal::Date,
        (ColumnData::Numeric(_), _) => Literal::Number,
        (ColumnData::Strings { .. }, _) => Literal::Text,
    }
}

/// One value typed or picked by the user, as a literal for `col`.
fn literal(col: &Column, value: &str) -> Result<String, String> {
    let v = value.trim();
    match literal_kind(col) {
        Literal::Number => match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(format_number(x)),
            _ => Err(format!("'{v}' is not a number ('{}' is numeric)", col.name)),
        },
        Literal::Date => match parse_date(v) {
            Some(_) => Ok(string_literal(v)),
            None => Err(format!(
                "'{v}' is not an ISO date such as 2013-01-27 ('{}' holds dates)",
                col.name
            )),
        },
        Literal::Text => Ok(string_literal(value)),
    }
}

/// The SQL condition `col op values`: numbers checked and written plainly, dates as ISO text,
/// strings single-quoted with `'` doubled, `contains` as a `LIKE` whose wildcards in the value
/// are escaped. An error names what is wrong with the values.
pub fn fragment(col: &Column, op: BuilderOp, values: &[String]) -> Result<String, String> {
    let c = ident(&col.name);
    let need = |n: usize| -> Result<(), String> {
        if values.len() < n || values[..n].iter().any(|v| v.trim().is_empty()) {
            Err(format!("{} needs {n} value(s)", op.label()))
        } else {
            Ok(())
        }
    };
    Ok(match op {
        BuilderOp::IsNull => format!("{c} IS NULL"),
        BuilderOp::Between => {
            need(2)?;
            let (lo, hi) = (literal(col, &values[0])?, literal(col, &values[1])?);
            format!("{c} BETWEEN {lo} AND {hi}")
        }
        BuilderOp::In => {
            let list: Vec<String> = (values.iter().filter(|v| !v.trim().is_empty()))
                .map(|v| literal(col, v))
                .collect::<Result<_, _>>()?;
            if list.is_empty() {
                return Err("IN needs at least one value".into());
            }
            format!("{c} IN ({})", list.join(", "))
        }
        BuilderOp::Contains => {
            need(1)?;
            let escaped: String = values[0]
                .chars()
                .flat_map(|ch| match ch {
                    '%' | '_' | '\\' => vec!['\\', ch],
                    other => vec![other],
                })
                .collect();
            format!("{c} LIKE {}", string_literal(&format!("%{escaped}%")))
        }
        cmp => {
            need(1)?;
            let sym = if cmp == BuilderOp::Ne {
                "<>"
            } else {
                cmp.label()
            };
            format!("{c} {sym} {}", literal(col, &values[0])?)
        }
    })
}

/// `fragment` added to the expression `current`: alone when it is empty, else after it with
/// `AND` (the current text in parentheses when it has a top-level `OR`, so the new condition
/// narrows all of it).
pub fn combine(current: &str, fragment: &str) -> String {
    let cur = current.trim();
    if cur.is_empty() {
        return fragment.to_string();
    }
    let has_or = cur.split_whitespace().any(|w| w.eq_ignore_ascii_case("or"));
    if has_or {
        format!("({cur}) AND {fragment}")
    } else {
        format!("{cur} AND {fragment}")
    }
}

/// The distinct values of a column with their row counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueCounts {
    /// Values as the builder writes them (dates as ISO text), most frequent first, ties by value.
    pub values: Vec<(String, usize)>,
    /// Rows with no value.
    pub missing: usize,
    /// True when the column had more distinct values than were counted.
    pub truncated: bool,
}

/// Counts the values of `col`, keeping at most `max_distinct` of them (a numeric column with
/// more is a range, not a list; see [`ValueCounts::truncated`]).
pub fn value_counts(col: &Column, max_distinct: usize) -> ValueCounts {
    let mut out = ValueCounts::default();
    let mut pairs: Vec<(String, usize)> = match &col.data {
        ColumnData::Strings { codes, levels } => {
            let mut n = vec![0usize; levels.len()];
            for &c in codes {
                match n.get_mut(c as usize) {
                    Some(slot) if c != MISSING_CODE => *slot += 1,
                    _ => out.missing += 1,
                }
            }
            (levels.iter().cloned().zip(n))
                .filter(|(_, k)| *k > 0)
                .collect()
        }
        ColumnData::Numeric(v) => {
            let mut n: HashMap<u64, usize> = HashMap::new();
            for &x in v {
                if x.is_nan() {
                    out.missing += 1;
                } else if n.len() < max_distinct || n.contains_key(&x.to_bits()) {
                    *n.entry(x.to_bits()).or_default() += 1;
                } else {
                    out.truncated = true;
                }
            }
            let show = |x: f64| match col.kind {
                ColumnKind::Date => format_date(x),
                _ => format_number(x),
            };
            n.into_iter()
                .map(|(b, k)| (show(f64::from_bits(b)), k))
                .collect()
        }
    };
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if pairs.len() > max_distinct {
        pairs.truncate(max_distinct);
        out.truncated = true;
    }
    out.values = pairs;
    out
}

/// Counts of a numeric column's finite values in equal-width bins between its smallest and
/// largest value.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Rows per bin, lowest bin first.
    pub counts: Vec<usize>,
}

impl Histogram {
    /// The histogram of `values` in `bins` bins; `None` without a finite value.
    pub fn of(values: &[f64], bins: usize) -> Option<Self> {
        let finite = || values.iter().copied().filter(|x| x.is_finite());
        let min = finite().fold(f64::INFINITY, f64::min);
        let max = finite().fold(f64::NEG_INFINITY, f64::max);
        if min > max {
            return None;
        }
        let bins = bins.max(1);
        let width = (max - min) / bins as f64;
        let mut counts = vec![0; bins];
        for x in finite() {
            let i = if width > 0.0 {
                (((x - min) / width) as usize).min(bins - 1)
            } else {
                0
            };
            counts[i] += 1;
        }
        Some(Self { min, max, counts })
    }

    /// The lower and upper edge of bin `i`.
    pub fn edges(&self, i: usize) -> (f64, f64) {
        let w = (self.max - self.min) / self.counts.len().max(1) as f64;
        (self.min + w * i as f64, self.min + w * (i + 1) as f64)
    }
}

#[cfg(test)]
#[path = "builder_tests.rs"]
mod tests;
