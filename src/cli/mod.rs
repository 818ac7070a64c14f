//! Command-line interface: one file per subcommand, all thin wrappers over the library.

mod args;
mod demo;
mod engine;
mod eval;
mod experiment;
mod features;
mod flags;
mod interrupt;
mod report_table;
mod slices;
mod sql;
mod suggest;
mod table;
mod train;
mod tune;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Error analysis and Slice-based Learning (Chen et al., NeurIPS 2019) for tabular and text data.
///
/// Without a command, opens the desktop app (on DATA if given, else on the demo).
#[derive(Parser)]
#[command(name = "slicelab", version, about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Dataset to open in the app (CSV, csv.gz, Parquet, or a folder of train/valid/test CSVs).
    data: Option<std::path::PathBuf>,
    /// Label column of DATA (the app asks when it is missing), or its position (-1: the last).
    #[arg(long, allow_hyphen_values = true)]
    label: Option<String>,
    /// Prediction column of DATA to analyse.
    #[arg(long)]
    pred: Option<String>,
    /// Threads for tensor ops. 1 is fastest for small MLPs, where per-op overhead dominates;
    /// a text encoder wants every core. Defaults to $RAYON_NUM_THREADS, else every core with
    /// --embed or tune-encoder and 1 otherwise.
    #[arg(long, global = true)]
    threads: Option<usize>,
}

#[derive(Subcommand)]
enum Command {
    /// Train methods (SBL, Vanilla, baselines) over seeds; print per-slice scores, write report.json + models.
    Train(train::TrainArgs),
    /// Analyse slicing functions: size, coverage per split, overlaps, noise against ground truth.
    Slices(slices::SlicesArgs),
    /// Per-slice metrics of a saved model on a data file.
    Eval(eval::EvalArgs),
    /// Write a demo dataset as CSV files.
    Demo(demo::DemoArgs),
    /// Print one SQL query returning every slice's confusion counts (Spark, DuckDB, DataFusion).
    Sql(sql::SqlArgs),
    /// Suggest slices where a model errs most for their size (SliceLine search).
    Suggest(suggest::SuggestArgs),
    /// Run one of the paper's experiments (compare, figure1, ablation, noise, hidden-dim, scaling).
    Experiment(experiment::ExperimentArgs),
    /// Fine-tune a text encoder's top layers on a labelled text column; writes a new encoder folder.
    TuneEncoder(tune::TuneArgs),
}

/// Parses arguments and runs; exit code 0 on success, 2 on usage errors, 1 on failures.
#[expect(
    unsafe_code,
    reason = "sets RAYON_NUM_THREADS before any thread starts"
)]
pub fn main() -> ExitCode {
    slicelab::alloc_tuning::tune_allocator();
    let cli = Cli::parse();
    let threads = cli
        .threads
        .or_else(|| std::env::var("RAYON_NUM_THREADS").ok()?.parse().ok())
        .unwrap_or_else(|| {
            // The text encoder (embedding or tuning) is the one workload that wants every core.
            let encoder = std::env::args()
                .any(|a| a == "--embed" || a.starts_with("--embed=") || a == "tune-encoder");
            match std::thread::available_parallelism() {
                Ok(n) if encoder => n.get(),
                _ => 1,
            }
        });
    // SAFETY: called before any other thread exists (argument parsing spawns none); candle reads
    // this variable to size its matmul parallelism.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", threads.max(1).to_string()) };
    let result = match cli.command {
        Some(Command::Train(a)) => train::run(a),
        Some(Command::Slices(a)) => slices::run(a),
        Some(Command::Eval(a)) => eval::run(a),
        Some(Command::Demo(a)) => demo::run(a),
        Some(Command::Experiment(a)) => experiment::run(a),
        Some(Command::Suggest(a)) => suggest::run(a),
        Some(Command::Sql(a)) => sql::run(a),
        Some(Command::TuneEncoder(a)) => tune::run(a),
        None => {
            let launch = slicelab::gui::Launch {
                data: cli.data,
                label: cli.label,
                pred: cli.pred,
            };
            slicelab::gui::run(launch).map_err(|e| anyhow::anyhow!("the app could not start: {e}"))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<interrupt::Interrupted>() => {
            eprintln!("{e:#}");
            ExitCode::from(interrupt::EXIT_CODE)
        }
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes joined by `: `, leaving out a cause whose text an outer message
/// already quotes (e.g. `path: Is a directory` over the `Is a directory` it wraps), so that
/// no reason is printed twice.
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}
