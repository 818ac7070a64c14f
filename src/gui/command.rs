//! What views ask the app to do. Views push commands while they draw (`App::ui`); the app
//! applies them at the start of the next frame's `App::logic`, and asks for that frame at once.

use std::path::PathBuf;

use super::diff::DiffKey;
use super::state::SourceSpec;
use super::views::column_summary::SummaryKey;
use super::views::errors::background::{DistKey, QueryKey};
use super::views::indicator_scene::IndicatorKey;
use super::views::map_scene::SceneKey;
use crate::model::Method;
use crate::slices::SliceDef;
use crate::train::config::TrainConfig;

/// Which file a native dialog is picking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePurpose {
    /// A dataset to open.
    OpenData,
    /// A slice set (TOML) to open.
    OpenSlices,
    /// Where to save the slice set.
    SaveSlices,
    /// A model folder to open.
    OpenModel,
    /// Where to save the model with this [`ModelEntry::id`](crate::gui::models::ModelEntry::id).
    SaveModel(u64),
    /// A session file to open.
    OpenSession,
    /// Where to save the session.
    SaveSession,
    /// Where to export the Compare table (CSV or Markdown, by extension).
    ExportTable,
    /// Where to export the Compare chart (PNG).
    ExportChart,
    /// A folder of logs for aggregate mode (written into its dialog).
    AggregateData,
}

/// A training request from the Train view.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    /// Methods, in order.
    pub methods: Vec<Method>,
    /// Seeds.
    pub seeds: Vec<u64>,
    /// Shared settings.
    pub train: TrainConfig,
    /// Noise rate per slice name (the Indicators view's sliders); empty for none.
    pub noise: Vec<(String, f64)>,
}

/// A user intent.
#[derive(Debug, Clone)]
pub enum Command {
    /// Show a native file dialog.
    PickFile(FilePurpose),
    /// A path chosen in slicelab's own file chooser.
    Picked(FilePurpose, PathBuf),
    /// Show or hide the list of keyboard shortcuts.
    ShowShortcuts(bool),
    /// Close the window (the session is saved as on any close).
    Quit,
    /// Inspect a dataset file and ask for its column roles.
    InspectData(PathBuf),
    /// Inspect a dataset file again, reading its first row as a header or not and its fields
    /// separated as chosen.
    InspectDataAs(
        PathBuf,
        crate::data::HeaderMode,
        crate::data::dialect::Delimiter,
    ),
    /// Load a dataset with its roles.
    Load(SourceSpec),
    /// Add a slice.
    AddSlice(SliceDef),
    /// Replace slice `index`.
    EditSlice(usize, SliceDef),
    /// Delete slice `index`.
    DeleteSlice(usize),
    /// Copy slice `index` under a new name.
    DuplicateSlice(usize),
    /// Switch slice `index` on or off.
    ToggleSlice(usize, bool),
    /// Undo the last slice edit.
    Undo,
    /// Train.
    StartTraining(TrainRequest),
    /// Stop training at the next batch.
    StopTraining,
    /// Train a quick Vanilla model and analyse it (for data without predictions).
    TrainQuick,
    /// Analyse the predictions of model `index`.
    AnalyseModel(usize),
    /// Stop the prediction under way (a tuned text model takes minutes on a CPU).
    StopPredicting,
    /// Analyse the dataset's own prediction column.
    AnalyseColumn,
    /// Remove model `index` from the list.
    ForgetModel(usize),
    /// Select slice `name` (Errors and Map views follow it); `None` clears.
    SelectSlice(Option<String>),
    /// Add one slice per value of a column (values with at least this many rows).
    SlicePerValue(String, usize),
    /// Search for slices where the analysed predictions err most (SliceLine).
    SuggestSlices,
    /// Hide the error banner.
    DismissError,
    /// Remove notice `index` from the notices panel.
    DismissNotice(usize),
    /// Empty the notices panel.
    DismissNotices,
    /// Open the data again without a notice's columns as features (and train the quick model
    /// again, if it says so).
    LeaveOut(crate::gui::notices::NoticeAction),
    /// Rank the features of a model by permutation importance in the background (the
    /// Importance tab, and the leak check after a model is analysed).
    BuildImportance(super::importance::ImportanceKey),
    /// Check a slice expression in the background; the slice editor shows the answer (size and
    /// coverage, or where it is wrong) as you type. Ignored while another check runs: the
    /// editor asks again once it ends.
    CheckExpression {
        /// The slice's name.
        name: String,
        /// The expression.
        expr: String,
    },
    /// Build the Map tab's picture for these settings in the background.
    BuildMap(SceneKey),
    /// Build the Indicators tab's pictures in the background.
    BuildIndicators(IndicatorKey),
    /// Search and sort these rows (the selected slice's) in the background.
    QueryRows(QueryKey, std::sync::Arc<Vec<usize>>),
    /// Build the selected slice's feature distributions in the background.
    BuildDistributions(DistKey),
    /// Compare two models over the slices in the background (the Diff tab).
    CompareModels(DiffKey),
    /// Count a column's values and bin it in the background (filter builder, completion).
    SummariseColumn(SummaryKey),
    /// Show the aggregate-mode dialog (File → Open logs (aggregate mode)…).
    OpenAggregateDialog,
    /// Open files for aggregate mode and read their columns in the background.
    ReadAggregate {
        /// A file, folder or glob of Parquet or CSV files.
        data: String,
        /// DataFusion's memory limit as typed (`2GB`); empty for none.
        memory: String,
    },
    /// Count the current slices over the files read last, in the background; the app enters
    /// aggregate mode when the counts arrive.
    CountAggregate {
        /// The label column.
        label: String,
        /// The prediction columns, each counted against the label.
        preds: Vec<String>,
    },
    /// Count again with the current slices (aggregate mode).
    Recount,
    /// Stop reading or counting the files.
    CancelAggregate,
}
