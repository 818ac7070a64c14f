//! SQL WHERE-clause text to a typed [`BoolExpr`], with positioned errors.
//!
//! Parsing uses `sqlparser`'s generic dialect, so a slice written here runs unchanged as a
//! WHERE clause in Spark SQL, DuckDB or DataFusion.

use sqlparser::ast::{BinaryOperator, Expr, Ident, InTarget, Spanned, UnaryOperator, Value};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token};

use super::error::ExprError;
use super::expr::{ArithOp, BoolExpr, CmpOp, NumExpr, StrExpr, Typed};
use super::like::like_regex;
use crate::data::table::{ColumnData, ColumnKind, Table, closest, format_number};

/// What names an expression can refer to.
pub struct Scope<'a> {
    /// Columns.
    pub table: &'a Table,
    /// Other slices of the same set.
    pub slice_names: &'a [String],
}

/// Parses and type-checks a slicing-function expression.
pub fn parse_slice(text: &str, scope: &Scope) -> Result<BoolExpr, ExprError> {
    if text.trim().is_empty() {
        return Err(ExprError::new(
            "expected a condition, found an empty expression",
            1,
            1,
        ));
    }
    let ast = parse_sql(text)?;
    let typed = scope.typed(&ast)?;
    scope.to_bool(typed, ast.span())
}

/// Parses the text as one SQL expression (syntax only).
pub fn parse_sql(text: &str) -> Result<Expr, ExprError> {
    let dialect = GenericDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|e| located(&e.to_string(), text))?;
    let ast = parser
        .parse_expr()
        .map_err(|e| located(&e.to_string(), text))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        let col = next.span.start.column as usize;
        let width = next.token.to_string().chars().count();
        return Err(ExprError::new(
            format!(
                "expected AND, OR or the end of the expression, found '{}'",
                next.token
            ),
            col,
            width,
        ));
    }
    Ok(ast)
}

/// Turns sqlparser's "... at Line: 1, Column: 7" message into a positioned error.
fn located(message: &str, text: &str) -> ExprError {
    let message = message.trim_start_matches("sql parser error: ");
    let (msg, col) = match message.rfind(" at Line: ") {
        Some(at) => {
            let col = message[at..]
                .rsplit("Column: ")
                .next()
                .and_then(|c| c.trim().parse().ok());
            (&message[..at], col)
        }
        None => (message, None),
    };
    let col = col.unwrap_or(text.chars().count() + 1);
    ExprError::new(msg.replace("Expected: ", "expected "), col, 1)
}

fn span_of(span: Span, fallback_width: usize) -> (usize, usize) {
    let start = span.start.column as usize;
    let width = if span.end.line == span.start.line && span.end.column > span.start.column {
        (span.end.column - span.start.column) as usize
    } else {
        fallback_width
    };
    (start.max(1), width.max(1))
}

fn err_at(span: Span, msg: impl Into<String>) -> ExprError {
    let (col, width) = span_of(span, 1);
    ExprError::new(msg, col, width)
}

impl Scope<'_> {
    /// Type-checks any expression.
    pub fn typed(&self, e: &Expr) -> Result<Typed, ExprError> {
        match e {
            Expr::Identifier(id) => self.ident(id),
            Expr::CompoundIdentifier(parts) => Err(err_at(
                e.span(),
                format!(
                    "qualified names like '{}' are not supported; quote a column name that contains dots",
                    parts
                        .iter()
                        .map(|p| p.value.as_str())
                        .collect::<Vec<_>>()
                        .join(".")
                ),
            )),
            Expr::Value(v) => literal(&v.value, v.span),
            Expr::Nested(inner) => self.typed(inner),
            Expr::UnaryOp { op, expr } => self.unary(*op, expr, e.span()),
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right, e.span()),
            Expr::IsNull(inner) => self.is_null(inner),
            Expr::IsNotNull(inner) => Ok(Typed::Bool(BoolExpr::Not(Box::new(
                self.is_null_bool(inner)?,
            )))),
            Expr::IsTrue(inner) => Ok(Typed::Bool(self.bool(inner)?)),
            Expr::IsFalse(inner) => Ok(Typed::Bool(BoolExpr::Not(Box::new(self.bool(inner)?)))),
            Expr::In {
                expr,
                target: InTarget::List(list),
                negated,
                ..
            } => self.in_list(expr, list, *negated),
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let ge = self.compare(expr, CmpOp::Ge, low, e.span())?;
                let le = self.compare(expr, CmpOp::Le, high, e.span())?;
                Ok(Typed::Bool(negate(
                    BoolExpr::And(Box::new(ge), Box::new(le)),
                    *negated,
                )))
            }
            Expr::Like {
                negated,
                expr,
                pattern,
                ..
            } => self.like(expr, pattern, *negated, false),
            Expr::ILike {
                negated,
                expr,
                pattern,
                ..
            } => self.like(expr, pattern, *negated, true),
            Expr::Function(_) | Expr::Ceil { .. } | Expr::Floor { .. } | Expr::Trim { .. } => {
                super::parse_funcs::function(self, e)
            }
            other => Err(err_at(
                other.span(),
                format!("unsupported SQL construct '{other}' in a slicing function"),
            )),
        }
    }

    fn ident(&self, id: &Ident) -> Result<Typed, ExprError> {
        if let Some(idx) = self.table.index_of(&id.value) {
            let col = &self.table.columns[idx];
            return Ok(match &col.data {
                ColumnData::Numeric(_) => Typed::Num(NumExpr::Column(idx)),
                ColumnData::Strings { .. } => Typed::Str(StrExpr::Column(idx)),
            });
        }
        if self.slice_names.contains(&id.value) {
            return Ok(Typed::Bool(BoolExpr::SliceRef(id.value.clone())));
        }
        let names = self
            .table
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .chain(self.slice_names.iter().map(String::as_str));
        let hint = closest(&id.value, names, 3).join(", ");
        let (col, _) = span_of(id.span, 1);
        Err(ExprError::new(
            format!("unknown column '{}'; did you mean: {hint}?", id.value),
            col,
            id.value.chars().count() + if id.quote_style.is_some() { 2 } else { 0 },
        ))
    }

    fn unary(&self, op: UnaryOperator, inner: &Expr, span: Span) -> Result<Typed, ExprError> {
        match op {
            UnaryOperator::Not => Ok(Typed::Bool(BoolExpr::Not(Box::new(self.bool(inner)?)))),
            UnaryOperator::Minus => Ok(Typed::Num(NumExpr::Neg(Box::new(self.num(inner)?)))),
            UnaryOperator::Plus => Ok(Typed::Num(self.num(inner)?)),
            other => Err(err_at(span, format!("unsupported operator '{other}'"))),
        }
    }

    fn binary(
        &self,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        span: Span,
    ) -> Result<Typed, ExprError> {
        let arith = |op| -> Result<Typed, ExprError> {
            Ok(Typed::Num(NumExpr::Arith(
                op,
                Box::new(self.num(left)?),
                Box::new(self.num(right)?),
            )))
        };
        let cmp = |op| Ok(Typed::Bool(self.compare(left, op, right, span)?));
        match op {
            BinaryOperator::And => Ok(Typed::Bool(BoolExpr::And(
                Box::new(self.bool(left)?),
                Box::new(self.bool(right)?),
            ))),
            BinaryOperator::Or => Ok(Typed::Bool(BoolExpr::Or(
                Box::new(self.bool(left)?),
                Box::new(self.bool(right)?),
            ))),
            BinaryOperator::Eq => cmp(CmpOp::Eq),
            BinaryOperator::NotEq => cmp(CmpOp::Ne),
            BinaryOperator::Lt => cmp(CmpOp::Lt),
            BinaryOperator::LtEq => cmp(CmpOp::Le),
            BinaryOperator::Gt => cmp(CmpOp::Gt),
            BinaryOperator::GtEq => cmp(CmpOp::Ge),
            BinaryOperator::Plus => arith(ArithOp::Add),
            BinaryOperator::Minus => arith(ArithOp::Sub),
            BinaryOperator::Multiply => arith(ArithOp::Mul),
            BinaryOperator::Divide => arith(ArithOp::Div),
            BinaryOperator::Modulo => arith(ArithOp::Mod),
            other => Err(err_at(span, format!("unsupported operator '{other}'"))),
        }
    }

    /// Type-checks `left op right`, coercing literals to the other side's type.
    fn compare(
        &self,
        left: &Expr,
        op: CmpOp,
        right: &Expr,
        span: Span,
    ) -> Result<BoolExpr, ExprError> {
        let (l, r) = (self.typed(left)?, self.typed(right)?);
        match (l, r) {
            (Typed::Num(a), Typed::Num(b)) => Ok(BoolExpr::NumCmp(op, a, b)),
            (Typed::Str(a), Typed::Str(b)) => Ok(BoolExpr::StrCmp(op, a, b)),
            (Typed::Num(a), Typed::Str(StrExpr::Lit(s))) => Ok(num_vs_text(op, a, s)),
            (Typed::Str(StrExpr::Lit(s)), Typed::Num(b)) => Ok(num_vs_text(flip(op), b, s)),
            (Typed::Str(a), Typed::Num(NumExpr::Lit(x))) => {
                Ok(BoolExpr::StrCmp(op, a, StrExpr::Lit(format_number(x))))
            }
            (Typed::Num(NumExpr::Lit(x)), Typed::Str(b)) => Ok(BoolExpr::StrCmp(
                flip(op),
                b,
                StrExpr::Lit(format_number(x)),
            )),
            (Typed::Num(a), Typed::Bool(BoolExpr::Lit(v))) => Ok(BoolExpr::NumCmp(
                op,
                a,
                NumExpr::Lit(f64::from(u8::from(v))),
            )),
            (Typed::Bool(a), Typed::Bool(b)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                let eq = BoolExpr::Or(
                    Box::new(BoolExpr::And(Box::new(a.clone()), Box::new(b.clone()))),
                    Box::new(BoolExpr::And(
                        Box::new(BoolExpr::Not(Box::new(a))),
                        Box::new(BoolExpr::Not(Box::new(b))),
                    )),
                );
                Ok(negate(eq, op == CmpOp::Ne))
            }
            (a, b) => Err(err_at(
                span,
                format!("cannot compare {} with {}", a.type_name(), b.type_name()),
            )),
        }
    }

    fn in_list(&self, expr: &Expr, list: &[Expr], negated: bool) -> Result<Typed, ExprError> {
        let target = self.typed(expr)?;
        let mut nums = Vec::new();
        let mut strs = Vec::new();
        for item in list {
            match self.typed(item)? {
                Typed::Num(NumExpr::Lit(x)) => {
                    nums.push(x);
                    strs.push(format_number(x));
                }
                Typed::Num(NumExpr::Neg(inner)) if matches!(*inner, NumExpr::Lit(_)) => {
                    let NumExpr::Lit(x) = *inner else {
                        unreachable!()
                    };
                    nums.push(-x);
                    strs.push(format_number(-x));
                }
                Typed::Str(StrExpr::Lit(s)) => {
                    nums.push(s.trim().parse().unwrap_or(f64::NAN));
                    strs.push(s);
                }
                _ => {
                    return Err(err_at(
                        item.span(),
                        "IN lists may only hold number or string constants",
                    ));
                }
            }
        }
        let b = match target {
            Typed::Num(NumExpr::Column(i)) if nums.iter().any(|x| x.is_nan()) => {
                BoolExpr::StrIn(StrExpr::NumColumn(i), strs)
            }
            Typed::Num(n) => BoolExpr::NumIn(n, nums),
            Typed::Str(s) => BoolExpr::StrIn(s, strs),
            Typed::Bool(_) => {
                return Err(err_at(
                    expr.span(),
                    "expected a number or string before IN, found a condition",
                ));
            }
        };
        Ok(Typed::Bool(negate(b, negated)))
    }

    fn like(
        &self,
        expr: &Expr,
        pattern: &Expr,
        negated: bool,
        ci: bool,
    ) -> Result<Typed, ExprError> {
        let target = self.str(expr)?;
        let Typed::Str(StrExpr::Lit(p)) = self.typed(pattern)? else {
            return Err(err_at(
                pattern.span(),
                "expected a string pattern like '%word%'",
            ));
        };
        let re =
            like_regex(&p, ci).map_err(|e| err_at(pattern.span(), format!("bad pattern: {e}")))?;
        Ok(Typed::Bool(negate(BoolExpr::Matches(target, re), negated)))
    }

    fn is_null(&self, inner: &Expr) -> Result<Typed, ExprError> {
        Ok(Typed::Bool(self.is_null_bool(inner)?))
    }

    fn is_null_bool(&self, inner: &Expr) -> Result<BoolExpr, ExprError> {
        Ok(match self.typed(inner)? {
            Typed::Num(n) => BoolExpr::NumIsNull(n),
            Typed::Str(s) => BoolExpr::StrIsNull(s),
            Typed::Bool(_) => BoolExpr::Lit(false),
        })
    }

    /// Type-checks an expression that must be a condition.
    pub fn bool(&self, e: &Expr) -> Result<BoolExpr, ExprError> {
        let t = self.typed(e)?;
        self.to_bool(t, e.span())
    }

    fn to_bool(&self, t: Typed, span: Span) -> Result<BoolExpr, ExprError> {
        match t {
            Typed::Bool(b) => Ok(b),
            Typed::Num(NumExpr::Column(i)) if self.table.columns[i].kind == ColumnKind::Boolean => {
                Ok(BoolExpr::Truthy(NumExpr::Column(i)))
            }
            other => Err(err_at(
                span,
                format!(
                    "expected a condition (a comparison, or a 0/1 column), found {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// Type-checks an expression that must be numeric.
    pub fn num(&self, e: &Expr) -> Result<NumExpr, ExprError> {
        match self.typed(e)? {
            Typed::Num(n) => Ok(n),
            Typed::Str(StrExpr::Lit(s)) if s.trim().parse::<f64>().is_ok() => {
                Ok(NumExpr::Lit(s.trim().parse().unwrap_or(0.0)))
            }
            other => Err(err_at(
                e.span(),
                format!("expected a number, found {}", other.type_name()),
            )),
        }
    }

    /// Type-checks an expression that must be a string.
    pub fn str(&self, e: &Expr) -> Result<StrExpr, ExprError> {
        match self.typed(e)? {
            Typed::Str(s) => Ok(s),
            Typed::Num(NumExpr::Column(i)) => Ok(StrExpr::NumColumn(i)),
            other => Err(err_at(
                e.span(),
                format!("expected a string, found {}", other.type_name()),
            )),
        }
    }
}

fn literal(v: &Value, span: Span) -> Result<Typed, ExprError> {
    match v {
        Value::Number(s, _) => s
            .parse::<f64>()
            .map(|x| Typed::Num(NumExpr::Lit(x)))
            .map_err(|_| err_at(span, format!("'{s}' is not a number"))),
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
            Ok(Typed::Str(StrExpr::Lit(s.clone())))
        }
        Value::Boolean(b) => Ok(Typed::Bool(BoolExpr::Lit(*b))),
        Value::Null => Err(err_at(
            span,
            "comparisons with NULL are never true; use IS NULL or IS NOT NULL",
        )),
        other => Err(err_at(span, format!("unsupported literal {other}"))),
    }
}

fn num_vs_text(op: CmpOp, n: NumExpr, s: String) -> BoolExpr {
    match (s.trim().parse::<f64>(), n) {
        (Ok(x), n) => BoolExpr::NumCmp(op, n, NumExpr::Lit(x)),
        (Err(_), NumExpr::Column(i)) => {
            BoolExpr::StrCmp(op, StrExpr::NumColumn(i), StrExpr::Lit(s))
        }
        (Err(_), _) => BoolExpr::Lit(op == CmpOp::Ne),
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        same => same,
    }
}

fn negate(b: BoolExpr, negated: bool) -> BoolExpr {
    if negated {
        BoolExpr::Not(Box::new(b))
    } else {
        b
    }
}

/// Spans for [`super::parse_funcs`].
pub(super) fn error_at(span: Span, msg: impl Into<String>) -> ExprError {
    err_at(span, msg)
}
