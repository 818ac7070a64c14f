//! Benchmark: seconds per training epoch on the figure1 task (n = 10,000, batch 32, 313 steps),
//! SBL at k = 2, 10, 50, 100 and Vanilla, side by side with Snorkel's measured figures
//! (`../shared/peers/results/timing_e3.jsonl`, 1 thread, same machine kind) as a ratio.
//!
//! The last two columns give the growth with k against the first k listed, ours and the
//! reference's (issue 4's scaling target is at most 3× from k = 2 to k = 100).
//!
//! `cargo bench --bench train_epoch -- 2 100` runs only the listed k.

mod common;

use std::sync::atomic::AtomicBool;

use slicelab::data::demo::Figure1;
use slicelab::model::Method;
use slicelab::train::TrainConfig;
use slicelab::train::{DataSource, ExperimentSpec, run_experiment};

fn reference(k: usize, model: &str) -> Option<f64> {
    let path = common::shared("peers/results/timing_e3.jsonl")?;
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|v| {
            let ok = v["k"].as_u64() == Some(k as u64) && v["threads"].as_u64() == Some(1);
            ok.then(|| v[model]["epoch_s_mean"].as_f64()).flatten()
        })
}

fn epoch_secs(k: usize, method: Method) -> (f64, usize) {
    let source = DataSource::Demo(Figure1 {
        k,
        ..Figure1::default()
    });
    let slices = source.default_slices();
    let spec = ExperimentSpec {
        methods: vec![method],
        seeds: vec![0],
        train: TrainConfig {
            epochs: 3,
            ..TrainConfig::default()
        },
        rep_dim: None,
        features: None,
        metric: None,
    };
    let r = run_experiment(
        &source,
        &slices,
        &spec,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("training runs");
    (r.runs[0].outcome.epoch_secs, r.runs[0].model.params())
}

fn main() {
    common::configure_threads();
    let ks: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let ks = if ks.is_empty() {
        vec![2, 10, 50, 100]
    } else {
        ks
    };
    // Our timings run without it; only the reference columns stay empty.
    common::shared_or_say(
        "peers/results/timing_e3.jsonl",
        "train_epoch reference columns",
        "Snorkel 0.10 timings measured by the team; ../shared/peers/README.md has the set-up",
    );
    println!(
        "s/epoch, figure1 n=10000, batch 32, 3 epochs (mean), {} thread(s); reference = snorkel 0.10, 1 thread",
        std::env::var("RAYON_NUM_THREADS").unwrap_or_default()
    );
    println!(
        "{:<8} {:>4} {:>8} {:>10} {:>12} {:>10} {:>10} {:>10}",
        "method", "k", "params", "slicelab", "reference", "speed-up", "× 1st k", "ref × 1st"
    );
    let (v, vp) = epoch_secs(2, Method::Vanilla);
    let vr = reference(2, "vanilla");
    println!(
        "{:<8} {:>4} {:>8} {:>10.3} {:>12} {:>10}",
        "vanilla",
        "-",
        vp,
        v,
        fmt(vr),
        ratio(vr, v)
    );
    // Growth with k, ours and the reference's, against the first k listed (k = 2 by default).
    let mut first: Option<(f64, Option<f64>)> = None;
    for k in ks {
        let (s, p) = epoch_secs(k, Method::Sbl);
        let r = reference(k, "sbl");
        let (s0, r0) = *first.get_or_insert((s, r));
        let growth = r.zip(r0).map(|(r, r0)| r / r0);
        println!(
            "{:<8} {:>4} {:>8} {:>10.3} {:>12} {:>10} {:>10} {:>10}",
            "sbl",
            k,
            p,
            s,
            fmt(r),
            ratio(r, s),
            format!("{:.2}x", s / s0),
            growth.map_or("-".into(), |g| format!("{g:.2}x"))
        );
    }
}

fn fmt(r: Option<f64>) -> String {
    r.map_or("-".into(), |r| format!("{r:.3}"))
}

fn ratio(r: Option<f64>, ours: f64) -> String {
    r.map_or("-".into(), |r| format!("{:.1}x", r / ours))
}
