//! The record of how a table's text column was embedded: kept with the dataset and in every model
//! card. The embedding itself is [`crate::text`]'s work; the record lives here, with the data
//! that carries it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How a table's embedding columns were made, kept in the dataset and in every model card so
/// new data can be embedded the same way before prediction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedRecord {
    /// The text column.
    pub column: String,
    /// The encoder folder used.
    pub encoder: PathBuf,
    /// xxh64 of the encoder's config, tokenizer and weights, in hex.
    pub fingerprint: String,
    /// Embedding width (number of `{column}_e{i}` columns).
    pub dim: usize,
}

impl EmbedRecord {
    /// The name of the first embedding column; its absence means the table was not embedded.
    pub fn first_column(&self) -> String {
        format!("{}_e0", self.column)
    }
}
