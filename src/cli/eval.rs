//! `slicelab eval`: per-slice metrics of a saved model, or of an external model's predictions
//! stored in the data, on a data file.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;

use super::args::parse_metric;
use super::report_table::{per_class_tables, slices_table};
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::metrics::report::{SliceRef, SplitReport};
use slicelab::metrics::{Metric, ReportSpec, slice_report};
use slicelab::slices::SliceSet;
use slicelab::slices::columns::truth_masks;

/// Arguments of `slicelab eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Model folder written by `slicelab train --out` (or give --pred / --proba-prefix instead).
    #[arg(long, required_unless_present_any = ["pred", "proba_prefix", "counts"])]
    model: Option<PathBuf>,
    /// Data file (.csv, .csv.gz, .parquet), all rows evaluated; or a folder of
    /// train/valid/test.csv, whose test.csv is evaluated.
    #[arg(long, required_unless_present = "counts")]
    data: Option<PathBuf>,
    /// Report from a counts table (CSV with columns slice,label,pred,count, as the query of
    /// `slicelab sql` returns it from any engine) instead of from data.
    #[arg(long, conflicts_with_all = ["model", "data", "pred", "proba_prefix", "slices", "truth_slices"])]
    counts: Option<PathBuf>,
    /// With --counts or --engine: the classes (default: the labels counted); a prediction that
    /// is not one of them counts as wrong.
    #[arg(long, value_delimiter = ',')]
    classes: Option<Vec<String>>,
    /// Count in this SQL engine, streaming --data (a file, a folder, or a glob such as
    /// 'logs/*.parquet') instead of loading it: needs --pred and --slices, and a build with
    /// the `engine` feature.
    #[arg(long, value_enum, requires_all = ["data", "pred", "slices"],
          conflicts_with_all = ["model", "proba_prefix", "counts", "truth_slices", "encoder"])]
    engine: Option<super::engine::EngineKind>,
    /// With --engine: the engine's memory pool, e.g. 2GB or 512MiB (default: no limit).
    #[arg(long, requires = "engine")]
    memory_limit: Option<String>,
    /// Whether the first row of a CSV file names the columns: yes, no (columns c0, c1, ...) or
    /// auto.
    #[arg(long, default_value = "auto")]
    header: slicelab::data::HeaderMode,
    /// Column types instead of the inferred ones, e.g. `a=numeric,b=categorical,d=date,n=text`.
    #[arg(long, allow_hyphen_values = true)]
    types: Option<String>,
    /// Label column (default: the model's label, else y); a position such as -1 (the last
    /// column) when no column has that name.
    #[arg(long, allow_hyphen_values = true)]
    label: Option<String>,
    /// Analyse this column of an external model's predicted classes instead of a slicelab model.
    #[arg(long, conflicts_with = "model")]
    pred: Option<String>,
    /// Analyse per-class probability columns `{prefix}{class}` instead of a slicelab model.
    #[arg(long, conflicts_with = "model")]
    proba_prefix: Option<String>,
    /// Slice set to report on (default: the model's own SFs, where the data has their columns).
    #[arg(long)]
    slices: Option<PathBuf>,
    /// Ground-truth slice columns (default: the model's, or columns named slice_*).
    #[arg(long, value_delimiter = ',')]
    truth_slices: Option<Vec<String>>,
    /// Encoder folder for a model trained on text embeddings (default: the one it recorded).
    #[arg(long, requires = "model")]
    encoder: Option<PathBuf>,
    /// Compute device.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Metric that ranks and flags slices and whose bootstrap interval is shown: error_rate,
    /// accuracy, f1, macro_f1, mcc, recall (default: f1 for binary labels, error_rate otherwise).
    #[arg(long, value_parser = parse_metric)]
    metric: Option<Metric>,
    /// Also print each slice's per-class table and confusion matrix.
    #[arg(long)]
    per_class: bool,
    /// Also print each feature column's permutation importance (the score's drop when its values
    /// are shuffled across the rows, mean and 95% interval over 5 repeats), over all rows and
    /// per slice; needs --model.
    #[arg(long, requires = "model")]
    importance: bool,
    /// Write the full report (every score, per-class tables, intervals, flags) as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// What `eval --json` writes: what was evaluated, on which data, and the split report.
#[derive(Serialize)]
struct EvalJson<'a> {
    evaluated: &'a str,
    data: &'a str,
    #[serde(flatten)]
    report: &'a SplitReport,
}

/// Runs `slicelab eval`.
pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    if let Some(path) = &a.json {
        slicelab::safe_write::check_replaceable(
            path,
            "a JSON file written by slicelab eval",
            |p| slicelab::safe_write::is_json_with_key(p, "evaluated"),
        )?;
    }
    if a.classes.is_some() && a.counts.is_none() && a.engine.is_none() {
        bail!("--classes applies to --counts or --engine only");
    }
    if a.engine.is_some() {
        return engine_eval(&a);
    }
    if let Some(counts) = &a.counts {
        let report = slicelab::sql::Counts::read(counts)?
            .confusions(a.classes.as_deref())?
            .report(a.metric);
        let what = format!("counts from {}", counts.display());
        return print_report(&a, &report, &what, &counts.display().to_string());
    }
    let Some(data) = a.data.as_deref() else {
        bail!("give --data or --counts")
    };
    let device = slicelab::model::device::parse_device(&a.device).map_err(anyhow::Error::msg)?;
    let (model, mut table, label) = super::args::model_and_table(
        a.model.as_deref(),
        data,
        a.header,
        a.label.as_deref(),
        a.encoder.as_deref(),
        &device,
    )?;
    super::args::apply_type_flag(&mut table, a.types.as_deref())?;
    let default_truth: Vec<String> = match &model {
        Some(m) => m.card.truth_slices.clone(),
        None => table
            .names()
            .iter()
            .filter(|n| n.starts_with("slice_"))
            .map(|n| n.to_string())
            .collect(),
    };
    let truth = a
        .truth_slices
        .clone()
        .unwrap_or(default_truth)
        .into_iter()
        .filter(|t| table.column(t).is_some())
        .collect();
    let spec = DatasetSpec {
        truth_slices: truth,
        pred: a.pred.clone(),
        proba_prefix: a.proba_prefix.clone(),
        ..DatasetSpec::new(&label)
    };
    let forced = vec![Some(Split::Test); table.n_rows()];
    let ds = Dataset::from_table(table, &spec, &forced)?;
    let (pred, set, what) = match &model {
        Some(m) => {
            anyhow::ensure!(
                ds.classes == m.card.classes,
                "the data's classes {:?} differ from the model's {:?}",
                ds.classes,
                m.card.classes
            );
            let set = usable_slices(&m.card.slices, &ds);
            let what = format!(
                "model {} ({}, {} params)",
                a.model
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string()),
                m.card.model.method.name(),
                m.params()
            );
            (m.predict_dataset(&ds)?.classes, set, what)
        }
        None => {
            let Some(pred) = ds.pred.clone() else {
                bail!("give --model, --pred or --proba-prefix")
            };
            (
                pred,
                SliceSet::from_sf_columns(&ds.table),
                "predictions stored in the data".to_string(),
            )
        }
    };
    let set = match &a.slices {
        Some(p) => SliceSet::load(p)?,
        None => set,
    };
    let report = evaluate(&ds, &pred, &set, a.metric, a.pred.as_deref())?;
    print_report(&a, &report, &what, &ds.table.source)?;
    match (&model, a.importance) {
        (Some(m), true) => print_importance(m, &ds, &set, a.metric),
        _ => Ok(()),
    }
}

fn engine_eval(a: &EvalArgs) -> anyhow::Result<()> {
    let (Some(data), Some(pred), Some(slices)) = (&a.data, &a.pred, &a.slices) else {
        bail!("--engine needs --data, --pred and --slices")
    };
    let data = data.to_string_lossy();
    let e = super::engine::EngineEval {
        data: &data,
        label: a.label.as_deref().unwrap_or("y"),
        pred,
        slices,
        memory_limit: a.memory_limit.as_deref(),
        types: a.types.as_deref(),
        classes: a.classes.as_deref(),
        metric: a.metric,
    };
    let (report, what) = super::engine::evaluate(&e)?;
    print_report(a, &report, &what, &data)
}

/// Prints the table (and per-class tables) and writes `--json`.
fn print_report(a: &EvalArgs, report: &SplitReport, what: &str, data: &str) -> anyhow::Result<()> {
    println!("{}", slices_table(report));
    if a.per_class {
        println!("{}", per_class_tables(report));
    }
    println!("{what}; data: {data}");
    if let Some(path) = &a.json {
        let out = EvalJson {
            evaluated: what,
            data,
            report,
        };
        slicelab::safe_write::write_atomic(path, &serde_json::to_vec_pretty(&out)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn evaluate(
    ds: &Dataset,
    pred: &[u32],
    set: &SliceSet,
    metric: Option<Metric>,
    pred_column: Option<&str>,
) -> anyhow::Result<SplitReport> {
    let evaluated = set.evaluate(&ds.table)?;
    let answers = super::slices::answers(ds, pred_column);
    super::slices::print_warnings(set, &evaluated, &ds.table, &answers);
    let truth = truth_masks(ds);
    let refs = SliceRef::list(
        evaluated
            .names
            .iter()
            .map(String::as_str)
            .zip(&evaluated.masks),
        &truth,
    );
    let rows: Vec<usize> = (0..ds.n_rows()).collect();
    Ok(slice_report(
        &ds.y,
        pred,
        &rows,
        Split::Test,
        &refs,
        &ReportSpec::new(&ds.classes).with_metric(metric),
    ))
}

/// The model's slices whose expressions can be evaluated on this data (SF columns may be absent).
fn usable_slices(set: &SliceSet, ds: &Dataset) -> SliceSet {
    let usable = |s: &&slicelab::slices::SliceDef| {
        SliceSet {
            slices: vec![(*s).clone()],
        }
        .compile(&ds.table)
        .is_ok()
    };
    SliceSet {
        slices: set.slices.iter().filter(usable).cloned().collect(),
    }
}

/// Prints `--importance`: one table over all rows, then one per slice.
fn print_importance(
    model: &slicelab::train::TrainedModel,
    ds: &Dataset,
    set: &SliceSet,
    metric: Option<Metric>,
) -> anyhow::Result<()> {
    use slicelab::train::importance::{ImportanceData, ImportanceSpec, permutation_importance};
    let evaluated = set.evaluate(&ds.table)?;
    let slices: Vec<(&str, &slicelab::slices::Bitmap)> = evaluated
        .names
        .iter()
        .map(String::as_str)
        .zip(&evaluated.masks)
        .collect();
    let rows: Vec<usize> = (0..ds.n_rows()).collect();
    let data = ImportanceData::of(ds, &rows, &slices);
    let spec = ImportanceSpec::default_for(ds, metric);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut watch = slicelab::train::saved::Watch {
        progress: &mut |_, _| {},
        cancel: &cancel,
    };
    let fmt = |v: Option<f64>| v.map_or("undefined".to_string(), |v| format!("{v:.4}"));
    for t in permutation_importance(model, &data, &spec, &mut watch)? {
        println!(
            "\npermutation importance, {} ({} rows; {} {}; drop when shuffled, mean and 95% \
             interval over {} repeats):",
            t.scope,
            t.rows,
            t.metric,
            fmt(t.base),
            spec.repeats
        );
        let mut table = super::table::TextTable::new(["column", "drop", "95% interval"]);
        for c in &t.columns {
            let interval = c
                .interval
                .map_or("-".to_string(), |(lo, hi)| format!("[{lo:.4}, {hi:.4}]"));
            table.row(vec![c.column.clone(), fmt(c.mean), interval]);
        }
        println!("{}", table.render());
    }
    Ok(())
}
