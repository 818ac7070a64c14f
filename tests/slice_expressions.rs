//! Slicing functions: parsing, column-wise evaluation, error positions, slice files, analysis.

use slicelab::data::builder::ColumnBuilder;
use slicelab::data::{Split, Table};
use slicelab::slices::stats::analyse;
use slicelab::slices::{Bitmap, SliceDef, SliceError, SliceSet};

fn table() -> Table {
    let rows: [(&str, &str, &str, &str, &str); 6] = [
        ("25", "Female", "0.1", "Is this good?", "1"),
        ("40", "Male", "-0.5", "not bad at all", "0"),
        ("61", "Female", "", "great", "1"),
        ("33", "Male", "0.9", "I did not like it, but ok", "0"),
        ("52", "?", "0.05", "what a film", "1"),
        ("19", "Female", "0.3", "fine", "0"),
    ];
    let names = ["age", "sex", "x1", "text", "sf_a"];
    let mut builders: Vec<ColumnBuilder> = names.iter().map(|n| ColumnBuilder::new(n)).collect();
    for r in rows {
        for (b, v) in builders.iter_mut().zip([r.0, r.1, r.2, r.3, r.4]) {
            b.push_str(v);
        }
    }
    Table {
        source: "t".into(),
        columns: builders.into_iter().map(ColumnBuilder::finish).collect(),
        ..Default::default()
    }
}

fn rows(expr: &str) -> Vec<usize> {
    let set = SliceSet {
        slices: vec![SliceDef::new("s", expr)],
    };
    set.evaluate(&table())
        .unwrap_or_else(|e| panic!("{e}"))
        .masks[0]
        .ones_iter()
        .collect()
}

fn error(expr: &str) -> (String, usize) {
    let set = SliceSet {
        slices: vec![SliceDef::new("s", expr)],
    };
    match set.evaluate(&table()).unwrap_err() {
        SliceError::Expr { error, .. } => (error.message, error.column),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn comparisons_boolean_logic_and_arithmetic() {
    assert_eq!(rows("age > 30 AND sex = 'Female'"), vec![2]);
    assert_eq!(rows("age < 30 OR sex = 'Male'"), vec![0, 1, 3, 5]);
    assert_eq!(rows("NOT (age >= 40)"), vec![0, 3, 5]);
    assert_eq!(rows("x1*x1 + 0.0 < 0.04"), vec![0, 4]);
    assert_eq!(rows("ABS(x1) > 0.4"), vec![1, 3]);
    assert_eq!(rows("age BETWEEN 25 AND 40"), vec![0, 1, 3]);
    assert_eq!(rows("age NOT BETWEEN 25 AND 40"), vec![2, 4, 5]);
    assert_eq!(rows("sex IN ('Male', 'Other')"), vec![1, 3]);
    assert_eq!(rows("age IN (19, 61)"), vec![2, 5]);
}

#[test]
fn missing_values_follow_sql_null_semantics() {
    assert_eq!(rows("sex IS NULL"), vec![4]);
    assert_eq!(rows("x1 IS NOT NULL AND x1 < 0"), vec![1]);
    // NULL compared with anything is not true, and NOT NULL is not true either.
    assert_eq!(rows("NOT (x1 > 0)"), vec![1]);
    assert_eq!(rows("sex <> 'Female'"), vec![1, 3]);
}

#[test]
fn string_functions_like_and_regex() {
    assert_eq!(rows("text LIKE '%not%'"), vec![1, 3]);
    assert_eq!(rows("LOWER(text) ILIKE 'I %'"), vec![3]);
    assert_eq!(rows("REGEXP_LIKE(text, '\\?$')"), vec![0]);
    assert_eq!(rows("LENGTH(text) > 12"), vec![0, 1, 3]);
    assert_eq!(rows("UPPER(sex) = 'MALE'"), vec![1, 3]);
}

#[test]
fn text_helpers_for_nlu_slices() {
    // Rows: "Is this good?", "not bad at all", "great", "I did not like it, but ok", "what a film", "fine".
    assert_eq!(rows("IS_QUESTION(text)"), vec![0, 4]);
    assert_eq!(rows("HAS_NEGATION(text)"), vec![1, 3]);
    assert_eq!(rows("WORD_COUNT(text) >= 3"), vec![0, 1, 3, 4]);
    assert_eq!(
        rows("WORD_COUNT(text) = 1 AND NOT IS_QUESTION(text)"),
        vec![2, 5]
    );
    assert_eq!(rows("REGEXP_LIKE(text, '\\b(but|although)\\b')"), vec![3]);
    let (message, column) = error("WORD_COUNT(text, 2) > 1");
    assert!(message.contains("WORD_COUNT takes 1 argument"), "{message}");
    assert_eq!(column, 1);
}

#[test]
fn zero_one_columns_are_slicing_functions() {
    assert_eq!(rows("sf_a"), vec![0, 2, 4]);
    assert_eq!(rows("sf_a = 1 AND age > 30"), vec![2, 4]);
    assert_eq!(rows("\"sf_a\" = TRUE"), vec![0, 2, 4]);
}

#[test]
fn slices_can_refer_to_other_slices() {
    let set = SliceSet {
        slices: vec![
            SliceDef::new("both", "women AND old"),
            SliceDef::new("women", "sex = 'Female'"),
            SliceDef::new("old", "age > 50"),
        ],
    };
    let out = set.evaluate(&table()).unwrap();
    assert_eq!(out.masks[0].ones_iter().collect::<Vec<_>>(), vec![2]);
    let cyclic = SliceSet {
        slices: vec![SliceDef::new("a", "b AND age > 1"), SliceDef::new("b", "a")],
    };
    assert!(matches!(
        cyclic.evaluate(&table()),
        Err(SliceError::Cycle(_))
    ));
}

#[test]
fn unknown_column_points_at_it_and_suggests_names() {
    let (msg, col) = error("age > 3 AND sexx = 'Male'");
    assert_eq!(col, 13);
    assert!(
        msg.contains("unknown column 'sexx'") && msg.contains("sex"),
        "{msg}"
    );
}

#[test]
fn syntax_errors_point_at_the_position_and_say_what_was_expected() {
    let (msg, col) = error("age > ");
    assert!(msg.contains("expected"), "{msg}");
    assert!(col >= 6, "{col}");
    let (msg, col) = error("age > 3 sex = 'Male'");
    assert_eq!(col, 9);
    assert!(msg.contains("expected AND, OR"), "{msg}");
}

#[test]
fn type_errors_are_reported() {
    let (msg, _) = error("sex + 1 > 2");
    assert!(msg.contains("expected a number"), "{msg}");
    let (msg, col) = error("age");
    assert!(msg.contains("expected a condition"), "{msg}");
    assert_eq!(col, 1);
    let (msg, _) = error("x1 = NULL");
    assert!(msg.contains("IS NULL"), "{msg}");
    let (msg, _) = error("FOO(age) > 1");
    assert!(msg.contains("unknown function 'FOO'"), "{msg}");
}

#[test]
fn error_message_renders_a_caret_under_the_span() {
    let set = SliceSet {
        slices: vec![SliceDef::new("s", "age > 3 AND sexx = 'M'")],
    };
    let text = set.evaluate(&table()).unwrap_err().to_string();
    assert!(
        text.contains("\n  age > 3 AND sexx = 'M'\n              ^^^^"),
        "{text}"
    );
}

#[test]
fn slice_set_toml_round_trips_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slices.toml");
    let mut set = SliceSet {
        slices: vec![
            SliceDef::new("women", "sex = 'Female'"),
            SliceDef::new("sf_a", "sf_a"),
        ],
    };
    set.slices[0].description = Some("all women".into());
    set.slices[1].noise = Some(0.4);
    set.save(&path).unwrap();
    assert_eq!(SliceSet::load(&path).unwrap(), set);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[[slice]]"));
    std::fs::write(&path, "[[slice]]\nname = \"a\"\nexpr = 1\n").unwrap();
    let msg = SliceSet::load(&path).unwrap_err().to_string();
    assert!(
        msg.contains("slices.toml") && msg.contains("line 3"),
        "{msg}"
    );
}

#[test]
fn analysis_reports_coverage_overlap_and_noise() {
    let n = 10;
    let splits = vec![Split::Train; n];
    let sf = Bitmap::from_fn(n, |i| i < 4);
    let other = Bitmap::from_fn(n, |i| (2..6).contains(&i));
    let truth = Bitmap::from_fn(n, |i| i < 2 || i == 9);
    let stats = analyse(
        &["sf".into(), "other".into()],
        &[sf, other],
        &splits,
        &[("slice_1".into(), truth)],
    );
    let s = &stats[0];
    assert_eq!(s.size, 4);
    assert!((s.coverage - 0.4).abs() < 1e-12);
    let o = s.max_overlap.as_ref().unwrap();
    assert_eq!((o.other.as_str(), o.both), ("other", 2));
    assert!((o.jaccard - 2.0 / 6.0).abs() < 1e-12);
    let t = s.truth.as_ref().unwrap();
    assert!((t.precision - 0.5).abs() < 1e-12 && (t.recall - 2.0 / 3.0).abs() < 1e-12);
}

#[test]
fn one_slice_per_frequent_value_of_a_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let mut csv = String::from("race,age\n");
    for (race, n) in [("A", 5), ("B", 3), ("O'C", 1)] {
        for i in 0..n {
            csv.push_str(&format!("{race},{}\n", 20 + i * 7));
        }
    }
    std::fs::write(&path, csv).unwrap();
    let table = slicelab::data::load::read_table(&path).unwrap();
    let mut set = SliceSet::default();
    assert_eq!(set.add_per_value(&table, "race", 2).unwrap(), 2);
    let exprs: Vec<&str> = set.slices.iter().map(|s| s.expr.as_str()).collect();
    assert_eq!(exprs, ["race = 'A'", "race = 'B'"]);
    let sizes: Vec<usize> = set
        .evaluate(&table)
        .unwrap()
        .masks
        .iter()
        .map(|m| m.count())
        .collect();
    assert_eq!(sizes, [5, 3]);
    // Adding again keeps names unique; a quote in a value is escaped.
    set.add_per_value(&table, "race", 1).unwrap();
    assert_eq!(set.slices.len(), 5);
    assert!(set.slices.iter().any(|s| s.expr == "race = 'O''C'"));
    assert_eq!(set.evaluate(&table).unwrap().masks[4].count(), 1);
    assert!(
        set.add_per_value(&table, "nope", 1)
            .unwrap_err()
            .contains("nope")
    );
}

/// Runs `f` on a thread with the 2 MiB stack of the app's worker threads, so that a regression to
/// deep recursion shows here (as an abort) rather than only on the main thread's 8 MiB.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(f);
    match worker.expect("thread starts").join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn rows_of(set: &SliceSet) -> Vec<Vec<usize>> {
    let out = set.evaluate(&table()).unwrap_or_else(|e| panic!("{e}"));
    out.masks.iter().map(|m| m.ones_iter().collect()).collect()
}

#[test]
fn a_100000_term_or_chain_evaluates_on_a_small_stack() {
    // Ages that match nothing, with 61 in the middle and a string test at the end.
    let mut terms: Vec<String> = (0..99_999).map(|i| format!("age = {}", 1000 + i)).collect();
    terms.insert(50_000, "age = 61".into());
    terms.push("sex = 'Male'".into());
    let set = SliceSet {
        slices: vec![SliceDef::new("many", &terms.join(" OR "))],
    };
    assert_eq!(on_small_stack(move || rows_of(&set)), [vec![1, 2, 3]]);
}

#[test]
fn a_syntax_error_at_the_end_of_a_long_chain_is_an_error() {
    // sqlparser drops the chain it has built so far when the last operand is missing.
    let expr = format!("{}age >", "age > 1 OR ".repeat(100_000));
    let set = SliceSet {
        slices: vec![SliceDef::new("typo", &expr)],
    };
    let err = on_small_stack(move || set.evaluate(&table()).unwrap_err());
    assert!(err.to_string().contains("expected"), "{err}");
}

#[test]
fn a_100000_term_sum_chain_evaluates_on_a_small_stack() {
    // `age + 1 - 1 + 1 - 1 ...`: evaluated left to right, it is `age` again.
    let mut expr = String::from("age");
    for i in 0..100_000 {
        expr.push_str(if i % 2 == 0 { " + 1" } else { " - 1" });
    }
    expr.push_str(" > 50");
    let set = SliceSet {
        slices: vec![SliceDef::new("sum", &expr)],
    };
    assert_eq!(on_small_stack(move || rows_of(&set)), [vec![2, 4]]);
}

#[test]
fn very_deep_nesting_is_an_error_with_a_position() {
    // The column of the first token past 128 levels; a postfix chain's spans all start at x1.
    for (expr, column) in [
        (format!("{}x1 > 0", "NOT ".repeat(2000)), 128 * 4 + 1),
        (
            format!("{}x1 > 0{}", "(".repeat(2000), ")".repeat(2000)),
            129,
        ),
        (
            format!("{}age{} > 0", "ABS(".repeat(2000), ")".repeat(2000)),
            129 * 4,
        ),
        (format!("x1{} > 0", " IS NOT NULL".repeat(2000)), 1),
    ] {
        let set = SliceSet {
            slices: vec![SliceDef::new("deep", &expr)],
        };
        let err = on_small_stack(move || set.evaluate(&table()).unwrap_err());
        let SliceError::Expr { error, .. } = &err else {
            panic!("unexpected {err}");
        };
        assert!(
            error.message.contains("nested too deeply"),
            "{}",
            error.message
        );
        assert_eq!(error.column, column, "{}", error.message);
        assert!(
            err.to_string().contains(&format!("at character {column}")),
            "{err}"
        );
    }
}

#[test]
fn nesting_up_to_the_limit_works_on_a_small_stack() {
    let set = SliceSet {
        slices: vec![
            SliceDef::new("nots", &format!("{}x1 > 0", "NOT ".repeat(128))),
            SliceDef::new(
                "parens",
                &format!("{}x1 > 0{}", "(".repeat(128), ")".repeat(128)),
            ),
            SliceDef::new(
                "abs",
                &format!("{}x1{} > 0.2", "ABS(".repeat(127), ")".repeat(127)),
            ),
        ],
    };
    assert_eq!(
        on_small_stack(move || rows_of(&set)),
        [vec![0, 3, 4, 5], vec![0, 3, 4, 5], vec![1, 3, 5]]
    );
}

#[test]
fn long_reference_chains_resolve_in_linear_time_up_to_the_limit() {
    let chain = |n: usize, reversed: bool| {
        let mut slices: Vec<SliceDef> = (0..n)
            .map(|i| match i {
                0 => SliceDef::new("s0", "age > 50"),
                _ => SliceDef::new(&format!("s{i}"), &format!("s{} AND age > 0", i - 1)),
            })
            .collect();
        if reversed {
            slices.reverse();
        }
        SliceSet { slices }
    };
    let limit = slicelab::slices::set::MAX_REFERENCE_DEPTH;
    for reversed in [false, true] {
        let ok = chain(limit, reversed);
        let masks = on_small_stack(move || rows_of(&ok));
        assert!(masks.iter().all(|m| *m == [2, 4]));
        let long = chain(20_000, reversed);
        let err = on_small_stack(move || long.evaluate(&table()).unwrap_err());
        assert!(
            matches!(err, SliceError::ReferencesTooDeep { limit: l, .. } if l == limit),
            "{err}"
        );
        assert!(err.to_string().contains("more than 1000"), "{err}");
    }
}

#[test]
fn flattened_chains_keep_sql_null_semantics() {
    // x1 is NULL in row 2 and sex in row 4; NOT shows which rows are NULL rather than false.
    let chain = "x1 > 0.5 OR age < 50 OR sex = 'Male'";
    let union: Vec<usize> = {
        let mut all: Vec<usize> = ["x1 > 0.5", "age < 50", "sex = 'Male'"]
            .iter()
            .flat_map(|t| rows(t))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    };
    assert_eq!(rows(chain), union);
    // NULL OR FALSE is NULL (rows 2 and 4), so NOT of it is not true either.
    assert_eq!(rows(&format!("NOT ({chain})")), Vec::<usize>::new());
    assert_eq!(
        rows("NOT (x1 > 0.5 OR (age < 50 OR sex = 'Male'))"),
        Vec::<usize>::new()
    );
    // NULL AND FALSE is FALSE (rows 2 and 4); NULL AND TRUE is NULL (row 2).
    assert_eq!(
        rows("NOT (x1 < 0.5 AND age < 50 AND sex <> 'Male')"),
        vec![1, 2, 3, 4]
    );
    assert_eq!(rows("NOT (x1 < 0.5 AND age > 50)"), vec![0, 1, 3, 5]);
    // Conditions compared with each other: NULL if either side is.
    assert_eq!(rows("(x1 > 0) = (age > 30)"), vec![3, 4]);
    assert_eq!(rows("(x1 > 0) <> (age > 30)"), vec![0, 1, 5]);
    // Arithmetic chains fold left to right, whatever the operators.
    assert_eq!(rows("age - 10 - 10 > 30"), vec![2, 4]);
    assert_eq!(rows("age * 2 + 1 > 101"), vec![2, 4]);
    assert_eq!(rows("age / 2 / 2 * 4 > 50"), vec![2, 4]);
}
