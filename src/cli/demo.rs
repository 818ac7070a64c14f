//! `slicelab demo figure1|spurious --out DIR`: write the synthetic data as CSV.

use std::path::PathBuf;

use clap::Args;

use super::args::DemoName;
use slicelab::data::demo::{Figure1, NoiseMode, write_split_csvs};
use slicelab::data::spurious::Spurious;

/// Arguments of `slicelab demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Which demo.
    #[arg(value_enum)]
    name: DemoName,
    /// Output folder (train.csv, valid.csv, test.csv).
    #[arg(long)]
    out: PathBuf,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Training rows (valid n/5 for figure1, n/2 for spurious; test n).
    #[arg(long, default_value_t = 10_000)]
    n: usize,
    /// Number of slices.
    #[arg(long, default_value_t = 2)]
    k: usize,
    /// SF noise rate.
    #[arg(long, default_value_t = 0.0)]
    noise: f64,
    /// Flip SF outputs independently instead of swapping members (coverage not kept).
    #[arg(long)]
    flip_noise: bool,
}

/// Runs `slicelab demo`.
pub fn run(a: DemoArgs) -> anyhow::Result<()> {
    if let DemoName::Spurious = a.name {
        let generator = Spurious {
            seed: a.seed,
            n: a.n,
            noise: a.noise,
            ..Spurious::default()
        };
        generator.validate()?;
        let (table, splits) = generator.table();
        write_split_csvs(&a.out, &table, &splits)?;
        println!(
            "wrote {}/{{train,valid,test}}.csv ({} / {} / {} rows)",
            a.out.display(),
            a.n,
            a.n / 2,
            a.n
        );
        return Ok(());
    }
    let mode = if a.flip_noise {
        NoiseMode::Flip
    } else {
        NoiseMode::Swap
    };
    let generator = Figure1 {
        seed: a.seed,
        n: a.n,
        k: a.k,
        noise: a.noise,
        noise_mode: mode,
        ..Figure1::default()
    };
    generator.write_csv(&a.out)?;
    println!(
        "wrote {}/{{train,valid,test}}.csv ({} / {} / {} rows)",
        a.out.display(),
        a.n,
        (a.n / 5).max(1),
        a.n
    );
    Ok(())
}
