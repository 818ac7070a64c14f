//! The Errors tab in aggregate mode: the same per-slice table, confusion matrix and per-class
//! table, from the counts DataFusion returned for the chosen prediction column; where the rows
//! would be, why there are none.

use super::ErrorsView;
use crate::gui::aggregate::{Aggregate, ROWS_OFF};
use crate::gui::command::Command;
use crate::gui::theme;
use crate::gui::views::{ViewCtx, per_class};
use crate::metrics::Metric;

impl ErrorsView {
    /// Draws the tab from `agg`'s reports.
    pub(super) fn aggregate_ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &ViewCtx<'_>,
        agg: &Aggregate,
        out: &mut Vec<Command>,
    ) {
        ui.label(agg.describe());
        recount_row(ui, cx, agg, out);
        skipped_lines(ui, agg);
        let Some(col) = agg.report(self.pred_column.as_deref()) else {
            ui.label("No prediction column was counted.");
            return;
        };
        let report = &col.report;
        let n_classes = report.classes.len();
        let metric = self.metric.unwrap_or(Metric::default_for(n_classes));
        ui.horizontal(|ui| {
            let preds = ui.label("Prediction column:");
            if agg.reports.len() > 1 {
                egui::ComboBox::from_id_salt("aggregate_pred")
                    .selected_text(&col.pred)
                    .show_ui(ui, |ui| {
                        for r in &agg.reports {
                            let on = r.pred == col.pred;
                            if ui.selectable_label(on, &r.pred).clicked() {
                                self.pred_column = Some(r.pred.clone());
                            }
                        }
                    })
                    .response
                    .labelled_by(preds.id);
            } else {
                ui.strong(&col.pred);
            }
            ui.weak(format!(
                "all rows of the files (no split) · {:.2} s",
                col.secs
            ));
            ui.separator();
            self.metric_combo(ui, metric);
        });
        if !self.slice_table(ui, cx, report, (metric, n_classes), out) {
            return;
        }
        let selected = cx.session.selected.as_deref();
        let Some(m) = selected.and_then(|n| report.rows.iter().find(|m| m.name == n)) else {
            ui.weak("Select a slice (click its name) to see its confusion matrix.");
            ui.label(ROWS_OFF);
            return;
        };
        ui.horizontal_top(|ui| {
            per_class::confusion(ui, m, &report.classes);
            ui.separator();
            per_class::table(ui, m);
        });
        ui.separator();
        ui.label(ROWS_OFF);
    }
}

/// One line per slice that could not be counted on these files, with the first line of why.
fn skipped_lines(ui: &mut egui::Ui, agg: &Aggregate) {
    for s in &agg.skipped {
        let why = s.reason.lines().next().unwrap_or_default();
        ui.colored_label(theme::BAD, format!("Not counted: {} ({why})", s.name));
    }
}

/// Recount (or its progress and Cancel), and a warning when the slices changed since the count.
fn recount_row(ui: &mut egui::Ui, cx: &ViewCtx<'_>, agg: &Aggregate, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if let Some(text) = &cx.aggregate_counting {
            ui.spinner();
            ui.label(text);
            if ui.button("Cancel").clicked() {
                out.push(Command::CancelAggregate);
            }
            return;
        }
        if ui
            .button("Recount")
            .on_hover_text("Counts the current slices again over every row of the files")
            .clicked()
        {
            out.push(Command::Recount);
        }
        if agg.stale(cx.session) {
            ui.colored_label(
                theme::BAD,
                "The slices changed since this count: Recount to update the table (a recount \
                 reads every file again).",
            );
        }
    });
}
