//! Arguments shared by several subcommands: where the data is and what its columns mean.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{anyhow, bail};
use candle_core::Device;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use slicelab::data::demo::{Figure1, NoiseMode};
use slicelab::data::dialect::Delimiter;
use slicelab::data::glob::match_columns;
use slicelab::data::load::{Sources, read_header};
use slicelab::data::spurious::Spurious;
use slicelab::data::types::{TypeOverride, parse_types};
use slicelab::data::{Dataset, DatasetSpec, HeaderMode, Table};
use slicelab::slices::SliceSet;
use slicelab::text::{EmbeddingCache, TextEncoder, embed_column, embed_like};
use slicelab::train::DataSource;

/// Built-in demo datasets.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DemoName {
    /// The paper's synthetic Figure 1 task: two label-flipping disks on a linear boundary.
    Figure1,
    /// A core feature sets the label; a spurious one agrees with it except in two minority
    /// groups (5% of rows), marked by the SFs sf_minority_pos and sf_minority_neg.
    Spurious,
}

/// Where the data comes from and which columns play which role.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Data file (.csv, .csv.gz, .parquet) or a folder with train.csv/valid.csv/test.csv.
    #[arg(long, conflicts_with = "demo")]
    pub data: Option<PathBuf>,
    /// Use a built-in demo dataset instead of a file.
    #[arg(long, value_enum)]
    pub demo: Option<DemoName>,
    /// Separate validation file (same columns as --data).
    #[arg(long)]
    pub valid: Option<PathBuf>,
    /// Separate test file (same columns as --data).
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// Whether the first row of a CSV file names the columns: yes, no (columns c0, c1, ...) or
    /// auto (no header only when the first row reads like the data rows).
    #[arg(long, default_value = "auto")]
    pub header: HeaderMode,
    /// How a text file's fields are separated: auto (sniffed from the first lines: comma,
    /// semicolon, tab or pipe), comma, semicolon, tab or pipe.
    #[arg(long, default_value = "auto")]
    pub delimiter: Delimiter,
    /// Label column (default for the demo and synthetic_data.py folders: y); a position such
    /// as -1 (the last column) or 0 (the first) when no column has that name.
    #[arg(long, allow_hyphen_values = true)]
    pub label: Option<String>,
    /// Column with an external model's predicted class.
    #[arg(long)]
    pub pred: Option<String>,
    /// Prefix of per-class probability columns, e.g. `proba_` for proba_0, proba_1.
    #[arg(long)]
    pub proba_prefix: Option<String>,
    /// Column with train/valid/test values.
    #[arg(long)]
    pub split_col: Option<String>,
    /// Ground-truth slice columns, evaluation only (default: columns named slice_*).
    #[arg(long, value_delimiter = ',')]
    pub truth_slices: Option<Vec<String>>,
    /// Seed of the stratified train/valid/test split when the data does not fix it.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
    /// Text column to embed with --encoder; its `{COL}_e{i}` columns become model features.
    #[arg(long, requires = "encoder")]
    pub embed: Option<String>,
    /// Hugging Face BERT folder for --embed (config.json, tokenizer.json, model.safetensors).
    #[arg(long, requires = "embed")]
    pub encoder: Option<PathBuf>,
    /// Embedding cache folder (default: ~/.cache/slicelab/embeddings).
    #[arg(long)]
    pub embed_cache: Option<PathBuf>,
    /// Columns that must not become model features (still usable in slice expressions);
    /// globs allowed: `v_*`, `*_jail_*`, `c1??`.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Column types instead of the inferred ones, e.g. `a=numeric,b=categorical,d=date,n=text`
    /// (categorical: one-hot features; text: never a feature; numeric: a standardised number;
    /// date: ISO dates, a day number as a feature). A column may be given by position (-1).
    #[arg(long, allow_hyphen_values = true)]
    pub types: Option<String>,
    /// Demo: training rows (valid n/5, test n).
    #[arg(long, default_value_t = 10_000)]
    pub n: usize,
    /// Demo: number of slices (the first two are the critical disks).
    #[arg(long, default_value_t = 2)]
    pub k: usize,
    /// Demo: SF noise rate (swap mode: coverage kept).
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
}

impl DataArgs {
    /// The demo generator settings, refused with a message naming the flag when they cannot
    /// generate a dataset (e.g. `--n 0`).
    pub fn figure1(&self, seed: u64) -> anyhow::Result<Figure1> {
        let f = Figure1 {
            seed,
            n: self.n,
            k: self.k,
            noise: self.noise,
            noise_mode: NoiseMode::Swap,
            ..Figure1::default()
        };
        f.validate()?;
        Ok(f)
    }

    /// Loads the dataset (for the demo: generated with `seed`).
    pub fn dataset(&self, seed: u64) -> anyhow::Result<Arc<Dataset>> {
        self.dataset_with(seed, None)
    }

    /// The declared column types of `--types`.
    pub fn type_overrides(&self) -> anyhow::Result<Vec<TypeOverride>> {
        match &self.types {
            Some(t) => parse_types(t).map_err(|e| anyhow::anyhow!("--types: {e}")),
            None => Ok(Vec::new()),
        }
    }

    /// Loads the dataset (for the demo: generated with `seed`); `features`, the patterns of
    /// `train --features`, limit the feature columns.
    pub fn dataset_with(
        &self,
        seed: u64,
        features: Option<&[String]>,
    ) -> anyhow::Result<Arc<Dataset>> {
        match self.demo {
            Some(DemoName::Figure1) => return Ok(Arc::new(self.figure1(seed)?.try_dataset()?)),
            Some(DemoName::Spurious) => return Ok(Arc::new(self.spurious(seed)?.try_dataset()?)),
            None => {}
        }
        let Some(path) = &self.data else {
            bail!("give --data FILE or --demo figure1")
        };
        let sources = Sources::resolve(path, self.test.clone());
        let sources = Sources {
            valid: self.valid.clone().or(sources.valid),
            header: self.header,
            delimiter: self.delimiter,
            types: self.type_overrides()?,
            ..sources
        };
        let header = read_header(&sources.data, self.header, self.delimiter)?;
        let label = match &self.label {
            Some(l) => l.clone(),
            None if header.iter().any(|h| h == "y") => "y".into(),
            None => bail!("--label is required (columns: {})", header.join(", ")),
        };
        let truth = self
            .truth_slices
            .clone()
            .unwrap_or_else(|| DatasetSpec::default_truth(&header));
        let spec = DatasetSpec {
            label,
            pred: self.pred.clone(),
            proba_prefix: self.proba_prefix.clone(),
            split_col: self.split_col.clone(),
            truth_slices: truth,
            seed: self.split_seed,
            fractions: (0.7, 0.15),
        };
        let mut ds = Dataset::load(&sources, &spec)?;
        print_notices(&ds.table);
        ds.leave_out(&self.ignore)
            .map_err(|e| anyhow!("--ignore: {e}"))?;
        if let Some(patterns) = features {
            let only =
                match_columns(&ds.table, patterns).map_err(|e| anyhow!("--features: {e}"))?;
            ds.choice.only = Some(only);
        }
        if let (Some(column), Some(encoder)) = (&self.embed, &self.encoder) {
            self.embed_text(&mut ds, column, encoder)?;
        }
        Ok(Arc::new(ds))
    }

    /// Embeds `column` with the encoder in `dir`, through the cache, with a progress bar.
    fn embed_text(&self, ds: &mut Dataset, column: &str, dir: &Path) -> anyhow::Result<()> {
        let loaded = Instant::now();
        let encoder = TextEncoder::load(dir, &Device::Cpu)?;
        let load_secs = loaded.elapsed().as_secs_f64();
        let cache = self
            .embed_cache
            .clone()
            .or_else(EmbeddingCache::default_dir)
            .map(EmbeddingCache::new);
        let bar = embed_bar(ds.n_rows(), column)?;
        let cancel = AtomicBool::new(false);
        let done = embed_column(
            &mut ds.table,
            column,
            &encoder,
            cache.as_ref(),
            &mut |d, _| bar.set_position(d as u64),
            &cancel,
        )?;
        bar.finish_and_clear();
        eprintln!(
            "embedded '{column}' ({} rows, {} dims) with {} in {:.2} s{} (encoder load {:.2} s)",
            done.rows,
            done.columns.len(),
            dir.display(),
            done.secs,
            if done.cached { ", from the cache" } else { "" },
            load_secs
        );
        ds.embedding = Some(done.record);
        Ok(())
    }

    /// The spurious-correlation demo's settings (`--n`, `--noise`), checked.
    pub fn spurious(&self, seed: u64) -> anyhow::Result<Spurious> {
        let s = Spurious {
            seed,
            n: self.n,
            noise: self.noise,
            ..Spurious::default()
        };
        s.validate()?;
        Ok(s)
    }

    /// The experiment data source.
    pub fn source(&self) -> anyhow::Result<DataSource> {
        self.source_with(None)
    }

    /// The experiment data source, its features limited to `features` (patterns) if given.
    pub fn source_with(&self, features: Option<&[String]>) -> anyhow::Result<DataSource> {
        match self.demo {
            Some(DemoName::Figure1) => return Ok(DataSource::Demo(self.figure1(0)?)),
            Some(DemoName::Spurious) => return Ok(DataSource::Spurious(self.spurious(0)?)),
            None => {}
        }
        Ok(DataSource::Dataset(self.dataset_with(0, features)?))
    }
}

/// Gives `table`'s columns the types of a `--types` value (`col=numeric,col2=date`).
pub fn apply_type_flag(table: &mut Table, types: Option<&str>) -> anyhow::Result<()> {
    if let Some(t) = types {
        let overrides = parse_types(t).map_err(|e| anyhow!("--types: {e}"))?;
        slicelab::data::types::apply_types(table, &overrides)?;
    }
    Ok(())
}

/// Prints what the loader of `table` decided or changed (no header row, renamed columns) to
/// stderr, one `note:` line each.
pub fn print_notices(table: &Table) {
    for notice in &table.notices {
        eprintln!("note: {notice}");
    }
}

/// Loads `--slices FILE`, or the default: every 0/1 column named `sf_*` (the demo's SFs).
pub fn slice_set(path: &Option<PathBuf>, source: &DataSource) -> anyhow::Result<SliceSet> {
    match path {
        Some(p) => Ok(SliceSet::load(p)?),
        None => Ok(source.default_slices()),
    }
}

/// The progress bar of embedding `rows` texts of `column`.
fn embed_bar(rows: usize, column: &str) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::new(rows as u64);
    bar.set_style(ProgressStyle::with_template(
        "embedding {msg} {bar:30} {pos}/{len} rows, {eta} left",
    )?);
    bar.set_message(column.to_string());
    Ok(bar)
}

/// The file `eval` and `suggest` read for `--data`: the path itself, or for a folder of
/// train/valid/test CSVs (as `train --data` takes) its `test.csv`, the rows a model trained on
/// that folder never saw.
pub fn held_out_file(data: &Path) -> anyhow::Result<PathBuf> {
    if !data.is_dir() {
        return Ok(data.to_path_buf());
    }
    match Sources::resolve(data, None).test {
        Some(test) => Ok(test),
        None => bail!(
            "--data {}: a data folder needs a test.csv (as written by `slicelab demo`)",
            data.display()
        ),
    }
}

/// Opens `--model` (if given) and reads `--data` (a folder: its `test.csv`); the label is `--label`, else the model's, else `y`.
/// A model trained on text embeddings gets the data embedded the same way (`encoder` overrides
/// the folder recorded in the model).
pub fn model_and_table(
    model: Option<&Path>,
    data: &Path,
    header: HeaderMode,
    label: Option<&str>,
    encoder: Option<&Path>,
    device: &Device,
) -> anyhow::Result<(
    Option<slicelab::train::TrainedModel>,
    slicelab::data::Table,
    String,
)> {
    let mut model = model
        .map(|m| slicelab::train::TrainedModel::load(m, device))
        .transpose()?;
    if let Some(m) = model.as_mut() {
        m.encoder_dir = encoder.map(Path::to_path_buf);
    }
    if let Some(m) = model.as_ref().filter(|m| m.card.stop.diverged()) {
        eprintln!("warning: this model's training {}", m.card.stop.describe());
    }
    let mut table = slicelab::data::load::read_table_with(&held_out_file(data)?, header)?;
    print_notices(&table);
    // A model that tuned encoder layers embeds the text itself, through them.
    let frozen = model.as_ref().filter(|m| m.tower.is_none());
    if let Some(record) = frozen.and_then(|m| m.card.embedding.as_ref()) {
        let cache = EmbeddingCache::default_dir().map(EmbeddingCache::new);
        let bar = embed_bar(table.n_rows(), &record.column)?;
        let done = embed_like(&mut table, record, encoder, cache.as_ref(), &mut |d, _| {
            bar.set_position(d as u64)
        })?;
        bar.finish_and_clear();
        if let Some(done) = done {
            eprintln!(
                "embedded '{}' ({} rows) with {} as the model was trained{}",
                record.column,
                done.rows,
                done.record.encoder.display(),
                if done.cached { ", from the cache" } else { "" }
            );
        }
    }
    let label = label
        .map(str::to_string)
        .or_else(|| model.as_ref().map(|m| m.card.label.clone()))
        .unwrap_or_else(|| "y".into());
    Ok((model, table, label))
}

/// Parses `--metric` (error_rate, accuracy, f1, macro_f1, mcc, recall).
pub fn parse_metric(s: &str) -> Result<slicelab::metrics::Metric, String> {
    slicelab::metrics::Metric::parse(s).ok_or_else(|| {
        let all: Vec<&str> = slicelab::metrics::Metric::ALL
            .iter()
            .map(|m| m.key())
            .collect();
        format!("unknown metric '{s}'; use {}", all.join(", "))
    })
}
