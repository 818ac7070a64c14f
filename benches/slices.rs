//! Benchmark: 10 simple SFs on the census table, column-wise (slicelab) vs row-by-row
//! interpretation of the same expressions (the naive way). Target: column-wise under 50 ms.
//! Also: 100,000-term `OR` and `+` chains checked on a 2 MiB-stack thread. Target: under 1 s.

mod common;

use std::collections::HashSet;
use std::time::Instant;

use slicelab::data::builder::ColumnBuilder;
use slicelab::data::table::MISSING_CODE;
use slicelab::data::{ColumnData, Table};
use slicelab::slices::expr::{BoolExpr, NumExpr, StrExpr};
use slicelab::slices::parse::{Scope, parse_slice};
use slicelab::slices::{SliceDef, SliceSet};

const SFS: [(&str, &str); 10] = [
    ("women", "sex = 'Female'"),
    ("black", "race = 'Black'"),
    ("young", "age < 25"),
    ("senior", "age >= 65"),
    ("prime", "age BETWEEN 35 AND 50"),
    ("bachelors", "education = 'Bachelors degree(BA AB BS)'"),
    (
        "dropouts",
        "education IN ('7th and 8th grade', '9th grade', '10th grade', '11th grade')",
    ),
    (
        "foreign",
        "citizenship <> 'Native- Born in the United States'",
    ),
    ("capital", "capital_gains > 0 OR dividends_from_stocks > 0"),
    ("fulltime", "weeks_worked_in_year = 52 AND sex = 'Male'"),
];

fn main() {
    long_chains();
    let Some(path) = common::shared_or_say(
        "data/census_income_train.csv",
        "slices",
        common::CENSUS_SOURCE,
    ) else {
        return;
    };
    let table = slicelab::data::load::read_table(&path).expect("census loads");
    let set = SliceSet {
        slices: SFS.iter().map(|(n, e)| SliceDef::new(n, e)).collect(),
    };
    let mut col_times = Vec::new();
    let mut sizes = Vec::new();
    for _ in 0..7 {
        let t0 = Instant::now();
        let out = set.evaluate(&table).expect("SFs evaluate");
        col_times.push(t0.elapsed().as_secs_f64());
        sizes = out.masks.iter().map(|m| m.count()).collect();
    }
    let names: HashSet<String> = set.names().into_iter().collect();
    let scope = Scope::new(&table, &names, None);
    let compiled: Vec<BoolExpr> = SFS
        .iter()
        .map(|(_, e)| parse_slice(e, &scope).expect("parses"))
        .collect();
    let mut row_times = Vec::new();
    let mut row_sizes = Vec::new();
    for _ in 0..3 {
        let t0 = Instant::now();
        row_sizes = compiled
            .iter()
            .map(|e| {
                (0..table.n_rows())
                    .filter(|&i| eval_row(e, &table, i) == Some(true))
                    .count()
            })
            .collect();
        row_times.push(t0.elapsed().as_secs_f64());
    }
    assert_eq!(sizes, row_sizes, "both evaluators agree");
    let (col, row) = (common::median(col_times), common::median(row_times));
    println!(
        "10 SFs on census train ({} rows); sizes {:?}",
        table.n_rows(),
        sizes
    );
    println!(
        "  column-wise (slicelab): {:.2} ms   target < 50 ms   {}",
        col * 1e3,
        if col < 0.05 { "OK" } else { "SLOW" }
    );
    println!("  row-by-row AST walk:    {:.2} ms", row * 1e3);
    println!("  speed-up: {:.1}x", row / col);
}

/// Parses, types and evaluates 100,000-term chains on a small table, on a thread with the 2 MiB
/// stack of the app's workers (flattened chains need no deep recursion).
fn long_chains() {
    let mut age = ColumnBuilder::new("age");
    let mut x1 = ColumnBuilder::new("x1");
    for i in 0..1000 {
        age.push_num(f64::from(i % 90));
        x1.push_num(f64::from(i) / 1000.0);
    }
    let table = Table {
        source: "chains".into(),
        columns: vec![age.finish(), x1.finish()],
        ..Default::default()
    };
    let n = 100_000;
    let or: Vec<String> = (0..n).map(|i| format!("age = {}", i % 200)).collect();
    let sum = format!("x1{} > 0.5", " + x1".repeat(n - 1));
    for (what, expr) in [("OR", or.join(" OR ")), ("+", sum)] {
        let set = SliceSet {
            slices: vec![SliceDef::new("chain", &expr)],
        };
        let table = table.clone();
        let timed = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let t0 = Instant::now();
                let out = set.evaluate(&table).expect("chain evaluates");
                (t0.elapsed().as_secs_f64(), out.masks[0].count())
            })
            .expect("thread starts")
            .join()
            .expect("no panic");
        let (secs, size) = timed;
        println!(
            "{n}-term {what} chain on 1000 rows ({} chars), 2 MiB stack: {:.3} s, {size} rows   target < 1 s   {}",
            expr.len(),
            secs,
            if secs < 1.0 { "OK" } else { "SLOW" }
        );
    }
}

/// The naive evaluator: walks the expression tree once per row.
fn eval_row(e: &BoolExpr, t: &Table, i: usize) -> Option<bool> {
    match e {
        BoolExpr::Lit(b) => Some(*b),
        BoolExpr::Not(a) => eval_row(a, t, i).map(|v| !v),
        BoolExpr::And(terms) => {
            let vals: Vec<Option<bool>> = terms.iter().map(|a| eval_row(a, t, i)).collect();
            if vals.contains(&Some(false)) {
                Some(false)
            } else if vals.contains(&None) {
                None
            } else {
                Some(true)
            }
        }
        BoolExpr::Or(terms) => {
            let vals: Vec<Option<bool>> = terms.iter().map(|a| eval_row(a, t, i)).collect();
            if vals.contains(&Some(true)) {
                Some(true)
            } else if vals.contains(&None) {
                None
            } else {
                Some(false)
            }
        }
        BoolExpr::NumCmp(op, a, b) => Some(op.test(num(a, t, i)?, num(b, t, i)?)),
        BoolExpr::StrCmp(op, a, b) => Some(op.test(string(a, t, i)?, string(b, t, i)?)),
        BoolExpr::NumIn(a, list) => Some(list.contains(&num(a, t, i)?)),
        BoolExpr::StrIn(a, list) => {
            let v = string(a, t, i)?;
            Some(list.contains(&v))
        }
        other => panic!("bench evaluator does not cover {other:?}"),
    }
}

fn num(e: &NumExpr, t: &Table, i: usize) -> Option<f64> {
    match e {
        NumExpr::Lit(x) => Some(*x),
        NumExpr::Column(c) => t.columns[*c]
            .as_numeric()
            .map(|v| v[i])
            .filter(|v| !v.is_nan()),
        other => panic!("bench evaluator does not cover {other:?}"),
    }
}

fn string(e: &StrExpr, t: &Table, i: usize) -> Option<String> {
    match e {
        StrExpr::Lit(s) => Some(s.clone()),
        StrExpr::Column(c) => match &t.columns[*c].data {
            ColumnData::Strings { codes, levels } if codes[i] != MISSING_CODE => {
                Some(levels[codes[i] as usize].clone())
            }
            _ => None,
        },
        other => panic!("bench evaluator does not cover {other:?}"),
    }
}
