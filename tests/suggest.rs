//! Slice suggestions (SliceLine search): the planted worst slice comes first, and every suggestion's
//! expression selects exactly the rows and errors reported for it.

use crate::common;

use common::cli::{ok, p, slicelab, stderr};
use rand::{Rng, SeedableRng};
use slicelab::slices::suggest::{SuggestConfig, suggest};
use slicelab::slices::{SliceDef, SliceSet};

/// 3,000 rows over a categorical `a`, a categorical `b`, a numeric `c`; 5% of rows are wrong, except
/// those with `a = 'x'` and `b = 'q'` (about 1 in 6), which are wrong 60% of the time.
fn planted() -> (slicelab::data::Table, Vec<bool>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut csv = String::from("a,b,c\n");
    let mut wrong = Vec::new();
    for _ in 0..3000 {
        let a = ["x", "y", "z"][rng.random_range(0..3)];
        let b = ["p", "q"][rng.random_range(0..2)];
        let c: f64 = rng.random_range(0.0..100.0);
        let rate = if a == "x" && b == "q" { 0.6 } else { 0.05 };
        wrong.push(rng.random_bool(rate));
        csv.push_str(&format!("{a},{b},{c:.3}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planted.csv");
    std::fs::write(&path, csv).unwrap();
    (slicelab::data::load::read_table(&path).unwrap(), wrong)
}

#[test]
fn the_planted_worst_slice_is_found_first() {
    let (table, wrong) = planted();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let cols = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let found = suggest(&table, &cols, &rows, &wrong, &SuggestConfig::default());
    assert!(!found.is_empty());
    assert_eq!(found[0].expr, "a = 'x' AND b = 'q'", "{found:#?}");
    assert!(found[0].error_rate > 0.5 && found.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn each_suggestion_selects_the_rows_it_reports() {
    let (table, wrong) = planted();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let cols = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let cfg = SuggestConfig {
        top_k: 20,
        min_support: 20,
        ..SuggestConfig::default()
    };
    let found = suggest(&table, &cols, &rows, &wrong, &cfg);
    assert!(found.len() >= 5);
    for s in &found {
        let set = SliceSet {
            slices: vec![SliceDef::new("s", &s.expr)],
        };
        let mask = &set.evaluate(&table).unwrap().masks[0];
        let errors = rows.iter().filter(|&&i| mask.get(i) && wrong[i]).count();
        assert_eq!(mask.count(), s.size, "{}", s.expr);
        assert!(
            (errors as f64 / s.size as f64 - s.error_rate).abs() < 1e-12,
            "{}",
            s.expr
        );
        assert!(s.size >= cfg.min_support && s.score > 0.0);
    }
}

/// Splits an expression at its top-level `AND`s (not inside quotes), keeping a numeric bin's
/// two bounds apart: each piece is one comparison.
fn atoms(expr: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut rest = expr;
    while let Some(c) = rest.chars().next() {
        if !quoted && rest.starts_with(" AND ") {
            out.push(String::new());
            rest = &rest[5..];
            continue;
        }
        if c == '\'' || c == '"' {
            quoted = !quoted;
        }
        out.last_mut().unwrap().push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The rows of each expression over `table`.
fn masks(table: &slicelab::data::Table, exprs: &[&str]) -> Vec<slicelab::slices::Bitmap> {
    let set = SliceSet {
        slices: exprs
            .iter()
            .enumerate()
            .map(|(i, e)| SliceDef::new(&format!("s{i}"), e))
            .collect(),
    };
    set.evaluate(table).unwrap().masks
}

/// Fails unless the suggestions cover pairwise distinct rows of `table` and none of their
/// comparisons holds on every row.
fn assert_distinct_and_shrinking(table: &slicelab::data::Table, exprs: &[&str]) {
    let found = masks(table, exprs);
    for i in 0..found.len() {
        for j in i + 1..found.len() {
            assert_ne!(
                found[i], found[j],
                "'{}' and '{}' select the same rows",
                exprs[i], exprs[j]
            );
        }
        for atom in atoms(exprs[i]) {
            let rows = masks(table, &[&atom])[0].count();
            assert!(
                rows < table.n_rows(),
                "'{atom}' in '{}' holds on every row",
                exprs[i]
            );
        }
    }
}

/// 2,000 rows like census: `gain` is 0 on 90% of rows (quantile cuts all land on 0),
/// `region` and `state` are copies of each other, and the model errs on executives living
/// out of the universe.
fn census_like() -> (slicelab::data::Table, Vec<bool>, tempfile::TempDir) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let mut csv = String::from("gain,region,state,job,age,y,p\n");
    let mut wrong = Vec::new();
    for i in 0..2000 {
        let gain = if rng.random_bool(0.9) {
            0
        } else {
            rng.random_range(1..50) * 1000
        };
        let place = ["Not in universe", "South", "West"][rng.random_range(0..3)];
        let job = ["exec", "clerk", "farm", "sales"][rng.random_range(0..4)];
        let age: u32 = rng.random_range(17..90);
        let w = rng.random_bool(if job == "exec" && place == "Not in universe" {
            0.7
        } else {
            0.04
        });
        wrong.push(w);
        let y = i % 2;
        let p = if w { 1 - y } else { y };
        csv.push_str(&format!("{gain},{place},{place},{job},{age},{y},{p}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census_like.csv");
    std::fs::write(&path, csv).unwrap();
    (slicelab::data::load::read_table(&path).unwrap(), wrong, dir)
}

#[test]
fn suggestions_cover_distinct_rows_and_every_predicate_shrinks_its_slice() {
    let (table, wrong, _dir) = census_like();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let cols: Vec<String> = ["gain", "region", "state", "job", "age"]
        .map(String::from)
        .to_vec();
    let cfg = SuggestConfig {
        top_k: 10,
        min_support: 20,
        ..SuggestConfig::default()
    };
    let found = suggest(&table, &cols, &rows, &wrong, &cfg);
    assert_eq!(found.len(), 10, "{found:#?}");
    assert_eq!(found[0].expr, "region = 'Not in universe' AND job = 'exec'");
    let exprs: Vec<&str> = found.iter().map(|s| s.expr.as_str()).collect();
    assert_distinct_and_shrinking(&table, &exprs);
    // The copy `state` adds no slice of its own.
    assert!(exprs.iter().all(|e| !e.contains("state")), "{exprs:#?}");
}

#[test]
fn bin_edges_are_short_and_names_say_what_the_expression_does() {
    let (table, wrong) = planted();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let cols = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let cfg = SuggestConfig {
        top_k: 30,
        min_support: 20,
        max_level: 2,
        ..SuggestConfig::default()
    };
    let found = suggest(&table, &cols, &rows, &wrong, &cfg);
    let bins: Vec<_> = found.iter().filter(|s| s.expr.contains("c ")).collect();
    assert!(!bins.is_empty(), "{found:#?}");
    for s in &found {
        // Every number has at most 3 significant digits: `c < 20.1`, never `c < 20.134`.
        for number in s.expr.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
            let digits = number.trim_start_matches(['0', '.']).replace('.', "");
            assert!(digits.trim_end_matches('0').len() <= 3, "{}", s.expr);
        }
        assert_eq!(s.name, slicelab::slices::name::auto_name(&s.expr));
        assert!(!s.name.contains("__") && s.name.len() <= 40, "{}", s.name);
    }
    // A bin reads as its range: `c >= 20.1 AND c < 40` is `c_20_1_40`.
    for s in bins
        .iter()
        .filter(|s| s.expr.starts_with("c >= ") && s.expr.contains("c <"))
    {
        assert!(
            s.name.starts_with("c_") && !s.name.starts_with("c_ge"),
            "{}",
            s.name
        );
    }
}

/// 400 rows: the model errs on most `y = 1` rows and on `g = 'bad'`; `part` holds the split
/// (train and test only), `copy` repeats `g` and is to be ignored.
fn labelled_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut csv = String::from("g,copy,x,part,y,pred\n");
    for i in 0..400 {
        let g = ["bad", "ok1", "ok2", "ok3"][i % 4];
        let y = (i / 4) % 2;
        let wrong = g == "bad" || (y == 1 && i % 3 != 0);
        let pred = if wrong { 1 - y } else { y };
        let part = if (i / 8) % 2 == 0 { "train" } else { "test" };
        csv.push_str(&format!("{g},{g},{},{part},{y},{pred}\n", i % 10));
    }
    let path = dir.join("labelled.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn suggest_never_searches_the_label_prediction_split_or_ignored_columns() {
    let dir = tempfile::tempdir().unwrap();
    let data = labelled_file(dir.path());
    let args = [
        "suggest",
        "--data",
        p(&data),
        "--label",
        "y",
        "--pred",
        "pred",
        "--split-col",
        "part",
        "--ignore",
        "copy",
        "--split",
        "test",
        "--min-support",
        "10",
        "--top",
        "20",
    ];
    let out = ok(&args);
    assert!(
        out.contains("searched the test split: 200 of 400 rows"),
        "{out}"
    );
    assert!(out.contains("`g = 'bad'`"), "{out}");
    for column in ["y ", "pred", "part", "copy"] {
        assert!(
            !out.contains(&format!("`{column}")),
            "{column} searched:\n{out}"
        );
        assert!(
            !out.contains(&format!("AND {column}")),
            "{column} searched:\n{out}"
        );
    }
}

#[test]
fn an_empty_split_is_refused_with_the_split_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let data = labelled_file(dir.path());
    let r = slicelab(&[
        "suggest",
        "--data",
        p(&data),
        "--label",
        "y",
        "--pred",
        "pred",
        "--split-col",
        "part",
    ]);
    let err = stderr(&r);
    assert_eq!(r.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--split valid") && err.contains("train 200, valid 0, test 200"),
        "{err}"
    );
}

/// Every 4th census row with the predictions of a rule an analyst might write (rich means
/// capital gains, dividends, or a full-year male graduate of 35+), as `pred`.
fn census_with_rule(census: &std::path::Path, dir: &std::path::Path) -> std::path::PathBuf {
    let mut reader = csv::Reader::from_path(census).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (gains, dividends, weeks) = (
        col("capital_gains"),
        col("dividends_from_stocks"),
        col("weeks_worked_in_year"),
    );
    let (age, sex, education) = (col("age"), col("sex"), col("education"));
    let path = dir.join("census_rule.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    let mut names: Vec<&str> = header.iter().collect();
    names.push("pred");
    writer.write_record(&names).unwrap();
    for record in reader.records().step_by(4) {
        let r = record.unwrap();
        let num = |i: usize| r[i].parse::<f64>().unwrap_or(0.0);
        let graduate = ["Bachelors", "Masters", "Prof", "Doctorate"]
            .iter()
            .any(|d| r[education].starts_with(d));
        let rich = num(gains) > 5000.0
            || num(dividends) > 2000.0
            || (num(weeks) >= 52.0 && num(age) >= 35.0 && &r[sex] == "Male" && graduate);
        let mut row: Vec<&str> = r.iter().collect();
        row.push(if rich { "1" } else { "0" });
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
    path
}

#[test]
fn census_suggestions_are_ten_distinct_slices_without_always_true_predicates() {
    let Some(census) = common::shared_or_skip(
        "data/census_income_train.csv",
        "the census suggestion check",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = census_with_rule(&census, dir.path());
    let json = dir.path().join("s.json");
    let args = [
        "suggest",
        "--data",
        p(&data),
        "--label",
        "income",
        "--pred",
        "pred",
        "--split",
        "all",
        "--out",
        p(&json),
    ];
    let out = ok(&args);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let exprs: Vec<&str> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["expr"].as_str().unwrap())
        .collect();
    assert_eq!(exprs.len(), 10, "{out}");
    let table = slicelab::data::load::read_table(&data).unwrap();
    assert_distinct_and_shrinking(&table, &exprs);
}

#[test]
fn a_wide_table_shows_progress_per_level_and_says_when_the_cap_applied() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let mut csv: String = (0..300).map(|i| format!("px{i},")).collect();
    csv.push_str("y,p\n");
    for i in 0..400 {
        for _ in 0..300 {
            let v: u32 = if rng.random_bool(0.3) {
                rng.random_range(1..256)
            } else {
                0
            };
            csv.push_str(&format!("{v},"));
        }
        let y = i % 2;
        let p = if rng.random_bool(0.1) { 1 - y } else { y };
        csv.push_str(&format!("{y},{p}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("wide.csv");
    std::fs::write(&data, csv).unwrap();
    let json = dir.path().join("s.json");
    let r = slicelab(&[
        "suggest",
        "--data",
        p(&data),
        "--pred",
        "p",
        "--split",
        "all",
        "--min-support",
        "20",
        "--max-candidates",
        "50",
        "--out",
        p(&json),
    ]);
    let (out, err) = (common::cli::stdout(&r), stderr(&r));
    assert!(r.status.success(), "{err}");
    for level in 1..=3 {
        assert!(err.contains(&format!("level {level}: ")), "{err}");
    }
    assert!(
        out.contains("note: level 1 kept the 50 candidates") && out.contains("not exhaustive"),
        "{out}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["capped"], true);
    assert_eq!(v["levels"].as_array().unwrap().len(), 3);
}
