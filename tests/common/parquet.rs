//! Writing small Parquet files for the loader tests.

use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// One column's values, in schema order.
pub enum Values<'a> {
    /// `optional double`: `None` is a null.
    Double(&'a [Option<f64>]),
    /// `required binary (UTF8)`.
    Text(&'a [&'a str]),
    /// `required int64`.
    Int(&'a [i64]),
}

/// Writes one row group with `columns` under the message type `schema`.
pub fn write(path: &Path, schema: &str, columns: &[Values]) {
    let mut w = SerializedFileWriter::new(
        std::fs::File::create(path).unwrap(),
        Arc::new(parse_message_type(schema).unwrap()),
        Arc::new(WriterProperties::builder().build()),
    )
    .unwrap();
    let mut rg = w.next_row_group().unwrap();
    for values in columns {
        let mut col = rg.next_column().unwrap().unwrap();
        match values {
            Values::Double(v) => {
                let present: Vec<f64> = v.iter().flatten().copied().collect();
                let levels: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                col.typed::<DoubleType>()
                    .write_batch(&present, Some(&levels), None)
                    .unwrap();
            }
            Values::Text(v) => {
                let bytes: Vec<ByteArray> = v.iter().map(|s| ByteArray::from(*s)).collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&bytes, None, None)
                    .unwrap();
            }
            Values::Int(v) => {
                col.typed::<Int64Type>().write_batch(v, None, None).unwrap();
            }
        }
        col.close().unwrap();
    }
    rg.close().unwrap();
    w.close().unwrap();
}
