//! Datasets: a columnar table, CSV/Parquet loaders, type inference, splits, feature mapping
//! and the embedded synthetic demo.

pub mod builder;
pub mod classes;
pub mod containment;
pub mod csv;
pub mod dataset;
pub mod date;
pub mod demo;
pub mod dialect;
pub mod embedding;
pub mod error;
pub mod feature_plan;
pub mod features;
pub mod glob;
pub mod header;
pub mod leakage;
pub mod leakage_text;
pub mod load;
pub mod parquet;
pub mod pixels;
pub mod projection;
pub mod split;
pub mod spurious;
pub mod table;
pub mod time_order;
pub mod types;

pub use classes::ClassIndex;
pub use dataset::{Dataset, DatasetSpec};
pub use embedding::EmbedRecord;
pub use error::DataError;
pub use features::{FeatureInput, FeatureMap};
pub use header::HeaderMode;
pub use split::Split;
pub use table::{Column, ColumnData, ColumnKind, ColumnsDiffer, Table};
