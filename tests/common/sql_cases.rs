//! Slice expressions covering every construct, on a table with a missing value in every column
//! kind, and the counts table slicelab's own bitmaps give: shared by the SQL and engine tests.

use std::collections::BTreeMap;
use std::path::Path;

use slicelab::data::demo::{Figure1, table_csv};
use slicelab::data::load::read_table;
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::slices::{SliceDef, SliceSet};

/// A table with a missing value in every column kind: numbers, text, 0/1, dates, free text.
pub const GENERATED: &str = include_str!("../data/sql_constructs.csv");

/// Every construct a slice expression may use (tests/data/sql_constructs.toml).
pub fn constructs() -> SliceSet {
    SliceSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sql_constructs.toml"))
        .unwrap()
}

/// A slice set of (name, expression) pairs.
pub fn set_of(pairs: &[(&str, &str)]) -> SliceSet {
    SliceSet {
        slices: pairs.iter().map(|(n, e)| SliceDef::new(n, e)).collect(),
    }
}

/// The counts table the query returns, tallied from slicelab's own bitmaps over `data`.
pub fn counts_from_bitmaps(data: &Path, label: &str, pred: &str, set: &SliceSet) -> String {
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

/// The test split of a figure1 demo of `n` rows, written as `dir/demo.csv`.
pub fn demo_test_csv(dir: &Path, n: usize) -> std::path::PathBuf {
    let (table, splits) = Figure1 {
        n,
        ..Figure1::default()
    }
    .table();
    let rows: Vec<usize> = (0..table.n_rows())
        .filter(|&i| splits[i] == Split::Test)
        .collect();
    let demo = dir.join("demo.csv");
    std::fs::write(&demo, table_csv(&table, &rows)).unwrap();
    demo
}
