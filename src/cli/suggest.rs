//! `slicelab suggest`: the slices where a model errs most for their size (SliceLine search),
//! over the rows of one split and the same feature columns `train` would use.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::args::DataArgs;
use slicelab::data::leakage::is_integer_identifier;
use slicelab::data::{Dataset, Split};
use slicelab::safe_write::write_atomic;
use slicelab::slices::columns::feature_columns;
use slicelab::slices::suggest::{Progress, SuggestConfig, SuggestOutcome, Suggestion, search};
use slicelab::slices::{SliceDef, SliceSet};
use slicelab::train::TrainedModel;

/// Which rows the search reads.
#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
pub enum SearchSplit {
    /// The rows a model was fitted on.
    Train,
    /// Held-out rows for model selection: errors there are the model's, not memorised.
    Valid,
    /// The held-out test rows.
    Test,
    /// Every row.
    All,
}

impl SearchSplit {
    fn name(self) -> &'static str {
        match self {
            SearchSplit::Train => "train",
            SearchSplit::Valid => "valid",
            SearchSplit::Test => "test",
            SearchSplit::All => "all",
        }
    }
}

/// Arguments of `slicelab suggest`.
#[derive(Args, Debug)]
pub struct SuggestArgs {
    /// The data: a file split as `train` splits it (same --split-seed), or a train/valid/test
    /// folder; label, prediction, split, truth-slice and --ignore'd columns are not searched.
    #[command(flatten)]
    data: DataArgs,
    /// A slicelab model folder whose predictions are analysed (or give --pred / --proba-prefix).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Rows searched: train, valid, test or all.
    #[arg(long, value_enum, default_value = "valid")]
    split: SearchSplit,
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
    /// Candidates per level kept to build the next (the best by score bound); bounds memory and
    /// time on wide tables. The output says when it dropped any.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..))]
    max_candidates: u32,
    /// Write `{"suggestions": [...], "split": ..., "rows": ..., "levels": [...], "secs": ...}` here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the suggestions as a slice set (TOML) here.
    #[arg(long)]
    as_slices: Option<PathBuf>,
}

/// Runs `slicelab suggest`.
pub fn run(a: SuggestArgs) -> anyhow::Result<()> {
    check_outputs(&a)?;
    let device = candle_core::Device::Cpu;
    let model = a
        .model
        .as_deref()
        .map(|m| TrainedModel::load(m, &device))
        .transpose()?;
    let mut data = a.data.clone();
    if let Some(m) = &model {
        if m.card.stop.diverged() {
            eprintln!("warning: this model's training {}", m.card.stop.describe());
        }
        data.label = data.label.or_else(|| Some(m.card.label.clone()));
    }
    let ds = data.dataset(0)?;
    let (ds, wrong) = predictions(ds, model.as_ref())?;
    let rows = split_rows(&ds, a.split)?;
    let wrong: Vec<bool> = rows.iter().map(|&i| wrong[i]).collect();
    let columns: Vec<String> = feature_columns(&ds, &SliceSet::from_sf_columns(&ds.table))
        .into_iter()
        // A split column the user did not name with --split-col is still bookkeeping, not a
        // feature: `split = 'test'` is no slice to fix.
        .filter(|c| !c.eq_ignore_ascii_case("split"))
        // Row numbers stay features with a warning, but a range of ids is no slice to fix.
        .filter(|c| !ds.table.column(c).is_some_and(is_integer_identifier))
        .collect();
    let cfg = SuggestConfig {
        max_level: usize::from(a.max_level),
        top_k: a.top,
        min_support: a.min_support,
        alpha: a.alpha,
        bins: usize::from(a.bins),
        max_candidates: a.max_candidates as usize,
        ..SuggestConfig::default()
    };
    let start = Instant::now();
    let outcome = search(
        &ds.table,
        &columns,
        &rows,
        &wrong,
        &cfg,
        &mut progress_bar()?,
    );
    let secs = start.elapsed().as_secs_f64();
    let mean = wrong.iter().filter(|&&w| w).count() as f64 / wrong.len().max(1) as f64;
    println!(
        "searched the {} split: {} of {} rows, error rate {:.2}%, {} columns ({} predicates) in \
         {secs:.2} s (levels <= {}, min support {})",
        a.split.name(),
        rows.len(),
        ds.n_rows(),
        100.0 * mean,
        columns.len(),
        outcome.predicates,
        cfg.max_level,
        cfg.min_support
    );
    say_cap(&outcome, cfg.max_candidates);
    if outcome.suggestions.is_empty() {
        println!(
            "{}",
            if mean == 0.0 {
                "no suggestions: the model makes no error on these rows"
            } else {
                "no suggestions: no slice of at least --min-support rows has a score above 0 \
                 (a higher --alpha weighs error rate over size; a lower --min-support admits \
                 smaller slices)"
            }
        );
    } else {
        print_table(&outcome.suggestions);
    }
    if let Some(out) = &a.out {
        let json = serde_json::json!({
            "suggestions": outcome.suggestions,
            "split": a.split.name(),
            "rows": rows.len(),
            "columns": columns,
            "levels": outcome.levels,
            "capped": outcome.capped(),
            "secs": secs,
        });
        write_atomic(out, serde_json::to_string_pretty(&json)?.as_bytes())
            .with_context(|| out.display().to_string())?;
    }
    if let Some(path) = &a.as_slices {
        as_slice_set(&outcome.suggestions).save(path)?;
    }
    Ok(())
}

/// Refuses output paths that hold something other than what this command writes.
fn check_outputs(a: &SuggestArgs) -> anyhow::Result<()> {
    if let Some(path) = &a.out {
        slicelab::safe_write::check_replaceable(path, "suggestions written by slicelab", |p| {
            slicelab::safe_write::is_json_with_key(p, "suggestions")
        })?;
    }
    if let Some(path) = &a.as_slices {
        slicelab::safe_write::check_replaceable(path, "a slice set (TOML)", |p| {
            SliceSet::load(p).is_ok()
        })?;
    }
    Ok(())
}

/// The dataset (embedded as the model was trained, if it was) and whether each row is wrong.
fn predictions(
    ds: Arc<Dataset>,
    model: Option<&TrainedModel>,
) -> anyhow::Result<(Dataset, Vec<bool>)> {
    let mut ds = Arc::unwrap_or_clone(ds);
    let pred = match model {
        Some(m) => {
            // A model that tuned encoder layers embeds the text itself, through them.
            if let Some(record) = m.card.embedding.as_ref().filter(|_| m.tower.is_none()) {
                let cache = slicelab::text::EmbeddingCache::default_dir()
                    .map(slicelab::text::EmbeddingCache::new);
                slicelab::text::embed_like(
                    &mut ds.table,
                    record,
                    None,
                    cache.as_ref(),
                    &mut |_, _| {},
                )?;
            }
            anyhow::ensure!(
                ds.classes == m.card.classes,
                "the data's classes {:?} differ from the model's {:?}",
                ds.classes,
                m.card.classes
            );
            m.predict_dataset(&ds)?.classes
        }
        None => match &ds.pred {
            Some(p) => p.clone(),
            None => bail!("give --model, --pred or --proba-prefix"),
        },
    };
    let wrong = pred.iter().zip(&ds.y).map(|(p, y)| p != y).collect();
    Ok((ds, wrong))
}

/// The rows of the chosen split; an empty split is an error that names the split sizes.
fn split_rows(ds: &Dataset, split: SearchSplit) -> anyhow::Result<Vec<usize>> {
    let rows = match split {
        SearchSplit::Train => ds.indices(Split::Train),
        SearchSplit::Valid => ds.indices(Split::Valid),
        SearchSplit::Test => ds.indices(Split::Test),
        SearchSplit::All => (0..ds.n_rows()).collect(),
    };
    if rows.is_empty() {
        let counts: Vec<String> = Split::ALL
            .iter()
            .map(|&s| format!("{} {}", s.name(), ds.indices(s).len()))
            .collect();
        bail!(
            "--split {}: no rows in that split of {} (rows per split: {}); choose another with \
             --split train|valid|test|all",
            split.name(),
            ds.table.source,
            counts.join(", ")
        );
    }
    Ok(rows)
}

/// A progress line per level on stderr (hidden when stderr is not a terminal), then one
/// summary line per level that always shows.
fn progress_bar() -> anyhow::Result<impl FnMut(Progress)> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template(
        "{spinner} level {msg} candidates counted [{elapsed}]",
    )?);
    Ok(move |p: Progress| {
        if p.done {
            bar.set_message(String::new());
            bar.finish_and_clear();
            eprintln!("level {}: {} candidates counted", p.level, p.evaluated);
        } else {
            bar.set_message(format!("{}: {}", p.level, p.evaluated));
            bar.tick();
        }
    })
}

/// Says, per level, when the candidate cap dropped candidates (the search is then not exact).
fn say_cap(outcome: &SuggestOutcome, cap: usize) {
    for l in outcome.levels.iter().filter(|l| l.capped) {
        println!(
            "note: level {} kept the {} candidates with the best score bound of {} that passed \
             pruning (--max-candidates {cap}); the search past it is not exhaustive",
            l.level, l.kept, l.valid
        );
    }
}

fn print_table(found: &[Suggestion]) {
    println!("\n| # | score | size | error rate | name | slice |\n|---:|---:|---:|---:|---|---|");
    for (i, s) in found.iter().enumerate() {
        println!(
            "| {} | {:.3} | {} | {:.1}% | {} | `{}` |",
            i + 1,
            s.score,
            s.size,
            100.0 * s.error_rate,
            s.name,
            s.expr
        );
    }
}

/// The suggestions as a slice set with readable, unique names.
fn as_slice_set(found: &[Suggestion]) -> SliceSet {
    let mut set = SliceSet::default();
    for s in found {
        let name = set.unique_name(&s.name);
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
