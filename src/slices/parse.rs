//! SQL WHERE-clause text to a typed [`BoolExpr`], with positioned errors.
//!
//! Parsing uses `sqlparser`'s generic dialect, so a slice written here runs unchanged as a
//! WHERE clause in Spark SQL, DuckDB or DataFusion.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlparser::ast::{Expr, Ident, InTarget, UnaryOperator, Value};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token, Tokenizer};

use super::error::ExprError;
use super::expr::{BoolExpr, CmpOp, NumExpr, StrExpr, Typed};
use super::flatten::{MAX_NESTING, dismantle, nesting_error, span};
use crate::data::table::{ColumnData, ColumnKind, Table, closest};

/// What names an expression can refer to, and how deep the typing has nested so far.
pub struct Scope<'a> {
    pub(super) table: &'a Table,
    slice_names: &'a HashSet<String>,
    own_name: Option<&'a str>,
    // Atomic only so that a scope can be lent to the big-stack thread; one thread uses it at a time.
    depth: AtomicUsize,
}

impl<'a> Scope<'a> {
    /// Names resolve to `table`'s columns first, then to `slice_names` other than `own_name` (a
    /// slice may not refer to itself). A set gives constant-time lookups for large slice sets.
    pub fn new(
        table: &'a Table,
        slice_names: &'a HashSet<String>,
        own_name: Option<&'a str>,
    ) -> Self {
        Self {
            table,
            slice_names,
            own_name,
            depth: AtomicUsize::new(0),
        }
    }
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
    if text.len() <= LONG_TEXT {
        return parse_here(text, scope);
    }
    on_big_stack(text.len(), || parse_here(text, scope))
}

/// Parses, types and takes the tree apart on this thread's stack.
fn parse_here(text: &str, scope: &Scope) -> Result<BoolExpr, ExprError> {
    let ast = parse_tokens(text)?;
    let typed = scope.typed(&ast).and_then(|t| scope.as_bool(t, &ast));
    // sqlparser's own drop recurses down long chains; this one does not.
    dismantle(ast);
    typed
}

/// Parses the text as one SQL expression (syntax only).
///
/// Nesting deeper than [`MAX_NESTING`] levels is an error. The tree of a long chain is deep:
/// [`parse_slice`] takes it apart without recursion, while a plain drop may overflow the stack.
pub fn parse_sql(text: &str) -> Result<Expr, ExprError> {
    if text.len() <= LONG_TEXT {
        return parse_tokens(text);
    }
    on_big_stack(text.len(), || parse_tokens(text))
}

/// Runs `work` for a text of `len` bytes on a thread with room for sqlparser's own recursion.
///
/// The chains slicelab types itself are walked in loops, but sqlparser recurses through its trees
/// in places slicelab cannot reach: dropping a partly built tree after a syntax error, and the span
/// and drop of constructs slices do not support (a long chain inside `CASE`, `EXISTS`, a tuple,
/// ...), which only need an error message. The stack is only reserved; it is touched only on
/// those paths.
fn on_big_stack<T: Send>(
    len: usize,
    work: impl FnOnce() -> Result<T, ExprError> + Send,
) -> Result<T, ExprError> {
    let stack = (1 << 20) + len.saturating_mul(STACK_PER_CHAR);
    std::thread::scope(|s| {
        let run = std::thread::Builder::new()
            .name("slice-parse".into())
            .stack_size(stack)
            .spawn_scoped(s, work);
        match run {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(e) => Err(ExprError::new(
                format!("the expression is too long to parse here ({e})"),
                1,
                1,
            )),
        }
    })
}

/// Texts up to this many bytes are handled on the caller's stack: at most 512 chained operators,
/// whose recursive span or drop by sqlparser fits a 2 MiB worker stack even unoptimised.
const LONG_TEXT: usize = 1 << 10;

/// Stack reserved per byte of a longer text: a chained operator takes at least two bytes, and
/// sqlparser's recursive span and drop took up to about 1 KiB per level in unoptimised builds.
const STACK_PER_CHAR: usize = 512;

fn parse_tokens(text: &str) -> Result<Expr, ExprError> {
    let dialect = GenericDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|e| located(&e.to_string(), text))?;
    if let Some(at) = nesting_error(&tokens) {
        return Err(too_deep(at));
    }
    // The parser's own limit only backs up the token check: its levels are not quite the same.
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(2 * MAX_NESTING + 16)
        .with_tokens_with_locations(tokens);
    let ast = parser.parse_expr().map_err(|e| match e {
        // sqlparser's message has no position: the parser stopped before the next token.
        ParserError::RecursionLimitExceeded => too_deep(parser.peek_token().span),
        other => located(&other.to_string(), text),
    })?;
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
        )
        .on_line(next.span.start.line as usize));
    }
    Ok(ast)
}

/// Turns sqlparser's "... at Line: 1, Column: 7" message into a positioned error.
fn located(message: &str, text: &str) -> ExprError {
    let message = message.trim_start_matches("sql parser error: ");
    let (msg, line, col) = match message.rfind(" at Line: ") {
        Some(at) => {
            let place = &message[at + " at Line: ".len()..];
            let line = place.split(',').next().and_then(|l| l.trim().parse().ok());
            let col = place
                .rsplit("Column: ")
                .next()
                .and_then(|c| c.trim().parse().ok());
            (&message[..at], line, col)
        }
        None => (message, None, None),
    };
    // Without a position the problem is at the end of the text.
    let last_line = text.split('\n').count();
    let (line, col) = match (line, col) {
        (Some(l), Some(c)) => (l, c),
        _ => (
            last_line,
            text.split('\n')
                .next_back()
                .map_or(0, |l| l.chars().count())
                + 1,
        ),
    };
    ExprError::new(msg.replace("Expected: ", "expected "), col, 1).on_line(line)
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
    ExprError::new(msg, col, width).on_line(span.start.line as usize)
}

/// An error under the whole of `e` (its span is computed only now, on the error path).
pub(super) fn err_on(e: &Expr, msg: impl Into<String>) -> ExprError {
    err_at(span(e), msg)
}

/// The error for nesting past [`MAX_NESTING`], pointing at where the excess starts.
fn too_deep(at: Span) -> ExprError {
    let col = (at.start.column as usize).max(1);
    ExprError::new(
        format!("expression nested too deeply (more than {MAX_NESTING} levels)"),
        col,
        1,
    )
    .on_line(at.start.line as usize)
}

impl Scope<'_> {
    /// Type-checks any expression.
    ///
    /// Recursive for nested parts, so the depth is counted and bounded by [`MAX_NESTING`]; chains
    /// like `a OR b OR ...` are typed in a loop and count once.
    pub fn typed(&self, e: &Expr) -> Result<Typed, ExprError> {
        // Parentheses add no level here: the token check has counted them already.
        let mut e = e;
        while let Expr::Nested(inner) = e {
            e = inner;
        }
        let depth = self.depth.load(Ordering::Relaxed) + 1;
        // The margin lets everything the token check allows through (an operand sits a level or
        // two below its operators); what is left is postfix chains like `x IS NULL IS NULL ...`.
        if depth > MAX_NESTING + 16 {
            return Err(too_deep(span(e)));
        }
        self.depth.store(depth, Ordering::Relaxed);
        let out = self.typed_node(e);
        self.depth.store(depth - 1, Ordering::Relaxed);
        out
    }

    fn typed_node(&self, e: &Expr) -> Result<Typed, ExprError> {
        match e {
            Expr::Identifier(id) => self.ident(id),
            Expr::CompoundIdentifier(parts) => Err(err_on(
                e,
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
            Expr::UnaryOp { op, expr } => self.unary(*op, expr, e),
            Expr::BinaryOp { .. } => self.chain(e),
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
                let ge = self.compare(self.typed(expr)?, CmpOp::Ge, low, e)?;
                let le = self.compare(self.typed(expr)?, CmpOp::Le, high, e)?;
                Ok(Typed::Bool(negate(BoolExpr::And(vec![ge, le]), *negated)))
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
            other => Err(err_on(
                other,
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
        let own = |name: &str| self.own_name == Some(name);
        if self.slice_names.contains(&id.value) && !own(&id.value) {
            return Ok(Typed::Bool(BoolExpr::SliceRef(id.value.clone())));
        }
        // `closest` sorts by distance, then name, so the set's order does not matter.
        let names = self.table.columns.iter().map(|c| c.name.as_str()).chain(
            self.slice_names
                .iter()
                .map(String::as_str)
                .filter(|n| !own(n)),
        );
        let hint = closest(&id.value, names, 3).join(", ");
        let (col, _) = span_of(id.span, 1);
        // `"Female"` is a quoted column name in SQL; the user almost always meant a string.
        let message = if id.quote_style == Some('"') {
            format!(
                "unknown column '{0}' (double quotes name a column; strings take single quotes: '{0}'); did you mean: {hint}?",
                id.value
            )
        } else {
            format!("unknown column '{}'; did you mean: {hint}?", id.value)
        };
        Err(ExprError::new(
            message,
            col,
            id.value.chars().count() + if id.quote_style.is_some() { 2 } else { 0 },
        )
        .on_line(id.span.start.line as usize))
    }

    fn unary(&self, op: UnaryOperator, inner: &Expr, e: &Expr) -> Result<Typed, ExprError> {
        match op {
            UnaryOperator::Not => Ok(Typed::Bool(BoolExpr::Not(Box::new(self.bool(inner)?)))),
            UnaryOperator::Minus => Ok(Typed::Num(NumExpr::Neg(Box::new(self.num(inner)?)))),
            UnaryOperator::Plus => Ok(Typed::Num(self.num(inner)?)),
            other => Err(err_on(e, format!("unsupported operator '{other}'"))),
        }
    }

    /// Type-checks an expression that must be a condition.
    pub fn bool(&self, e: &Expr) -> Result<BoolExpr, ExprError> {
        let t = self.typed(e)?;
        self.as_bool(t, e)
    }

    /// `t`, the type of `e`, as a condition.
    pub(super) fn as_bool(&self, t: Typed, e: &Expr) -> Result<BoolExpr, ExprError> {
        match t {
            Typed::Bool(b) => Ok(b),
            Typed::Num(NumExpr::Column(i)) if self.table.columns[i].kind == ColumnKind::Boolean => {
                Ok(BoolExpr::Truthy(NumExpr::Column(i)))
            }
            other => Err(err_on(
                e,
                format!(
                    "expected a condition (a comparison, or a 0/1 column), found {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// Type-checks an expression that must be numeric.
    pub fn num(&self, e: &Expr) -> Result<NumExpr, ExprError> {
        let t = self.typed(e)?;
        self.as_num(t, e)
    }

    /// `t`, the type of `e`, as a number.
    pub(super) fn as_num(&self, t: Typed, e: &Expr) -> Result<NumExpr, ExprError> {
        match t {
            Typed::Num(n) => Ok(n),
            Typed::Str(StrExpr::Lit(s)) if s.trim().parse::<f64>().is_ok() => {
                Ok(NumExpr::Lit(s.trim().parse().unwrap_or(0.0)))
            }
            other => Err(err_on(
                e,
                format!("expected a number, found {}", other.type_name()),
            )),
        }
    }

    /// Type-checks an expression that must be a string.
    pub fn str(&self, e: &Expr) -> Result<StrExpr, ExprError> {
        match self.typed(e)? {
            Typed::Str(s) => Ok(s),
            Typed::Num(NumExpr::Column(i)) => Ok(StrExpr::NumColumn(i)),
            other => Err(err_on(
                e,
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

/// `NOT b` if `negated`.
pub(super) fn negate(b: BoolExpr, negated: bool) -> BoolExpr {
    if negated {
        BoolExpr::Not(Box::new(b))
    } else {
        b
    }
}
