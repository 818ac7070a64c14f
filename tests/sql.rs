//! Slices compiled to SQL: the text each construct becomes, that the Spark and DuckDB outputs
//! parse in those dialects, that untranslatable constructs are named, and that a counts table
//! made from slicelab's own bitmaps gives `eval --counts` the same per-slice metrics as `eval`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use slicelab::data::demo::{Figure1, table_csv};
use slicelab::data::load::read_table;
use slicelab::data::{Dataset, DatasetSpec, Split, Table};
use slicelab::slices::{SliceDef, SliceSet};
use slicelab::sql::{Dialect, QuerySpec, SqlError, counts_query, slice_conditions};
use sqlparser::dialect::{Dialect as SqlDialect, DuckDbDialect, GenericDialect, SparkSqlDialect};
use sqlparser::parser::Parser;

/// A table with a missing value in every column kind: numbers, text, 0/1, dates, free text.
const GENERATED: &str = "\
n,s,b,d,t,y,p
1.5,Alpha,1,2013-01-27,Why is it so slow?,1,1
,beta,0,2013-02-01,It isn't good,0,1
-2,,1,,a  b   c,1,0
0,O'Neil,0,2014-05-05,\"100% sure, not bad\",0,0
3,a\\b,1,2013-01-01,what now,1,1
4,alphabet,0,2015-06-30,,2,2
2,Beta,1,2013-01-27,no way?,2,1
";

/// Every construct a slice expression may use.
const CONSTRUCTS: &[(&str, &str)] = &[
    ("cmp", "n > 1"),
    ("is_null", "n IS NULL"),
    ("not_null", "s IS NOT NULL"),
    ("in_num", "n IN (0, 3)"),
    ("not_in", "s NOT IN ('Alpha', 'beta')"),
    ("between", "n BETWEEN -1 AND 2"),
    ("like", "s LIKE 'A%'"),
    ("like_escape", "t LIKE '100\\% %'"),
    ("ilike", "s ILIKE 'al%'"),
    ("underscore", "s LIKE 'bet_'"),
    ("quote", "s = 'O''Neil'"),
    ("backslash", "s = 'a\\b'"),
    ("regexp", "REGEXP_LIKE(t, '^w\\w+')"),
    ("arith", "(n * 2 + 1) / (n - 1) >= 0.5"),
    ("modulo", "n % 2 = 1"),
    ("negate", "-n < 1"),
    ("sqrt", "SQRT(n) < 2"),
    ("ln", "LN(n) < 1"),
    ("round", "ROUND(n) = 2 OR FLOOR(n) = 1 OR CEIL(n) = 2"),
    ("abs_exp", "ABS(n) = 2 AND EXP(n) > 1"),
    ("lower_upper", "LOWER(s) = 'alpha' OR UPPER(s) = 'BETA'"),
    ("trim_length", "TRIM(t) = 'a  b   c' OR LENGTH(s) = 5"),
    ("words", "WORD_COUNT(t) >= 3"),
    ("question", "IS_QUESTION(t)"),
    ("negation", "HAS_NEGATION(t)"),
    ("bool_col", "b"),
    ("bool_eq", "b = 1"),
    ("date", "d >= '2013-01-27'"),
    ("date_in", "d IN ('2013-01-27')"),
    ("num_text", "n = 'abc' OR n IN ('1.5', 'x')"),
    ("same", "(n > 1) = (b = 1)"),
    ("not_or", "NOT (n > 1 OR s = 'beta')"),
    ("literal", "n > 100 OR FALSE"),
    ("refs", "question AND NOT negation"),
];

fn set_of(pairs: &[(&str, &str)]) -> SliceSet {
    SliceSet {
        slices: pairs.iter().map(|(n, e)| SliceDef::new(n, e)).collect(),
    }
}

fn generated(dir: &Path) -> Table {
    let path = dir.join("generated.csv");
    std::fs::write(&path, GENERATED).unwrap();
    read_table(&path).unwrap()
}

fn conditions(dialect: Dialect, table: &Table) -> BTreeMap<String, String> {
    slice_conditions(&set_of(CONSTRUCTS), table, dialect)
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
        ("cmp", r#"("n" > 1)"#),
        ("not_in", r#"(NOT ("s" IN ('Alpha', 'beta')))"#),
        ("between", r#"(("n" >= (-1)) AND ("n" <= 2))"#),
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
            r#"((CASE WHEN "n" IS NOT NULL THEN FALSE END) OR ("n" IN (1.5)))"#,
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
    for (set, table) in [(set_of(CONSTRUCTS), &table), (demo_set, &figure1)] {
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
            "text_order",
            "n < 'abc'",
            Dialect::DataFusion,
            "number column 'n' compared as text",
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

/// The counts table the query returns, tallied from slicelab's own bitmaps over `data`.
fn counts_from_bitmaps(data: &Path, label: &str, pred: &str, set: &SliceSet) -> String {
    let table = read_table(data).unwrap();
    let spec = DatasetSpec {
        pred: Some(pred.to_string()),
        ..DatasetSpec::new(label)
    };
    let forced = vec![Some(Split::Test); table.n_rows()];
    let ds = Dataset::from_table(table, &spec, &forced).unwrap();
    let p = ds.pred.clone().unwrap();
    let evaluated = set.evaluate(&ds.table).unwrap();
    let name = |c: u32| ds.classes.get(c as usize).cloned().unwrap_or_default();
    let mut out = String::from("slice,label,pred,count\n");
    let all = slicelab::slices::Bitmap::ones(ds.n_rows());
    let slices = std::iter::once(("overall", &all)).chain(
        evaluated
            .names
            .iter()
            .map(String::as_str)
            .zip(&evaluated.masks),
    );
    // As the query does: every (label, pred) pair of the table for every slice, 0 included.
    let pairs: Vec<(u32, u32)> = (0..ds.n_rows()).map(|i| (ds.y[i], p[i])).collect();
    for (slice, mask) in slices {
        let mut cells: BTreeMap<(u32, u32), u64> = pairs.iter().map(|&c| (c, 0)).collect();
        for i in (0..ds.n_rows()).filter(|&i| mask.get(i)) {
            *cells.entry(pairs[i]).or_default() += 1;
        }
        for ((t, q), n) in cells {
            out += &format!(
                "\"{}\",{},{},{n}\n",
                slice.replace('"', "\"\""),
                name(t),
                name(q)
            );
        }
    }
    out
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
    counts_match_in_memory(dir.path(), &data, "y", "p", &set_of(CONSTRUCTS));
}

#[test]
fn eval_counts_equals_in_memory_eval_on_the_demo_and_the_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let (table, splits) = Figure1 {
        n: 600,
        ..Figure1::default()
    }
    .table();
    let rows: Vec<usize> = (0..table.n_rows())
        .filter(|&i| splits[i] == Split::Test)
        .collect();
    let demo = dir.path().join("demo.csv");
    std::fs::write(&demo, table_csv(&table, &rows)).unwrap();
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
