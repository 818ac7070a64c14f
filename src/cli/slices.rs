//! `slicelab slices`: the SF analysis table.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::args::{DataArgs, slice_set};
use super::table::TextTable;
use slicelab::data::{Dataset, Table};
use slicelab::slices::columns::truth_masks;
use slicelab::slices::stats::analyse;
use slicelab::slices::warnings::slice_warnings;
use slicelab::slices::{EvaluatedSlices, SliceSet};
use slicelab::train::DataSource;

/// Arguments of `slicelab slices`.
#[derive(Args, Debug)]
pub struct SlicesArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Slice set (TOML). Default: the demo's SFs, or every column named sf_*.
    #[arg(long)]
    slices: Option<PathBuf>,
    /// Add one slice per value of this categorical column (repeatable).
    #[arg(long)]
    per_value: Vec<String>,
    /// Smallest value count that gets a slice, with --per-value.
    #[arg(long, default_value_t = 30)]
    min_support: usize,
    /// Write the (extended) slice set here as TOML.
    #[arg(long)]
    write: Option<PathBuf>,
}

/// Runs `slicelab slices`.
pub fn run(a: SlicesArgs) -> anyhow::Result<()> {
    if let Some(path) = &a.write {
        slicelab::safe_write::check_replaceable(path, "a slice set (TOML)", |p| {
            slicelab::slices::SliceSet::load(p).is_ok()
        })?;
    }
    let ds = a.data.dataset(0)?;
    let mut set = slice_set(&a.slices, &DataSource::Dataset(ds.clone()))?;
    for col in &a.per_value {
        let added = set
            .add_per_value(&ds.table, col, a.min_support)
            .map_err(anyhow::Error::msg)?;
        println!("{added} slices from the values of {col}");
    }
    if let Some(path) = &a.write {
        set.save(path)?;
    }
    let t0 = Instant::now();
    let evaluated = set.evaluate(&ds.table)?;
    let secs = t0.elapsed().as_secs_f64();
    print_warnings(
        &set,
        &evaluated,
        &ds.table,
        &answers(&ds, a.data.pred.as_deref()),
    );
    let stats = analyse(
        &evaluated.names,
        &evaluated.masks,
        &ds.splits,
        &truth_masks(&ds),
    );
    let mut t = TextTable::new([
        "slice",
        "size",
        "coverage",
        "train",
        "valid",
        "test",
        "max overlap",
        "truth",
        "precision",
        "recall",
    ]);
    for s in &stats {
        let cov = |i: usize| {
            s.per_split
                .get(i)
                .map_or("-".into(), |c| format!("{:.2}%", c.coverage * 100.0))
        };
        let overlap = s
            .max_overlap
            .as_ref()
            .map_or("-".into(), |o| format!("{} ({:.2})", o.other, o.jaccard));
        let (truth, p, r) = match &s.truth {
            Some(m) => (
                m.truth.clone(),
                format!("{:.3}", m.precision),
                format!("{:.3}", m.recall),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        t.row(vec![
            s.name.clone(),
            s.size.to_string(),
            format!("{:.2}%", s.coverage * 100.0),
            cov(0),
            cov(1),
            cov(2),
            overlap,
            truth,
            p,
            r,
        ]);
    }
    println!("{}", t.render());
    println!(
        "{} slices over {} rows evaluated in {:.1} ms",
        set.slices.len(),
        ds.n_rows(),
        secs * 1e3
    );
    Ok(())
}

/// The label and prediction columns of a dataset, for [`slice_warnings`]: a slice that reads
/// them knows the answer.
pub fn answers<'a>(ds: &'a Dataset, pred: Option<&'a str>) -> Vec<(&'a str, &'static str)> {
    let mut out = vec![(ds.label.as_str(), "label")];
    out.extend(pred.map(|p| (p, "prediction")));
    out
}

/// Prints each warning about the evaluated slices on stderr as a `warning:` line.
pub fn print_warnings(
    set: &SliceSet,
    evaluated: &EvaluatedSlices,
    table: &Table,
    answers: &[(&str, &'static str)],
) {
    for w in slice_warnings(set, evaluated, table, answers) {
        eprintln!("warning: {w}");
    }
}
