//! The Train tab's live curves: validation F1 per slice beside a list that switches runs and
//! slices on and off (a plot legend with 15 slices and four runs would cover the plot), and
//! the training loss terms. The mouse wheel scrolls the page; Ctrl+wheel zooms a plot.

use std::collections::BTreeSet;

use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::gui::theme;
use crate::gui::views::ViewCtx;
use crate::train::events::{EpochStats, LossBreakdown};

/// The curve of the whole validation split, listed with the slices.
const OVERALL: &str = "overall";

/// Draws the curves; `hidden_runs` and `hidden_slices` are the side list's switches.
pub fn show(
    ui: &mut egui::Ui,
    cx: &ViewCtx<'_>,
    hidden_runs: &mut BTreeSet<String>,
    hidden_slices: &mut BTreeSet<String>,
) {
    if cx.curves.runs.is_empty() {
        ui.weak("Validation curves appear here while a run trains.");
        return;
    }
    ui.strong("Validation F1 per slice");
    let runs: Vec<&String> = cx.curves.runs.keys().collect();
    let slices = slice_names(cx);
    let list = theme::CURVE_LIST_WIDTH;
    let half = ((ui.available_width() - list) / 2.0 - 16.0).max(200.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(list);
            egui::ScrollArea::vertical()
                .id_salt("curve_list")
                .max_height(theme::PLOT_HEIGHT)
                .show(ui, |ui| {
                    switches(ui, "Runs", &runs, hidden_runs);
                    ui.separator();
                    switches(ui, "Slices", &slices, hidden_slices);
                });
        });
        let shown_runs = || {
            cx.curves
                .runs
                .iter()
                .filter(|(run, _)| !hidden_runs.contains(*run))
        };
        plot("slice_f1_plot", "F1 (valid)", half)
            .include_y(1.0)
            .show(ui, |p| {
                for (run, epochs) in shown_runs() {
                    for (name, pts) in slice_lines(epochs) {
                        if !hidden_slices.contains(&name) {
                            p.line(Line::new(format!("{run} · {name}"), pts));
                        }
                    }
                    if !hidden_slices.contains(OVERALL) {
                        let overall: PlotPoints = epochs
                            .iter()
                            .map(|e| [e.epoch as f64, e.valid_f1])
                            .collect();
                        p.line(Line::new(format!("{run} · {OVERALL}"), overall).width(2.5));
                    }
                }
            });
        plot("loss_plot", "training loss", half)
            .legend(Legend::default())
            .show(ui, |p| {
                for (run, epochs) in shown_runs() {
                    loss_lines(p, run, epochs);
                }
            });
    });
}

/// A plot of the tab: the page scrolls under the wheel, Ctrl+wheel zooms.
fn plot<'a>(id: &'a str, y_label: &'a str, width: f32) -> Plot<'a> {
    Plot::new(id)
        .height(theme::PLOT_HEIGHT)
        .width(width)
        .include_y(0.0)
        .allow_scroll(false)
        .x_axis_label("epoch")
        .y_axis_label(y_label)
}

/// `overall` and every slice any run reports, in first-seen order.
fn slice_names(cx: &ViewCtx<'_>) -> Vec<String> {
    let mut names = vec![OVERALL.to_string()];
    for epochs in cx.curves.runs.values() {
        for (n, _) in epochs.last().map_or(&[][..], |e| &e.slice_f1[..]) {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// A titled group of checkboxes, one per entry (ticked = drawn), with all/none buttons.
fn switches<S: AsRef<str>>(
    ui: &mut egui::Ui,
    title: &str,
    entries: &[S],
    hidden: &mut BTreeSet<String>,
) {
    ui.horizontal(|ui| {
        ui.strong(title);
        if ui.small_button("all").clicked() {
            entries.iter().for_each(|e| {
                hidden.remove(e.as_ref());
            });
        }
        if ui.small_button("none").clicked() {
            hidden.extend(entries.iter().map(|e| e.as_ref().to_string()));
        }
    });
    for e in entries {
        let name = e.as_ref();
        let mut on = !hidden.contains(name);
        if ui.checkbox(&mut on, name).changed() {
            if on {
                hidden.remove(name);
            } else {
                hidden.insert(name.to_string());
            }
        }
    }
}

/// Each slice's validation F1 over the epochs of one run.
fn slice_lines(epochs: &[EpochStats]) -> Vec<(String, PlotPoints<'static>)> {
    let names: Vec<&String> = epochs
        .last()
        .map(|e| e.slice_f1.iter().map(|(n, _)| n).collect())
        .unwrap_or_default();
    names
        .into_iter()
        .enumerate()
        .map(|(j, name)| {
            let pts: PlotPoints = epochs
                .iter()
                .filter_map(|e| e.slice_f1.get(j).map(|(_, f)| [e.epoch as f64, *f]))
                // An epoch where the slice's F1 is undefined leaves a gap.
                .filter(|p| p[1].is_finite())
                .collect();
            (name.clone(), pts)
        })
        .collect()
}

/// The loss terms of one run (the slice terms only for methods that have them).
fn loss_lines(p: &mut egui_plot::PlotUi<'_>, run: &str, epochs: &[EpochStats]) {
    let term = |f: fn(&LossBreakdown) -> f64| -> PlotPoints {
        epochs
            .iter()
            .map(|e| [e.epoch as f64, f(&e.loss)])
            .collect()
    };
    p.line(Line::new(format!("{run} · total"), term(|l| l.total)));
    if epochs.iter().any(|e| e.loss.indicator > 0.0) {
        p.line(Line::new(format!("{run} · base"), term(|l| l.base)));
        p.line(Line::new(
            format!("{run} · indicator"),
            term(|l| l.indicator),
        ));
        p.line(Line::new(
            format!("{run} · slice pred"),
            term(|l| l.slice_pred),
        ));
    }
}
