//! The Slices panel's editor: a name and an expression, checked in the background while you
//! type (size and coverage, or where the expression is wrong), added or saved as a slice.

use super::context::CheckKey;
use super::{ViewCtx, pct};
use crate::gui::analysis::PreviewResult;
use crate::gui::command::Command;
use crate::gui::theme;
use crate::slices::name::auto_name;
use crate::slices::{ExprError, SliceDef};

/// The editor's text and what it edits.
#[derive(Default)]
pub(super) struct Editor {
    name: String,
    expr: String,
    /// Index of the slice being edited; `None` adds a new one.
    editing: Option<usize>,
}

impl Editor {
    pub(super) fn start_edit(&mut self, i: usize, def: &SliceDef) {
        self.editing = Some(i);
        self.name.clone_from(&def.name);
        self.expr.clone_from(&def.expr);
    }

    fn clear(&mut self) {
        *self = Self::default();
    }

    pub(super) fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
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
                super::sql_editor::expression_editor(ui, &mut self.expr, cx, expr_label.id, out);
            });
        super::filter_builder::show(ui, cx, &mut self.expr, out);
        let name = self.effective_name(cx);
        let check = self.check(cx, &name, out);
        let expr = self.expr.trim();
        let sample = cx.aggregate.map(|a| a.sample.n_rows());
        let valid = !expr.is_empty() && show_result(ui, expr, check, sample);
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
        let data = (cx.data.map(|d| d.revision)).or(cx.aggregate.map(|a| a.revision))?;
        let expr = self.expr.trim();
        if expr.is_empty() {
            return None;
        }
        let key = CheckKey {
            name: name.to_string(),
            expr: expr.to_string(),
            data,
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
/// valid. Only called for a non-empty expression: an empty one shows nothing. In aggregate mode
/// (`sample`: the sample's rows) the check ran on the files' sample, so the files' own coverage
/// waits for a recount.
fn show_result(
    ui: &mut egui::Ui,
    expr: &str,
    check: Option<&PreviewResult>,
    sample: Option<usize>,
) -> bool {
    match check {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("checking…");
            });
            false
        }
        Some(PreviewResult::Ok { size, coverage }) => {
            let text = match sample {
                None => format!("✔ {size} rows match ({})", pct(*coverage)),
                Some(n) => format!(
                    "✔ compiles for DataFusion; {size} of {n} sampled rows match ({}); \
                     coverage after Recount",
                    pct(*coverage)
                ),
            };
            ui.colored_label(theme::GOOD, text);
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
