//! The selected slice's confusion matrix and per-class table (Errors tab).

use crate::gui::theme;
use crate::metrics::SliceMetrics;
use crate::metrics::text::num;

/// The confusion matrix of `m` (rows: true class, columns: predicted).
pub fn confusion(ui: &mut egui::Ui, m: &SliceMetrics, classes: &[String]) {
    ui.vertical(|ui| {
        ui.strong(format!(
            "Confusion of {} (rows: true, columns: predicted)",
            m.name
        ));
        let c = classes.len().max(1);
        egui::Grid::new("confusion_grid")
            .striped(true)
            .show(ui, |ui| {
                ui.label("");
                classes.iter().for_each(|k| {
                    ui.strong(k);
                });
                ui.end_row();
                for t in 0..c {
                    ui.strong(classes.get(t).map_or("?", String::as_str));
                    for p in 0..c {
                        let n = m.confusion.get(t * c + p).copied().unwrap_or(0);
                        let color = if t == p {
                            theme::GOOD
                        } else if n > 0 {
                            theme::BAD
                        } else {
                            theme::MUTED
                        };
                        ui.colored_label(color, n.to_string());
                    }
                    ui.end_row();
                }
            });
    });
}

/// Support, predictions, precision, recall and F1 of each class within `m`.
pub fn table(ui: &mut egui::Ui, m: &SliceMetrics) {
    ui.vertical(|ui| {
        ui.strong(format!("Per class in {}", m.name));
        egui::Grid::new("per_class_grid")
            .striped(true)
            .show(ui, |ui| {
                for h in ["class", "support", "predicted", "precision", "recall", "F1"] {
                    ui.strong(h);
                }
                ui.end_row();
                for c in &m.per_class {
                    // A class without rows here does not enter the slice's macro averages.
                    let color = if c.support == 0 {
                        theme::MUTED
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.colored_label(color, &c.class);
                    for v in [
                        c.support.to_string(),
                        c.predicted.to_string(),
                        num(c.precision),
                        num(c.recall),
                        num(c.f1),
                    ] {
                        ui.colored_label(color, v);
                    }
                    ui.end_row();
                }
            });
    });
}
