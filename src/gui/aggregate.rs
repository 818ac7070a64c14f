//! Aggregate mode: per-slice confusion counts computed by DataFusion over files that stay on
//! disk (the `engine` feature), for the Errors and Compare tabs. Only counts come back, so the
//! views that need rows (the row inspector, distributions, Map, Indicators, Train, Diff) say
//! why they are off instead.
//!
//! The work runs on the app's background threads: [`read_source`] opens the files and reads a
//! typed sample, [`count`] runs the counts query once per prediction column.

use std::sync::Arc;

use crate::analysis::PreviewResult;
use crate::data::Table;
use crate::gui::jobs::Progress;
use crate::metrics::report::SplitReport;
use crate::slices::{SliceDef, SliceError, SliceSet};
use crate::sql::{Dialect, Skipped, SqlError, countable, slice_conditions};

/// Why the Map is off in aggregate mode.
pub const MAP_OFF: &str =
    "The Map draws every row; in aggregate mode only counts come back from the engine.";
/// Why the row inspector and distributions are off in aggregate mode.
pub const ROWS_OFF: &str = "Aggregate mode: the rows stay in the files; DataFusion returned only \
     per-slice counts. The row inspector and feature distributions need the table in memory \
     (File → Open dataset…, e.g. on a sample).";
/// Why the Indicators tab is off in aggregate mode.
pub const INDICATORS_OFF: &str = "The Indicators draw an SBL model's output on every row; in \
     aggregate mode only counts come back from the engine.";
/// Why the Train tab is off in aggregate mode.
pub const TRAIN_OFF: &str = "Training reads every row; in aggregate mode the rows stay in the \
     files and only counts come back from the engine (File → Open dataset… to train).";
/// Why the Diff tab is off in aggregate mode.
pub const DIFF_OFF: &str = "The Diff compares two models row by row; in aggregate mode only \
     counts come back from the engine (Compare shows the prediction columns side by side).";
/// Why the Importance tab is off in aggregate mode.
pub const IMPORTANCE_OFF: &str = "Importance shuffles a model's inputs row by row; in aggregate \
     mode the rows stay in the files and only counts come back from the engine.";
/// What a build without the engine says.
pub const NO_ENGINE: &str = "this build has no engine: cargo build --release --features engine";

/// The open DataFusion session (shared with the counting thread).
#[cfg(feature = "engine")]
pub type EngineHandle = Arc<crate::engine::Engine>;

/// Without the `engine` feature there is never a session ([`read_source`] says why).
#[cfg(not(feature = "engine"))]
#[derive(Clone)]
pub struct EngineHandle(());

/// Files opened by "Read columns": the session over them and a typed sample.
#[derive(Clone)]
pub struct Opened {
    /// The file, folder or glob as typed.
    pub pattern: String,
    /// How many files it matched.
    pub files: usize,
    /// Their total size on disk.
    pub bytes: u64,
    /// DataFusion's memory limit, in bytes.
    pub memory_limit: Option<usize>,
    /// The column names, in the files' order.
    pub columns: Vec<String>,
    /// The first rows, typed as a loaded file's: they decide how each slice compiles.
    pub sample: Arc<Table>,
    /// The session.
    pub engine: EngineHandle,
}

impl Opened {
    /// `3 files (1.25 GB)`.
    pub fn describe(&self) -> String {
        files_text(self.files, self.bytes)
    }

    /// The status bar's text while counting.
    pub fn counting_label(&self) -> String {
        format!("counting with DataFusion over {}…", self.describe())
    }
}

/// `1 file (2.1 MB)`, `12 files (3.40 GB)`.
pub fn files_text(files: usize, bytes: u64) -> String {
    let s = if files == 1 { "" } else { "s" };
    let size = if bytes >= 100_000_000 {
        format!("{:.2} GB", bytes as f64 / 1e9)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    };
    format!("{files} file{s} ({size})")
}

/// One prediction column's per-slice report.
pub struct ColumnReport {
    /// The prediction column.
    pub pred: String,
    /// `overall` and every slice, as the Errors tab shows them.
    pub report: SplitReport,
    /// Seconds the query took.
    pub secs: f64,
}

/// What a count produced, with the session it ran on (kept for Recount).
pub struct Counted {
    /// The files and their session.
    pub opened: Opened,
    /// The label column.
    pub label: String,
    /// One report per prediction column, in the order asked.
    pub reports: Vec<ColumnReport>,
    /// The slices asked for (those switched on).
    pub slices: SliceSet,
    /// The slices among them that could not be counted, and why.
    pub skipped: Vec<Skipped>,
    /// Seconds for every column.
    pub secs: f64,
}

/// Aggregate mode's state: what was counted and the reports (no rows).
pub struct Aggregate {
    /// The file, folder or glob as typed.
    pub pattern: String,
    /// How many files it matched.
    pub files: usize,
    /// Their total size on disk.
    pub bytes: u64,
    /// DataFusion's memory limit, in bytes.
    pub memory_limit: Option<usize>,
    /// The label column.
    pub label: String,
    /// The typed sample the slices compile against.
    pub sample: Arc<Table>,
    /// One report per prediction column.
    pub reports: Vec<ColumnReport>,
    /// Seconds the last count took (every column).
    pub secs: f64,
    /// The slices asked for (those switched on then).
    pub slices: SliceSet,
    /// The slices among them that could not be counted on these files, and why.
    pub skipped: Vec<Skipped>,
    /// Which count this is (the slice editor's checks are keyed by it).
    pub revision: u64,
}

impl Aggregate {
    /// Aggregate mode from a finished count, `revision` marking it, and the session it ran on
    /// (kept by the app for Recount).
    pub fn new(c: Counted, revision: u64) -> (Self, Opened) {
        let me = Self {
            pattern: c.opened.pattern.clone(),
            files: c.opened.files,
            bytes: c.opened.bytes,
            memory_limit: c.opened.memory_limit,
            label: c.label,
            sample: c.opened.sample.clone(),
            reports: c.reports,
            secs: c.secs,
            slices: c.slices,
            skipped: c.skipped,
            revision,
        };
        (me, c.opened)
    }

    /// Whether the slices switched on in `session` differ from those counted (Recount is due).
    pub fn stale(&self, session: &crate::gui::state::Session) -> bool {
        let on = (session.slices.slices.iter()).filter(|s| session.enabled(&s.name));
        !on.eq(self.slices.slices.iter())
    }

    /// The prediction columns, in order.
    pub fn preds(&self) -> Vec<String> {
        self.reports.iter().map(|r| r.pred.clone()).collect()
    }

    /// The report of prediction column `pred`, else the first.
    pub fn report(&self, pred: Option<&str>) -> Option<&ColumnReport> {
        let named = pred.and_then(|p| self.reports.iter().find(|r| r.pred == p));
        named.or(self.reports.first())
    }

    /// One line: what was counted, where and how long it took.
    pub fn describe(&self) -> String {
        let limit = self
            .memory_limit
            .map_or("no memory limit".to_string(), |b| {
                format!("memory limit {:.2} GB", b as f64 / 1e9)
            });
        format!(
            "Aggregate mode · {} · {} · label {} · counted by DataFusion in {:.2} s ({limit})",
            self.pattern,
            files_text(self.files, self.bytes),
            self.label,
            self.secs
        )
    }
}

/// Resolves `pattern`, opens a DataFusion session under `memory` (a size such as `2GB`; empty
/// for none) and reads its columns and a typed sample (runs on a background thread).
#[cfg(feature = "engine")]
pub fn read_source(pattern: &str, memory: &str) -> Result<Opened, String> {
    use crate::engine::{Engine, SAMPLE_ROWS, Source, parse_size};
    let memory = memory.trim();
    let memory_limit = if memory.is_empty() {
        None
    } else {
        Some(parse_size(memory).map_err(|_| {
            format!("memory limit '{memory}': not a size (e.g. 512MB, 2GB, 1.5GiB)")
        })?)
    };
    let source = Source::resolve(pattern.trim()).map_err(|e| e.to_string())?;
    let (files, bytes) = (source.files.len(), source.bytes);
    let engine = Engine::open(source, memory_limit).map_err(|e| e.to_string())?;
    let columns = engine.columns().map_err(|e| e.to_string())?;
    let sample = engine.sample(SAMPLE_ROWS).map_err(|e| e.to_string())?;
    let opened = Opened {
        pattern: pattern.trim().to_string(),
        files,
        bytes,
        memory_limit,
        columns,
        sample: Arc::new(sample),
        engine: Arc::new(engine),
    };
    Ok(opened)
}

/// Without the engine: says how to get it.
#[cfg(not(feature = "engine"))]
pub fn read_source(_pattern: &str, _memory: &str) -> Result<Opened, String> {
    Err(NO_ENGINE.to_string())
}

/// Counts `set` over `opened` for each of `preds` against `label`, one scan per column; stops
/// when the job is cancelled (runs on a background thread).
#[cfg(feature = "engine")]
pub fn count(
    opened: &Opened,
    set: &SliceSet,
    label: &str,
    preds: &[String],
    progress: &Progress,
) -> Result<Vec<ColumnReport>, String> {
    let mut out = Vec::with_capacity(preds.len());
    for (i, pred) in preds.iter().enumerate() {
        progress.set(format!("column {pred}, {} of {}", i + 1, preds.len()));
        let cancel = Some(progress.cancel_flag());
        let run = (opened.engine)
            .counts(set, &opened.sample, label, pred, cancel)
            .map_err(|e| e.to_string())?;
        let report = run
            .counts
            .confusions(None)
            .map_err(|e| e.to_string())?
            .report(None);
        out.push(ColumnReport {
            pred: pred.clone(),
            report,
            secs: run.elapsed.as_secs_f64(),
        });
    }
    Ok(out)
}

/// Without the engine there is no session to count with.
#[cfg(not(feature = "engine"))]
pub fn count(
    _opened: &Opened,
    _set: &SliceSet,
    _label: &str,
    _preds: &[String],
    _progress: &Progress,
) -> Result<Vec<ColumnReport>, String> {
    Err(NO_ENGINE.to_string())
}

/// Checks slice `expr` named `name` beside `set` in aggregate mode: it must compile against the
/// typed `sample` and translate to DataFusion SQL. The size and coverage are the sample's.
pub fn preview_sample(sample: &Table, set: &SliceSet, name: &str, expr: &str) -> PreviewResult {
    let others = SliceSet {
        slices: (set.slices.iter())
            .filter(|s| s.name != name)
            .cloned()
            .collect(),
    };
    // Other slices that cannot be counted here are left out of counts; they must not block
    // this one's check (one built on them is then named as referring to an unknown name).
    let mut trial = match countable(&others, sample, Dialect::DataFusion) {
        Ok((kept, _)) => kept,
        Err(e) => return PreviewResult::Other(e.to_string()),
    };
    trial.slices.push(SliceDef::new(name, expr));
    let sized = match trial.evaluate(sample) {
        Ok(ev) => {
            let size = ev.masks.last().map_or(0, crate::slices::Bitmap::count);
            PreviewResult::Ok {
                size,
                coverage: size as f64 / sample.n_rows().max(1) as f64,
            }
        }
        Err(SliceError::Expr { name: n, error, .. }) if n == name => {
            return PreviewResult::Invalid(error);
        }
        Err(e) => return PreviewResult::Other(e.to_string()),
    };
    match slice_conditions(&trial, sample, Dialect::DataFusion) {
        Ok(_) => sized,
        Err(SqlError::Slices(SliceError::Expr { name: n, error, .. })) if n == name => {
            PreviewResult::Invalid(error)
        }
        Err(e) => PreviewResult::Other(e.to_string()),
    }
}
