//! Column-wise evaluation of a [`BoolExpr`] into a [`Bitmap`], with SQL NULL semantics.
//!
//! Every node is evaluated over whole columns; string predicates are evaluated once per
//! distinct value (dictionary level) and gathered, so no per-row interpretation happens.

use std::borrow::Cow;
use std::collections::HashMap;

use super::bitmap::Bitmap;
use super::expr::{ArithOp, BoolExpr, CmpOp, NumExpr, StrExpr, StrFunc};
use crate::data::date::format_date;
use crate::data::table::{ColumnData, ColumnKind, MISSING_CODE, Table, format_number};

/// A boolean column under SQL three-valued logic: `t` where true, `null` where unknown.
#[derive(Debug, Clone)]
pub struct Tri {
    /// Rows where the value is true.
    pub t: Bitmap,
    /// Rows where the value is NULL.
    pub null: Bitmap,
}

enum NumVal<'a> {
    Scalar(f64),
    Col(Cow<'a, [f64]>),
}

enum StrVal<'a> {
    Scalar(String),
    Dict {
        codes: Cow<'a, [u32]>,
        levels: Cow<'a, [String]>,
    },
}

/// Evaluates expressions over one table; `slices` holds already evaluated referenced slices.
pub struct Evaluator<'a> {
    /// The data.
    pub table: &'a Table,
    /// Evaluated slices by name.
    pub slices: &'a HashMap<String, Bitmap>,
}

impl<'a> Evaluator<'a> {
    /// The rows where `e` is true (NULL counts as false, as in a WHERE clause).
    pub fn eval(&self, e: &BoolExpr) -> Bitmap {
        self.tri(e).t
    }

    fn n(&self) -> usize {
        self.table.n_rows()
    }

    /// Three-valued evaluation.
    pub fn tri(&self, e: &BoolExpr) -> Tri {
        let n = self.n();
        let known = |t: Bitmap| Tri {
            t,
            null: Bitmap::zeros(n),
        };
        match e {
            BoolExpr::Lit(v) => known(if *v {
                Bitmap::ones(n)
            } else {
                Bitmap::zeros(n)
            }),
            BoolExpr::SliceRef(name) => known(
                self.slices
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Bitmap::zeros(n)),
            ),
            BoolExpr::Not(a) => {
                let a = self.tri(a);
                Tri {
                    t: a.t.or(&a.null).not(),
                    null: a.null,
                }
            }
            BoolExpr::And(terms) => self.and(terms),
            BoolExpr::Or(terms) => self.or(terms),
            BoolExpr::Same(a, b) => {
                let (a, b) = (self.tri(a), self.tri(b));
                let null = a.null.or(&b.null);
                // Equal where both are true or both are false (`t` is never set where NULL).
                let both_false = a.t.or(&a.null).not().and(&b.t.or(&b.null).not());
                Tri {
                    t: a.t.and(&b.t).or(&both_false),
                    null,
                }
            }
            BoolExpr::Truthy(x) => self.num_pred(x, |v| v != 0.0),
            BoolExpr::NumCmp(op, a, b) => self.num_cmp(*op, a, b),
            BoolExpr::NumIn(x, list) => self.num_pred(x, |v| list.contains(&v)),
            BoolExpr::NumIsNull(x) => known(match self.num(x) {
                NumVal::Scalar(v) => Bitmap::from_fn(n, |_| v.is_nan()),
                NumVal::Col(c) => Bitmap::from_fn(n, |i| c[i].is_nan()),
            }),
            BoolExpr::StrIsNull(s) => known(self.str_pred(s, |_| false).null),
            BoolExpr::StrIn(s, list) => self.str_pred(s, |v| list.iter().any(|l| l == v)),
            BoolExpr::Matches(s, re, _) => self.str_pred(s, |v| re.is_match(v)),
            BoolExpr::StrCmp(op, a, b) => self.str_cmp(*op, a, b),
        }
    }

    /// `AND` under three-valued logic: true where all terms are, false where any is, else NULL.
    fn and(&self, terms: &[BoolExpr]) -> Tri {
        let n = self.n();
        let (mut t, mut any_false, mut any_null) =
            (Bitmap::ones(n), Bitmap::zeros(n), Bitmap::zeros(n));
        for term in terms {
            let x = self.tri(term);
            any_false = any_false.or(&x.t.or(&x.null).not());
            any_null = any_null.or(&x.null);
            t = t.and(&x.t);
        }
        Tri {
            null: any_null.and_not(&any_false),
            t,
        }
    }

    /// `OR` under three-valued logic: true where any term is, NULL where none is but one is NULL.
    fn or(&self, terms: &[BoolExpr]) -> Tri {
        let n = self.n();
        let (mut t, mut any_null) = (Bitmap::zeros(n), Bitmap::zeros(n));
        for term in terms {
            let x = self.tri(term);
            t = t.or(&x.t);
            any_null = any_null.or(&x.null);
        }
        Tri {
            null: any_null.and_not(&t),
            t,
        }
    }

    fn num_pred(&self, x: &NumExpr, f: impl Fn(f64) -> bool) -> Tri {
        let n = self.n();
        match self.num(x) {
            NumVal::Scalar(v) => Tri {
                t: Bitmap::from_fn(n, |_| !v.is_nan() && f(v)),
                null: Bitmap::from_fn(n, |_| v.is_nan()),
            },
            NumVal::Col(c) => Tri {
                t: Bitmap::from_fn(n, |i| !c[i].is_nan() && f(c[i])),
                null: Bitmap::from_fn(n, |i| c[i].is_nan()),
            },
        }
    }

    fn num_cmp(&self, op: CmpOp, a: &NumExpr, b: &NumExpr) -> Tri {
        match (self.num(a), self.num(b)) {
            (a, NumVal::Scalar(s)) => self.num_pred_val(a, |v| op.test(v, s), s.is_nan()),
            (NumVal::Scalar(s), b) => self.num_pred_val(b, |v| op.test(s, v), s.is_nan()),
            (NumVal::Col(a), NumVal::Col(b)) => {
                let n = self.n();
                let null = Bitmap::from_fn(n, |i| a[i].is_nan() || b[i].is_nan());
                Tri {
                    t: Bitmap::from_fn(n, |i| op.test(a[i], b[i])).and_not(&null),
                    null,
                }
            }
        }
    }

    fn num_pred_val(&self, v: NumVal, f: impl Fn(f64) -> bool, scalar_null: bool) -> Tri {
        let n = self.n();
        if scalar_null {
            return Tri {
                t: Bitmap::zeros(n),
                null: Bitmap::ones(n),
            };
        }
        match v {
            NumVal::Scalar(x) => Tri {
                t: Bitmap::from_fn(n, |_| f(x)),
                null: Bitmap::from_fn(n, |_| x.is_nan()),
            },
            NumVal::Col(c) => Tri {
                t: Bitmap::from_fn(n, |i| !c[i].is_nan() && f(c[i])),
                null: Bitmap::from_fn(n, |i| c[i].is_nan()),
            },
        }
    }

    fn str_pred(&self, s: &StrExpr, f: impl Fn(&str) -> bool) -> Tri {
        let n = self.n();
        match self.str(s) {
            StrVal::Scalar(v) => Tri {
                t: Bitmap::from_fn(n, |_| f(&v)),
                null: Bitmap::zeros(n),
            },
            StrVal::Dict { codes, levels } => {
                let per_level: Vec<bool> = levels.iter().map(|l| f(l)).collect();
                Tri {
                    t: Bitmap::from_fn(n, |i| {
                        per_level.get(codes[i] as usize).copied().unwrap_or(false)
                    }),
                    null: Bitmap::from_fn(n, |i| codes[i] == MISSING_CODE),
                }
            }
        }
    }

    fn str_cmp(&self, op: CmpOp, a: &StrExpr, b: &StrExpr) -> Tri {
        match (self.str(a), self.str(b)) {
            (_, StrVal::Scalar(s)) => self.str_pred(a, |v| op.test(v, s.as_str())),
            (StrVal::Scalar(s), _) => self.str_pred(b, |v| op.test(s.as_str(), v)),
            (
                StrVal::Dict {
                    codes: ca,
                    levels: la,
                },
                StrVal::Dict {
                    codes: cb,
                    levels: lb,
                },
            ) => {
                let n = self.n();
                let null = Bitmap::from_fn(n, |i| ca[i] == MISSING_CODE || cb[i] == MISSING_CODE);
                let t = Bitmap::from_fn(n, |i| {
                    match (la.get(ca[i] as usize), lb.get(cb[i] as usize)) {
                        (Some(x), Some(y)) => op.test(x, y),
                        _ => false,
                    }
                });
                Tri { t, null }
            }
        }
    }

    fn num(&self, e: &NumExpr) -> NumVal<'a> {
        match e {
            NumExpr::Lit(x) => NumVal::Scalar(*x),
            NumExpr::Column(i) => match &self.table.columns[*i].data {
                ColumnData::Numeric(v) => NumVal::Col(Cow::Borrowed(v.as_slice())),
                // Type checking only creates numeric references to numeric columns.
                ColumnData::Strings { codes, .. } => {
                    NumVal::Col(Cow::Owned(vec![f64::NAN; codes.len()]))
                }
            },
            NumExpr::Neg(a) => map_num(self.num(a), |x| -x),
            NumExpr::Func(f, a) => map_num(self.num(a), |x| f.apply(x)),
            NumExpr::Arith(first, rest) => rest
                .iter()
                .fold(self.num(first), |acc, (op, x)| arith(*op, acc, self.num(x))),
            NumExpr::Measure(m, s) => match self.str(s) {
                StrVal::Scalar(v) => NumVal::Scalar(m.apply(&v)),
                StrVal::Dict { codes, levels } => {
                    let lens: Vec<f64> = levels.iter().map(|l| m.apply(l)).collect();
                    NumVal::Col(Cow::Owned(
                        codes
                            .iter()
                            .map(|&c| lens.get(c as usize).copied().unwrap_or(f64::NAN))
                            .collect(),
                    ))
                }
            },
        }
    }

    /// How column `i`'s numbers read as text: dates as ISO text, other numbers plainly.
    fn formatter(&self, i: usize) -> fn(f64) -> String {
        if self.table.columns[i].kind == ColumnKind::Date {
            format_date
        } else {
            format_number
        }
    }

    fn str(&self, e: &StrExpr) -> StrVal<'a> {
        match e {
            StrExpr::Lit(s) => StrVal::Scalar(s.clone()),
            StrExpr::Column(i) => match &self.table.columns[*i].data {
                ColumnData::Strings { codes, levels } => StrVal::Dict {
                    codes: Cow::Borrowed(codes),
                    levels: Cow::Borrowed(levels),
                },
                ColumnData::Numeric(v) => numbers_as_dict(v, self.formatter(*i)),
            },
            StrExpr::NumColumn(i) => match &self.table.columns[*i].data {
                ColumnData::Numeric(v) => numbers_as_dict(v, self.formatter(*i)),
                ColumnData::Strings { codes, levels } => StrVal::Dict {
                    codes: Cow::Borrowed(codes),
                    levels: Cow::Borrowed(levels),
                },
            },
            StrExpr::Func(f, a) => {
                let apply = |s: &str| match f {
                    StrFunc::Lower => s.to_lowercase(),
                    StrFunc::Upper => s.to_uppercase(),
                    StrFunc::Trim => s.trim().to_string(),
                };
                match self.str(a) {
                    StrVal::Scalar(s) => StrVal::Scalar(apply(&s)),
                    StrVal::Dict { codes, levels } => StrVal::Dict {
                        codes,
                        levels: Cow::Owned(levels.iter().map(|l| apply(l)).collect()),
                    },
                }
            }
        }
    }
}

fn map_num<'a>(v: NumVal<'a>, f: impl Fn(f64) -> f64) -> NumVal<'a> {
    match v {
        NumVal::Scalar(x) => NumVal::Scalar(f(x)),
        NumVal::Col(c) => NumVal::Col(Cow::Owned(c.iter().map(|&x| f(x)).collect())),
    }
}

fn arith<'a>(op: ArithOp, a: NumVal<'a>, b: NumVal<'a>) -> NumVal<'a> {
    let f = move |x: f64, y: f64| match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        // SQL: division by zero gives NULL rather than infinity.
        ArithOp::Div => {
            if y == 0.0 {
                f64::NAN
            } else {
                x / y
            }
        }
        ArithOp::Mod => {
            if y == 0.0 {
                f64::NAN
            } else {
                x % y
            }
        }
    };
    match (a, b) {
        (NumVal::Scalar(x), NumVal::Scalar(y)) => NumVal::Scalar(f(x, y)),
        // Owned columns are updated in place: a long chain then allocates one column, not one
        // per operator.
        (NumVal::Col(c), NumVal::Scalar(y)) => {
            let mut c = c.into_owned();
            c.iter_mut().for_each(|x| *x = f(*x, y));
            NumVal::Col(Cow::Owned(c))
        }
        (NumVal::Scalar(x), NumVal::Col(c)) => {
            let mut c = c.into_owned();
            c.iter_mut().for_each(|y| *y = f(x, *y));
            NumVal::Col(Cow::Owned(c))
        }
        (NumVal::Col(a), NumVal::Col(b)) => {
            let mut a = a.into_owned();
            a.iter_mut().zip(b.iter()).for_each(|(x, &y)| *x = f(*x, y));
            NumVal::Col(Cow::Owned(a))
        }
    }
}

/// Numbers as dictionary strings, formatted as `format` does (ISO text for a date column).
fn numbers_as_dict<'a>(v: &[f64], format: fn(f64) -> String) -> StrVal<'a> {
    let mut index: HashMap<u64, u32> = HashMap::new();
    let mut levels = Vec::new();
    let codes = v
        .iter()
        .map(|x| {
            if x.is_nan() {
                return MISSING_CODE;
            }
            *index.entry(x.to_bits()).or_insert_with(|| {
                levels.push(format(*x));
                (levels.len() - 1) as u32
            })
        })
        .collect();
    StrVal::Dict {
        codes: Cow::Owned(codes),
        levels: Cow::Owned(levels),
    }
}
