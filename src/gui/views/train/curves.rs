//! The Train tab's live curves: validation F1 per slice beside a list that switches runs and
//! slices on and off (a plot legend with 15 slices and four runs would cover the plot), and
//! the training loss terms. A slice keeps its colour across runs (the list shows it); runs differ
//! by line style. The mouse wheel scrolls the page; Ctrl+wheel zooms a plot.

use std::collections::BTreeSet;

use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints};

use crate::gui::theme;
use crate::gui::views::ViewCtx;
use crate::train::events::{EpochStats, LossBreakdown};

/// The curve of the whole validation split, listed with the slices.
const OVERALL: &str = "overall";

/// Draws the curves `width` points wide; `hidden` holds the side list's switches (runs,
/// slices).
pub fn show(
    ui: &mut egui::Ui,
    cx: &ViewCtx<'_>,
    width: f32,
    (hidden_runs, hidden_slices): (&mut BTreeSet<String>, &mut BTreeSet<String>),
) {
    if cx.curves.runs.is_empty() {
        ui.weak("Validation curves appear here while a run trains.");
        return;
    }
    ui.strong("Validation F1 per slice");
    let runs: Vec<&String> = cx.curves.runs.keys().collect();
    let slices = slice_names(cx);
    let list = theme::CURVE_LIST_WIDTH;
    let half = ((width - list) / 2.0 - 24.0).max(200.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(list);
            egui::ScrollArea::vertical()
                .id_salt("curve_list")
                .max_height(theme::PLOT_HEIGHT)
                .show(ui, |ui| {
                    let styles: Vec<Mark> = (0..runs.len()).map(Mark::Style).collect();
                    switches(ui, "Runs", &runs, &styles, hidden_runs);
                    ui.separator();
                    let colours: Vec<Mark> = (0..slices.len()).map(Mark::Colour).collect();
                    switches(ui, "Slices", &slices, &colours, hidden_slices);
                });
        });
        let strong = ui.visuals().strong_text_color();
        let colour = |j: usize| slice_colour(strong, j);
        plot("slice_f1_plot", "F1 (valid)", half)
            .include_y(1.0)
            .show(ui, |p| {
                for (k, (run, epochs)) in cx.curves.runs.iter().enumerate() {
                    if hidden_runs.contains(run) {
                        continue;
                    }
                    let style = run_style(k);
                    for (name, pts) in slice_lines(epochs) {
                        if hidden_slices.contains(&name) {
                            continue;
                        }
                        let j = slices.iter().position(|n| *n == name).unwrap_or(0);
                        let line = Line::new(format!("{run} · {name}"), pts)
                            .color(colour(j))
                            .style(style);
                        p.line(line);
                    }
                    if !hidden_slices.contains(OVERALL) {
                        let overall: PlotPoints = epochs
                            .iter()
                            .map(|e| [e.epoch as f64, e.valid_f1])
                            .collect();
                        let line = Line::new(format!("{run} · {OVERALL}"), overall)
                            .color(colour(0))
                            .style(style)
                            .width(2.5);
                        p.line(line);
                    }
                }
            });
        plot("loss_plot", "training loss", half)
            .legend(Legend::default())
            .show(ui, |p| {
                for (run, epochs) in &cx.curves.runs {
                    if !hidden_runs.contains(run) {
                        loss_lines(p, run, epochs);
                    }
                }
            });
    });
}

/// How an entry of the side list shows which lines are its own.
enum Mark {
    /// Run number `k`: its line style.
    Style(usize),
    /// Entry `j` of the slice list: its colour.
    Colour(usize),
}

/// The line style of run number `k`.
fn run_style(k: usize) -> LineStyle {
    match k % 3 {
        0 => LineStyle::Solid,
        1 => LineStyle::dashed_loose(),
        _ => LineStyle::dotted_loose(),
    }
}

/// The colour of entry `j` of the slice list: `overall` in `strong` (the text colour), slices
/// in the slice palette.
fn slice_colour(strong: egui::Color32, j: usize) -> egui::Color32 {
    match j {
        0 => strong,
        j => theme::slice_color(j - 1),
    }
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

/// A titled group of checkboxes, one per entry (ticked = drawn) after its colour or line style,
/// with all/none buttons.
fn switches<S: AsRef<str>>(
    ui: &mut egui::Ui,
    title: &str,
    entries: &[S],
    marks: &[Mark],
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
    for (e, mark) in entries.iter().zip(marks) {
        let name = e.as_ref();
        let mut on = !hidden.contains(name);
        ui.horizontal(|ui| {
            // A long name elides (whole on hover) instead of widening the list over the plots.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 12.0), egui::Sense::hover());
            match mark {
                Mark::Colour(j) => {
                    let colour = slice_colour(ui.visuals().strong_text_color(), *j);
                    ui.painter()
                        .rect_filled(rect.shrink2(egui::vec2(3.0, 0.0)), 2.0, colour);
                }
                Mark::Style(k) => {
                    let stroke = egui::Stroke::new(1.5, ui.visuals().text_color());
                    let (a, b) = (rect.left_center(), rect.right_center());
                    let shapes = match run_style(*k) {
                        LineStyle::Solid => vec![egui::Shape::line_segment([a, b], stroke)],
                        LineStyle::Dashed { length } => {
                            egui::Shape::dashed_line(&[a, b], stroke, length, length / 2.0)
                        }
                        LineStyle::Dotted { spacing } => {
                            egui::Shape::dotted_line(&[a, b], stroke.color, spacing, 1.0)
                        }
                    };
                    ui.painter().extend(shapes);
                }
            }
            if ui.checkbox(&mut on, name).on_hover_text(name).changed() {
                if on {
                    hidden.remove(name);
                } else {
                    hidden.insert(name.to_string());
                }
            }
        });
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
