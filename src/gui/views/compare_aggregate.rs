//! The Compare tab in aggregate mode: the prediction columns counted by DataFusion side by
//! side, per slice (the chosen metric with each slice's row count), and a grouped bar chart.

use egui_plot::{Bar, BarChart, Legend, Plot};

use super::compare::{GROUP_MIN_WIDTH, LABEL_CHAR_WIDTH, elide, group_axis, group_marks};
use crate::gui::aggregate::Aggregate;
use crate::gui::theme;
use crate::metrics::Metric;
use crate::metrics::text::{UNDEFINED, num, percent};

/// Draws the comparison of `agg`'s prediction columns by `metric` (`None`: the task's default).
pub fn show(ui: &mut egui::Ui, agg: &Aggregate, metric: &mut Option<Metric>) {
    let Some(first) = agg.reports.first() else {
        ui.label("No prediction column was counted.");
        return;
    };
    let chosen = metric.unwrap_or(Metric::default_for(first.report.classes.len()));
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Prediction columns of {} side by side · all rows of the files · counted by \
             DataFusion",
            agg.pattern
        ));
        egui::ComboBox::from_label("metric")
            .selected_text(chosen.label())
            .show_ui(ui, |ui| {
                for m in Metric::ALL {
                    ui.selectable_value(metric, Some(m), m.label());
                }
            });
    });
    // Slices in the first column's order; every column counted the same slice set.
    let names: Vec<&str> = first.report.rows.iter().map(|r| r.name.as_str()).collect();
    egui::ScrollArea::both()
        .id_salt("compare_aggregate_table")
        .max_height(ui.available_height() * 0.45)
        .show(ui, |ui| table(ui, agg, &names, chosen));
    ui.separator();
    chart(ui, agg, &names, chosen);
}

/// The metric's value as the Errors table writes it.
fn cell(v: Option<f64>, metric: Metric) -> String {
    match (v, metric) {
        (None, _) => UNDEFINED.into(),
        (Some(_), Metric::ErrorRate) => percent(v),
        (Some(_), _) => num(v),
    }
}

fn table(ui: &mut egui::Ui, agg: &Aggregate, names: &[&str], metric: Metric) {
    egui::Grid::new("compare_aggregate_grid")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("slice");
            ui.strong("n");
            for r in &agg.reports {
                ui.strong(format!("{} {}", r.pred, metric.label()));
            }
            ui.end_row();
            for name in names {
                ui.label(*name);
                let n = (agg.reports.first())
                    .and_then(|r| r.report.row(name))
                    .map_or(0, |m| m.scores.support);
                ui.label(n.to_string());
                let values: Vec<Option<f64>> = (agg.reports.iter())
                    .map(|r| r.report.row(name).and_then(|m| m.value(metric)))
                    .collect();
                // The best column of the row stands out (ties: each of them).
                let best = values
                    .iter()
                    .flatten()
                    .copied()
                    .reduce(|a, b| if metric.worse(a, b) { b } else { a });
                for v in values {
                    let text = cell(v, metric);
                    if v.is_some() && v == best && agg.reports.len() > 1 {
                        ui.colored_label(theme::GOOD, text);
                    } else {
                        ui.label(text);
                    }
                }
                ui.end_row();
            }
        });
}

fn chart(ui: &mut egui::Ui, agg: &Aggregate, names: &[&str], metric: Metric) {
    let labels_width = ui
        .available_width()
        .max(GROUP_MIN_WIDTH * names.len() as f32);
    let spacing = (labels_width - 60.0) / (names.len().max(1) as f32 * 1.15);
    let chars = (spacing / LABEL_CHAR_WIDTH).floor() as usize;
    let labels: Vec<String> = names.iter().map(|g| elide(g, chars.max(4))).collect();
    let axis = group_axis(labels);
    let width = 0.8 / agg.reports.len().max(1) as f64;
    let height = (ui.available_height() - 24.0).max(180.0);
    egui::ScrollArea::horizontal()
        .id_salt("compare_aggregate_chart_scroll")
        .show(ui, |ui| {
            Plot::new("compare_aggregate_chart")
                // Top left: a wide chart scrolls, and its right edge starts out of view.
                .legend(Legend::default().position(egui_plot::Corner::LeftTop))
                .width(labels_width)
                .height(height)
                .include_y(0.0)
                .include_y(1.0)
                .allow_scroll(false)
                .y_axis_label(metric.label())
                .custom_x_axes(vec![axis])
                .x_grid_spacer(group_marks)
                .show(ui, |p| {
                    for (j, r) in agg.reports.iter().enumerate() {
                        let bars = (names.iter().enumerate())
                            .map(|(g, name)| {
                                // An undefined value has no bar; the table shows `–`.
                                let v = r.report.row(name).and_then(|m| m.value(metric));
                                let x = g as f64 - 0.4 + width * (j as f64 + 0.5);
                                Bar::new(x, v.unwrap_or(0.0))
                                    .width(width * 0.9)
                                    .name(format!("{} · {name}", r.pred))
                            })
                            .collect();
                        p.bar_chart(
                            BarChart::new(r.pred.clone(), bars).color(theme::slice_color(j)),
                        );
                    }
                });
        });
}
