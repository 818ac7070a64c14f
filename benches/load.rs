//! Benchmark: loading the census training CSV (199,523 rows x 42 columns).
//! Target: under 3 s in a release build, table under 3x the CSV size in memory.

mod common;

use std::time::Instant;

fn main() {
    let Some(path) = common::shared_or_say(
        "data/census_income_train.csv",
        "load",
        common::CENSUS_SOURCE,
    ) else {
        return;
    };
    let csv_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut times = Vec::new();
    let mut heap = 0;
    let mut rows = 0;
    for _ in 0..3 {
        let t0 = Instant::now();
        let table = slicelab::data::load::read_table(&path).expect("census loads");
        times.push(t0.elapsed().as_secs_f64());
        heap = table.heap_bytes();
        rows = table.n_rows();
    }
    let secs = common::median(times);
    println!(
        "load census_income_train.csv: {rows} rows, {:.1} MB CSV",
        csv_bytes as f64 / 1e6
    );
    println!(
        "  time (median of 3): {secs:.3} s   target < 3 s   {}",
        if secs < 3.0 { "OK" } else { "SLOW" }
    );
    println!(
        "  table heap: {:.1} MB = {:.2}x the CSV size   target < 3x   {}",
        heap as f64 / 1e6,
        heap as f64 / csv_bytes as f64,
        if (heap as f64) < 3.0 * csv_bytes as f64 {
            "OK"
        } else {
            "BIG"
        }
    );
    println!(
        "  process peak RSS: {:.1} MB",
        common::peak_rss_bytes() as f64 / 1e6
    );
}
