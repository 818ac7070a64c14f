//! Errors raised while reading and preparing data; each names the file and where it went wrong.

use std::path::PathBuf;

/// A data error with enough context for the user to find and fix the problem.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file has no header or no data rows.
    #[error("{path}: the file is empty (no header or no data rows)")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A row has a different number of fields than the header.
    #[error("{path}: line {line}: expected {expected} fields like the header, found {found}")]
    Ragged {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Number of header fields.
        expected: usize,
        /// Number of fields on this line.
        found: usize,
    },
    /// A field is not valid UTF-8.
    #[error("{path}: line {line}, column {column} ('{name}'): bytes are not valid UTF-8")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Column name from the header.
        name: String,
    },
    /// Any other malformed content.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },
    /// A named column does not exist.
    #[error("{what} column '{name}' not found in {source_name}; columns are: {available}")]
    UnknownColumn {
        /// Which role the column was wanted for (label, prediction, ...).
        what: &'static str,
        /// The name given.
        name: String,
        /// The dataset it was looked up in.
        source_name: String,
        /// Closest existing names first.
        available: String,
    },
    /// The label column cannot be used for classification.
    #[error("label column '{name}' in {source_name}: {message}")]
    BadLabel {
        /// The label column.
        name: String,
        /// The dataset.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A prediction column holds a value that is not one of the label's classes.
    #[error(
        "prediction column '{name}' in {source_name}, row {row}: '{value}' is not one of the label's classes ({classes})"
    )]
    BadPrediction {
        /// The prediction column.
        name: String,
        /// The dataset.
        source_name: String,
        /// 1-based row number over all loaded rows.
        row: usize,
        /// The offending value.
        value: String,
        /// The label's classes, comma-separated.
        classes: String,
    },
    /// A column cannot take the type the user gave it (`--types`, the open dialog).
    #[error("--types {name}={kind}: column '{name}' in {source_name}: {message}")]
    BadType {
        /// The column.
        name: String,
        /// The type asked for.
        kind: &'static str,
        /// The dataset.
        source_name: String,
        /// Why, naming the first offending row and value.
        message: String,
    },
    /// Invalid option values.
    #[error("{0}")]
    Invalid(String),
}

impl DataError {
    /// Wraps an I/O error with the file it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
