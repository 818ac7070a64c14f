//! CSV (and gzip-compressed CSV) loading into a [`Table`].

use std::io::Read;
use std::path::Path;

use super::builder::ColumnBuilder;
use super::error::DataError;
use super::table::Table;

/// Reads a CSV file (`.csv` or `.csv.gz`) with a header row.
pub fn read_csv(path: &Path) -> Result<Table, DataError> {
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            file,
        )))
    } else {
        Box::new(file)
    };
    read_csv_from(reader, path)
}

/// Reads CSV from any reader; `path` is only used in error messages.
pub fn read_csv_from(reader: impl Read, path: &Path) -> Result<Table, DataError> {
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(1 << 20)
        .from_reader(reader);
    let header = rdr.byte_headers().map_err(|e| csv_error(path, e))?.clone();
    if header.is_empty() {
        return Err(DataError::Empty { path: path.into() });
    }
    let names = header_names(&header, path)?;
    let mut builders: Vec<ColumnBuilder> = names.iter().map(|n| ColumnBuilder::new(n)).collect();
    let mut record = ::csv::ByteRecord::new();
    let mut rows = 0usize;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        for (col, (field, builder)) in record.iter().zip(builders.iter_mut()).enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| DataError::NotUtf8 {
                path: path.into(),
                line,
                column: col + 1,
                name: names[col].clone(),
            })?;
            builder.push_str(text);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(DataError::Empty { path: path.into() });
    }
    Ok(Table {
        source: path.display().to_string(),
        columns: builders.into_iter().map(ColumnBuilder::finish).collect(),
    })
}

fn header_names(header: &::csv::ByteRecord, path: &Path) -> Result<Vec<String>, DataError> {
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for (i, field) in header.iter().enumerate() {
        let name = std::str::from_utf8(field).map_err(|_| DataError::NotUtf8 {
            path: path.into(),
            line: 1,
            column: i + 1,
            name: format!("header field {}", i + 1),
        })?;
        let name = name.trim().trim_start_matches('\u{feff}');
        let name = if name.is_empty() {
            format!("column_{}", i + 1)
        } else {
            name.to_string()
        };
        if names.contains(&name) {
            return Err(DataError::Malformed {
                path: path.into(),
                message: format!("line 1, column {}: duplicate column name '{name}'", i + 1),
            });
        }
        names.push(name);
    }
    Ok(names)
}

fn csv_error(path: &Path, e: ::csv::Error) -> DataError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len,
            len,
            pos,
        } => DataError::Ragged {
            path: path.into(),
            line: pos.map_or(line, |p| p.line()),
            expected: expected_len as usize,
            found: len as usize,
        },
        ::csv::ErrorKind::Io(io) => DataError::io(path, io),
        other => DataError::Malformed {
            path: path.into(),
            message: format!("line {line}: {other:?}"),
        },
    }
}
