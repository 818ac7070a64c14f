//! The Errors tab: the per-slice error table (sortable with `overall` pinned on top; slices
//! flagged by the chosen metric and its bootstrap interval), the selected slice's confusion
//! matrix and per-class table, and its rows with a misclassified-only filter.

use serde::{Deserialize, Serialize};

use super::ViewCtx;
use super::error_cells::{cells, legend};
use super::per_class;
use crate::data::{ColumnKind, Split};
use crate::gui::command::Command;
use crate::gui::theme;
use crate::metrics::{Metric, SliceMetrics};
use crate::slices::SliceDef;
use crate::slices::build::equals_expr;
use crate::slices::name::auto_name;

/// Sortable columns of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortBy {
    /// Table order (overall first, then slices).
    Slice,
    /// Rows in the slice.
    Support,
    /// Fraction of the split.
    Coverage,
    /// Accuracy.
    Accuracy,
    /// Precision.
    Precision,
    /// Recall.
    Recall,
    /// F1.
    F1,
    /// MCC.
    Mcc,
    /// Error rate.
    ErrorRate,
    /// The chosen metric minus overall.
    Diff,
}

const COLUMNS: [(&str, SortBy); 10] = [
    ("slice", SortBy::Slice),
    ("support", SortBy::Support),
    ("coverage", SortBy::Coverage),
    ("accuracy", SortBy::Accuracy),
    ("precision", SortBy::Precision),
    ("recall", SortBy::Recall),
    ("F1", SortBy::F1),
    ("MCC", SortBy::Mcc),
    ("error rate", SortBy::ErrorRate),
    ("Δ", SortBy::Diff),
];

/// The Errors tab.
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorsView {
    /// Which split is scored.
    pub split: Split,
    /// Sort column and direction.
    pub sort: (SortBy, bool),
    /// Show only misclassified rows of the selected slice.
    pub misclassified_only: bool,
    /// The metric that ranks (Δ) and flags slices; `None` follows the task (F1 for binary
    /// labels, error rate for multi-class).
    pub metric: Option<Metric>,
    #[serde(skip)]
    offer: Option<(String, String, bool)>,
    /// Rows of the selected slice, and what they were computed for (recomputed only on change,
    /// since a scan of a million rows per frame would stall the UI).
    #[serde(skip)]
    rows_cache: Option<(RowsKey, std::sync::Arc<Vec<usize>>)>,
}

/// What the row list of the selected slice depends on.
#[derive(PartialEq, Clone)]
struct RowsKey {
    name: String,
    split: Split,
    misclassified_only: bool,
    generation: u64,
    pred: u64,
}

impl Default for ErrorsView {
    fn default() -> Self {
        Self {
            split: Split::Test,
            sort: (SortBy::Slice, false),
            misclassified_only: false,
            metric: None,
            offer: None,
            rows_cache: None,
        }
    }
}

/// The sort key of a row; `None` (undefined) sorts last either way.
fn key(m: &SliceMetrics, by: SortBy, overall: &SliceMetrics, metric: Metric) -> Option<f64> {
    let s = &m.scores;
    match by {
        SortBy::Slice => Some(0.0),
        SortBy::Support => Some(s.support as f64),
        SortBy::Coverage => Some(m.coverage),
        SortBy::Accuracy => s.accuracy,
        SortBy::Precision => s.precision,
        SortBy::Recall => s.recall,
        SortBy::F1 => s.f1,
        SortBy::Mcc => s.mcc,
        SortBy::ErrorRate => s.error_rate,
        SortBy::Diff => m.diff_from(overall, metric),
    }
}

/// The slices (not `overall`) in display order: sorted by `by`, undefined values last.
fn sorted<'a>(
    rows: &'a [SliceMetrics],
    (by, desc): (SortBy, bool),
    overall: &SliceMetrics,
    metric: Metric,
) -> Vec<&'a SliceMetrics> {
    let mut out: Vec<&SliceMetrics> = rows.iter().filter(|r| r.name != overall.name).collect();
    if by != SortBy::Slice || desc {
        out.sort_by(
            |a, b| match (key(a, by, overall, metric), key(b, by, overall, metric)) {
                (Some(x), Some(y)) if desc => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (a, b) => b.is_some().cmp(&a.is_some()),
            },
        );
        if by == SortBy::Slice {
            out.reverse();
        }
    }
    out
}

impl ErrorsView {
    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        let n_classes = cx.data.map_or(2, |d| d.ds.classes.len());
        let metric = self.metric.unwrap_or(Metric::default_for(n_classes));
        ui.horizontal(|ui| {
            ui.label("Split:");
            for s in Split::ALL {
                ui.selectable_value(&mut self.split, s, s.name());
            }
            ui.separator();
            egui::ComboBox::from_label("ranks and flags slices")
                .selected_text(metric.label())
                .show_ui(ui, |ui| {
                    for m in Metric::ALL {
                        ui.selectable_value(&mut self.metric, Some(m), m.label());
                    }
                });
        });
        let Some(report) = cx.analysis.and_then(|a| a.report(self.split)) else {
            match cx.predicted {
                None => {
                    ui.label("No predictions to analyse yet: open a model (File → Open model…), pick a prediction column when opening the data, or train one.");
                    let idle = cx.training.is_none() && cx.data.is_some();
                    if ui
                        .add_enabled(idle, egui::Button::new("Train a quick Vanilla model"))
                        .clicked()
                    {
                        out.push(Command::TrainQuick);
                    }
                }
                Some(_) => {
                    ui.label("Scoring slices…");
                }
            }
            return;
        };
        let Some(overall) = report.overall() else {
            return;
        };
        // `overall` is the reference every slice is read against: it stays on top.
        let rows: Vec<&SliceMetrics> = std::iter::once(overall)
            .chain(sorted(&report.rows, self.sort, overall, metric))
            .collect();
        egui::ScrollArea::vertical()
            .id_salt("error_table")
            .max_height(ui.available_height() * 0.45)
            .show(ui, |ui| self.table(ui, cx, &rows, (metric, n_classes), out));
        ui.weak(legend(metric, n_classes));
        ui.separator();
        let selected = cx.session.selected.as_deref();
        let Some(m) = selected.and_then(|n| report.rows.iter().find(|m| m.name == n)) else {
            ui.weak("Select a slice (click its name) to see its confusion matrix and rows.");
            return;
        };
        ui.horizontal_top(|ui| {
            per_class::confusion(ui, m, &report.classes);
            ui.separator();
            per_class::table(ui, m);
            ui.separator();
            ui.vertical(|ui| self.rows(ui, cx, &m.name, out));
        });
    }

    fn table(
        &mut self,
        ui: &mut egui::Ui,
        cx: &ViewCtx<'_>,
        rows: &[&SliceMetrics],
        (metric, n_classes): (Metric, usize),
        out: &mut Vec<Command>,
    ) {
        let Some(overall) = rows.first() else { return };
        egui::Grid::new("errors_grid")
            .striped(true)
            .num_columns(12)
            .show(ui, |ui| {
                for (title, by) in COLUMNS {
                    self.header(ui, title, by, metric, n_classes);
                }
                ui.strong(format!("{} 95% CI", metric.label()));
                ui.strong("flag");
                ui.end_row();
                for m in rows {
                    let flagged = m.flagged_by(overall, metric);
                    let color = if flagged {
                        theme::BAD
                    } else {
                        ui.visuals().text_color()
                    };
                    let selected = cx.session.selected.as_deref() == Some(m.name.as_str());
                    if ui
                        .selectable_label(selected, egui::RichText::new(&m.name).color(color))
                        .clicked()
                    {
                        out.push(Command::SelectSlice((!selected).then(|| m.name.clone())));
                    }
                    for c in cells(m, overall, metric) {
                        ui.colored_label(color, c);
                    }
                    if flagged {
                        ui.colored_label(color, "!");
                    }
                    ui.end_row();
                }
            });
    }

    fn header(&mut self, ui: &mut egui::Ui, title: &str, by: SortBy, metric: Metric, n: usize) {
        let arrow = match self.sort {
            (b, true) if b == by => " ▼",
            (b, false) if b == by && by != SortBy::Slice => " ▲",
            _ => "",
        };
        let title = match by {
            SortBy::Diff => format!("Δ{}", metric.label()),
            SortBy::F1 if n != 2 => "macro F1".into(),
            _ => title.to_string(),
        };
        if ui
            .button(format!("{title}{arrow}"))
            .on_hover_text("sort (overall stays on top)")
            .clicked()
        {
            self.sort = if self.sort.0 == by {
                (by, !self.sort.1)
            } else {
                (by, true)
            };
        }
    }

    fn rows(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, name: &str, out: &mut Vec<Command>) {
        let (Some(data), Some(pred), Some(an)) = (cx.data, cx.predicted, cx.analysis) else {
            return;
        };
        let ds = &data.ds;
        let mask = cx
            .session
            .slices
            .slices
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| an.masks.get(i));
        let wrong = |i: usize| pred.classes[i] != ds.y[i];
        let key = RowsKey {
            name: name.to_string(),
            split: self.split,
            misclassified_only: self.misclassified_only,
            generation: an.generation,
            pred: pred.revision,
        };
        let rows = match &self.rows_cache {
            Some((k, rows)) if *k == key => rows.clone(),
            _ => {
                let rows: std::sync::Arc<Vec<usize>> = std::sync::Arc::new(
                    (0..ds.n_rows())
                        .filter(|&i| ds.splits[i] == self.split && mask.is_none_or(|m| m.get(i)))
                        .filter(|&i| !self.misclassified_only || wrong(i))
                        .collect(),
                );
                self.rows_cache = Some((key, rows.clone()));
                rows
            }
        };
        ui.horizontal(|ui| {
            ui.strong(format!("Rows of {name} ({})", rows.len()));
            ui.checkbox(&mut self.misclassified_only, "misclassified only");
        });
        if let Some((col, value, numeric)) = &self.offer {
            let expr = equals_expr(col, value, *numeric);
            if ui.button(format!("Slice on {expr}")).clicked() {
                let name = cx.session.slices.unique_name(&auto_name(&expr));
                out.push(Command::AddSlice(SliceDef::new(&name, &expr)));
                self.offer = None;
            }
        }
        let cols: Vec<&crate::data::Column> = ds.table.columns.iter().take(12).collect();
        let height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::both().id_salt("slice_rows").show_rows(
            ui,
            height,
            rows.len() + 1,
            |ui, range| {
                egui::Grid::new("rows_grid").striped(true).show(ui, |ui| {
                    for c in &cols {
                        ui.strong(&c.name);
                    }
                    ui.strong("prediction");
                    ui.strong("correct?");
                    ui.end_row();
                    for &i in rows
                        .iter()
                        .skip(range.start.saturating_sub(1))
                        .take(range.len())
                    {
                        for c in &cols {
                            let v = match c.as_numeric() {
                                Some(x) if !x[i].is_nan() && x[i].fract() != 0.0 => {
                                    format!("{:.4}", x[i])
                                }
                                _ => c.display(i),
                            };
                            let categorical =
                                c.kind == ColumnKind::Text || c.as_numeric().is_none();
                            let r = ui.add(egui::Label::new(&v).sense(egui::Sense::click()));
                            if r.clicked() {
                                self.offer = Some((c.name.clone(), v, !categorical));
                            }
                        }
                        let p = pred.classes[i] as usize;
                        ui.label(ds.classes.get(p).map_or("?", String::as_str));
                        if wrong(i) {
                            ui.colored_label(theme::BAD, "✗");
                        } else {
                            ui.colored_label(theme::GOOD, "✓");
                        }
                        ui.end_row();
                    }
                });
            },
        );
    }
}
