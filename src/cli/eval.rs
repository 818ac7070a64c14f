//! `slicelab eval`: per-slice metrics of a saved model on a data file.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::table::TextTable;
use slicelab::data::load::read_table;
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::metrics::report::{SliceKind, SliceRef};
use slicelab::metrics::slice_report;
use slicelab::slices::SliceSet;
use slicelab::train::TrainedModel;
use slicelab::train::prepared::truth_masks;

/// Arguments of `slicelab eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Model folder written by `slicelab train --out`.
    #[arg(long)]
    model: PathBuf,
    /// Data file (.csv, .csv.gz, .parquet); all its rows are evaluated.
    #[arg(long)]
    data: PathBuf,
    /// Slice set to report on (default: the model's own SFs, where the data has their columns).
    #[arg(long)]
    slices: Option<PathBuf>,
    /// Ground-truth slice columns (default: the model's, where present in the data).
    #[arg(long, value_delimiter = ',')]
    truth_slices: Option<Vec<String>>,
    /// Compute device.
    #[arg(long, default_value = "cpu")]
    device: String,
}

/// Runs `slicelab eval`.
pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    let device = slicelab::model::device::parse_device(&a.device).map_err(anyhow::Error::msg)?;
    let model = TrainedModel::load(&a.model, &device)?;
    let table = read_table(&a.data)?;
    let truth = a.truth_slices.clone().unwrap_or_else(|| {
        model
            .card
            .truth_slices
            .iter()
            .filter(|t| table.column(t).is_some())
            .cloned()
            .collect()
    });
    let spec = DatasetSpec {
        truth_slices: truth,
        ..DatasetSpec::new(&model.card.label)
    };
    let forced = vec![Some(Split::Test); table.n_rows()];
    let ds = Dataset::from_table(table, &spec, &forced)
        .with_context(|| format!("reading {}", a.data.display()))?;
    anyhow::ensure!(
        ds.classes == model.card.classes,
        "the data's classes {:?} differ from the model's {:?}",
        ds.classes,
        model.card.classes
    );
    let preds = model.predict_dataset(&ds)?;
    let set = match &a.slices {
        Some(p) => SliceSet::load(p)?,
        None => usable_slices(&model.card.slices, &ds),
    };
    let evaluated = set.evaluate(&ds.table)?;
    let truth = truth_masks(&ds);
    let mut refs: Vec<SliceRef> = evaluated
        .names
        .iter()
        .zip(&evaluated.masks)
        .map(|(n, m)| SliceRef {
            name: n,
            kind: SliceKind::Sf,
            mask: m,
        })
        .collect();
    refs.extend(truth.iter().map(|(n, m)| SliceRef {
        name: n,
        kind: SliceKind::Truth,
        mask: m,
    }));
    let rows: Vec<usize> = (0..ds.n_rows()).collect();
    let report = slice_report(
        &ds.y,
        &preds.classes,
        &rows,
        Split::Test,
        &refs,
        ds.n_classes(),
    );
    let mut t = TextTable::new([
        "slice",
        "kind",
        "support",
        "coverage",
        "accuracy",
        "precision",
        "recall",
        "F1",
        "F1 95% CI",
        "MCC",
        "F1 - overall",
    ]);
    for r in &report.rows {
        let s = r.scores;
        t.row(vec![
            r.name.clone(),
            format!("{:?}", r.kind).to_lowercase(),
            s.support.to_string(),
            format!("{:.2}%", r.coverage * 100.0),
            format!("{:.3}", s.accuracy),
            format!("{:.3}", s.precision),
            format!("{:.3}", s.recall),
            format!("{:.3}", s.f1),
            format!("[{:.3}, {:.3}]", r.f1_ci.0, r.f1_ci.1),
            format!("{:.3}", s.mcc),
            format!("{:+.3}", r.f1_diff),
        ]);
    }
    println!("{}", t.render());
    println!(
        "model: {} ({}, {} params), data: {}",
        a.model.display(),
        model.card.model.method.name(),
        model.params(),
        a.data.display()
    );
    Ok(())
}

/// The model's slices whose expressions can be evaluated on this data (SF columns may be absent).
fn usable_slices(set: &SliceSet, ds: &Dataset) -> SliceSet {
    let slices = set
        .slices
        .iter()
        .filter(|s| {
            SliceSet {
                slices: vec![(*s).clone()],
            }
            .compile(&ds.table)
            .is_ok()
        })
        .cloned()
        .collect();
    SliceSet { slices }
}
