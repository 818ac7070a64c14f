//! The Train view's encoder choice: with an embedded text column, how many of the encoder's top
//! layers train jointly with the model (`TrainConfig::tune_layers`) and at what learning rate.

use super::ViewCtx;
use crate::train::config::TrainConfig;

/// Layers the encoder choice offers to tune (an encoder with fewer is refused at start).
const MAX_TUNED_LAYERS: usize = 4;

/// With an embedded text column: how many of the encoder's top layers train with the model,
/// and their learning rate.
pub fn encoder_settings(ui: &mut egui::Ui, t: &mut TrainConfig, cx: &ViewCtx<'_>) {
    let Some(record) = cx.data.and_then(|d| d.ds.embedding.as_ref()) else {
        t.tune_layers = 0;
        return;
    };
    let name = |n: usize| match n {
        0 => "frozen".to_string(),
        n => format!("tune top {n}"),
    };
    ui.horizontal(|ui| {
        ui.label(format!("Encoder of '{}':", record.column))
            .on_hover_text(record.encoder.display().to_string());
        egui::ComboBox::new("tune_layers", "layers tuned")
            .selected_text(name(t.tune_layers))
            .show_ui(ui, |ui| {
                for n in 0..=MAX_TUNED_LAYERS {
                    ui.selectable_value(&mut t.tune_layers, n, name(n));
                }
            })
            .response
            .on_hover_text(
                "Train the encoder's top layers jointly with the model (the lower layers run \
                 once); frozen keeps the embedding as opened",
            );
        if t.tune_layers > 0 {
            let label = ui.label("Encoder learning rate");
            ui.add(
                egui::DragValue::new(&mut t.encoder_lr)
                    .range(1e-7..=1e-2)
                    .speed(1e-6)
                    .max_decimals(7),
            )
            .labelled_by(label.id);
        }
    });
}
