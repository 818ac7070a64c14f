//! Files: native dialogs (on their own thread, so the UI keeps drawing) and what each picked
//! file turns into (a dataset, a slice set, a model, a session or an export); saving trained
//! models and reopening them; what finished file jobs change.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{FileOutcome, SlicelabApp};
use crate::experiments::markdown::{methods_csv, methods_table};
use crate::experiments::plot::{Bars, bar_chart};
use crate::gui::command::{Command, FilePurpose};
use crate::gui::jobs::Pending;
use crate::gui::models::{self, ModelEntry};
use crate::gui::state::Session;
use crate::safe_write::write_atomic;
use crate::slices::SliceSet;
use crate::summary::Report;

/// Key of the session in eframe's storage.
const STORAGE_KEY: &str = "slicelab-session";

/// The last session: the app's own file in `home`, else (for sessions saved before the app kept
/// its own file) eframe's store; the message says what went wrong on the way, for the banner.
pub(super) fn restore(
    home: &Path,
    storage: Option<&dyn eframe::Storage>,
) -> (Session, Option<String>) {
    let (own, warning) = Session::restore_home(home);
    let session = own
        .or_else(|| storage.and_then(|s| eframe::get_value(s, STORAGE_KEY)))
        .unwrap_or_default();
    (session, warning)
}

/// Where under the app's `models` folder quick models are saved: a model reopened from there is
/// a quick model again (named so, and not trained anew on the demo).
const QUICK_FOLDER: &str = "quick";

impl SlicelabApp {
    /// Writes the session (with the folders of saved models) to the app's own file and to
    /// eframe's store.
    pub(super) fn save_session(&mut self, storage: &mut dyn eframe::Storage) {
        self.session.models = self.models.iter().filter_map(|m| m.path.clone()).collect();
        self.session.analysing = self.analysed_model_folder();
        if let Err(e) = self.session.save_home(&self.home) {
            self.fail(format!("could not save the session: {e}"));
        }
        eframe::set_value(storage, STORAGE_KEY, &self.session);
    }

    pub(super) fn pick_file(&mut self, purpose: FilePurpose) {
        if self.jobs.dialog.is_some() || self.path_dialog.is_some() {
            return;
        }
        if self.builtin_file_dialog {
            return self.own_file_chooser(
                purpose,
                "slicelab's own chooser (SLICELAB_FILE_DIALOG=builtin).",
            );
        }
        self.jobs.dialog = Some(Pending::spawn(
            "file-dialog",
            "choosing a file",
            self.waker(),
            move || {
                let t = std::time::Instant::now();
                let picked = dialog(purpose);
                (purpose, picked, t.elapsed().as_secs_f64())
            },
        ));
    }

    /// Opens slicelab's own file chooser in the current folder, saying why in the log.
    pub(super) fn own_file_chooser(&mut self, purpose: FilePurpose, why: &str) {
        self.log(why.to_string());
        let dir = std::env::current_dir().unwrap_or_else(|_| self.home.clone());
        self.path_dialog = Some(crate::gui::views::path_dialog::PathDialog::new(
            purpose,
            &dir,
            why.to_string(),
        ));
    }

    /// Acts on a file the user picked (also called directly by tests).
    pub fn picked(&mut self, purpose: FilePurpose, path: PathBuf) {
        let label = format!("{}", path.display());
        let work: Box<dyn FnOnce() -> FileOutcome + Send> = match purpose {
            FilePurpose::OpenData => return self.push(Command::InspectData(path)),
            FilePurpose::OpenModel => return self.reload_models(vec![path]),
            FilePurpose::AggregateData => {
                if let Some(d) = &mut self.aggregate_dialog {
                    d.data = path.display().to_string();
                }
                return;
            }
            FilePurpose::OpenSlices => Box::new(move || match SliceSet::load(&path) {
                Ok(s) => FileOutcome::Slices(s),
                Err(e) => FileOutcome::Failed(e.to_string()),
            }),
            FilePurpose::SaveSlices => {
                let set = self.session.slices.clone();
                Box::new(move || outcome(set.save(&path).map_err(|e| e.to_string()), &path))
            }
            FilePurpose::SaveModel(id) => {
                let Some(m) = self.models.iter().find(|m| m.id == id) else {
                    return self.fail("that model was forgotten before it could be saved");
                };
                let (model, name) = (m.model.clone(), m.name.clone());
                Box::new(move || {
                    let dir = model_folder(&path, &name);
                    match model.save(&dir) {
                        Ok(()) => FileOutcome::Saved(vec![(id, dir)]),
                        Err(e) => FileOutcome::Failed(e.to_string()),
                    }
                })
            }
            FilePurpose::OpenSession => Box::new(move || match Session::open_file(&path) {
                Ok(s) => FileOutcome::Session(Box::new(s)),
                Err(e) => FileOutcome::Failed(e),
            }),
            FilePurpose::SaveSession => {
                self.session.models = self.models.iter().filter_map(|m| m.path.clone()).collect();
                self.session.analysing = self.analysed_model_folder();
                let text = serde_json::to_string_pretty(&self.session).map_err(|e| e.to_string());
                Box::new(move || {
                    outcome(
                        text.and_then(|t| {
                            write_atomic(&path, t.as_bytes()).map_err(|e| e.to_string())
                        }),
                        &path,
                    )
                })
            }
            FilePurpose::ExportTable => {
                let report = models::compare(&self.models);
                Box::new(move || outcome(export_table(&report, &path), &path))
            }
            FilePurpose::ExportChart => {
                let report = models::compare(&self.models);
                Box::new(move || outcome(export_chart(&report, &path), &path))
            }
        };
        self.jobs
            .files
            .push(Pending::spawn("file-writer", label, self.waker(), work));
    }

    /// Writes models to the app's model folder in the background, so a session never loses them.
    pub(super) fn save_models(&mut self, range: std::ops::Range<usize>) {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let items: Vec<(u64, String, Arc<crate::train::saved::TrainedModel>, PathBuf)> = self
            .models[range]
            .iter()
            .map(|m| {
                let folder = self.home.join("models");
                let folder = if m.quick {
                    folder.join(QUICK_FOLDER)
                } else {
                    folder
                };
                let dir = folder.join(format!(
                    "{stamp}-{}",
                    crate::slices::build::name_from(&m.name)
                ));
                (m.id, m.name.clone(), m.model.clone(), dir)
            })
            .collect();
        self.jobs.files.push(Pending::spawn(
            "saver",
            "saving models",
            self.waker(),
            move || {
                let mut saved = Vec::new();
                for (id, name, model, dir) in items {
                    if let Err(e) = model.save(&dir) {
                        return FileOutcome::Failed(format!("saving {name}: {e}"));
                    }
                    saved.push((id, dir));
                }
                FileOutcome::Saved(saved)
            },
        ));
    }

    /// The folder of the saved model under analysis, if it is one.
    fn analysed_model_folder(&self) -> Option<PathBuf> {
        let name = &self.predicted.as_ref()?.name;
        self.models.iter().find(|m| m.name == *name)?.path.clone()
    }

    pub(super) fn reload_models(&mut self, dirs: Vec<PathBuf>) {
        self.models_loading += 1;
        // Only the app's own quick folder: a model the user saved under some other `quick/`
        // folder stays an ordinary model.
        let quick_dir = self.home.join("models").join(QUICK_FOLDER);
        self.jobs.files.push(Pending::spawn(
            "model-loader",
            "opening models",
            self.waker(),
            move || {
                let mut ok = Vec::new();
                let mut failed = Vec::new();
                for dir in dirs {
                    let quick = dir.parent() == Some(quick_dir.as_path());
                    match crate::train::saved::TrainedModel::load(&dir, &candle_core::Device::Cpu) {
                        Ok(m) => ok.push(ModelEntry {
                            id: 0,
                            name: if quick {
                                format!("{} (quick)", models::model_name(&m.card))
                            } else {
                                models::model_name(&m.card)
                            },
                            model: Arc::new(m),
                            path: Some(dir),
                            quick,
                        }),
                        Err(e) => failed.push(format!("{}: {e}", dir.display())),
                    }
                }
                FileOutcome::Loaded(ok, failed)
            },
        ));
    }

    pub(super) fn file_done(&mut self, out: FileOutcome) {
        match out {
            FileOutcome::Message(m) => self.log(m),
            FileOutcome::Failed(m) => self.fail(m),
            FileOutcome::Saved(saved) => {
                for (id, dir) in saved {
                    // A model forgotten while it was being saved is simply not listed any more.
                    if let Some(m) = self.models.iter_mut().find(|m| m.id == id) {
                        m.path = Some(dir.clone());
                        let line = format!("saved {} to {}", m.name, dir.display());
                        self.log(line);
                    }
                }
            }
            FileOutcome::Loaded(models, failed) => {
                self.models_loading = self.models_loading.saturating_sub(1);
                for mut m in models {
                    m.name = self.unique_model_name(m.name);
                    self.add_model(m);
                }
                failed
                    .into_iter()
                    .for_each(|f| self.fail(format!("could not open model {f}")));
                if self.restore_analysing.is_some() {
                    self.choose_analysis();
                }
            }
            FileOutcome::Slices(set) => self.edit_slices(|s| *s = set),
            FileOutcome::Session(s) => {
                let dirs = s.models.clone();
                let source = s.source.clone();
                self.restore_analysing.clone_from(&s.analysing);
                let aggregate = s.aggregate.is_some();
                self.session = *s;
                self.slices_changed();
                self.reload_models(dirs);
                if aggregate {
                    self.reopen();
                } else {
                    self.load(source);
                }
            }
        }
    }
}

/// Where "Save…" writes a model when the user picked `picked`: the folder itself when it is new,
/// empty or already a model folder; otherwise a subfolder named after the model, so the user's
/// own files in the picked folder are never touched.
pub fn model_folder(picked: &Path, model_name: &str) -> PathBuf {
    let usable = crate::safe_write::check_owned(picked, &crate::train::saved::MODEL_DIR).is_ok();
    if usable {
        picked.to_path_buf()
    } else {
        picked.join(crate::slices::build::name_from(model_name))
    }
}

fn outcome(r: Result<(), String>, path: &Path) -> FileOutcome {
    match r {
        Ok(()) => FileOutcome::Message(format!("wrote {}", path.display())),
        Err(e) => FileOutcome::Failed(format!("{}: {e}", path.display())),
    }
}

fn dialog(purpose: FilePurpose) -> Option<PathBuf> {
    let d = rfd::FileDialog::new();
    match purpose {
        FilePurpose::OpenData => d
            .add_filter("data", &["csv", "gz", "parquet", "pq"])
            .set_title("Open a dataset")
            .pick_file(),
        FilePurpose::OpenSlices => d.add_filter("slice set", &["toml"]).pick_file(),
        FilePurpose::SaveSlices => d
            .add_filter("slice set", &["toml"])
            .set_file_name("slices.toml")
            .save_file(),
        FilePurpose::OpenModel => d.set_title("Open a slicelab model folder").pick_folder(),
        FilePurpose::AggregateData => d.set_title("A folder of Parquet or CSV logs").pick_folder(),
        FilePurpose::SaveModel(_) => d.set_title("Save the model into a folder").pick_folder(),
        FilePurpose::OpenSession => d.add_filter("session", &["json"]).pick_file(),
        FilePurpose::SaveSession => d
            .add_filter("session", &["json"])
            .set_file_name("session.json")
            .save_file(),
        FilePurpose::ExportTable => d
            .add_filter("CSV", &["csv"])
            .add_filter("Markdown", &["md"])
            .set_file_name("compare.csv")
            .save_file(),
        FilePurpose::ExportChart => d
            .add_filter("PNG", &["png"])
            .set_file_name("compare.png")
            .save_file(),
    }
}

/// Writes the Compare table as Markdown (`.md`) or CSV (anything else).
pub fn export_table(report: &Report, path: &Path) -> Result<(), String> {
    let text = if path.extension().is_some_and(|e| e == "md") {
        methods_table(report)
    } else {
        methods_csv(report)
    };
    write_atomic(path, text.as_bytes()).map_err(|e| e.to_string())
}

/// Writes the Compare chart (overall and per-slice F1 per method) as a PNG.
pub fn export_chart(report: &Report, path: &Path) -> Result<(), String> {
    if report.methods.is_empty() {
        return Err("no trained models to compare".into());
    }
    let names = report.slice_names();
    let mut groups = vec!["overall".to_string()];
    groups.extend(names.iter().map(|(n, _)| n.to_string()));
    // An undefined F1 is drawn as no bar (height 0); the table says `–`.
    let f1 = |s: Option<&crate::summary::MeanStd>| s.map_or(0.0, |m| m.mean);
    let series: Vec<Bars> = report
        .methods
        .iter()
        .map(|m| {
            let mut values = vec![f1(m.overall.f1.as_ref())];
            values.extend(
                names
                    .iter()
                    .map(|(n, _)| f1(m.slice(n).and_then(|x| x.scores.f1.as_ref()))),
            );
            Bars {
                label: m.label().to_string(),
                values,
            }
        })
        .collect();
    // plotters writes in place; render to a sibling and rename so a failure leaves no half file.
    let tmp = crate::safe_write::temp_sibling(path);
    let tmp = tmp.with_extension("png");
    bar_chart(
        &tmp,
        "F1 per slice (test, mean over seeds)",
        "F1",
        &groups,
        &series,
    )?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}
