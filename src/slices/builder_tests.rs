//! Every fragment the builder writes parses and selects the rows it says.

use super::*;
use crate::data::Table;
use crate::slices::{SliceDef, SliceSet};

fn num(name: &str, kind: ColumnKind, v: &[f64]) -> Column {
    Column {
        name: name.into(),
        kind,
        data: ColumnData::Numeric(v.to_vec()),
    }
}

fn strings(name: &str, kind: ColumnKind, v: &[Option<&str>]) -> Column {
    let mut levels: Vec<String> = Vec::new();
    let codes = v
        .iter()
        .map(|s| match s {
            None => MISSING_CODE,
            Some(s) => match levels.iter().position(|l| l == s) {
                Some(i) => i as u32,
                None => {
                    levels.push(s.to_string());
                    (levels.len() - 1) as u32
                }
            },
        })
        .collect();
    Column {
        name: name.into(),
        kind,
        data: ColumnData::Strings { codes, levels },
    }
}

/// Six rows: a number with a gap, a category with a quote, a text, a date, keyword/odd names.
fn table() -> Table {
    Table {
        columns: vec![
            num(
                "age",
                ColumnKind::Numeric,
                &[20.0, 35.5, f64::NAN, 50.0, -3.0, 35.5],
            ),
            strings(
                "race",
                ColumnKind::Categorical,
                &[
                    Some("O'Neil"),
                    Some("b"),
                    Some("b"),
                    None,
                    Some("c"),
                    Some("b"),
                ],
            ),
            strings(
                "note",
                ColumnKind::Text,
                &[
                    Some("50% off"),
                    Some("5 off"),
                    Some("x_y"),
                    Some("xay"),
                    None,
                    Some("none"),
                ],
            ),
            num(
                "when",
                ColumnKind::Date,
                &[0.0, 10.0, 20.0, 30.0, 40.0, f64::NAN],
            ),
            num("and", ColumnKind::Numeric, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            num(
                "my col",
                ColumnKind::Boolean,
                &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0],
            ),
        ],
        ..Table::default()
    }
}

/// The rows `expr` selects on [`table`].
fn rows(expr: &str) -> Vec<usize> {
    let set = SliceSet {
        slices: vec![SliceDef::new("t", expr)],
    };
    let ev = set
        .evaluate(&table())
        .unwrap_or_else(|e| panic!("{expr}: {e}"));
    ev.masks[0].ones_iter().collect()
}

fn frag(col: &str, op: BuilderOp, values: &[&str]) -> String {
    let t = table();
    let values: Vec<String> = values.iter().map(|s| s.to_string()).collect();
    fragment(t.column(col).unwrap(), op, &values).unwrap()
}

#[test]
fn numeric_fragments_select_their_rows() {
    use BuilderOp::*;
    let cases: [(BuilderOp, &[&str], &str, Vec<usize>); 7] = [
        (Lt, &["35.5"], "age < 35.5", vec![0, 4]),
        (Le, &["35.5"], "age <= 35.5", vec![0, 1, 4, 5]),
        (Gt, &["-3"], "age > -3", vec![0, 1, 3, 5]),
        (Ge, &[" 50 "], "age >= 50", vec![3]),
        (Eq, &["35.5"], "age = 35.5", vec![1, 5]),
        (Between, &["-3", "20"], "age BETWEEN -3 AND 20", vec![0, 4]),
        (IsNull, &[], "age IS NULL", vec![2]),
    ];
    for (op, values, text, expected) in cases {
        let f = frag("age", op, values);
        assert_eq!(f, text);
        assert_eq!(rows(&f), expected, "{f}");
    }
}

#[test]
fn categorical_and_text_values_are_quoted_and_escaped() {
    use BuilderOp::*;
    assert_eq!(frag("race", Eq, &["O'Neil"]), "race = 'O''Neil'");
    assert_eq!(rows(&frag("race", Eq, &["O'Neil"])), vec![0]);
    assert_eq!(rows(&frag("race", Ne, &["b"])), vec![0, 4]);
    let f = frag("race", In, &["b", "", "c"]);
    assert_eq!(f, "race IN ('b', 'c')");
    assert_eq!(rows(&f), vec![1, 2, 4, 5]);
    assert_eq!(rows(&frag("race", IsNull, &[])), vec![3]);
    // `%` and `_` in a searched text are literal characters, not wildcards.
    assert_eq!(frag("note", Contains, &["0%"]), "note LIKE '%0\\%%'");
    assert_eq!(rows(&frag("note", Contains, &["0%"])), vec![0]);
    assert_eq!(rows(&frag("note", Contains, &["_"])), vec![2]);
    assert_eq!(rows(&frag("note", Contains, &["off"])), vec![0, 1]);
}

#[test]
fn dates_keywords_and_odd_names() {
    use BuilderOp::*;
    let f = frag("when", Between, &["1970-01-05", "1970-01-31"]);
    assert!(f.ends_with(" BETWEEN '1970-01-05' AND '1970-01-31'"), "{f}");
    assert_eq!(rows(&f), vec![1, 2, 3]);
    assert_eq!(rows(&frag("when", Ge, &["1970-01-21"])), vec![2, 3, 4]);
    // A keyword as a column name: whatever is written selects the column's rows.
    assert_eq!(ident("x1"), "x1");
    assert_eq!(rows(&frag("and", Gt, &["4"])), vec![4, 5]);
    assert_eq!(frag("my col", Eq, &["1"]), "\"my col\" = 1");
    assert_eq!(rows(&frag("my col", In, &["1"])), vec![0, 2, 4]);
}

#[test]
fn bad_values_are_refused_with_a_reason() {
    let t = table();
    let age = t.column("age").unwrap();
    let when = t.column("when").unwrap();
    let err = |c, op, v: &[&str]| {
        let v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        fragment(c, op, &v).unwrap_err()
    };
    assert!(err(age, BuilderOp::Lt, &["abc"]).contains("not a number"));
    assert!(err(age, BuilderOp::Lt, &["inf"]).contains("not a number"));
    assert!(err(age, BuilderOp::Between, &["1"]).contains("needs 2"));
    assert!(err(age, BuilderOp::In, &["", " "]).contains("at least one"));
    assert!(err(when, BuilderOp::Eq, &["yesterday"]).contains("ISO date"));
}

#[test]
fn operators_suit_the_kind() {
    assert!(ops_for(ColumnKind::Numeric).contains(&BuilderOp::Between));
    assert!(!ops_for(ColumnKind::Numeric).contains(&BuilderOp::In));
    assert!(ops_for(ColumnKind::Categorical).contains(&BuilderOp::In));
    assert!(!ops_for(ColumnKind::Categorical).contains(&BuilderOp::Lt));
    assert_eq!(ops_for(ColumnKind::Text)[0], BuilderOp::Contains);
    assert!(ops_for(ColumnKind::Date).contains(&BuilderOp::Ge));
}

#[test]
fn combining_adds_with_and() {
    assert_eq!(combine("  ", "a > 1"), "a > 1");
    assert_eq!(combine("b = 2", "a > 1"), "b = 2 AND a > 1");
    assert_eq!(
        combine("b = 2 or c = 3", "a > 1"),
        "(b = 2 or c = 3) AND a > 1"
    );
    let both = combine(
        &frag("age", BuilderOp::Gt, &["0"]),
        &frag("race", BuilderOp::Eq, &["b"]),
    );
    assert_eq!(rows(&both), vec![1, 5]);
}

#[test]
fn value_counts_are_most_frequent_first() {
    let t = table();
    let race = value_counts(t.column("race").unwrap(), 100);
    assert_eq!(race.values[0], ("b".to_string(), 3));
    assert_eq!(race.values.len(), 3);
    assert_eq!(race.missing, 1);
    let age = value_counts(t.column("age").unwrap(), 2);
    assert_eq!(age.values[0], ("35.5".to_string(), 2));
    assert!(age.truncated);
    let when = value_counts(t.column("when").unwrap(), 10);
    assert_eq!(when.values[0].0, "1970-01-01");
}

#[test]
fn histogram_bins_every_finite_value() {
    let h = Histogram::of(&[0.0, 1.0, 2.0, 3.0, f64::NAN, 4.0], 4).unwrap();
    assert_eq!(h.counts, vec![1, 1, 1, 2]);
    assert_eq!(h.edges(1), (1.0, 2.0));
    assert_eq!(Histogram::of(&[5.0, 5.0], 3).unwrap().counts, vec![2, 0, 0]);
    assert!(Histogram::of(&[f64::NAN], 3).is_none());
}
