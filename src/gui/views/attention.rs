//! The Indicators tab's attention heatmap: for the first rows of the selected slice (test
//! split), the weight each expert gets, with the value in each cell, a colour scale, and the
//! row, expert and weight on hover.

use crate::data::Split;
use crate::gui::theme;
use crate::gui::views::ViewCtx;

/// Rows shown in the attention heatmap.
const ATTENTION_ROWS: usize = 40;
/// Width of the row labels' column.
const ROW_LABELS: f32 = 60.0;
/// Height of the expert names' row.
const HEADER: f32 = 18.0;
/// Size of one cell, in points: room for a two-decimal value.
const CELL: egui::Vec2 = egui::vec2(48.0, 16.0);

/// Draws the colour scale and the heatmap (nothing for a model without attention).
pub fn attention(ui: &mut egui::Ui, cx: &ViewCtx<'_>) {
    let (Some(data), Some(pred)) = (cx.data, cx.predicted) else {
        return;
    };
    let slots = pred.slots.len();
    if pred.attention.is_empty() || slots == 0 {
        return;
    }
    let ds = &data.ds;
    let mask = cx.session.selected.as_ref().and_then(|s| {
        let k = cx.session.slices.slices.iter().position(|d| d.name == *s)?;
        cx.analysis?.masks.get(k)
    });
    let rows: Vec<usize> = ds
        .indices(Split::Test)
        .into_iter()
        .filter(|&i| mask.is_none_or(|m| m.get(i)))
        .take(ATTENTION_ROWS)
        .collect();
    let which = cx.session.selected.clone().unwrap_or_else(|| "test".into());
    ui.strong(format!(
        "Attention weights: first {} rows of {which} (rows × experts)",
        rows.len()
    ));
    scale(ui);
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(
            CELL.x * slots as f32 + ROW_LABELS,
            CELL.y * rows.len() as f32 + HEADER,
        ),
        egui::Sense::hover(),
    );
    let weight = |r: usize, j: usize| -> Option<f32> {
        let i = *rows.get(r)?;
        pred.attention.get(i * slots + j).copied()
    };
    let p = ui.painter();
    let text = ui.visuals().text_color();
    for (j, name) in pred.slots.iter().enumerate() {
        let pos = rect.min + egui::vec2(ROW_LABELS + CELL.x * (j as f32 + 0.5), 0.0);
        let font = egui::FontId::proportional(11.0);
        p.text(pos, egui::Align2::CENTER_TOP, name, font, text);
    }
    for (r, &i) in rows.iter().enumerate() {
        let y = rect.min.y + HEADER + CELL.y * r as f32;
        let wrong = pred.classes[i] != ds.y[i];
        p.text(
            egui::pos2(rect.min.x, y + CELL.y / 2.0),
            egui::Align2::LEFT_CENTER,
            format!("#{i}{}", if wrong { " ✗" } else { "" }),
            egui::FontId::proportional(10.0),
            theme::MUTED,
        );
        for j in 0..slots {
            let a = weight(r, j).unwrap_or(0.0);
            let min = egui::pos2(rect.min.x + ROW_LABELS + CELL.x * j as f32, y);
            let cell = egui::Rect::from_min_size(min, CELL - egui::vec2(1.0, 1.0));
            p.rect_filled(cell, 0.0, theme::heat(f64::from(a)));
            // Dark text on the light end of the ramp, light text on the dark end.
            let ink = if a > 0.6 {
                egui::Color32::WHITE
            } else {
                egui::Color32::BLACK
            };
            let font = egui::FontId::monospace(10.0);
            p.text(
                cell.center(),
                egui::Align2::CENTER_CENTER,
                format!("{a:.2}"),
                font,
                ink,
            );
        }
    }
    if let Some(pos) = response.hover_pos() {
        let r = ((pos.y - rect.min.y - HEADER) / CELL.y).floor();
        let j = ((pos.x - rect.min.x - ROW_LABELS) / CELL.x).floor();
        if r >= 0.0 && j >= 0.0 && (j as usize) < slots {
            let (r, j) = (r as usize, j as usize);
            if let (Some(a), Some(&i)) = (weight(r, j), rows.get(r)) {
                let expert = &pred.slots[j];
                response
                    .on_hover_text_at_pointer(format!("row #{i} · expert {expert}: weight {a:.3}"));
            }
        }
    }
}

/// The colour scale: the ramp from 0 to 1 with its ends and middle labelled.
fn scale(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label("attention weight");
        ui.label("0");
        let (rect, _) = ui.allocate_exact_size(egui::vec2(160.0, 12.0), egui::Sense::hover());
        let steps = 32;
        let w = rect.width() / steps as f32;
        for k in 0..steps {
            let t = (k as f64 + 0.5) / steps as f64;
            let min = rect.min + egui::vec2(w * k as f32, 0.0);
            let cell = egui::Rect::from_min_size(min, egui::vec2(w + 0.5, rect.height()));
            ui.painter().rect_filled(cell, 0.0, theme::heat(t));
        }
        ui.label("1");
    });
}
