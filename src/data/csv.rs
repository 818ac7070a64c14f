//! CSV (and gzip-compressed CSV) loading into a [`Table`]; fields may be separated by `,` `;`
//! tab or `|` (sniffed, see [`super::dialect`]), and numbers may use a decimal comma.

use std::io::Read;
use std::path::Path;

use super::builder::{ColumnBuilder, finish_all};
use super::dialect::{Delimiter, Dialect, SNIFF_BYTES, decimal_comma_number};
use super::error::DataError;
use super::header::{
    HeaderMode, Rename, SAMPLE_ROWS, first_row_is_data, positional_names, rename_notice,
    unique_names,
};
use super::table::Table;

/// Reads a CSV file (`.csv` or `.csv.gz`), deciding from its first rows whether it has a header.
pub fn read_csv(path: &Path) -> Result<Table, DataError> {
    read_csv_with(path, HeaderMode::Auto)
}

/// Reads a CSV file (`.csv` or `.csv.gz`) whose first row is a header as `header` says.
pub fn read_csv_with(path: &Path, header: HeaderMode) -> Result<Table, DataError> {
    read_csv_as(path, header, Delimiter::Auto)
}

/// Reads a delimited text file (`.csv`, `.tsv`, `.txt`, gzipped or not) with its header as
/// `header` says and its fields separated as `delimiter` says.
pub fn read_csv_as(
    path: &Path,
    header: HeaderMode,
    delimiter: Delimiter,
) -> Result<Table, DataError> {
    read_csv_from(open(path)?, path, header, delimiter)
}

/// The column names of a CSV file as [`read_csv_as`] would give them, reading only its first
/// rows.
pub fn read_csv_names(
    path: &Path,
    header: HeaderMode,
    delimiter: Delimiter,
) -> Result<Vec<String>, DataError> {
    let (dialect, input) = sniff(open(path)?, path, delimiter)?;
    let mut rdr = reader(input, &dialect);
    let head = read_head(&mut rdr, path)?;
    Ok(Names::of(&head, header, path)?.names)
}

/// How `input` is written, and `input` again from its first byte.
fn sniff(
    mut input: impl Read,
    path: &Path,
    given: Delimiter,
) -> Result<(Dialect, impl Read), DataError> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut input)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| DataError::io(path, e))?;
    let dialect = Dialect::sniff(&head, given);
    Ok((dialect, std::io::Cursor::new(head).chain(input)))
}

fn open(path: &Path) -> Result<Box<dyn Read>, DataError> {
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            file,
        )))
    } else {
        Box::new(file)
    })
}

fn reader<R: Read>(reader: R, dialect: &Dialect) -> ::csv::Reader<R> {
    ::csv::ReaderBuilder::new()
        .delimiter(dialect.byte())
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(reader)
}

/// The first row and up to [`SAMPLE_ROWS`] rows after it.
fn read_head<R: Read>(
    rdr: &mut ::csv::Reader<R>,
    path: &Path,
) -> Result<Vec<::csv::ByteRecord>, DataError> {
    let mut head = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    while head.len() <= SAMPLE_ROWS {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => head.push(record.clone()),
            Err(e) => return Err(csv_error(path, e)),
        }
    }
    match head.first() {
        Some(first) if !first.is_empty() => Ok(head),
        _ => Err(DataError::Empty { path: path.into() }),
    }
}

/// Column names and whether the first row was a header.
struct Names {
    names: Vec<String>,
    header: bool,
    renames: Vec<Rename>,
    notice: Option<String>,
}

impl Names {
    fn of(head: &[::csv::ByteRecord], mode: HeaderMode, path: &Path) -> Result<Self, DataError> {
        let text = |r: &::csv::ByteRecord| -> Vec<String> {
            r.iter()
                .map(|f| {
                    String::from_utf8_lossy(f)
                        .trim_start_matches('\u{feff}')
                        .to_string()
                })
                .collect()
        };
        let first = head.first().map(text).unwrap_or_default();
        let sample: Vec<Vec<String>> = head.iter().skip(1).map(text).collect();
        let looks_like_data = first_row_is_data(&first, &sample);
        let header = match mode {
            HeaderMode::Yes => true,
            HeaderMode::No => false,
            HeaderMode::Auto => !looks_like_data,
        };
        if !header {
            let names = positional_names(first.len());
            let notice = (mode == HeaderMode::Auto).then(|| {
                format!(
                    "{}: no header row (the first row reads like the data rows), so every row is \
                     data and the columns are named c0..c{}",
                    path.display(),
                    first.len() - 1
                )
            });
            return Ok(Self {
                names,
                header,
                renames: Vec::new(),
                notice,
            });
        }
        let mut names = header_names(head.first(), path)?;
        let renames = unique_names(&mut names);
        if looks_like_data && let Some(r) = renames.first() {
            return Err(DataError::Malformed {
                path: path.into(),
                message: format!(
                    "line 1, column {}: duplicate column name '{}'; the first row reads like \
                     data: if the file has no header row, read it with --header no (in the \
                     app: untick 'First row is a header')",
                    r.index + 1,
                    r.from
                ),
            });
        }
        Ok(Self {
            names,
            header,
            renames,
            notice: None,
        })
    }
}

/// Reads CSV from any reader; `path` is only used in error messages.
pub fn read_csv_from(
    reader: impl Read,
    path: &Path,
    header: HeaderMode,
    delimiter: Delimiter,
) -> Result<Table, DataError> {
    let (dialect, input) = sniff(reader, path, delimiter)?;
    let mut rdr = self::reader(input, &dialect);
    let head = read_head(&mut rdr, path)?;
    let names = Names::of(&head, header, path)?;
    let mut builders: Vec<ColumnBuilder> =
        names.names.iter().map(|n| ColumnBuilder::new(n)).collect();
    let mut rows = 0usize;
    let mut push = |record: &::csv::ByteRecord, first: bool| -> Result<(), DataError> {
        let line = record.position().map_or(0, |p| p.line());
        for (col, (field, builder)) in record.iter().zip(builders.iter_mut()).enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| DataError::NotUtf8 {
                path: path.into(),
                line,
                column: col + 1,
                name: names.names[col].clone(),
            })?;
            // A header-less file's first field may still carry a byte-order mark.
            let text = if first && col == 0 {
                text.trim_start_matches('\u{feff}')
            } else {
                text
            };
            match dialect
                .decimal_comma
                .then(|| decimal_comma_number(text))
                .flatten()
            {
                Some(number) => builder.push_str(&number),
                None => builder.push_str(text),
            }
        }
        rows += 1;
        Ok(())
    };
    let skip = usize::from(names.header);
    for (i, record) in head.iter().enumerate().skip(skip) {
        push(record, i == 0)?;
    }
    let mut record = ::csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => push(&record, false)?,
            Err(e) => return Err(csv_error(path, e)),
        }
    }
    if rows == 0 {
        return Err(DataError::Empty { path: path.into() });
    }
    let (columns, notes) = finish_all(builders);
    let source = path.display().to_string();
    let notices = (dialect.notice().map(|n| format!("{source}: {n}")))
        .into_iter()
        .chain(names.notice)
        .chain(rename_notice(&source, &names.renames, &columns))
        .chain(notes.into_iter().map(|n| format!("{source}: {n}")))
        .collect();
    Ok(Table {
        source,
        columns,
        notices,
        headerless: !names.header,
    })
}

fn header_names(header: Option<&::csv::ByteRecord>, path: &Path) -> Result<Vec<String>, DataError> {
    let Some(header) = header else {
        return Err(DataError::Empty { path: path.into() });
    };
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
