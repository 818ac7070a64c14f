//! The app's side of [`crate::analysis`]: loading what the session's source names, and errors as
//! text for the status bar. The work itself is in the library.

use std::sync::Arc;
use std::time::Instant;

use super::jobs::Progress;
use super::state::SourceSpec;
use crate::analysis::{FileRoles, numeric_axes, open_file, projection};
use crate::data::Dataset;
use crate::data::demo::Figure1;
use crate::data::leakage::{Advice, WarningGroup, column_warnings, warning_groups};
use crate::slices::SliceSet;
use crate::slices::columns::feature_plan;
use crate::text::EmbedSpec;
use crate::train::saved::{TrainedModel, Watch};

/// The feature plan of `ds` (its SF columns as slices) as lines for the log, then the column
/// warnings, as lines too and grouped with the columns each names.
fn feature_lines(ds: &Dataset) -> (Vec<String>, Vec<WarningGroup>) {
    let plan = feature_plan(ds, &SliceSet::from_sf_columns(&ds.table));
    let warnings = warning_groups(&column_warnings(ds, &plan.columns()), Advice::App);
    let mut lines = plan.summary();
    lines.extend(warnings.iter().map(|w| format!("warning: {}", w.line)));
    (lines, warnings)
}

pub use crate::analysis::{Analysis, Predicted, PreviewResult, analyse, from_column, preview};

/// A dataset ready to show.
pub struct Loaded {
    /// Where it came from.
    pub source: SourceSpec,
    /// The data.
    pub ds: Arc<Dataset>,
    /// Numeric columns usable as map axes (not label, predictions or split).
    pub numeric: Vec<String>,
    /// PCA projection of every row's feature vector.
    pub pca: Arc<Vec<[f32; 2]>>,
    /// Time to load and project.
    pub secs: f64,
    /// Which columns became features (and why the others did not), then `warning:` lines on
    /// leaking and identifier columns, for the log.
    pub feature_lines: Vec<String>,
    /// The column warnings with the columns each names, for the notices panel.
    pub warnings: Vec<WarningGroup>,
    /// Which load this is: set by the app when the data arrives, so views and background
    /// builds can tell datasets apart (0 until then).
    pub revision: u64,
}

/// Loads `source` (the demo as `demo` describes it) and projects it for the Map view.
pub fn load(source: &SourceSpec, demo: &Figure1, progress: &Progress) -> Result<Loaded, String> {
    let start = Instant::now();
    // Embedding columns are features, but 384 of them would swamp the map's axis lists.
    let (ds, hidden_axes) = match source {
        SourceSpec::Demo => (demo.dataset(), Vec::new()),
        SourceSpec::File {
            path,
            label,
            pred,
            split_col,
            embed,
            header,
            delimiter,
            types,
            ignore,
        } => {
            let roles = FileRoles {
                path,
                label,
                pred: pred.as_deref(),
                split_col: split_col.as_deref(),
                header: *header,
                delimiter: *delimiter,
                types,
                ignore,
            };
            let embed = embed.as_ref().map(|c| EmbedSpec {
                column: c.column.clone(),
                encoder: c.encoder.clone(),
            });
            let opened = open_file(
                roles,
                embed.as_ref(),
                &mut |text| progress.set(text),
                progress.cancel_flag(),
            )
            .map_err(|e| e.to_string())?;
            (opened.ds, opened.embedded)
        }
    };
    let numeric = numeric_axes(&ds, &hidden_axes);
    let pca = projection(&ds).map_err(|e| e.to_string())?;
    let (feature_lines, warnings) = feature_lines(&ds);
    Ok(Loaded {
        feature_lines,
        warnings,
        source: source.clone(),
        ds: Arc::new(ds),
        numeric,
        pca: Arc::new(pca),
        secs: start.elapsed().as_secs_f64(),
        revision: 0,
    })
}

/// Runs `model` over every row of `ds`; the error as text for the status bar.
pub fn predict(model: &TrainedModel, ds: &Dataset, name: &str) -> Result<Predicted, String> {
    crate::analysis::predict(model, ds, name).map_err(|e| e.to_string())
}

/// [`predict`] on a background job: a tuned text model's progress goes to the status bar, and
/// the job stops when its [`Progress`] is cancelled (Stop, or a newer prediction).
pub fn predict_reporting(
    model: &TrainedModel,
    ds: &Dataset,
    name: &str,
    progress: &Progress,
) -> Result<Predicted, String> {
    let mut report = |done: usize, total: usize| {
        progress.set(format!("{done} of {total} texts through the tuned encoder"));
    };
    let mut watch = Watch {
        progress: &mut report,
        cancel: progress.cancel_flag(),
    };
    crate::analysis::predict_watched(model, ds, name, &mut watch).map_err(|e| e.to_string())
}
