//! Reading tables from files by extension, and the train/valid/test file layouts.

use std::path::{Path, PathBuf};

use super::dialect::Delimiter;
use super::error::DataError;
use super::header::HeaderMode;
use super::table::Table;

/// Loads a CSV, gzip CSV or Parquet file, chosen by its extension; whether a CSV file has a
/// header row is decided from its first rows ([`HeaderMode::Auto`]).
pub fn read_table(path: &Path) -> Result<Table, DataError> {
    read_table_with(path, HeaderMode::Auto)
}

/// Loads a CSV, gzip CSV or Parquet file; `header` says whether a CSV file's first row names
/// the columns (Parquet files always name them).
pub fn read_table_with(path: &Path, header: HeaderMode) -> Result<Table, DataError> {
    read_table_as(path, header, Delimiter::Auto)
}

/// [`read_table_with`] with a text file's field separator given (or [`Delimiter::Auto`]).
pub fn read_table_as(
    path: &Path,
    header: HeaderMode,
    delimiter: Delimiter,
) -> Result<Table, DataError> {
    if is_parquet(path) {
        super::parquet::read_parquet(path)
    } else {
        super::csv::read_csv_as(path, header, delimiter)
    }
}

fn is_parquet(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.ends_with(".parquet") || name.ends_with(".pq")
}

/// Where a dataset's rows come from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The main file (all rows, or the training rows when `test` is given).
    pub data: PathBuf,
    /// Optional separate validation file.
    pub valid: Option<PathBuf>,
    /// Optional separate test file.
    pub test: Option<PathBuf>,
    /// Whether the CSV files' first rows are headers.
    pub header: HeaderMode,
    /// How the text files' fields are separated.
    pub delimiter: Delimiter,
    /// Column types the user declared (`--types`), applied after the files are read.
    pub types: Vec<super::types::TypeOverride>,
}

impl Sources {
    /// Resolves `path`: a folder holding `train.csv`, `valid.csv`, `test.csv` (as written by
    /// `slicelab demo` and `synthetic_data.py`) becomes those three files.
    pub fn resolve(path: &Path, test: Option<PathBuf>) -> Self {
        if path.is_dir() {
            let file = |n: &str| Some(path.join(n)).filter(|p| p.exists());
            return Sources {
                data: path.join("train.csv"),
                valid: file("valid.csv"),
                test: test.or_else(|| file("test.csv")),
                header: HeaderMode::Auto,
                delimiter: Delimiter::Auto,
                types: Vec::new(),
            };
        }
        Sources {
            data: path.to_path_buf(),
            valid: None,
            test,
            header: HeaderMode::Auto,
            delimiter: Delimiter::Auto,
            types: Vec::new(),
        }
    }
}

/// The column names of a file as [`read_table_with`] would give them, reading only its first
/// rows (or, for Parquet, the whole file).
pub fn read_header(
    path: &Path,
    header: HeaderMode,
    delimiter: Delimiter,
) -> Result<Vec<String>, DataError> {
    if is_parquet(path) {
        return Ok(super::parquet::read_parquet(path)?
            .names()
            .into_iter()
            .map(String::from)
            .collect());
    }
    super::csv::read_csv_names(path, header, delimiter)
}
