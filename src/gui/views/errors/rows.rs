//! The selected slice's rows under the Errors table (the row inspector): which rows (the split,
//! the slice, the misclassified-only filter, cached), the column chooser, a text search and a
//! sort by any column (run in the background), "Slice on column = value" for a clicked cell, the
//! table itself ([`RowsTable`]) and the clicked row's details ([`RowDetails`]).

use std::sync::Arc;

use super::ErrorsView;
use super::background::{QueryKey, is_slice_column, slice_mask};
use super::details::RowDetails;
use super::rows_table::{
    RowColumn, RowsTable, TableEvent, column_order, pinned_count, table_widths,
};
use crate::analysis::row_query::RowQuery;
use crate::data::pixels::{self, PixelGrid};
use crate::data::{Column, Dataset, Split};
use crate::gui::command::Command;
use crate::gui::views::ViewCtx;
use crate::gui::widgets::column_chooser::ColumnChooser;
use crate::slices::SliceDef;
use crate::slices::build::equals_expr;
use crate::slices::name::auto_name;

/// What the row list of the selected slice depends on.
#[derive(Debug, PartialEq, Clone)]
pub struct RowsKey {
    name: String,
    split: Split,
    misclassified_only: bool,
    generation: u64,
    pred: u64,
}

impl ErrorsView {
    /// The rows of slice `name` in the chosen split, recomputed only when what they depend on
    /// changes (a scan of a million rows per frame would stall the UI).
    fn slice_rows(&mut self, cx: &ViewCtx<'_>, name: &str) -> Option<Arc<Vec<usize>>> {
        let (data, pred, an) = (cx.data?, cx.predicted?, cx.analysis?);
        let ds = &data.ds;
        let key = RowsKey {
            name: name.to_string(),
            split: self.split,
            misclassified_only: self.misclassified_only,
            generation: an.generation,
            pred: pred.revision,
        };
        if let Some((k, rows)) = &self.rows_cache
            && *k == key
        {
            return Some(rows.clone());
        }
        let names: Vec<&str> = cx
            .session
            .slices
            .slices
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let mask = slice_mask(ds, &names, &an.masks, name);
        let wrong = |i: usize| pred.classes.get(i) != ds.y.get(i);
        let rows: Arc<Vec<usize>> = Arc::new(
            (0..ds.n_rows())
                .filter(|&i| ds.splits[i] == self.split && mask.as_ref().is_none_or(|m| m.get(i)))
                .filter(|&i| !self.misclassified_only || wrong(i))
                .collect(),
        );
        // Another slice or split: the row picked in the last one is not among these.
        if self
            .rows_cache
            .as_ref()
            .is_some_and(|(k, _)| k.name != key.name || k.split != key.split)
        {
            self.selected_row = None;
        }
        self.rows_cache = Some((key, rows.clone()));
        Some(rows)
    }

    /// Each table column's width, computed once per dataset.
    fn widths(&mut self, ds: &Dataset, revision: u64) -> &[f32] {
        if self.widths.as_ref().is_none_or(|(r, _)| *r != revision) {
            self.widths = Some((revision, table_widths(ds)));
        }
        self.widths.as_ref().map_or(&[], |(_, w)| w.as_slice())
    }

    /// The rows shown and whether they are final: the slice's rows as they are, or searched and
    /// sorted in the background. Until that answer arrives, the last answer for the same rows
    /// stays up (not final), so typing or sorting does not blank the table; `None` when there is
    /// none.
    fn shown_rows(
        &mut self,
        cx: &ViewCtx<'_>,
        rows: &Arc<Vec<usize>>,
        out: &mut Vec<Command>,
    ) -> Option<(Arc<Vec<usize>>, bool)> {
        let key = QueryKey {
            rows: self.rows_cache.as_ref()?.0.clone(),
            query: RowQuery {
                search: self.search.trim().to_string(),
                sort: self.row_sort,
            },
        };
        if key.query == RowQuery::default() {
            return Some((rows.clone(), true));
        }
        if cx.builds.rows.wants(&key) {
            out.push(Command::QueryRows(key.clone(), rows.clone()));
        }
        if let Some(done) = cx.builds.rows.result_for(&key) {
            self.last_query = Some((key, done.clone()));
            return Some((done.clone(), true));
        }
        self.last_query
            .as_ref()
            .filter(|(k, _)| k.rows == key.rows)
            .map(|(_, r)| (r.clone(), false))
    }

    /// Draws the rows of slice `name`: the controls, the table, and the selected row's details
    /// beside it (or under it when the space is narrow).
    pub(super) fn rows(
        &mut self,
        ui: &mut egui::Ui,
        cx: &ViewCtx<'_>,
        name: &str,
        out: &mut Vec<Command>,
    ) {
        let (Some(data), Some(pred), Some(rows)) =
            (cx.data, cx.predicted, self.slice_rows(cx, name))
        else {
            return;
        };
        let ds = &data.ds;
        // A sort kept with the session may name a column this table or these predictions lack.
        let stale = match self.row_sort {
            Some((RowColumn::Table(i), _)) => i >= ds.table.columns.len(),
            Some((RowColumn::Probability(c), _)) => pred.probs.is_empty() || c >= ds.classes.len(),
            _ => false,
        };
        if stale {
            self.row_sort = None;
        }
        let shown = self.shown_rows(cx, &rows, out);
        ui.horizontal(|ui| {
            let count = match &shown {
                Some((s, true)) if s.len() != rows.len() => {
                    format!("{} of {}", s.len(), rows.len())
                }
                Some((_, true)) => rows.len().to_string(),
                Some((s, false)) => format!("{} of {}, searching…", s.len(), rows.len()),
                None => format!("searching {}", rows.len()),
            };
            ui.strong(format!("Rows of {name} ({count})"));
            ui.checkbox(&mut self.misclassified_only, "misclassified only");
            let choosable: Vec<&Column> = ds
                .table
                .columns
                .iter()
                .filter(|c| c.name != ds.label)
                .collect();
            ColumnChooser::new("rows_columns", &choosable).show(ui, &mut self.columns);
        });
        self.query_controls(ui, ds);
        // An offer from another dataset names its columns, not these.
        if self
            .offer
            .as_ref()
            .is_some_and(|(r, _)| *r != data.revision)
        {
            self.offer = None;
        }
        if let Some((_, (col, value, numeric))) = &self.offer {
            let expr = equals_expr(col, value, *numeric);
            if ui.button(format!("Slice on {expr}")).clicked() {
                let name = cx.session.slices.unique_name(&auto_name(&expr));
                out.push(Command::AddSlice(SliceDef::new(&name, &expr)));
                self.offer = None;
            }
        }
        let Some((shown, _)) = shown else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Searching and sorting the rows…");
            });
            return;
        };
        let probabilities = !pred.probs.is_empty();
        let columns = column_order(ds, &self.columns, probabilities);
        let n_probs = if probabilities { ds.classes.len() } else { 0 };
        let selected = self.selected_row.filter(|&r| r < ds.n_rows());
        let grid = self.pixel_grid(ds, data.revision);
        self.widths(ds, data.revision);
        let widths = self.widths.as_ref().map_or(&[][..], |(_, w)| w.as_slice());
        let table = RowsTable {
            ds,
            pred: &pred.classes,
            probs: &pred.probs,
            rows: &shown,
            columns: &columns,
            pinned: pinned_count(n_probs),
            widths,
            sort: self.row_sort,
            selected,
        };
        let details = selected.map(|row| RowDetails {
            ds,
            revision: data.revision,
            pred: &pred.classes,
            probs: &pred.probs,
            row,
            grid: grid.as_deref(),
        });
        let (ev, close) = show_with_details(ui, &table, details, &mut self.texture);
        self.apply(ev, close, ds, data.revision);
    }

    /// The search box and the sort state.
    fn query_controls(&mut self, ui: &mut egui::Ui, ds: &Dataset) {
        ui.horizontal(|ui| {
            let label = ui.label("Find in rows:");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("text in any cell (any case)")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            if !self.search.is_empty() && ui.small_button("Clear search").clicked() {
                self.search.clear();
            }
            if let Some((col, desc)) = self.row_sort {
                let dir = if desc { "descending" } else { "ascending" };
                ui.weak(format!("sorted by {} ({dir})", column_name(ds, col)));
                if ui.small_button("Unsort").clicked() {
                    self.row_sort = None;
                }
            } else {
                ui.weak("click a header to sort, a row for its details");
            }
        });
    }

    /// Applies a frame's clicks: the offered slice, the selected row, the sort, a closed pane.
    /// A label or prediction cell offers no slice: they are outcomes, not inputs.
    fn apply(&mut self, ev: TableEvent, close: bool, ds: &Dataset, revision: u64) {
        if close {
            self.selected_row = None;
        }
        if let Some(cell) = ev.cell {
            self.offer = (!ds.is_outcome(&cell.0)).then_some((revision, cell));
        }
        if let Some(row) = ev.row {
            self.selected_row = Some(row);
        }
        if let Some(col) = ev.sort {
            self.row_sort = match self.row_sort {
                Some((c, false)) if c == col => Some((col, true)),
                Some((c, true)) if c == col => None,
                _ => Some((col, false)),
            };
        }
    }

    /// The table's pixel grid if it is an image table, found once per dataset.
    fn pixel_grid(&mut self, ds: &Dataset, revision: u64) -> Option<Arc<PixelGrid>> {
        if self.pixels.as_ref().is_none_or(|(r, _)| *r != revision) {
            let skip: Vec<&str> = ds
                .table
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .filter(|n| ds.reserved.iter().any(|r| r == n) || is_slice_column(ds, n))
                .collect();
            self.pixels = Some((revision, pixels::detect(&ds.table, &skip).map(Arc::new)));
        }
        self.pixels.as_ref().and_then(|(_, g)| g.clone())
    }
}

/// Width of the details pane beside the table.
const DETAILS_WIDTH: f32 = 340.0;

/// Height of the details pane when it goes under the table.
const DETAILS_HEIGHT: f32 = 280.0;

/// Shows the table, and the details pane beside it (under it when narrow); returns what was
/// clicked in the table and whether the pane was closed.
fn show_with_details(
    ui: &mut egui::Ui,
    table: &RowsTable<'_>,
    details: Option<RowDetails<'_>>,
    texture: &mut Option<super::details::RowTexture>,
) -> (TableEvent, bool) {
    let Some(details) = details else {
        return (table.show(ui), false);
    };
    let h = ui.available_height();
    if ui.available_width() >= 2.0 * DETAILS_WIDTH {
        ui.horizontal_top(|ui| {
            let w = ui.available_width() - DETAILS_WIDTH;
            let ev = ui.allocate_ui(egui::vec2(w, h), |ui| table.show(ui)).inner;
            ui.separator();
            let close = ui.vertical(|ui| details.ui(ui, texture)).inner;
            (ev, close)
        })
        .inner
    } else {
        let w = ui.available_width();
        let table_h = (h - DETAILS_HEIGHT).max(120.0);
        let ev = ui
            .allocate_ui(egui::vec2(w, table_h), |ui| table.show(ui))
            .inner;
        ui.separator();
        (ev, details.ui(ui, texture))
    }
}

/// A column's name as the table's header shows it.
fn column_name(ds: &Dataset, col: RowColumn) -> String {
    match col {
        RowColumn::Table(i) => ds
            .table
            .columns
            .get(i)
            .map_or("?".into(), |c| c.name.clone()),
        RowColumn::Prediction => "prediction".into(),
        RowColumn::Correct => "correct?".into(),
        RowColumn::Probability(c) => {
            format!("p({})", ds.classes.get(c).map_or("?", String::as_str))
        }
    }
}
