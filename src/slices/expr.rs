//! The typed slice expression that parsing produces and evaluation consumes.

use regex::Regex;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<>` / `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Applies the operator to two ordered values.
    pub fn test<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

/// A numeric function of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFunc {
    /// `ABS`
    Abs,
    /// `SQRT`
    Sqrt,
    /// `LN`
    Ln,
    /// `EXP`
    Exp,
    /// `FLOOR`
    Floor,
    /// `CEIL`
    Ceil,
    /// `ROUND`
    Round,
}

impl NumFunc {
    /// Applies the function.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            NumFunc::Abs => x.abs(),
            NumFunc::Sqrt => x.sqrt(),
            NumFunc::Ln => x.ln(),
            NumFunc::Exp => x.exp(),
            NumFunc::Floor => x.floor(),
            NumFunc::Ceil => x.ceil(),
            NumFunc::Round => x.round(),
        }
    }
}

/// A string function of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFunc {
    /// `LOWER`
    Lower,
    /// `UPPER`
    Upper,
    /// `TRIM`
    Trim,
}

/// What a numeric function of a string counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrMeasure {
    /// `LENGTH`: characters.
    Length,
    /// `WORD_COUNT`: whitespace-separated words.
    Words,
}

impl StrMeasure {
    /// Applies the count.
    pub fn apply(self, s: &str) -> f64 {
        match self {
            StrMeasure::Length => s.chars().count() as f64,
            StrMeasure::Words => super::text::word_count(s) as f64,
        }
    }
}

/// A numeric-valued expression.
#[derive(Debug, Clone)]
pub enum NumExpr {
    /// A numerically stored column (by index in the table).
    Column(usize),
    /// A constant.
    Lit(f64),
    /// Arithmetic: the first operand, then each `(operator, operand)` applied left to right, so
    /// `a - b + c` is `((a - b) + c)`. Chains are flat so that long ones need no deep recursion.
    Arith(Box<NumExpr>, Vec<(ArithOp, NumExpr)>),
    /// Unary minus.
    Neg(Box<NumExpr>),
    /// A numeric function.
    Func(NumFunc, Box<NumExpr>),
    /// A count over a string: `LENGTH(s)` or `WORD_COUNT(s)`.
    Measure(StrMeasure, Box<StrExpr>),
}

/// A string-valued expression.
#[derive(Debug, Clone)]
pub enum StrExpr {
    /// A string column (by index in the table).
    Column(usize),
    /// A numerically stored column read as text (e.g. integer categories compared to `'3'`).
    NumColumn(usize),
    /// A constant.
    Lit(String),
    /// A string function.
    Func(StrFunc, Box<StrExpr>),
}

/// What a [`BoolExpr::Matches`] was written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchSource {
    /// `LIKE` (or `ILIKE` when `case_insensitive`) with this pattern (a backslash escapes).
    Like {
        /// The pattern as written.
        pattern: String,
        /// `ILIKE`.
        case_insensitive: bool,
    },
    /// `REGEXP_LIKE(s, pattern)` with this regular expression.
    Regex(String),
    /// `IS_QUESTION(s)`.
    Question,
    /// `HAS_NEGATION(s)`.
    Negation,
}

/// A boolean-valued expression: a slicing function.
#[derive(Debug, Clone)]
pub enum BoolExpr {
    /// A constant.
    Lit(bool),
    /// A numeric column read as a predicate (non-zero = true).
    Truthy(NumExpr),
    /// Another named slice of the same set.
    SliceRef(String),
    /// `NOT`
    Not(Box<BoolExpr>),
    /// `AND` of all the terms (flat, so a chain of any length needs no deep recursion).
    And(Vec<BoolExpr>),
    /// `OR` of all the terms (flat, like [`BoolExpr::And`]).
    Or(Vec<BoolExpr>),
    /// `a = b` on two conditions: NULL if either is NULL, else whether they agree.
    Same(Box<BoolExpr>, Box<BoolExpr>),
    /// Numeric comparison.
    NumCmp(CmpOp, NumExpr, NumExpr),
    /// String comparison.
    StrCmp(CmpOp, StrExpr, StrExpr),
    /// `x IN (numbers)`.
    NumIn(NumExpr, Vec<f64>),
    /// `s IN (strings)`.
    StrIn(StrExpr, Vec<String>),
    /// `IS NULL` on a numeric expression.
    NumIsNull(NumExpr),
    /// `IS NULL` on a string expression.
    StrIsNull(StrExpr),
    /// `LIKE`, `ILIKE`, `REGEXP_LIKE` and the text tests, compiled to a regex; the source says
    /// which one it was written as (SQL translation needs it, evaluation only the regex).
    Matches(StrExpr, Regex, MatchSource),
}

/// An expression of any type, as produced while type-checking.
#[derive(Debug, Clone)]
pub enum Typed {
    /// Boolean.
    Bool(BoolExpr),
    /// Numeric.
    Num(NumExpr),
    /// String.
    Str(StrExpr),
}

impl Typed {
    /// The type's name for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Typed::Bool(_) => "a boolean",
            Typed::Num(_) => "a number",
            Typed::Str(_) => "a string",
        }
    }
}

impl BoolExpr {
    /// Names of the other slices this expression refers to.
    ///
    /// Recursive: typed trees are at most [`super::flatten::MAX_NESTING`] levels deep.
    pub fn slice_refs(&self, out: &mut Vec<String>) {
        match self {
            BoolExpr::SliceRef(name) => out.push(name.clone()),
            BoolExpr::Not(a) => a.slice_refs(out),
            BoolExpr::And(terms) | BoolExpr::Or(terms) => {
                terms.iter().for_each(|t| t.slice_refs(out));
            }
            BoolExpr::Same(a, b) => {
                a.slice_refs(out);
                b.slice_refs(out);
            }
            _ => {}
        }
    }
}
