//! Error analysis of a dataset: open it for viewing, predict with a model, evaluate the slice
//! set and score each slice per split. Plain functions, no egui: the app calls them on background
//! threads, and the CLI can call them the same way.
//!
//! (Slice statistics that need no predictions, coverage and overlap, are
//! [`crate::slices::stats`].)

pub mod open;
pub mod predicted;
pub mod row_query;
pub mod scored;

pub use open::{FileRoles, Opened, numeric_axes, open_file, projection};
pub use predicted::{Predicted, from_column, predict, predict_watched};
pub use scored::{Analysis, PreviewResult, analyse, preview};

use crate::data::DataError;
use crate::text::TextError;
use crate::train::TrainError;

/// Why data could not be opened or predicted for analysis.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The data file could not be read.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A column to leave out is not in the data.
    #[error("leaving columns out: {0}")]
    LeaveOut(#[from] crate::data::glob::NoMatch),
    /// The text column could not be embedded.
    #[error(transparent)]
    Text(#[from] TextError),
    /// The model reads embeddings of a text column that the data was opened without.
    #[error(
        "{model} reads embeddings of the text column '{column}' (encoder {encoder}): reopen the data with \"Embed text column\" set to '{column}'"
    )]
    NotEmbedded {
        /// The model's name.
        model: String,
        /// The text column it was trained on.
        column: String,
        /// The encoder folder it recorded, as shown.
        encoder: String,
    },
    /// The model failed on the data.
    #[error("predicting with {model}: {source}")]
    Predict {
        /// The model's name.
        model: String,
        /// What went wrong.
        source: Box<TrainError>,
    },
}
