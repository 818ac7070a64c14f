//! The eframe app: owns the session, the loaded data, models and background jobs; draws the
//! panels and applies the commands they emit.

mod commands;
mod jobs;
mod persist;
mod training;

use std::path::PathBuf;

use crate::gui::Launch;
use crate::gui::analysis::{Analysis, Loaded, Predicted};
use crate::gui::command::Command;
use crate::gui::models::{Curves, ModelEntry, TrainingRun};
use crate::gui::state::{Session, SourceSpec, Tab};
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
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            launch: Launch::default(),
            home: None,
            restore: true,
            quick_epochs: 30,
            demo: crate::data::demo::Figure1::default(),
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
    /// Background jobs.
    pub jobs: Jobs,
    /// Slices suggested by the last search, best first.
    pub suggestions: Vec<crate::slices::suggest::Suggestion>,
    /// The open dialog (column roles), when shown.
    pub open_dialog: Option<OpenDialog>,
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
            jobs: Jobs::default(),
            open_dialog: None,
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
        };
        if let Some(w) = warning {
            app.fail(w);
        }
        let saved_models = std::mem::take(&mut session.models);
        app.session = session;
        if !saved_models.is_empty() {
            app.reload_models(saved_models);
        }
        match opts.launch {
            Launch {
                data: Some(path),
                label: Some(label),
                pred,
            } => app.commands.push(Command::Load(SourceSpec::File {
                path,
                label,
                pred,
                split_col: None,
                embed: None,
            })),
            Launch {
                data: Some(path), ..
            } => app.commands.push(Command::InspectData(path)),
            _ => {
                let source = app.session.source.clone();
                app.commands.push(Command::Load(source));
            }
        }
        app.apply_commands();
        app
    }

    /// Queues a command (used by tests and views).
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

    /// Whether any background job is running (for the spinner).
    pub fn busy(&self) -> Option<String> {
        self.jobs.describe()
    }

    /// The egui context (to wake the UI from background work).
    pub fn ctx_handle(&self) -> egui::Context {
        self.ctx.clone()
    }

    /// The current slice masks (empty before the first analysis), shared with background builds.
    pub fn masks(&self) -> std::sync::Arc<Vec<crate::slices::Bitmap>> {
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

    /// A function that wakes the UI from another thread.
    pub(crate) fn waker(&self) -> impl Fn() + Send + Sync + 'static {
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
        self.apply_commands();
        if self.training.is_some() || self.busy().is_some() {
            // Progress bars and spinners animate while jobs run.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut out = Vec::new();
        views::top_bar(ui, self, &mut out);
        views::status_bar(ui, self, &mut out);
        let mut v = std::mem::take(&mut self.session.views);
        egui::Panel::left("slices_panel")
            .resizable(true)
            .default_size(crate::gui::theme::SIDE_PANEL_WIDTH)
            .show(ui, |ui| v.slices.ui(ui, self, &mut out));
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                for tab in Tab::ALL {
                    ui.selectable_value(&mut self.session.tab, tab, tab.title());
                }
            });
            ui.separator();
            match self.session.tab {
                Tab::Errors => v.errors.ui(ui, self, &mut out),
                Tab::Map => v.map.ui(ui, self, &mut out),
                Tab::Indicators => v.indicators.ui(ui, self, &mut out),
                Tab::Train => v.train.ui(ui, self, &mut out),
                Tab::Compare => v.compare.ui(ui, self, &mut out),
            }
        });
        self.session.views = v;
        if let Some(mut dialog) = self.open_dialog.take()
            && dialog.ui(ui.ctx(), &mut out)
        {
            self.open_dialog = Some(dialog);
        }
        self.commands.extend(out);
        self.apply_commands();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.save_session(storage);
    }
}
