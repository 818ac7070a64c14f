//! The Diff tab: two models on the same slices. Their scores side by side for all rows and every
//! slice, and for the chosen slice the rows where their predictions differ, with who was right.
//! The numbers come from [`crate::gui::diff`], computed off the UI thread once per pair when the
//! tab asks with [`Command::CompareModels`].

use serde::{Deserialize, Serialize};

use super::ViewCtx;
use crate::gui::command::Command;
use crate::gui::diff::{DiffResult, key_for};
use crate::gui::models::ModelEntry;
use crate::gui::theme;
use crate::metrics::diff::{DiffRow, RightOne};
use crate::metrics::text::{num, signed};

/// Height of the disagreement list before it scrolls.
const LIST_HEIGHT: f32 = 260.0;

/// The Diff tab.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelDiffView {
    /// Model A's name.
    pub a: Option<String>,
    /// Model B's name.
    pub b: Option<String>,
    /// The slice whose disagreements are listed (`overall` when none).
    pub slice: Option<String>,
}

impl ModelDiffView {
    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        ui.heading("Two models on one slice");
        // Only models that read this dataset's columns are offered, so none errs by default.
        let models: Vec<&ModelEntry> = (cx.models.iter())
            .filter(|m| cx.data.is_some_and(|d| m.fits(&d.ds)))
            .collect();
        if models.len() < 2 {
            let apart = cx.models.len() - models.len();
            ui.weak(match apart {
                0 => "Train or open two models to compare them here.".to_string(),
                n => format!(
                    "Train or open two models of this dataset to compare them here ({n} \
                     trained on other columns are left out)."
                ),
            });
            return;
        }
        ui.horizontal(|ui| {
            pick(ui, "Model A", &mut self.a, &models, 0);
            // B starts as the first model of another method (two runs of one method and seed
            // are the same model).
            let a = models.iter().find(|m| Some(&m.name) == self.a.as_ref());
            let other = (models.iter())
                .position(|m| a.is_some_and(|a| a.method() != m.method()))
                .unwrap_or(1);
            pick(ui, "Model B", &mut self.b, &models, other);
        });
        let find =
            |n: &Option<String>| models.iter().copied().find(|m| Some(&m.name) == n.as_ref());
        let (Some(a), Some(b), Some(data), Some(analysis)) =
            (find(&self.a), find(&self.b), cx.data, cx.analysis)
        else {
            ui.weak("waiting for the data and its slices…");
            return;
        };
        if a.id == b.id {
            ui.colored_label(theme::BAD, "pick two different models");
            return;
        }
        let key = key_for(a, b, data, analysis.generation);
        let diff = &cx.builds.diff;
        if diff.wants(&key) {
            out.push(Command::CompareModels(key.clone()));
        }
        let running = diff.building().is_some();
        match diff.result_for(&key) {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.weak("comparing the two models…");
                });
            }
            Some(Err(e)) => {
                ui.colored_label(theme::BAD, e);
            }
            Some(Ok(r)) => {
                let default = cx.session.selected.clone();
                let slice = self.slice.clone().or(default);
                if let Some(s) = show(ui, r, slice.as_deref()) {
                    self.slice = Some(s);
                }
                if running {
                    ui.weak("updating…");
                }
            }
        }
    }
}

/// A model chooser; an empty choice takes the `nth` model.
fn pick(
    ui: &mut egui::Ui,
    label: &str,
    choice: &mut Option<String>,
    models: &[&ModelEntry],
    nth: usize,
) {
    if !choice
        .as_ref()
        .is_some_and(|c| models.iter().any(|m| &m.name == c))
    {
        *choice = models.get(nth).map(|m| m.name.clone());
    }
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(choice.clone().unwrap_or_default())
        .show_ui(ui, |ui| {
            for m in models {
                ui.selectable_value(choice, Some(m.name.clone()), &m.name);
            }
        })
        .response
        .labelled_by(l.id);
}

/// The table and the chosen slice's disagreements; returns a slice the user clicked.
fn show(ui: &mut egui::Ui, r: &DiffResult, slice: Option<&str>) -> Option<String> {
    let (na, nb) = (&r.names.0, &r.names.1);
    ui.label(format!(
        "A = {na}, B = {nb}; scored over the {}",
        r.rows_word
    ));
    let chosen = (r.rows.iter())
        .position(|row| Some(row.name.as_str()) == slice)
        .unwrap_or(0);
    let mut clicked = None;
    egui::ScrollArea::both()
        .id_salt("diff_table")
        .max_height(ui.available_height() * 0.45)
        .show(ui, |ui| {
            egui::Grid::new("diff_grid").striped(true).show(ui, |ui| {
                let heads = [
                    "Slice",
                    "Rows",
                    "Acc A",
                    "Acc B",
                    "Δ Acc",
                    "F1 A",
                    "F1 B",
                    "Δ F1",
                    "A right, B wrong",
                    "B right, A wrong",
                    "Both wrong",
                ];
                for h in heads {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, row) in r.rows.iter().enumerate() {
                    if ui.selectable_label(i == chosen, &row.name).clicked() {
                        clicked = Some(row.name.clone());
                    }
                    cells(ui, row);
                    ui.end_row();
                }
            });
        });
    ui.separator();
    if let (Some(row), Some(list)) = (r.rows.get(chosen), r.disagreements.get(chosen)) {
        disagreements(ui, r, row, list);
    }
    clicked
}

fn cells(ui: &mut egui::Ui, row: &DiffRow) {
    ui.label(row.support.to_string());
    ui.label(num(row.a.accuracy));
    ui.label(num(row.b.accuracy));
    ui.label(signed(row.accuracy_diff()));
    ui.label(num(row.a.f1));
    ui.label(num(row.b.f1));
    ui.label(signed(row.f1_diff()));
    ui.label(row.agreement.a_only.to_string());
    ui.label(row.agreement.b_only.to_string());
    ui.label(row.agreement.both_wrong.to_string());
}

/// The counts line and the list of rows where A and B predict differently.
fn disagreements(
    ui: &mut egui::Ui,
    r: &DiffResult,
    row: &DiffRow,
    list: &[crate::metrics::diff::Disagreement],
) {
    let ag = &row.agreement;
    ui.strong(format!(
        "{}: {} rows where A and B disagree",
        row.name,
        ag.disagree()
    ));
    ui.label(format!(
        "A right, B wrong: {}; B right, A wrong: {}; both wrong: {}",
        ag.a_only, ag.b_only, ag.both_wrong
    ));
    if ag.disagree() > list.len() {
        ui.weak(format!("listing the first {}", list.len()));
    }
    let class = |c: u32| {
        r.classes
            .get(c as usize)
            .cloned()
            .unwrap_or_else(|| c.to_string())
    };
    let row_h = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("diff_rows")
        .max_height(LIST_HEIGHT)
        .show_rows(ui, row_h, list.len() + 1, |ui, range| {
            egui::Grid::new("diff_rows_grid")
                .striped(true)
                .show(ui, |ui| {
                    for i in range {
                        let Some(d) = i.checked_sub(1).and_then(|k| list.get(k)) else {
                            for h in ["Row", "Label", "A predicts", "B predicts", "Right"] {
                                ui.strong(h);
                            }
                            ui.end_row();
                            continue;
                        };
                        ui.label(d.row.to_string());
                        ui.label(class(d.label));
                        ui.label(class(d.a));
                        ui.label(class(d.b));
                        let (text, color) = match d.right {
                            RightOne::A => ("A", theme::GOOD),
                            RightOne::B => ("B", theme::GOOD),
                            RightOne::Neither => ("neither", theme::BAD),
                        };
                        ui.colored_label(color, text);
                        ui.end_row();
                    }
                });
        });
}
