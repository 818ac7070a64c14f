//! Reading tables from files by extension, and the train/valid/test file layouts.

use std::path::{Path, PathBuf};

use super::error::DataError;
use super::table::Table;

/// Loads a CSV, gzip CSV or Parquet file, chosen by its extension.
pub fn read_table(path: &Path) -> Result<Table, DataError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".parquet") || name.ends_with(".pq") {
        super::parquet::read_parquet(path)
    } else {
        super::csv::read_csv(path)
    }
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
            };
        }
        Sources {
            data: path.to_path_buf(),
            valid: None,
            test,
        }
    }
}

/// The column names of a file, reading only its header (or Parquet schema).
pub fn read_header(path: &Path) -> Result<Vec<String>, DataError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".parquet") || name.ends_with(".pq") {
        return Ok(super::parquet::read_parquet(path)?
            .names()
            .into_iter()
            .map(String::from)
            .collect());
    }
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let reader: Box<dyn std::io::Read> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            file,
        )))
    } else {
        Box::new(file)
    };
    let mut rdr = ::csv::Reader::from_reader(reader);
    let header = rdr.headers().map_err(|e| DataError::Malformed {
        path: path.into(),
        message: format!("header: {e}"),
    })?;
    Ok(header.iter().map(|h| h.trim().to_string()).collect())
}
