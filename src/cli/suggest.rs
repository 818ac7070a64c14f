//! `slicelab suggest`: the slices where a model errs most for their size (SliceLine search).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::safe_write::write_atomic;
use slicelab::slices::build::name_from;
use slicelab::slices::columns::feature_columns;
use slicelab::slices::suggest::{SuggestConfig, Suggestion, suggest};
use slicelab::slices::{SliceDef, SliceSet};

/// Arguments of `slicelab suggest`.
#[derive(Args, Debug)]
pub struct SuggestArgs {
    /// Data file (.csv, .csv.gz, .parquet), all rows searched; or a folder of
    /// train/valid/test.csv, whose test.csv is searched.
    #[arg(long)]
    data: PathBuf,
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
    /// Column of an external model's predicted classes.
    #[arg(long, required_unless_present = "model", conflicts_with = "model")]
    pred: Option<String>,
    /// A slicelab model folder whose predictions are analysed.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Encoder folder for a model trained on text embeddings (default: the one it recorded).
    #[arg(long, requires = "model")]
    encoder: Option<PathBuf>,
    /// Suggestions to return.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Smallest slice size.
    #[arg(long, default_value_t = 32)]
    min_support: usize,
    /// Weight of error rate against size in the score (SliceLine's alpha), from 0 to 1.
    #[arg(long, default_value_t = 0.95, value_parser = unit_interval)]
    alpha: f64,
    /// Predicates per slice at most (1-3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3))]
    max_level: u8,
    /// Equal-frequency bins per numeric column (at least 2: one bin would be the whole column).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(2..))]
    bins: u16,
    /// Write `{"suggestions": [...], "secs": ...}` here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the suggestions as a slice set (TOML) here.
    #[arg(long)]
    as_slices: Option<PathBuf>,
}

/// Runs `slicelab suggest`.
pub fn run(a: SuggestArgs) -> anyhow::Result<()> {
    if let Some(path) = &a.out {
        slicelab::safe_write::check_replaceable(path, "suggestions written by slicelab", |p| {
            slicelab::safe_write::is_json_with_key(p, "suggestions")
        })?;
    }
    if let Some(path) = &a.as_slices {
        slicelab::safe_write::check_replaceable(path, "a slice set (TOML)", |p| {
            slicelab::slices::SliceSet::load(p).is_ok()
        })?;
    }
    let (model, mut table, label) = super::args::model_and_table(
        a.model.as_deref(),
        &a.data,
        a.header,
        a.label.as_deref(),
        a.encoder.as_deref(),
        &candle_core::Device::Cpu,
    )?;
    super::args::apply_type_flag(&mut table, a.types.as_deref())?;
    let mut spec = DatasetSpec::new(&label);
    spec.pred = a.pred.clone();
    spec.truth_slices = DatasetSpec::default_truth(
        &table
            .names()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    );
    let forced = vec![Some(Split::Train); table.n_rows()];
    let ds = Dataset::from_table(table, &spec, &forced)?;
    let pred = match &model {
        Some(m) => m.predict_dataset(&ds)?.classes,
        None => ds
            .pred
            .clone()
            .context("the prediction column could not be read")?,
    };
    let wrong: Vec<bool> = pred.iter().zip(&ds.y).map(|(p, y)| p != y).collect();
    let columns = feature_columns(&ds, &SliceSet::from_sf_columns(&ds.table));
    let cfg = SuggestConfig {
        max_level: usize::from(a.max_level),
        top_k: a.top,
        min_support: a.min_support,
        alpha: a.alpha,
        bins: usize::from(a.bins),
        ..SuggestConfig::default()
    };
    let rows: Vec<usize> = (0..ds.n_rows()).collect();
    let start = Instant::now();
    let found = suggest(&ds.table, &columns, &rows, &wrong, &cfg);
    let secs = start.elapsed().as_secs_f64();
    let mean = wrong.iter().filter(|&&w| w).count() as f64 / wrong.len().max(1) as f64;
    println!(
        "{} rows, error rate {:.2}%, {} columns searched in {secs:.2} s (levels <= {}, min support {})\n",
        ds.n_rows(),
        100.0 * mean,
        columns.len(),
        cfg.max_level,
        cfg.min_support
    );
    println!("| # | score | size | error rate | slice |\n|---:|---:|---:|---:|---|");
    for (i, s) in found.iter().enumerate() {
        println!(
            "| {} | {:.3} | {} | {:.1}% | `{}` |",
            i + 1,
            s.score,
            s.size,
            100.0 * s.error_rate,
            s.expr
        );
    }
    if let Some(out) = &a.out {
        let json = serde_json::json!({ "suggestions": found, "secs": secs });
        write_atomic(out, serde_json::to_string_pretty(&json)?.as_bytes())
            .with_context(|| out.display().to_string())?;
    }
    if let Some(path) = &a.as_slices {
        as_slice_set(&found).save(path)?;
    }
    Ok(())
}

/// The suggestions as a slice set with readable, unique names.
fn as_slice_set(found: &[Suggestion]) -> SliceSet {
    let mut set = SliceSet::default();
    for s in found {
        let name = set.unique_name(&name_from(&s.expr));
        set.slices.push(SliceDef {
            description: Some(format!(
                "suggested: score {:.3}, {} rows, error rate {:.1}%",
                s.score,
                s.size,
                100.0 * s.error_rate
            )),
            ..SliceDef::new(&name, &s.expr)
        });
    }
    set
}

/// Parses a number from 0 to 1 (clap reports the flag and exits 2 otherwise).
fn unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Ok(_) => Err(format!("{s} is not between 0 and 1")),
        Err(e) => Err(e.to_string()),
    }
}
