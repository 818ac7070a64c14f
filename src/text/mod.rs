//! Text columns as model features: a pretrained BERT-family encoder run in candle, mean-pooled
//! sentence embeddings, and a disk cache so a dataset is embedded once.

pub mod bert;
pub mod cache;
pub mod column;
pub mod encoder;
pub mod error;
pub mod memory;
pub mod packed;
pub mod tower;
pub mod tune;

pub use crate::data::EmbedRecord;
pub use cache::EmbeddingCache;
pub use column::{EmbedSpec, Embedded, embed_column, embed_like};
pub use encoder::{TextEncoder, cosine};
pub use error::TextError;
