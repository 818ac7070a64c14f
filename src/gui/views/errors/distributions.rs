//! The Errors tab's "Distributions" view of the selected slice: one line per feature, most
//! different first, with its total variation distance from the whole split, the bin where the
//! slice's share differs most, and a small chart of the slice's share (the slice's colour) beside
//! the whole's (grey) in every bin. Built in the background once per slice, split and analysis.

use egui::{Rect, Sense, pos2, vec2};

use super::ErrorsView;
use super::background::{DistKey, Distributions};
use crate::gui::command::Command;
use crate::gui::theme;
use crate::gui::views::ViewCtx;
use crate::gui::widgets::column_list::kind_label;
use crate::metrics::distributions::{FeatureDistribution, Shape};

/// Height of one feature's line.
const ROW_HEIGHT: f32 = 40.0;

/// Width of the chart on each line.
const CHART_WIDTH: f32 = 300.0;

/// Widths of the text columns: feature, kind, TVD, largest gap.
const TEXT_WIDTHS: [f32; 4] = [130.0, 90.0, 56.0, 200.0];

impl ErrorsView {
    /// Draws the feature distributions of slice `name` (asking for them when needed).
    pub(super) fn distributions(
        &mut self,
        ui: &mut egui::Ui,
        cx: &ViewCtx<'_>,
        name: &str,
        out: &mut Vec<Command>,
    ) {
        let (Some(data), Some(an)) = (cx.data, cx.analysis) else {
            return;
        };
        let key = DistKey {
            name: name.to_string(),
            split: self.split,
            generation: an.generation,
            data: data.revision,
        };
        if cx.builds.distributions.wants(&key) {
            out.push(Command::BuildDistributions(key.clone()));
        }
        let Some(d) = cx.builds.distributions.result_for(&key) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Comparing feature distributions…");
            });
            return;
        };
        let color = slice_color(cx, name);
        show(ui, d, name, self.split.name(), color);
    }
}

/// The slice's own colour (`overall` and ground-truth slices get the first accent).
fn slice_color(cx: &ViewCtx<'_>, name: &str) -> egui::Color32 {
    let k = cx.session.slices.slices.iter().position(|s| s.name == name);
    theme::slice_color(k.unwrap_or(0))
}

/// The header, the column titles and one line per feature (only those in view are laid out).
fn show(ui: &mut egui::Ui, d: &Distributions, name: &str, split: &str, color: egui::Color32) {
    ui.label(format!(
        "{name}: {} of the {} rows of the {split} split, against all {}; features most different first",
        d.slice_rows, d.whole_rows, d.whole_rows
    ));
    if d.slice_rows == 0 {
        ui.weak("The slice has no rows in this split: choose another split.");
        return;
    }
    if d.features.is_empty() {
        ui.weak("No feature columns to compare.");
        return;
    }
    ui.horizontal(|ui| {
        let titles = [
            ("feature", "the column"),
            (
                "type",
                "numeric and date columns: histogram; others: one bar per value",
            ),
            (
                "TVD",
                "total variation distance: ½ Σ |slice share − whole share| over the bins",
            ),
            (
                "largest gap",
                "the bin whose share differs most: slice vs whole",
            ),
        ];
        for ((title, hover), w) in titles.into_iter().zip(TEXT_WIDTHS) {
            cell(ui, w, egui::RichText::new(title).strong()).on_hover_text(hover);
        }
        ui.colored_label(color, "■ slice");
        ui.colored_label(theme::NEUTRAL, "■ whole split");
    });
    egui::ScrollArea::vertical()
        .id_salt("distributions")
        .auto_shrink([false, false])
        .show_rows(ui, ROW_HEIGHT, d.features.len(), |ui, range| {
            for f in &d.features[range] {
                line(ui, f, color);
            }
        });
}

/// One feature: its texts and its chart.
fn line(ui: &mut egui::Ui, f: &FeatureDistribution, color: egui::Color32) {
    ui.horizontal(|ui| {
        ui.set_height(ROW_HEIGHT - ui.spacing().item_spacing.y);
        let gap = f.largest_gap().map_or(String::new(), |b| {
            format!("{}: {} vs {}", b.label, percent(b.slice), percent(b.whole))
        });
        let shape = match f.shape {
            Shape::Histogram => "histogram",
            Shape::Bars => "one bar per value",
        };
        let bins = format!("{}: {shape}, {} bins", kind_label(f.kind), f.bins.len());
        let texts = [
            (f.column.clone(), f.column.clone()),
            (kind_label(f.kind), bins),
            (format!("{:.3}", f.tvd), "total variation distance".into()),
            (gap.clone(), gap),
        ];
        for (i, ((t, hover), w)) in texts.into_iter().zip(TEXT_WIDTHS).enumerate() {
            let text = if i == 0 {
                egui::RichText::new(t).strong()
            } else {
                egui::RichText::new(t)
            };
            cell(ui, w, text).on_hover_text(hover);
        }
        chart(ui, f, color);
    });
}

/// A left-aligned text `w` wide, cut with `…` when longer.
fn cell(ui: &mut egui::Ui, w: f32, text: egui::RichText) -> egui::Response {
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    ui.allocate_ui_with_layout(vec2(w, 18.0), layout, |ui| {
        ui.set_width(w);
        ui.add(egui::Label::new(text).truncate())
    })
    .inner
}

/// Paired bars per bin: the slice's share in its colour, the whole's in grey, on one scale.
fn chart(ui: &mut egui::Ui, f: &FeatureDistribution, color: egui::Color32) {
    let size = vec2(CHART_WIDTH, ROW_HEIGHT - 8.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let n = f.bins.len().max(1) as f32;
    let top = f
        .bins
        .iter()
        .map(|b| b.slice.max(b.whole))
        .fold(0.0f64, f64::max)
        .max(1e-9) as f32;
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let slot = rect.width() / n;
    for (i, b) in f.bins.iter().enumerate() {
        let x = rect.left() + slot * i as f32;
        for (k, (share, fill)) in [(b.whole, theme::NEUTRAL), (b.slice, color)]
            .into_iter()
            .enumerate()
        {
            let h = rect.height() * share as f32 / top;
            let x0 = x + slot * (0.1 + 0.4 * k as f32);
            let bar = Rect::from_min_max(
                pos2(x0, rect.bottom() - h),
                pos2(x0 + slot * 0.4, rect.bottom()),
            );
            painter.rect_filled(bar, 0.0, fill);
        }
    }
    if let Some(pos) = response.hover_pos() {
        let i = (((pos.x - rect.left()) / slot) as usize).min(f.bins.len().saturating_sub(1));
        if let Some(b) = f.bins.get(i) {
            response.on_hover_text(format!(
                "{}: {}\nslice {} · whole {}",
                f.column,
                b.label,
                percent(b.slice),
                percent(b.whole)
            ));
        }
    }
}

/// A share as a percentage with one decimal.
fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}
