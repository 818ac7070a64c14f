//! Errors of compiling slices to SQL and of reading counts tables.

use std::path::PathBuf;

use super::dialect::Dialect;
use crate::slices::SliceError;

/// Why a slice set could not be written as SQL.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// A slice uses a construct that the dialect cannot express with slicelab's meaning.
    #[error("slice '{slice}': {construct} cannot be written in {dialect} SQL")]
    Unsupported {
        /// The slice.
        slice: String,
        /// The construct, in words.
        construct: String,
        /// The target dialect.
        dialect: Dialect,
    },
    /// The slices themselves do not compile (syntax, unknown columns, cycles, ...).
    #[error(transparent)]
    Slices(#[from] SliceError),
}

/// A problem in a counts table, with the place it is at.
#[derive(Debug, thiserror::Error)]
#[error("{}: {}{message}", path.display(), place(*line, column.as_deref()))]
pub struct CountsError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when the problem is on one.
    pub line: Option<u64>,
    /// The column it is in, when it is in one.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

fn place(line: Option<u64>, column: Option<&str>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column '{c}': "),
        (Some(l), None) => format!("line {l}: "),
        (None, Some(c)) => format!("column '{c}': "),
        (None, None) => String::new(),
    }
}
