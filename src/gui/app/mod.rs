//! The eframe app, a thin controller: it owns the session, the loaded data, models and
//! background jobs. `logic` collects finished jobs and applies commands (the only place state
//! changes and work starts); `ui` hands the views a read-only [`ViewCtx`] and gathers the
//! commands they push.
//!
//! `commands.rs` applies commands, `jobs.rs` starts and collects background work, `training.rs`
//! runs training, `builds.rs` makes what views ask for (pictures, expression checks), and
//! `persist.rs` handles files: dialogs, sessions, models, exports.

mod aggregate;
mod builds;
mod commands;
mod jobs;
mod leaks;
mod persist;
mod training;

use std::path::PathBuf;

use crate::gui::Launch;
use crate::gui::analysis::{Analysis, Loaded, Predicted};
use crate::gui::command::Command;
use crate::gui::jobs::Debounce;
use crate::gui::models::{Curves, ModelEntry, TrainingRun};
use crate::gui::state::{Session, SourceSpec};
use crate::gui::views::context::{ViewBuilds, ViewCtx};
use crate::gui::views::errors::background::QueryKey;
use crate::gui::views::{self, OpenDialog};
use crate::gui::widgets::points;
use crate::slices::SliceSet;

pub use jobs::{FileOutcome, Jobs};
pub use persist::{export_chart, export_table, model_folder};

/// How the app starts.
pub struct AppOptions {
    /// What the command line asked to open.
    pub launch: Launch,
    /// Folder for saved models and the log (default: the user's data folder).
    pub home: Option<PathBuf>,
    /// Restore the last session from eframe's storage.
    pub restore: bool,
    /// Epochs of the quick Vanilla model trained when the demo opens.
    pub quick_epochs: usize,
    /// The embedded demo's generator settings (benchmarks use a larger one).
    pub demo: crate::data::demo::Figure1,
    /// Use slicelab's own file chooser instead of the system's (`SLICELAB_FILE_DIALOG=builtin`).
    pub builtin_file_dialog: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            launch: Launch::default(),
            home: None,
            restore: true,
            quick_epochs: 30,
            demo: crate::data::demo::Figure1::default(),
            builtin_file_dialog: std::env::var("SLICELAB_FILE_DIALOG")
                .is_ok_and(|v| v == "builtin"),
        }
    }
}

/// The slicelab desktop app.
pub struct SlicelabApp {
    /// What is persisted.
    pub session: Session,
    /// The loaded dataset.
    pub data: Option<Loaded>,
    /// The predictions under analysis.
    pub predicted: Option<Predicted>,
    /// Slices evaluated and scored.
    pub analysis: Option<Analysis>,
    /// Trained or opened models.
    pub models: Vec<ModelEntry>,
    /// Epoch curves of the latest training job.
    pub curves: Curves,
    /// The training job in flight.
    pub training: Option<TrainingRun>,
    /// Messages, newest last.
    pub log: Vec<String>,
    /// The last error, shown in a banner until dismissed.
    pub error: Option<String>,
    /// Notes and warnings about the loaded data, until dismissed.
    pub notices: Vec<crate::gui::notices::Notice>,
    /// Background jobs.
    pub jobs: Jobs,
    /// Slices suggested by the last search, best first.
    pub suggestions: Vec<crate::slices::suggest::Suggestion>,
    /// The open dialog (column roles), when shown.
    pub open_dialog: Option<OpenDialog>,
    /// Aggregate mode's counts, when in it (then `data` is `None`).
    pub aggregate: Option<crate::gui::aggregate::Aggregate>,
    /// The aggregate-mode dialog, when shown.
    pub aggregate_dialog: Option<crate::gui::views::AggregateDialog>,
    /// The files and session aggregate mode counted with, kept for Recount.
    aggregate_engine: Option<crate::gui::aggregate::Opened>,
    /// The files the aggregate dialog read last.
    dialog_opened: Option<crate::gui::aggregate::Opened>,
    /// slicelab's own file chooser, when shown (no system dialog, or asked for).
    pub path_dialog: Option<crate::gui::views::path_dialog::PathDialog>,
    /// Use slicelab's own file chooser instead of the system's.
    pub builtin_file_dialog: bool,
    /// Whether the keyboard shortcuts window is open.
    pub show_shortcuts: bool,
    /// Set once Quit asked the window to close.
    pub quitting: bool,
    /// Whether the wgpu point renderer is available.
    pub gpu_points: bool,
    undo: Vec<SliceSet>,
    generation: u64,
    ctx: egui::Context,
    home: PathBuf,
    quick_epochs: usize,
    demo: crate::data::demo::Figure1,
    quick_job: bool,
    commands: Vec<Command>,
    next_model_id: u64,
    /// The last number [`SlicelabApp::next_revision`] handed out.
    revision: u64,
    /// Changes whenever a model is added or removed (the Compare tab rebuilds its report).
    models_revision: u64,
    /// Changes whenever the slice set is edited or replaced (the editor's check is redone).
    slices_revision: u64,
    /// Pictures and checks the views asked for.
    builds: ViewBuilds,
    /// Holds a row search back while its text is being typed.
    row_search: Debounce<QueryKey>,
    /// The slice added (or found already there) last, and a revision for each time.
    new_slice: Option<(u64, String)>,
    /// Model-opening jobs still running.
    models_loading: usize,
    /// The saved model the restored session was analysing, until it is analysed again.
    restore_analysing: Option<PathBuf>,
    /// The label and prediction columns to count once a restored session's logs are read.
    restore_aggregate: Option<(String, Vec<String>)>,
    /// (model id, data revision) pairs whose features were ranked for the leak check.
    leak_checked: Vec<(u64, u64)>,
    /// Train the quick model once the data being loaded arrives (Leave out and retrain).
    retrain_on_load: bool,
}

impl SlicelabApp {
    /// Builds the app, restores the last session and starts loading its dataset.
    pub fn new(cc: &eframe::CreationContext<'_>, opts: AppOptions) -> Self {
        crate::gui::theme::install(&cc.egui_ctx);
        let gpu_points = cc.wgpu_render_state.as_ref().is_some_and(points::register);
        let home = opts.home.unwrap_or_else(default_home);
        let (mut session, warning) = if opts.restore {
            persist::restore(&home, cc.storage)
        } else {
            (Session::default(), None)
        };
        let mut app = Self {
            session: Session::default(),
            data: None,
            predicted: None,
            analysis: None,
            models: Vec::new(),
            curves: Curves::default(),
            training: None,
            log: Vec::new(),
            error: None,
            notices: Vec::new(),
            jobs: Jobs::default(),
            open_dialog: None,
            aggregate: None,
            aggregate_dialog: None,
            aggregate_engine: None,
            dialog_opened: None,
            path_dialog: None,
            builtin_file_dialog: opts.builtin_file_dialog,
            show_shortcuts: false,
            quitting: false,
            suggestions: Vec::new(),
            gpu_points,
            undo: Vec::new(),
            generation: 0,
            ctx: cc.egui_ctx.clone(),
            home,
            quick_epochs: opts.quick_epochs,
            demo: opts.demo,
            quick_job: false,
            commands: Vec::new(),
            next_model_id: 0,
            revision: 0,
            models_revision: 0,
            slices_revision: 0,
            builds: ViewBuilds::default(),
            row_search: Debounce::new(builds::ROW_SEARCH_QUIET),
            new_slice: None,
            models_loading: 0,
            restore_analysing: None,
            restore_aggregate: None,
            leak_checked: Vec::new(),
            retrain_on_load: false,
        };
        if let Some(w) = warning {
            app.fail(w);
        }
        let saved_models = std::mem::take(&mut session.models);
        app.restore_analysing = session.analysing.take();
        app.session = session;
        if !saved_models.is_empty() {
            app.reload_models(saved_models);
        }
        match opts.launch {
            Launch {
                data: Some(path),
                label: Some(label),
                pred,
            } => app
                .commands
                .push(Command::Load(SourceSpec::file(path, label, pred, None))),
            Launch {
                data: Some(path), ..
            } => app.commands.push(Command::InspectData(path)),
            _ => app.reopen(),
        }
        app.apply_commands();
        app
    }

    /// Queues a command, applied by the next frame's `logic` (used by tests).
    pub fn push(&mut self, c: Command) {
        self.commands.push(c);
    }

    /// Records an error: shown in the banner and kept in the log.
    pub fn fail(&mut self, message: impl Into<String>) {
        let m = message.into();
        self.log(format!("error: {m}"));
        self.error = Some(m);
    }

    /// Adds a line to the log.
    pub fn log(&mut self, line: impl Into<String>) {
        self.log.push(line.into());
        if self.log.len() > 500 {
            self.log.remove(0);
        }
    }

    /// What the background jobs are doing (for the status bar's spinner); `None` when idle.
    pub fn busy(&self) -> Option<String> {
        // A feature ranking runs for seconds on a large table and may be the leak check.
        (self.jobs.describe()).or_else(|| self.builds.importance.describe())
    }

    /// The current slice masks (empty before the first analysis), shared with background builds.
    fn masks(&self) -> std::sync::Arc<Vec<crate::slices::Bitmap>> {
        self.analysis
            .as_ref()
            .map(|a| a.masks.clone())
            .unwrap_or_default()
    }

    /// A number not handed out before, to mark a new dataset, predictions or model list.
    fn next_revision(&mut self) -> u64 {
        self.revision += 1;
        self.revision
    }

    /// Replaces the analysed predictions, marking them with a fresh revision.
    fn set_predicted(&mut self, predicted: Option<Predicted>) {
        self.predicted = predicted.map(|mut p| {
            p.revision = self.next_revision();
            p
        });
    }

    /// Marks the slice set as changed (after an edit, an undo, a new dataset or session).
    fn slices_changed(&mut self) {
        self.slices_revision = self.next_revision();
    }

    /// Marks the model list as changed.
    fn models_changed(&mut self) {
        self.models_revision = self.next_revision();
    }

    /// What the views may read this frame.
    fn view_ctx(&self) -> ViewCtx<'_> {
        ViewCtx {
            session: &self.session,
            data: self.data.as_ref(),
            aggregate: self.aggregate.as_ref(),
            aggregate_reading: self.jobs.aggregate_read.is_some(),
            aggregate_counting: self.jobs.counting(),
            predicted: self.predicted.as_ref(),
            analysis: self.analysis.as_ref(),
            models: &self.models,
            models_revision: self.models_revision,
            slices_revision: self.slices_revision,
            curves: &self.curves,
            training: self.training.as_ref(),
            log: &self.log,
            error: self.error.as_deref(),
            notices: &self.notices,
            busy: self.busy(),
            predicting: self.jobs.predict.is_some(),
            suggestions: &self.suggestions,
            suggesting: self.jobs.suggest.is_some(),
            can_undo: self.can_undo(),
            gpu_points: self.gpu_points,
            builds: &self.builds,
            new_slice: self.new_slice.as_ref().map(|(r, n)| (*r, n.as_str())),
        }
    }

    /// A function that wakes the UI from another thread.
    fn waker(&self) -> impl Fn() + Send + Sync + 'static {
        let ctx = self.ctx.clone();
        move || ctx.request_repaint()
    }
}

fn default_home() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("slicelab")
}

impl eframe::App for SlicelabApp {
    /// Collects finished background work and applies queued commands (those the views pushed
    /// last frame first): the only place the app's state changes and work starts.
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_jobs();
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.push(Command::InspectData(path));
        }
        for c in crate::gui::views::shortcuts::pressed(ctx) {
            self.push(c);
        }
        self.apply_commands();
        if self.training.is_some() || self.busy().is_some() {
            // Progress bars and spinners animate while jobs run.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Draws; views only read their [`ViewCtx`] and push commands, which the next frame's
    /// `logic` applies (a repaint is requested so that frame comes at once).
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        // The views' own settings live in the session; they are lent out while the views draw.
        let mut views = std::mem::take(&mut self.session.views);
        let mut tab = self.session.tab;
        let mut dialog = self.open_dialog.take();
        let mut chooser = self.path_dialog.take();
        let mut logs = self.aggregate_dialog.take();
        let mut out = Vec::new();
        let cx = self.view_ctx();
        views::top_bar(ui, &cx, &mut out);
        views::status_bar(ui, &cx, &mut out);
        egui::Panel::left("slices_panel")
            .resizable(true)
            .default_size(crate::gui::theme::SIDE_PANEL_WIDTH)
            .max_size(crate::gui::theme::SIDE_PANEL_MAX_WIDTH)
            .show(ui, |ui| views.slices.ui(ui, &cx, &mut out));
        egui::CentralPanel::default().show(ui, |ui| {
            views::main_area(ui, &mut tab, &mut views, &cx, &mut out)
        });
        if let Some(d) = &mut dialog
            && !d.ui(ui.ctx(), &mut out)
        {
            dialog = None;
        }
        if let Some(d) = &mut logs
            && !d.ui(ui.ctx(), &cx, &mut out)
        {
            logs = None;
        }
        if let Some(c) = &mut chooser
            && !c.ui(ui.ctx(), &mut out)
        {
            chooser = None;
        }
        (self.session.views, self.session.tab, self.open_dialog) = (views, tab, dialog);
        self.path_dialog = chooser;
        self.aggregate_dialog = logs;
        if self.show_shortcuts && !crate::gui::views::shortcuts::window(ui.ctx()) {
            out.push(Command::ShowShortcuts(false));
        }
        if !out.is_empty() {
            self.commands.extend(out);
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.save_session(storage);
    }
}
