//! Value counts and a histogram of one column: the filter builder and the expression editor's
//! completion read them. One pass over a column of millions of rows takes a while, so the app
//! builds them off the UI thread ([`Command::SummariseColumn`]) and keeps them per dataset
//! revision in [`ViewBuilds::summaries`].
//!
//! [`Command::SummariseColumn`]: crate::gui::command::Command::SummariseColumn
//! [`ViewBuilds::summaries`]: crate::gui::views::context::ViewBuilds::summaries

use std::sync::Arc;

use super::ViewCtx;
use crate::data::{ColumnKind, Dataset};
use crate::gui::command::Command;
use crate::slices::builder::{Histogram, ValueCounts, value_counts};

/// Distinct values counted per column (more make a numeric column a range).
pub const MAX_VALUES: usize = 500;

/// Bins of a numeric column's histogram.
pub const BINS: usize = 24;

/// Which summary: a column of one dataset revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryKey {
    /// [`crate::gui::analysis::Loaded::revision`].
    pub data: u64,
    /// The column's name.
    pub column: String,
}

/// What the builder shows about a column.
pub struct ColumnSummary {
    /// The column's kind.
    pub kind: ColumnKind,
    /// Its values with counts, most frequent first.
    pub counts: ValueCounts,
    /// Numeric and date columns: the histogram of their values.
    pub histogram: Option<Histogram>,
}

/// What a summary of a column is, once known.
pub enum Summary {
    /// No dataset, or no such column.
    Absent,
    /// Being built in the background.
    Building,
    /// Built.
    Ready(Arc<ColumnSummary>),
}

/// The summary of `column` of the loaded data, asking the app to build it when it is not built
/// or building.
pub fn summary(cx: &ViewCtx<'_>, column: &str, out: &mut Vec<Command>) -> Summary {
    let Some(data) = cx.data.filter(|d| d.ds.table.column(column).is_some()) else {
        return Summary::Absent;
    };
    let key = SummaryKey {
        data: data.revision,
        column: column.to_string(),
    };
    match cx.builds.summaries.get(&key) {
        Some(Some(s)) => Summary::Ready(s.clone()),
        Some(None) => Summary::Absent,
        None => {
            if cx.builds.summaries.wants(&key) {
                out.push(Command::SummariseColumn(key));
            }
            Summary::Building
        }
    }
}

/// Builds the summary of `column` of `ds` (one pass over the column, on a background thread);
/// `None` when there is no such column.
pub fn build(ds: &Dataset, column: &str) -> Option<Arc<ColumnSummary>> {
    let col = ds.table.column(column)?;
    let histogram = match col.kind {
        ColumnKind::Numeric | ColumnKind::Date => {
            col.as_numeric().and_then(|v| Histogram::of(v, BINS))
        }
        _ => None,
    };
    Some(Arc::new(ColumnSummary {
        kind: col.kind,
        counts: value_counts(col, MAX_VALUES),
        histogram,
    }))
}
