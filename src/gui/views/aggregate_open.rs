//! The aggregate-mode dialog (File → Open logs (aggregate mode)…): the files (a file, a folder
//! or a glob of Parquet or CSV files), DataFusion's memory limit and "Read columns"; then the
//! label, the prediction columns (several models logged side by side) and "Count".

use super::ViewCtx;
use super::open::{LABEL_NAMES, PRED_NAMES};
use crate::data::ColumnKind;
use crate::gui::command::{Command, FilePurpose};
use crate::gui::theme;
use crate::gui::widgets::column_picker::ColumnPicker;

/// Height of the prediction columns' checklist before it scrolls.
const CHECKLIST_HEIGHT: f32 = 180.0;

/// The dialog's fields.
pub struct AggregateDialog {
    /// The file, folder or glob, as typed.
    pub data: String,
    /// DataFusion's memory limit, as typed (`2GB`); empty for none.
    pub memory: String,
    /// The columns read, with their kinds in the sample (empty until "Read columns").
    pub columns: Vec<(String, ColumnKind)>,
    /// What the columns were read from: the pattern and `3 files (1.25 GB)`.
    pub read: Option<(String, String)>,
    /// The label column.
    pub label: String,
    /// The prediction columns ticked, in the files' order.
    pub preds: Vec<String>,
    /// Narrows the prediction columns' checklist.
    pub filter: String,
    /// What went wrong last (no files match, a bad size, slices that do not compile, ...).
    pub error: Option<String>,
}

impl AggregateDialog {
    /// A dialog for `data` (the last aggregate source, or empty) with a 2 GB memory limit.
    pub fn new(data: String) -> Self {
        Self {
            data,
            memory: "2GB".into(),
            columns: Vec::new(),
            read: None,
            label: String::new(),
            preds: Vec::new(),
            filter: String::new(),
            error: None,
        }
    }

    /// Takes the columns read from `pattern` (`what`: files and size) and guesses the label and
    /// the prediction column by their names, as the open dialog does.
    pub fn columns_read(
        &mut self,
        pattern: &str,
        what: String,
        columns: Vec<(String, ColumnKind)>,
    ) {
        let find = |names: &[&str]| {
            names.iter().find_map(|n| {
                (columns.iter())
                    .find(|(c, _)| c.eq_ignore_ascii_case(n))
                    .map(|(c, _)| c.clone())
            })
        };
        self.label = find(&LABEL_NAMES)
            .or_else(|| columns.last().map(|(c, _)| c.clone()))
            .unwrap_or_default();
        self.preds = find(&PRED_NAMES).into_iter().collect();
        self.columns = columns;
        self.read = Some((pattern.to_string(), what));
        self.error = None;
    }

    /// Shows the dialog; returns whether it stays open.
    pub fn ui(&mut self, ctx: &egui::Context, cx: &ViewCtx<'_>, out: &mut Vec<Command>) -> bool {
        let mut keep = true;
        egui::Window::new("Open logs (aggregate mode)")
            .collapsible(false)
            .default_width(560.0)
            .show(ctx, |ui| {
                ui.label(
                    "DataFusion counts each slice's (label, prediction) pairs where the files \
                     are; the rows are never loaded.",
                );
                self.source_fields(ui, cx, out);
                if let Some(e) = &self.error {
                    ui.colored_label(theme::BAD, format!("⚠ {e}"));
                }
                if self.read.is_some() {
                    ui.separator();
                    self.roles(ui, cx, out);
                }
                ui.separator();
                if ui.button("Close").clicked() {
                    keep = false;
                }
            });
        keep
    }

    /// The files, the memory limit and "Read columns".
    fn source_fields(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        egui::Grid::new("aggregate_source")
            .num_columns(2)
            .show(ui, |ui| {
                let name = ui.label("Data (file, folder or glob)");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.data)
                            .hint_text("logs/*.parquet")
                            .desired_width(320.0),
                    )
                    .labelled_by(name.id);
                    if ui.button("Folder…").clicked() {
                        out.push(Command::PickFile(FilePurpose::AggregateData));
                    }
                });
                ui.end_row();
                let name = ui.label("Memory limit");
                ui.add(egui::TextEdit::singleline(&mut self.memory).desired_width(100.0))
                    .labelled_by(name.id)
                    .on_hover_text(
                        "DataFusion's memory pool, e.g. 512MB, 2GB, 1.5GiB; empty for none",
                    );
                ui.end_row();
            });
        ui.horizontal(|ui| {
            let idle = !cx.aggregate_reading && cx.aggregate_counting.is_none();
            let empty = self.data.trim().is_empty();
            if ui
                .add_enabled(idle && !empty, egui::Button::new("Read columns"))
                .clicked()
            {
                self.error = None;
                out.push(Command::ReadAggregate {
                    data: self.data.clone(),
                    memory: self.memory.clone(),
                });
            }
            if cx.aggregate_reading {
                ui.spinner();
                ui.label("reading the files' columns…");
                if ui.button("Cancel").clicked() {
                    out.push(Command::CancelAggregate);
                }
            }
        });
    }

    /// The label, the prediction columns and "Count".
    fn roles(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        let Some((pattern, what)) = self.read.clone() else {
            return;
        };
        ui.label(format!("{pattern}: {what}, {} columns", self.columns.len()));
        let stale = pattern.trim() != self.data.trim();
        if stale {
            ui.colored_label(theme::BAD, "The data changed: Read columns again.");
        }
        let label = ui.label("Label column");
        let columns = self.columns.clone();
        ColumnPicker::new("aggregate_label", &columns)
            .show(ui, &mut self.label)
            .labelled_by(label.id);
        self.preds.retain(|p| *p != self.label);
        ui.label("Prediction columns (each is counted against the label)");
        if columns.len() > 12 {
            let find = ui.label("Find column");
            ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(200.0))
                .labelled_by(find.id);
        }
        let needle = self.filter.to_lowercase();
        egui::ScrollArea::vertical()
            .id_salt("aggregate_preds")
            .max_height(CHECKLIST_HEIGHT)
            .show(ui, |ui| {
                for (name, _) in columns.iter().filter(|(n, _)| *n != self.label) {
                    if !name.to_lowercase().contains(&needle) {
                        continue;
                    }
                    let mut on = self.preds.contains(name);
                    if ui.checkbox(&mut on, name.as_str()).changed() {
                        self.preds.retain(|p| p != name);
                        if on {
                            self.preds.push(name.clone());
                        }
                    }
                }
            });
        // In the files' order, whatever order they were ticked in.
        self.preds
            .sort_by_key(|p| columns.iter().position(|(c, _)| c == p));
        let why_not = if stale {
            Some("read the columns of the data first")
        } else if self.preds.is_empty() {
            Some("tick at least one prediction column")
        } else {
            None
        };
        ui.horizontal(|ui| {
            let idle = cx.aggregate_counting.is_none() && !cx.aggregate_reading;
            let count = ui
                .add_enabled(idle && why_not.is_none(), egui::Button::new("Count"))
                .on_hover_text(format!(
                    "Counts the {} slices of the current set over every row of the files",
                    cx.session.active_slices().slices.len()
                ));
            if let Some(why) = why_not {
                count.on_disabled_hover_text(why);
                ui.weak(why);
            } else if count.clicked() {
                self.error = None;
                out.push(Command::CountAggregate {
                    label: self.label.clone(),
                    preds: self.preds.clone(),
                });
            }
            if let Some(text) = &cx.aggregate_counting {
                ui.spinner();
                ui.label(text);
                if ui.button("Cancel").clicked() {
                    out.push(Command::CancelAggregate);
                }
            }
        });
    }
}
