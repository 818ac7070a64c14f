//! Apache DataFusion counts what slicelab's bitmaps count (issue 18): for every expression
//! construct, the figure1 demo and census, read from CSV and from Parquet, each slice's confusion
//! counts from the engine equal those tallied in memory; `eval --engine` prints and writes what
//! `eval --counts` does; bad input is named. Runs with `--features engine` (`.ci/run` does).

#![cfg(feature = "engine")]

use crate::common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{CsvReadOptions, SessionContext};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use slicelab::engine::{Engine, EngineError, SAMPLE_ROWS, Source};
use slicelab::slices::SliceSet;
use slicelab::sql::Counts;

use common::cli::{ok, p, slicelab, stderr};
use common::sql_cases::{GENERATED, constructs, counts_from_bitmaps, demo_test_csv, set_of};

/// The engine's counts of `set` over `pattern`, under a 64 MB memory pool.
fn engine_counts(pattern: &str, set: &SliceSet, label: &str, pred: &str) -> Counts {
    let engine = Engine::open(Source::resolve(pattern).unwrap(), Some(64_000_000)).unwrap();
    let typing = engine.sample(SAMPLE_ROWS).unwrap();
    engine
        .counts(set, &typing, label, pred, None)
        .unwrap_or_else(|e| panic!("{pattern}: {e}"))
        .counts
}

/// Each slice's confusion counts from the engine equal the bitmaps', named on failure.
fn assert_same_counts(engine: &Counts, bitmaps: &str, what: &str) {
    let e = engine.confusions(None).unwrap();
    let b = Counts::parse(bitmaps, Path::new(what))
        .unwrap()
        .confusions(None)
        .unwrap();
    assert_eq!(e.classes, b.classes, "{what}: classes");
    assert_eq!(e.overall.counts, b.overall.counts, "{what}: overall");
    assert_eq!(e.overall.unknown, b.overall.unknown, "{what}: overall");
    assert_eq!(e.slices.len(), b.slices.len(), "{what}: slices");
    for ((name, ce), (bname, cb)) in e.slices.iter().zip(&b.slices) {
        assert_eq!(name, bname, "{what}: slice order");
        assert_eq!(
            (&ce.counts, &ce.unknown),
            (&cb.counts, &cb.unknown),
            "{what}: slice '{name}' (engine, bitmaps)"
        );
    }
}

/// The CSV as Parquet, typed by DataFusion's CSV reader (numbers, dates, text as it infers).
fn to_parquet(csv: &Path, out: &Path) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = SessionContext::new();
        let frame = ctx
            .read_csv(
                p(csv),
                CsvReadOptions::new().schema_infer_max_records(100_000),
            )
            .await
            .unwrap();
        let single = DataFrameWriteOptions::new().with_single_file_output(true);
        frame.write_parquet(p(out), single, None).await.unwrap();
    });
}

/// Checks `set` on `csv`, then on the same rows as Parquet, against the bitmaps of `csv`.
fn check_both_formats(dir: &Path, csv: &Path, set: &SliceSet, label: &str, pred: &str) {
    let bitmaps = counts_from_bitmaps(csv, label, pred, set);
    let from_csv = engine_counts(p(csv), set, label, pred);
    assert_same_counts(&from_csv, &bitmaps, &format!("{} (csv)", csv.display()));
    let parquet = dir.join(csv.with_extension("parquet").file_name().unwrap());
    to_parquet(csv, &parquet);
    let from_parquet = engine_counts(p(&parquet), set, label, pred);
    assert_same_counts(
        &from_parquet,
        &bitmaps,
        &format!("{} (parquet)", parquet.display()),
    );
}

/// A CSV field, quoted when it must be.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `rows` seeded random rows over the columns of [`GENERATED`], drawn from values that sit on
/// every construct's edges: zero and negative numbers (division, logarithms), quotes,
/// backslashes, LIKE wildcards, mixed case and non-ASCII text, questions and negations, missing
/// cells in every column, and missing predictions.
fn random_table(rows: usize, seed: u64) -> String {
    const NUMS: [&str; 12] = [
        "", "0", "1", "1.5", "2", "3", "-2", "-0.5", "4", "100", "1e3", "0.1",
    ];
    const STRS: [&str; 12] = [
        "", "Alpha", "alpha", "beta", "Beta", "O'Neil", "a\\b", "alphabet", "bet_", "ÄÖ", "İx",
        "100%",
    ];
    const DATES: [&str; 6] = [
        "",
        "2013-01-27",
        "2013-01-26",
        "2014-05-05",
        "2012-12-31",
        "2015-06-30",
    ];
    const WORDS: [&str; 14] = [
        "why", "is", "it", "so", "slow?", "isn't", "not", "100%", "sure,", "no", "way", "what",
        "w_x", "never",
    ];
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = String::from("n,s,b,d,t,y,p\n");
    for _ in 0..rows {
        let words: Vec<&str> = (0..rng.random_range(0..6))
            .map(|_| WORDS[rng.random_range(0..WORDS.len())])
            .collect();
        let t = if rng.random_bool(0.1) {
            String::new()
        } else {
            words.join(" ")
        };
        let b = ["", "0", "1"][rng.random_range(0..3)];
        let y = rng.random_range(0..3);
        let p = if rng.random_bool(0.03) {
            String::new()
        } else if rng.random_bool(0.7) {
            y.to_string()
        } else {
            rng.random_range(0..3).to_string()
        };
        let _ = writeln!(
            out,
            "{},{},{b},{},{},{y},{p}",
            NUMS[rng.random_range(0..NUMS.len())],
            field(STRS[rng.random_range(0..STRS.len())]),
            DATES[rng.random_range(0..DATES.len())],
            field(&t),
        );
    }
    out
}

#[test]
fn every_construct_counts_as_the_bitmaps_do_from_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let set = constructs();
    let small = dir.path().join("generated.csv");
    std::fs::write(&small, GENERATED).unwrap();
    check_both_formats(dir.path(), &small, &set, "y", "p");
    let random = dir.path().join("random.csv");
    std::fs::write(&random, random_table(3000, 7)).unwrap();
    check_both_formats(dir.path(), &random, &set, "y", "p");
}

#[test]
fn a_file_without_a_header_row_has_the_loaders_column_names() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("no_header.csv");
    // The constructs table's rows, repeated: each first-row value recurs, so the loader (and so
    // the engine) can tell the first row is data.
    let rows = GENERATED.split_once('\n').unwrap().1;
    std::fs::write(&csv, rows.repeat(30)).unwrap();
    let set = set_of(&[
        ("big", "c0 > 1"),
        ("alpha", "c1 ILIKE 'al%'"),
        ("q", "IS_QUESTION(c4)"),
    ]);
    let bitmaps = counts_from_bitmaps(&csv, "c5", "c6", &set);
    assert_same_counts(
        &engine_counts(p(&csv), &set, "c5", "c6"),
        &bitmaps,
        "no header",
    );
}

#[test]
fn the_demo_counts_as_the_bitmaps_do() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_test_csv(dir.path(), 4000);
    let set = SliceSet::load(Path::new("assets/slices/figure1_grid.toml")).unwrap();
    check_both_formats(dir.path(), &demo, &set, "y", "sf_2");
}

fn census_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/census_sample.csv")
}

#[test]
fn census_counts_as_the_bitmaps_do() {
    let dir = tempfile::tempdir().unwrap();
    let set = SliceSet::load(Path::new("assets/slices/census.toml")).unwrap();
    check_both_formats(dir.path(), &census_sample(), &set, "income", "pred");
    // The whole census test split when ../shared is beside the repo.
    if let Some(full) = common::shared_or_skip("data/census_income_test.csv", "full census") {
        let with_pred = dir.path().join("census_test.csv");
        add_rule_prediction(&full, &with_pred);
        check_both_formats(dir.path(), &with_pred, &set, "income", "pred");
    }
}

/// Copies a census CSV with the fixture's `pred` rule appended.
fn add_rule_prediction(from: &Path, to: &Path) {
    let mut r = csv::Reader::from_path(from).unwrap();
    let header = r.headers().unwrap().clone();
    let at = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (gains, dividends, edu) = (
        at("capital_gains"),
        at("dividends_from_stocks"),
        at("education"),
    );
    let mut w = csv::Writer::from_path(to).unwrap();
    w.write_record(header.iter().chain(["pred"])).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        let num = |i: usize| row[i].parse::<f64>().unwrap_or(0.0);
        let e = &row[edu];
        let degree = e.contains("degree") && !e.contains("Associates") && !e.contains("Bachelors");
        let hi = num(gains) > 5000.0 || num(dividends) > 1000.0 || degree;
        w.write_record(row.iter().chain([if hi { "1" } else { "0" }]))
            .unwrap();
    }
}

#[test]
fn eval_engine_prints_and_writes_what_eval_counts_does() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    // Two Parquet parts of the fixture, read through a glob.
    let text = std::fs::read_to_string(census_sample()).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let lines: Vec<&str> = body.lines().collect();
    for (i, part) in lines.chunks(lines.len() / 2 + 1).enumerate() {
        let csv = dir.path().join(format!("part-{i}.csv"));
        std::fs::write(&csv, format!("{header}\n{}\n", part.join("\n"))).unwrap();
        to_parquet(&csv, &logs.join(format!("part-{i}.parquet")));
    }
    let slices = "assets/slices/census.toml";
    let counts = dir.path().join("counts.csv");
    let set = SliceSet::load(Path::new(slices)).unwrap();
    std::fs::write(
        &counts,
        counts_from_bitmaps(&census_sample(), "income", "pred", &set),
    )
    .unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let glob = format!("{}/*.parquet", logs.display());
    let engine_out = ok(&[
        "eval",
        "--engine",
        "datafusion",
        "--data",
        &glob,
        "--label",
        "income",
        "--pred",
        "pred",
        "--slices",
        slices,
        "--memory-limit",
        "64MB",
        "--json",
        p(&a),
    ]);
    let counts_out = ok(&["eval", "--counts", p(&counts), "--json", p(&b)]);
    // The same table, row for row (only the closing "what was evaluated" lines differ).
    let table = |s: &str| {
        s.lines()
            .take_while(|l| !l.contains("data:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(table(&engine_out), table(&counts_out));
    assert!(
        engine_out.contains("counted by DataFusion over 2 file(s)"),
        "{engine_out}"
    );
    let report = |path: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let o = v.as_object_mut().unwrap();
        o.remove("evaluated");
        o.remove("data");
        v
    };
    assert_eq!(report(&a), report(&b));
}

#[test]
fn bad_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("g.csv");
    std::fs::write(&csv, GENERATED).unwrap();
    let missing = format!("{}/*.parquet", dir.path().display());
    assert!(matches!(
        Source::resolve(&missing),
        Err(EngineError::NoFiles { .. })
    ));
    let run = |extra: &[&str]| {
        let mut args = vec!["eval", "--engine", "datafusion", "--label", "y", "--slices"];
        args.push("assets/slices/census.toml");
        args.extend_from_slice(extra);
        stderr(&slicelab(&args))
    };
    let e = run(&["--data", &missing, "--pred", "p"]);
    assert!(e.contains("no .parquet or .csv file matches"), "{e}");
    let e = run(&["--data", p(&csv), "--pred", "nope"]);
    assert!(
        e.contains("no column 'nope' (--pred)") && e.contains("n, s, b"),
        "{e}"
    );
    let e = run(&["--data", p(&csv), "--pred", "p", "--memory-limit", "lots"]);
    assert!(e.contains("--memory-limit 'lots': not a size"), "{e}");
    // Census slices name columns this table does not have: the slice and column are named.
    let e = run(&["--data", p(&csv), "--pred", "p"]);
    assert!(e.contains("sex"), "{e}");
    // A header that repeats a name: the columns and the fix are named.
    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "a,a,y,p\n1,x,1,1\n2,y,0,1\n").unwrap();
    let e = run(&["--data", p(&dup), "--pred", "p"]);
    assert!(
        e.contains("columns 1 and 2 are both named 'a'") && e.contains("'a_2'"),
        "{e}"
    );
    let gz = dir.path().join("g.csv.gz");
    std::fs::write(&gz, b"").unwrap();
    let e = run(&["--data", p(&gz), "--pred", "p"]);
    assert!(e.contains("decompress it or convert it to Parquet"), "{e}");
}
