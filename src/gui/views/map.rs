//! The Map tab: rows in 2-D (two numeric features or a PCA projection), coloured by label,
//! correctness or slice, over an error-rate heatmap. Brushing a rectangle or clicking a cell
//! writes a slice expression for the user.

use egui::Color32;
use serde::{Deserialize, Serialize};

use super::map_scene::SceneKey;
use super::{ViewCtx, pct};
use crate::data::{Split, Table};
use crate::gui::command::Command;
use crate::gui::theme;
use crate::gui::widgets::column_picker::ColumnPicker;
use crate::gui::widgets::plot2d::{Plot, PlotState};
use crate::metrics::grid::ErrorGrid;
use crate::slices::SliceDef;
use crate::slices::build::box_expr;

/// What the axes show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Axes {
    /// Two numeric columns.
    Features,
    /// The first two principal components of the feature vectors.
    Pca,
}

/// How points are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColorBy {
    /// By true class.
    Label,
    /// Green when the analysed prediction is right, red when wrong.
    Correct,
    /// By the first enabled slice containing the row (the selected slice only, if any).
    Slice,
}

/// The Map tab.
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct MapView {
    /// Features or PCA.
    pub axes: Axes,
    /// Horizontal column (features mode).
    pub x: String,
    /// Vertical column (features mode).
    pub y: String,
    /// Point colouring.
    pub color_by: ColorBy,
    /// Heatmap bins per axis.
    pub bins: usize,
    /// Show the error-rate heatmap.
    pub heatmap: bool,
    /// Dragging brushes a slice instead of panning.
    pub brush: bool,
    /// Which split's rows are shown.
    pub split: Split,
    #[serde(skip)]
    plot: PlotState,
}

impl Default for MapView {
    fn default() -> Self {
        Self {
            axes: Axes::Features,
            x: String::new(),
            y: String::new(),
            color_by: ColorBy::Correct,
            bins: 12,
            heatmap: true,
            brush: false,
            split: Split::Test,
            plot: PlotState::default(),
        }
    }
}

impl MapView {
    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        let Some(data) = cx.data else {
            ui.label("Load a dataset to see its map.");
            return;
        };
        self.fix_axes(&data.numeric);
        self.controls(ui, &data.numeric, &data.ds.table);
        // The picture is built in the background; the last one stays up while a newer builds.
        let key = self.key(cx);
        if cx.builds.map.wants(&key) {
            out.push(Command::BuildMap(key));
        }
        let Some(cache) = cx.builds.map.latest() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Building the map…");
            });
            return;
        };
        let (xn, yn) = match self.axes {
            Axes::Features => (self.x.as_str(), self.y.as_str()),
            Axes::Pca => ("PC 1", "PC 2"),
        };
        legend(ui, cx, self.color_by, self.heatmap && cache.grid.is_some());
        let size = egui::vec2(
            ui.available_width(),
            (ui.available_height() - 24.0).max(200.0),
        );
        let plot = Plot {
            label: "Error heatmap",
            axes: (xn, yn),
            bounds: cache.bounds,
            brush: self.brush,
            gpu: cx.gpu_points,
            size,
            wheel_zooms: true,
        };
        let ev = plot.show(ui, &mut self.plot, &cache.scene);
        let hover = ev
            .hovered
            .map(|(x, y)| describe_point(cache.grid.as_ref(), x, y, xn, yn));
        ui.label(hover.unwrap_or_else(|| "Drag to pan (or brush), scroll to zoom, double-click to reset, click a cell to slice it.".into()));
        let features = self.axes == Axes::Features;
        if let Some([x0, x1, y0, y1]) = ev.brushed.filter(|_| features) {
            let expr = box_expr((&self.x, x0, x1), (&self.y, y0, y1));
            out.push(Command::AddSlice(SliceDef::new(
                &cx.session.slices.unique_name("brush"),
                &expr,
            )));
        }
        if let (Some((x, y)), Some(g), true) = (ev.clicked, &cache.grid, features && self.heatmap)
            && let (Some(ix), Some(iy)) = (g.x.bin(x), g.y.bin(y))
        {
            let (x0, x1) = g.x.edges(ix);
            let (y0, y1) = g.y.edges(iy);
            let expr = box_expr((&self.x, x0, x1), (&self.y, y0, y1));
            out.push(Command::AddSlice(SliceDef::new(
                &cx.session.slices.unique_name("cell"),
                &expr,
            )));
        }
    }

    fn fix_axes(&mut self, numeric: &[String]) {
        if !numeric.contains(&self.x) {
            self.x = numeric.first().cloned().unwrap_or_default();
        }
        if !numeric.contains(&self.y) {
            self.y = numeric
                .get(1)
                .or(numeric.first())
                .cloned()
                .unwrap_or_default();
        }
        if numeric.is_empty() {
            self.axes = Axes::Pca;
        }
    }

    fn controls(&mut self, ui: &mut egui::Ui, numeric: &[String], table: &Table) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Axes:");
            ui.selectable_value(&mut self.axes, Axes::Features, "features");
            ui.selectable_value(&mut self.axes, Axes::Pca, "PCA");
            if self.axes == Axes::Features {
                column_combo(ui, ("x", table), &mut self.x, numeric);
                column_combo(ui, ("y", table), &mut self.y, numeric);
            }
            ui.separator();
            ui.label("Colour:");
            ui.selectable_value(&mut self.color_by, ColorBy::Label, "label");
            ui.selectable_value(&mut self.color_by, ColorBy::Correct, "correct");
            ui.selectable_value(&mut self.color_by, ColorBy::Slice, "slice");
            ui.separator();
            let split = ui.label("Split:");
            egui::ComboBox::from_id_salt("map_split")
                .selected_text(self.split.name())
                .show_ui(ui, |ui| {
                    for s in Split::ALL {
                        ui.selectable_value(&mut self.split, s, s.name());
                    }
                })
                .response
                .labelled_by(split.id);
        });
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.heatmap, "heatmap");
            ui.add(egui::Slider::new(&mut self.bins, 2..=60).text("bins"));
            ui.separator();
            ui.selectable_value(&mut self.brush, false, "pan");
            ui.selectable_value(&mut self.brush, true, "brush");
            if ui.button("Reset view").clicked() {
                self.plot.view = None;
            }
        });
    }

    /// What the picture for the current data and settings is built from.
    fn key(&self, cx: &ViewCtx<'_>) -> SceneKey {
        let set = &cx.session.slices.slices;
        let selected = cx.session.selected.as_deref();
        SceneKey {
            data: cx.data.map_or(0, |d| d.revision),
            pred: cx.predicted.map_or(0, |p| p.revision),
            generation: cx.analysis.map_or(0, |a| a.generation),
            axes: self.axes,
            x: self.x.clone(),
            y: self.y.clone(),
            color_by: self.color_by,
            bins: self.bins,
            heatmap: self.heatmap,
            split: self.split,
            slices: (0..set.len())
                .filter(|&j| match selected {
                    Some(s) => set[j].name == s,
                    None => cx.session.enabled(&set[j].name),
                })
                .collect(),
        }
    }
}

fn legend(ui: &mut egui::Ui, cx: &ViewCtx<'_>, by: ColorBy, heat: bool) {
    ui.horizontal_wrapped(|ui| {
        let swatch = |ui: &mut egui::Ui, c: Color32, text: &str| {
            let (r, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(r.center(), 5.0, c);
            ui.label(text);
        };
        match by {
            ColorBy::Correct if cx.predicted.is_some() => {
                swatch(ui, theme::GOOD, "correct");
                swatch(ui, theme::BAD, "misclassified");
            }
            ColorBy::Slice => {
                for (j, s) in cx.session.slices.slices.iter().enumerate() {
                    swatch(ui, theme::slice_color(j), &s.name);
                }
                swatch(ui, theme::NEUTRAL, "no slice");
            }
            _ => {
                if let Some(d) = cx.data {
                    for (c, name) in d.ds.classes.iter().enumerate() {
                        swatch(
                            ui,
                            theme::class_color(c),
                            &format!("{} = {name}", d.ds.label),
                        );
                    }
                }
            }
        }
        if heat {
            ui.separator();
            ui.label("cell error rate:");
            for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
                let (r, _) = ui.allocate_exact_size(egui::vec2(18.0, 10.0), egui::Sense::hover());
                ui.painter().rect_filled(r, 0.0, theme::heat(t));
            }
            ui.label("0 → 100%");
        }
    });
}

/// A searchable picker of a numeric column for axis `label`, its kind looked up in `table`.
fn column_combo(
    ui: &mut egui::Ui,
    (label, table): (&str, &Table),
    value: &mut String,
    options: &[String],
) {
    let kind_of = |name: &str| table.column(name).map(|c| c.kind);
    let picked = ColumnPicker::new(("map_axis", label), options)
        .kind_of(&kind_of)
        .show(ui, value);
    let name = ui.label(label);
    picked.labelled_by(name.id);
}

fn describe_point(grid: Option<&ErrorGrid>, x: f64, y: f64, xn: &str, yn: &str) -> String {
    let mut s = format!("{xn} = {x:.3}, {yn} = {y:.3}");
    if let Some(g) = grid
        && let (Some(ix), Some(iy)) = (g.x.bin(x), g.y.bin(y))
    {
        let c = iy * g.x.bins + ix;
        let rate = g.rate(ix, iy).map_or("-".into(), pct);
        s.push_str(&format!(" · cell: {} rows, error rate {rate}", g.rows[c]));
    }
    s
}
