//! The Train tab: methods, hyperparameters, seeds and device; Start/Stop; live per-slice
//! validation F1 and loss curves; the list of trained models.

mod curves;
mod models;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::ViewCtx;
use crate::gui::command::{Command, TrainRequest};
use crate::gui::theme;
use crate::model::Method;
use crate::train::config::{ClassWeights, TrainConfig};
use crate::train::select::Selection;

/// The Train tab.
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct TrainView {
    /// Methods ticked.
    pub methods: Vec<Method>,
    /// Number of seeds (0..n).
    pub seeds: usize,
    /// Settings shared by every run.
    pub train: TrainConfig,
    /// Hidden widths as typed (`13,13`).
    pub hidden: String,
    /// Runs whose curves are switched off in the side list.
    pub hidden_runs: BTreeSet<String>,
    /// Slices (and `overall`) whose F1 curves are switched off in the side list.
    pub hidden_slices: BTreeSet<String>,
}

impl Default for TrainView {
    fn default() -> Self {
        let train = TrainConfig::default();
        Self {
            methods: vec![Method::Vanilla, Method::Sbl],
            seeds: 1,
            hidden: join(&train.hidden),
            train,
            hidden_runs: BTreeSet::new(),
            hidden_slices: BTreeSet::new(),
        }
    }
}

/// A label and the widget it names (so screen readers and tests find the widget by it).
fn labelled(ui: &mut egui::Ui, label: &str, widget: impl egui::Widget) {
    let l = ui.label(label);
    ui.add(widget).labelled_by(l.id);
}

/// The Device drop-down: the devices this build can use, `auto` (a GPU when there is one)
/// first; a build without a GPU backend says how to get one.
fn device_choice(ui: &mut egui::Ui, t: &mut TrainConfig) {
    let device = ui.label("Device");
    let resolved = crate::model::device::auto_device_name();
    let shown = |d: &str| {
        if d == "auto" {
            format!("auto ({resolved})")
        } else {
            d.to_string()
        }
    };
    let response = egui::ComboBox::from_id_salt("device")
        .selected_text(shown(&t.device))
        .show_ui(ui, |ui| {
            for d in crate::model::device::choices() {
                ui.selectable_value(&mut t.device, d.to_string(), shown(d));
            }
            if !crate::model::device::gpu_build() {
                ui.weak("no GPU in this build: cargo build --release --features cuda");
            }
        })
        .response
        .labelled_by(device.id);
    if !crate::model::device::gpu_build() {
        response.on_hover_text(
            "This build has no GPU backend: build with `cargo build --release --features cuda` \
             (or `--features metal` on a Mac) to train on a GPU.",
        );
    }
}

/// The model-selection and class-weight drop-downs (one grid row).
fn selection_settings(ui: &mut egui::Ui, t: &mut TrainConfig) {
    let keep = ui.label("Keep epoch by");
    egui::ComboBox::from_id_salt("select")
        .selected_text(t.select.label())
        .show_ui(ui, |ui| {
            for s in Selection::ALL {
                ui.selectable_value(&mut t.select, s, s.label());
            }
        })
        .response
        .labelled_by(keep.id)
        .on_hover_text(
            "The validation score that picks the kept epoch. The slice rules keep the best \
             mean or worst SF-slice F1 among epochs whose overall F1 is within 0.005 of the \
             run's best.",
        );
    let weights = ui.label("Class weights");
    egui::ComboBox::from_id_salt("class_weights")
        .selected_text(match t.class_weights {
            ClassWeights::None => "none",
            ClassWeights::Balanced => "balanced",
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut t.class_weights, ClassWeights::None, "none");
            ui.selectable_value(&mut t.class_weights, ClassWeights::Balanced, "balanced");
        })
        .response
        .labelled_by(weights.id)
        .on_hover_text("balanced: every prediction loss weighs a row by n / (C · n_class)");
}

fn join(v: &[usize]) -> String {
    v.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

impl TrainView {
    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        egui::ScrollArea::vertical()
            .id_salt("train_scroll")
            .show(ui, |ui| {
                // Wide parts scroll sideways on their own: a part wider than the tab would widen
                // the whole page, and the Models table would no longer scroll.
                egui::ScrollArea::horizontal()
                    .id_salt("train_settings_scroll")
                    .show(ui, |ui| {
                        self.settings(ui);
                        super::train_encoder::encoder_settings(ui, &mut self.train, cx);
                    });
                self.start_stop(ui, cx, out);
                ui.separator();
                // The width is taken outside the scrolling area: inside it, the available width
                // follows last frame's content, and plots sized from it would grow every frame.
                let width = ui.available_width();
                egui::ScrollArea::horizontal()
                    .id_salt("train_curves_scroll")
                    .show(ui, |ui| {
                        let hidden = (&mut self.hidden_runs, &mut self.hidden_slices);
                        curves::show(ui, cx, width, hidden);
                    });
                ui.separator();
                models::show(ui, cx, out);
            });
    }

    fn settings(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Methods:");
            for m in Method::ALL {
                let mut on = self.methods.contains(&m);
                if ui.checkbox(&mut on, m.name()).changed() {
                    self.methods.retain(|x| *x != m);
                    if on {
                        self.methods.push(m);
                        self.methods
                            .sort_by_key(|x| Method::ALL.iter().position(|a| a == x));
                    }
                }
            }
        });
        egui::Grid::new("train_settings")
            .num_columns(4)
            .show(ui, |ui| {
                let t = &mut self.train;
                labelled(
                    ui,
                    "Epochs",
                    egui::DragValue::new(&mut t.epochs).range(1..=1000),
                );
                labelled(
                    ui,
                    "Batch size",
                    egui::DragValue::new(&mut t.batch_size).range(1..=4096),
                );
                ui.end_row();
                labelled(
                    ui,
                    "Learning rate",
                    egui::DragValue::new(&mut t.lr)
                        .range(1e-5..=1.0)
                        .speed(0.0005)
                        .max_decimals(5),
                );
                labelled(
                    ui,
                    "Seeds",
                    egui::DragValue::new(&mut self.seeds).range(1..=20),
                );
                ui.end_row();
                labelled(
                    ui,
                    "Hidden widths",
                    egui::TextEdit::singleline(&mut self.hidden),
                );
                device_choice(ui, t);
                ui.end_row();
                selection_settings(ui, t);
                ui.end_row();
            });
    }

    fn request(&self) -> Result<TrainRequest, String> {
        let hidden: Result<Vec<usize>, _> = self
            .hidden
            .split(',')
            .map(|s| s.trim().parse::<usize>())
            .collect();
        let hidden = hidden.map_err(|_| {
            format!(
                "hidden widths must be numbers separated by commas, got '{}'",
                self.hidden
            )
        })?;
        let train = TrainConfig {
            hidden,
            ..self.train.clone()
        };
        train.validate()?;
        if self.methods.is_empty() {
            return Err("tick at least one method".into());
        }
        Ok(TrainRequest {
            methods: self.methods.clone(),
            seeds: (0..self.seeds as u64).collect(),
            train,
            noise: Vec::new(),
        })
    }

    fn start_stop(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        let request = self.request();
        ui.horizontal(|ui| {
            let idle = cx.training.is_none() && cx.data.is_some();
            if ui
                .add_enabled(idle && request.is_ok(), egui::Button::new("Start training"))
                .clicked()
                && let Ok(r) = &request
            {
                out.push(Command::StartTraining(r.clone()));
            }
            if ui
                .add_enabled(cx.training.is_some(), egui::Button::new("Stop"))
                .clicked()
            {
                out.push(Command::StopTraining);
            }
            if let Err(e) = &request {
                ui.colored_label(theme::BAD, e);
            }
        });
        if let Some(t) = cx.training {
            let left = t
                .secs_left()
                .map_or(String::new(), |s| format!(", about {s:.0} s left"));
            let stopping = if t.stopping { " (stopping…)" } else { "" };
            ui.add(
                egui::ProgressBar::new(t.fraction())
                    .show_percentage()
                    .text(format!(
                        "run {}/{} {} · epoch {}/{}{left}{stopping}",
                        t.run.0 + 1,
                        t.run.1,
                        t.run_name,
                        t.epoch.0,
                        t.epoch.1
                    )),
            );
        }
    }
}
