//! Benchmark: the SliceLine suggestion search on a wide MNIST-like table (8,000 rows x 784 integer
//! pixel columns, generated) and on census. Prints seconds per level, candidates counted and kept,
//! whether the per-level cap applied, and the process's peak RSS. Target: level 3 on the wide
//! table under 60 s in release on 2 cores (it used to run past 300 s and 7.8 GB).

mod common;

use std::time::Instant;

use rand::{Rng, SeedableRng};
use slicelab::data::Table;
use slicelab::slices::suggest::{SuggestConfig, search};

fn main() {
    common::configure_threads();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (table, wrong) = wide_table(&dir.path().join("wide.csv"), 8_000);
    run("wide 8000 x 784", &table, &wrong);
    let Some(path) = common::shared_or_say(
        "data/census_income_train.csv",
        "suggest (census)",
        common::CENSUS_SOURCE,
    ) else {
        return;
    };
    let table = slicelab::data::load::read_table(&path).expect("census loads");
    let wrong = census_rule_errors(&table);
    run("census train", &table, &wrong);
}

/// Searches every column but the label with the CLI's defaults and prints the figures.
fn run(what: &str, table: &Table, wrong: &[bool]) {
    let columns: Vec<String> = table
        .names()
        .into_iter()
        .filter(|n| !matches!(*n, "y" | "income"))
        .map(String::from)
        .collect();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let start = Instant::now();
    let out = search(
        table,
        &columns,
        &rows,
        wrong,
        &SuggestConfig::default(),
        &mut |_| {},
    );
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{what}: {} rows, {} columns, {} predicates, {secs:.2} s in all",
        rows.len(),
        columns.len(),
        out.predicates
    );
    for l in &out.levels {
        println!(
            "  level {}: {:.2} s, {} candidates counted, {} passed pruning, {} kept{}",
            l.level,
            l.secs,
            l.evaluated,
            l.valid,
            l.kept,
            if l.capped { " (capped)" } else { "" }
        );
    }
    if let Some(best) = out.suggestions.first() {
        println!(
            "  best: {} ({} rows, {:.1}% wrong)",
            best.expr,
            best.size,
            100.0 * best.error_rate
        );
    }
    println!(
        "  peak RSS of the process so far: {:.0} MB",
        common::peak_rss_bytes() as f64 / 1e6
    );
}

/// An MNIST-like table written to `path` and read back (so column types are the loader's): a
/// 28 x 28 image per row, ink mostly in the centre, values 0-255; the model errs on 4% of rows
/// and on 40% of rows of class 3 with ink at pixel 350.
fn wide_table(path: &std::path::Path, rows: usize) -> (Table, Vec<bool>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut csv: String = (0..784).map(|i| format!("px{i},")).collect();
    csv.push_str("y\n");
    let mut wrong = Vec::with_capacity(rows);
    for _ in 0..rows {
        let class: u32 = rng.random_range(0..10);
        let mut line = String::with_capacity(784 * 3);
        let mut ink_350 = false;
        for i in 0..784 {
            let (r, c) = ((i / 28) as f64 - 13.5, (i % 28) as f64 - 13.5);
            let centre = (-(r * r + c * c) / 60.0).exp();
            let shade = 0.1 * f64::from(class % 3);
            let v = if rng.random_bool((0.8 * centre + shade * centre).min(0.95)) {
                rng.random_range(1..256)
            } else {
                0
            };
            ink_350 |= i == 350 && v > 0;
            line.push_str(&v.to_string());
            line.push(',');
        }
        let rate = if class == 3 && ink_350 { 0.4 } else { 0.04 };
        wrong.push(rng.random_bool(rate));
        csv.push_str(&format!("{line}{class}\n"));
    }
    std::fs::write(path, csv).expect("the wide table is written");
    let table = slicelab::data::load::read_table(path).expect("the wide table loads");
    (table, wrong)
}

/// The errors of a rule an analyst might write for census income: rich means capital gains,
/// dividends, or a full-year male graduate aged 35 or more.
fn census_rule_errors(table: &Table) -> Vec<bool> {
    let num = |name: &str| table.column(name).and_then(|c| c.as_numeric()).expect(name);
    let (gains, dividends, weeks, age) = (
        num("capital_gains"),
        num("dividends_from_stocks"),
        num("weeks_worked_in_year"),
        num("age"),
    );
    let text = |name: &str| table.column(name).expect(name);
    let (sex, education, income) = (text("sex"), text("education"), text("income"));
    (0..table.n_rows())
        .map(|i| {
            let graduate = ["Bachelors", "Masters", "Prof", "Doctorate"]
                .iter()
                .any(|d| education.display(i).starts_with(d));
            let rich = gains[i] > 5000.0
                || dividends[i] > 2000.0
                || (weeks[i] >= 52.0 && age[i] >= 35.0 && sex.display(i) == "Male" && graduate);
            rich != (income.display(i) == "1")
        })
        .collect()
}
