//! The Slices side panel: the slice list (swatch, name, expression, size, coverage, F1, on/off)
//! and the editor that checks an expression and shows its coverage while you type.

use serde::{Deserialize, Serialize};

use super::context::CheckKey;
use super::{ViewCtx, pct};
use crate::data::{Column, Split};
use crate::gui::analysis::PreviewResult;
use crate::gui::command::{Command, FilePurpose};
use crate::gui::theme;
use crate::gui::widgets::column_picker::ColumnPicker;
use crate::slices::name::auto_name;
use crate::slices::{ExprError, SliceDef};

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
}

#[derive(Default)]
struct Editor {
    name: String,
    expr: String,
    /// Index of the slice being edited; `None` adds a new one.
    editing: Option<usize>,
}

impl Default for SlicesPanel {
    fn default() -> Self {
        Self {
            per_value_column: String::new(),
            per_value_min: 30,
            editor: Editor::default(),
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
                if ui.selectable_label(selected, &def.name).clicked() {
                    out.push(Command::SelectSlice((!selected).then(|| def.name.clone())));
                }
                match stats {
                    Some(s) => ui.label(format!("{} rows · {}", s.size, pct(s.coverage))),
                    None => ui.weak("…"),
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

impl Editor {
    fn start_edit(&mut self, i: usize, def: &SliceDef) {
        self.editing = Some(i);
        self.name.clone_from(&def.name);
        self.expr.clone_from(&def.expr);
    }

    fn clear(&mut self) {
        *self = Self::default();
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        ui.strong(match self.editing {
            Some(_) => "Edit slice",
            None => "New slice",
        });
        let name_label = ui.label("Name");
        ui.add(egui::TextEdit::singleline(&mut self.name).hint_text("auto"))
            .labelled_by(name_label.id);
        let expr_label = ui.label("Expression");
        // A pasted long expression scrolls inside the editor instead of pushing the buttons away.
        egui::ScrollArea::vertical()
            .id_salt("expression_editor")
            .max_height(theme::EDITOR_MAX_HEIGHT)
            .show(ui, |ui| {
                super::sql_editor::expression_editor(ui, &mut self.expr, cx, expr_label.id);
            });
        super::filter_builder::show(ui, cx, &mut self.expr);
        let name = self.effective_name(cx);
        let check = self.check(cx, &name, out);
        let expr = self.expr.trim();
        let valid = !expr.is_empty() && show_result(ui, expr, check);
        let duplicate = cx
            .session
            .slices
            .slices
            .iter()
            .enumerate()
            .any(|(i, s)| s.name == name && Some(i) != self.editing);
        if duplicate {
            ui.colored_label(theme::BAD, format!("a slice named '{name}' already exists"));
        }
        ui.horizontal(|ui| {
            let label = if self.editing.is_some() {
                "Save slice"
            } else {
                "Add slice"
            };
            if ui
                .add_enabled(valid && !duplicate, egui::Button::new(label))
                .clicked()
            {
                let def = SliceDef::new(&name, self.expr.trim());
                out.push(match self.editing {
                    Some(i) => Command::EditSlice(i, def),
                    None => Command::AddSlice(def),
                });
                self.clear();
            }
            if ui.button("Clear").clicked() {
                self.clear();
            }
        });
        ui.collapsing("Expression help", |ui| {
            ui.label("SQL WHERE syntax over the columns: =, <>, <, >, BETWEEN a AND b, IN (..), LIKE, ILIKE, IS NULL, AND/OR/NOT, arithmetic.");
            ui.label("Functions: LENGTH(text), REGEXP_LIKE(text, 'pattern'), LOWER/UPPER. A bare 0/1 column is a slice; other slices can be referenced by name.");
        });
    }

    fn effective_name(&self, cx: &ViewCtx<'_>) -> String {
        let typed = self.name.trim();
        if !typed.is_empty() {
            return typed.to_string();
        }
        match self.editing.and_then(|i| cx.session.slices.slices.get(i)) {
            Some(s) => s.name.clone(),
            None => cx.session.slices.unique_name(&auto_name(&self.expr)),
        }
    }

    /// The check of the current text: asks the app for one (a command) unless it is known or a
    /// check is running; `None` until the answer is in, or while the expression is empty.
    fn check<'a>(
        &self,
        cx: &ViewCtx<'a>,
        name: &str,
        out: &mut Vec<Command>,
    ) -> Option<&'a PreviewResult> {
        let (data, expr) = (cx.data?, self.expr.trim());
        if expr.is_empty() {
            return None;
        }
        let key = CheckKey {
            name: name.to_string(),
            expr: expr.to_string(),
            data: data.revision,
            slices: cx.slices_revision,
        };
        let known = cx.builds.check.result_for(&key);
        if known.is_none() && cx.builds.check.building().is_none() {
            out.push(Command::CheckExpression {
                name: key.name,
                expr: key.expr,
            });
        }
        known
    }
}

/// Shows a check's result (a spinner while there is none yet); returns whether the text is
/// valid. Only called for a non-empty expression: an empty one shows nothing.
fn show_result(ui: &mut egui::Ui, expr: &str, check: Option<&PreviewResult>) -> bool {
    match check {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("checking…");
            });
            false
        }
        Some(PreviewResult::Ok { size, coverage }) => {
            ui.colored_label(
                theme::GOOD,
                format!("✔ {size} rows match ({})", pct(*coverage)),
            );
            true
        }
        Some(PreviewResult::Invalid(e)) => {
            show_error(ui, expr, e);
            false
        }
        Some(PreviewResult::Other(m)) => {
            ui.colored_label(theme::BAD, m);
            false
        }
    }
}

/// The expression with the offending span underlined in red, and the message.
fn show_error(ui: &mut egui::Ui, expr: &str, e: &ExprError) {
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let start = expr
        .char_indices()
        .nth(e.char_index(expr))
        .map_or(expr.len(), |(b, _)| b);
    let end = expr[start..]
        .char_indices()
        .nth(e.width)
        .map_or(expr.len(), |(b, _)| start + b);
    let mut job = egui::text::LayoutJob::default();
    let plain = egui::TextFormat::simple(mono.clone(), ui.visuals().text_color());
    let bad = egui::TextFormat {
        underline: egui::Stroke::new(2.0, theme::BAD),
        color: theme::BAD,
        ..egui::TextFormat::simple(mono, theme::BAD)
    };
    job.append(&expr[..start], 0.0, plain.clone());
    // An error past the end underlines a blank so the position stays visible.
    job.append(if start == end { " " } else { &expr[start..end] }, 0.0, bad);
    job.append(&expr[end..], 0.0, plain);
    ui.label(job);
    ui.colored_label(theme::BAD, format!("{}: {}", e.position(expr), e.message));
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
    ui.add(egui::Label::new(egui::RichText::new(shown).monospace().small()).truncate());
}
