//! What a view may read while it draws: a read-only snapshot of the app's state, built by the
//! app each frame (as rerun's viewer hands its views a `ViewerContext`). Views never see the app
//! itself; they change things only by pushing commands.

use std::sync::Arc;

use super::column_summary::{ColumnSummary, SummaryKey};
use super::errors::background::{DistKey, Distributions, QueryKey};
use super::indicator_scene::{IndicatorKey, IndicatorScenes};
use super::map_scene::{MapScene, SceneKey};
use crate::gui::aggregate::Aggregate;
use crate::gui::analysis::{Analysis, Loaded, Predicted, PreviewResult};
use crate::gui::diff::{DiffKey, DiffResult};
use crate::gui::importance::ImportanceResult;
use crate::gui::jobs::{Keyed, KeyedCache};
use crate::gui::models::{Curves, ModelEntry, TrainingRun};
use crate::gui::state::Session;
use crate::slices::suggest::Suggestion;

/// The app's state as the views see it, for one frame.
pub struct ViewCtx<'a> {
    /// The session. Its `views` are the views' own state, lent to them while they draw, so this
    /// copy holds defaults: a view reads its settings from `self`.
    pub session: &'a Session,
    /// The loaded dataset.
    pub data: Option<&'a Loaded>,
    /// Aggregate mode's counts (no rows); `None` outside aggregate mode.
    pub aggregate: Option<&'a Aggregate>,
    /// Whether the aggregate dialog's files are being opened.
    pub aggregate_reading: bool,
    /// The count under way (what, how far, seconds so far), if any.
    pub aggregate_counting: Option<String>,
    /// The predictions under analysis.
    pub predicted: Option<&'a Predicted>,
    /// Slices evaluated and scored (possibly for an older request while a newer one runs).
    pub analysis: Option<&'a Analysis>,
    /// Trained or opened models.
    pub models: &'a [ModelEntry],
    /// Changes whenever a model is added to or removed from `models`.
    pub models_revision: u64,
    /// Changes whenever the slice set is edited or replaced.
    pub slices_revision: u64,
    /// Epoch curves of the latest training job.
    pub curves: &'a Curves,
    /// The training job in flight.
    pub training: Option<&'a TrainingRun>,
    /// Messages, newest last.
    pub log: &'a [String],
    /// The last error, until dismissed.
    pub error: Option<&'a str>,
    /// Notes and warnings about the loaded data, until dismissed.
    pub notices: &'a [crate::gui::notices::Notice],
    /// What the background jobs are doing; `None` when idle.
    pub busy: Option<String>,
    /// Whether a model is predicting for analysis (the status bar offers to stop it).
    pub predicting: bool,
    /// Slices suggested by the last search, best first.
    pub suggestions: &'a [Suggestion],
    /// Whether a suggestion search is running.
    pub suggesting: bool,
    /// Whether a slice edit can be undone.
    pub can_undo: bool,
    /// Whether the wgpu point renderer is available.
    pub gpu_points: bool,
    /// Pictures and checks the views asked for.
    pub builds: &'a ViewBuilds,
    /// The slice added (or found already there) last, with a revision that changes each time:
    /// the slice list scrolls to it once.
    pub new_slice: Option<(u64, &'a str)>,
}

/// Background work the views ask for while drawing (with [`Command::BuildMap`],
/// [`Command::BuildIndicators`] and [`Command::CheckExpression`]): the app starts it in its
/// `logic` and collects it here; the views read it back through [`ViewCtx::builds`].
///
/// [`Command::BuildMap`]: crate::gui::command::Command::BuildMap
/// [`Command::BuildIndicators`]: crate::gui::command::Command::BuildIndicators
/// [`Command::CheckExpression`]: crate::gui::command::Command::CheckExpression
#[derive(Default)]
pub struct ViewBuilds {
    /// The Map tab's picture.
    pub map: Keyed<SceneKey, MapScene>,
    /// The Indicators tab's pictures.
    pub indicators: Keyed<IndicatorKey, IndicatorScenes>,
    /// The slice editor's check of its expression.
    pub check: Keyed<CheckKey, PreviewResult>,
    /// The Errors tab's rows of the selected slice, searched and sorted.
    pub rows: Keyed<QueryKey, Arc<Vec<usize>>>,
    /// The Errors tab's feature distributions of the selected slice.
    pub distributions: Keyed<DistKey, Arc<Distributions>>,
    /// The Diff tab's comparison of two models.
    pub diff: Keyed<DiffKey, Result<DiffResult, String>>,
    /// The Importance tab's ranking of a model's features (also the leak check's).
    pub importance: Keyed<crate::gui::importance::ImportanceKey, Result<ImportanceResult, String>>,
    /// Column summaries for the filter builder and completion (`None`: no such column).
    pub summaries: KeyedCache<SummaryKey, Option<Arc<ColumnSummary>>>,
}

/// What a slice editor check answers: an expression under a name, against one dataset and one
/// version of the slice set (other slices can be referenced by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckKey {
    /// The slice's name.
    pub name: String,
    /// The expression, trimmed.
    pub expr: String,
    /// [`Loaded::revision`] of the dataset, or [`Aggregate::revision`] in aggregate mode.
    pub data: u64,
    /// [`ViewCtx::slices_revision`] of the slice set.
    pub slices: u64,
}
