//! The Slices side panel: the slice list (swatch, name, expression, size, coverage, F1, on/off)
//! and the editor that checks an expression and shows its coverage while you type.

use serde::{Deserialize, Serialize};

use super::slice_editor::Editor;
use super::{ViewCtx, pct};
use crate::data::{Column, Split};
use crate::gui::command::{Command, FilePurpose};
use crate::gui::theme;
use crate::gui::widgets::column_picker::ColumnPicker;
use crate::gui::widgets::slice_name::slice_name;
use crate::slices::SliceDef;

/// The side panel.
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct SlicesPanel {
    /// Column for "one slice per value".
    pub per_value_column: String,
    /// Smallest value count that gets a slice.
    pub per_value_min: usize,
    #[serde(skip)]
    editor: Editor,
    /// The last [`ViewCtx::new_slice`] revision scrolled to (each new slice is scrolled to once).
    #[serde(skip)]
    scrolled_to: u64,
}

impl Default for SlicesPanel {
    fn default() -> Self {
        Self {
            per_value_column: String::new(),
            per_value_min: 30,
            editor: Editor::default(),
            scrolled_to: 0,
        }
    }
}

impl SlicesPanel {
    /// Draws the panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        ui.heading("Slices");
        ui.horizontal(|ui| {
            if ui
                .add_enabled(cx.can_undo, egui::Button::new("Undo"))
                .clicked()
            {
                out.push(Command::Undo);
            }
            if ui.button("Open…").clicked() {
                out.push(Command::PickFile(FilePurpose::OpenSlices));
            }
            if ui.button("Save…").clicked() {
                out.push(Command::PickFile(FilePurpose::SaveSlices));
            }
        });
        if let Some(e) = cx.analysis.and_then(|a| a.error.as_ref()) {
            ui.colored_label(theme::BAD, e);
        }
        egui::ScrollArea::vertical()
            .id_salt("slice_list")
            .max_height(ui.available_height() * 0.55)
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
            .show(ui, |ui| self.list(ui, cx, out));
        ui.separator();
        self.editor.ui(ui, cx, out);
        ui.separator();
        self.per_value(ui, cx, out);
        suggestions(ui, cx, out);
    }

    /// "One slice per value" of a column.
    fn per_value(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        let Some(data) = cx.data else { return };
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("One slice per value of");
            let columns: Vec<&Column> = (data.ds.table.columns.iter())
                .filter(|c| !data.ds.reserved.contains(&c.name))
                .collect();
            ColumnPicker::new("per_value_column", &columns)
                .show(ui, &mut self.per_value_column)
                .labelled_by(label.id);
            let min = ui.label("min rows");
            ui.add(egui::DragValue::new(&mut self.per_value_min).range(1..=1_000_000))
                .labelled_by(min.id);
            let ready = !self.per_value_column.is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("Add per value"))
                .clicked()
            {
                out.push(Command::SlicePerValue(
                    self.per_value_column.clone(),
                    self.per_value_min,
                ));
            }
        });
    }

    fn list(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        let set = &cx.session.slices;
        if set.slices.is_empty() {
            ui.weak(
                "No slices yet. Type an expression below, brush the Map, or click a heatmap cell.",
            );
        }
        let report = cx.analysis.and_then(|a| a.report(Split::Test));
        for (i, def) in set.slices.iter().enumerate() {
            let stats = cx
                .analysis
                .and_then(|a| a.stats.get(i))
                .filter(|s| s.name == def.name);
            let f1 = report
                .and_then(|r| r.rows.iter().find(|m| m.name == def.name))
                .and_then(|m| m.scores.f1);
            ui.horizontal(|ui| {
                let mut on = cx.session.enabled(&def.name);
                if ui
                    .checkbox(&mut on, "")
                    .on_hover_text("use this slice")
                    .changed()
                {
                    out.push(Command::ToggleSlice(i, on));
                }
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, theme::slice_color(i));
                let selected = cx.session.selected.as_deref() == Some(def.name.as_str());
                let name = slice_name(ui, egui::RichText::new(&def.name), selected);
                if name.clicked() {
                    out.push(Command::SelectSlice((!selected).then(|| def.name.clone())));
                }
                if let Some((revision, new)) = cx.new_slice
                    && new == def.name
                    && revision != self.scrolled_to
                {
                    name.scroll_to_me(Some(egui::Align::Center));
                    self.scrolled_to = revision;
                }
                // In aggregate mode the size comes from the last count (the same for every
                // prediction column); a slice added since has none until Recount.
                let counted = (cx.aggregate.and_then(|a| a.report(None)))
                    .and_then(|r| r.report.row(&def.name));
                let left_out = (cx.aggregate.into_iter())
                    .flat_map(|a| &a.skipped)
                    .find(|s| s.name == def.name);
                match (stats, counted) {
                    (Some(s), _) => ui.label(format!("{} rows · {}", s.size, pct(s.coverage))),
                    (None, Some(m)) => {
                        ui.label(format!("{} rows · {}", m.scores.support, pct(m.coverage)))
                    }
                    (None, None) if left_out.is_some() => ui
                        .colored_label(theme::BAD, "not counted")
                        .on_hover_text(left_out.map_or("", |s| s.reason.as_str())),
                    (None, None) if cx.aggregate.is_some() => ui.weak("size after Recount"),
                    (None, None) => ui.weak("…"),
                };
                slice_warnings(ui, cx, &def.name);
                if let Some(f1) = f1 {
                    ui.label(format!("F1 {f1:.3}"));
                }
            });
            ui.horizontal(|ui| {
                ui.add_space(20.0);
                expression_label(ui, &def.expr);
            });
            ui.horizontal(|ui| {
                ui.add_space(20.0);
                if ui.small_button("Edit").clicked() {
                    self.editor.start_edit(i, def);
                }
                if ui.small_button("Duplicate").clicked() {
                    out.push(Command::DuplicateSlice(i));
                }
                if ui.small_button("Delete").clicked() {
                    out.push(Command::DeleteSlice(i));
                }
            });
        }
    }
}

/// A warning marker after a slice whose results mislead (no rows, same rows as another, reads
/// the label), the reasons in its tooltip.
fn slice_warnings(ui: &mut egui::Ui, cx: &ViewCtx<'_>, name: &str) {
    let Some(analysis) = cx.analysis else {
        return;
    };
    let reasons: Vec<String> = analysis
        .warnings
        .iter()
        .filter(|w| w.slice() == name)
        .map(ToString::to_string)
        .collect();
    if !reasons.is_empty() {
        ui.colored_label(theme::BAD, "⚠ warning")
            .on_hover_text(reasons.join("\n"));
    }
}

/// Suggested slices (SliceLine search over the training rows): one click adds one as an SF.
fn suggestions(ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.strong("Suggested slices");
        let ready = cx.predicted.is_some() && !cx.suggesting;
        if ui.add_enabled(ready, egui::Button::new("Find slices")).on_hover_text("conjunctions of up to 3 feature values or bins with the highest error for their size").clicked() {
            out.push(Command::SuggestSlices);
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("suggestions")
        .show(ui, |ui| {
            for s in cx.suggestions {
                ui.horizontal(|ui| {
                    if ui.small_button("Add").clicked() {
                        let name = cx.session.slices.unique_name(&s.name);
                        out.push(Command::AddSlice(SliceDef::new(&name, &s.expr)));
                    }
                    ui.label(format!(
                        "{:.2} · {} rows · {} wrong",
                        s.score,
                        s.size,
                        pct(s.error_rate)
                    ));
                });
                expression_label(ui, &s.expr);
            }
        });
}

/// Characters of an expression laid out in the list; the rest is elided.
const SHOWN_CHARS: usize = 240;

/// A one-line expression, cut before layout: egui lays out a label's whole text every frame
/// even when it truncates it, and a pasted 100,000-term expression would stall the UI.
fn expression_label(ui: &mut egui::Ui, expr: &str) {
    let shown = match expr.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}… ({} characters)", &expr[..cut], expr.chars().count()),
        None => expr.to_string(),
    };
    let font = theme::expression_font(ui.style());
    ui.add(egui::Label::new(egui::RichText::new(shown).font(font)).truncate());
}
