//! Typing of operators: chains of binary operators (flattened), comparisons, `IN`, `LIKE` and
//! `IS NULL`.

use sqlparser::ast::{BinaryOperator, Expr};

use super::error::ExprError;
use super::expr::{ArithOp, BoolExpr, CmpOp, MatchSource, NumExpr, StrExpr, Typed};
use super::flatten::left_spine;
use super::like::like_regex;
use super::parse::{Scope, err_on, negate};
use crate::data::date::parse_date;
use crate::data::table::{ColumnKind, format_number};

/// What a binary operator does, once mapped from sqlparser's.
#[derive(Clone, Copy)]
enum Op {
    And,
    Or,
    Cmp(CmpOp),
    Arith(ArithOp),
}

fn op_of(op: &BinaryOperator) -> Option<Op> {
    Some(match op {
        BinaryOperator::And => Op::And,
        BinaryOperator::Or => Op::Or,
        BinaryOperator::Eq => Op::Cmp(CmpOp::Eq),
        BinaryOperator::NotEq => Op::Cmp(CmpOp::Ne),
        BinaryOperator::Lt => Op::Cmp(CmpOp::Lt),
        BinaryOperator::LtEq => Op::Cmp(CmpOp::Le),
        BinaryOperator::Gt => Op::Cmp(CmpOp::Gt),
        BinaryOperator::GtEq => Op::Cmp(CmpOp::Ge),
        BinaryOperator::Plus => Op::Arith(ArithOp::Add),
        BinaryOperator::Minus => Op::Arith(ArithOp::Sub),
        BinaryOperator::Multiply => Op::Arith(ArithOp::Mul),
        BinaryOperator::Divide => Op::Arith(ArithOp::Div),
        BinaryOperator::Modulo => Op::Arith(ArithOp::Mod),
        _ => return None,
    })
}

impl Scope<'_> {
    /// Types `e`, a binary operator, by folding its left spine in a loop.
    ///
    /// `a OR b OR c` becomes one n-ary `OR`, `a + b - c` one arithmetic chain: the same values as
    /// the nested tree, with no recursion along the chain. Errors come in the order the nested
    /// typing would give them: an unsupported operator first (the outermost), then left to right.
    pub(super) fn chain(&self, e: &Expr) -> Result<Typed, ExprError> {
        let (leaf, spine) = left_spine(e);
        let unsupported =
            |node: &Expr, op: &BinaryOperator| err_on(node, format!("unsupported operator '{op}'"));
        // The nested typing reaches the outermost unsupported operator before typing anything.
        if let Some((node, op, _)) = spine.iter().rev().find(|(_, op, _)| op_of(op).is_none()) {
            return Err(unsupported(node, op));
        }
        let mut acc = self.typed(leaf)?;
        let mut left = leaf;
        for (node, op, right) in spine {
            let op = op_of(op).ok_or_else(|| unsupported(node, op))?;
            acc = self.binary(acc, left, op, right, node)?;
            left = node;
        }
        Ok(acc)
    }

    /// `l op right`, where `l` is the type of `left` and `node` the whole expression.
    fn binary(
        &self,
        l: Typed,
        left: &Expr,
        op: Op,
        right: &Expr,
        node: &Expr,
    ) -> Result<Typed, ExprError> {
        match op {
            Op::And | Op::Or => {
                let a = self.as_bool(l, left)?;
                let b = self.bool(right)?;
                Ok(Typed::Bool(join(a, b, matches!(op, Op::And))))
            }
            Op::Cmp(cmp) => Ok(Typed::Bool(self.compare(l, cmp, right, node)?)),
            Op::Arith(arith) => {
                let a = self.as_num(l, left)?;
                let b = self.num(right)?;
                Ok(Typed::Num(match a {
                    NumExpr::Arith(first, mut rest) => {
                        rest.push((arith, b));
                        NumExpr::Arith(first, rest)
                    }
                    a => NumExpr::Arith(Box::new(a), vec![(arith, b)]),
                }))
            }
        }
    }

    /// Type-checks `l op right`, coercing literals to the other side's type; `node` is the whole
    /// comparison, for errors.
    pub(super) fn compare(
        &self,
        l: Typed,
        op: CmpOp,
        right: &Expr,
        node: &Expr,
    ) -> Result<BoolExpr, ExprError> {
        let r = self.typed(right)?;
        match (l, r) {
            (Typed::Num(a), Typed::Num(b)) => Ok(BoolExpr::NumCmp(op, a, b)),
            (Typed::Str(a), Typed::Str(b)) => Ok(BoolExpr::StrCmp(op, a, b)),
            (Typed::Num(a), Typed::Str(StrExpr::Lit(s))) => self.num_vs_text(op, a, s, node),
            (Typed::Str(StrExpr::Lit(s)), Typed::Num(b)) => self.num_vs_text(flip(op), b, s, node),
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
            // One node rather than `(a AND b) OR (NOT a AND NOT b)`: that copies both sides, so a
            // chain `p = q = r = ...` would grow exponentially.
            (Typed::Bool(a), Typed::Bool(b)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => Ok(negate(
                BoolExpr::Same(Box::new(a), Box::new(b)),
                op == CmpOp::Ne,
            )),
            (a, b) => Err(err_on(
                node,
                format!("cannot compare {} with {}", a.type_name(), b.type_name()),
            )),
        }
    }

    /// `expr [NOT] IN (list)`.
    pub(super) fn in_list(
        &self,
        expr: &Expr,
        list: &[Expr],
        negated: bool,
    ) -> Result<Typed, ExprError> {
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
                    return Err(err_on(
                        item,
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
                return Err(err_on(
                    expr,
                    "expected a number or string before IN, found a condition",
                ));
            }
        };
        Ok(Typed::Bool(negate(b, negated)))
    }

    /// `expr [NOT] [I]LIKE pattern`.
    pub(super) fn like(
        &self,
        expr: &Expr,
        pattern: &Expr,
        negated: bool,
        ci: bool,
    ) -> Result<Typed, ExprError> {
        let target = self.str(expr)?;
        let Typed::Str(StrExpr::Lit(p)) = self.typed(pattern)? else {
            return Err(err_on(pattern, "expected a string pattern like '%word%'"));
        };
        let re = like_regex(&p, ci).map_err(|e| err_on(pattern, format!("bad pattern: {e}")))?;
        let source = MatchSource::Like {
            pattern: p,
            case_insensitive: ci,
        };
        Ok(Typed::Bool(negate(
            BoolExpr::Matches(target, re, source),
            negated,
        )))
    }

    /// `inner IS NULL`.
    pub(super) fn is_null(&self, inner: &Expr) -> Result<Typed, ExprError> {
        Ok(Typed::Bool(self.is_null_bool(inner)?))
    }

    /// `inner IS NULL` as a condition.
    pub(super) fn is_null_bool(&self, inner: &Expr) -> Result<BoolExpr, ExprError> {
        Ok(match self.typed(inner)? {
            Typed::Num(n) => BoolExpr::NumIsNull(n),
            Typed::Str(s) => BoolExpr::StrIsNull(s),
            Typed::Bool(_) => BoolExpr::Lit(false),
        })
    }
}

/// `a AND b` or `a OR b`, extending `a` when it already is such a chain (both are associative
/// under SQL's three-valued logic, so the flat form has the same value).
fn join(a: BoolExpr, b: BoolExpr, and: bool) -> BoolExpr {
    match (a, and) {
        (BoolExpr::And(mut terms), true) => {
            terms.push(b);
            BoolExpr::And(terms)
        }
        (BoolExpr::Or(mut terms), false) => {
            terms.push(b);
            BoolExpr::Or(terms)
        }
        (a, true) => BoolExpr::And(vec![a, b]),
        (a, false) => BoolExpr::Or(vec![a, b]),
    }
}

impl Scope<'_> {
    /// `n op 'text'`: a date column compares with an ISO date literal as day numbers.
    fn num_vs_text(
        &self,
        op: CmpOp,
        n: NumExpr,
        s: String,
        node: &Expr,
    ) -> Result<BoolExpr, ExprError> {
        let date = match n {
            NumExpr::Column(i) => {
                Some(&self.table.columns[i]).filter(|c| c.kind == ColumnKind::Date)
            }
            _ => None,
        };
        let Some(col) = date else {
            return self
                .ordered_text(op, &n, &s, node)
                .map(|()| num_vs_text(op, n, s));
        };
        match parse_date(&s) {
            Some(day) => Ok(BoolExpr::NumCmp(op, n, NumExpr::Lit(day))),
            None => Err(err_on(
                node,
                format!(
                    "'{s}' is not an ISO date (2013-01-27) or datetime (2013-01-27 10:11:12), \
                     which date column '{}' compares with",
                    col.name
                ),
            )),
        }
    }
}

impl Scope<'_> {
    /// Refuses `n < 'abc'`: ordering a number against text would silently compare the number's
    /// digits as text (`'9' > '10'`), which no one writing a slice means.
    fn ordered_text(&self, op: CmpOp, n: &NumExpr, s: &str, node: &Expr) -> Result<(), ExprError> {
        if matches!(op, CmpOp::Eq | CmpOp::Ne) || s.trim().parse::<f64>().is_ok() {
            return Ok(());
        }
        let what = match n {
            NumExpr::Column(i) => format!("number column '{}'", self.table.columns[*i].name),
            _ => "a number".to_string(),
        };
        let hint = match parse_date(s) {
            Some(_) => " (a date, but this side holds numbers, not dates)",
            None => "",
        };
        Err(err_on(
            node,
            format!(
                "{what} is ordered against the text '{s}'{hint}; compare it with a number \
                 (without quotes), or use = / != to match its written value"
            ),
        ))
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
