//! A typed slice expression written as an SQL condition with the evaluator's exact meaning.
//!
//! The walk follows [`crate::slices::eval`]: NULL where a value is missing, SQL's three-valued
//! `AND` / `OR` / `NOT`, division by zero as NULL, a referenced slice as a plain true/false (its
//! NULLs count as false, as the evaluator's stored bitmaps do).

use std::collections::HashMap;

use super::dialect::Dialect;
use super::patterns;
use crate::data::date::{format_date, parse_date};
use crate::data::table::{ColumnData, ColumnKind, Table, format_number};
use crate::slices::expr::{
    ArithOp, BoolExpr, CmpOp, MatchSource, NumExpr, NumFunc, StrExpr, StrFunc, StrMeasure,
};

/// What a construct that cannot be translated is, in words.
pub type Untranslatable = String;

/// Writes the expressions of one slice set over one table in one dialect.
pub struct Translator<'a> {
    /// The table the expressions were typed against (column names and kinds).
    pub table: &'a Table,
    /// The target dialect.
    pub dialect: Dialect,
    /// Every slice's typed expression by name, for references.
    pub slices: &'a HashMap<String, BoolExpr>,
}

impl Translator<'_> {
    /// The condition `e`; NULL where slicelab's evaluator has NULL.
    pub fn bool(&self, e: &BoolExpr) -> Result<String, Untranslatable> {
        Ok(match e {
            BoolExpr::Lit(v) => if *v { "TRUE" } else { "FALSE" }.to_string(),
            BoolExpr::SliceRef(name) => {
                let target = self
                    .slices
                    .get(name)
                    .ok_or_else(|| format!("the reference to unknown slice '{name}'"))?;
                format!("COALESCE({}, FALSE)", self.bool(target)?)
            }
            BoolExpr::Not(a) => format!("(NOT {})", self.bool(a)?),
            BoolExpr::And(terms) => self.join(terms, "AND", "TRUE")?,
            BoolExpr::Or(terms) => self.join(terms, "OR", "FALSE")?,
            BoolExpr::Same(a, b) => format!("({} = {})", self.bool(a)?, self.bool(b)?),
            BoolExpr::Truthy(x) => format!("({} <> 0)", self.num(x)?),
            BoolExpr::NumCmp(op, a, b) => self.num_cmp(*op, a, b)?,
            BoolExpr::NumIn(x, list) => {
                let items: Vec<String> = list
                    .iter()
                    .filter(|v| !v.is_nan())
                    .map(|&v| self.number(v))
                    .collect();
                in_list(&self.num(x)?, &items)
            }
            BoolExpr::NumIsNull(x) => format!("({} IS NULL)", self.num_or_date(x)?),
            BoolExpr::StrIsNull(s) => format!("({} IS NULL)", self.str(s)?),
            BoolExpr::StrIn(s, list) => match self.number_column(s) {
                Some(i) => self.number_as_text_in(i, list)?,
                None => {
                    let items: Vec<String> = list.iter().map(|v| self.dialect.string(v)).collect();
                    in_list(&self.str(s)?, &items)
                }
            },
            BoolExpr::StrCmp(op, a, b) => self.str_cmp(*op, a, b)?,
            BoolExpr::Matches(s, _, source) => self.matches(s, source)?,
        })
    }

    fn join(&self, terms: &[BoolExpr], op: &str, empty: &str) -> Result<String, Untranslatable> {
        if terms.is_empty() {
            return Ok(empty.to_string());
        }
        let parts = terms
            .iter()
            .map(|t| self.bool(t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("({})", parts.join(&format!(" {op} "))))
    }

    fn matches(&self, s: &StrExpr, source: &MatchSource) -> Result<String, Untranslatable> {
        let d = self.dialect;
        let text = self.str(s)?;
        Ok(match source {
            MatchSource::Like {
                pattern,
                case_insensitive,
            } => {
                let p = patterns::like_pattern(pattern);
                let op = if *case_insensitive { "ILIKE" } else { "LIKE" };
                let escape = if p.contains('\\') {
                    format!(" ESCAPE {}", d.string("\\"))
                } else {
                    String::new()
                };
                format!("({text} {op} {}{escape})", d.string(&p))
            }
            MatchSource::Regex(p) => d.regex_match(&text, &patterns::user_regex(p, d)?),
            MatchSource::Question => d.regex_match(&text, &patterns::question(d)),
            MatchSource::Negation => d.regex_match(&text, &patterns::negation(d)),
        })
    }

    /// The index of the number column `s` reads as text, if it is one.
    fn number_column(&self, s: &StrExpr) -> Option<usize> {
        match s {
            StrExpr::NumColumn(i) | StrExpr::Column(i)
                if matches!(self.table.columns[*i].data, ColumnData::Numeric(_)) =>
            {
                Some(*i)
            }
            _ => None,
        }
    }

    /// `x IN ('3', 'abc')` on a number column read as text: only texts that are exactly how
    /// slicelab writes one of the column's values can match, and those compare as values, so
    /// the engine's own number formatting never comes into it.
    fn number_as_text_in(&self, i: usize, list: &[String]) -> Result<String, Untranslatable> {
        let col = &self.table.columns[i];
        let ident = self.dialect.ident(&col.name);
        let ident = match col.kind {
            ColumnKind::Date => ident,
            _ => format!("CAST({ident} AS DOUBLE)"),
        };
        let items: Vec<String> = if col.kind == ColumnKind::Date {
            list.iter()
                .filter_map(|s| parse_date(s).filter(|&d| format_date(d) == *s))
                .map(date_literal)
                .collect()
        } else {
            list.iter()
                .filter_map(|s| s.parse::<f64>().ok().filter(|&x| format_number(x) == *s))
                .map(|x| self.number(x))
                .collect()
        };
        Ok(in_list(&ident, &items))
    }

    fn str_cmp(&self, op: CmpOp, a: &StrExpr, b: &StrExpr) -> Result<String, Untranslatable> {
        let as_text = |i: usize| {
            format!(
                "number column '{}' compared as text",
                self.table.columns[i].name
            )
        };
        match (self.number_column(a), self.number_column(b), a, b) {
            (Some(i), None, _, StrExpr::Lit(s)) | (None, Some(i), StrExpr::Lit(s), _)
                if matches!(op, CmpOp::Eq | CmpOp::Ne) =>
            {
                let eq = self.number_as_text_in(i, std::slice::from_ref(s))?;
                Ok(if op == CmpOp::Eq {
                    eq
                } else {
                    format!("(NOT {eq})")
                })
            }
            (Some(i), _, _, _) | (_, Some(i), _, _) => Err(format!(
                "{} with '{}' (text order of numbers)",
                as_text(i),
                cmp_sql(op)
            )),
            _ => Ok(format!(
                "({} {} {})",
                self.str(a)?,
                cmp_sql(op),
                self.str(b)?
            )),
        }
    }

    fn num_cmp(&self, op: CmpOp, a: &NumExpr, b: &NumExpr) -> Result<String, Untranslatable> {
        // A date column compares with a date column or with a day number written as a date.
        let side = |x: &NumExpr, other: &NumExpr| match (x, self.date_column(other)) {
            (NumExpr::Lit(day), Some(_)) if day.is_finite() => Ok(date_literal(*day)),
            _ => self.num_or_date(x),
        };
        if self.date_column(a).is_some() || self.date_column(b).is_some() {
            let (l, r) = (side(a, b)?, side(b, a)?);
            let literal_or_date = |x: &NumExpr| {
                self.date_column(x).is_some() || matches!(x, NumExpr::Lit(v) if v.is_finite())
            };
            if !(literal_or_date(a) && literal_or_date(b)) {
                return Err("a date column compared with a computed number".to_string());
            }
            return Ok(format!("({l} {} {r})", cmp_sql(op)));
        }
        Ok(format!(
            "({} {} {})",
            self.num(a)?,
            cmp_sql(op),
            self.num(b)?
        ))
    }

    fn date_column(&self, x: &NumExpr) -> Option<usize> {
        match x {
            NumExpr::Column(i) if self.table.columns[*i].kind == ColumnKind::Date => Some(*i),
            _ => None,
        }
    }

    /// A numeric expression, where a bare date column is allowed (comparisons, `IS NULL`).
    fn num_or_date(&self, x: &NumExpr) -> Result<String, Untranslatable> {
        match self.date_column(x) {
            Some(i) => Ok(self.dialect.ident(&self.table.columns[i].name)),
            None => self.num(x),
        }
    }

    /// A numeric expression; NULL where the evaluator has NaN.
    pub fn num(&self, e: &NumExpr) -> Result<String, Untranslatable> {
        Ok(match e {
            NumExpr::Column(i) => {
                let col = &self.table.columns[*i];
                let ident = self.dialect.ident(&col.name);
                match col.kind {
                    ColumnKind::Date => {
                        return Err(format!("date column '{}' used as a number", col.name));
                    }
                    // Always DOUBLE, as the evaluator reads numbers: 0/1 columns may be BOOLEAN
                    // in the engine, and a table an engine holds as text would otherwise compare
                    // as text or, in Spark's legacy mode, truncate `'1.5'` to the integer 1.
                    _ => format!("CAST({ident} AS DOUBLE)"),
                }
            }
            NumExpr::Lit(x) => self.number(*x),
            NumExpr::Neg(a) => format!("(-{})", self.operand(a)?),
            NumExpr::Arith(first, rest) => {
                let mut acc = self.operand(first)?;
                // Whether `acc` is already DOUBLE: a division must not be an integer one.
                let mut double = matches!(**first, NumExpr::Column(_));
                for (op, x) in rest {
                    let x_double = matches!(x, NumExpr::Column(_));
                    let x = self.operand(x)?;
                    acc = match op {
                        ArithOp::Add => format!("({acc} + {x})"),
                        ArithOp::Sub => format!("({acc} - {x})"),
                        ArithOp::Mul => format!("({acc} * {x})"),
                        ArithOp::Div if double => format!("({acc} / NULLIF({x}, 0))"),
                        ArithOp::Div => format!("(CAST({acc} AS DOUBLE) / NULLIF({x}, 0))"),
                        ArithOp::Mod => format!("({acc} % NULLIF({x}, 0))"),
                    };
                    double = double || x_double || *op == ArithOp::Div;
                }
                acc
            }
            NumExpr::Func(f, a) => self.func(*f, &self.operand(a)?),
            NumExpr::Measure(m, s) => {
                let s = self.str(s)?;
                match m {
                    StrMeasure::Length => format!("{}({s})", self.dialect.char_length()),
                    StrMeasure::Words => self.dialect.regex_count(&s, &patterns::word_pattern()),
                }
            }
        })
    }

    /// An operand of arithmetic (columns are already DOUBLE, as the evaluator computes in `f64`:
    /// an engine's integer arithmetic would overflow or truncate).
    fn operand(&self, e: &NumExpr) -> Result<String, Untranslatable> {
        self.num(e)
    }

    fn func(&self, f: NumFunc, x: &str) -> String {
        match f {
            NumFunc::Abs => format!("ABS({x})"),
            // NaN (NULL to the evaluator) for a negative argument, not an error.
            NumFunc::Sqrt => format!("SQRT(CASE WHEN {x} >= 0 THEN {x} END)"),
            NumFunc::Ln => format!(
                "(CASE WHEN {x} > 0 THEN LN({x}) WHEN {x} = 0 THEN {} END)",
                self.number(f64::NEG_INFINITY)
            ),
            NumFunc::Exp => format!("EXP({x})"),
            NumFunc::Floor => format!("FLOOR({x})"),
            NumFunc::Ceil => format!("CEIL({x})"),
            NumFunc::Round => format!("ROUND({x})"),
        }
    }

    /// A string expression; NULL where a value is missing.
    pub fn str(&self, e: &StrExpr) -> Result<String, Untranslatable> {
        let d = self.dialect;
        Ok(match e {
            StrExpr::Lit(s) => d.string(s),
            StrExpr::Column(i) | StrExpr::NumColumn(i) => {
                let col = &self.table.columns[*i];
                let ident = d.ident(&col.name);
                match col.data {
                    ColumnData::Strings { .. } => ident,
                    ColumnData::Numeric(_) => format!("CAST({ident} AS {})", d.text_type()),
                }
            }
            StrExpr::Func(f, a) => {
                let a = self.str(a)?;
                match f {
                    StrFunc::Lower => format!("LOWER({a})"),
                    StrFunc::Upper => format!("UPPER({a})"),
                    // Rust's `trim` removes Unicode white space; SQL's TRIM only spaces.
                    StrFunc::Trim => d.regex_remove(&a, &patterns::trim_pattern()),
                }
            }
        })
    }

    /// A number literal; infinities and NaN (NULL) are cast from text.
    fn number(&self, x: f64) -> String {
        if x.is_nan() {
            "CAST(NULL AS DOUBLE)".to_string()
        } else if x.is_infinite() {
            let text = if x > 0.0 { "Infinity" } else { "-Infinity" };
            format!("CAST({} AS DOUBLE)", self.dialect.string(text))
        } else if x.is_sign_negative() {
            // In parentheses: `a - -1` would otherwise risk `--`, SQL's comment.
            format!("({x})")
        } else {
            format!("{x}")
        }
    }
}

/// `x IN (items)`, or NULL/false as the evaluator gives for an empty list.
fn in_list(x: &str, items: &[String]) -> String {
    if items.is_empty() {
        format!("(CASE WHEN {x} IS NOT NULL THEN FALSE END)")
    } else {
        format!("({x} IN ({}))", items.join(", "))
    }
}

/// A day number as a `DATE` literal, or `TIMESTAMP` when it has a time of day.
fn date_literal(day: f64) -> String {
    let text = format_date(day);
    let kind = if text.contains(' ') {
        "TIMESTAMP"
    } else {
        "DATE"
    };
    format!("{kind} '{text}'")
}

fn cmp_sql(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}
