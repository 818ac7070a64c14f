//! The Importance tab: what a model leans on. Each feature column's permutation importance (the
//! score lost when its values are shuffled across the validation rows), over all rows and inside
//! the selected slice, with 95% intervals over repeats, and the leak it reveals, if any. The
//! numbers come from [`crate::gui::importance`], computed off the UI thread once per model,
//! dataset and analysis when the tab asks with [`Command::BuildImportance`].

use serde::{Deserialize, Serialize};

use super::ViewCtx;
use crate::data::leakage::Advice;
use crate::gui::command::Command;
use crate::gui::importance::{ImportanceResult, key_for};
use crate::gui::models::ModelEntry;
use crate::gui::notices::NoticeAction;
use crate::gui::state::SourceSpec;
use crate::gui::theme;
use crate::metrics::text::{interval, num};
use crate::train::importance::{DEFAULT_REPEATS, ImportanceTable};

/// Columns listed per table before it scrolls.
const TABLE_HEIGHT: f32 = 320.0;
/// Width of the drop bars at the largest drop.
const BAR_WIDTH: f32 = 120.0;

/// The Importance tab.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportanceView {
    /// The model ranked: the analysed one, or another picked since it was analysed.
    pub model: Option<String>,
    /// The analysed model when last drawn: a newly analysed model is shown at once.
    #[serde(skip)]
    analysed: Option<String>,
}

impl ImportanceView {
    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        ui.heading("What the model leans on");
        if cx.models.is_empty() {
            ui.weak("Train or open a model to rank its features here.");
            return;
        }
        // Only models that read this dataset's columns can be ranked on it.
        let models: Vec<&ModelEntry> = (cx.models.iter())
            .filter(|m| cx.data.is_some_and(|d| m.fits(&d.ds)))
            .collect();
        if models.is_empty() {
            ui.weak(
                "No model reads this dataset's columns: train or open one to rank its features.",
            );
            return;
        }
        self.pick(ui, cx, &models);
        let model = models.iter().find(|m| Some(&m.name) == self.model.as_ref());
        let (Some(model), Some(data), Some(analysis)) = (model, cx.data, cx.analysis) else {
            ui.weak("waiting for the data and its slices…");
            return;
        };
        let key = key_for(model, data, analysis.generation);
        let builds = &cx.builds.importance;
        if builds.wants(&key) {
            out.push(Command::BuildImportance(key));
        }
        match builds.result_for(&key) {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.weak(format!(
                        "shuffling each of {}'s input columns {DEFAULT_REPEATS} times…",
                        model.name
                    ));
                });
            }
            Some(Err(e)) => {
                ui.colored_label(theme::BAD, e);
            }
            Some(Ok(r)) => {
                let file = cx.session.source != SourceSpec::Demo;
                show(ui, r, cx.session.selected.as_deref(), file, out);
            }
        }
    }

    /// The model chooser. A newly analysed model is chosen (after Leave out and retrain, the
    /// retrained one); without a choice, or with a model since forgotten, the analysed model,
    /// else the first.
    fn pick(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, models: &[&ModelEntry]) {
        let known = |n: &String| models.iter().any(|m| &m.name == n);
        let analysed = cx.predicted.map(|p| p.name.clone()).filter(known);
        if analysed != self.analysed {
            self.analysed.clone_from(&analysed);
            if analysed.is_some() {
                self.model.clone_from(&analysed);
            }
        }
        if !self.model.as_ref().is_some_and(known) {
            self.model = analysed.or_else(|| models.first().map(|m| m.name.clone()));
        }
        ui.horizontal(|ui| {
            let l = ui.label("Model");
            egui::ComboBox::from_id_salt("importance_model")
                .selected_text(self.model.clone().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for m in models {
                        ui.selectable_value(&mut self.model, Some(m.name.clone()), &m.name);
                    }
                })
                .response
                .labelled_by(l.id);
        });
    }
}

/// The leak warning, then the all-rows table beside the selected slice's.
fn show(
    ui: &mut egui::Ui,
    r: &ImportanceResult,
    selected: Option<&str>,
    file: bool,
    out: &mut Vec<Command>,
) {
    if let Some(leak) = &r.leak {
        ui.horizontal_top(|ui| {
            if file && ui.button("Leave out and retrain").clicked() {
                out.push(Command::LeaveOut(NoticeAction::LeaveOutAndRetrain(
                    leak.names(),
                )));
            }
            let text = format!("⚠ {}", leak.line(Advice::App));
            ui.add(egui::Label::new(egui::RichText::new(text).color(theme::WARN)).wrap());
        });
    }
    ui.label(format!(
        "{}: the score lost when one column's values are shuffled across the {} (mean and 95% \
         interval over {DEFAULT_REPEATS} repeats); larger means the model leans on it more.",
        r.model, r.rows_word
    ));
    ui.columns(2, |cols| {
        if let Some(all) = r.tables.first() {
            table(&mut cols[0], all, "importance_all");
        }
        match selected.map(|s| (s, r.slice(s))) {
            Some((_, Some(t))) => table(&mut cols[1], t, "importance_slice"),
            Some((s, None)) => {
                cols[1].weak(format!("{s} is not among the ranked slices"));
            }
            None => {
                cols[1].weak(
                    "Select a slice in the side panel to see what the model leans on inside it.",
                );
            }
        }
    });
}

/// One scope's ranking: its title and a row per column, most important first.
fn table(ui: &mut egui::Ui, t: &ImportanceTable, id: &str) {
    ui.strong(format!(
        "{} ({} rows; {} {})",
        t.scope,
        t.rows,
        t.metric,
        num(t.base)
    ));
    let top = (t.columns.iter())
        .filter_map(|c| c.mean)
        .fold(0.0_f64, f64::max);
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(TABLE_HEIGHT)
        .show(ui, |ui| {
            egui::Grid::new(id).striped(true).show(ui, |ui| {
                for h in ["Column", "Drop", "95% interval", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for c in &t.columns {
                    ui.label(&c.column);
                    ui.label(num(c.mean));
                    ui.label(interval(c.interval));
                    bar(ui, c.mean, top);
                    ui.end_row();
                }
            });
        });
}

/// A bar as long as `mean` is against the largest drop `top` (none for a drop of zero or less).
fn bar(ui: &mut egui::Ui, mean: Option<f64>, top: f64) {
    let share = match mean {
        Some(m) if top > 0.0 && m > 0.0 => (m / top) as f32,
        _ => 0.0,
    };
    let (rect, _) = ui.allocate_exact_size(egui::vec2(BAR_WIDTH, 10.0), egui::Sense::hover());
    let mut filled = rect;
    filled.set_width(BAR_WIDTH * share);
    ui.painter().rect_filled(filled, 2.0, theme::NEUTRAL);
}
