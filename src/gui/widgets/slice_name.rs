//! A slice's name as a selectable label of capped width: a long auto-generated name elides
//! instead of widening its panel or table, and shows whole on hover.

use crate::gui::theme;

/// Draws `name` (its text may carry a colour) as a selectable label at most
/// [`theme::SLICE_NAME_MAX_WIDTH`] wide, the whole name in its tooltip.
pub fn slice_name(ui: &mut egui::Ui, name: egui::RichText, selected: bool) -> egui::Response {
    let full = name.text().to_string();
    ui.scope(|ui| {
        ui.set_max_width(theme::SLICE_NAME_MAX_WIDTH);
        ui.add(egui::Button::selectable(selected, name).truncate())
    })
    .inner
    .on_hover_text(full)
}
