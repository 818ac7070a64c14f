//! The Errors tab: the per-slice error table (sortable with `overall` pinned on top; slices
//! flagged by the chosen metric and its bootstrap interval), the selected slice's confusion
//! matrix and per-class table, and either its rows (the row inspector: every column, the label,
//! prediction, correct? and probabilities first, a column chooser, search, sort and a row's
//! details) or its feature distributions against the whole split.

use serde::{Deserialize, Serialize};

mod aggregate;
pub mod background;
mod cells;
mod details;
mod distributions;
mod rows;
pub mod rows_table;
mod sort;

use cells::{cells, legend};
use rows::RowsKey;
pub use sort::SortBy;
use sort::{COLUMNS, sorted};

use super::ViewCtx;
use super::per_class;
use crate::data::Split;
use crate::gui::command::Command;
use crate::gui::theme;
use crate::gui::widgets::column_chooser::ShownColumns;
use crate::gui::widgets::slice_name::slice_name;
use crate::metrics::{Metric, SliceMetrics};

/// Hover text of a slice marked `?`.
const UNTESTED: &str = "Worse than overall, but with too few rows or positives for a 95% bootstrap \
     interval: whether it is really worse is not tested. Not flagged, not cleared.";

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
    /// The table columns shown in the rows table (label, prediction and correct? always are).
    pub columns: ShownColumns,
    /// What the selected slice shows under its matrices: its rows or its feature distributions.
    pub detail: Detail,
    /// Text the rows are searched for (any cell, any case); empty shows every row.
    pub search: String,
    /// The rows table's sort column and whether descending; `None` keeps table order.
    pub row_sort: Option<(rows_table::RowColumn, bool)>,
    /// The row whose details are shown.
    #[serde(skip)]
    selected_row: Option<usize>,
    /// Aggregate mode: the prediction column whose counts are shown (`None`: the first).
    #[serde(skip)]
    pred_column: Option<String>,
    /// The last searched and sorted rows, shown while the next answer is computed.
    #[serde(skip)]
    last_query: Option<(background::QueryKey, std::sync::Arc<Vec<usize>>)>,
    /// The selected row's picture (image tables).
    #[serde(skip)]
    texture: Option<details::RowTexture>,
    /// The dataset's pixel grid if it is an image table, and the data revision it is for.
    #[serde(skip)]
    pixels: Option<(u64, Option<std::sync::Arc<crate::data::pixels::PixelGrid>>)>,
    /// The clicked cell offered as a slice (column, value, whether numeric), and the data
    /// revision it was clicked in.
    #[serde(skip)]
    offer: Option<(u64, rows_table::ClickedCell)>,
    /// Rows of the selected slice, and what they were computed for (recomputed only on change,
    /// since a scan of a million rows per frame would stall the UI).
    #[serde(skip)]
    rows_cache: Option<(RowsKey, std::sync::Arc<Vec<usize>>)>,
    /// Width of each column of the rows table, and the data revision they are for.
    #[serde(skip)]
    widths: Option<(u64, Vec<f32>)>,
}

/// What the selected slice shows under its confusion matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Detail {
    /// The row inspector.
    Rows,
    /// Each feature's distribution in the slice against the whole split.
    Distributions,
}

impl Default for ErrorsView {
    fn default() -> Self {
        Self {
            split: Split::Test,
            sort: (SortBy::Slice, false),
            misclassified_only: false,
            metric: None,
            columns: ShownColumns::default(),
            detail: Detail::Rows,
            search: String::new(),
            row_sort: None,
            selected_row: None,
            pred_column: None,
            last_query: None,
            texture: None,
            pixels: None,
            offer: None,
            rows_cache: None,
            widths: None,
        }
    }
}

impl ErrorsView {
    /// The metric that ranks and flags slices.
    fn metric_combo(&mut self, ui: &mut egui::Ui, metric: Metric) {
        egui::ComboBox::from_label("ranks and flags slices")
            .selected_text(metric.label())
            .show_ui(ui, |ui| {
                for m in Metric::ALL {
                    ui.selectable_value(&mut self.metric, Some(m), m.label());
                }
            });
    }

    /// The per-slice table of `report` with its summary and legend; false when it has no
    /// `overall` row (nothing drawn).
    fn slice_table(
        &mut self,
        ui: &mut egui::Ui,
        cx: &ViewCtx<'_>,
        report: &crate::metrics::report::SplitReport,
        (metric, n_classes): (Metric, usize),
        out: &mut Vec<Command>,
    ) -> bool {
        let Some(overall) = report.overall() else {
            return false;
        };
        // `overall` is the reference every slice is read against: it stays on top.
        let rows: Vec<&SliceMetrics> = std::iter::once(overall)
            .chain(sorted(&report.rows, self.sort, overall, metric))
            .collect();
        // Both ways: many slices scroll down, long names and twelve columns scroll sideways.
        egui::ScrollArea::both()
            .id_salt("error_table")
            .max_height(ui.available_height() * 0.45)
            .show(ui, |ui| self.table(ui, cx, &rows, (metric, n_classes), out));
        ui.label(crate::metrics::extremes::summary_line(report, metric));
        ui.weak(legend(metric, n_classes));
        ui.separator();
        true
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
        if let Some(agg) = cx.aggregate {
            return self.aggregate_ui(ui, cx, agg, out);
        }
        let n_classes = cx.data.map_or(2, |d| d.ds.classes.len());
        let metric = self.metric.unwrap_or(Metric::default_for(n_classes));
        ui.horizontal(|ui| {
            ui.label("Split:");
            for s in Split::ALL {
                ui.selectable_value(&mut self.split, s, s.name());
            }
            ui.separator();
            self.metric_combo(ui, metric);
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
        if !self.slice_table(ui, cx, report, (metric, n_classes), out) {
            return;
        }
        let selected = cx.session.selected.as_deref();
        let Some(m) = selected.and_then(|n| report.rows.iter().find(|m| m.name == n)) else {
            ui.weak("Select a slice (click its name) to see its confusion matrix and rows.");
            return;
        };
        // Beside the matrices when they leave room for a few columns; under them otherwise (ten
        // classes leave a sliver).
        let n = report.classes.len() as f32;
        let matrices = theme::MATRIX_CELL_WIDTH * (n + 1.0) + theme::PER_CLASS_WIDTH;
        if ui.available_width() - matrices >= theme::ROWS_MIN_WIDTH {
            ui.horizontal_top(|ui| {
                per_class::confusion(ui, m, &report.classes);
                ui.separator();
                per_class::table(ui, m);
                ui.separator();
                ui.vertical(|ui| self.detail(ui, cx, &m.name, out));
            });
            return;
        }
        let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
        let size = egui::vec2(ui.available_width(), row * (n + 2.0));
        ui.allocate_ui(size, |ui| {
            ui.horizontal_top(|ui| {
                per_class::confusion(ui, m, &report.classes);
                ui.separator();
                per_class::table(ui, m);
            });
        });
        ui.separator();
        self.detail(ui, cx, &m.name, out);
    }

    /// The selected slice's rows or feature distributions, as the switch above them says.
    fn detail(&mut self, ui: &mut egui::Ui, cx: &ViewCtx<'_>, name: &str, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.detail, Detail::Rows, "Rows");
            ui.selectable_value(&mut self.detail, Detail::Distributions, "Distributions");
        });
        match self.detail {
            Detail::Rows => self.rows(ui, cx, name, out),
            Detail::Distributions => self.distributions(ui, cx, name, out),
        }
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
                    let name = egui::RichText::new(&m.name).color(color);
                    if slice_name(ui, name, selected).clicked() {
                        out.push(Command::SelectSlice((!selected).then(|| m.name.clone())));
                    }
                    for c in cells(m, overall, metric) {
                        ui.colored_label(color, c);
                    }
                    if flagged {
                        ui.colored_label(color, "!");
                    } else if m.untested_by(overall, metric) {
                        ui.label("?").on_hover_text(UNTESTED);
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
}
