//! How the engine reads a CSV file's first row: as the loader decides (a header, or data when the
//! file has none), so that columns are named as in memory, and a header that repeats a name is
//! refused with the fix instead of DataFusion's schema-merge error.

use std::path::Path;

use crate::data::HeaderMode;
use crate::data::csv::read_csv_names;
use crate::data::header::{positional_names, unique_names};

use super::error::EngineError;

/// How the files' first rows are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvHeader {
    /// The first row names the columns.
    Named,
    /// The first row is data; the columns are named `c0`, `c1`, ... as the loader names them.
    Positional(Vec<String>),
}

/// Decides from the first file, as `slicelab eval` on that file would.
pub fn csv_header(first: &Path) -> Result<CsvHeader, EngineError> {
    let sample = |source| EngineError::Sample {
        source_name: first.display().to_string(),
        source: Box::new(source),
    };
    let auto = read_csv_names(
        first,
        HeaderMode::Auto,
        crate::data::dialect::Delimiter::Auto,
    )
    .map_err(sample)?;
    let mut raw = raw_header(first)?;
    if auto == positional_names(auto.len()) && raw != auto {
        return Ok(CsvHeader::Positional(auto));
    }
    if let Some(r) = unique_names(&mut raw).first() {
        return Err(EngineError::Format {
            path: first.display().to_string(),
            message: format!(
                "columns {} and {} are both named '{}'; the engine needs unique names: rename \
                 one in the file, or open it in memory, where the second becomes '{}'",
                r.first + 1,
                r.index + 1,
                r.from,
                r.to
            ),
        });
    }
    Ok(CsvHeader::Named)
}

/// The first row's fields as written.
fn raw_header(path: &Path) -> Result<Vec<String>, EngineError> {
    let io = |e: csv::Error| EngineError::Format {
        path: path.display().to_string(),
        message: format!("reading the header row: {e}"),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .map_err(io)?;
    match reader.records().next() {
        Some(record) => Ok(record.map_err(io)?.iter().map(str::to_string).collect()),
        None => Ok(Vec::new()),
    }
}
