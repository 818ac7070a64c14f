//! Seeded fuzzing: thousands of generated slice expressions and corrupted CSV, Parquet and model
//! files go through the parser, the loaders and the model loader. Each must answer with a value
//! or an error, never a panic or an abort (issue 13). The seeds are fixed, so a failure repeats.

use crate::common;

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use slicelab::data::demo::Figure1;
use slicelab::data::load::{Sources, read_table};
use slicelab::data::{Dataset, DatasetSpec, Table};
use slicelab::slices::{SliceDef, SliceSet};

const TOKENS: &[&str] = &[
    "x1",
    "x2",
    "y",
    "sf_1",
    "sf_2",
    "slice_1",
    "nope",
    "\"x1\"",
    "`x2`",
    "0",
    "1",
    "-0.5",
    "1e308",
    "1e-400",
    "NaN",
    "'a'",
    "'it''s'",
    "''",
    "'%_\\'",
    "NULL",
    "TRUE",
    "FALSE",
    "AND",
    "OR",
    "NOT",
    "IS",
    "IN",
    "BETWEEN",
    "LIKE",
    "ILIKE",
    "(",
    ")",
    ",",
    "=",
    "<>",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "||",
    "ABS(",
    "SQRT(",
    "LN(",
    "LENGTH(",
    "LOWER(",
    "REGEXP_LIKE(",
    "WORD_COUNT(",
    "IS_QUESTION(",
    "HAS_NEGATION(",
    "ROUND(",
    "CAST(",
    "AS",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "SELECT",
    ";",
    "--",
    "/*",
    "é",
    "\u{0}",
    "🙂",
    "  ",
];

/// A random token string of 1-40 tokens.
fn random_expr(rng: &mut StdRng) -> String {
    let n = rng.random_range(1..40);
    (0..n)
        .map(|_| TOKENS[rng.random_range(0..TOKENS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A valid expression with a few characters inserted, deleted or swapped.
fn mutated_expr(rng: &mut StdRng) -> String {
    const VALID: &[&str] = &[
        "x1 < -0.5 AND x2 > 0.25",
        "x1 BETWEEN -0.5 AND 0.5 OR NOT (x2 IN (0, 1, 2))",
        "ABS(x1 - x2) * 2 >= SQRT(ABS(x2)) OR sf_1 = 1",
        "LOWER(CAST(y AS VARCHAR)) LIKE '1%' AND x1 IS NOT NULL",
        "slice_1 = 1 OR (x1 + x2 + x1 * x2) % 3 <> 0",
    ];
    let mut chars: Vec<char> = VALID[rng.random_range(0..VALID.len())].chars().collect();
    for _ in 0..rng.random_range(1..5) {
        let at = rng.random_range(0..chars.len().max(1));
        match rng.random_range(0..3) {
            0 if !chars.is_empty() => {
                chars.remove(at);
            }
            1 => chars.insert(
                at,
                "()'\",.-<>=%_x19 "
                    .chars()
                    .nth(rng.random_range(0..17))
                    .unwrap_or(' '),
            ),
            _ if at + 1 < chars.len() => chars.swap(at, at + 1),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

#[test]
fn generated_expressions_parse_or_fail_cleanly() {
    let table = Figure1 {
        n: 200,
        ..Figure1::default()
    }
    .dataset()
    .table;
    let mut rng = StdRng::seed_from_u64(13);
    let (mut ok, mut refused) = (0, 0);
    for i in 0..3000 {
        let expr = if i % 2 == 0 {
            random_expr(&mut rng)
        } else {
            mutated_expr(&mut rng)
        };
        let set = SliceSet {
            slices: vec![SliceDef::new("s", &expr)],
        };
        match set.evaluate(&table) {
            Ok(e) => {
                assert_eq!(e.masks[0].len(), table.n_rows(), "{expr}");
                ok += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty(), "{expr}");
                refused += 1;
            }
        }
    }
    assert!(ok > 100 && refused > 100, "{ok} parsed, {refused} refused");
}

/// Bytes with random damage: flipped bytes, a cut, and inserted quotes, separators or NULs.
fn damaged(rng: &mut StdRng, good: &[u8]) -> Vec<u8> {
    let mut b = good.to_vec();
    for _ in 0..rng.random_range(1..8) {
        let at = rng.random_range(0..b.len().max(1));
        match rng.random_range(0..5) {
            0 if !b.is_empty() => b[at] = rng.random(),
            1 => b.truncate(at),
            2 => b.insert(at.min(b.len()), b"\",\n\0\r"[rng.random_range(0..5)]),
            3 if !b.is_empty() => {
                let end = (at + rng.random_range(1..64)).min(b.len());
                let chunk = b[at..end].to_vec();
                b.splice(at..at, chunk);
            }
            _ => {}
        }
    }
    b
}

fn load_any(path: &Path) {
    if let Ok(table) = read_table(path) {
        let label = table.columns.last().map_or("y".into(), |c| c.name.clone());
        let _ = Dataset::load(&Sources::resolve(path, None), &DatasetSpec::new(&label));
        check_table(&table);
    }
}

fn check_table(t: &Table) {
    for c in &t.columns {
        assert_eq!(c.len(), t.n_rows(), "column {} has every row", c.name);
    }
}

#[test]
fn corrupted_csv_files_load_or_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (table, _) = Figure1 {
        n: 120,
        ..Figure1::default()
    }
    .table();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let bytes = slicelab::data::demo::table_csv(&table, &rows).into_bytes();
    let mut rng = StdRng::seed_from_u64(7);
    for i in 0..600 {
        let path = dir.path().join(format!("bad{i}.csv"));
        std::fs::write(&path, damaged(&mut rng, &bytes)).unwrap();
        load_any(&path);
    }
}

#[test]
fn corrupted_parquet_files_load_or_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    write_parquet(&good);
    assert!(read_table(&good).is_ok());
    let bytes = std::fs::read(&good).unwrap();
    let mut rng = StdRng::seed_from_u64(11);
    for i in 0..600 {
        let path = dir.path().join(format!("bad{i}.parquet"));
        std::fs::write(&path, damaged(&mut rng, &bytes)).unwrap();
        load_any(&path);
    }
}

fn write_parquet(path: &Path) {
    use common::parquet::{Values, write};
    let n = 50;
    let x: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64 / 7.0)).collect();
    let s: Vec<&str> = (0..n).map(|i| ["a", "b", "c"][i % 3]).collect();
    let y: Vec<i64> = (0..n).map(|i| (i % 2) as i64).collect();
    write(
        path,
        "message m { optional double x; required binary s (UTF8); required int64 y; }",
        &[Values::Double(&x), Values::Text(&s), Values::Int(&y)],
    );
}

#[test]
fn corrupted_model_folders_load_or_fail_cleanly() {
    use candle_core::Device;
    use slicelab::train::{DataSource, ExperimentSpec, run_experiment};
    use slicelab::train::{TrainConfig, TrainedModel};

    let source = DataSource::Demo(Figure1 {
        n: 300,
        ..Figure1::default()
    });
    let spec = ExperimentSpec {
        methods: vec![slicelab::model::Method::Sbl],
        seeds: vec![0],
        train: TrainConfig {
            epochs: 1,
            ..TrainConfig::default()
        },
        rep_dim: None,
        features: None,
        metric: None,
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let result =
        run_experiment(&source, &source.default_slices(), &spec, &mut |_| {}, &stop).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    result.runs[0].model.save(&good).unwrap();
    let config = std::fs::read(good.join("config.json")).unwrap();
    let weights = std::fs::read(good.join("model.safetensors")).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    for i in 0..400 {
        let bad = dir.path().join(format!("bad{i}"));
        std::fs::create_dir(&bad).unwrap();
        let (c, w) = match i % 3 {
            0 => (damaged(&mut rng, &config), weights.clone()),
            1 => (config.clone(), damaged(&mut rng, &weights)),
            _ => (damaged(&mut rng, &config), damaged(&mut rng, &weights)),
        };
        std::fs::write(bad.join("config.json"), c).unwrap();
        std::fs::write(bad.join("model.safetensors"), w).unwrap();
        if let Ok(m) = TrainedModel::load(&bad, &Device::Cpu) {
            // Whatever loads must predict without panicking.
            let table = source.dataset(0).table.clone();
            let _ = m.predict_table(&table);
        }
    }
}
