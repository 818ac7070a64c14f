//! Value counts and a histogram of one column, computed once per dataset and column and kept in
//! egui's temporary memory: the filter builder and the expression editor's completion read them.

use std::sync::Arc;

use crate::data::ColumnKind;
use crate::gui::analysis::Loaded;
use crate::slices::builder::{Histogram, ValueCounts, value_counts};

/// Distinct values counted per column (more make a numeric column a range).
pub const MAX_VALUES: usize = 500;

/// Bins of a numeric column's histogram.
pub const BINS: usize = 24;

/// What the builder shows about a column.
pub struct ColumnSummary {
    /// The column's kind.
    pub kind: ColumnKind,
    /// Its values with counts, most frequent first.
    pub counts: ValueCounts,
    /// Numeric and date columns: the histogram of their values.
    pub histogram: Option<Histogram>,
}

/// The summary of `column` of `data`, computed on first use (one pass over the column) and
/// cached for this dataset revision; `None` when there is no such column.
pub fn summary(ctx: &egui::Context, data: &Loaded, column: &str) -> Option<Arc<ColumnSummary>> {
    let id = egui::Id::unique(("column_summary", data.revision, column));
    if let Some(s) = ctx.data(|d| d.get_temp::<Arc<ColumnSummary>>(id)) {
        return Some(s);
    }
    let col = data.ds.table.column(column)?;
    let histogram = match col.kind {
        ColumnKind::Numeric | ColumnKind::Date => {
            col.as_numeric().and_then(|v| Histogram::of(v, BINS))
        }
        _ => None,
    };
    let s = Arc::new(ColumnSummary {
        kind: col.kind,
        counts: value_counts(col, MAX_VALUES),
        histogram,
    });
    ctx.data_mut(|d| d.insert_temp(id, s.clone()));
    Some(s)
}
