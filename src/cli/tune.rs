//! `slicelab tune-encoder`: fine-tune a text encoder's top layers on a labelled text column and
//! write the tuned encoder folder, for `--encoder` in every other command and in the app.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::Args;

use slicelab::data::load::Sources;
use slicelab::data::{Dataset, DatasetSpec, Split};
use slicelab::text::tune::{TuneConfig, TuneData, tune_encoder};

/// Arguments of `slicelab tune-encoder`.
#[derive(Args, Debug)]
pub struct TuneArgs {
    /// Data file (.csv, .csv.gz, .parquet); its train split trains, its valid split picks the epoch.
    #[arg(long)]
    data: PathBuf,
    /// Whether the first row of a CSV file names the columns: yes, no (columns c0, c1, ...) or
    /// auto.
    #[arg(long, default_value = "auto")]
    header: slicelab::data::HeaderMode,
    /// Label column, or its position (-1: the last column) when no column has that name.
    #[arg(long, allow_hyphen_values = true)]
    label: String,
    /// Text column.
    #[arg(long)]
    text: String,
    /// Hugging Face BERT folder to start from.
    #[arg(long)]
    encoder: PathBuf,
    /// Folder the tuned encoder is written to: a new or empty folder, or one an earlier
    /// tune-encoder wrote (only its files are replaced); anything else is refused before tuning.
    #[arg(long)]
    out: PathBuf,
    /// Top layers to train; the others stay frozen.
    #[arg(long, default_value_t = 1)]
    layers: usize,
    /// Passes over the training rows.
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    /// Learning rate (AdamW).
    #[arg(long, default_value_t = 5e-5)]
    lr: f64,
    /// Texts per step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Seed of the head's initialisation and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Seed of the stratified split; use the same value with `train` so its test rows stay unseen.
    #[arg(long, default_value_t = 0)]
    split_seed: u64,
    /// Compute device for the tuned layers (cpu, cuda, metal).
    #[arg(long, default_value = "cpu")]
    device: String,
}

/// Runs `slicelab tune-encoder`.
pub fn run(a: TuneArgs) -> anyhow::Result<()> {
    let device = slicelab::model::device::parse_device(&a.device).map_err(anyhow::Error::msg)?;
    let spec = DatasetSpec {
        seed: a.split_seed,
        ..DatasetSpec::new(&a.label)
    };
    let sources = Sources {
        header: a.header,
        ..Sources::resolve(&a.data, None)
    };
    let ds =
        Dataset::load(&sources, &spec).with_context(|| format!("reading {}", a.data.display()))?;
    super::args::print_notices(&ds.table);
    let column = ds.table.column(&a.text).with_context(|| {
        format!(
            "{}: no text column '{}' (columns: {})",
            ds.table.source,
            a.text,
            ds.table.closest_names(&a.text, 8).join(", ")
        )
    })?;
    let owned: Vec<String> = (0..column.len()).map(|i| column.display(i)).collect();
    let (train, valid) = (ds.indices(Split::Train), ds.indices(Split::Valid));
    let data = TuneData {
        texts: owned.iter().map(String::as_str).collect(),
        labels: &ds.y,
        n_classes: ds.n_classes(),
        train: &train,
        valid: &valid,
    };
    let cfg = TuneConfig {
        layers: a.layers,
        epochs: a.epochs,
        lr: a.lr,
        batch_size: a.batch_size,
        seed: a.seed,
    };
    eprintln!(
        "tuning the top {} layer(s) of {} on {} training rows ({} validation)",
        cfg.layers,
        a.encoder.display(),
        train.len(),
        valid.len()
    );
    let report = tune_encoder(
        &a.encoder,
        &data,
        &cfg,
        &a.out,
        &device,
        &mut |line| eprintln!("{line}"),
        &AtomicBool::new(false),
    )?;
    println!(
        "wrote {} (epoch {} kept; frozen layers took {:.1} s)",
        a.out.display(),
        report.best_epoch,
        report.states_secs
    );
    Ok(())
}
