//! The first rows of an engine's table, typed the way slicelab types a loaded file, so that the
//! slices compile against the same column kinds as in memory.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::data::Table;
use crate::data::builder::ColumnBuilder;

/// A table of `batches`' rows, each cell read as its text (as a CSV file of them would be read).
pub fn typed_sample(batches: &[RecordBatch], source: &str) -> Table {
    let Some(schema) = batches.first().map(RecordBatch::schema) else {
        return Table {
            source: source.to_string(),
            columns: Vec::new(),
            notices: Vec::new(),
            headerless: false,
        };
    };
    let options = FormatOptions::default();
    let columns = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let mut b = ColumnBuilder::new(field.name());
            for batch in batches {
                let array = batch.column(i);
                match ArrayFormatter::try_new(array.as_ref(), &options) {
                    Ok(f) => (0..array.len()).for_each(|r| {
                        if array.is_null(r) {
                            b.push_missing();
                        } else {
                            b.push_str(&f.value(r).to_string());
                        }
                    }),
                    // A type with no text form (nested, binary): missing, so it is not typed
                    // as anything a slice could compare.
                    Err(_) => (0..array.len()).for_each(|_| b.push_missing()),
                }
            }
            b.finish()
        })
        .collect();
    Table {
        source: source.to_string(),
        columns,
        notices: Vec::new(),
        headerless: false,
    }
}
