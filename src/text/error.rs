//! What can go wrong while loading an encoder or embedding a text column.

use std::path::PathBuf;

/// A text-encoding failure, naming the file or column at fault.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// A file of the model folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `config.json` is missing a field or describes an unsupported model.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// `tokenizer.json` could not be loaded or a text could not be tokenised.
    #[error("{path}: tokenizer: {message}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// The tokenizers crate's message.
        message: String,
    },
    /// The weights do not match the configuration, or a tensor operation failed.
    #[error("encoder {path}: {source}")]
    Model {
        /// The model folder.
        path: PathBuf,
        /// candle's error.
        source: candle_core::Error,
    },
    /// The encoder found is not the one a model was trained with.
    #[error(
        "encoder {path} (fingerprint {found}) is not the one the model was trained with ({trained_with}, fingerprint {expected}); give --encoder with that folder"
    )]
    WrongEncoder {
        /// The folder loaded.
        path: PathBuf,
        /// Its fingerprint.
        found: String,
        /// The model's recorded fingerprint.
        expected: String,
        /// The model's recorded encoder folder.
        trained_with: PathBuf,
    },
    /// The column to embed is not in the table.
    #[error("{source_name}: no text column '{name}' to embed (columns: {available})")]
    UnknownColumn {
        /// The column asked for.
        name: String,
        /// The table's source file.
        source_name: String,
        /// The closest column names.
        available: String,
    },
    /// Encoder layers cannot be tuned because the features leave out embedding values.
    #[error(
        "the features do not include the embedding value {missing} of '{column}', so its encoder layers cannot be tuned: keep every {column}_e* column (check --features and --ignore)"
    )]
    NotTunable {
        /// The embedded text column.
        column: String,
        /// The first embedding column missing from the features.
        missing: String,
    },
    /// Embedding was cancelled by the user.
    #[error("embedding cancelled")]
    Cancelled,
    /// The token states of a tuning job would not fit in memory.
    #[error(
        "tuning encoder layers keeps every text's token states in memory: {need} for {texts} \
         texts ({tokens} tokens x {hidden} values x 4 bytes), but only {available} is available; \
         tune on fewer rows, lower the encoder's max_seq_length, use a smaller encoder, or train \
         on the frozen embeddings (0 tuned layers)"
    )]
    Memory {
        /// Memory the states need, in words (`12.3 GB`).
        need: String,
        /// Memory available to the process, in words.
        available: String,
        /// Texts in the table.
        texts: usize,
        /// Their tokens in all.
        tokens: usize,
        /// Values per token state.
        hidden: usize,
    },
}
