//! The Errors tab's table of a slice's rows, for tables of any width: the label, prediction,
//! correct? and class probability columns first and pinned while the rest scroll sideways under
//! them, then the slice and SF columns, then every other column the chooser shows. Only the cells
//! in view are laid out (rows and columns), so 785 columns cost what a dozen do. A click on a
//! header sorts by that column; a click on a cell selects its row.

use egui::{Rect, Sense, pos2, vec2};

pub use crate::analysis::row_query::RowColumn;
use crate::data::{Column, ColumnKind, Dataset};
use crate::gui::theme;
use crate::gui::widgets::column_chooser::ShownColumns;

/// Columns pinned on the left without probabilities: the label, the prediction and whether it
/// is right.
const PINNED: usize = 3;

/// Most classes whose probability columns are pinned too (more would leave no room to scroll).
const PINNED_PROBABILITIES: usize = 4;

/// Narrowest and widest a column is drawn, in points.
const WIDTH_RANGE: (f32, f32) = (44.0, 200.0);

/// Rows looked at to size a column by its values.
const SIZING_ROWS: usize = 20;

/// Whether a column holds slice membership: a ground-truth `slice_*` column or an `sf_*` column.
fn is_slice_column(ds: &Dataset, c: &Column) -> bool {
    super::background::is_slice_column(ds, &c.name)
}

/// How many columns stay put on the left: label, prediction, correct?, and the probabilities
/// when there are few classes.
pub fn pinned_count(n_probabilities: usize) -> usize {
    if n_probabilities <= PINNED_PROBABILITIES {
        PINNED + n_probabilities
    } else {
        PINNED
    }
}

/// The columns in the order shown: label, prediction, correct?, each class's probability (when
/// `probabilities`), then the slice and SF columns, then the rest in table order; of the table's
/// columns only those `shown` (the label always).
pub fn column_order(ds: &Dataset, shown: &ShownColumns, probabilities: bool) -> Vec<RowColumn> {
    let label = ds.table.index_of(&ds.label);
    let mut out: Vec<RowColumn> = label.map(RowColumn::Table).into_iter().collect();
    out.extend([RowColumn::Prediction, RowColumn::Correct]);
    if probabilities {
        out.extend((0..ds.classes.len()).map(RowColumn::Probability));
    }
    let others = || {
        ds.table
            .columns
            .iter()
            .enumerate()
            .filter(|&(i, c)| Some(i) != label && shown.is_shown(&c.name))
    };
    out.extend(
        others()
            .filter(|(_, c)| is_slice_column(ds, c))
            .map(|(i, _)| RowColumn::Table(i)),
    );
    out.extend(
        others()
            .filter(|(_, c)| !is_slice_column(ds, c))
            .map(|(i, _)| RowColumn::Table(i)),
    );
    out
}

/// The text of a table cell: fractions with four decimals, anything else as stored.
pub fn cell_text(c: &Column, row: usize) -> String {
    match c.as_numeric() {
        Some(x) if !x[row].is_nan() && x[row].fract() != 0.0 => format!("{:.4}", x[row]),
        _ => c.display(row),
    }
}

/// Each table column's width, from its name and its first values (computed once per dataset:
/// the table's columns never change while it is open).
pub fn table_widths(ds: &Dataset) -> Vec<f32> {
    const CHAR_W: f32 = 7.0;
    ds.table
        .columns
        .iter()
        .map(|c| {
            let name = c.name.chars().count() + 1;
            let values = (0..ds.n_rows().min(SIZING_ROWS))
                .map(|i| cell_text(c, i).chars().count())
                .max()
                .unwrap_or(0);
            let w = name.max(values) as f32 * CHAR_W + 14.0;
            w.clamp(WIDTH_RANGE.0, WIDTH_RANGE.1)
        })
        .collect()
}

/// A clicked cell: the column, the value as shown, and whether the value is a number.
pub type ClickedCell = (String, String, bool);

/// What the user did in the table this frame.
#[derive(Default)]
pub struct TableEvent {
    /// A value cell was clicked (offered as a slice).
    pub cell: Option<ClickedCell>,
    /// The row whose cell was clicked.
    pub row: Option<usize>,
    /// A header was clicked: sort by it.
    pub sort: Option<RowColumn>,
}

/// What the table draws: the data, the predictions, the rows and the columns.
pub struct RowsTable<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// Predicted class per row of `ds`.
    pub pred: &'a [u32],
    /// Class probabilities `[n, C]`; empty when unknown.
    pub probs: &'a [f32],
    /// The rows shown, in order.
    pub rows: &'a [usize],
    /// The columns shown, in order (the first `pinned` stay put).
    pub columns: &'a [RowColumn],
    /// How many columns on the left stay put.
    pub pinned: usize,
    /// Width of each table column (from [`table_widths`]).
    pub widths: &'a [f32],
    /// The sorted column and whether descending, marked in its header.
    pub sort: Option<(RowColumn, bool)>,
    /// The selected row (highlighted).
    pub selected: Option<usize>,
}

/// Where the visible part of the table lies: the scroll area's viewport and the content origin.
struct Frame {
    origin: egui::Pos2,
    viewport: Rect,
    row_h: f32,
}

impl RowsTable<'_> {
    fn width(&self, col: RowColumn) -> f32 {
        match col {
            RowColumn::Table(i) => self.widths.get(i).copied().unwrap_or(WIDTH_RANGE.0),
            RowColumn::Prediction => 90.0,
            RowColumn::Correct => 64.0,
            RowColumn::Probability(_) => 72.0,
        }
    }

    /// Shows the table in a scroll area filling the space left; returns what was clicked.
    pub fn show(&self, ui: &mut egui::Ui) -> TableEvent {
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let mut xs = Vec::with_capacity(self.columns.len() + 1);
        xs.push(0.0f32);
        for &c in self.columns {
            xs.push(xs[xs.len() - 1] + self.width(c));
        }
        let total = vec2(xs[xs.len() - 1], row_h * (self.rows.len() + 1) as f32);
        egui::ScrollArea::both()
            .id_salt("slice_rows")
            .auto_shrink([false, false])
            .show_viewport(ui, |ui, viewport| {
                ui.set_min_size(total);
                let frame = Frame {
                    origin: ui.max_rect().min,
                    viewport,
                    row_h,
                };
                self.draw(ui, &frame, &xs)
            })
            .inner
    }

    /// Draws the cells in view: the scrolled body, the pinned columns over it, then the header.
    fn draw(&self, ui: &mut egui::Ui, f: &Frame, xs: &[f32]) -> TableEvent {
        let n = self.rows.len();
        let first = ((f.viewport.min.y / f.row_h).floor() as usize).min(n);
        let last = (((f.viewport.max.y - f.row_h) / f.row_h).ceil().max(0.0) as usize + 1).min(n);
        let pinned = self.pinned.min(self.columns.len());
        let pinned_w = xs[pinned];
        // Scrolled columns overlapping the part of the viewport right of the pinned ones.
        let from = xs[1..]
            .partition_point(|&x| x <= f.viewport.min.x + pinned_w)
            .max(pinned);
        let to = xs
            .partition_point(|&x| x < f.viewport.max.x)
            .min(self.columns.len());
        let mut ev = TableEvent::default();
        let stripe = ui.visuals().faint_bg_color;
        let chosen = ui.visuals().selection.bg_fill;
        for k in first..last {
            let y = f.origin.y + f.row_h * (k + 1) as f32;
            if self.selected.is_some() && self.rows.get(k).copied() == self.selected {
                let band = Rect::from_min_size(
                    pos2(f.origin.x + f.viewport.min.x, y),
                    vec2(f.viewport.width(), f.row_h),
                );
                ui.painter().rect_filled(band, 0.0, chosen);
            } else if k % 2 == 1 {
                let band = Rect::from_min_size(
                    pos2(f.origin.x + f.viewport.min.x, y),
                    vec2(f.viewport.width(), f.row_h),
                );
                ui.painter().rect_filled(band, 0.0, stripe);
            }
        }
        for (j, &x0) in xs.iter().enumerate().take(to).skip(from) {
            let x = f.origin.x + x0;
            self.body_column(ui, f, (first, last), (j, x), &mut ev);
        }
        // Pinned columns stay at the viewport's left edge, over the scrolled ones.
        let left = f.origin.x + f.viewport.min.x;
        let fill = ui.visuals().panel_fill;
        let body = Rect::from_min_size(
            pos2(left, f.origin.y + f.viewport.min.y),
            vec2(pinned_w, f.viewport.height()),
        );
        ui.painter().rect_filled(body, 0.0, fill);
        for k in first..last {
            if self.selected.is_some() && self.rows.get(k).copied() == self.selected {
                let y = f.origin.y + f.row_h * (k + 1) as f32;
                let band = Rect::from_min_size(pos2(left, y), vec2(pinned_w, f.row_h));
                ui.painter().rect_filled(band, 0.0, chosen);
            }
        }
        for (j, &x0) in xs.iter().enumerate().take(pinned) {
            self.body_column(ui, f, (first, last), (j, left + x0), &mut ev);
        }
        ev.sort = self.header(ui, f, xs, (pinned, from, to));
        ev
    }

    /// The visible cells of column `j`, drawn with its left edge at `x`.
    fn body_column(
        &self,
        ui: &mut egui::Ui,
        f: &Frame,
        (first, last): (usize, usize),
        (j, x): (usize, f32),
        ev: &mut TableEvent,
    ) {
        let col = self.columns[j];
        let w = self.width(col);
        for (k, &row) in self.rows.iter().enumerate().take(last).skip(first) {
            let y = f.origin.y + f.row_h * (k + 1) as f32;
            let rect = Rect::from_min_size(pos2(x + 4.0, y), vec2(w - 8.0, f.row_h));
            let text = match col {
                RowColumn::Table(i) => {
                    let c = &self.ds.table.columns[i];
                    let v = cell_text(c, row);
                    let label = egui::Label::new(&v).truncate().sense(Sense::click());
                    if ui.put(rect, label).clicked() {
                        let numeric = c.as_numeric().is_some() && c.kind != ColumnKind::Text;
                        ev.cell = Some((c.name.clone(), v, numeric));
                        ev.row = Some(row);
                    }
                    continue;
                }
                RowColumn::Prediction => {
                    let p = self.pred.get(row).map_or(usize::MAX, |&p| p as usize);
                    let name = self.ds.classes.get(p).map_or("?", String::as_str);
                    egui::RichText::new(name)
                }
                RowColumn::Correct => {
                    let right = self.pred.get(row) == self.ds.y.get(row);
                    let (color, mark) = if right {
                        (theme::GOOD, "✓")
                    } else {
                        (theme::BAD, "✗")
                    };
                    egui::RichText::new(mark).color(color)
                }
                RowColumn::Probability(c) => {
                    let n = self.ds.classes.len();
                    let p = self.probs.get(row * n + c);
                    egui::RichText::new(p.map_or(String::new(), |p| format!("{p:.3}")))
                }
            };
            let label = egui::Label::new(text).truncate().sense(Sense::click());
            if ui.put(rect, label).clicked() {
                ev.row = Some(row);
            }
        }
    }

    /// The header row, kept at the viewport's top: scrolled column names, then the pinned ones.
    fn header(
        &self,
        ui: &mut egui::Ui,
        f: &Frame,
        xs: &[f32],
        (pinned, from, to): (usize, usize, usize),
    ) -> Option<RowColumn> {
        let mut sort = None;
        let top = f.origin.y + f.viewport.min.y;
        let left = f.origin.x + f.viewport.min.x;
        let band = Rect::from_min_size(pos2(left, top), vec2(f.viewport.width(), f.row_h));
        ui.painter().rect_filled(band, 0.0, ui.visuals().panel_fill);
        let prob_names: Vec<String> = self.ds.classes.iter().map(|c| format!("p({c})")).collect();
        let cells = (from..to)
            .map(|j| (j, f.origin.x + xs[j]))
            .chain((0..pinned).map(|j| (j, left + xs[j])));
        for (j, x) in cells {
            if j == 0 && pinned > 0 {
                let cover = Rect::from_min_size(pos2(left, top), vec2(xs[pinned], f.row_h));
                ui.painter()
                    .rect_filled(cover, 0.0, ui.visuals().panel_fill);
            }
            let col = self.columns[j];
            let rect =
                Rect::from_min_size(pos2(x + 4.0, top), vec2(self.width(col) - 8.0, f.row_h));
            let (name, hover) = match col {
                RowColumn::Table(i) => {
                    let c = &self.ds.table.columns[i];
                    let kind = crate::gui::widgets::column_list::kind_label(c.kind);
                    let role = if c.name == self.ds.label {
                        "label, "
                    } else {
                        ""
                    };
                    (c.name.as_str(), format!("{}: {role}{kind}", c.name))
                }
                RowColumn::Prediction => ("prediction", "the analysed prediction".into()),
                RowColumn::Correct => ("correct?", "whether the prediction is right".into()),
                RowColumn::Probability(c) => {
                    let class = self.ds.classes.get(c).map_or("?", String::as_str);
                    let hover = format!("the model's probability of class {class}");
                    (prob_names.get(c).map_or("p(?)", String::as_str), hover)
                }
            };
            let arrow = match self.sort {
                Some((s, true)) if s == col => " ▼",
                Some((s, false)) if s == col => " ▲",
                _ => "",
            };
            let text = egui::RichText::new(format!("{name}{arrow}")).strong();
            let label = egui::Label::new(text).truncate().sense(Sense::click());
            if ui
                .put(rect, label)
                .on_hover_text(format!("{hover} (click to sort)"))
                .clicked()
            {
                sort = Some(col);
            }
        }
        let line = f.row_h + top;
        ui.painter().hline(
            left..=left + f.viewport.width(),
            line,
            ui.visuals().widgets.noninteractive.bg_stroke,
        );
        sort
    }
}
