//! Slices compiled to SQL: the text each construct becomes, that the Spark and DuckDB outputs
//! parse in those dialects, that untranslatable constructs are named, and that a counts table
//! made from slicelab's own bitmaps gives `eval --counts` the same per-slice metrics as `eval`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use slicelab::data::Table;
use slicelab::data::demo::Figure1;
use slicelab::data::load::read_table;
use slicelab::slices::SliceSet;
use slicelab::sql::{Dialect, QuerySpec, SqlError, countable, counts_query, slice_conditions};

use crate::common;
use common::sql_cases::{GENERATED, constructs, counts_from_bitmaps, demo_test_csv, set_of};
use sqlparser::dialect::{Dialect as SqlDialect, DuckDbDialect, GenericDialect, SparkSqlDialect};
use sqlparser::parser::Parser;

fn generated(dir: &Path) -> Table {
    let path = dir.join("generated.csv");
    std::fs::write(&path, GENERATED).unwrap();
    read_table(&path).unwrap()
}

fn conditions(dialect: Dialect, table: &Table) -> BTreeMap<String, String> {
    slice_conditions(&constructs(), table, dialect)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn sql_text_of_each_construct() {
    let dir = tempfile::tempdir().unwrap();
    let table = generated(dir.path());
    let duck = conditions(Dialect::DuckDb, &table);
    let golden = [
        // Number columns are read as DOUBLE whatever type the engine holds them in.
        ("cmp", r#"(CAST("n" AS DOUBLE) > 1)"#),
        ("not_in", r#"(NOT ("s" IN ('Alpha', 'beta')))"#),
        (
            "between",
            r#"((CAST("n" AS DOUBLE) >= (-1)) AND (CAST("n" AS DOUBLE) <= 2))"#,
        ),
        ("like_escape", r#"("t" LIKE '100\% %' ESCAPE '\')"#),
        ("ilike", r#"("s" ILIKE 'al%')"#),
        ("quote", r#"("s" = 'O''Neil')"#),
        ("regexp", r#"regexp_matches("t", '^w\w+')"#),
        (
            "arith",
            r#"((((CAST("n" AS DOUBLE) * 2) + 1) / NULLIF((CAST("n" AS DOUBLE) - 1), 0)) >= 0.5)"#,
        ),
        ("bool_col", r#"(CAST("b" AS DOUBLE) <> 0)"#),
        ("date", r#"("d" >= DATE '2013-01-27')"#),
        ("date_in", r#"("d" IN (DATE '2013-01-27'))"#),
        (
            "num_text",
            r#"((CASE WHEN CAST("n" AS DOUBLE) IS NOT NULL THEN FALSE END) OR (CAST("n" AS DOUBLE) IN (1.5)))"#,
        ),
        (
            "negation",
            &format!(
                "regexp_matches(\"t\", '{}')",
                slicelab::slices::text::NEGATION_PATTERN.replace('\'', "''")
            ),
        ),
    ];
    for (name, sql) in golden {
        assert_eq!(duck[name], sql, "{name}");
    }
    assert!(duck["refs"].starts_with("(COALESCE(regexp_matches(\"t\", '(?i)^[\\x{9}-"));
    assert!(duck["words"].starts_with("(len(regexp_extract_all(\"t\", '[^\\x{9}-\\x{D}"));
    let spark = conditions(Dialect::Spark, &table);
    assert_eq!(spark["quote"], "(`s` = 'O\\u0027Neil')");
    assert_eq!(spark["backslash"], "(`s` = 'a\\\\b')");
    assert_eq!(spark["regexp"], "(`t` RLIKE '(?U)^w\\\\w+')");
    assert_eq!(
        spark["like_escape"],
        "(`t` LIKE '100\\\\% %' ESCAPE '\\\\')"
    );
    let fusion = conditions(Dialect::DataFusion, &table);
    assert_eq!(fusion["regexp"], "regexp_like(\"t\", '^w\\w+')");
    assert!(fusion["words"].starts_with("(regexp_count(\"t\", '[^"));
}

fn parses(sql: &str, dialect: &dyn SqlDialect) {
    let statements = Parser::parse_sql(dialect, sql)
        .unwrap_or_else(|e| panic!("{dialect:?} does not parse:\n{sql}\n{e}"));
    assert_eq!(statements.len(), 1);
}

#[test]
fn spark_and_duckdb_outputs_parse_in_their_dialects() {
    let dir = tempfile::tempdir().unwrap();
    let table = generated(dir.path());
    let figure1 = Figure1::default().table().0;
    let demo_set = set_of(&[("disk", "sf_1"), ("left", "x1 < -0.5 AND NOT disk")]);
    for (set, table) in [(constructs(), &table), (demo_set, &figure1)] {
        for dialect in Dialect::ALL {
            let spec = QuerySpec {
                table: "logs",
                label: "y",
                pred: if table.column("p").is_some() {
                    "p"
                } else {
                    "sf_2"
                },
                dialect,
            };
            let sql = counts_query(&set, table, &spec).unwrap();
            match dialect {
                Dialect::Spark => parses(&sql, &SparkSqlDialect {}),
                Dialect::DuckDb => parses(&sql, &DuckDbDialect {}),
                Dialect::DataFusion => parses(&sql, &GenericDialect {}),
            }
        }
    }
}

#[test]
fn an_untranslatable_construct_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let table = generated(dir.path());
    let cases = [
        (
            "named",
            "REGEXP_LIKE(t, '(?P<w>what)')",
            Dialect::Spark,
            "named group",
        ),
        (
            "date_math",
            "d + 1 > 3",
            Dialect::DuckDb,
            "date column 'd' used as a number",
        ),
        (
            "date_math_cmp",
            "d > n * 2",
            Dialect::DataFusion,
            "a date column compared with a computed number",
        ),
    ];
    for (name, expr, dialect, construct) in cases {
        let err = slice_conditions(&set_of(&[(name, expr)]), &table, dialect).unwrap_err();
        assert!(matches!(err, SqlError::Unsupported { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains(construct) && text.contains(name), "{text}");
    }
    // The other dialects write the named group as given.
    let (name, expr, ..) = cases[0];
    assert!(slice_conditions(&set_of(&[(name, expr)]), &table, Dialect::DuckDb).is_ok());
}

#[test]
fn slices_that_cannot_be_counted_are_left_out_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let table = generated(dir.path());
    let set = set_of(&[
        ("big", "n > 1"),
        ("ghost", "no_such_column = 1"),
        ("date_math_cmp", "d > n * 2"),
        ("built_on_ghost", "ghost AND big"),
        ("built_on_big", "big AND n < 10"),
    ]);
    let (kept, skipped) = countable(&set, &table, Dialect::DataFusion).unwrap();
    assert_eq!(kept.names(), ["big", "built_on_big"]);
    let reasons: BTreeMap<&str, &str> = (skipped.iter())
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons["ghost"].contains("no_such_column"), "{reasons:?}");
    assert!(
        reasons["date_math_cmp"].contains("compared with a computed number"),
        "{reasons:?}"
    );
    assert!(
        reasons["built_on_ghost"].ends_with("built on the left-out slice 'ghost'"),
        "{reasons:?}"
    );
    let order: Vec<&str> = skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        order,
        ["ghost", "date_math_cmp", "built_on_ghost"],
        "set order"
    );
    // The kept slices make a query; a cycle belongs to no one slice and is still an error.
    let spec = QuerySpec {
        table: "t",
        label: "y",
        pred: "p",
        dialect: Dialect::DataFusion,
    };
    assert!(counts_query(&kept, &table, &spec).is_ok());
    let cycle = set_of(&[("x1", "x2 AND n > 1"), ("x2", "x1")]);
    let r = countable(&cycle, &table, Dialect::DataFusion);
    assert!(r.is_err(), "{r:?}");
}

fn slicelab(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_slicelab"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn report_rows(path: &Path) -> BTreeMap<String, serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] != "truth")
        .map(|r| (r["name"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

/// `eval --counts` on the counts of `data` equals `eval` in memory: every slice's confusion,
/// coverage, scores and per-class table; intervals within bootstrap noise on slices of 50+ rows.
fn counts_match_in_memory(dir: &Path, data: &Path, label: &str, pred: &str, set: &SliceSet) {
    let slices = dir.join("s.toml");
    set.save(&slices).unwrap();
    let counts = dir.join("counts.csv");
    std::fs::write(&counts, counts_from_bitmaps(data, label, pred, set)).unwrap();
    let (mem, from_counts) = (dir.join("mem.json"), dir.join("counts.json"));
    let p = |x: &Path| x.to_str().unwrap().to_string();
    slicelab(&[
        "eval",
        "--data",
        &p(data),
        "--label",
        label,
        "--pred",
        pred,
        "--slices",
        &p(&slices),
        "--json",
        &p(&mem),
    ]);
    let printed = slicelab(&["eval", "--counts", &p(&counts), "--json", &p(&from_counts)]);
    assert!(printed.contains("overall"), "{printed}");
    let (a, b) = (report_rows(&mem), report_rows(&from_counts));
    assert_eq!(a.len(), set.slices.len() + 1);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, x) in &a {
        let y = &b[name];
        for field in ["confusion", "coverage", "scores", "per_class", "kind"] {
            assert_eq!(x[field], y[field], "{name}: {field}");
        }
        // Both bootstraps draw the same distribution; on tiny slices one run says little.
        let n: u64 = x["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_u64())
            .sum();
        if n < 50 {
            continue;
        }
        let ivs = |r: &serde_json::Value| r["intervals"].as_object().unwrap().clone();
        for (m, iv) in ivs(x) {
            let Some(other) = ivs(y).get(&m).cloned() else {
                continue;
            };
            for k in 0..2 {
                let (u, v) = (iv[k].as_f64().unwrap(), other[k].as_f64().unwrap());
                assert!((u - v).abs() < 0.1, "{name} {m}: {iv} vs {other}");
            }
        }
    }
}

#[test]
fn eval_counts_equals_in_memory_eval_on_the_generated_table() {
    let dir = tempfile::tempdir().unwrap();
    generated(dir.path());
    let data = dir.path().join("generated.csv");
    counts_match_in_memory(dir.path(), &data, "y", "p", &constructs());
}

#[test]
fn eval_counts_equals_in_memory_eval_on_the_demo_and_the_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_test_csv(dir.path(), 600);
    let demo_set = set_of(&[
        ("disk", "sf_1"),
        ("left", "x1 < -0.5 AND NOT disk"),
        ("band", "x1 - x2 BETWEEN -0.1 AND 0.1"),
    ]);
    counts_match_in_memory(dir.path(), &demo, "y", "sf_2", &demo_set);
    // `slicelab sql` prints the library's query for the same slices, typed on the demo's columns.
    let slices = dir.path().join("s.toml");
    let printed = slicelab(&[
        "sql",
        "--demo",
        "--slices",
        slices.to_str().unwrap(),
        "--label",
        "y",
        "--pred",
        "sf_2",
        "--table",
        "logs",
        "--dialect",
        "duckdb",
    ]);
    let spec = QuerySpec {
        table: "logs",
        label: "y",
        pred: "sf_2",
        dialect: Dialect::DuckDb,
    };
    let figure1 = Figure1::default().table().0;
    assert_eq!(printed, counts_query(&demo_set, &figure1, &spec).unwrap());
    parses(&printed, &DuckDbDialect {});

    // The review snippets, with a deterministic "model" that errs on long reviews.
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rotten_tomatoes_sample.csv");
    let mut text = String::from("text,label,pred\n");
    let mut reader = csv::Reader::from_path(&fixture).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        let (t, l) = (&r[0], &r[1]);
        let wrong = t.split_whitespace().count() > 20;
        let p = if wrong {
            if l == "1" { "0" } else { "1" }
        } else {
            l
        };
        text += &format!("\"{}\",{l},{p}\n", t.replace('"', "\"\""));
    }
    let reviews = dir.path().join("reviews.csv");
    std::fs::write(&reviews, text).unwrap();
    let text_set = set_of(&[
        ("long", "WORD_COUNT(text) > 20"),
        ("question", "IS_QUESTION(text)"),
        ("negation", "HAS_NEGATION(text)"),
        ("film", "LOWER(text) LIKE '%film%' OR text ILIKE '%movie%'"),
    ]);
    counts_match_in_memory(dir.path(), &reviews, "label", "pred", &text_set);
}
