//! Benchmark: 20 slices over a generated Parquet table of 50 million rows (about 4 GB on disk,
//! more than the memory limit), counted by DataFusion in process (`--features engine`), next to
//! slicelab's in-memory path on the largest table that fits. Wall time and peak RSS of each, each
//! run in its own child process so one's memory does not hide in the other's peak.
//!
//! `cargo bench --bench engine --features engine`. Settings (environment):
//! `ENGINE_ROWS` (50000000), `ENGINE_IN_MEMORY_ROWS` (10000000, comma-separated for several),
//! `ENGINE_MEMORY_LIMIT` (1GB), `ENGINE_DIR` (target/engine-bench; the table is generated once
//! and reused). Target: the engine's peak RSS stays within the memory limit plus its fixed
//! buffers while the table on disk is several times larger.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::engine::{Engine, SAMPLE_ROWS, Source, parse_size};
use slicelab::metrics::report::SliceRef;
use slicelab::metrics::{ReportSpec, slice_report};
use slicelab::slices::{SliceDef, SliceSet};

/// Rows per Parquet file of the big table.
const PART_ROWS: usize = 1_000_000;
/// Rows per record batch written.
const BATCH: usize = 65_536;

const REGIONS: [&str; 8] = [
    "north", "south", "east", "west", "centre", "coast", "hills", "islands",
];
const WORDS: [&str; 12] = [
    "fast", "slow", "not", "good", "bad", "why", "never", "great", "late", "refund", "card", "app",
];

/// Twenty slices of the kinds practitioners write: ranges, categories, text helpers, arithmetic.
const SLICES: [(&str, &str); 20] = [
    ("young", "age < 25"),
    ("senior", "age >= 65"),
    ("mid_age", "age BETWEEN 35 AND 50"),
    ("high_income", "income > 1.5"),
    ("low_income", "income < -1.5"),
    ("north", "region = 'north'"),
    ("coastal", "region IN ('coast', 'islands')"),
    (
        "inland_young",
        "region NOT IN ('coast', 'islands') AND age < 30",
    ),
    ("risky", "score1 + score2 > 2"),
    ("ratio", "score1 / (ABS(score2) + 1) > 1"),
    ("tail3", "score3 > 2 OR score3 < -2"),
    ("band4", "score4 BETWEEN -0.1 AND 0.1"),
    ("question", "IS_QUESTION(comment)"),
    ("negation", "HAS_NEGATION(comment)"),
    ("long_comment", "WORD_COUNT(comment) >= 5"),
    ("refund", "comment LIKE '%refund%'"),
    ("missing_score", "score5 IS NULL"),
    ("senior_north", "senior AND north"),
    ("odd_age", "age % 2 = 1"),
    (
        "mixed",
        "(score5 > 0) AND (region LIKE 's%' OR region = 'hills')",
    ),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("child-engine") => return child_engine(&args[2], &args[3]),
        Some("child-memory") => return child_memory(&args[2]),
        _ => {}
    }
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let rows: usize = env("ENGINE_ROWS", "50000000").parse().expect("ENGINE_ROWS");
    let in_memory: Vec<usize> = env("ENGINE_IN_MEMORY_ROWS", "10000000")
        .split(',')
        .map(|s| s.trim().parse().expect("ENGINE_IN_MEMORY_ROWS"))
        .collect();
    let limit = env("ENGINE_MEMORY_LIMIT", "1GB");
    let dir = PathBuf::from(env("ENGINE_DIR", "target/engine-bench"));
    std::fs::create_dir_all(&dir).expect("bench folder");
    let slices = dir.join("slices.toml");
    let set = SliceSet {
        slices: SLICES.iter().map(|(n, e)| SliceDef::new(n, e)).collect(),
    };
    set.save(&slices).expect("slices written");

    let big = dir.join(format!("rows-{rows}"));
    generate_parts(&big, rows);
    println!("engine: 20 slices, {} threads", rayon_threads());
    println!(
        "| path | rows | files | on disk | memory limit | wall | peak RSS | rows/s |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    let glob = format!("{}/*.parquet", big.display());
    run_child(
        &["child-engine", &glob, &limit],
        "DataFusion",
        rows,
        &big,
        &limit,
    );
    for &n in &in_memory {
        let single = dir.join(format!("single-{n}.parquet"));
        generate_file(&single, n, 0);
        run_child(
            &["child-memory", &single.display().to_string()],
            "in memory",
            n,
            &single,
            "-",
        );
        let path = single.display().to_string();
        run_child(
            &["child-engine", &path, &limit],
            "DataFusion",
            n,
            &single,
            &limit,
        );
    }
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs this binary in `mode` as a child and prints its line of the table.
fn run_child(args: &[&str], path: &str, rows: usize, data: &Path, limit: &str) {
    let t0 = Instant::now();
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(args)
        .output()
        .expect("child runs");
    let wall = t0.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peak: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_bytes "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    for line in text.lines().filter(|l| l.starts_with("check ")) {
        eprintln!("  {line}");
    }
    println!(
        "| {path} | {rows} | {} | {:.2} GB | {limit} | {wall:.1} s | {:.2} GB | {:.1} M |",
        files_in(data),
        disk_bytes(data) as f64 / 1e9,
        peak / 1e9,
        rows as f64 / wall / 1e6
    );
}

/// Child: the counts query over `pattern`, then the overall row count as a check.
fn child_engine(pattern: &str, limit: &str) {
    let set = SliceSet {
        slices: SLICES.iter().map(|(n, e)| SliceDef::new(n, e)).collect(),
    };
    let limit = parse_size(limit).expect("memory limit");
    let engine = Engine::open(Source::resolve(pattern).expect("files"), Some(limit)).expect("open");
    let typing = engine.sample(SAMPLE_ROWS).expect("sample");
    let run = engine
        .counts(&set, &typing, "y", "pred", None)
        .expect("counts");
    let m = run.counts.confusions(None).expect("confusions");
    let sizes: Vec<u64> = m
        .slices
        .iter()
        .map(|(_, c)| c.counts.iter().sum())
        .collect();
    println!(
        "check engine overall {} slice sizes {sizes:?}",
        m.overall.counts.iter().sum::<u64>()
    );
    println!("peak_rss_bytes {}", common::peak_rss_bytes());
}

/// Child: the in-memory path of `eval --pred`: load, evaluate every slice, report.
fn child_memory(path: &str) {
    let set = SliceSet {
        slices: SLICES.iter().map(|(n, e)| SliceDef::new(n, e)).collect(),
    };
    let table = slicelab::data::load::read_table(Path::new(path)).expect("loads");
    let spec = DatasetSpec {
        pred: Some("pred".into()),
        ..DatasetSpec::new("y")
    };
    let forced = vec![Some(Split::Test); table.n_rows()];
    let ds = Dataset::from_table(table, &spec, &forced).expect("dataset");
    let evaluated = set.evaluate(&ds.table).expect("slices");
    let refs = SliceRef::list(
        evaluated
            .names
            .iter()
            .map(String::as_str)
            .zip(&evaluated.masks),
        &[],
    );
    let rows: Vec<usize> = (0..ds.n_rows()).collect();
    let pred = ds.pred.clone().expect("pred");
    let report = slice_report(
        &ds.y,
        &pred,
        &rows,
        Split::Test,
        &refs,
        &ReportSpec::new(&ds.classes),
    );
    let sizes: Vec<usize> = evaluated.masks.iter().map(|m| m.count()).collect();
    println!("check memory overall {} slice sizes {sizes:?}", ds.n_rows());
    std::hint::black_box(report);
    println!("peak_rss_bytes {}", common::peak_rss_bytes());
}

fn files_in(path: &Path) -> usize {
    if path.is_dir() {
        std::fs::read_dir(path).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
                .count()
        })
    } else {
        1
    }
}

fn disk_bytes(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}

/// `rows` rows as `PART_ROWS`-row files under `dir`, unless a finished run left them there.
fn generate_parts(dir: &Path, rows: usize) {
    let done = dir.join("_DONE");
    if done.exists() {
        return;
    }
    std::fs::create_dir_all(dir).expect("folder");
    let t0 = Instant::now();
    let parts = rows.div_ceil(PART_ROWS);
    let threads = rayon_threads().max(1);
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                for part in (t..parts).step_by(threads) {
                    let n = PART_ROWS.min(rows - part * PART_ROWS);
                    let path = dir.join(format!("part-{part:05}.parquet"));
                    generate_file(&path, n, part as u64);
                }
            });
        }
    });
    std::fs::write(&done, b"").expect("marker");
    eprintln!(
        "generated {rows} rows in {parts} files ({:.2} GB) in {:.0} s",
        disk_bytes(dir) as f64 / 1e9,
        t0.elapsed().as_secs_f64()
    );
}

/// One Parquet file of `rows` seeded rows: an integer age, a category, a short comment, six
/// real-valued scores (random doubles: they do not compress, so the file is as large as real
/// logged features), a label and a prediction that agrees with it 80% of the time.
fn generate_file(path: &Path, rows: usize, seed: u64) {
    if path.exists() {
        return;
    }
    let mut fields = vec![
        Field::new("age", DataType::Int64, false),
        Field::new("region", DataType::Utf8, false),
        Field::new("comment", DataType::Utf8, true),
    ];
    let scores = ["income", "score1", "score2", "score3", "score4", "score5"];
    fields.extend(
        scores
            .iter()
            .map(|s| Field::new(*s, DataType::Float64, true)),
    );
    fields.push(Field::new("y", DataType::Int64, false));
    fields.push(Field::new("pred", DataType::Int64, false));
    let schema = Arc::new(Schema::new(fields));
    let tmp = path.with_extension("partial");
    let file = std::fs::File::create(&tmp).expect("create");
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).expect("writer");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut left = rows;
    while left > 0 {
        let n = left.min(BATCH);
        left -= n;
        w.write(&batch(&schema, n, &mut rng)).expect("write");
    }
    w.close().expect("close");
    std::fs::rename(&tmp, path).expect("rename");
}

fn batch(schema: &Arc<Schema>, n: usize, rng: &mut StdRng) -> RecordBatch {
    let age: Int64Array = (0..n).map(|_| rng.random_range(16..90i64)).collect();
    let region: StringArray = (0..n)
        .map(|_| Some(REGIONS[rng.random_range(0..REGIONS.len())]))
        .collect();
    let comment: StringArray = (0..n)
        .map(|_| {
            let k = rng.random_range(0..8);
            (k > 0).then(|| {
                let mut s: Vec<&str> = (0..k)
                    .map(|_| WORDS[rng.random_range(0..WORDS.len())])
                    .collect();
                if rng.random_bool(0.1) {
                    s.push("?");
                }
                s.join(" ")
            })
        })
        .collect();
    let mut columns: Vec<ArrayRef> = vec![Arc::new(age), Arc::new(region), Arc::new(comment)];
    for i in 0..6 {
        let col: Float64Array = (0..n)
            .map(|_| {
                let missing = i == 5 && rng.random_bool(0.05);
                (!missing).then(|| rng.random::<f64>() * 6.0 - 3.0)
            })
            .collect();
        columns.push(Arc::new(col));
    }
    let y: Vec<i64> = (0..n).map(|_| i64::from(rng.random_bool(0.3))).collect();
    let pred: Int64Array = y
        .iter()
        .map(|&t| if rng.random_bool(0.8) { t } else { 1 - t })
        .collect();
    columns.push(Arc::new(Int64Array::from(y)));
    columns.push(Arc::new(pred));
    RecordBatch::try_new(schema.clone(), columns).expect("batch")
}
