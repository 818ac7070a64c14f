//! Slices compiled to SQL: each slice's typed expression written as a condition in an engine's
//! dialect, one query returning every slice's confusion counts, and those counts read back.

pub mod counts;
pub mod dialect;
pub mod error;
pub mod patterns;
pub mod query;
pub mod translate;

pub use counts::{Counts, CountsConfusions};
pub use dialect::Dialect;
pub use error::{CountsError, SqlError};
pub use query::{COUNTS_COLUMNS, QuerySpec, Skipped, countable, counts_query, slice_conditions};
