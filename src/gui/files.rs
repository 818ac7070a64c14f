//! Native file dialogs (on their own thread, so the UI keeps drawing) and what each picked file
//! turns into: a dataset, a slice set, a model, a session or an export.

use std::path::{Path, PathBuf};

use super::app::{FileOutcome, SlicelabApp};
use super::command::{Command, FilePurpose};
use super::jobs::Pending;
use super::models;
use super::state::Session;
use crate::experiments::markdown::{methods_csv, methods_table};
use crate::experiments::plot::{Bars, bar_chart};
use crate::safe_write::write_atomic;
use crate::slices::SliceSet;
use crate::summary::Report;

impl SlicelabApp {
    pub(super) fn pick_file(&mut self, purpose: FilePurpose) {
        if self.jobs.dialog.is_some() {
            return;
        }
        self.jobs.dialog = Some(Pending::spawn(
            "file-dialog",
            "choosing a file",
            self.waker(),
            move || (purpose, dialog(purpose)),
        ));
    }

    /// Acts on a file the user picked (also called directly by tests).
    pub fn picked(&mut self, purpose: FilePurpose, path: PathBuf) {
        let label = format!("{}", path.display());
        let work: Box<dyn FnOnce() -> FileOutcome + Send> = match purpose {
            FilePurpose::OpenData => return self.push(Command::InspectData(path)),
            FilePurpose::OpenModel => return self.reload_models(vec![path]),
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
