//! Classification metrics per slice: confusion counts, scores, per-class tables, bootstrap
//! intervals, the metric that flags slices, and reports.

pub mod bootstrap;
pub mod confusion;
pub mod diff;
pub mod distributions;
pub mod extremes;
pub mod from_counts;
pub mod grid;
pub mod metric;
pub mod multinomial;
pub mod per_class;
pub mod report;
pub mod scores;
pub mod text;

pub use confusion::Confusion;
pub use extremes::{MEAN_SLICE, SliceExtremes, WORST_SLICE};
pub use metric::Metric;
pub use per_class::ClassScores;
pub use report::{ReportSpec, SliceMetrics, SplitReport, slice_report};
pub use scores::Scores;
