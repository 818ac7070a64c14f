//! The Errors tab: the per-slice error table (sortable, worst slices highlighted), the selected
//! slice's confusion matrix, and its rows with a misclassified-only filter.

use serde::{Deserialize, Serialize};

use super::pct;
use crate::data::{ColumnKind, Split};
use crate::gui::app::SlicelabApp;
use crate::gui::command::Command;
use crate::gui::theme;
use crate::metrics::SliceMetrics;
use crate::slices::SliceDef;
use crate::slices::build::{equals_expr, name_from};

/// A slice whose F1 is this far below overall is highlighted.
const WORST_GAP: f64 = 0.05;

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
    /// F1 minus overall F1.
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
    ("ΔF1", SortBy::Diff),
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
    pred: usize,
}

impl Default for ErrorsView {
    fn default() -> Self {
        Self {
            split: Split::Test,
            sort: (SortBy::Slice, false),
            misclassified_only: false,
            offer: None,
            rows_cache: None,
        }
    }
}

fn key(m: &SliceMetrics, by: SortBy) -> f64 {
    let s = &m.scores;
    match by {
        SortBy::Slice => 0.0,
        SortBy::Support => s.support as f64,
        SortBy::Coverage => m.coverage,
        SortBy::Accuracy => s.accuracy,
        SortBy::Precision => s.precision,
        SortBy::Recall => s.recall,
        SortBy::F1 => s.f1,
        SortBy::Mcc => s.mcc,
        SortBy::ErrorRate => s.error_rate,
        SortBy::Diff => m.f1_diff,
    }
}

impl ErrorsView {
    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, app: &SlicelabApp, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.label("Split:");
            for s in Split::ALL {
                ui.selectable_value(&mut self.split, s, s.name());
            }
        });
        let Some(report) = app.analysis.as_ref().and_then(|a| a.report(self.split)) else {
            match &app.predicted {
                None => {
                    ui.label("No predictions to analyse yet: open a model (File → Open model…), pick a prediction column when opening the data, or train one.");
                    let idle = app.training.is_none() && app.data.is_some();
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
        let mut rows: Vec<&SliceMetrics> = report.rows.iter().collect();
        let (by, desc) = self.sort;
        if by != SortBy::Slice {
            rows.sort_by(|a, b| key(a, by).total_cmp(&key(b, by)));
        }
        if desc {
            rows.reverse();
        }
        egui::ScrollArea::vertical()
            .id_salt("error_table")
            .max_height(ui.available_height() * 0.45)
            .show(ui, |ui| self.table(ui, app, &rows, out));
        ui.separator();
        let selected = app.session.selected.as_deref();
        let Some(m) = selected.and_then(|n| report.rows.iter().find(|m| m.name == n)) else {
            ui.weak("Select a slice (click its name) to see its confusion matrix and rows.");
            return;
        };
        ui.horizontal_top(|ui| {
            confusion(
                ui,
                m,
                &app.data
                    .as_ref()
                    .map(|d| d.ds.classes.clone())
                    .unwrap_or_default(),
            );
            ui.separator();
            ui.vertical(|ui| self.rows(ui, app, &m.name, out));
        });
    }

    fn table(
        &mut self,
        ui: &mut egui::Ui,
        app: &SlicelabApp,
        rows: &[&SliceMetrics],
        out: &mut Vec<Command>,
    ) {
        egui::Grid::new("errors_grid")
            .striped(true)
            .num_columns(11)
            .show(ui, |ui| {
                for (title, by) in COLUMNS {
                    let arrow = match self.sort {
                        (b, true) if b == by => " ▼",
                        (b, false) if b == by && by != SortBy::Slice => " ▲",
                        _ => "",
                    };
                    if ui
                        .button(format!("{title}{arrow}"))
                        .on_hover_text("sort")
                        .clicked()
                    {
                        self.sort = if self.sort.0 == by {
                            (by, !self.sort.1)
                        } else {
                            (by, true)
                        };
                    }
                }
                ui.strong("F1 95% CI");
                ui.end_row();
                for m in rows {
                    let worst = m.f1_diff <= -WORST_GAP;
                    let color = if worst {
                        theme::BAD
                    } else {
                        ui.visuals().text_color()
                    };
                    let selected = app.session.selected.as_deref() == Some(m.name.as_str());
                    if ui
                        .selectable_label(selected, egui::RichText::new(&m.name).color(color))
                        .clicked()
                    {
                        out.push(Command::SelectSlice((!selected).then(|| m.name.clone())));
                    }
                    let s = &m.scores;
                    let cells = [
                        s.support.to_string(),
                        pct(m.coverage),
                        format!("{:.3}", s.accuracy),
                        format!("{:.3}", s.precision),
                        format!("{:.3}", s.recall),
                        format!("{:.3}", s.f1),
                        format!("{:.3}", s.mcc),
                        pct(s.error_rate),
                        format!("{:+.3}", m.f1_diff),
                        format!("[{:.3}, {:.3}]", m.f1_ci.0, m.f1_ci.1),
                    ];
                    for c in cells {
                        ui.colored_label(color, c);
                    }
                    ui.end_row();
                }
            });
    }

    fn rows(&mut self, ui: &mut egui::Ui, app: &SlicelabApp, name: &str, out: &mut Vec<Command>) {
        let (Some(data), Some(pred), Some(an)) = (&app.data, &app.predicted, &app.analysis) else {
            return;
        };
        let ds = &data.ds;
        let mask = app
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
            pred: std::sync::Arc::as_ptr(&pred.classes) as usize,
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
                let name = app
                    .session
                    .slices
                    .unique_name(&name_from(&format!("{col}_{value}")));
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

fn confusion(ui: &mut egui::Ui, m: &SliceMetrics, classes: &[String]) {
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
