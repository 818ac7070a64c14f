//! The one query that returns every slice's confusion counts.

use std::collections::HashMap;

use super::dialect::Dialect;
use super::error::SqlError;
use super::translate::Translator;
use crate::data::Table;
use crate::slices::SliceSet;

/// The columns of the counts table the query returns, in order.
pub const COUNTS_COLUMNS: [&str; 4] = ["slice", "label", "pred", "count"];

/// What the counts query reads.
#[derive(Debug, Clone)]
pub struct QuerySpec<'a> {
    /// The table (or any table expression) the query reads, written into `FROM` as given.
    pub table: &'a str,
    /// The true-label column.
    pub label: &'a str,
    /// The predicted-label column.
    pub pred: &'a str,
    /// The target dialect.
    pub dialect: Dialect,
}

/// Every slice of `set` as an SQL condition, in set order, typed against `table`'s columns.
pub fn slice_conditions(
    set: &SliceSet,
    table: &Table,
    dialect: Dialect,
) -> Result<Vec<(String, String)>, SqlError> {
    let compiled = set.compile(table)?;
    // Cycles and over-deep chains are refused here, before references are expanded inline.
    crate::slices::set::dependency_order(&set.names(), &compiled)?;
    let by_name: HashMap<String, _> = set.names().into_iter().zip(compiled.clone()).collect();
    let t = Translator {
        table,
        dialect,
        slices: &by_name,
    };
    set.names()
        .into_iter()
        .zip(&compiled)
        .map(|(name, e)| match t.bool(e) {
            Ok(sql) => Ok((name, sql)),
            Err(construct) => Err(SqlError::Unsupported {
                slice: name,
                construct,
                dialect,
            }),
        })
        .collect()
}

/// A slice left out of a count, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The slice.
    pub name: String,
    /// Why it cannot be counted (the compiler's or translator's message).
    pub reason: String,
}

/// The slices of `set` that compile against `table` and translate to `dialect`, and those that
/// do not with the reason: one slice written for other data (an unknown column) must not stop
/// the others being counted. A slice that refers to a skipped one is skipped too. Errors that
/// belong to no one slice (a cycle, a repeated name) are returned.
pub fn countable(
    set: &SliceSet,
    table: &Table,
    dialect: Dialect,
) -> Result<(SliceSet, Vec<Skipped>), SqlError> {
    let mut kept = set.clone();
    let mut skipped = Vec::new();
    // Each round drops the one slice the error names, so the loop ends within |set| rounds.
    for _ in 0..=set.slices.len() {
        let error = match slice_conditions(&kept, table, dialect) {
            Ok(_) => return Ok((kept, skipped)),
            Err(e) => e,
        };
        let Some(name) = error.slice() else {
            return Err(error);
        };
        let Some(at) = kept.slices.iter().position(|s| s.name == name) else {
            return Err(error);
        };
        kept.slices.remove(at);
        skipped.push(Skipped {
            name,
            reason: error.to_string(),
        });
    }
    slice_conditions(&kept, table, dialect).map(|_| (kept, skipped))
}

/// One query returning, for `overall` and every slice of `set`, one row per (slice, true label,
/// predicted label) pair seen in the table, with [`COUNTS_COLUMNS`]: `slice` (name), `label` and
/// `pred` (as text; NULL where missing) and `count` (rows; 0 when the slice has none of that
/// pair). Rows come in slice order, then by label and prediction. The table is read once.
pub fn counts_query(set: &SliceSet, table: &Table, spec: &QuerySpec) -> Result<String, SqlError> {
    let d = spec.dialect;
    let q = |s: &str| d.ident(s);
    let conditions = slice_conditions(set, table, d)?;
    // A 0/1 column may be BOOLEAN in the engine: as a number its text is a class slicelab reads
    // as in memory (`1.0` is class `1`; `true` would be a class of its own).
    let as_text = |col: &str| {
        let boolean = table
            .column(col)
            .is_some_and(|c| c.kind == crate::data::table::ColumnKind::Boolean);
        let value = if boolean {
            format!("CAST({} AS DOUBLE)", q(col))
        } else {
            q(col)
        };
        format!("CAST({value} AS {})", d.text_type())
    };
    let (label, pred) = (as_text(spec.label), as_text(spec.pred));
    let mut sums = vec![format!("      COUNT(*) AS {}", q("n_0"))];
    let mut cases = vec![format!("WHEN 0 THEN a.{}", q("n_0"))];
    let mut names = vec![format!("(0, {})", d.string("overall"))];
    for (i, (name, cond)) in conditions.iter().enumerate() {
        let n = q(&format!("n_{}", i + 1));
        sums.push(format!(
            "      SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {n}"
        ));
        cases.push(format!("WHEN {} THEN a.{n}", i + 1));
        names.push(format!("({}, {})", i + 1, d.string(name)));
    }
    let (sl, lb, pr, ct, ix) = (q("slice"), q("label"), q("pred"), q("count"), q("i"));
    Ok(format!(
        "-- slicelab {version}: confusion counts of 'overall' and {k} slice(s), {dialect} SQL.\n\
         -- Columns: slice, label, pred (as text), count (rows; 0 when none).\n\
         SELECT t.{sl}, t.{lb}, t.{pr}, t.{ct}\n\
         FROM (\n\
         \x20 SELECT s.{sl} AS {sl}, s.{ix} AS {ix}, a.{lb} AS {lb}, a.{pr} AS {pr},\n\
         \x20   CASE s.{ix} {cases} END AS {ct}\n\
         \x20 FROM (\n\
         \x20   SELECT {label} AS {lb}, {pred} AS {pr},\n{sums}\n\
         \x20   FROM {table}\n\
         \x20   GROUP BY {label}, {pred}\n\
         \x20 ) AS a\n\
         \x20 CROSS JOIN (VALUES {names}) AS s({ix}, {sl})\n\
         ) AS t\n\
         ORDER BY t.{ix}, t.{lb}, t.{pr}\n",
        version = env!("CARGO_PKG_VERSION"),
        k = conditions.len(),
        dialect = d.name(),
        cases = cases.join(" "),
        sums = sums.join(",\n"),
        table = spec.table,
        names = names.join(", "),
    ))
}
