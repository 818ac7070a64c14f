//! The Compare tab: every trained model grouped by method and settings (mean ± std over distinct
//! seeds on the test split; cancelled and diverged runs listed, not averaged), lift over Vanilla,
//! parameter counts, a grouped bar chart, and exports.

use egui_plot::{Bar, BarChart, Legend, Plot};
use serde::{Deserialize, Serialize};

use super::ViewCtx;
use crate::gui::command::{Command, FilePurpose};
use crate::gui::models;
use crate::gui::theme;
use crate::metrics::text::UNDEFINED;
use crate::summary::{MethodReport, Report, SliceSummary};

/// The Compare tab.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareView {
    /// The report and the [`ViewCtx::models_revision`] it was made from (rebuilt only when the
    /// list changes: without a Vanilla model, summarising builds one to count its parameters).
    #[serde(skip)]
    cache: Option<(u64, Report)>,
    /// Which score orders the methods, best first.
    pub sort: SortBy,
    /// Aggregate mode: the metric the prediction columns are compared by (`None`: the task's).
    #[serde(skip)]
    aggregate_metric: Option<crate::metrics::Metric>,
}

/// The score the Compare table is ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortBy {
    /// Training order (methods as trained).
    #[default]
    Trained,
    /// Overall score.
    Overall,
    /// The worst slice's score.
    WorstSlice,
    /// The mean slice score.
    MeanSlice,
}

impl SortBy {
    const ALL: [SortBy; 4] = [
        SortBy::Trained,
        SortBy::Overall,
        SortBy::WorstSlice,
        SortBy::MeanSlice,
    ];

    fn label(self) -> &'static str {
        match self {
            SortBy::Trained => "training order",
            SortBy::Overall => "overall",
            SortBy::WorstSlice => "worst slice",
            SortBy::MeanSlice => "mean slice",
        }
    }

    /// The methods of `report` in this order (undefined scores last).
    fn order(self, report: &Report) -> Vec<&MethodReport> {
        let mut methods: Vec<&MethodReport> = report.methods.iter().collect();
        let metric = report.metric;
        let key = |m: &MethodReport| -> Option<f64> {
            match self {
                SortBy::Trained => None,
                SortBy::Overall => m.overall.get(metric).map(|v| v.mean),
                SortBy::WorstSlice => m.worst_slice.map(|v| v.mean),
                SortBy::MeanSlice => m.mean_slice.map(|v| v.mean),
            }
        };
        if self != SortBy::Trained {
            // Stable: ties keep training order; better first by the metric's direction.
            methods.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) if metric.worse(y, x) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) if metric.worse(x, y) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                _ => std::cmp::Ordering::Equal,
            });
        }
        methods
    }
}

fn slice_f1(m: &MethodReport, name: &str) -> Option<f64> {
    m.slice(name).and_then(|s| s.scores.f1).map(|f| f.mean)
}

/// `0.806 ± 0.071`, with `(n=k)` where fewer of the group's runs have the slice or a defined F1.
fn slice_cell(m: &MethodReport, s: &SliceSummary) -> String {
    match &s.scores.f1 {
        Some(f) if f.n < m.seeds.len() => format!("{f} (n={})", f.n),
        Some(f) => f.to_string(),
        None => UNDEFINED.into(),
    }
}

/// (max, average) F1 lift of `m` over `vanilla` across the `names` where both are defined.
fn lift(m: &MethodReport, vanilla: &MethodReport, names: &[String]) -> Option<(f64, f64)> {
    let d: Vec<f64> = names
        .iter()
        .filter_map(|n| Some(slice_f1(m, n)? - slice_f1(vanilla, n)?))
        .collect();
    let max = d.iter().copied().reduce(f64::max)?;
    Some((max, d.iter().sum::<f64>() / d.len() as f64))
}

impl CompareView {
    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        if let Some(agg) = cx.aggregate {
            return super::compare_aggregate::show(ui, agg, &mut self.aggregate_metric);
        }
        let revision = cx.models_revision;
        if self.cache.as_ref().is_none_or(|(r, _)| *r != revision) {
            self.cache = Some((revision, models::compare(cx.models)));
        }
        let Some((_, report)) = &self.cache else {
            return;
        };
        if report.methods.is_empty() {
            ui.label("Train models in the Train tab; their scores are compared here.");
            return;
        }
        // Wrapped: a row wider than the tab would widen it, and the table would not scroll.
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "Test split of {} · mean ± std over distinct seeds of one method and settings",
                report.dataset
            ));
            if ui.button("Export table…").clicked() {
                out.push(Command::PickFile(FilePurpose::ExportTable));
            }
            if ui.button("Export chart…").clicked() {
                out.push(Command::PickFile(FilePurpose::ExportChart));
            }
            let sort = ui.label("Sort by");
            egui::ComboBox::from_id_salt("compare_sort")
                .selected_text(self.sort.label())
                .show_ui(ui, |ui| {
                    for s in SortBy::ALL {
                        ui.selectable_value(&mut self.sort, s, s.label());
                    }
                })
                .response
                .labelled_by(sort.id);
        });
        let slices: Vec<String> = report
            .slice_names()
            .into_iter()
            .map(|(n, _)| n.to_string())
            .collect();
        egui::ScrollArea::horizontal()
            .id_salt("compare_table")
            .show(ui, |ui| {
                table(ui, report, &self.sort.order(report), &slices)
            });
        for line in &report.notes {
            ui.weak(line);
        }
        if !report.not_averaged.is_empty() {
            ui.weak(format!("Not averaged: {}", report.not_averaged.join("; ")));
        }
        ui.separator();
        chart(ui, report, &slices);
    }
}

fn table(ui: &mut egui::Ui, report: &Report, methods: &[&MethodReport], names: &[String]) {
    let metric = report.metric.label();
    egui::Grid::new("compare_grid")
        .striped(true)
        .show(ui, |ui| {
            for h in ["method", "seeds", "params", "Δ params"] {
                ui.strong(h);
            }
            // The overall, worst and mean columns use the report's metric, which is also what
            // "Sort by" orders them by; the per-slice columns and the chart are F1.
            ui.strong(format!("overall {metric}"));
            ui.strong(format!("worst slice {metric}")).on_hover_text(
                "The lowest slice score of each run (ground-truth slices when there are any, \
                 else the SF slices), mean ± std over seeds",
            );
            ui.strong(format!("mean slice {metric}"));
            names.iter().for_each(|n| {
                ui.strong(format!("{n} F1"));
            });
            ui.strong("max lift");
            ui.strong("avg lift");
            ui.end_row();
            for m in methods {
                ui.label(m.label());
                ui.label(m.seeds.len().to_string())
                    .on_hover_text(format!("seeds {:?}", m.seeds));
                ui.label(m.params.to_string());
                ui.label(format!("{:+.0}%", 100.0 * m.param_increase));
                ui.label(crate::summary::show(m.overall.get(report.metric)));
                ui.label(crate::summary::show(m.worst_slice.as_ref()));
                ui.label(crate::summary::show(m.mean_slice.as_ref()));
                for n in names {
                    match m.slice(n) {
                        Some(s) => ui.label(slice_cell(m, s)),
                        None => ui.label(UNDEFINED),
                    };
                }
                let base = report.baseline(m).filter(|v| v.method != m.method);
                match base.and_then(|v| lift(m, v, names)) {
                    Some((max, avg)) => {
                        for x in [max, avg] {
                            let c = if x >= 0.0 { theme::GOOD } else { theme::BAD };
                            ui.colored_label(c, format!("{x:+.3}"));
                        }
                    }
                    None => {
                        ui.label(UNDEFINED);
                        ui.label(UNDEFINED);
                    }
                }
                ui.end_row();
            }
        });
}

/// Narrowest a bar group is drawn: the chart scrolls sideways rather than squeeze the groups
/// until their axis labels no longer fit.
pub(super) const GROUP_MIN_WIDTH: f32 = 100.0;
/// A generous width of one character of an axis label, in points.
pub(super) const LABEL_CHAR_WIDTH: f32 = 8.5;

/// `name`, cut to at most `max` characters with an ellipsis.
pub(super) fn elide(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let kept: String = name.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// One grid mark per bar group (every whole number in view), so every group gets its label.
pub(super) fn group_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = input.bounds;
    let (lo, hi) = (lo.ceil().max(0.0), hi.floor());
    let count = if hi >= lo { (hi - lo) as usize + 1 } else { 0 };
    (0..count.min(10_000))
        .map(|k| egui_plot::GridMark {
            value: lo + k as f64,
            step_size: 1.0,
        })
        .collect()
}

fn chart(ui: &mut egui::Ui, report: &Report, names: &[String]) {
    let groups: Vec<String> = std::iter::once("overall".to_string())
        .chain(names.iter().cloned())
        .collect();
    let width = 0.8 / report.methods.len().max(1) as f64;
    let plot_width = ui
        .available_width()
        .max(GROUP_MIN_WIDTH * groups.len() as f32);
    // The y axis takes about 60 points and the plot leaves a margin around the groups.
    let spacing = (plot_width - 60.0) / (groups.len() as f32 * 1.15);
    let chars = (spacing / LABEL_CHAR_WIDTH).floor() as usize;
    let labels: Vec<String> = groups.iter().map(|g| elide(g, chars.max(4))).collect();
    let height = (ui.available_height() - 24.0).max(180.0);
    egui::ScrollArea::horizontal()
        .id_salt("compare_chart_scroll")
        .show(ui, |ui| {
            bars(ui, report, &groups, labels, (plot_width, height), width)
        });
}

/// The grouped bar chart itself, `size` points, every group labelled on the x axis.
/// An x axis naming bar group `i` (at x = i) `labels[i]`, and nothing between groups.
pub(super) fn group_axis(labels: Vec<String>) -> egui_plot::AxisHints<'static> {
    egui_plot::AxisHints::new_x()
        // Groups are one unit apart and at least GROUP_MIN_WIDTH wide: no label is dropped.
        .label_spacing(10.0..=20.0)
        .formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
}

fn bars(
    ui: &mut egui::Ui,
    report: &Report,
    groups: &[String],
    labels: Vec<String>,
    (plot_width, height): (f32, f32),
    width: f64,
) {
    let axis = group_axis(labels);
    Plot::new("compare_chart")
        .legend(Legend::default())
        .width(plot_width)
        .height(height)
        .include_y(0.0)
        .include_y(1.0)
        .allow_scroll(false)
        .y_axis_label("F1 (test)")
        .custom_x_axes(vec![axis])
        .x_grid_spacer(group_marks)
        .show(ui, |p| {
            for (j, m) in report.methods.iter().enumerate() {
                let bars = groups
                    .iter()
                    .enumerate()
                    .map(|(g, name)| {
                        // An undefined F1 has no bar (height 0); the table shows `–`.
                        let v = if g == 0 {
                            m.overall.f1.map_or(0.0, |f| f.mean)
                        } else {
                            slice_f1(m, name).unwrap_or(0.0)
                        };
                        let x = g as f64 - 0.4 + width * (j as f64 + 0.5);
                        Bar::new(x, v)
                            .width(width * 0.9)
                            .name(format!("{} · {name}", m.label()))
                    })
                    .collect();
                p.bar_chart(
                    BarChart::new(m.label().to_string(), bars).color(theme::slice_color(j)),
                );
            }
        });
}
