//! The row inspector's details pane: every column of the clicked row (the label, prediction,
//! correct? and class probabilities first), long text wrapped and shown whole, and, for an image
//! table, the row drawn as a grayscale picture scaled up with square pixels.

use egui::{TextureOptions, vec2};

use super::rows_table::cell_text;
use crate::data::Dataset;
use crate::data::pixels::PixelGrid;
use crate::gui::theme;

/// Side of the drawn picture, in points, at most.
const IMAGE_SIDE: f32 = 196.0;

/// Values longer than this go on their own lines, under their column's name.
const LONG_TEXT: usize = 40;

/// Width of the column names in the pane.
const NAME_WIDTH: f32 = 120.0;

/// The picture of the row on display, kept while the same row stays selected.
pub struct RowTexture {
    key: (u64, usize),
    handle: egui::TextureHandle,
}

/// What the pane shows: one row of the data and its prediction.
pub struct RowDetails<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// Which dataset it is ([`Loaded::revision`](crate::gui::analysis::Loaded::revision)).
    pub revision: u64,
    /// Predicted class per row.
    pub pred: &'a [u32],
    /// Class probabilities `[n, C]`; empty when unknown.
    pub probs: &'a [f32],
    /// The row.
    pub row: usize,
    /// The table's pixels, when it is an image table.
    pub grid: Option<&'a PixelGrid>,
}

impl RowDetails<'_> {
    /// Draws the pane; returns `true` when it was closed.
    pub fn ui(&self, ui: &mut egui::Ui, texture: &mut Option<RowTexture>) -> bool {
        let mut close = false;
        ui.horizontal(|ui| {
            let split = self.ds.splits.get(self.row).map_or("?", |s| s.name());
            ui.strong(format!("Row {} ({split})", self.row));
            close = ui.small_button("Close").clicked();
        });
        // The picture fits the pane's height, so it is seen whole without scrolling.
        let fit = (ui.available_height() - 24.0).max(64.0);
        egui::ScrollArea::vertical()
            .id_salt("row_details")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if let Some(grid) = self.grid {
                    self.image(ui, grid, texture, fit);
                }
                self.prediction(ui);
                ui.separator();
                for c in &self.ds.table.columns {
                    if self.row < c.len() {
                        field(ui, &c.name, &cell_text(c, self.row));
                    }
                }
            });
        close
    }

    /// The label, prediction, whether it is right and each class's probability.
    fn prediction(&self, ui: &mut egui::Ui) {
        let class = |c: Option<u32>| {
            c.and_then(|c| self.ds.classes.get(c as usize))
                .map_or("?", String::as_str)
        };
        let (y, p) = (
            self.ds.y.get(self.row).copied(),
            self.pred.get(self.row).copied(),
        );
        field(ui, &format!("label ({})", self.ds.label), class(y));
        field(ui, "prediction", class(p));
        let (color, text) = if y.is_some() && y == p {
            (theme::GOOD, "✓ right")
        } else {
            (theme::BAD, "✗ wrong")
        };
        ui.horizontal(|ui| {
            name_cell(ui, egui::RichText::new("correct?").strong());
            ui.colored_label(color, text);
        });
        let n = self.ds.classes.len();
        for (c, name) in self.ds.classes.iter().enumerate() {
            if let Some(prob) = self.probs.get(self.row * n + c) {
                field(ui, &format!("p({name})"), &format!("{prob:.3}"));
            }
        }
    }

    /// The row as a grayscale picture, `side x side` squares scaled to fit the pane.
    fn image(
        &self,
        ui: &mut egui::Ui,
        grid: &PixelGrid,
        texture: &mut Option<RowTexture>,
        fit: f32,
    ) {
        let key = (self.revision, self.row);
        if texture.as_ref().is_none_or(|t| t.key != key) {
            let gray: Vec<u8> = grid
                .pixels(&self.ds.table, self.row)
                .iter()
                .map(|p| (p * 255.0).round() as u8)
                .collect();
            let image = egui::ColorImage::from_gray([grid.side, grid.side], &gray);
            let handle = ui
                .ctx()
                .load_texture("row_image", image, TextureOptions::NEAREST);
            *texture = Some(RowTexture { key, handle });
        }
        let Some(t) = texture else { return };
        let side = IMAGE_SIDE.min(ui.available_width()).min(fit);
        let alt = format!("row {} as a {s}×{s} image", self.row, s = grid.side);
        ui.add(
            egui::Image::from_texture((t.handle.id(), vec2(side, side)))
                .fit_to_exact_size(vec2(side, side))
                .alt_text(alt),
        );
        ui.weak(format!(
            "{s}×{s} pixels from {n} columns, {lo}…{hi} drawn black…white",
            s = grid.side,
            n = grid.columns.len(),
            lo = crate::data::table::format_number(grid.lo),
            hi = crate::data::table::format_number(grid.hi),
        ));
    }
}

/// One column's name and value: on one line when short, the value wrapped under the name when
/// long.
fn field(ui: &mut egui::Ui, name: &str, value: &str) {
    if value.chars().count() > LONG_TEXT {
        ui.label(egui::RichText::new(name).strong());
        ui.add(egui::Label::new(value).wrap());
        return;
    }
    ui.horizontal(|ui| {
        name_cell(ui, egui::RichText::new(name).strong());
        ui.label(value);
    });
}

/// A column's name, left-aligned in a fixed width, cut with `…` when longer (the full name on
/// hover).
fn name_cell(ui: &mut egui::Ui, name: egui::RichText) {
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    let hover = name.text().to_string();
    ui.allocate_ui_with_layout(vec2(NAME_WIDTH, 16.0), layout, |ui| {
        ui.set_width(NAME_WIDTH);
        ui.add(egui::Label::new(name).truncate())
            .on_hover_text(hover);
    });
}
