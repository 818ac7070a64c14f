//! Warnings about a slice set evaluated on a table: slices that select nothing (with the exact
//! spelling when a text value differs only in case), slices that select the same rows as another,
//! and slices that read the label or the prediction (they know the answer). The CLI prints them
//! as `warning:` lines wherever slices are evaluated; the app shows them beside each slice.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::expr::{BoolExpr, CmpOp, NumExpr, StrExpr};
use super::set::{EvaluatedSlices, SliceSet};
use crate::data::{ColumnData, Table};

/// Something about one slice that makes its results misleading.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SliceWarning {
    /// The slice matches no rows of the table.
    NoRows {
        /// The slice.
        slice: String,
        /// A text comparison that would match with the value's exact spelling:
        /// `(column, value written, value in the data)`.
        spelling: Option<(String, String, String)>,
    },
    /// Two slices select exactly the same rows.
    SameRows {
        /// The later slice.
        slice: String,
        /// The earlier slice with the same rows.
        other: String,
    },
    /// The slice's expression reads the label or the prediction column.
    UsesAnswer {
        /// The slice.
        slice: String,
        /// The column it reads.
        column: String,
        /// `label` or `prediction`.
        role: &'static str,
    },
}

impl SliceWarning {
    /// The slice the warning is about.
    pub fn slice(&self) -> &str {
        match self {
            SliceWarning::NoRows { slice, .. }
            | SliceWarning::SameRows { slice, .. }
            | SliceWarning::UsesAnswer { slice, .. } => slice,
        }
    }
}

impl fmt::Display for SliceWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SliceWarning::NoRows {
                slice,
                spelling: Some((column, written, actual)),
            } => write!(
                f,
                "slice '{slice}' matches no rows: column '{column}' has '{actual}', not \
                 '{written}' (text comparisons are case-sensitive)"
            ),
            SliceWarning::NoRows { slice, .. } => write!(f, "slice '{slice}' matches no rows"),
            SliceWarning::SameRows { slice, other } => write!(
                f,
                "slices '{other}' and '{slice}' select exactly the same rows"
            ),
            SliceWarning::UsesAnswer {
                slice,
                column,
                role,
            } => write!(
                f,
                "slice '{slice}' reads the {role} column '{column}': it knows the answer, so \
                 its results say nothing about the model"
            ),
        }
    }
}

/// The warnings of `set` (already evaluated into `evaluated`) on `table`; `answers` names the
/// label and prediction columns with their role (`("income", "label")`).
pub fn slice_warnings(
    set: &SliceSet,
    evaluated: &EvaluatedSlices,
    table: &Table,
    answers: &[(&str, &'static str)],
) -> Vec<SliceWarning> {
    let compiled = set.compile(table).unwrap_or_default();
    let mut out = Vec::new();
    let mut by_rows: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, (name, mask)) in evaluated.names.iter().zip(&evaluated.masks).enumerate() {
        let mut reads = Reads::default();
        if let Some(expr) = compiled.get(i) {
            reads.walk(expr);
        }
        for (column, role) in answers {
            let index = table.columns.iter().position(|c| c.name == *column);
            if index.is_some_and(|c| reads.columns.contains(&c)) {
                out.push(SliceWarning::UsesAnswer {
                    slice: name.clone(),
                    column: column.to_string(),
                    role,
                });
            }
        }
        if mask.count() == 0 {
            out.push(SliceWarning::NoRows {
                slice: name.clone(),
                spelling: spelling(table, &reads.text_literals),
            });
            continue;
        }
        let same = by_rows.entry(mask.hash64()).or_default();
        if let Some(&j) = same.iter().find(|&&j| evaluated.masks[j] == *mask) {
            out.push(SliceWarning::SameRows {
                slice: name.clone(),
                other: evaluated.names[j].clone(),
            });
        } else {
            same.push(i);
        }
    }
    out
}

/// The first `column = 'text'` whose text is not a value of the column but matches one when
/// case and surrounding spaces are ignored.
fn spelling(table: &Table, literals: &[(usize, String)]) -> Option<(String, String, String)> {
    literals.iter().find_map(|(c, written)| {
        let column = table.columns.get(*c)?;
        let ColumnData::Strings { levels, .. } = &column.data else {
            return None;
        };
        if levels.iter().any(|l| l == written) {
            return None;
        }
        let actual = levels
            .iter()
            .find(|l| l.trim().eq_ignore_ascii_case(written.trim()))?;
        Some((column.name.clone(), written.clone(), actual.clone()))
    })
}

/// The columns an expression reads and the text values it compares columns with.
#[derive(Default)]
struct Reads {
    columns: Vec<usize>,
    text_literals: Vec<(usize, String)>,
}

impl Reads {
    /// Recursive: typed trees are at most [`super::flatten::MAX_NESTING`] levels deep.
    fn walk(&mut self, e: &BoolExpr) {
        match e {
            BoolExpr::Lit(_) | BoolExpr::SliceRef(_) => {}
            BoolExpr::Truthy(n) | BoolExpr::NumIsNull(n) | BoolExpr::NumIn(n, _) => self.num(n),
            BoolExpr::Not(a) => self.walk(a),
            BoolExpr::And(terms) | BoolExpr::Or(terms) => terms.iter().for_each(|t| self.walk(t)),
            BoolExpr::Same(a, b) => {
                self.walk(a);
                self.walk(b);
            }
            BoolExpr::NumCmp(_, a, b) => {
                self.num(a);
                self.num(b);
            }
            BoolExpr::StrCmp(op, a, b) => {
                if *op == CmpOp::Eq {
                    self.literal(a, b);
                    self.literal(b, a);
                }
                self.text(a);
                self.text(b);
            }
            BoolExpr::StrIn(s, values) => {
                if let StrExpr::Column(c) = s {
                    let column = *c;
                    self.text_literals
                        .extend(values.iter().map(|v| (column, v.clone())));
                }
                self.text(s);
            }
            BoolExpr::StrIsNull(s) | BoolExpr::Matches(s, ..) => self.text(s),
        }
    }

    fn literal(&mut self, column: &StrExpr, value: &StrExpr) {
        if let (StrExpr::Column(c), StrExpr::Lit(v)) = (column, value) {
            self.text_literals.push((*c, v.clone()));
        }
    }

    fn num(&mut self, e: &NumExpr) {
        match e {
            NumExpr::Column(c) => self.columns.push(*c),
            NumExpr::Lit(_) => {}
            NumExpr::Arith(first, rest) => {
                self.num(first);
                rest.iter().for_each(|(_, t)| self.num(t));
            }
            NumExpr::Neg(a) | NumExpr::Func(_, a) => self.num(a),
            NumExpr::Measure(_, s) => self.text(s),
        }
    }

    fn text(&mut self, e: &StrExpr) {
        match e {
            StrExpr::Column(c) | StrExpr::NumColumn(c) => self.columns.push(*c),
            StrExpr::Lit(_) => {}
            StrExpr::Func(_, a) => self.text(a),
        }
    }
}
