//! Benchmark: loading tables.
//! - the census training CSV (199,523 rows x 42 columns): target under 3 s in a release build,
//!   table under 3x the CSV size in memory;
//! - a generated MNIST-sized table (5,000 rows x 785 integer columns, no header row): the app's
//!   whole open path (the open dialog's preview, then loading, map axes and PCA) under 1 s.

mod common;

use std::path::Path;
use std::time::Instant;

fn main() {
    common::configure_threads();
    wide();
    census();
}

/// Seconds `f` takes, median of 3 runs.
fn time<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t0 = Instant::now();
        last = Some(f());
        times.push(t0.elapsed().as_secs_f64());
    }
    (common::median(times), last.expect("ran 3 times"))
}

/// Writes `rows` rows of 784 pixel columns (mostly 0, else 1..=255) and a digit label last, no
/// header row, as MNIST's CSV exports are.
fn write_wide(path: &Path, rows: usize) {
    use std::io::Write;
    let file = std::fs::File::create(path).expect("temp file");
    let mut w = std::io::BufWriter::new(file);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for r in 0..rows {
        for _ in 0..784 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = if state.is_multiple_of(5) {
                state % 255 + 1
            } else {
                0
            };
            write!(w, "{v},").expect("write");
        }
        writeln!(w, "{}", r % 10).expect("write");
    }
}

fn wide() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("wide.csv");
    write_wide(&path, 5000);
    let mb = std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1e6;
    println!("open wide.csv (generated): 5000 rows x 785 integer columns, no header, {mb:.1} MB");
    let (read, table) = time(|| slicelab::data::load::read_table(&path).expect("wide loads"));
    let (inspect, _) = time(|| {
        slicelab::gui::views::OpenDialog::inspect(&path, Default::default(), Default::default())
            .expect("wide inspects")
    });
    // What the app's `loader` thread does (gui::analysis::load): open, map axes, PCA.
    let roles = slicelab::analysis::FileRoles {
        path: &path,
        label: "c784",
        pred: None,
        split_col: None,
        header: slicelab::data::HeaderMode::Auto,
        delimiter: slicelab::data::dialect::Delimiter::Auto,
        types: &[],
        ignore: &[],
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let (open, opened) = time(|| {
        slicelab::analysis::open_file(roles, None, &mut |_| {}, &cancel).expect("wide opens")
    });
    let (axes, numeric) = time(|| slicelab::analysis::numeric_axes(&opened.ds, &[]));
    let (pca, _) = time(|| slicelab::analysis::projection(&opened.ds).expect("PCA"));
    println!("  columns: {}", table.columns.len());
    println!("  read_table (CSV -> columns):       {read:.3} s");
    println!("  open dialog (inspect, preview):    {inspect:.3} s");
    println!("  open_file (dataset):               {open:.3} s");
    println!(
        "  map axes:                          {axes:.3} s  ({} axes)",
        numeric.len()
    );
    println!("  PCA projection:                    {pca:.3} s");
    let load = open + axes + pca;
    let total = inspect + load;
    println!(
        "  open path total (inspect + load):  {total:.3} s   target < 1 s   {}",
        if total < 1.0 { "OK" } else { "SLOW" }
    );
}

fn census() {
    let Some(path) = common::shared_or_say(
        "data/census_income_train.csv",
        "load",
        common::CENSUS_SOURCE,
    ) else {
        return;
    };
    let csv_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut heap = 0;
    let mut rows = 0;
    let (secs, ()) = time(|| {
        let table = slicelab::data::load::read_table(&path).expect("census loads");
        heap = table.heap_bytes();
        rows = table.n_rows();
    });
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
