//! Parquet loading into a [`Table`] (flat schemas of numbers, booleans and strings).

use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use super::builder::{ColumnBuilder, finish_all};
use super::date::format_date;
use super::error::DataError;
use super::header::{rename_notice, unique_names};
use super::table::Table;

/// Reads a Parquet file with a flat schema.
pub fn read_parquet(path: &Path) -> Result<Table, DataError> {
    let malformed = |message: String| DataError::Malformed {
        path: path.into(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let reader = SerializedFileReader::new(file)
        .map_err(|e| malformed(format!("not a readable Parquet file: {e}")))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut names: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    if names.is_empty() {
        return Err(DataError::Empty { path: path.into() });
    }
    let renames = unique_names(&mut names);
    let mut builders: Vec<ColumnBuilder> = names.iter().map(|n| ColumnBuilder::new(n)).collect();
    let rows = reader
        .get_row_iter(None)
        .map_err(|e| malformed(e.to_string()))?;
    let mut n = 0usize;
    for (i, row) in rows.enumerate() {
        let row = row.map_err(|e| malformed(format!("row {}: {e}", i + 1)))?;
        for (col, (name, field)) in row.get_column_iter().enumerate() {
            let builder = builders
                .get_mut(col)
                .ok_or_else(|| malformed(format!("row {}: extra field '{name}'", i + 1)))?;
            push_field(builder, field)
                .map_err(|what| malformed(format!("row {}, column '{name}': {what}", i + 1)))?;
        }
        n += 1;
    }
    if n == 0 {
        return Err(DataError::Empty { path: path.into() });
    }
    let (columns, notes) = finish_all(builders);
    let source = path.display().to_string();
    let notices = rename_notice(&source, &renames, &columns)
        .into_iter()
        .chain(notes.into_iter().map(|n| format!("{source}: {n}")))
        .collect();
    Ok(Table {
        source,
        columns,
        notices,
        headerless: false,
    })
}

fn push_field(b: &mut ColumnBuilder, field: &Field) -> Result<(), String> {
    match field {
        Field::Null => b.push_missing(),
        Field::Bool(v) => b.push_num(f64::from(u8::from(*v))),
        Field::Byte(v) => b.push_num(f64::from(*v)),
        Field::Short(v) => b.push_num(f64::from(*v)),
        Field::Int(v) => b.push_num(f64::from(*v)),
        Field::Long(v) => b.push_num(*v as f64),
        Field::UByte(v) => b.push_num(f64::from(*v)),
        Field::UShort(v) => b.push_num(f64::from(*v)),
        Field::UInt(v) => b.push_num(f64::from(*v)),
        Field::ULong(v) => b.push_num(*v as f64),
        Field::Float(v) => b.push_num(f64::from(*v)),
        Field::Double(v) => b.push_num(*v),
        Field::Str(s) => b.push_str(s),
        // Through ISO text, so the builder infers a date column as it does for a CSV.
        Field::Date(days) => b.push_str(&format_date(f64::from(*days))),
        Field::TimestampMillis(ms) => b.push_str(&format_date(*ms as f64 / 86_400_000.0)),
        Field::TimestampMicros(us) => b.push_str(&format_date(*us as f64 / 86_400_000_000.0)),
        other => return Err(format!("unsupported nested or binary value {other}")),
    }
    Ok(())
}
