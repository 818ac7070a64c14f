//! The selected slice's rows under the Errors table: which rows (the split, the slice, the
//! misclassified-only filter, cached), the column chooser, "Slice on column = value" for a
//! clicked cell, and the table itself ([`RowsTable`]).

use std::sync::Arc;

use super::ErrorsView;
use super::rows_table::{RowsTable, column_order, table_widths};
use crate::data::{Column, Dataset, Split};
use crate::gui::command::Command;
use crate::gui::views::ViewCtx;
use crate::gui::widgets::column_chooser::ColumnChooser;
use crate::slices::SliceDef;
use crate::slices::build::equals_expr;
use crate::slices::name::auto_name;

/// What the row list of the selected slice depends on.
#[derive(PartialEq, Clone)]
pub(super) struct RowsKey {
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
        let set = &cx.session.slices.slices;
        // `overall` is every row; an SF slice its evaluated mask; a ground-truth slice its
        // column. A name that is none of these (a slice deleted a moment ago) shows no rows
        // rather than every row.
        let truth;
        let mask = if name == "overall" {
            None
        } else if let Some(m) = set
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| an.masks.get(i))
        {
            Some(m)
        } else {
            truth = crate::slices::columns::truth_masks(ds)
                .into_iter()
                .find(|(n, _)| n == name)
                .map(|(_, m)| m)
                .unwrap_or_else(|| crate::slices::Bitmap::from_fn(ds.n_rows(), |_| false));
            Some(&truth)
        };
        let wrong = |i: usize| pred.classes.get(i) != ds.y.get(i);
        let rows: Arc<Vec<usize>> = Arc::new(
            (0..ds.n_rows())
                .filter(|&i| ds.splits[i] == self.split && mask.is_none_or(|m| m.get(i)))
                .filter(|&i| !self.misclassified_only || wrong(i))
                .collect(),
        );
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

    /// Draws the rows of slice `name`.
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
        ui.horizontal(|ui| {
            ui.strong(format!("Rows of {name} ({})", rows.len()));
            ui.checkbox(&mut self.misclassified_only, "misclassified only");
            let choosable: Vec<&Column> = ds
                .table
                .columns
                .iter()
                .filter(|c| c.name != ds.label)
                .collect();
            ColumnChooser::new("rows_columns", &choosable).show(ui, &mut self.columns);
        });
        if let Some((col, value, numeric)) = &self.offer {
            let expr = equals_expr(col, value, *numeric);
            if ui.button(format!("Slice on {expr}")).clicked() {
                let name = cx.session.slices.unique_name(&auto_name(&expr));
                out.push(Command::AddSlice(SliceDef::new(&name, &expr)));
                self.offer = None;
            }
        }
        let columns = column_order(ds, &self.columns);
        let table = RowsTable {
            ds,
            pred: &pred.classes,
            rows: &rows,
            columns: &columns,
            widths: self.widths(ds, data.revision),
        };
        if let Some(cell) = table.show(ui) {
            self.offer = Some(cell);
        }
    }
}
