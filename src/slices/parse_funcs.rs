//! SQL function calls in slicing functions: LENGTH, LOWER, UPPER, TRIM, ABS, ..., REGEXP_LIKE.

use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments};

use super::error::ExprError;
use super::expr::{BoolExpr, MatchSource, NumExpr, NumFunc, StrExpr, StrFunc, StrMeasure, Typed};
use super::parse::{Scope, err_on};
use super::text::{NEGATION_PATTERN, QUESTION_PATTERN, pattern};

/// The functions a slice expression may call, for help texts.
pub const FUNCTIONS: &[&str] = &[
    "LENGTH(s)",
    "WORD_COUNT(s)",
    "IS_QUESTION(s)",
    "HAS_NEGATION(s)",
    "LOWER(s)",
    "UPPER(s)",
    "TRIM(s)",
    "REGEXP_LIKE(s, 'pattern')",
    "ABS(x)",
    "SQRT(x)",
    "LN(x)",
    "EXP(x)",
    "FLOOR(x)",
    "CEIL(x)",
    "ROUND(x)",
];

/// Type-checks a function call.
pub(super) fn function(scope: &Scope, e: &Expr) -> Result<Typed, ExprError> {
    match e {
        Expr::Ceil { expr, .. } => Ok(Typed::Num(NumExpr::Func(
            NumFunc::Ceil,
            Box::new(scope.num(expr)?),
        ))),
        Expr::Floor { expr, .. } => Ok(Typed::Num(NumExpr::Func(
            NumFunc::Floor,
            Box::new(scope.num(expr)?),
        ))),
        Expr::Trim {
            expr,
            trim_what: None,
            trim_characters: None,
            ..
        } => Ok(Typed::Str(StrExpr::Func(
            StrFunc::Trim,
            Box::new(scope.str(expr)?),
        ))),
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            let args = plain_args(&f.args)
                .ok_or_else(|| err_on(e, format!("{name}: unsupported argument syntax")))?;
            call(scope, &name, &args, e)
        }
        other => Err(err_on(other, format!("unsupported function '{other}'"))),
    }
}

fn plain_args(args: &FunctionArguments) -> Option<Vec<&Expr>> {
    match args {
        FunctionArguments::None => Some(Vec::new()),
        FunctionArguments::List(list) => list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
        FunctionArguments::Subquery(_) => None,
    }
}

fn call(scope: &Scope, name: &str, args: &[&Expr], e: &Expr) -> Result<Typed, ExprError> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(err_on(
                e,
                format!(
                    "{} takes {n} argument(s), found {}",
                    name.to_uppercase(),
                    args.len()
                ),
            ))
        }
    };
    let num_func = |f| -> Result<Typed, ExprError> {
        arity(1)?;
        Ok(Typed::Num(NumExpr::Func(f, Box::new(scope.num(args[0])?))))
    };
    let str_func = |f| -> Result<Typed, ExprError> {
        arity(1)?;
        Ok(Typed::Str(StrExpr::Func(f, Box::new(scope.str(args[0])?))))
    };
    let measure = |m| -> Result<Typed, ExprError> {
        arity(1)?;
        Ok(Typed::Num(NumExpr::Measure(
            m,
            Box::new(scope.str(args[0])?),
        )))
    };
    let text_test = |p, source| -> Result<Typed, ExprError> {
        arity(1)?;
        Ok(Typed::Bool(BoolExpr::Matches(
            scope.str(args[0])?,
            pattern(p),
            source,
        )))
    };
    match name {
        "length" | "char_length" | "len" => measure(StrMeasure::Length),
        "word_count" | "words" => measure(StrMeasure::Words),
        "is_question" => text_test(QUESTION_PATTERN, MatchSource::Question),
        "has_negation" | "contains_negation" => text_test(NEGATION_PATTERN, MatchSource::Negation),
        "lower" | "lcase" => str_func(StrFunc::Lower),
        "upper" | "ucase" => str_func(StrFunc::Upper),
        "trim" => str_func(StrFunc::Trim),
        "abs" => num_func(NumFunc::Abs),
        "sqrt" => num_func(NumFunc::Sqrt),
        "ln" => num_func(NumFunc::Ln),
        "exp" => num_func(NumFunc::Exp),
        "floor" => num_func(NumFunc::Floor),
        "ceil" | "ceiling" => num_func(NumFunc::Ceil),
        "round" => num_func(NumFunc::Round),
        "regexp_like" | "regexp_matches" => {
            arity(2)?;
            let target = scope.str(args[0])?;
            let Typed::Str(StrExpr::Lit(p)) = scope.typed(args[1])? else {
                return Err(err_on(args[1], "expected a string constant pattern"));
            };
            let re = regex::Regex::new(&p)
                .map_err(|err| err_on(args[1], format!("bad regular expression: {err}")))?;
            Ok(Typed::Bool(BoolExpr::Matches(
                target,
                re,
                MatchSource::Regex(p),
            )))
        }
        _ => Err(err_on(
            e,
            format!(
                "unknown function '{}'; available: {}",
                name.to_uppercase(),
                FUNCTIONS.join(", ")
            ),
        )),
    }
}
