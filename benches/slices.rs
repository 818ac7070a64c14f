//! Benchmark: 10 simple SFs on the census table, column-wise (slicelab) vs row-by-row
//! interpretation of the same expressions (the naive way). Target: column-wise under 50 ms.

mod common;

use std::time::Instant;

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
    let names = set.names();
    let scope = Scope {
        table: &table,
        slice_names: &names,
    };
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

/// The naive evaluator: walks the expression tree once per row.
fn eval_row(e: &BoolExpr, t: &Table, i: usize) -> Option<bool> {
    match e {
        BoolExpr::Lit(b) => Some(*b),
        BoolExpr::Not(a) => eval_row(a, t, i).map(|v| !v),
        BoolExpr::And(a, b) => match (eval_row(a, t, i), eval_row(b, t, i)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BoolExpr::Or(a, b) => match (eval_row(a, t, i), eval_row(b, t, i)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
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
