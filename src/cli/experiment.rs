//! `slicelab experiment <name>`: the paper's experiments, each writing report.json, report.md
//! and any plots into `--out`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::args::{DataArgs, slice_set};
use super::flags::TrainFlags;
use slicelab::data::demo::Figure1;
use slicelab::experiments::{self, Options, Outcome, Progress};
use slicelab::model::Method;
use slicelab::train::{TrainConfig, TrainEvent};

/// Which experiment.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExperimentName {
    /// Any dataset and slice set: methods x seeds, the paper's Table 1 layout.
    Compare,
    /// The synthetic demo with Vanilla, HPS, Manual, MoE and SBL.
    Figure1,
    /// Four random slices with noisy SFs: uniform / indicator / confidence / full attention.
    Ablation,
    /// SF noise 0%, 40%, 80%: indicator probabilities, slice F1, indicator heatmaps.
    Noise,
    /// Slice F1 of Vanilla, HPS, MoE and SBL as the hidden size varies.
    HiddenDim,
    /// Time per epoch and parameters of SBL, HPS and MoE for k = 2..200 slices.
    Scaling,
}

/// Arguments of `slicelab experiment`.
#[derive(Args, Debug)]
pub struct ExperimentArgs {
    /// The experiment to run.
    #[arg(value_enum)]
    name: ExperimentName,
    /// Output folder (report.json, report.md, PNG plots).
    #[arg(long)]
    out: PathBuf,
    /// Number of seeds (scaling: rounds over every k, one seed each, interleaved).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// Training settings of every run (scaling: --epochs is the epochs timed per run).
    #[command(flatten)]
    flags: TrainFlags,
    /// compare: methods, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "vanilla,hps,manual,moe,sbl"
    )]
    method: Vec<String>,
    /// compare: slice set (TOML); default the demo's SFs or the data's sf_* columns.
    #[arg(long)]
    slices: Option<PathBuf>,
    /// scaling: slice counts.
    #[arg(long, value_delimiter = ',', default_values_t = experiments::scaling::KS)]
    ks: Vec<usize>,
    /// hidden-dim: hidden sizes.
    #[arg(long, value_delimiter = ',', default_values_t = experiments::hidden_dim::HIDDEN)]
    hidden_sizes: Vec<usize>,
    /// noise: SF noise rates.
    #[arg(long, value_delimiter = ',', default_values_t = experiments::noise::NOISES)]
    noises: Vec<f64>,
    /// The metric of the per-slice reports and the worst/mean slice columns (default: F1 for
    /// binary labels, error rate for multi-class).
    #[arg(long, value_parser = super::args::parse_metric)]
    metric: Option<slicelab::metrics::Metric>,
    /// compare: the data (default: the figure1 demo).
    #[command(flatten)]
    data: DataArgs,
}

/// Runs `slicelab experiment`.
pub fn run(a: ExperimentArgs) -> anyhow::Result<()> {
    // Refuse a folder holding someone else's report before hours of training, not after.
    experiments::check_outputs(&a.out)?;
    check_demo_settings(&a)?;
    a.flags.check_tuning(a.data.embed.as_ref())?;
    let opts = Options {
        out: a.out.clone(),
        seeds: a.seeds,
        train: TrainConfig {
            select_metric: a.metric,
            ..a.flags.config(0)?
        },
        metric: a.metric,
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template(
        "{spinner} {elapsed_precise} {msg}",
    )?);
    let mut emit = |e: TrainEvent| match e {
        TrainEvent::Epoch(s) => {
            bar.set_message(format!(
                "{} epoch {}/{} valid F1 {:.3}",
                s.run, s.epoch, s.epochs, s.valid_f1
            ));
            bar.tick();
        }
        TrainEvent::Stage { what, done, total } => {
            bar.set_message(format!("{what} {done}/{total}"));
            bar.tick();
        }
        _ => {}
    };
    let cancel = AtomicBool::new(false);
    let mut progress = Progress {
        emit: &mut emit,
        cancel: &cancel,
    };
    let outcome: Outcome = match a.name {
        ExperimentName::Compare => {
            let data = if a.data.data.is_none() && a.data.demo.is_none() {
                DataArgs {
                    demo: Some(super::args::DemoName::Figure1),
                    ..a.data.clone()
                }
            } else {
                a.data.clone()
            };
            let source = data.source()?;
            let slices = slice_set(&a.slices, &source)?;
            let methods = a
                .method
                .iter()
                .map(|m| Method::parse(m).with_context(|| format!("unknown method '{m}'")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            experiments::compare(&source, &slices, methods, &opts, &mut progress)?
        }
        ExperimentName::Figure1 => experiments::ablation::figure1(&opts, &mut progress)?,
        ExperimentName::Ablation => experiments::ablation::ablation(&opts, &mut progress)?,
        ExperimentName::Noise => experiments::noise::noise(&a.noises, &opts, &mut progress)?,
        ExperimentName::HiddenDim => {
            experiments::hidden_dim::hidden_dim(&a.hidden_sizes, &opts, &mut progress)?
        }
        ExperimentName::Scaling => experiments::scaling::scaling(&a.ks, &opts, &mut progress)?,
    };
    bar.finish_and_clear();
    experiments::write_outputs(&a.out, &outcome)?;
    println!("{}", outcome.markdown);
    println!("wrote {}/report.json, report.md", a.out.display());
    for p in &outcome.plots {
        println!("wrote {}", p.display());
    }
    Ok(())
}

/// Refuses `--ks` and `--noises` values the demo generator cannot use, before any run starts.
fn check_demo_settings(a: &ExperimentArgs) -> anyhow::Result<()> {
    let demo = Figure1::default();
    for &k in &a.ks {
        Figure1 { k, ..demo.clone() }
            .validate()
            .with_context(|| format!("--ks {k}"))?;
    }
    for &noise in &a.noises {
        Figure1 {
            noise,
            ..demo.clone()
        }
        .validate()
        .with_context(|| format!("--noises {noise}"))?;
    }
    Ok(())
}
