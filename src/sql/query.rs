//! The one query that returns every slice's confusion counts.

use std::collections::{HashMap, HashSet};

use super::dialect::Dialect;
use super::error::SqlError;
use super::translate::Translator;
use crate::data::Table;
use crate::slices::expr::BoolExpr;
use crate::slices::parse::{Scope, parse_slice};
use crate::slices::set::dependency_order;
use crate::slices::{SliceError, SliceSet};

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
/// the others being counted. A slice built on a left-out one is left out too, and says so.
/// Errors that belong to no one slice (a repeated name, a cycle, a chain of references deeper
/// than the limit) are returned. Each slice is parsed and translated once.
pub fn countable(
    set: &SliceSet,
    table: &Table,
    dialect: Dialect,
) -> Result<(SliceSet, Vec<Skipped>), SqlError> {
    let names: HashSet<String> = set.names().into_iter().collect();
    if names.len() < set.slices.len() {
        // The full check names the repeated slice.
        slice_conditions(set, table, dialect)?;
    }
    let mut skipped = Vec::new();
    let mut compiled: HashMap<String, BoolExpr> = HashMap::new();
    for s in &set.slices {
        // Every name is in scope, so a reference to a left-out slice still parses as one.
        let scope = Scope::new(table, &names, Some(&s.name));
        match parse_slice(&s.expr, &scope) {
            Ok(e) => {
                compiled.insert(s.name.clone(), e);
            }
            Err(error) => skipped.push(Skipped {
                name: s.name.clone(),
                reason: SliceError::Expr {
                    name: s.name.clone(),
                    expr: s.expr.clone(),
                    error,
                }
                .to_string(),
            }),
        }
    }
    let order_names: Vec<String> = (set.slices.iter())
        .filter(|s| compiled.contains_key(&s.name))
        .map(|s| s.name.clone())
        .collect();
    let exprs: Vec<BoolExpr> = order_names.iter().map(|n| compiled[n].clone()).collect();
    let order = dependency_order(&order_names, &exprs)?;
    let mut out: HashSet<String> = skipped.iter().map(|s| s.name.clone()).collect();
    for i in order {
        let name = &order_names[i];
        let mut refs = Vec::new();
        exprs[i].slice_refs(&mut refs);
        let reason = if let Some(r) = refs.iter().find(|r| out.contains(*r)) {
            Some(format!("slice '{name}': built on the left-out slice '{r}'"))
        } else {
            let t = Translator {
                table,
                dialect,
                slices: &compiled,
            };
            t.bool(&exprs[i]).err().map(|construct| {
                SqlError::Unsupported {
                    slice: name.clone(),
                    construct,
                    dialect,
                }
                .to_string()
            })
        };
        if let Some(reason) = reason {
            out.insert(name.clone());
            skipped.push(Skipped {
                name: name.clone(),
                reason,
            });
        }
    }
    let kept = SliceSet {
        slices: (set.slices.iter())
            .filter(|s| !out.contains(&s.name))
            .cloned()
            .collect(),
    };
    // Left-out slices keep their place in the set's order in the list.
    let position: HashMap<&str, usize> = (set.slices.iter().enumerate())
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    skipped.sort_by_key(|s| position.get(s.name.as_str()).copied());
    slice_conditions(&kept, table, dialect)?;
    Ok((kept, skipped))
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
