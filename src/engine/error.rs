//! Why an engine run could not produce counts.

use crate::data::DataError;
use crate::sql::{CountsError, SqlError};

/// Why `eval --engine` (or the app's aggregate mode) could not produce counts.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The pattern names no file.
    #[error("{pattern}: no .parquet or .csv file matches")]
    NoFiles {
        /// The path, folder or glob as given.
        pattern: String,
    },
    /// The pattern is not a valid glob.
    #[error("{pattern}: not a valid glob: {message}")]
    BadPattern {
        /// The pattern as given.
        pattern: String,
        /// What is wrong, from the glob parser.
        message: String,
    },
    /// The files mix formats, or a file is of a format the engine does not read.
    #[error("{path}: {message}")]
    Format {
        /// The offending file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A memory limit that is not a size.
    #[error("--memory-limit '{given}': not a size (e.g. 512MB, 2GB, 1.5GiB, 800000000)")]
    BadSize {
        /// The text as given.
        given: String,
    },
    /// A column the job names is not in the data.
    #[error("{source_name}: no column '{column}' ({flag}); the columns are {columns}")]
    NoColumn {
        /// The data, as given.
        source_name: String,
        /// The column asked for.
        column: String,
        /// Which option named it.
        flag: &'static str,
        /// The columns there are, comma-separated.
        columns: String,
    },
    /// The sample that types the slice expressions could not be read.
    #[error("typing the slices on a sample of {source_name}: {source}")]
    Sample {
        /// The data, as given.
        source_name: String,
        /// The loader's error (boxed: it is far larger than the other variants).
        source: Box<DataError>,
    },
    /// The slices cannot be written as DataFusion SQL.
    #[error(transparent)]
    Sql(#[from] SqlError),
    /// DataFusion refused or failed the query (a type it cannot coerce, a corrupt file, the
    /// memory limit, ...).
    #[error("DataFusion, {stage}: {message}")]
    DataFusion {
        /// What slicelab asked it to do.
        stage: &'static str,
        /// DataFusion's message.
        message: String,
    },
    /// The result did not read as a counts table.
    #[error(transparent)]
    Counts(#[from] CountsError),
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The async runtime could not start.
    #[error("starting the query runtime: {0}")]
    Runtime(std::io::Error),
}

/// Wraps a DataFusion error with the stage it happened in.
pub(crate) fn df(
    stage: &'static str,
) -> impl Fn(datafusion::error::DataFusionError) -> EngineError {
    move |e| EngineError::DataFusion {
        stage,
        message: e.to_string(),
    }
}
