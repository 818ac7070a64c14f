//! Walking `sqlparser` expression trees without recursion.
//!
//! sqlparser parses `a OR b OR c` in a loop but builds `((a OR b) OR c)`: a chain of n terms is a
//! left spine n levels deep. Its own `span()` and `Drop` recurse over that spine, which overflows a
//! 2 MiB thread stack at a few thousand terms and makes per-operator spans quadratic. This module
//! gives the typing code the spine as a list, spans computed by an explicit stack, and a drop that
//! takes the tree apart in a loop. Everything that still recurses is bounded by [`MAX_NESTING`],
//! checked on the tokens before parsing (`nesting_error`) and again while typing.

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, InTarget, Spanned,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

/// How deeply expressions may nest (parentheses, `NOT`, unary minus, function calls, postfix
/// `IS NULL`...): the limit for the recursive parsing, typing and evaluation of nested parts.
///
/// Chains of one associative level (`a OR b OR ...`, `x + y - z + ...`) do not count: they are
/// flattened. 128 levels fit a 2 MiB stack in a debug build (256 did not).
pub const MAX_NESTING: usize = 128;

/// The first token nested more than [`MAX_NESTING`] levels deep, if any.
///
/// Checked before parsing because sqlparser, on reaching its recursion limit inside `NOT`, retries
/// `NOT` as a column name and reports a confusing error elsewhere. A level is an open parenthesis
/// or a prefix operator (`NOT`, `-`, `+`) before its operand; binary `-` and `IS NOT` count one
/// level at most, which the margin between the limits absorbs.
pub(super) fn nesting_error(tokens: &[TokenWithSpan]) -> Option<Span> {
    // Depth outside each open parenthesis; depth of the innermost one; prefix operators since.
    let mut outer: Vec<usize> = Vec::new();
    let (mut base, mut run) = (0usize, 0usize);
    for t in tokens {
        match &t.token {
            Token::Whitespace(_) => continue,
            Token::LParen => {
                outer.push(base);
                base += run + 1;
                run = 0;
            }
            Token::RParen => {
                base = outer.pop().unwrap_or(0);
                run = 0;
            }
            Token::Minus | Token::Plus => run += 1,
            Token::Word(w) if w.keyword == Keyword::NOT && w.quote_style.is_none() => run += 1,
            _ => run = 0,
        }
        if base + run > MAX_NESTING {
            return Some(t.span);
        }
    }
    None
}

/// One operator of a chain: the whole `left op right` node, the operator and its right operand.
pub(super) type Link<'a> = (&'a Expr, &'a BinaryOperator, &'a Expr);

/// The operand a chain of binary operators starts from, and its operators innermost first.
///
/// For `a OR b AND c OR d` (parsed as `(a OR (b AND c)) OR d`) this is `a` and the links
/// `OR (b AND c)`, `OR d`: folding the right operands onto `a` in that order rebuilds the tree's
/// value with no recursion along the spine.
pub(super) fn left_spine(e: &Expr) -> (&Expr, Vec<Link<'_>>) {
    let mut spine = Vec::new();
    let mut leaf = e;
    while let Expr::BinaryOp { left, op, right } = leaf {
        spine.push((leaf, op, &**right));
        leaf = left;
    }
    spine.reverse();
    (leaf, spine)
}

/// The span sqlparser's `Expr::span` would give (the union of the leaves' spans), computed with an
/// explicit stack so that a long chain neither overflows nor costs more than its size.
pub(super) fn span(e: &Expr) -> Span {
    let mut out = Span::empty();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::BinaryOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right) => stack.extend([&**left, &**right]),
            Expr::Like { expr, pattern, .. }
            | Expr::ILike { expr, pattern, .. }
            | Expr::SimilarTo { expr, pattern, .. } => stack.extend([&**expr, &**pattern]),
            Expr::Between {
                expr, low, high, ..
            } => stack.extend([&**expr, &**low, &**high]),
            Expr::In {
                expr,
                target: InTarget::List(list),
                ..
            } => {
                stack.push(expr);
                stack.extend(list);
            }
            Expr::UnaryOp { expr, .. }
            | Expr::Nested(expr)
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::IsTrue(expr)
            | Expr::IsNotTrue(expr)
            | Expr::IsFalse(expr)
            | Expr::IsNotFalse(expr)
            | Expr::IsUnknown(expr)
            | Expr::IsNotUnknown(expr)
            | Expr::Ceil { expr, .. }
            | Expr::Floor { expr, .. }
            | Expr::Cast { expr, .. } => stack.push(expr),
            Expr::Function(f) => {
                out = f.name.0.iter().fold(out, |s, part| s.union(&part.span()));
                out = out.union(&f.parameters.span());
                match &f.args {
                    FunctionArguments::List(list) => {
                        for arg in &list.args {
                            match arg {
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) => stack.push(a),
                                other => out = out.union(&other.span()),
                            }
                        }
                    }
                    other => out = out.union(&other.span()),
                }
            }
            // Leaves, and constructs slices do not support (rejected with this span): their own
            // recursion is bounded by the parser's nesting limit unless they hold a long chain.
            other => out = out.union(&other.span()),
        }
    }
    out
}

/// Drops a parsed expression without recursing down its chains.
///
/// Each node's boxed children are swapped for a placeholder and pushed onto a stack, so every node
/// is dropped with no deep children left under it.
pub(super) fn dismantle(e: Expr) {
    let mut stack = vec![e];
    while let Some(mut e) = stack.pop() {
        match &mut e {
            Expr::BinaryOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right) => stack.extend([take(left), take(right)]),
            Expr::Like { expr, pattern, .. }
            | Expr::ILike { expr, pattern, .. }
            | Expr::SimilarTo { expr, pattern, .. } => stack.extend([take(expr), take(pattern)]),
            Expr::Between {
                expr, low, high, ..
            } => stack.extend([take(expr), take(low), take(high)]),
            Expr::In {
                expr,
                target: InTarget::List(list),
                ..
            } => {
                stack.push(take(expr));
                stack.append(list);
            }
            Expr::UnaryOp { expr, .. }
            | Expr::Nested(expr)
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::IsTrue(expr)
            | Expr::IsNotTrue(expr)
            | Expr::IsFalse(expr)
            | Expr::IsNotFalse(expr)
            | Expr::IsUnknown(expr)
            | Expr::IsNotUnknown(expr)
            | Expr::Ceil { expr, .. }
            | Expr::Floor { expr, .. }
            | Expr::Cast { expr, .. } => stack.push(take(expr)),
            Expr::Function(f) => {
                if let FunctionArguments::List(list) = &mut f.args {
                    for arg in &mut list.args {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) = arg {
                            stack.push(std::mem::replace(a, placeholder()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn take(b: &mut Box<Expr>) -> Expr {
    std::mem::replace(&mut **b, placeholder())
}

/// A leaf to leave in a taken child's place; an empty identifier does not allocate.
fn placeholder() -> Expr {
    Expr::Identifier(Ident::new(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slices::parse::parse_sql;

    #[test]
    fn span_matches_sqlparser_on_ordinary_expressions() {
        for text in [
            "a > 1 AND NOT (b < 2 OR c IS NULL)",
            "ABS(x1 + 2) * 3 BETWEEN 1 AND 4",
            "s LIKE '%x%' OR t IN (1, 2, 3)",
        ] {
            let e = parse_sql(text).unwrap_or_else(|err| panic!("{}", err.message));
            assert_eq!(span(&e), e.span(), "{text}");
            dismantle(e);
        }
    }

    #[test]
    fn left_spine_lists_a_chain_innermost_first() {
        let e = parse_sql("a OR b OR c").unwrap_or_else(|err| panic!("{}", err.message));
        let (leaf, spine) = left_spine(&e);
        assert_eq!(leaf.to_string(), "a");
        let shown: Vec<String> = spine.iter().map(|(n, _, r)| format!("{n} / {r}")).collect();
        assert_eq!(shown, ["a OR b / b", "a OR b OR c / c"]);
        dismantle(e);
    }
}
