//! One file per view. Each view is a struct (its settings, persisted with the session) with a
//! `ui` method that reads a [`ViewCtx`] and pushes commands; the top and status bars live here.
//! Views never see the app itself.

pub mod aggregate_open;
mod attention;
pub mod column_summary;
pub mod compare;
mod compare_aggregate;
pub mod context;
pub mod errors;
pub mod filter_builder;
pub mod importance;
pub mod indicator_scene;
pub mod indicators;
pub mod map;
pub mod map_scene;
pub mod model_diff;
pub mod notices;
pub mod open;
mod open_columns;
mod open_types;
pub mod path_dialog;
pub mod per_class;
pub mod shortcuts;
mod slice_editor;
pub mod slices;
pub mod sql_editor;
pub mod train;
pub mod train_encoder;

use serde::{Deserialize, Serialize};

use super::command::{Command, FilePurpose};
use super::state::{SourceSpec, Tab};
use super::theme;

pub use aggregate_open::AggregateDialog;
pub use context::ViewCtx;
pub use open::OpenDialog;

/// Every view's settings (persisted with the session).
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Views {
    /// The Slices side panel.
    pub slices: slices::SlicesPanel,
    /// The Errors tab.
    pub errors: errors::ErrorsView,
    /// The Map tab.
    pub map: map::MapView,
    /// The Indicators tab.
    pub indicators: indicators::IndicatorsView,
    /// The Train tab.
    pub train: train::TrainView,
    /// The Compare tab.
    pub compare: compare::CompareView,
    /// The Diff tab.
    pub diff: model_diff::ModelDiffView,
    /// The Importance tab.
    pub importance: importance::ImportanceView,
}

/// The tab strip and the open tab; in aggregate mode the tabs that need rows say why they are
/// off instead.
pub fn main_area(
    ui: &mut egui::Ui,
    tab: &mut Tab,
    views: &mut Views,
    cx: &ViewCtx<'_>,
    out: &mut Vec<Command>,
) {
    let off = |t: Tab| cx.aggregate.and(aggregate_off(t));
    ui.horizontal(|ui| {
        for t in Tab::ALL {
            let title = match off(t) {
                Some(_) => egui::RichText::new(t.title()).weak(),
                None => egui::RichText::new(t.title()),
            };
            let r = ui.selectable_value(tab, t, title);
            if let Some(why) = off(t) {
                r.on_hover_text(why);
            }
        }
    });
    ui.separator();
    if let Some(why) = off(*tab) {
        ui.label(why);
        return;
    }
    match *tab {
        Tab::Errors => views.errors.ui(ui, cx, out),
        Tab::Map => views.map.ui(ui, cx, out),
        Tab::Indicators => views.indicators.ui(ui, cx, out),
        Tab::Train => views.train.ui(ui, cx, out),
        Tab::Compare => views.compare.ui(ui, cx, out),
        Tab::Diff => views.diff.ui(ui, cx, out),
        Tab::Importance => views.importance.ui(ui, cx, out),
    }
}

/// Why tab `t` is off in aggregate mode, if it is.
fn aggregate_off(t: Tab) -> Option<&'static str> {
    use crate::gui::aggregate as agg;
    match t {
        Tab::Errors | Tab::Compare => None,
        Tab::Map => Some(agg::MAP_OFF),
        Tab::Indicators => Some(agg::INDICATORS_OFF),
        Tab::Train => Some(agg::TRAIN_OFF),
        Tab::Diff => Some(agg::DIFF_OFF),
        Tab::Importance => Some(agg::IMPORTANCE_OFF),
    }
}

/// The menu bar: files, data source, analysed predictions, error banner.
pub fn top_bar(ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            file_menu(ui, cx, out);
            ui.separator();
            if let Some(a) = cx.aggregate {
                ui.label(format!(
                    "Data: {} (aggregate mode: {}, not loaded)",
                    a.pattern,
                    crate::gui::aggregate::files_text(a.files, a.bytes)
                ));
                ui.separator();
                ui.label(format!("Predictions: {}", a.preds().join(", ")));
            } else {
                let data = cx.data.map_or("no dataset".to_string(), |d| {
                    format!("{} ({} rows)", d.source.describe(), d.ds.n_rows())
                });
                ui.label(format!("Data: {data}"));
                ui.separator();
                predictions_menu(ui, cx, out);
            }
        });
        if let Some(e) = cx.error {
            ui.horizontal(|ui| {
                if ui.small_button("Dismiss").clicked() {
                    out.push(Command::DismissError);
                }
                ui.add(
                    egui::Label::new(egui::RichText::new(format!("⚠ {e}")).color(theme::BAD))
                        .wrap(),
                );
            });
        }
        let file = cx.session.source != crate::gui::state::SourceSpec::Demo;
        notices::panel(ui, cx.notices, file, out);
    });
}

fn file_menu(ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    ui.menu_button("File", |ui| {
        let items = [
            ("Open dataset…", FilePurpose::OpenData),
            ("Open slice set…", FilePurpose::OpenSlices),
            ("Save slice set…", FilePurpose::SaveSlices),
            ("Open model…", FilePurpose::OpenModel),
            ("Open session…", FilePurpose::OpenSession),
            ("Save session…", FilePurpose::SaveSession),
        ];
        for (label, purpose) in items {
            if ui.button(label).clicked() {
                out.push(Command::PickFile(purpose));
                ui.close();
            }
        }
        let engine = cfg!(feature = "engine");
        if ui
            .add_enabled(engine, egui::Button::new("Open logs (aggregate mode)…"))
            .on_hover_text(
                "Per-slice counts by DataFusion over Parquet or CSV files too big to load",
            )
            .on_disabled_hover_text(crate::gui::aggregate::NO_ENGINE)
            .clicked()
        {
            out.push(Command::OpenAggregateDialog);
            ui.close();
        }
        if ui.button("Load demo").clicked() {
            out.push(Command::Load(SourceSpec::Demo));
            ui.close();
        }
        if ui.button("Keyboard shortcuts…").clicked() {
            out.push(Command::ShowShortcuts(true));
            ui.close();
        }
        if ui.button("Quit").clicked() {
            out.push(Command::Quit);
            ui.close();
        }
        ui.menu_button("Recent", |ui| {
            if cx.session.recent.is_empty() {
                ui.weak("nothing yet");
            }
            for path in &cx.session.recent {
                if ui.button(path.display().to_string()).clicked() {
                    out.push(Command::InspectData(path.clone()));
                    ui.close();
                }
            }
        });
    });
}

fn predictions_menu(ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    let current = cx.predicted.map_or("none".to_string(), |p| p.name.clone());
    let label = ui.label("Analysing:");
    egui::ComboBox::from_id_salt("analysed")
        .selected_text(current)
        .show_ui(ui, |ui| {
            if let Some(SourceSpec::File { pred: Some(p), .. }) = cx.data.map(|d| &d.source)
                && ui.button(format!("column {p}")).clicked()
            {
                out.push(Command::AnalyseColumn);
            }
            // Only models that can read the open data are offered; the rest are listed apart.
            let fits = |m: &crate::gui::models::ModelEntry| cx.data.is_none_or(|d| m.fits(&d.ds));
            for (i, m) in cx.models.iter().enumerate().filter(|(_, m)| fits(m)) {
                if ui.button(&m.name).clicked() {
                    out.push(Command::AnalyseModel(i));
                }
            }
            let other: Vec<&str> = (cx.models.iter())
                .filter(|m| !fits(m))
                .map(|m| m.name.as_str())
                .collect();
            if !other.is_empty() {
                egui::CollapsingHeader::new(format!("other datasets ({})", other.len()))
                    .id_salt("analysed_other")
                    .default_open(false)
                    .show(ui, |ui| {
                        for name in other {
                            ui.weak(name).on_hover_text(
                                "trained on other columns: it cannot read this data",
                            );
                        }
                    });
            }
        })
        .response
        .labelled_by(label.id);
    if cx.predicted.is_none() && cx.training.is_none() && cx.data.is_some() {
        ui.colored_label(
            theme::MUTED,
            "no predictions yet: train a model in the Train tab",
        );
    }
}

/// The bottom bar: background work, training progress, the latest log line.
pub fn status_bar(ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            if let Some(busy) = &cx.busy {
                ui.spinner();
                ui.label(busy);
                if cx.predicting && ui.button("Stop predicting").clicked() {
                    out.push(Command::StopPredicting);
                }
                ui.separator();
            }
            if let Some(t) = cx.training {
                ui.add(
                    egui::ProgressBar::new(t.fraction())
                        .desired_width(160.0)
                        .text(format!("training {}", t.run_name)),
                );
                ui.separator();
            }
            if let Some(line) = cx.log.last() {
                ui.colored_label(theme::MUTED, line).on_hover_ui(|ui| {
                    cx.log.iter().rev().take(20).for_each(|l| {
                        ui.label(l);
                    });
                });
            }
        });
    });
}

/// Formats a fraction as a percentage with one decimal.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}
