//! `slicelab train`: methods x seeds, a progress bar, a per-slice table, report.json and models.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::args::{DataArgs, parse_metric, slice_set};
use super::flags::TrainFlags;
use super::interrupt::{self, Interrupted};
use super::table::TextTable;
use slicelab::data::glob::match_columns;
use slicelab::metrics::{MEAN_SLICE, Metric, WORST_SLICE};
use slicelab::model::Method;
use slicelab::summary::{Report, show};
use slicelab::train::RunResult;
use slicelab::train::events::StopReason;
use slicelab::train::job::{TrainingJob, wait};
use slicelab::train::saved::MODEL_DIR;
use slicelab::train::{DataSource, ExperimentSpec, TrainEvent};

/// Arguments of `slicelab train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Slice set (TOML). Default: the demo's SFs, or every column named sf_*.
    #[arg(long)]
    slices: Option<PathBuf>,
    /// Methods to train, comma-separated: vanilla, hps, manual, moe, sbl, the SBL attention
    /// ablations sbl-uniform, sbl-indicator, sbl-confidence, and gdro (Group DRO), jtt (Just
    /// Train Twice), reweight (inverse slice-size weights).
    #[arg(long, value_delimiter = ',', default_value = "sbl,vanilla")]
    method: Vec<String>,
    /// Number of seeds (seed-start, seed-start+1, ...); with --demo the data is regenerated per seed.
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    seed_start: u64,
    #[command(flatten)]
    flags: TrainFlags,
    /// SBL expert size h (default: the last backbone width).
    #[arg(long)]
    rep_dim: Option<usize>,
    /// Only these columns become features (the whitelist alternative to --ignore): names or
    /// globs such as `v_*`, `c1??`, comma-separated. Default: every column but the label,
    /// prediction, split, truth, SF, --ignore'd, identifier, free-text and constant ones.
    #[arg(long, value_delimiter = ',')]
    features: Option<Vec<String>>,
    /// Output folder for report.json and one model folder per run (<method>-seed<N>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Metric of the table and of the slice flags and intervals in report.json: error_rate,
    /// accuracy, f1, macro_f1, mcc, recall (default: f1 for binary labels, error_rate otherwise).
    #[arg(long, value_parser = parse_metric)]
    metric: Option<Metric>,
}

impl TrainArgs {
    fn spec(&self) -> anyhow::Result<ExperimentSpec> {
        let methods = self
            .method
            .iter()
            .map(|m| {
                Method::parse(m).with_context(|| {
                    let all: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                    format!("unknown method '{m}'; use {}", all.join(", "))
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if methods.is_empty() {
            bail!("--method needs at least one method");
        }
        self.flags.check_tuning(self.data.embed.as_ref())?;
        let mut train = self.flags.config(self.seed_start)?;
        // The slice rules of --select score slices by the metric the report uses.
        train.select_metric = self.metric;
        if self.seeds == 0 {
            bail!("--seeds must be at least 1");
        }
        let last = self
            .seed_start
            .checked_add(self.seeds - 1)
            .with_context(|| {
                format!(
                    "--seed-start {} plus --seeds {} passes the largest seed ({})",
                    self.seed_start,
                    self.seeds,
                    u64::MAX
                )
            })?;
        let seeds = (self.seed_start..=last).collect();
        Ok(ExperimentSpec {
            methods,
            seeds,
            train,
            rep_dim: self.rep_dim,
            features: self.features.clone(),
            metric: self.metric,
        })
    }
}

/// Runs `slicelab train`.
pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let mut spec = args.spec()?;
    let source = args.data.source_with(args.features.as_deref())?;
    match (&source, &spec.features) {
        // The dataset took --features (globs resolved): the feature plan decides from here.
        (DataSource::Dataset(_), _) => spec.features = None,
        (DataSource::Demo(_) | DataSource::Spurious(_), Some(patterns)) => {
            let ds = source.try_dataset(0)?;
            let cols =
                match_columns(&ds.table, patterns).map_err(|e| anyhow!("--features: {e}"))?;
            spec.features = Some(cols);
        }
        (DataSource::Demo(_) | DataSource::Spurious(_), None) => {}
    }
    let slices = slice_set(&args.slices, &source)?;
    let feature_info = super::features::announce(&source, &slices, spec.features.as_deref());
    warn_about_slices(&spec, &slices, &source, args.data.pred.as_deref());
    if let Some(out) = &args.out {
        check_out(out, &spec)?;
    }
    let runs = spec.methods.len() * spec.seeds.len();
    let train_rows = match &source {
        DataSource::Dataset(ds) => ds.indices(slicelab::data::Split::Train).len(),
        DataSource::Demo(f) => f.n,
        DataSource::Spurious(s) => s.n,
    };
    let bar = ProgressBar::new((runs * spec.train.epochs) as u64);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} epochs  {msg}  [{elapsed_precise} < {eta_precise}]",
    )?);
    interrupt::install();
    let saver = args.out.clone().map(|out| RunSaver {
        out,
        runs,
        extra: feature_info.clone(),
    });
    let checked = match &source {
        DataSource::Dataset(ds) => Some(ds.clone()),
        _ => None,
    };
    let job = TrainingJob::spawn_with(
        source,
        slices,
        spec.clone(),
        || {},
        move |run, so_far| saver.as_ref().map_or(Ok(()), |s| s.save(run, so_far)),
    )?;
    let forward = interrupt::forward_to(job.cancel_flag());
    let result = wait(job, |e| match e {
        TrainEvent::RunStarted { run, params, .. } => {
            bar.set_message(format!("{run} ({params} params)"))
        }
        TrainEvent::Stage { what, done, total } => {
            bar.set_message(format!("{what} {done}/{total}"))
        }
        TrainEvent::Epoch(s) => {
            bar.inc(1);
            bar.set_message(format!(
                "{} epoch {} valid F1 {:.3} loss {:.3}",
                s.run, s.epoch, s.valid_f1, s.loss.total
            ));
        }
        TrainEvent::RunFinished {
            run,
            stop,
            best_epoch,
            selection,
        } => {
            // stderr, not the bar: without a terminal the bar draws nothing, and logs need this.
            let kept = selection
                .clone()
                .unwrap_or_else(|| format!("kept epoch {best_epoch}"));
            bar.suspend(|| eprintln!("{run}: {}; {kept}", stop.describe()));
        }
    })?;
    drop(forward);
    bar.finish_and_clear();
    println!("{}", render_report(&result.report));
    print_throughput(&result.report, train_rows);
    if let Some(ds) = &checked {
        warn_revealed(ds, &result.runs);
    }
    let report = result.report;
    if let Some(out) = &args.out {
        let saved = result
            .runs
            .iter()
            .filter(|r| r.outcome.stop != StopReason::Cancelled)
            .count();
        let path = write_report(out, &report, &feature_info)?;
        println!("wrote {} and {saved} model folder(s)", path.display());
    }
    if report.interrupted {
        return Err(Interrupted(format!(
            "{} of {runs} run(s) finished and were kept",
            report.runs.iter().filter(|r| r.summarised).count()
        ))
        .into());
    }
    if report.all_diverged() {
        bail!("every run diverged (see the reasons above); lower --lr");
    }
    Ok(())
}

/// Fails before training when `out` or a model folder in it cannot be written.
fn check_out(out: &Path, spec: &ExperimentSpec) -> anyhow::Result<()> {
    slicelab::safe_write::check_writable(out)
        .with_context(|| format!("--out {} is not writable", out.display()))?;
    slicelab::safe_write::check_replaceable(
        &out.join("report.json"),
        "a report.json written by slicelab",
        slicelab::safe_write::is_report_json,
    )?;
    for method in &spec.methods {
        for seed in &spec.seeds {
            slicelab::safe_write::check_owned(&run_dir(out, method.name(), *seed), &MODEL_DIR)?;
        }
    }
    Ok(())
}

fn run_dir(out: &Path, method: &str, seed: u64) -> PathBuf {
    out.join(format!("{method}-seed{seed}"))
}

/// Saves each run as it ends, on the training thread, with `report.json` of the runs so far:
/// a crash or kill in hour three keeps every run that finished before it.
struct RunSaver {
    out: PathBuf,
    /// Runs planned, for the note of a partial report.
    runs: usize,
    extra: serde_json::Value,
}

impl RunSaver {
    fn save(&self, run: &RunResult, so_far: &Report) -> Result<(), String> {
        // A run stopped by an interrupt is not a finished model.
        if run.outcome.stop != StopReason::Cancelled {
            run.model
                .save(&run_dir(&self.out, run.method.name(), run.seed))
                .map_err(|e| e.to_string())?;
        }
        let mut partial = so_far.clone();
        let done = partial.runs.len();
        if done < self.runs {
            partial.notes.push(format!(
                "partial: {done} of {} runs had ended when this was written; the final report \
                 replaces it",
                self.runs
            ));
        }
        write_report(&self.out, &partial, &self.extra)
            .map(|_| ())
            .map_err(|e| format!("{e:#}"))
    }
}

/// Writes `report.json` (with the feature plan) into `out` atomically; returns its path.
fn write_report(out: &Path, report: &Report, extra: &serde_json::Value) -> anyhow::Result<PathBuf> {
    let json = serde_json::to_vec_pretty(&super::features::with_extra(report, extra)?)?;
    let path = out.join("report.json");
    slicelab::safe_write::write_atomic(&path, &json)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Which slices the worst/mean rows are over: truth slices when the runs report any.
fn over_which(report: &Report) -> &'static str {
    use slicelab::metrics::report::SliceKind;
    let truth = report
        .slice_names()
        .iter()
        .any(|(_, k)| *k == SliceKind::Truth);
    slicelab::metrics::extremes::kind_word(if truth {
        SliceKind::Truth
    } else {
        SliceKind::Sf
    })
}

/// The per-slice table of the test split: one row per slice (matched by name), the report's
/// metric and accuracy per group of runs (mean ± std over seeds), lift over Vanilla.
pub fn render_report(report: &Report) -> String {
    if report.methods.is_empty() {
        return "no finished runs".into();
    }
    let metric = report.metric;
    let lifts =
        |m: &slicelab::summary::MethodReport| report.baseline(m).filter(|v| v.method != m.method);
    let mut header = vec!["slice".to_string(), "kind".into(), "support".into()];
    // Accuracy beside the metric, unless the metric is accuracy.
    let acc = metric != Metric::Accuracy;
    for m in &report.methods {
        header.push(format!("{} {}", m.label(), metric.label()));
        if acc {
            header.push(format!("{} acc", m.label()));
        }
        if lifts(m).is_some() {
            header.push(format!("{} lift", m.label()));
        }
    }
    let mut t = TextTable::new(header);
    let mut names: Vec<(String, String)> = vec![("overall".into(), "-".into())];
    if report.methods.iter().any(|m| m.worst_slice.is_some()) {
        names.extend([WORST_SLICE, MEAN_SLICE].map(|n| (n.to_string(), "-".to_string())));
    }
    names.extend(
        report
            .slice_names()
            .into_iter()
            .map(|(n, k)| (n.to_string(), format!("{k:?}").to_lowercase())),
    );
    for (name, kind) in names {
        let support = report
            .methods
            .iter()
            .find_map(|m| m.slice(&name))
            .map_or("-".into(), slicelab::summary::SliceSummary::support_text);
        let mut row = vec![name.clone(), kind, support];
        for m in &report.methods {
            let scores = m.slice(&name).map_or(&m.overall, |s| &s.scores);
            let extreme = [WORST_SLICE, MEAN_SLICE].contains(&name.as_str());
            let v = if extreme {
                m.extreme(&name)
            } else {
                scores.get(metric)
            };
            row.push(show(v));
            if acc {
                row.push(if extreme {
                    String::new()
                } else {
                    show(scores.accuracy.as_ref())
                });
            }
            if let Some(base) = lifts(m) {
                let b = base.slice(&name).map_or(&base.overall, |s| &s.scores);
                let b = if extreme {
                    base.extreme(&name)
                } else {
                    b.get(metric)
                };
                row.push(match (m.paired_lift(&name), v, b) {
                    (Some(p), _, _) => p.text(),
                    (None, Some(v), Some(b)) => format!("{:+.3}", v.mean - b.mean),
                    _ => "–".into(),
                });
            }
        }
        t.row(row);
    }
    let shown = if acc {
        format!("{} and accuracy", metric.label())
    } else {
        metric.label().to_string()
    };
    let mut out = format!(
        "Test split: {shown} per slice, mean ± std over seeds; worst/mean slice: the lowest and \
         the mean {m} over the {over} slices per run; lift = {m} minus Vanilla's on the same \
         seed, mean ± std over seeds (seeds ahead/seeds paired)\n",
        over = over_which(report),
        m = metric.label()
    );
    out.push_str(&t.render());
    out.push_str(&footer(report));
    out
}

/// Under the table: each group's size and speed (and the device), notes, runs not averaged.
fn footer(report: &Report) -> String {
    let mut out = String::new();
    let on = if report.device.is_empty() {
        String::new()
    } else {
        format!(" on {}", report.device)
    };
    for m in &report.methods {
        out.push_str(&format!(
            "\n{}: {} params ({:+.0}% vs vanilla), {:.3} s/epoch{on}, seeds {:?}",
            m.label(),
            m.params,
            m.param_increase * 100.0,
            m.epoch_secs,
            m.seeds
        ));
    }
    for line in report.notes.iter() {
        out.push_str(&format!("\nnote: {line}"));
    }
    for line in report.not_averaged.iter() {
        out.push_str(&format!("\nnot averaged: {line}"));
    }
    out
}

/// Prints `warning:` lines about the slices before training: slice-aware methods without
/// slices, and slices that select nothing, the same rows as another, or the answer.
fn warn_about_slices(
    spec: &ExperimentSpec,
    slices: &slicelab::slices::SliceSet,
    source: &DataSource,
    pred: Option<&str>,
) {
    if let Some(problem) = spec.no_slices_problem(slices.slices.len()) {
        eprintln!("warning: {problem}");
    }
    // The demo's own slices need no checking; a set that does not evaluate fails in the job.
    if let DataSource::Dataset(ds) = source
        && let Ok(evaluated) = slices.evaluate(&ds.table)
    {
        let answers = super::slices::answers(ds, pred);
        super::slices::print_warnings(slices, &evaluated, &ds.table, &answers);
    }
}

/// Prints a `warning:` when the first finished run scores near perfectly on the validation rows,
/// naming the columns it leans on (their permutation importance) and the `--ignore` to retrain.
fn warn_revealed(ds: &slicelab::data::Dataset, runs: &[RunResult]) {
    let Some(run) = runs
        .iter()
        .find(|r| r.outcome.stop != StopReason::Cancelled)
    else {
        return;
    };
    let spec = slicelab::train::importance::ImportanceSpec::default_for(ds, None);
    match slicelab::train::revealed::check_model(&run.model, ds, &spec) {
        Ok(Some(leak)) => eprintln!(
            "warning: {}",
            leak.line(slicelab::data::leakage::Advice::Cli)
        ),
        Ok(None) => {}
        Err(e) => eprintln!("warning: could not check the model for leakage: {e}"),
    }
}

/// Prints each method's training rows per second.
fn print_throughput(report: &Report, train_rows: usize) {
    for m in &report.methods {
        println!(
            "{}: {:.0} training rows/s ({train_rows} rows in {:.3} s per epoch)",
            m.method,
            train_rows as f64 / m.epoch_secs.max(1e-9),
            m.epoch_secs
        );
    }
}
