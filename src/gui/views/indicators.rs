//! The Indicators tab (the paper's Figure 5): per slice, the SF's 0/1 output next to the SBL
//! model's learned indicator probability over the map; a noise slider per SF that retrains with
//! corrupted SF outputs; and the attention weights of selected rows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ViewCtx;
use super::attention::attention;
use super::indicator_scene::{IndicatorKey, IndicatorScenes};
use crate::gui::command::{Command, TrainRequest};
use crate::gui::widgets::plot2d::{Plot, PlotState};
use crate::model::Method;
use crate::train::config::TrainConfig;

/// The Indicators tab.
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorsView {
    /// Noise rate per slice name for the next retraining.
    pub noise: BTreeMap<String, f64>,
    /// Heatmap bins per axis.
    pub bins: usize,
    #[serde(skip)]
    plots: Vec<PlotState>,
}

impl Default for IndicatorsView {
    fn default() -> Self {
        Self {
            noise: BTreeMap::new(),
            bins: 16,
            plots: Vec::new(),
        }
    }
}

impl IndicatorsView {
    /// Draws the tab: one page that scrolls (sliders, plots and attention), so nothing is cut
    /// at the window's edge; the wheel over a plot scrolls the page, Ctrl+wheel zooms it.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        egui::ScrollArea::vertical()
            .id_salt("indicators_scroll")
            .show(ui, |ui| self.page(ui, cx, out));
    }

    fn page(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        let (Some(data), Some(pred)) = (cx.data, cx.predicted) else {
            ui.label("Train or open an SBL model, then analyse it, to see its learned indicators.");
            return;
        };
        if pred.indicator.is_empty() {
            ui.label(format!(
                "{} has no slice indicators (only SBL models do).",
                pred.name
            ));
            sbl_models(ui, cx, out);
            return;
        }
        self.noise_controls(ui, cx, out);
        let numeric = &data.numeric;
        let (Some(xn), Some(yn)) = (numeric.first(), numeric.get(1).or(numeric.first())) else {
            ui.label("This dataset has no numeric columns to draw on.");
            return;
        };
        // The pictures are built in the background; the last ones stay up while newer build.
        let key = IndicatorKey {
            pred: pred.revision,
            generation: cx.analysis.map_or(0, |a| a.generation),
            bins: self.bins,
            axes: (xn.to_string(), yn.to_string()),
        };
        if cx.builds.indicators.wants(&key) {
            out.push(Command::BuildIndicators(key));
        }
        let Some(IndicatorScenes { scenes, bounds, .. }) = cx.builds.indicators.latest() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Drawing the indicators…");
            });
            return;
        };
        self.plots.resize(scenes.len() * 2, PlotState::default());
        let w = ((ui.available_width() - 24.0) / 2.0).clamp(200.0, 420.0);
        for (k, (name, sf, ind)) in scenes.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.vertical(|ui| {
                    ui.strong(format!("SF output: {name}"));
                    match sf {
                        Some(s) => {
                            let label = format!("SF {name}");
                            square(&label, (xn, yn), *bounds, cx.gpu_points, w).show(
                                ui,
                                &mut self.plots[2 * k],
                                s,
                            );
                        }
                        None => {
                            ui.weak("(this slice is no longer in the slice set)");
                        }
                    }
                });
                ui.vertical(|ui| {
                    ui.strong(format!("Learned indicator: {name}"));
                    let label = format!("Indicator {name}");
                    square(&label, (xn, yn), *bounds, cx.gpu_points, w).show(
                        ui,
                        &mut self.plots[2 * k + 1],
                        ind,
                    );
                });
            });
        }
        ui.separator();
        attention(ui, cx);
    }

    fn noise_controls(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        ui.strong("SF noise for retraining");
        // Each slider's name to its left, one slider a row, so no name reads as the next one's.
        egui::Grid::new("noise_sliders").show(ui, |ui| {
            for s in &cx.session.slices.slices {
                let rate = self.noise.entry(s.name.clone()).or_insert(0.0);
                let name = ui.label(&s.name);
                ui.add(egui::Slider::new(rate, 0.0..=0.9).fixed_decimals(2))
                    .labelled_by(name.id);
                ui.end_row();
            }
        });
        ui.horizontal_wrapped(|ui| {
            let busy = cx.training.is_some();
            if ui
                .add_enabled(!busy, egui::Button::new("Retrain SBL with noisy SFs"))
                .clicked()
            {
                out.push(Command::StartTraining(TrainRequest {
                    methods: vec![Method::Sbl],
                    seeds: vec![0],
                    train: TrainConfig::default(),
                    noise: self
                        .noise
                        .iter()
                        .filter(|(_, r)| **r > 0.0)
                        .map(|(n, r)| (n.clone(), *r))
                        .collect(),
                }));
            }
        });
        ui.weak("The retrained model is analysed automatically if nothing else is; pick it under Analysing.");
    }
}

/// One of the side-by-side plots: `width` wide, 3:4 high, no brushing.
fn square<'a>(
    label: &'a str,
    axes: (&'a str, &'a str),
    bounds: [f64; 4],
    gpu: bool,
    width: f32,
) -> Plot<'a> {
    Plot {
        label,
        axes,
        bounds,
        brush: false,
        gpu,
        size: egui::vec2(width, width * 0.75),
        wheel_zooms: false,
    }
}

fn sbl_models(ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    let fits = |i: usize| cx.data.is_none_or(|d| cx.models[i].fits(&d.ds));
    let sbl: Vec<usize> = (0..cx.models.len())
        .filter(|&i| cx.models[i].method().starts_with("sbl") && fits(i))
        .collect();
    if sbl.is_empty() {
        ui.weak("No SBL model yet: tick sbl in the Train tab and start training.");
    }
    for i in sbl {
        if ui.button(format!("Show {}", cx.models[i].name)).clicked() {
            out.push(Command::AnalyseModel(i));
        }
    }
}
