//! Classification metrics per slice: confusion counts, scores, bootstrap intervals and reports.

pub mod bootstrap;
pub mod confusion;
pub mod grid;
pub mod report;
pub mod scores;

pub use confusion::Confusion;
pub use report::{SliceMetrics, SplitReport, slice_report};
pub use scores::Scores;
