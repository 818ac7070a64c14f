//! The Train tab's Models table: the models that fit the open data (analyse, save, forget),
//! scrolling sideways when narrow; models of other datasets under a collapsed section.

use crate::gui::command::{Command, FilePurpose};
use crate::gui::models::ModelEntry;
use crate::gui::views::ViewCtx;

/// Draws the table and the Open model button.
pub fn show(ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    ui.strong("Models");
    if cx.models.is_empty() {
        ui.weak("No trained models yet.");
    }
    let fits = |m: &ModelEntry| cx.data.is_none_or(|d| m.fits(&d.ds));
    let (mine, other): (Vec<usize>, Vec<usize>) =
        (0..cx.models.len()).partition(|&i| fits(&cx.models[i]));
    egui::ScrollArea::horizontal()
        .id_salt("models_table")
        .show(ui, |ui| table(ui, "models_grid", cx, &mine, true, out));
    if !other.is_empty() {
        egui::CollapsingHeader::new(format!("other datasets ({})", other.len()))
            .id_salt("other_models")
            .default_open(false)
            .show(ui, |ui| {
                ui.weak("These models read columns the open data lacks.");
                egui::ScrollArea::horizontal()
                    .id_salt("other_models_table")
                    .show(ui, |ui| {
                        table(ui, "other_models_grid", cx, &other, false, out)
                    });
            });
    }
    if ui.button("Open model…").clicked() {
        out.push(Command::PickFile(FilePurpose::OpenModel));
    }
}

/// One grid of models (by index into [`ViewCtx::models`]); `analysable` offers Analyse.
fn table(
    ui: &mut egui::Ui,
    id: &str,
    cx: &ViewCtx<'_>,
    which: &[usize],
    analysable: bool,
    out: &mut Vec<Command>,
) {
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for h in [
            "model",
            "params",
            "best epoch",
            "stopped",
            "test F1",
            "",
            "",
            "",
        ] {
            ui.strong(h);
        }
        ui.end_row();
        for &i in which {
            let m = &cx.models[i];
            let card = &m.model.card;
            let analysed = cx.predicted.is_some_and(|p| p.name == m.name);
            let name = ui.label(if analysed {
                format!("▶ {}", m.name)
            } else {
                m.name.clone()
            });
            if !analysable {
                name.on_hover_text(format!("trained on {}", card.dataset));
            }
            ui.label(m.model.params().to_string());
            let kept = ui.label(card.best_epoch.to_string());
            if let Some(why) = &card.selection {
                kept.on_hover_text(why.describe());
            }
            ui.label(card.stop.describe());
            let f1 = card
                .test_metrics
                .as_ref()
                .and_then(|t| t.overall())
                .map_or("–".into(), |o| crate::metrics::text::num(o.scores.f1));
            ui.label(f1);
            if analysable && ui.small_button("Analyse").clicked() {
                out.push(Command::AnalyseModel(i));
            }
            if !analysable {
                ui.label("");
            }
            if ui.small_button("Save…").clicked() {
                out.push(Command::PickFile(FilePurpose::SaveModel(m.id)));
            }
            if ui.small_button("Forget").clicked() {
                out.push(Command::ForgetModel(i));
            }
            ui.end_row();
        }
    });
}
